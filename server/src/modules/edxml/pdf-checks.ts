import { X509Certificate } from 'node:crypto';
import type { HubContext } from '../../context.js';
import type { TPdfCheck } from '../../contracts/edxml.js';
import { EdxmlError, type EdxmlAttachment } from '../../lib/edxml/index.js';
import { validatePdf } from '../../lib/validation/index.js';
import { certificateSerialHex, parseCertificate } from '../../lib/pki/index.js';
import { hubPki, IssuedCertificates, trustAnchors } from '../pki/index.js';

export type PdfCheck = TPdfCheck;

export function isPdf(a: EdxmlAttachment): boolean {
  return Buffer.from(a.bytes.subarray(0, 1024)).toString('latin1').includes('%PDF-');
}

/**
 * Validates every signature of every PDF attachment. A signature that fails (tampered bytes,
 * broken CMS) refuses the package; one whose chain is unknown here (VGCA, NEAC without
 * TRUST_DIR) is INDETERMINATE and reported, not refused: the receiving clerk decides.
 */
export async function checkPdfSignatures(
  ctx: HubContext,
  attachments: EdxmlAttachment[],
): Promise<PdfCheck[]> {
  const anchors = await trustAnchors(ctx);
  const out: PdfCheck[] = [];
  for (const [i, a] of attachments.entries()) {
    if (!isPdf(a)) continue;
    const report = await validatePdf(a.bytes, { trustAnchors: anchors });
    const failed = report.signatures.find((s) => s.indication === 'TOTAL_FAILED');
    if (failed) {
      throw new EdxmlError(
        'EDXML_PDF_SIGNATURE_INVALID',
        `the PDF signature "${failed.fieldName}" in ${a.name} is invalid (${failed.subIndication ?? 'TOTAL_FAILED'})`,
        `AttachmentEncoded/Attachment[${i + 1}]`,
      );
    }
    out.push({
      contentId: a.contentId,
      name: a.name,
      signatures: report.signatures.length,
      passed: report.document.passed,
      indeterminate: report.document.indeterminate,
    });
  }

  return out;
}

/** A certificate this hub's issuing CA issued and later revoked (others: no status known here). */
async function revokedHere(ctx: HubContext, cert: X509Certificate, issuing: X509Certificate) {
  if (!cert.checkIssued(issuing)) return false;
  const serialHex = certificateSerialHex(parseCertificate(new Uint8Array(cert.raw)));
  const issued = await IssuedCertificates(ctx.db.conn)
    .findOne({ serialHex })
    .select('status')
    .lean();

  return issued?.status === 'revoked';
}

/**
 * Whether the XML signer's certificate chains (up to 3 levels) to this hub's trust anchors,
 * through this hub's issuing CA or the CA certificates the package carried in X509Data (those
 * count only as CAs that an anchor vouches for). The signer must be an end entity (a CA key
 * never signs a package) within its validity, and not revoked when this hub issued it.
 */
export async function certificateTrusted(
  ctx: HubContext,
  der: Uint8Array,
  chainDer: Uint8Array[] = [],
): Promise<boolean> {
  const pki = await hubPki(ctx);
  const anchors = (await trustAnchors(ctx)).map((a) => new X509Certificate(a));
  const issuing = new X509Certificate(pki.issuing.certificate);
  const carried = chainDer.flatMap((c) => {
    try {
      return [new X509Certificate(c)];
    } catch {
      return [];
    }
  });
  const intermediates = [issuing, ...carried.filter((c) => c.ca)];
  const leaf = new X509Certificate(der);
  if (leaf.ca || (await revokedHere(ctx, leaf, issuing))) return false;
  let cert = leaf;
  const now = Date.now();
  for (let depth = 0; depth < 3; depth++) {
    if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) return false;
    const c = cert;
    if (anchors.some((a) => a.raw.equals(c.raw))) return true;
    const root = anchors.find((a) => c.checkIssued(a) && c.verify(a.publicKey));
    if (root) return true;
    const next = intermediates.find((a) => c.checkIssued(a) && c.verify(a.publicKey));
    if (!next) return false;
    cert = next;
  }

  return false;
}
