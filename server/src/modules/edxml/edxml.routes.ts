import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { ZObjectId, ZText } from '../../contracts/common.js';
import { STATUS_CODES } from '../../contracts/exchange.js';
import type { HubContext } from '../../context.js';
import { MAX_XML_BYTES } from '../../lib/edxml/index.js';
import { AppError } from '../../errors/app-error.js';
import { route } from '../../http/route.js';
import {
  getReadableDocument,
  reportConfidentialRead,
  type ReadableDocument,
  contentDisposition,
} from '../documents/index.js';
import { applyStatusMessage } from './apply-status.js';
import { documentAttachments, presentAttachment, readAttachmentBytes } from './attachments.js';
import { exportDispatch } from './export-dispatch.js';
import { importPackage } from './import-package.js';
import { listQuarantine, rejectQuarantine } from './quarantine.js';
import { releaseQuarantine } from './quarantine-release.js';
import { statusMessages } from './status-messages.js';

const ZId = z.object({ id: ZObjectId }).strict();
const ZAttachmentParams = z.object({ id: ZObjectId, attachmentId: ZObjectId }).strict();
const ZStatusQuery = z.object({ code: z.enum(STATUS_CODES).optional() }).strict();
const ZQuarantineQuery = z
  .object({ state: z.enum(['pending', 'releasing', 'released', 'rejected']).optional() })
  .strict();
const ZRejectBody = z.object({ reason: ZText(1000) }).strict();
const XML_TYPES = ['application/xml', 'text/xml', 'application/edxml+xml'];

/** The raw XML text of a request; anything else is refused before parsing. */
function xmlBody(req: Request): string {
  if (!req.is(XML_TYPES) || typeof req.body !== 'string') {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Gửi gói edXML với Content-Type: application/xml.',
    );
  }

  return req.body;
}

/** The attachments of the versions the reader may see (a recipient: those delivered to it). */
async function readableAttachments(ctx: HubContext, doc: ReadableDocument) {
  const shown = new Set(doc.versions.map((v) => String(v._id)));

  return (await documentAttachments(ctx, doc._id)).filter((a) => shown.has(String(a.versionId)));
}

export function edxmlRoutes(ctx: HubContext): Router {
  const r = Router();
  const text = express.text({ type: XML_TYPES, limit: MAX_XML_BYTES });
  r.get(
    '/dispatches/:id/edxml',
    route(
      { roles: ['clerk', 'org_admin', 'auditor', 'hub_admin'], params: ZId },
      async ({ principal, params, res }) => {
        const out = await exportDispatch(ctx, principal, params.id);
        res
          .type('application/xml; charset=utf-8')
          .setHeader('x-edxml-signed-by', out.signedBy)
          .setHeader('x-edxml-signer', encodeURIComponent(out.signerSubject))
          .setHeader('content-disposition', `attachment; filename="${out.fileName}"`)
          .send(out.xml);
      },
    ),
  );
  r.get(
    '/deliveries/:id/status-messages',
    route(
      { roles: [], params: ZId, query: ZStatusQuery },
      async ({ principal, params, query, res }) => {
        const items = await statusMessages(ctx, principal, params.id, query.code);
        if (!query.code) return { items };
        const last = items.at(-1)!;
        res
          .type('application/xml; charset=utf-8')
          .setHeader('x-edxml-signed-by', last.signedBy)
          .send(last.xml);

        return undefined;
      },
    ),
  );
  r.get(
    '/documents/:id/edxml-attachments',
    route({ roles: [], params: ZId }, async ({ principal, params }) => {
      const doc = await getReadableDocument(ctx, principal, params.id);

      return { items: (await readableAttachments(ctx, doc)).map(presentAttachment) };
    }),
  );
  r.get(
    '/documents/:id/edxml-attachments/:attachmentId',
    route({ roles: [], params: ZAttachmentParams }, async ({ principal, params, res }) => {
      const doc = await getReadableDocument(ctx, principal, params.id);
      const a = (await readableAttachments(ctx, doc)).find(
        (x) => String(x._id) === params.attachmentId,
      );
      if (!a) throw new AppError('NOT_FOUND', 'Không tìm thấy tệp đính kèm.');
      await reportConfidentialRead(ctx, doc, principal, 'file');
      // whatever the package said it is, it is served as a download, never rendered here
      res
        .type(a.contentType === 'application/pdf' ? 'application/pdf' : 'application/octet-stream')
        .setHeader('x-content-type-options', 'nosniff')
        .setHeader('content-disposition', contentDisposition(a.name))
        .setHeader('cache-control', 'private, no-cache')
        .send(await readAttachmentBytes(ctx, a));
    }),
  );
  r.post(
    '/edxml',
    route(
      { roles: ['clerk', 'org_admin', 'hub_admin'], reads: text },
      async ({ principal, req, res }) => {
        const out = await importPackage(ctx, principal, xmlBody(req));
        // 202: an unknown sender's package waits in quarantine for a hub_admin
        res.status('quarantined' in out ? 202 : out.replayed ? 200 : 201);

        return out;
      },
    ),
  );
  r.get(
    '/edxml/quarantine',
    route({ roles: ['hub_admin'], query: ZQuarantineQuery }, async ({ query }) => ({
      items: await listQuarantine(ctx, query.state),
    })),
  );
  r.post(
    '/edxml/quarantine/:id/release',
    route({ roles: ['hub_admin'], params: ZId }, async ({ principal, params, res }) => {
      const out = await releaseQuarantine(ctx, principal, params.id);
      res.status(out.import.replayed ? 200 : 201);

      return out;
    }),
  );
  r.post(
    '/edxml/quarantine/:id/reject',
    route(
      { roles: ['hub_admin'], params: ZId, body: ZRejectBody },
      async ({ principal, params, body }) => ({
        quarantine: await rejectQuarantine(ctx, principal, params.id, body.reason),
      }),
    ),
  );
  r.post(
    '/edxml/status',
    route({ roles: [], reads: text }, ({ principal, req }) =>
      applyStatusMessage(ctx, principal, xmlBody(req)),
    ),
  );

  return r;
}
