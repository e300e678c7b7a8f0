import { PDFArray, PDFDict, PDFName, PDFNumber, type PDFObject } from 'pdf-lib';
import { createCms } from '../cms/create-cms.js';
import { httpTimestamp, type TimestampFunction } from '../pki/tsa-client.js';
import { hashPrepared } from '../pdf/byte-range.js';
import { concat } from '../pdf/incremental-writer.js';
import { withPdf } from '../pdf/lazy-pdf-file.js';
import type { PdfFile } from '../pdf/pdf-file.js';
import { completeUpdate, preparePlaceholder, type PreparedPdf } from '../pdf/signature-field.js';
import { addDss } from './dss.js';
import { addDocumentTimestamp } from './doc-timestamp.js';
import type { SignPdfOptions } from './options.js';
import { PadesError } from './pades-error.js';
import { estimateCmsSize, retrySize } from './size-estimate.js';

export function timestampFor(o: {
  tsaUrl?: string;
  timestamp?: TimestampFunction;
}): TimestampFunction | undefined {
  if (o.timestamp) return o.timestamp;
  return o.tsaUrl ? httpTimestamp(o.tsaUrl) : undefined;
}

function requireTimestamp(o: SignPdfOptions): TimestampFunction | undefined {
  const level = o.level ?? 'B-B';
  const ts = timestampFor(o);
  if (level !== 'B-B' && !ts) {
    throw new PadesError(
      'PADES_NO_TSA',
      `Level ${level} needs a time-stamp authority: give tsaUrl or timestamp.`,
    );
  }
  return level === 'B-B' ? undefined : ts;
}

/** Signs once (B-B, or B-T with a signature time-stamp); returns the appended update only. */
async function signRevision(
  pdf: Uint8Array,
  o: SignPdfOptions,
  timestamp: TimestampFunction | undefined,
): Promise<Uint8Array> {
  return withPdf(pdf, (file) => signFile(file, o, timestamp));
}

/** DocMDP P of the certification signature named by the catalog's /Perms, if any. */
function certificationP(file: PdfFile): number | null {
  const dict = (obj: PDFObject | undefined): PDFDict | undefined => {
    const v = file.context.lookup(obj);
    return v instanceof PDFDict ? v : undefined;
  };
  const sig = dict(dict(file.catalog.get(PDFName.of('Perms')))?.get(PDFName.of('DocMDP')));
  const refs = file.context.lookup(sig?.get(PDFName.of('Reference')));
  for (const r of refs instanceof PDFArray ? refs.asArray() : []) {
    const ref = dict(r);
    if (ref?.get(PDFName.of('TransformMethod')) !== PDFName.of('DocMDP')) continue;
    const p = file.context.lookup(
      dict(ref.get(PDFName.of('TransformParams')))?.get(PDFName.of('P')),
    );
    return p instanceof PDFNumber ? p.asNumber() : 2;
  }
  return null;
}

async function signFile(
  file: PdfFile,
  o: SignPdfOptions,
  timestamp: TimestampFunction | undefined,
): Promise<Uint8Array> {
  if (certificationP(file) === 1)
    // Any revision after a P=1 certification invalidates it (ISO 32000-2 §12.8.2.2).
    throw new PadesError(
      'PDF_CERTIFIED_NO_CHANGES',
      'Tài liệu đã được chứng nhận với DocMDP P=1 (không cho phép thay đổi): ký thêm sẽ làm mất hiệu lực chữ ký chứng nhận.',
    );
  const signingTime = o.signingTime ?? new Date();
  const appearance = o.appearance
    ? await o.appearance(file, signingTime, { signerCertificate: o.signer.certificateChain[0] })
    : undefined;
  let contentsSize = estimateCmsSize(o.signer.certificateChain, timestamp !== undefined);
  for (let attempt = 0; attempt < 3; attempt++) {
    const prepared: PreparedPdf = preparePlaceholder(file, {
      kind: 'signature',
      contentsSize,
      signingTime,
      ...pick(o),
      ...(appearance ? { appearance } : {}),
    });
    const digest = hashPrepared(prepared, o.signer.algorithm.hash);
    const cms = await createCms(digest, o.signer, timestamp);
    if (cms.length <= contentsSize) return completeUpdate(prepared, cms);
    contentsSize = retrySize(cms.length);
  }
  throw new PadesError('PADES_CONTENTS_SIZE', 'The CMS kept growing between attempts; giving up.');
}

function pick(o: SignPdfOptions) {
  return {
    ...(o.name ? { name: o.name } : {}),
    ...(o.reason ? { reason: o.reason } : {}),
    ...(o.location ? { location: o.location } : {}),
    ...(o.contactInfo ? { contactInfo: o.contactInfo } : {}),
    ...(o.fieldName ? { fieldName: o.fieldName } : {}),
    ...(o.certify ? { certify: true } : {}),
  };
}

/**
 * Signs `pdf` as PAdES at the requested level. Every step is an incremental update: the output
 * starts with the input bytes unchanged, so earlier signatures stay valid.
 */
export async function signPdf(pdf: Uint8Array, o: SignPdfOptions): Promise<Uint8Array> {
  return concat([pdf, await signPdfUpdate(pdf, o)]);
}

/**
 * Signs like signPdf but returns only the bytes appended to `pdf`: the signed file is `pdf`
 * followed by them. Storing or streaming the two pieces saves copying the input, which is most
 * of the cost of signing a large file beyond hashing it (the hub writes both into GridFS).
 */
export async function signPdfUpdate(pdf: Uint8Array, o: SignPdfOptions): Promise<Uint8Array> {
  const level = o.level ?? 'B-B';
  const timestamp = requireTimestamp(o);
  // The signature time-stamp's token: its TSA chain is covered by the /DSS as well.
  let token: Uint8Array | undefined;
  const keepToken: TimestampFunction | undefined = timestamp
    ? async (digest, alg) => (token = await timestamp(digest, alg))
    : undefined;
  const update = await signRevision(pdf, o, keepToken);
  if (level === 'B-B' || level === 'B-T') return update;
  const signed = concat([pdf, update]);
  const withDss = await addDss(signed, {
    signerChain: o.signer.certificateChain,
    ...(token ? { timestampTokens: [token] } : {}),
    ...(o.revocation ? { revocation: o.revocation } : {}),
    ...(o.findIssuer ? { findIssuer: o.findIssuer } : {}),
  });
  const full = level === 'B-LT' ? withDss : await addDocumentTimestamp(withDss, timestamp!);
  return full.subarray(pdf.length);
}
