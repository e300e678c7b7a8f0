import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { emitProgress } from './present.js';
import { revalidateDocument } from './revalidate-document.js';
import {
  RevalidationItems,
  RevalidationJobs,
  RevalidationResults,
  type ItemDoc,
  type ItemResult,
  type JobDoc,
} from './revalidation.model.js';
import { snapshotDocuments } from './snapshot.js';

export const REVALIDATION_TUNING = {
  /** Documents per batch: the cursor and the counts move once per batch. */
  batchSize: Number(process.env.REVALIDATION_BATCH ?? 25),
  /** Jobs one hub process works on at once; the others wait, queued. */
  concurrency: 1,
  /** A job whose owner has not written for this long is taken over by any hub process. */
  leaseMs: 30_000,
};

export type Runner = {
  /** Set by the first pump: a hub that never ran a job (a command) has none to hand back. */
  used: boolean;
  /** This process, as written in the `owner` of the jobs it works on. */
  id: string;
  active: Map<string, Promise<void>>;
  stopping: boolean;
  pumping: Promise<void> | null;
  again: boolean;
  sweep?: NodeJS.Timeout;
};

export function newRunner(): Runner {
  return {
    used: false,
    id: randomUUID(),
    active: new Map(),
    stopping: false,
    pumping: null,
    again: false,
  };
}

function runnerOf(ctx: HubContext): Runner {
  const r = ctx.services.revalidation.runner;
  r.used = true;

  return r;
}

class Stopped extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Takes the oldest job nobody holds (new, left by a stopped hub, or whose owner went silent). */
async function claimNext(ctx: HubContext, r: Runner): Promise<JobDoc | null> {
  const now = new Date();
  const job = await RevalidationJobs(ctx.db.conn)
    .findOneAndUpdate(
      {
        status: { $in: ['queued', 'running'] },
        _id: { $nin: [...r.active.keys()] },
        $or: [
          { owner: null },
          { heartbeatAt: { $lt: new Date(now.getTime() - REVALIDATION_TUNING.leaseMs) } },
        ],
      },
      { $set: { owner: r.id, heartbeatAt: now, status: 'running', updatedAt: now } },
      { sort: { createdAt: 1 }, new: true, lean: true },
    )
    .exec();
  if (job && !job.startedAt) {
    job.startedAt = now;
    await RevalidationJobs(ctx.db.conn).updateOne(
      { _id: job._id, startedAt: null },
      { $set: { startedAt: now } },
    );
  }

  return job;
}

async function fillSlots(ctx: HubContext, r: Runner): Promise<void> {
  while (!r.stopping && r.active.size < REVALIDATION_TUNING.concurrency) {
    const job = await claimNext(ctx, r);
    if (!job) return;
    const id = String(job._id);
    const run = runJob(ctx, r, job).finally(() => {
      r.active.delete(id);
      pumpRevalidations(ctx);
    });
    r.active.set(id, run);
  }
}

/** Starts waiting jobs while this process has room. Safe to call often; never throws. */
export function pumpRevalidations(ctx: HubContext): void {
  const r = runnerOf(ctx);
  if (r.stopping) return;
  if (r.pumping) {
    r.again = true;
    return;
  }
  r.pumping = (async () => {
    do {
      r.again = false;
      await fillSlots(ctx, r);
    } while (r.again && !r.stopping);
  })()
    .catch((err: unknown) => ctx.log.error({ err }, 'revalidation: could not claim a job'))
    .finally(() => {
      r.pumping = null;
    });
}

/**
 * Hub start: resume what a stopped or crashed hub left (a crashed owner's lease runs out after
 * `leaseMs`), and look again every lease period for jobs whose owner went silent.
 */
export function startRevalidations(ctx: HubContext): void {
  const r = runnerOf(ctx);
  r.sweep = setInterval(() => pumpRevalidations(ctx), REVALIDATION_TUNING.leaseMs);
  r.sweep.unref();
  pumpRevalidations(ctx);
}

/** Hub stop: finish the document in hand, then hand the jobs back (owner null) for the next start. */
export async function stopRevalidations(ctx: HubContext): Promise<void> {
  const r = ctx.services.revalidation.runner;
  if (!r.used) return;
  r.stopping = true;
  clearInterval(r.sweep);
  await r.pumping;
  await Promise.allSettled([...r.active.values()]);
  await RevalidationJobs(ctx.db.conn).updateMany(
    { owner: r.id },
    { $set: { owner: null, heartbeatAt: null } },
  );
}

/** The validation queue is shared with interactive requests: wait rather than fail when full. */
async function judgeWhenRoom(ctx: HubContext, r: Runner, documentId: Types.ObjectId) {
  for (;;) {
    if (r.stopping) throw new Stopped();
    try {
      return await revalidateDocument(ctx, documentId);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'UNAVAILABLE') throw err;
      await sleep(1_000);
    }
  }
}

