import { X509Certificate } from 'node:crypto';
import type { HubContext } from '../../context.js';
import { EdxmlError, type EdxmlAttachment } from '../../edxml/index.js';
import { validatePdf } from '../../validation/index.js';
import { hubPki } from '../pki/hub-hierarchy.js';
import { trustAnchors } from '../pki/signing-keys.js';

export type PdfCheck = {
  contentId: string;
  name: string;
  signatures: number;
  passed: number;
  indeterminate: number;
};

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

/** Whether the XML signer's certificate chains (up to 3 levels) to this hub's trust anchors. */
export async function certificateTrusted(ctx: HubContext, der: Uint8Array): Promise<boolean> {
  const pki = await hubPki(ctx);
  const anchors = (await trustAnchors(ctx)).map((a) => new X509Certificate(a));
  const intermediates = [new X509Certificate(pki.issuing.certificate)];
  let cert = new X509Certificate(der);
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
