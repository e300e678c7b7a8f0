import { X509Certificate } from 'node:crypto';
import type { TDocument, TSignatureInfo } from '../../contracts/documents.js';
import type { TSignatureKind, TSignRequest } from '../../contracts/signing.js';
import type { HubContext } from '../../context.js';
import { confirmPassword } from '../auth/index.js';
import { AppError } from '../../errors/app-error.js';
import { signPdfUpdate } from '../../lib/pades/index.js';
import type { Principal } from '../../http/principal.js';
import {
  addVersion,
  announceWorkflowStep,
  actedBy,
  getOwnDocument,
  presentDocument,
  readFileBytes,
  signingMove,
  type DocumentDoc,
  type VersionDoc,
} from '../documents/index.js';
import { getOrg } from '../orgs/index.js';
import { hubRevocation, hubTsaTimestamp, resolveSigningKey } from '../pki/index.js';
import { toAppearance } from './appearance.js';
import { guardRevocation, guardTimestamp } from './tsa-guard.js';

/** The version a new signature goes on; a dispatched or recalled document is frozen. */
export function signableVersion(doc: DocumentDoc): VersionDoc {
  if (doc.status === 'dispatched' || doc.status === 'recalled') {
    throw new AppError(
      'INVALID_STATE',
      'Văn bản đã phát hành hoặc đã thu hồi; không ký thêm được. Hãy tạo văn bản thay thế.',
    );
  }
  const current = doc.versions.find((v) => v._id.equals(doc.currentVersionId));
  if (!current) throw new AppError('INTERNAL', 'Văn bản không có phiên bản hiện hành.');

  return current;
}

export function signedFileName(name: string): string {
  return /\(đã ký\)\.pdf$/i.test(name) ? name : name.replace(/\.pdf$/i, '') + ' (đã ký).pdf';
}

export function certificateSerial(der: Uint8Array | undefined): string | undefined {
  return der ? new X509Certificate(der).serialNumber.toLowerCase() : undefined;
}

export async function organizationName(
  ctx: HubContext,
  orgId: string,
): Promise<string | undefined> {
  return getOrg(ctx, orgId)
    .then((o) => o.name)
    .catch(() => undefined);
}

type SigningMove = ReturnType<typeof signingMove>;

/** What a signature adds to a document: the signed file as a new version on top of `base`. */
export type SignedVersion = {
  /** The signed file, or the original and the incremental update as two pieces. */
  file: Parameters<typeof addVersion>[2];
  base: { id: string; fileName: string };
  signature: TSignatureInfo;
  /** The trình ký move the signature makes, stored with the version. */
  move: SigningMove;
  idempotencyKey?: string;
};

/** Stores the signed file as the document's current version (only if `base` still is). */
export function addSignedVersion(
  ctx: HubContext,
  principal: Principal,
  documentId: string,
  v: SignedVersion,
): ReturnType<typeof addVersion> {
  return addVersion(ctx, documentId, v.file, {
    fileName: signedFileName(v.base.fileName),
    reason: 'signature',
    createdBy: principal.id,
    signature: v.signature,
    status: 'signed',
    basedOnVersionId: v.base.id,
    ...(v.idempotencyKey ? { idempotencyKey: v.idempotencyKey } : {}),
    ...(v.move ? { move: v.move } : {}),
  });
}

/** After a signed version is stored: `document.signed` on the bus, then the trình ký step. */
export async function announceSignature(
  ctx: HubContext,
  principal: Principal,
  documentId: string,
  added: Awaited<ReturnType<typeof addVersion>>,
  signed: { kind: TSignatureKind; level: string; move: SigningMove },
): Promise<TDocument> {
  const { document, version } = added;
  await ctx.bus.publish('document.signed', {
    documentId,
    orgId: String(document.orgId),
    versionId: String(version._id),
    kind: signed.kind,
    level: signed.level,
    ...actedBy(principal),
  });
  if (signed.move) await announceWorkflowStep(ctx, principal, document, signed.move.step);

  return presentDocument(document);
}

/**
 * Signs the document's current version with a key the hub holds (PAdES, incremental update) and
 * stores the result as a new version. Order: password, document, key (the PKI module decides
 * who may use which key), then the signature; nothing is stored unless everything succeeded.
 */
function signedWith(doc: { versions: { idempotencyKey?: string }[] }, key: string): boolean {
  return doc.versions.some((v) => v.idempotencyKey === key);
}

export async function signDocument(
  ctx: HubContext,
  principal: Principal,
  documentId: string,
  input: TSignRequest,
  idempotencyKey: string | null = null,
): Promise<TDocument & { replayed?: boolean }> {
  await confirmPassword(ctx, principal, input.confirmPassword);
  const doc = await getOwnDocument(ctx, principal, documentId);
  if (idempotencyKey && signedWith(doc, idempotencyKey))
    return { ...presentDocument(doc), replayed: true };
  const current = signableVersion(doc);
  const key = await resolveSigningKey(ctx, principal, input.certificateId);
  if (key.kind !== input.kind) {
    throw new AppError(
      'VALIDATION_FAILED',
      key.kind === 'seal'
        ? 'Chứng thư số này là chứng thư của cơ quan (ký đóng dấu), không phải chữ ký cá nhân.'
        : 'Chứng thư số này là chứng thư cá nhân, không phải chứng thư của cơ quan.',
    );
  }
  // trình ký: the named signer signs what was submitted to him; the clerk seals once numbered
  const move = signingMove(doc, principal, key.kind);
  const appearance = toAppearance(input.appearance, doc.codeLabel, key.subjectName);
  const signingTime = new Date();
  const original = await readFileBytes(ctx, current.fileId);
  const update = await signPdfUpdate(original, {
    signer: key,
    level: input.level,
    timestamp: guardTimestamp(hubTsaTimestamp(ctx)),
    ...(input.level === 'B-LT' || input.level === 'B-LTA'
      ? { revocation: guardRevocation(hubRevocation(ctx)) }
      : {}),
    name: key.subjectName,
    signingTime,
    ...(input.reason ? { reason: input.reason } : {}),
    ...(input.location ? { location: input.location } : {}),
    ...(appearance ? { appearance } : {}),
  });
  const organization = await organizationName(ctx, key.orgId);
  const serial = certificateSerial(key.certificateChain[0]);
  const signature: TSignatureInfo = {
    signer: key.subjectName,
    ...(organization ? { organization } : {}),
    kind: key.kind,
    level: input.level,
    signedAt: signingTime.toISOString(),
    ...(serial ? { certificateSerial: serial } : {}),
  };
  let added;
  try {
    // stored as the two pieces: the signed file is the original followed by the update
    added = await addSignedVersion(ctx, principal, documentId, {
      file: [original, update],
      base: { id: String(current._id), fileName: current.fileName },
      signature,
      move,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
  } catch (err) {
    // the same request retried concurrently won the race: its version is the answer
    const now = idempotencyKey ? await getOwnDocument(ctx, principal, documentId) : null;
    if (now && signedWith(now, idempotencyKey!)) return { ...presentDocument(now), replayed: true };
    throw err;
  }

  return announceSignature(ctx, principal, documentId, added, {
    kind: key.kind,
    level: input.level,
    move,
  });
}
