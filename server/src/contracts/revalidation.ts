import { z } from 'zod';
import { ZIsoDate, ZObjectId } from './common.js';
import { answer, routes, ZId } from './endpoint.js';
import { STATS_READERS as READERS } from './stats.js';
import { ZIndication } from './validation.js';

/**
 * POST /api/v1/revalidations: re-validate today the signatures of every outgoing document of the
 * organization's subtree first dispatched in [from, to] (the documents behind `outgoingDocuments`).
 */
export const ZRevalidationCreate = z
  .object({
    /** Defaults to the caller's organization. */
    orgId: ZObjectId.optional(),
    from: ZIsoDate,
    to: ZIsoDate,
  })
  .strict();
export type TRevalidationCreate = z.infer<typeof ZRevalidationCreate>;

export const ZRevalidationParams = ZId;

export const REVALIDATION_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type TRevalidationStatus = (typeof REVALIDATION_STATUSES)[number];

export const ZRevalidationListQuery = z
  .object({
    /** Jobs about this organization or any below it; defaults to the caller's organization. */
    orgId: ZObjectId.optional(),
    status: z.enum(REVALIDATION_STATUSES).optional(),
    /** Only jobs over exactly these days. */
    from: ZIsoDate.optional(),
    to: ZIsoDate.optional(),
    /** The last id of the previous page (newest first). */
    cursor: ZObjectId.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export type TRevalidationListQuery = z.infer<typeof ZRevalidationListQuery>;

/**
 * One document's verdict today: the ETSI indication over all its signatures (any TOTAL_FAILED
 * fails the document; all TOTAL_PASSED passes it; otherwise INDETERMINATE), or NO_SIGNATURE.
 */
export const REVALIDATION_RESULTS = [...ZIndication.options, 'NO_SIGNATURE'] as const;
export type TRevalidationResult = (typeof REVALIDATION_RESULTS)[number];

export type TRevalidationCounts = {
  /** Outgoing documents in the job (fixed when the job starts). */
  total: number;
  /** Documents done so far; each counted once even across a stop and a resume. */
  processed: number;
  /** TOTAL_PASSED */
  valid: number;
  /** TOTAL_FAILED */
  invalid: number;
  /** INDETERMINATE */
  indeterminate: number;
  /** Documents without any signature: not part of the still-valid share. */
  unsigned: number;
};

export type TRevalidationJob = TRevalidationCounts & {
  id: string;
  orgId: string;
  orgName: string;
  from: string;
  to: string;
  status: TRevalidationStatus;
  startedBy: { id: string; name: string };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  /** Why the job stopped, when `failed` (resume it with POST …/:id/resume). */
  error?: string;
};

export type TRevalidationPage = { items: TRevalidationJob[]; nextCursor: string | null };

/**
 * Socket.IO `revalidation:progress`, to the rooms of the users who started (or asked for) the
 * job. Ephemeral: not in the event log; GET /api/v1/revalidations/:id has the same counts.
 */
export type TRevalidationProgress = TRevalidationCounts & {
  jobId: string;
  orgId: string;
  from: string;
  to: string;
  status: TRevalidationStatus;
};

/** /api/v1/revalidations: bulk re-validation jobs behind the still-valid figure. */
export const revalidationApi = routes('/revalidations', {
  /** 202: accepted, runs in the background; 200: the job already running for these days */
  start: {
    method: 'POST',
    path: '/',
    roles: READERS,
    body: ZRevalidationCreate,
    returns: answer<TRevalidationJob>(),
  },
  list: {
    method: 'GET',
    path: '/',
    roles: READERS,
    query: ZRevalidationListQuery,
    returns: answer<TRevalidationPage>(),
  },
  get: {
    method: 'GET',
    path: '/:id',
    roles: READERS,
    params: ZId,
    returns: answer<TRevalidationJob>(),
  },
  resume: {
    method: 'POST',
    path: '/:id/resume',
    roles: READERS,
    params: ZId,
    returns: answer<TRevalidationJob>(),
  },
});
