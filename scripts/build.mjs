// `npm ci` / `npm install` run this as the `prepare` script: it builds client/dist, so that
// `npm start` serves the web client (the hub never runs Vite). An install without dev
// dependencies (`npm ci --omit=dev`) has no Vite: it says how to build elsewhere and succeeds.
let vite;
try {
  vite = await import('vite');
} catch {
  console.warn(
    'lienthong: Vite is not installed (dev dependencies omitted); client/dist was not built.\n' +
      'Build it where dev dependencies are installed (npm run build:client) and copy client/dist.',
  );
  process.exit(0);
}
await vite.build({ root: 'client', logLevel: 'warn' });
