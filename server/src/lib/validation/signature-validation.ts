/**
 * Validation of one signature or document time-stamp: format, integrity, identification,
 * time-stamp, chain, validity at the best proven time, revocation. Change analysis and level
 * detection are done afterwards by the caller, which has the whole document in view.
 */
import { UnsupportedAlgorithm, isWeakDigest } from '../pki/algorithms.js';
import { checkByteRange, signedRanges } from './byte-range.js';
import type { Cert } from '../pki/x509.js';
import { buildChain, type TrustStore } from './chain.js';
import {
  CmsFormatError,
  archivedRevocation,
  checkSigner,
  findSignerCert,
  parseCms,
  signatureTimestampToken,
  type ParsedCms,
  type SignerCheck,
  type SignerInfo,
} from './cms.js';
import type { ContentsMask } from './contents-mask.js';
import { error, warning } from './messages.js';
import { fetchRevocation } from './online.js';
import type { Dss, PdfSignature } from './pdf-signatures.js';
import type { Revision, RevisionLayout } from './revisions.js';
import { revocationStatus, type RevocationData, type RevocationStatus } from './revocation.js';
import { verifyTimestamp, type TimestampCheck } from './timestamp.js';
import { Verdict } from './verdict.js';

export interface ValidationContext {
  bytes: Uint8Array;
  layout: RevisionLayout;
  store: TrustStore;
  dss: Dss | null;
  dssCerts: Cert[];
  now: Date;
  online: boolean;
  /** Revocation data supplied by the caller (ValidatePdfOptions.currentRevocation). */
  current?: { ocsps?: Uint8Array[]; crls?: Uint8Array[] };
  mask?: ContentsMask;
}

export interface SignatureOutcome {
  sig: PdfSignature;
  verdict: Verdict;
  revision: Revision | null;
  signer: Cert | null;
  chain: Cert[];
  trusted: boolean;
  /** Name of the trust list whose anchor ends `chain` (national-vgca, hub, extra, …). */
  trustList: string | null;
  revocations: (RevocationStatus | null)[];
  /** Status of each non-anchor certificate of the signature time-stamp's TSA chain (for B-LT). */
  timestampRevocations: (RevocationStatus | null)[];
  timestamp: TimestampCheck | null;
  provenTime: Date | null;
  digestAlgorithm: string | null;
  signatureAlgorithm: string | null;
  essVersion: 1 | 2 | null;
  hasSigningTime: boolean;
}

function emptyOutcome(sig: PdfSignature): SignatureOutcome {
  return {
    sig,
    verdict: new Verdict(),
    revision: null,
    signer: null,
    chain: [],
    trusted: false,
    trustList: null,
    revocations: [],
    timestampRevocations: [],
    timestamp: null,
    provenTime: null,
    digestAlgorithm: null,
    signatureAlgorithm: null,
    essVersion: null,
    hasSigningTime: false,
  };
}

const iso = (d: Date): string => d.toISOString();

/** Verdict on one SignerInfo's cryptographic check; false when it failed. */
function judgeSignerCheck(v: Verdict, c: SignerCheck, si: SignerInfo): boolean {
  if (c.digestOk === false)
    return !v.fail('TOTAL_FAILED', 'HASH_FAILURE', error('DIGEST_MISMATCH'));
  if (c.digestOk === null && si.signedAttrs)
    return !v.fail('TOTAL_FAILED', 'FORMAT_FAILURE', error('MESSAGE_DIGEST_MISSING'));
  if (!c.signatureOk)
    return !v.fail('TOTAL_FAILED', 'SIG_CRYPTO_FAILURE', error('SIGNATURE_VALUE_INVALID'));
  if (c.essOk === false)
    return !v.fail('INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND', error('ESS_MISMATCH'));
  return true;
}

