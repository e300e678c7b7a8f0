#!/usr/bin/env node
// Runs the compiled CLI: build/ is made at installation (`npm ci` runs scripts/build.mjs as the
// `prepare` script) and again by the test setup, so neither a user nor a test runs TypeScript
// through tsx here. LIENTHONG_SOURCES=1 runs the sources through tsx instead (development only:
// seconds of transpiling per start).
import { existsSync } from 'node:fs';

const compiled = new URL('../build/src/cli/index.js', import.meta.url);
if (process.env.LIENTHONG_SOURCES === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../server/src/cli/index.ts');
} else if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  process.stderr.write(
    'lienthong: chưa có bản dựng build/ — chạy `npm ci` hoặc `npm run build` trước.\n',
  );
  process.exit(1);
}
