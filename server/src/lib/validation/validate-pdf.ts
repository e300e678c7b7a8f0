/**
 * Entry point: validates every signature and document time-stamp of a PDF and returns an
 * ETSI EN 319 102-1 style report. Pure function of the bytes, the trust anchors and the time
 * (plus the network when `online`).
 */
import { createHash } from 'node:crypto';
import { PDFDocument, PDFName } from 'pdf-lib';
import { Cert, clearCertificateCache, parseCertificates } from '../pki/x509.js';
import { trustStoreOf, type TrustListInput } from './chain.js';

export { EXTRA_TRUST_LIST, type TrustListInput } from './chain.js';
import { checkPdfLimits } from '../pdf/limits.js';
import { unreadable } from './errors.js';
import { detectLevel } from './level.js';
import { maskSignatureContents } from './contents-mask.js';
import { error, info, message, warning } from './messages.js';
import {
  ANNOTATION_ROLES,
  analyzeModifications,
  appendedBytesModification,
} from './modifications.js';
import { loadPdf } from './pdf-objects.js';
import { findSignatures, readDss } from './pdf-signatures.js';
import {
  ZValidationReport,
  type TModification,
  type TSignatureReport,
  type TValidationReport,
} from './report.schemas.js';
import { findRevisions, type RevisionLayout } from './revisions.js';
import { clearRevocationCache } from './revocation.js';
import {
  validateSignature,
  type SignatureOutcome,
  type ValidationContext,
} from './signature-validation.js';

export interface ValidatePdfOptions {
  /** Trusted root (or intermediate) certificates, DER or PEM; a PEM may hold several (list "extra"). */
  trustAnchors: Uint8Array[];
  /** Named trust lists next to trustAnchors (national-vgca, national-neac, hub, …). */
  trustLists?: TrustListInput[];
  /** Fetch missing OCSP/CRL from AIA / CRL distribution points (10 s timeout each). */
  online?: boolean;
  /** Validation time when nothing better is proven; defaults to the current time. */
  now?: Date;
  /**
   * Current OCSP responses / CRLs the caller already holds (e.g. the hub's own CAs' latest
   * CRLs), consulted next to the data in the file as if fetched online: a certificate revoked
   * since signing is seen without any network access.
   */
  currentRevocation?: { ocsps?: Uint8Array[]; crls?: Uint8Array[] };
  /**
   * Replace large signature /Contents before pdf-lib parses the file (contents-mask.ts): the
   * same verdicts, several times faster. Default true; false is for equivalence tests.
   */
  maskContents?: boolean;
}

export const VALIDATION_POLICY = 'LienThong PAdES validation (ETSI EN 319 102-1 subset)';

function checkInput(bytes: Uint8Array): void {
  if (bytes.length === 0)
    throw unreadable('The file is empty (0 bytes); upload the signed PDF itself.');
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  if (!head.includes('%PDF-'))
    throw unreadable('The file is not a PDF (no %PDF- header in its first 1024 bytes).');
}

/** Lazily parsed document as of each revision (the bytes up to its %%EOF). */
class RevisionDocs {
  private readonly cache = new Map<number, Promise<PDFDocument>>();
  constructor(
    private readonly bytes: Uint8Array,
    private readonly layout: RevisionLayout,
  ) {}
  get(index: number): Promise<PDFDocument> {
    let p = this.cache.get(index);
    if (!p) {
      const rev = this.layout.revisions[index - 1];
      p = loadPdf(rev ? this.bytes.subarray(0, rev.end) : this.bytes);
      this.cache.set(index, p);
    }
    return p;
  }
}

/**
 * The first revision after `after` whose catalog has a /DSS, null when none: the validation data
 * of a signature must come in a later revision than the signature itself, and a second B-LT
 * signature's data is added after it, however early the first /DSS appeared.
 */
async function firstDssRevisionAfter(
  docs: RevisionDocs,
  layout: RevisionLayout,
  finalDoc: PDFDocument,
  after: number,
): Promise<number | null> {
  if (!finalDoc.catalog.has(PDFName.of('DSS'))) return null;
  for (const rev of layout.revisions) {
    if (rev.index <= after) continue;
    // The first "revision" of a linearized file is its first-page section, which ends before
    // the catalog: unreadable on its own and certainly without a DSS.
    const doc = await docs.get(rev.index).catch(() => null);
    if (doc?.catalog.has(PDFName.of('DSS'))) return rev.index;
  }
  return null;
}

