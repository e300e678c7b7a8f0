import type {
  TRevalidationCounts,
  TRevalidationJob,
  TRevalidationProgress,
} from '../../contracts/revalidation.js';
import type { HubContext } from '../../context.js';
import { userRoom } from '../events/index.js';
import type { JobDoc } from './revalidation.model.js';

function counts(j: JobDoc): TRevalidationCounts {
  return {
    total: j.total,
    processed: j.processed,
    valid: j.valid,
    invalid: j.invalid,
    indeterminate: j.indeterminate,
    unsigned: j.unsigned,
  };
}

export function presentJob(j: JobDoc): TRevalidationJob {
  return {
    id: String(j._id),
    orgId: String(j.orgId),
    orgName: j.orgName,
    from: j.from,
    to: j.to,
    status: j.status,
    ...counts(j),
    startedBy: { id: j.startedBy.id, name: j.startedBy.name },
    createdAt: j.createdAt.toISOString(),
    startedAt: j.startedAt?.toISOString() ?? null,
    finishedAt: j.finishedAt?.toISOString() ?? null,
    updatedAt: j.updatedAt.toISOString(),
    ...(j.error ? { error: j.error } : {}),
  };
}

/**
 * Progress goes straight to the watchers' user rooms, not through the event log: it is
 * superseded every batch, concerns no organization's documents as such (an auditor's job about
 * another organization must not reach that organization's room), and the job keeps the counts.
 */
export function emitProgress(ctx: HubContext, j: JobDoc): void {
  if (!ctx.io || j.watchers.length === 0) return;
  const e: TRevalidationProgress = {
    jobId: String(j._id),
    orgId: String(j.orgId),
    from: j.from,
    to: j.to,
    status: j.status,
    ...counts(j),
  };
  ctx.io.to(j.watchers.map(userRoom)).emit('revalidation:progress', e);
}
