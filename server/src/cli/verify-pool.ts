/**
 * Many files through a pool of worker threads, one per core: validation is CPU-bound, and each
 * worker loads the validator once for all the files it is given. Results arrive in completion
 * order; the caller puts them back in input order.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Outcome, VerifySettings } from './verify-file.js';
import type { Result, Task } from './verify-worker.js';

const fromSources = import.meta.url.endsWith('.ts');

/** The compiled worker runs as is; from the sources (tests, development) through tsx. */
function startWorker(settings: VerifySettings): Worker {
  const script = new URL(`./verify-worker.${fromSources ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSources) return new Worker(script, { workerData: settings });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(script.href)}); })`;

  return new Worker(boot, { eval: true, workerData: settings });
}

export function poolSize(files: number): number {
  return Math.max(1, Math.min(availableParallelism(), files));
}

export function verifyInPool(
  files: string[],
  settings: VerifySettings,
  onOutcome: (index: number, outcome: Outcome) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const workers = Array.from({ length: poolSize(files.length) }, () => startWorker(settings));
    let next = 0;
    let pending = files.length;
    const stop = () => Promise.all(workers.map((w) => w.terminate()));
    const feed = (worker: Worker) => {
      if (next < files.length) worker.postMessage({ index: next, file: files[next++]! } as Task);
    };
    for (const worker of workers) {
      worker.on('message', ({ index, outcome }: Result) => {
        onOutcome(index, outcome);
        feed(worker);
        if (--pending === 0) void stop().then(() => resolve());
      });
      worker.once('error', (e) => void stop().then(() => reject(e)));
      feed(worker);
    }
    if (pending === 0) void stop().then(() => resolve());
  });
}
