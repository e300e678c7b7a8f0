/** The few DER encodings a PKCS#10 request needs (X.690), enough to build one in the browser. */
function length(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);

  return [0x80 | bytes.length, ...bytes];
}

export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = concat(...parts);

  return concat(new Uint8Array([tag, ...length(body.length)]), body);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }

  return out;
}

export const seq = (...p: Uint8Array[]) => tlv(0x30, ...p);
export const set = (...p: Uint8Array[]) => tlv(0x31, ...p);
export const utf8 = (s: string) => tlv(0x0c, new TextEncoder().encode(s));
export const bitString = (b: Uint8Array) => tlv(0x03, new Uint8Array([0]), b);

/** A non-negative INTEGER from big-endian bytes: minimal, with a 0 pad when the top bit is set. */
export function uint(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const v = bytes.slice(i);

  return tlv(0x02, (v[0] ?? 0) & 0x80 ? concat(new Uint8Array([0]), v) : v);
}

export function oid(dotted: string): Uint8Array {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const n of rest) {
    const groups: number[] = [];
    for (let v = n; ; v = Math.floor(v / 128)) {
      groups.unshift(v % 128);
      if (v < 128) break;
    }
    out.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }

  return tlv(0x06, new Uint8Array(out));
}

/** WebCrypto's ECDSA output is r‖s; X.509 and CMS want ECDSA-Sig-Value ::= SEQUENCE { r, s }. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;

  return seq(uint(raw.slice(0, half)), uint(raw.slice(half)));
}

export function toBase64(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);

  return btoa(s);
}

export function fromBase64(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));

  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function pem(label: string, der: Uint8Array): string {
  const b64 = toBase64(der).replace(/(.{64})/g, '$1\n');

  return `-----BEGIN ${label}-----\n${b64.trim()}\n-----END ${label}-----\n`;
}
