import { Router } from 'express';
import { z } from 'zod';
import { ZObjectId } from '../../contracts/common.js';
import {
  ZDraftMeta,
  ZDraftPatch,
  ZIssueNumber,
  ZRecordImage,
  ZReturn,
  ZSubmit,
  ZWorkflowListParams,
  ZWorkflowListQuery,
  ZWorkflowPolicy,
} from '../../contracts/workflow.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { idempotencyKey, markCreated } from '../../http/idempotency.js';
import { route } from '../../http/route.js';
import { presentDocument } from './document.presenter.js';
import { getRecordImage, putRecordImage } from './images-of-record.js';
import { authorizeUpload, parseMetaField, parseUpload } from './upload.js';
import {
  createDraft,
  deleteDraft,
  editDraft,
  listSigners,
  replaceDraftFile,
  returnDraft,
  submitDraft,
} from './workflow-drafts.js';
import { listWorkflow, workflowCounts } from './workflow-lists.js';
import { getWorkflowPolicy, numberForRelease, setWorkflowPolicy } from './workflow-release.js';
import { getWorkflowDocument } from './workflow.js';

const DRAFTERS = ['clerk', 'org_admin', 'signer'] as const;
const ZId = z.object({ id: ZObjectId }).strict();
const ZUserId = z.object({ userId: ZObjectId }).strict();

function uploaded(file: Express.Multer.File | undefined) {
  if (!file) throw new AppError('VALIDATION_FAILED', 'Thiếu phần "file" (tệp PDF).');

  return { bytes: file.buffer, originalName: file.originalname };
}

/** Drafts: create, edit, replace the file, delete (until submitted). */
function draftRoutes(ctx: HubContext, r: Router): void {
  r.post(
    '/drafts',
    authorizeUpload([...DRAFTERS]),
    parseUpload(ctx),
    route({ roles: [...DRAFTERS] }, async ({ principal, req, res }) => {
      const meta = ZDraftMeta.parse(parseMetaField((req.body as Record<string, unknown>)?.meta));
      const { replayed, ...doc } = await createDraft(
        ctx,
        principal,
        meta,
        uploaded(req.file),
        idempotencyKey(req.header('idempotency-key')),
      );
      markCreated(res, replayed);

      return doc;
    }),
  );
  r.patch(
    '/drafts/:id',
    route({ roles: [...DRAFTERS], params: ZId, body: ZDraftPatch }, ({ principal, params, body }) =>
      editDraft(ctx, principal, params.id, body),
    ),
  );
  r.put(
    '/drafts/:id/file',
    authorizeUpload([...DRAFTERS]),
    parseUpload(ctx),
    route({ roles: [...DRAFTERS], params: ZId }, ({ principal, params, req }) =>
      replaceDraftFile(ctx, principal, params.id, uploaded(req.file)),
    ),
  );
  r.delete(
    '/drafts/:id',
    route({ roles: [...DRAFTERS], params: ZId }, async ({ principal, params, res }) => {
      await deleteDraft(ctx, principal, params.id);
      res.status(204).end();
    }),
  );
}

/** The moves: submit, return, number (sign and seal are the signing routes; release, dispatch). */
function moveRoutes(ctx: HubContext, r: Router): void {
  r.post(
    '/documents/:id/submit',
    route({ roles: [...DRAFTERS], params: ZId, body: ZSubmit }, ({ principal, params, body }) =>
      submitDraft(ctx, principal, params.id, body.signerId),
    ),
  );
  r.post(
    '/documents/:id/return',
    route({ roles: ['signer'], params: ZId, body: ZReturn }, ({ principal, params, body }) =>
      returnDraft(ctx, principal, params.id, body.comment),
    ),
  );
  r.post(
    '/documents/:id/number',
    route(
      { roles: ['clerk'], params: ZId, body: ZIssueNumber },
      async ({ principal, params, body }) => {
        const doc = await getWorkflowDocument(ctx, principal, params.id);

        return presentDocument(await numberForRelease(ctx, principal, doc, body));
      },
    ),
  );
}

/** Lists and counts, signers, policy, images of record. */
function readRoutes(ctx: HubContext, r: Router): void {
  r.get(
    '/lists/:list',
    route(
      { roles: [], params: ZWorkflowListParams, query: ZWorkflowListQuery },
      ({ principal, params, query }) => listWorkflow(ctx, principal, params.list, query),
    ),
  );
  r.get(
    '/counts',
    route({ roles: [] }, ({ principal }) => workflowCounts(ctx, principal)),
  );
  r.get(
    '/signers',
    route({ roles: [...DRAFTERS] }, ({ principal }) => listSigners(ctx, principal)),
  );
  r.get(
    '/policy',
    route({ roles: [] }, ({ principal }) => getWorkflowPolicy(ctx, principal.orgId)),
  );
  r.put(
    '/policy',
    route({ roles: ['org_admin'], body: ZWorkflowPolicy }, ({ principal, body }) =>
      setWorkflowPolicy(ctx, principal, body),
    ),
  );
  r.get(
    '/images/seal',
    route({ roles: [] }, ({ principal }) => getRecordImage(ctx, principal, 'seal')),
  );
  r.put(
    '/images/seal',
    route({ roles: ['org_admin'], body: ZRecordImage }, ({ principal, body }) =>
      putRecordImage(ctx, principal, 'seal', body.png),
    ),
  );
  r.get(
    '/images/signature',
    route({ roles: [] }, ({ principal }) => getRecordImage(ctx, principal, 'signature')),
  );
  r.get(
    '/images/signature/:userId',
    route({ roles: [], params: ZUserId }, ({ principal, params }) =>
      getRecordImage(ctx, principal, 'signature', params.userId),
    ),
  );
  r.put(
    '/images/signature',
    route({ roles: ['signer'], body: ZRecordImage }, ({ principal, body }) =>
      putRecordImage(ctx, principal, 'signature', body.png),
    ),
  );
}

/** Trình ký, mounted under /api/v1/workflow. */
export function workflowRoutes(ctx: HubContext): Router {
  const r = Router();
  draftRoutes(ctx, r);
  moveRoutes(ctx, r);
  readRoutes(ctx, r);

  return r;
}
