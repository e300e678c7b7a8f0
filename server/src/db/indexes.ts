import type { Connection } from 'mongoose';

/** Builds the indexes of these models before the hub serves, so unique rules hold from the first write. */
export async function ensureIndexes(
  conn: Connection,
  models: ((c: Connection) => { init(): Promise<unknown> })[],
): Promise<void> {
  for (const m of models) await m(conn).init();
}
