import { pipeline } from 'node:stream/promises';
import { Router, type Response } from 'express';
import { documentsApi as api, UPLOADERS } from '../../contracts/documents.js';
import { exchangeApi } from '../../contracts/exchange.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { serve } from '../../http/route.js';
import { createDocument } from './create-document.js';
import { idempotencyKey, markCreated } from '../../http/idempotency.js';
import {
  getReadableDocument,
  NOT_FOUND_VI,
  readableVersion,
  reportConfidentialRead,
  deliveredTo,
} from './document-access.js';
import { openFileStream } from './document.files.js';
import type { VersionDoc } from './document.model.js';
import { presentDocument } from './document.presenter.js';
import { listDocuments } from './list-documents.js';
import { authorizeUpload, parseMetaField, parseUpload } from './upload.js';

/** RFC 6266 / RFC 5987: an ASCII fallback plus the exact UTF-8 name. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]|["\\]/g, '_')
    .replace(/\s+/g, ' ');
  const exact = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

/** If-None-Match may list several tags, or weak ones (W/"…"); the bytes never change, so either fits. */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;

  return header.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === etag);
}

function sendHeaders(res: Response, v: VersionDoc): void {
  res.setHeader('content-type', 'application/pdf');
  res.setHeader('content-length', String(v.size));
  res.setHeader('etag', `"${v.sha256}"`);
  res.setHeader('content-disposition', contentDisposition(v.fileName));
  // a version never changes, but access to it may be withdrawn: revalidate every time
  res.setHeader('cache-control', 'private, no-cache');
}

export function documentsRoutes(ctx: HubContext): Router {
  const r = Router();
  serve(
    r,
    api.upload,
    async ({ principal, req, res }) => {
      const meta = parseMetaField((req.body as Record<string, unknown>)?.meta);
      if (!req.file) throw new AppError('VALIDATION_FAILED', 'Thiếu phần "file" (tệp PDF).');
      const { replayed, ...doc } = await createDocument(
        ctx,
        principal,
        meta,
        { bytes: req.file.buffer, originalName: req.file.originalname },
        idempotencyKey(req.header('idempotency-key')),
      );
      markCreated(res, replayed);

      return doc;
    },
    { before: [authorizeUpload(UPLOADERS), parseUpload(ctx)] },
  );
  serve(r, api.list, ({ principal, query }) => listDocuments(ctx, principal, query));
  serve(r, api.get, async ({ principal, params }) => {
    const doc = await getReadableDocument(ctx, principal, params.id);
    await reportConfidentialRead(ctx, doc, principal, 'metadata');

    return presentDocument(doc);
  });
  serve(r, exchangeApi.ofDocument, async ({ principal, params }) => {
    const doc = await getReadableDocument(ctx, principal, params.id);
    if (doc.viewer === 'recipient') throw new AppError('NOT_FOUND', NOT_FOUND_VI);

    return deliveredTo(ctx).deliveries(ctx, doc._id);
  });
  serve(r, api.file, async ({ principal, params, req, res }) => {
    const doc = await getReadableDocument(ctx, principal, params.id);
    const v = readableVersion(doc, params.versionId);
    await reportConfidentialRead(ctx, doc, principal, 'file');
    if (etagMatches(req.headers['if-none-match'], `"${v.sha256}"`)) {
      res.setHeader('etag', `"${v.sha256}"`);
      res.status(304).end();

      return;
    }
    sendHeaders(res, v);
    await pipeline(openFileStream(ctx, v.fileId), res);
  });

  return r;
}