function signerOf(cert: Cert | null): TSignatureReport['signer'] {
  if (!cert) return null;
  return {
    commonName: cert.attribute('CN'),
    organization: cert.attribute('O'),
    organizationIdentifier: cert.attribute('organizationIdentifier'),
    serial: cert.serialHex,
    issuer: cert.issuer,
    subject: cert.subject,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
  };
}

function applyModifications(o: SignatureOutcome, mods: TModification[]): void {
  const bad = mods.filter((m) => !m.allowed);
  const good = mods.length - bad.length;
  if (good > 0) o.verdict.messages.push(info('ALLOWED_CHANGES', { count: good }));
  const annotations = mods.filter((m) => m.allowed && ANNOTATION_ROLES.has(m.kind)).length;
  if (annotations > 0) o.verdict.warn(warning('ANNOTATIONS_AFTER_SIGNING', { count: annotations }));
  if (bad.length === 0) return;
  // An earlier INDETERMINATE is overridden: a forged document is a definite failure.
  o.verdict.fail(
    'TOTAL_FAILED',
    'FORMAT_FAILURE',
    error('MODIFIED_AFTER_SIGNING', { count: bad.length }),
  );
  for (const attack of new Set(bad.map((m) => m.attack).filter((a) => a !== null)))
    o.verdict.messages.push(error('SHADOW_ATTACK', { attack }));
}

function toReport(
  o: SignatureOutcome,
  mods: TModification[],
  layout: RevisionLayout,
  level: TSignatureReport['level'],
): TSignatureReport {
  const total = layout.revisions.length;
  const v = o.verdict;
  if (!v.failed)
    v.messages.unshift(
      info(o.sig.type === 'DOC_TIMESTAMP' ? 'TIMESTAMP_VALID' : 'SIGNATURE_VALID'),
    );
  const whole = o.revision !== null && o.revision.index === total && layout.trailingBytes === 0;
  if (o.revision && !whole) v.warn(warning('NOT_WHOLE_DOCUMENT'));
  return {
    fieldName: o.sig.fieldName,
    type: o.sig.type,
    subFilter: o.sig.subFilter,
    indication: v.indication,
    subIndication: v.subIndication,
    signer: signerOf(o.signer),
    claimedTime: o.sig.claimedTime?.toISOString() ?? null,
    provenTime: o.provenTime?.toISOString() ?? null,
    reason: o.sig.reason,
    name: o.sig.name,
    level,
    digestAlgorithm: o.digestAlgorithm,
    signatureAlgorithm: o.signatureAlgorithm,
    byteRange: o.sig.byteRange ?? [],
    coveredRevision: o.revision?.index ?? null,
    totalRevisions: total,
    coversWholeDocument: whole,
    trustList: o.trusted ? o.trustList : null,
    chain: o.chain.map((c, i) => {
      const r = o.revocations[i];
      return {
        subject: c.subject,
        serial: c.serialHex,
        trustAnchor: i === o.chain.length - 1 && o.trusted,
        trustList: i === o.chain.length - 1 && o.trusted ? o.trustList : null,
        revocation: r
          ? {
              status: r.status,
              source: r.source,
              type: r.type,
              revokedAt: r.revokedAt?.toISOString() ?? null,
              reason: r.reason,
            }
          : null,
      };
    }),
    timestamp: o.timestamp?.genTime
      ? {
          genTime: o.timestamp.genTime.toISOString(),
          tsa: o.timestamp.tsa?.subject ?? null,
          valid: o.timestamp.valid,
        }
      : null,
    modifications: mods,
    warnings: v.warnings,
    messages: v.messages,
  };
}

/** The file goes on after the revision this signature covers. */
function laterRevision(o: SignatureOutcome, layout: RevisionLayout): boolean {
  return (
    o.revision !== null && (o.revision.index < layout.revisions.length || layout.trailingBytes > 0)
  );
}

