/**
 * PAdES baseline level reached (ETSI EN 319 142-1 §6): B-B needs ETSI.CAdES.detached with
 * signing-certificate-v2 and no signing-time; T adds a valid signature time-stamp; LT needs the
 * revocation data of every non-anchor certificate of the signer's and the TSA's chains in the
 * DSS; LTA a valid document time-stamp over a revision that already holds the DSS.
 */
import type { TLevel } from './report.schemas.js';
import type { RevocationStatus } from './revocation.js';
import type { SignatureOutcome } from './signature-validation.js';

export interface LevelContext {
  /** Index of the first revision after the signature's whose catalog has a /DSS, null when none. */
  dssRevision: number | null;
  docTimestamps: SignatureOutcome[];
}

export function detectLevel(o: SignatureOutcome, ctx: LevelContext): TLevel | null {
  if (o.sig.type === 'DOC_TIMESTAMP') return null;
  if (o.sig.subFilter !== 'ETSI.CAdES.detached' || o.essVersion !== 2 || o.hasSigningTime)
    return 'PDF_NOT_ETSI';
  if (!o.timestamp?.valid) return 'PAdES-BASELINE-B';
  const sigRevision = o.revision?.index ?? Infinity;
  const nonAnchors = o.chain.length - 1;
  const dssAfter = ctx.dssRevision !== null && ctx.dssRevision > sigRevision;
  const fromDss = (list: (RevocationStatus | null)[]) => list.every((r) => r?.source === 'DSS');
  // EN 319 142-1 B-LT: validation data for the signer's chain and the time-stamp's TSA chain
  const ltData =
    nonAnchors > 0 &&
    o.revocations.length === nonAnchors &&
    fromDss(o.revocations) &&
    o.timestampRevocations.length === Math.max(0, (o.timestamp?.chain.length ?? 0) - 1) &&
    fromDss(o.timestampRevocations);
  if (!dssAfter || !ltData) return 'PAdES-BASELINE-T';
  const dssRev = ctx.dssRevision ?? Infinity;
  const lta = ctx.docTimestamps.some(
    (t) => !t.verdict.failed && (t.revision?.index ?? 0) >= dssRev,
  );
  return lta ? 'PAdES-BASELINE-LTA' : 'PAdES-BASELINE-LT';
}