/** Every SignerInfo after the first must verify too (DSS validates each; one bad one fails). */
function checkOtherSigners(
  v: Verdict,
  parsed: ParsedCms,
  ranges: Uint8Array[],
  ctx: ValidationContext,
): boolean {
  for (const si of parsed.signerInfos.slice(1)) {
    const cert = findSignerCert(parsed, ctx.dssCerts, si);
    if (!cert)
      return !v.fail(
        'INDETERMINATE',
        'NO_SIGNING_CERTIFICATE_FOUND',
        error('NO_SIGNING_CERTIFICATE'),
      );
    if (!judgeSignerCheck(v, checkSigner(parsed, ranges, cert, si), si)) return false;
  }
  return true;
}

function checkIntegrity(
  out: SignatureOutcome,
  parsed: ParsedCms,
  ranges: Uint8Array[],
  ctx: ValidationContext,
): boolean {
  const v = out.verdict;
  const signer = findSignerCert(parsed, ctx.dssCerts);
  if (!signer)
    return !v.fail(
      'INDETERMINATE',
      'NO_SIGNING_CERTIFICATE_FOUND',
      error('NO_SIGNING_CERTIFICATE'),
    );
  out.signer = signer;
  try {
    const c = checkSigner(parsed, ranges, signer);
    out.digestAlgorithm = c.digestAlgorithm;
    out.signatureAlgorithm = c.scheme.name;
    out.essVersion = c.essVersion;
    out.hasSigningTime = c.hasSigningTime;
    if (!judgeSignerCheck(v, c, parsed.signerInfo)) return false;
    if (!checkOtherSigners(v, parsed, ranges, ctx)) return false;
    if (isWeakDigest(c.scheme.hash)) v.warn(warning('WEAK_ALGORITHM', { detail: c.scheme.name }));
    return true;
  } catch (e) {
    if (e instanceof UnsupportedAlgorithm)
      return !v.fail(
        'INDETERMINATE',
        'CRYPTO_CONSTRAINTS_FAILURE',
        error('UNSUPPORTED_ALGORITHM', { detail: e.message }),
      );
    throw e;
  }
}

/** PDF subfilters whose CMS signs the byte ranges from outside: encapsulated content is foreign. */
const DETACHED = new Set(['adbe.pkcs7.detached', 'ETSI.CAdES.detached']);

function checkSignatureTimestamp(
  out: SignatureOutcome,
  parsed: ParsedCms,
  ctx: ValidationContext,
): void {
  const token = signatureTimestampToken(parsed);
  if (!token) return;
  const tst = verifyTimestamp(token, [parsed.signerInfo.signature], ctx.store, [
    ...parsed.certificates,
    ...ctx.dssCerts,
  ]);
  out.timestamp = tst;
  if (!tst.valid) {
    out.verdict.warn(
      warning(
        tst.imprintMismatch ? 'TST_IMPRINT' : tst.untrusted ? 'TST_UNTRUSTED' : 'TST_INVALID',
        { detail: tst.problem ?? '' },
      ),
    );
    return;
  }
  out.provenTime = tst.genTime;
  const claimed = out.sig.claimedTime;
  // /M is the signer's own clock; a few minutes of skew are normal, more is suspicious.
  if (claimed && tst.genTime && claimed.getTime() - tst.genTime.getTime() > 5 * 60_000) {
    out.verdict.warn(
      warning('TST_BEFORE_CLAIMED', { claimed: iso(claimed), genTime: iso(tst.genTime) }),
    );
  }
}

function checkChainConstraints(out: SignatureOutcome): boolean {
  const v = out.verdict;
  const signer = out.chain[0];
  const ku = signer?.keyUsage;
  if (ku && !ku.has('digitalSignature') && !ku.has('nonRepudiation'))
    return !v.fail('INDETERMINATE', 'SIG_CONSTRAINTS_FAILURE', error('KEY_USAGE'));
  for (const ca of out.chain.slice(1, -1)) {
    if (!ca.isCA)
      return !v.fail(
        'INDETERMINATE',
        'CHAIN_CONSTRAINTS_FAILURE',
        error('CA_CONSTRAINTS', { subject: ca.subject }),
      );
  }
  return true;
}

