import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { createQueue, type Queue } from '../../http/limits.js';
import { formatReport, type Lang } from '../../lib/validation/format.js';
import {
  validatePdf,
  type TrustListInput,
  type TValidationReport,
} from '../../lib/validation/index.js';
import type { Principal } from '../../http/principal.js';
import {
  getReadableDocument,
  readFileBytes,
  readVersionBytes,
  reportConfidentialRead,
  type VersionDoc,
} from '../documents/index.js';
import { hubCrl, trustLists } from '../pki/index.js';
import type { TValidationResponse } from '../../contracts/validation.js';
import { ValidationReports } from './validation.model.js';

export function requestLang(req: Request): Lang {
  return /^en\b/i.test(req.headers['accept-language'] ?? '') ? 'en' : 'vi';
}

/** Validation is CPU work on the event loop: a few at a time, a bounded line behind them. */
export function newValidationQueue(): Queue {
  return createQueue({
    concurrency: 2,
    maxPending: 32,
    retryAfterSeconds: 5,
    name: 'kiểm tra chữ ký',
  });
}

function queueOf(ctx: HubContext): Queue {
  return ctx.services.validation.queue;
}

type Trust = { anchors: Uint8Array[]; trustLists: TrustListInput[] };

/** What the hub trusts now (named lists) and a short name for it (changes with any list). */
async function trust(ctx: HubContext): Promise<{ options: Trust; revision: string }> {
  const lists = await trustLists(ctx);
  const h = createHash('sha256');
  for (const list of lists) {
    h.update(`${list.name}\n`);
    for (const a of [...list.anchors, ...list.intermediates])
      h.update(createHash('sha256').update(a).digest());
  }
  return { options: { anchors: [], trustLists: lists }, revision: h.digest('hex').slice(0, 32) };
}

const trustOptions = (t: Trust) => ({ trustAnchors: t.anchors, trustLists: t.trustLists });

function present(
  report: TValidationReport,
  lang: Lang,
  extra: { cached: boolean; versionId?: string },
): TValidationResponse {
  return { ...report, lang, summary: formatReport(report, lang), ...extra };
}

/**
 * Offline: revocation data must be in the file (the hub's B-LT/B-LTA signatures carry it), so the
 * verdict does not depend on third-party servers and an anonymous upload cannot make the hub
 * fetch arbitrary URLs.
 */
export async function validateUpload(
  ctx: HubContext,
  bytes: Uint8Array,
  lang: Lang,
): Promise<TValidationResponse> {
  const { options } = await trust(ctx);
  const report = await queueOf(ctx).run(() => validatePdf(bytes, trustOptions(options)));
  return present(report, lang, { cached: false });
}

export async function validateStoredVersion(
  ctx: HubContext,
  principal: Principal,
  documentId: string,
  versionId: string | undefined,
  lang: Lang,
): Promise<TValidationResponse> {
  const doc = await getReadableDocument(ctx, principal, documentId);
  const wanted = versionId ?? String(doc.currentVersionId);
  const version = doc.versions.find((v) => String(v._id) === wanted);
  if (!version) throw new AppError('NOT_FOUND', 'Không tìm thấy phiên bản văn bản.');
  await reportConfidentialRead(ctx, doc, principal, 'file');
  const { options, revision } = await trust(ctx);
  const key = { versionId: version._id, sha256: version.sha256, trustRevision: revision };
  const cache = ValidationReports(ctx.db.conn);
  const hit = await cache.findOne(key).lean();
  if (hit) {
    const report = JSON.parse(hit.reportJson) as TValidationReport;
    return present(report, lang, { cached: true, versionId: wanted });
  }
  const bytes = await readVersionBytes(ctx, wanted);
  const report = await queueOf(ctx).run(() => validatePdf(bytes, trustOptions(options)));
  if (report.document.sha256 !== version.sha256)
    throw new AppError('INVALID_STATE', 'Tệp lưu trữ không khớp mã băm của phiên bản văn bản.');
  await cache.updateOne(
    key,
    { $setOnInsert: { reportJson: JSON.stringify(report), createdAt: new Date() } },
    { upsert: true },
  );
  return present(report, lang, { cached: false, versionId: wanted });
}

/**
 * Today's verdict on a stored version, for re-validation: never the cache, and the current CRLs
 * of the hub's own CAs next to the revocation data in the file, so a certificate revoked through
 * the hub since signing counts now. Still offline: certificates of other CAs are judged on the
 * data the file carries. The caller has checked who may see the version.
 */
export async function validateVersionToday(
  ctx: HubContext,
  version: Pick<VersionDoc, 'fileId' | 'sha256'>,
): Promise<TValidationReport> {
  const [{ options }, issuing, root] = await Promise.all([
    trust(ctx),
    hubCrl(ctx, 'issuing'),
    hubCrl(ctx, 'root'),
  ]);
  const bytes = await readFileBytes(ctx, version.fileId);
  const report = await queueOf(ctx).run(() =>
    validatePdf(bytes, { ...trustOptions(options), currentRevocation: { crls: [issuing, root] } }),
  );
  if (report.document.sha256 !== version.sha256)
    throw new AppError('INVALID_STATE', 'Tệp lưu trữ không khớp mã băm của phiên bản văn bản.');
  return report;
}
