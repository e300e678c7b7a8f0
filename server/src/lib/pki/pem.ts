import { PkiError } from './errors.js';

/** Wrap DER bytes in a PEM block with 64-column base64 lines. */
export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];

  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Every PEM block with `label` in `text`, decoded to DER, in order. */
export function pemBlocks(text: string, label = 'CERTIFICATE'): Uint8Array[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  const out: Uint8Array[] = [];
  for (const match of text.matchAll(re)) {
    out.push(new Uint8Array(Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64')));
  }

  return out;
}

/** The first PEM block with `label`; throws when there is none. */
export function fromPem(text: string, label = 'CERTIFICATE'): Uint8Array {
  const first = pemBlocks(text, label)[0];
  if (!first) {
    throw new PkiError(
      'PKI_PEM_MISSING',
      `No "-----BEGIN ${label}-----" block found in the PEM text.`,
    );
  }

  return first;
}