async function revocationData(
  out: SignatureOutcome,
  parsed: ParsedCms,
  ctx: ValidationContext,
): Promise<RevocationData[]> {
  const data: RevocationData[] = [];
  if (ctx.dss) data.push({ source: 'DSS', ocsps: ctx.dss.ocsps, crls: ctx.dss.crls });
  const archived = archivedRevocation(parsed);
  data.push({ source: 'CMS', ...archived });
  if (ctx.current)
    data.push({ source: 'ONLINE', ocsps: ctx.current.ocsps ?? [], crls: ctx.current.crls ?? [] });
  if (!ctx.online) return data;
  for (let i = 0; i + 1 < out.chain.length; i++) {
    const cert = out.chain[i] as Cert;
    const issuer = out.chain[i + 1] as Cert;
    if (revocationStatus(cert, issuer, data)) continue;
    const fetched = await fetchRevocation(cert, issuer);
    for (const f of fetched.failures) out.verdict.warn(warning('ONLINE_FETCH_FAILED', f));
    data.push(fetched.data);
  }
  return data;
}

/** Validity and revocation of every non-anchor certificate at the best proven time. */
function checkCertificates(
  out: SignatureOutcome,
  data: RevocationData[],
  ctx: ValidationContext,
): void {
  const v = out.verdict;
  const t = out.provenTime ?? ctx.now;
  const proven = out.provenTime !== null;
  for (let i = 0; i + 1 < out.chain.length; i++) {
    const cert = out.chain[i] as Cert;
    const issuer = out.chain[i + 1] as Cert;
    const status = revocationStatus(cert, issuer, data);
    out.revocations[i] = status;
    const params = {
      subject: cert.subject,
      notAfter: iso(cert.notAfter),
      notBefore: iso(cert.notBefore),
    };
    if (status?.status === 'revoked' && status.revokedAt) {
      const rp = { subject: cert.subject, revokedAt: iso(status.revokedAt) };
      if (status.revokedAt <= t) {
        if (proven) v.fail('TOTAL_FAILED', 'REVOKED', error('REVOKED', rp));
        else
          v.fail(
            'INDETERMINATE',
            i === 0 ? 'REVOKED_NO_POE' : 'REVOKED_CA_NO_POE',
            error('REVOKED_NO_POE', rp),
          );
        continue;
      }
      v.warn(warning('REVOKED_AFTER_SIGNING', rp));
    }
    if (t < cert.notBefore) {
      v.fail('TOTAL_FAILED', 'NOT_YET_VALID', error('CERT_NOT_YET_VALID', params));
      continue;
    }
    if (t > cert.notAfter) {
      if (proven) v.fail('TOTAL_FAILED', 'EXPIRED', error('CERT_EXPIRED', params));
      else if (status?.status === 'good')
        v.fail('INDETERMINATE', 'OUT_OF_BOUNDS_NOT_REVOKED', error('CERT_EXPIRED_NO_POE', params));
      else v.fail('INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE', error('CERT_EXPIRED_NO_POE', params));
      continue;
    }
    if (!status)
      v.fail('INDETERMINATE', 'TRY_LATER', error('NO_REVOCATION', { subject: cert.subject }));
    else if (status.status === 'unknown')
      v.fail('INDETERMINATE', 'TRY_LATER', error('REVOCATION_UNKNOWN', { subject: cert.subject }));
  }
}

/**
 * What the data says of the TSA chain (informative: a time-stamp's own validity does not wait
 * for it, but B-LT means the /DSS also lets the time-stamp be re-validated later).
 */
function tsaRevocations(
  out: SignatureOutcome,
  data: RevocationData[],
): (RevocationStatus | null)[] {
  const chain = out.timestamp?.valid ? out.timestamp.chain : [];
  return chain.slice(0, -1).map((cert, i) => revocationStatus(cert, chain[i + 1] as Cert, data));
}

