import { Types } from 'mongoose';
import type {
  TRevalidationCreate,
  TRevalidationJob,
  TRevalidationListQuery,
  TRevalidationPage,
} from '../../contracts/revalidation.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import type { Principal } from '../../http/principal.js';
import { resolveRange, resolveScope } from '../scope/index.js';
import { presentJob } from './present.js';
import { RevalidationJobs, type JobDoc } from './revalidation.model.js';
import { pumpRevalidations } from './runner.js';

const NOT_FOUND = 'Không tìm thấy lượt kiểm tra lại chữ ký.';

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

/** A job the caller may see: the statistics' rule on its organization (others: 404). */
async function visibleJob(ctx: HubContext, p: Principal, id: string): Promise<JobDoc> {
  const job = await RevalidationJobs(ctx.db.conn).findById(id).lean();
  if (!job) throw new AppError('NOT_FOUND', NOT_FOUND);
  try {
    await resolveScope(ctx, p, String(job.orgId));
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_FOUND')
      throw new AppError('NOT_FOUND', NOT_FOUND);
    throw err;
  }

  return job;
}

const watcher = (p: Principal) => (p.kind === 'user' ? [p.id] : []);

/**
 * Starts (queues) a re-validation of the scope's outgoing documents over the days, or — when one
 * is already queued or running for the same organization and days — returns that one and adds
 * the caller to those told about its progress.
 */
export async function startRevalidation(
  ctx: HubContext,
  p: Principal,
  body: TRevalidationCreate,
  now = new Date(),
): Promise<{ job: TRevalidationJob; created: boolean }> {
  const scope = await resolveScope(ctx, p, body.orgId);
  const range = resolveRange({ from: body.from, to: body.to, period: 'day' }, now);
  const activeKey = `${scope.orgId}|${range.from}|${range.to}`;
  const jobs = RevalidationJobs(ctx.db.conn);
  // the active job may finish between the failed insert and the lookup: try again then
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const doc = await jobs.create({
        orgId: new Types.ObjectId(scope.orgId),
        orgName: scope.orgName,
        orgIds: scope.orgIds,
        from: range.from,
        to: range.to,
        start: range.start,
        end: range.end,
        status: 'queued',
        activeKey,
        startedBy: { id: p.id, name: p.name },
        watchers: watcher(p),
        createdAt: now,
        updatedAt: now,
      });
      pumpRevalidations(ctx);

      return { job: presentJob(doc.toObject() as JobDoc), created: true };
    } catch (err) {
      if (!isDuplicate(err)) throw err;
    }
    const running = await jobs
      .findOneAndUpdate(
        { activeKey },
        { $addToSet: { watchers: { $each: watcher(p) } } },
        { new: true, lean: true },
      )
      .exec();
    if (running) return { job: presentJob(running), created: false };
  }
  throw new AppError('CONFLICT', 'Lượt kiểm tra lại đang thay đổi trạng thái; hãy thử lại.');
}

export async function getRevalidation(
  ctx: HubContext,
  p: Principal,
  id: string,
): Promise<TRevalidationJob> {
  return presentJob(await visibleJob(ctx, p, id));
}

/** Jobs about the organization or any organization below it, newest first. */
export async function listRevalidations(
  ctx: HubContext,
  p: Principal,
  q: TRevalidationListQuery,
): Promise<TRevalidationPage> {
  const scope = await resolveScope(ctx, p, q.orgId);
  const filter: Record<string, unknown> = { orgId: { $in: scope.orgIds } };
  if (q.status) filter.status = q.status;
  if (q.from) filter.from = q.from;
  if (q.to) filter.to = q.to;
  if (q.cursor) filter._id = { $lt: new Types.ObjectId(q.cursor) };
  const docs = await RevalidationJobs(ctx.db.conn)
    .find(filter, { orgIds: 0 })
    .sort({ _id: -1 })
    .limit(q.limit)
    .lean();
  const items = docs.map((d) => presentJob(d as JobDoc));

  return { items, nextCursor: items.length === q.limit ? items.at(-1)!.id : null };
}

/**
 * Continues a job from its cursor: a failed one is queued again; a queued or running one is left
 * to its owner or, if the owner has gone silent, taken over at once. A finished job is a 409.
 */
export async function resumeRevalidation(
  ctx: HubContext,
  p: Principal,
  id: string,
): Promise<TRevalidationJob> {
  const job = await visibleJob(ctx, p, id);
  if (job.status === 'done')
    throw new AppError('INVALID_STATE', 'Lượt kiểm tra lại này đã xong; hãy bắt đầu lượt mới.');
  const jobs = RevalidationJobs(ctx.db.conn);
  if (job.status === 'failed') {
    try {
      await jobs.updateOne(
        { _id: job._id, status: 'failed' },
        {
          $set: {
            status: 'queued',
            activeKey: `${String(job.orgId)}|${job.from}|${job.to}`,
            error: null,
            finishedAt: null,
            updatedAt: new Date(),
          },
        },
      );
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      throw new AppError(
        'CONFLICT',
        'Đang có một lượt kiểm tra lại khác cho cơ quan và khoảng ngày này; hãy theo dõi lượt đó.',
      );
    }
  }
  const updated = await jobs
    .findOneAndUpdate(
      { _id: job._id },
      { $addToSet: { watchers: { $each: watcher(p) } } },
      { new: true, lean: true },
    )
    .exec();
  pumpRevalidations(ctx);

  return presentJob(updated ?? job);
}
