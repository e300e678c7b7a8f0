import type { TimestampFunction } from '../pki/tsa-client.js';
import { hashPrepared } from '../pdf/byte-range.js';
import { withPdf } from '../pdf/lazy-pdf-file.js';
import type { PdfFile } from '../pdf/pdf-file.js';
import { completeUpdate, joinPrepared, preparePlaceholder } from '../pdf/signature-field.js';
import { PadesError } from './pades-error.js';
import { retrySize } from './size-estimate.js';

const FIRST_GUESS = 6000;

/** PAdES B-LTA: a /DocTimeStamp whose /Contents is an RFC 3161 token over the ByteRange hash. */
export async function addDocumentTimestamp(
  pdf: Uint8Array,
  timestamp: TimestampFunction,
  fieldName?: string,
): Promise<Uint8Array> {
  return withPdf(pdf, (file) => timestampFile(file, timestamp, fieldName));
}

async function timestampFile(
  file: PdfFile,
  timestamp: TimestampFunction,
  fieldName: string | undefined,
): Promise<Uint8Array> {
  let contentsSize = FIRST_GUESS;
  for (let attempt = 0; attempt < 3; attempt++) {
    const prepared = preparePlaceholder(file, {
      kind: 'timestamp',
      contentsSize,
      ...(fieldName ? { fieldName } : {}),
    });
    const token = await timestamp(hashPrepared(prepared), 'sha256');
    if (token.length <= contentsSize) {
      completeUpdate(prepared, token);
      return joinPrepared(prepared);
    }
    contentsSize = retrySize(token.length);
  }
  throw new PadesError(
    'PADES_CONTENTS_SIZE',
    'The time-stamp token kept growing between attempts; giving up.',
  );
}
