import type { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { duplicateIndexes } from '../../db/duplicates.js';
import { collectionNames, collectionOf, flushCounters, factStages } from '../stats/index.js';
import { RevalidationItems, type JobDoc } from './revalidation.model.js';

const INSERT_BATCH = 1_000;

/** Duplicate keys mean "already there" (a snapshot redone after a stop); anything else throws. */
async function insertNew(ctx: HubContext, docs: Record<string, unknown>[]): Promise<void> {
  if (docs.length === 0) return;
  try {
    await RevalidationItems(ctx.db.conn).collection.insertMany(docs, { ordered: false });
  } catch (err) {
    duplicateIndexes(err);
  }
}

/**
 * Fixes the job's documents: the very rows of the statistics' `outgoing` fact set (documents of
 * the subtree first dispatched in the period), one item each. Idempotent, so a snapshot cut short
 * by a stop is simply run again. Returns the number of items.
 */
export async function snapshotDocuments(ctx: HubContext, job: JobDoc): Promise<number> {
  await flushCounters(ctx); // the outgoing set reads the markers the counter queue writes
  const rows = collectionOf(ctx, 'outgoing').aggregate<{ _id: Types.ObjectId; at: Date }>(
    [
      ...factStages('outgoing', {
        orgIds: job.orgIds,
        start: job.start,
        end: job.end,
        asOf: new Date(),
        collections: collectionNames(ctx),
      }),
      { $project: { _id: 1, at: 1 } },
    ],
    { allowDiskUse: true },
  );
  let batch: Record<string, unknown>[] = [];
  for await (const r of rows) {
    batch.push({ jobId: job._id, documentId: r._id, at: r.at, outcome: null });
    if (batch.length >= INSERT_BATCH) {
      await insertNew(ctx, batch);
      batch = [];
    }
  }
  await insertNew(ctx, batch);

  return RevalidationItems(ctx.db.conn).countDocuments({ jobId: job._id });
}
