import type { Types } from 'mongoose';
import type { TRevalidationResult } from '../../contracts/revalidation.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { LibraryError } from '../../errors/library-error.js';
import type { TValidationReport } from '../../lib/validation/index.js';
import { Documents, type VersionDoc } from '../documents/index.js';
import { validateVersionToday } from '../validation/index.js';
import type { ItemResult } from './revalidation.model.js';

/**
 * The version to judge: the latest one the hub signed; when the hub signed none, the current one
 * (it may carry signatures made elsewhere — an uploaded or imported signed PDF).
 */
export function versionToCheck(doc: {
  versions: VersionDoc[];
  currentVersionId: Types.ObjectId;
}): VersionDoc | undefined {
  const signed = doc.versions.filter((v) => v.reason === 'signature' || v.signature);

  return signed.at(-1) ?? doc.versions.find((v) => v._id.equals(doc.currentVersionId));
}

/** Worst indication over the document's signatures and time-stamps. */
export function documentResult(report: TValidationReport): {
  result: TRevalidationResult;
  subIndication: string | null;
} {
  const sigs = report.signatures;
  if (!sigs.some((s) => s.type === 'SIGNATURE'))
    return { result: 'NO_SIGNATURE', subIndication: null };
  const worst =
    sigs.find((s) => s.indication === 'TOTAL_FAILED') ??
    sigs.find((s) => s.indication !== 'TOTAL_PASSED');

  return worst
    ? { result: worst.indication as TRevalidationResult, subIndication: worst.subIndication }
    : { result: 'TOTAL_PASSED', subIndication: null };
}

/**
 * Today's verdict on one document. A stored file that cannot be read as a PDF, or whose bytes no
 * longer match the version's hash, fails (ETSI FORMAT_FAILURE / HASH_FAILURE); a missing file is
 * INDETERMINATE / SIGNED_DATA_NOT_FOUND; other errors (database, a full validation queue)
 * propagate so the document is tried again rather than recorded wrongly.
 */
export async function revalidateDocument(
  ctx: HubContext,
  documentId: Types.ObjectId,
): Promise<{ orgId: Types.ObjectId | null; outcome: ItemResult }> {
  const doc = await Documents(ctx.db.conn)
    .findById(documentId, { orgId: 1, versions: 1, currentVersionId: 1 })
    .lean();
  const version = doc ? versionToCheck(doc) : undefined;
  const orgId = doc?.orgId ?? null;
  if (!version) {
    const outcome: ItemResult = {
      versionId: null,
      result: 'NO_SIGNATURE',
      subIndication: null,
      validatedAt: new Date(),
    };
    return { orgId, outcome };
  }

  return { orgId, outcome: await judge(ctx, version) };
}

async function judge(ctx: HubContext, version: VersionDoc): Promise<ItemResult> {
  const base = { versionId: version._id };
  try {
    const report = await validateVersionToday(ctx, version);

    return { ...base, ...documentResult(report), validatedAt: new Date() };
  } catch (err) {
    const failed = (subIndication: string, result: TRevalidationResult = 'TOTAL_FAILED') => ({
      ...base,
      result,
      subIndication,
      validatedAt: new Date(),
    });
    if (err instanceof LibraryError) return failed('FORMAT_FAILURE');
    if (err instanceof AppError && err.code === 'INVALID_STATE') return failed('HASH_FAILURE');
    // GridFS: the version's file is gone, so there is nothing to validate
    if (err instanceof Error && /FileNotFound/.test(err.message))
      return failed('SIGNED_DATA_NOT_FOUND', 'INDETERMINATE');
    throw err;
  }
}
