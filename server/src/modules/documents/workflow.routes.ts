import { Router } from 'express';
import { ZDraftMeta, workflowApi as api } from '../../contracts/workflow.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { idempotencyKey, markCreated } from '../../http/idempotency.js';
import { serve } from '../../http/route.js';
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

function uploaded(file: Express.Multer.File | undefined) {
  if (!file) throw new AppError('VALIDATION_FAILED', 'Thiếu phần "file" (tệp PDF).');

  return { bytes: file.buffer, originalName: file.originalname };
}

/** Drafts: create, edit, replace the file, delete (until submitted). */
function draftRoutes(ctx: HubContext, r: Router): void {
  const upload = { before: [authorizeUpload(api.createDraft.roles), parseUpload(ctx)] };
  serve(
    r,
    api.createDraft,
    async ({ principal, req, res }) => {
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
    },
    upload,
  );
  serve(r, api.editDraft, ({ principal, params, body }) =>
    editDraft(ctx, principal, params.id, body),
  );
  serve(
    r,
    api.replaceFile,
    ({ principal, params, req }) => replaceDraftFile(ctx, principal, params.id, uploaded(req.file)),
    upload,
  );
  serve(r, api.deleteDraft, async ({ principal, params, res }) => {
    await deleteDraft(ctx, principal, params.id);
    res.status(204).end();
  });
}

/** The moves: submit, return, number (sign and seal are the signing routes; release, dispatch). */
function moveRoutes(ctx: HubContext, r: Router): void {
  serve(r, api.submit, ({ principal, params, body }) =>
    submitDraft(ctx, principal, params.id, body.signerId),
  );
  serve(r, api.return, ({ principal, params, body }) =>
    returnDraft(ctx, principal, params.id, body.comment),
  );
  serve(r, api.number, async ({ principal, params, body }) => {
    const doc = await getWorkflowDocument(ctx, principal, params.id);

    return presentDocument(await numberForRelease(ctx, principal, doc, body));
  });
}

/** Lists and counts, signers, policy, images of record. */
function readRoutes(ctx: HubContext, r: Router): void {
  serve(r, api.list, ({ principal, params, query }) =>
    listWorkflow(ctx, principal, params.list, query),
  );
  serve(r, api.counts, ({ principal }) => workflowCounts(ctx, principal));
  serve(r, api.signers, ({ principal }) => listSigners(ctx, principal));
  serve(r, api.policy, ({ principal }) => getWorkflowPolicy(ctx, principal.orgId));
  serve(r, api.setPolicy, ({ principal, body }) => setWorkflowPolicy(ctx, principal, body));
  serve(r, api.seal, ({ principal }) => getRecordImage(ctx, principal, 'seal'));
  serve(r, api.setSeal, ({ principal, body }) => putRecordImage(ctx, principal, 'seal', body.png));
  serve(r, api.signature, ({ principal }) => getRecordImage(ctx, principal, 'signature'));
  serve(r, api.signatureOf, ({ principal, params }) =>
    getRecordImage(ctx, principal, 'signature', params.userId),
  );
  serve(r, api.setSignature, ({ principal, body }) =>
    putRecordImage(ctx, principal, 'signature', body.png),
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
