import { PDFHexString } from 'pdf-lib';
import { pdfDate } from './pdf-date.js';
import { concat } from './incremental-writer.js';
import { ascii } from './serialize.js';
import type { PDFRef } from 'pdf-lib';

export type SignatureDictOptions = {
  kind: 'signature' | 'timestamp';
  /** Bytes reserved for the DER in /Contents (written as twice as many hex digits). */
  contentsSize: number;
  signingTime?: Date;
  name?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  /** DocMDP certification with P=2 (form filling and signing allowed). */
  certify?: boolean;
};

/** Raw body of a signature dictionary plus where its two placeholders sit (relative offsets). */
export type SignatureDictBody = {
  bytes: Uint8Array;
  byteRangeAt: number;
  byteRangeLength: number;
  contentsAt: number;
};

export const BYTE_RANGE_PLACEHOLDER = '0 0000000000 0000000000 0000000000';

function text(value: string): string {
  return PDFHexString.fromText(value).toString();
}

export function signatureDictBody(o: SignatureDictOptions): SignatureDictBody {
  let head =
    o.kind === 'timestamp'
      ? '<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161'
      : '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached';
  if (o.signingTime && o.kind === 'signature') head += ` /M (${pdfDate(o.signingTime)})`;
  if (o.name) head += ` /Name ${text(o.name)}`;
  if (o.reason) head += ` /Reason ${text(o.reason)}`;
  if (o.location) head += ` /Location ${text(o.location)}`;
  if (o.contactInfo) head += ` /ContactInfo ${text(o.contactInfo)}`;
  if (o.certify) {
    head +=
      ' /Reference [<< /Type /SigRef /TransformMethod /DocMDP /DigestMethod /SHA256' +
      ' /TransformParams << /Type /TransformParams /P 2 /V /1.2 >> >>]';
  }
  head += ' /ByteRange [';
  const byteRangeAt = head.length;
  head += `${BYTE_RANGE_PLACEHOLDER}] /Contents `;
  const contentsAt = head.length;
  const bytes = concat([ascii(head), ascii(`<${'0'.repeat(o.contentsSize * 2)}>`), ascii(' >>')]);
  return { bytes, byteRangeAt, byteRangeLength: BYTE_RANGE_PLACEHOLDER.length, contentsAt };
}

/** Absolute positions of one signature's placeholders in a written file. */
export type Placeholder = {
  sigRef: PDFRef;
  byteRangeAt: number;
  byteRangeLength: number;
  /** Offset of "<" of /Contents. */
  contentsStart: number;
  /** Offset just after ">" of /Contents. */
  contentsEnd: number;
};
