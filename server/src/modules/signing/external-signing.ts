import { X509Certificate } from 'node:crypto';
import { Types } from 'mongoose';
import { defaultAlgorithm } from '../../lib/cms/index.js';
import type { TDocument, TSignatureInfo } from '../../contracts/documents.js';
import type { TSigningSession, TSigningSessionCreate } from '../../contracts/signing.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { completeExternal, prepareExternal } from '../../lib/pades/index.js';
import type { Principal } from '../../http/principal.js';
import { getOwnDocument, readFileBytes, signingMove } from '../documents/index.js';
import { hubTsaTimestamp } from '../pki/index.js';
import { toAppearance } from './appearance.js';
import { externalCertificate } from './external-certificate.js';
import {
  deleteSessionFile,
  readSessionFile,
  removeExpiredSessionFiles,
  writeSessionFile,
} from './session-files.js';
import {
  addSignedVersion,
  announceSignature,
  organizationName,
  signableVersion,
} from './sign-document.js';
import {
  SESSION_TTL_MS,
  SigningSessions,
  type SigningSessionDoc,
} from './signing-session.model.js';
import { guardTimestamp } from './tsa-guard.js';

const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');

function requireUser(principal: Principal): void {
  if (principal.kind !== 'user') {
    throw new AppError(
      'FORBIDDEN',
      'Ký số phải do người dùng đăng nhập thực hiện, không dùng khóa API.',
    );
  }
}

/**
 * Step 1 of signing with a key the hub never sees: prepare the current version (placeholder,
 * byte range, signed attributes), keep the frozen state for 15 minutes, return the digest.
 */
export async function openSigningSession(
  ctx: HubContext,
  principal: Principal,
  documentId: string,
  input: TSigningSessionCreate,
): Promise<TSigningSession> {
  requireUser(principal);
  const doc = await getOwnDocument(ctx, principal, documentId);
  const current = signableVersion(doc);
  const cert = await externalCertificate(ctx, principal, input);
  // trình ký: refused now rather than after the signer's token has signed
  signingMove(doc, principal, cert.kind);
  const algorithm = input.algorithm ?? defaultAlgorithm(new X509Certificate(cert.chain[0]!));
  const appearance = toAppearance(input.appearance, doc.codeLabel, cert.subjectName);
  const prepared = await prepareExternal(await readFileBytes(ctx, current.fileId), {
    certificateChain: cert.chain,
    algorithm,
    level: input.level,
    name: cert.subjectName,
    ...(input.reason ? { reason: input.reason } : {}),
    ...(input.location ? { location: input.location } : {}),
    ...(appearance ? { appearance } : {}),
  });
  const { preparedPdf, ...frozen } = prepared.session;
  const sessionId = new Types.ObjectId();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  const fileId = await writeSessionFile(
    ctx,
    Buffer.from(preparedPdf, 'base64'),
    sessionId,
    expiresAt,
  );
  const organization = await organizationName(ctx, principal.orgId);
  await SigningSessions(ctx.db.conn).create({
    _id: sessionId,
    documentId: doc._id,
    orgId: doc.orgId,
    userId: new Types.ObjectId(principal.id),
    basedOnVersionId: current._id,
    preparedFileId: fileId,
    session: frozen,
    kind: cert.kind,
    signerName: cert.subjectName,
    ...(organization ? { organization } : {}),
    certificateSerial: cert.serial,
    status: 'open',
    expiresAt,
  });
  await removeExpiredSessionFiles(ctx).catch(() => 0);

  return {
    sessionId: String(sessionId),
    documentId: String(doc._id),
    digest: b64(prepared.digest),
    digestAlgorithm: prepared.digestAlgorithm,
    dataToSign: b64(prepared.dataToSign),
    algorithm,
    expiresAt: expiresAt.toISOString(),
  };
}

/** Only the user who opened a session sees it; anyone else gets "not found". */
async function claimSession(
  ctx: HubContext,
  principal: Principal,
  sessionId: string,
): Promise<SigningSessionDoc> {
  const sessions = SigningSessions(ctx.db.conn);
  const id = Types.ObjectId.isValid(sessionId) ? new Types.ObjectId(sessionId) : null;
  const s = id ? await sessions.findById(id).lean() : null;
  if (!s || String(s.userId) !== principal.id) {
    throw new AppError('NOT_FOUND', 'Không tìm thấy phiên ký số (có thể đã hết hạn và bị xóa).');
  }
  if (s.status !== 'open') {
    throw new AppError('INVALID_STATE', 'Phiên ký số đã được hoàn tất hoặc đang được xử lý.');
  }
  if (s.expiresAt.getTime() <= Date.now()) {
    throw new AppError('INVALID_STATE', 'Phiên ký số đã hết hạn (15 phút); hãy mở phiên ký mới.');
  }
  // one completion at a time: a second PUT racing this one finds the session not 'open'
  const claimed = await sessions
    .findOneAndUpdate(
      { _id: s._id, status: 'open', expiresAt: { $gt: new Date() } },
      { $set: { status: 'completing' } },
      { new: true },
    )
    .lean();
  if (!claimed) throw new AppError('INVALID_STATE', 'Phiên ký số đang được xử lý.');

  return claimed;
}

function signatureInfo(s: SigningSessionDoc): TSignatureInfo {
  return {
    signer: s.signerName,
    ...(s.organization ? { organization: s.organization } : {}),
    kind: s.kind,
    level: s.session.level,
    signedAt: s.session.signingTime,
    certificateSerial: s.certificateSerial,
  };
}

/**
 * Step 2: embeds the signer's signature value (checked against their certificate first) and
 * stores the result as a new version. A failure leaves the session open and stores nothing.
 */
export async function completeSigningSession(
  ctx: HubContext,
  principal: Principal,
  sessionId: string,
  signatureB64: string,
): Promise<TDocument> {
  requireUser(principal);
  const s = await claimSession(ctx, principal, sessionId);
  const sessions = SigningSessions(ctx.db.conn);
  try {
    const prepared = await readSessionFile(ctx, s.preparedFileId);
    const signed = await completeExternal(
      { ...s.session, preparedPdf: b64(prepared) },
      new Uint8Array(Buffer.from(signatureB64, 'base64')),
      { timestamp: guardTimestamp(hubTsaTimestamp(ctx)) },
    );
    const current = await getOwnDocument(ctx, principal, String(s.documentId));
    const base = current.versions.find((v) => v._id.equals(s.basedOnVersionId));
    const move = signingMove(current, principal, s.kind);
    const added = await addSignedVersion(ctx, principal, String(s.documentId), {
      file: signed,
      base: { id: String(s.basedOnVersionId), fileName: base?.fileName ?? 'van-ban.pdf' },
      signature: signatureInfo(s),
      move,
    });
    await sessions.updateOne({ _id: s._id }, { $set: { status: 'completed' } });
    await deleteSessionFile(ctx, s.preparedFileId);

    return await announceSignature(ctx, principal, String(s.documentId), added, {
      kind: s.kind,
      level: s.session.level,
      move,
    });
  } catch (err) {
    await sessions.updateOne({ _id: s._id, status: 'completing' }, { $set: { status: 'open' } });
    throw err;
  }
}