async function modificationsFor(
  o: SignatureOutcome,
  docs: RevisionDocs,
  finalDoc: PDFDocument,
  layout: RevisionLayout,
  bytes: Uint8Array,
  docMdpP: number | null,
  text: string,
): Promise<TModification[]> {
  const appended = appendedBytesModification(layout);
  const mods: TModification[] = appended ? [appended] : [];
  if (!o.revision || o.revision.index === layout.revisions.length) {
    if (!o.revision || layout.trailingBytes === 0) return mods;
  }
  const before = await docs.get(o.revision.index);
  return [...analyzeModifications(before, finalDoc, { bytes, layout, docMdpP, text }), ...mods];
}

export async function validatePdf(
  bytes: Uint8Array,
  options: ValidatePdfOptions,
): Promise<TValidationReport> {
  checkInput(bytes);
  checkPdfLimits(bytes);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const layout = findRevisions(bytes, text);
  if (layout.revisions.length === 0)
    throw unreadable('The PDF is truncated: no "startxref … %%EOF" end marker was found.');
  const store = trustStoreOf(options.trustAnchors, options.trustLists);
  // pdf-lib reads the masked copy; every byte-level check reads the original bytes.
  const mask = options.maskContents === false ? undefined : maskSignatureContents(bytes, text);
  const parsed = mask?.bytes ?? bytes;
  const finalDoc = await loadPdf(parsed);
  const docs = new RevisionDocs(parsed, layout);
  const dss = readDss(finalDoc);
  const dssCerts = (dss?.certs ?? []).flatMap((c) => parseCertificates(c));
  const ctx: ValidationContext = {
    bytes,
    layout,
    store,
    dss,
    dssCerts,
    now: options.now ?? new Date(),
    online: options.online ?? false,
    current: options.currentRevocation,
    mask,
  };
  const sigs = findSignatures(finalDoc);
  const outcomes: SignatureOutcome[] = [];
  for (const sig of sigs) outcomes.push(await validateSignature(sig, ctx));
  const docMdpP = sigs.find((s) => s.docMdpP !== null)?.docMdpP ?? null;
  const docTimestamps = outcomes.filter((o) => o.sig.type === 'DOC_TIMESTAMP');
  const reports: TSignatureReport[] = [];
  for (const o of outcomes) {
    const mods = await modificationsFor(o, docs, finalDoc, layout, bytes, docMdpP, text);
    applyModifications(o, mods);
    const dssRevision =
      o.sig.type === 'SIGNATURE' && o.timestamp?.valid
        ? await firstDssRevisionAfter(docs, layout, finalDoc, o.revision?.index ?? Infinity)
        : null;
    if (docMdpP === 1 && laterRevision(o, layout))
      o.verdict.fail('TOTAL_FAILED', 'FORMAT_FAILURE', error('CERTIFIED_NO_CHANGES'));
    reports.push(toReport(o, mods, layout, detectLevel(o, { dssRevision, docTimestamps })));
  }
  return ZValidationReport.parse(summarize(bytes, layout, reports));
}

function summarize(
  bytes: Uint8Array,
  layout: RevisionLayout,
  signatures: TSignatureReport[],
): TValidationReport {
  const count = (i: string): number => signatures.filter((s) => s.indication === i).length;
  const passed = count('TOTAL_PASSED');
  const messages =
    signatures.length === 0
      ? [warning('NO_SIGNATURES')]
      : [message('SUMMARY', 'info', { passed, total: signatures.length })];
  const appended = appendedBytesModification(layout);
  if (appended)
    messages.push(
      (appended.allowed ? warning : error)('APPENDED_BYTES', { count: layout.trailingBytes }),
    );
  return {
    validatedAt: new Date().toISOString(),
    policy: VALIDATION_POLICY,
    document: {
      sizeBytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      totalRevisions: layout.revisions.length,
      signatureCount: signatures.filter((s) => s.type === 'SIGNATURE').length,
      timestampCount: signatures.filter((s) => s.type === 'DOC_TIMESTAMP').length,
      passed,
      failed: count('TOTAL_FAILED'),
      indeterminate: count('INDETERMINATE'),
      allValid: signatures.length > 0 && passed === signatures.length,
      messages,
    },
    signatures,
  };
}

/** Forgets cached certificates and revocation data (benchmarks measure the cold path with it). */
export function clearValidationCaches(): void {
  clearCertificateCache();
  clearRevocationCache();
}