/** The document's newest verdict, unless another job has meanwhile stored a newer one. */
async function saveOutcome(
  ctx: HubContext,
  job: JobDoc,
  item: ItemDoc,
  orgId: Types.ObjectId | null,
  outcome: ItemResult,
): Promise<void> {
  await RevalidationItems(ctx.db.conn).updateOne({ _id: item._id }, { $set: { outcome } });
  if (!orgId) return;
  try {
    await RevalidationResults(ctx.db.conn).updateOne(
      { _id: item.documentId, validatedAt: { $lte: outcome.validatedAt } },
      { $set: { orgId, at: item.at, jobId: job._id, ...outcome } },
      { upsert: true },
    );
  } catch (err) {
    // the filter missed because a newer verdict is stored: the upsert's insert collides
    if ((err as { code?: number }).code !== 11000) throw err;
  }
}

type Tally = Pick<JobDoc, 'processed' | 'valid' | 'invalid' | 'indeterminate' | 'unsigned'>;

const TALLY_FIELD = {
  TOTAL_PASSED: 'valid',
  TOTAL_FAILED: 'invalid',
  INDETERMINATE: 'indeterminate',
  NO_SIGNATURE: 'unsigned',
} as const;

/** Keeps the lease alive during a long batch; false when another process has taken the job. */
async function heartbeat(ctx: HubContext, r: Runner, job: JobDoc): Promise<boolean> {
  const now = new Date();
  const res = await RevalidationJobs(ctx.db.conn).updateOne(
    { _id: job._id, owner: r.id },
    { $set: { heartbeatAt: now } },
  );
  job.heartbeatAt = now;

  return res.matchedCount === 1;
}

/**
 * One batch: validate each document, store its verdict, then move the cursor and add the
 * counts in one write guarded by the cursor it started from and this process's ownership. A stop
 * before that write leaves the cursor where it was: the batch is validated again later but
 * counted only once. Returns the job as stored, or null when done or no longer ours.
 */
async function runBatch(ctx: HubContext, r: Runner, job: JobDoc): Promise<JobDoc | null> {
  const items = await RevalidationItems(ctx.db.conn)
    .find({ jobId: job._id, ...(job.cursor ? { documentId: { $gt: job.cursor } } : {}) })
    .sort({ documentId: 1 })
    .limit(REVALIDATION_TUNING.batchSize)
    .lean();
  if (items.length === 0) return null;
  const tally: Tally = { processed: 0, valid: 0, invalid: 0, indeterminate: 0, unsigned: 0 };
  for (const item of items) {
    const { orgId, outcome } = await judgeWhenRoom(ctx, r, item.documentId);
    await saveOutcome(ctx, job, item, orgId, outcome);
    tally.processed++;
    tally[TALLY_FIELD[outcome.result]]++;
    const quiet = Date.now() - (job.heartbeatAt?.getTime() ?? 0);
    if (quiet > REVALIDATION_TUNING.leaseMs / 3 && !(await heartbeat(ctx, r, job))) return null;
  }
  const now = new Date();

  return RevalidationJobs(ctx.db.conn)
    .findOneAndUpdate(
      { _id: job._id, owner: r.id, cursor: job.cursor },
      {
        $set: { cursor: items.at(-1)!.documentId, heartbeatAt: now, updatedAt: now },
        $inc: tally,
      },
      { new: true, lean: true },
    )
    .exec();
}

async function finish(
  ctx: HubContext,
  r: Runner,
  job: JobDoc,
  outcome: { status: 'done' } | { status: 'failed'; error: string },
): Promise<void> {
  const now = new Date();
  const done = await RevalidationJobs(ctx.db.conn)
    .findOneAndUpdate(
      { _id: job._id, owner: r.id },
      {
        $set: {
          ...outcome,
          activeKey: null,
          owner: null,
          heartbeatAt: null,
          finishedAt: now,
          updatedAt: now,
        },
      },
      { new: true, lean: true },
    )
    .exec();
  if (done) emitProgress(ctx, done);
}

async function runJob(ctx: HubContext, r: Runner, claimed: JobDoc): Promise<void> {
  let job: JobDoc | null = claimed;
  try {
    if (!job.snapshotDone) {
      const total = await snapshotDocuments(ctx, job);
      job = await RevalidationJobs(ctx.db.conn)
        .findOneAndUpdate(
          { _id: job._id, owner: r.id },
          { $set: { snapshotDone: true, total, updatedAt: new Date() } },
          { new: true, lean: true },
        )
        .exec();
      if (!job) return;
    }
    emitProgress(ctx, job);
    for (;;) {
      if (r.stopping) return;
      const next: JobDoc | null = await runBatch(ctx, r, job);
      if (!next) break;
      job = next;
      emitProgress(ctx, job);
    }
    // null from runBatch: either no items left (finish) or the job is no longer ours (no-op)
    await finish(ctx, r, job, { status: 'done' });
  } catch (err) {
    if (err instanceof Stopped) return;
    // the job is shown to auditors: the cause goes to the log, the job gets its id
    const errorId = randomUUID();
    ctx.log.error({ err, errorId, jobId: String(claimed._id) }, 'revalidation: job failed');
    const error = `Lỗi hệ thống khi kiểm tra lại (mã lỗi ${errorId}); hãy tiếp tục lượt kiểm tra sau.`;
    await finish(ctx, r, job ?? claimed, { status: 'failed', error }).catch(() => undefined);
  }
}