function checkDocumentTimestamp(
  out: SignatureOutcome,
  contents: Uint8Array,
  ranges: Uint8Array[],
  ctx: ValidationContext,
): void {
  const v = out.verdict;
  const tst = verifyTimestamp(contents, ranges, ctx.store, ctx.dssCerts);
  out.timestamp = tst;
  out.signer = tst.tsa;
  out.chain = tst.chain;
  out.trusted = tst.valid || (!tst.untrusted && tst.chain.length > 0);
  out.trustList = tst.trustList;
  out.provenTime = tst.genTime;
  if (tst.valid) return;
  if (tst.imprintMismatch) v.fail('TOTAL_FAILED', 'HASH_FAILURE', error('DIGEST_MISMATCH'));
  else if (tst.untrusted)
    v.fail('INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND', error('TST_UNTRUSTED'));
  else if (!tst.parsed)
    v.fail(
      'TOTAL_FAILED',
      'FORMAT_FAILURE',
      error('CMS_UNREADABLE', { detail: tst.problem ?? '' }),
    );
  else if (!tst.tsa)
    v.fail('INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND', error('NO_SIGNING_CERTIFICATE'));
  else
    v.fail(
      'TOTAL_FAILED',
      'SIG_CRYPTO_FAILURE',
      error('TST_INVALID', { detail: tst.problem ?? '' }),
    );
}

export async function validateSignature(
  sig: PdfSignature,
  ctx: ValidationContext,
): Promise<SignatureOutcome> {
  const out = emptyOutcome(sig);
  const v = out.verdict;
  const br = checkByteRange(ctx.bytes, sig, ctx.layout, ctx.mask);
  if (!br.ok || !br.contents) {
    v.fail(
      'TOTAL_FAILED',
      'FORMAT_FAILURE',
      error('BYTE_RANGE_INVALID', { detail: br.problem ?? '' }),
    );
    return out;
  }
  out.revision = br.revision;
  const ranges = signedRanges(ctx.bytes, sig.byteRange ?? []);
  if (sig.type === 'DOC_TIMESTAMP') {
    checkDocumentTimestamp(out, br.contents, ranges, ctx);
    return out;
  }
  let parsed: ParsedCms;
  try {
    parsed = parseCms(br.contents);
  } catch (e) {
    if (!(e instanceof CmsFormatError)) throw e;
    v.fail('TOTAL_FAILED', 'FORMAT_FAILURE', error('CMS_UNREADABLE', { detail: e.message }));
    return out;
  }
  if (sig.subFilter && DETACHED.has(sig.subFilter) && parsed.eContent !== null) {
    // The signed attributes' message-digest may be over the encapsulated content instead of the
    // PDF; a detached signature has none (pyHanko and DSS reject it).
    v.fail('TOTAL_FAILED', 'FORMAT_FAILURE', error('DETACHED_WITH_CONTENT'));
    return out;
  }
  if (!checkIntegrity(out, parsed, ranges, ctx) || !out.signer) return out;
  checkSignatureTimestamp(out, parsed, ctx);
  const { chain, trusted, trustList } = buildChain(
    out.signer,
    [...parsed.certificates, ...ctx.dssCerts],
    ctx.store,
  );
  out.chain = chain;
  out.trusted = trusted;
  out.trustList = trustList;
  if (!trusted) {
    v.fail('INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND', error('NO_CHAIN'));
    return out;
  }
  if (!checkChainConstraints(out)) return out;
  const data = await revocationData(out, parsed, ctx);
  checkCertificates(out, data, ctx);
  out.timestampRevocations = tsaRevocations(out, data);
  if (out.hasSigningTime && sig.subFilter === 'ETSI.CAdES.detached')
    v.warn(warning('SIGNING_TIME_ATTR'));
  return out;
}
