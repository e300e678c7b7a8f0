/** A worker of `lienthong verify`'s pool: validates the files it is sent, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { verifyFile, type Outcome, type VerifySettings } from './verify-file.js';

export type Task = { index: number; file: string };
export type Result = { index: number; outcome: Outcome };

const settings = workerData as VerifySettings;

parentPort!.on('message', async ({ index, file }: Task) => {
  let outcome: Outcome;
  try {
    outcome = await verifyFile(file, settings);
  } catch (e) {
    // a bug on one file must not stop the batch: the file is reported as not checked
    outcome = { error: { code: 'INTERNAL_ERROR', message: (e as Error).stack ?? String(e) } };
  }
  parentPort!.postMessage({ index, outcome } satisfies Result);
});
