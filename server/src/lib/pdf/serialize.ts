import type { PDFObject } from 'pdf-lib';

/** The bytes pdf-lib writes for one object (streams included), without "n g obj". */
export function serializeObject(obj: PDFObject): Uint8Array {
  const out = new Uint8Array(obj.sizeInBytes());
  obj.copyBytesInto(out, 0);
  return out;
}

export function ascii(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}
