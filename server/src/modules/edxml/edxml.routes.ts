import express, { Router, type Request } from 'express';
import { EDXML_TYPES, edxmlApi as api } from '../../contracts/edxml.js';
import type { HubContext } from '../../context.js';
import { MAX_XML_BYTES } from '../../lib/edxml/index.js';
import { AppError } from '../../errors/app-error.js';
import { serve } from '../../http/route.js';
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

/** The raw XML text of a request; anything else is refused before parsing. */
function xmlBody(req: Request): string {
  if (!req.is([...EDXML_TYPES]) || typeof req.body !== 'string') {
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
  const text = express.text({ type: [...EDXML_TYPES], limit: MAX_XML_BYTES });
  serve(r, api.exportDispatch, async ({ principal, params, res }) => {
    const out = await exportDispatch(ctx, principal, params.id);
    res
      .type(api.exportDispatch.returns.types[0])
      .setHeader('x-edxml-signed-by', out.signedBy)
      .setHeader('x-edxml-signer', encodeURIComponent(out.signerSubject))
      .setHeader('content-disposition', `attachment; filename="${out.fileName}"`)
      .send(out.xml);
  });
  serve(r, api.statusMessages, async ({ principal, params, query, res }) => {
    const items = await statusMessages(ctx, principal, params.id, query.code);
    if (!query.code) return { items };
    const last = items.at(-1)!;
    res
      .type('application/xml; charset=utf-8')
      .setHeader('x-edxml-signed-by', last.signedBy)
      .send(last.xml);

    return undefined;
  });
  serve(r, api.attachments, async ({ principal, params }) => {
    const doc = await getReadableDocument(ctx, principal, params.id);

    return { items: (await readableAttachments(ctx, doc)).map(presentAttachment) };
  });
  serve(r, api.attachment, async ({ principal, params, res }) => {
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
  });
  serve(
    r,
    api.import,
    async ({ principal, req, res }) => {
      const out = await importPackage(ctx, principal, xmlBody(req));
      // 202: an unknown sender's package waits in quarantine for a hub_admin
      res.status('quarantined' in out ? 202 : out.replayed ? 200 : 201);

      return out;
    },
    { reads: text },
  );
  serve(r, api.quarantine, async ({ query }) => ({
    items: await listQuarantine(ctx, query.state),
  }));
  serve(r, api.release, async ({ principal, params, res }) => {
    const out = await releaseQuarantine(ctx, principal, params.id);
    res.status(out.import.replayed ? 200 : 201);

    return out;
  });
  serve(r, api.reject, async ({ principal, params, body }) => ({
    quarantine: await rejectQuarantine(ctx, principal, params.id, body.reason),
  }));
  serve(
    r,
    api.applyStatus,
    ({ principal, req }) => applyStatusMessage(ctx, principal, xmlBody(req)),
    {
      reads: text,
    },
  );

  return r;
}
