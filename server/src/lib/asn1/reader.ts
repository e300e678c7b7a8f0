/**
 * Zero-copy DER reader. Elements are offsets into the input, so signed bytes (TBS parts, signed
 * attributes, certificates) are used exactly as received and never re-encoded; nothing is parsed
 * until asked for. This replaces asn1js/pkijs on the validation hot path, where their generic
 * schema matching and buffer conversions dominated the time.
 * BER indefinite lengths are accepted because some CMS producers stream their output.
 */
export class DerError extends Error {}

const EOC_LIMIT = 64;

export class Der {
  private kids: Der[] | undefined;

  constructor(
    readonly buf: Uint8Array,
    readonly tag: number,
    readonly start: number,
    readonly valueStart: number,
    readonly valueEnd: number,
    readonly end: number,
  ) {}

  get constructed(): boolean {
    return (this.tag & 0x20) !== 0;
  }
  /** The whole element (tag, length, value) as it is in the input. */
  get raw(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }
  get value(): Uint8Array {
    return this.buf.subarray(this.valueStart, this.valueEnd);
  }
  /** True for a context-specific tag [n] (implicit or explicit). */
  isContext(n: number): boolean {
    return (this.tag & 0xc0) === 0x80 && (this.tag & 0x1f) === n;
  }

  children(): Der[] {
    if (this.kids) return this.kids;
    const out: Der[] = [];
    if (this.constructed) {
      let p = this.valueStart;
      while (p < this.valueEnd) {
        const c = readElement(this.buf, p, this.valueEnd);
        out.push(c);
        p = c.end;
      }
    }
    this.kids = out;
    return out;
  }
  at(i: number): Der {
    const c = this.children()[i];
    if (!c) throw new DerError(`missing element #${i} in a tag 0x${this.tag.toString(16)}`);
    return c;
  }
  opt(i: number): Der | undefined {
    return this.children()[i];
  }
  expect(tag: number, what: string): this {
    if (this.tag !== tag)
      throw new DerError(
        `${what}: tag 0x${this.tag.toString(16)} instead of 0x${tag.toString(16)}`,
      );
    return this;
  }

  /** OCTET STRING contents; BER constructed strings are concatenated. */
  octets(): Uint8Array {
    if (!this.constructed) return this.value;
    return Buffer.concat(this.children().map((c) => c.octets()));
  }
  /** BIT STRING contents without the unused-bits byte. */
  bits(): Uint8Array {
    return this.value.subarray(1);
  }
  oid(): string {
    return decodeOid(this.value);
  }
  /** INTEGER / ENUMERATED as a JS number (small values only: versions, reasons, salt lengths). */
  small(): number {
    let n = 0;
    for (const b of this.value) n = n * 256 + b;
    return n;
  }
  bool(): boolean {
    return (this.value[0] ?? 0) !== 0;
  }
  time(): Date {
    return decodeTime(this.tag, Buffer.from(this.value).toString('latin1'));
  }
  text(): string {
    return decodeText(this.tag, this.value);
  }
}

function readHeader(buf: Uint8Array, pos: number, limit: number): [number, number, number] {
  if (pos + 2 > limit) throw new DerError('truncated element');
  const tag = buf[pos] as number;
  if ((tag & 0x1f) === 0x1f)
    throw new DerError('high-number tags are not used in these structures');
  const first = buf[pos + 1] as number;
  if (first < 0x80) return [tag, pos + 2, first];
  if (first === 0x80) return [tag, pos + 2, -1];
  const n = first & 0x7f;
  if (n > 4 || pos + 2 + n > limit) throw new DerError('bad length');
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (buf[pos + 2 + i] as number);
  return [tag, pos + 2 + n, len];
}

function readElement(buf: Uint8Array, pos: number, limit: number, depth = 0): Der {
  const [tag, valueStart, len] = readHeader(buf, pos, limit);
  if (len >= 0) {
    const end = valueStart + len;
    if (end > limit) throw new DerError('element runs past its container');
    return new Der(buf, tag, pos, valueStart, end, end);
  }
  if ((tag & 0x20) === 0 || depth > EOC_LIMIT) throw new DerError('bad indefinite length');
  let p = valueStart;
  while (!(buf[p] === 0 && buf[p + 1] === 0)) {
    if (p >= limit) throw new DerError('missing end-of-contents');
    p = readElement(buf, p, limit, depth + 1).end;
  }
  return new Der(buf, tag, pos, valueStart, p, p + 2);
}

/** The first element of `bytes` (trailing bytes, such as /Contents zero padding, are ignored). */
export function readDer(bytes: Uint8Array): Der {
  return readElement(bytes, 0, bytes.length);
}

function decodeOid(v: Uint8Array): string {
  const parts: number[] = [];
  let n = 0;
  for (const b of v) {
    n = n * 128 + (b & 0x7f);
    if (b & 0x80) continue;
    if (parts.length === 0) parts.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
    else parts.push(n);
    n = 0;
  }
  return parts.join('.');
}

const UTC_RE = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{4})?$/;
const GENERALIZED_RE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{4})?$/;

function decodeTime(tag: number, s: string): Date {
  const m = (tag === 0x17 ? UTC_RE : GENERALIZED_RE).exec(s);
  if (!m || (tag !== 0x17 && tag !== 0x18)) throw new DerError(`bad time "${s}"`);
  const [, y = '', mo, d, h, mi, sec = '00', frac = '', tz = 'Z'] = m;
  let year = Number(y);
  if (tag === 0x17) year += year < 50 ? 2000 : 1900;
  const ms = Math.round(Number(`0.${frac || '0'}`) * 1000);
  const offset = tz === 'Z' ? 'Z' : `${tz.slice(0, 3)}:${tz.slice(3)}`;
  const iso = `${String(year).padStart(4, '0')}-${mo}-${d}T${h}:${mi}:${sec}.${String(ms).padStart(3, '0')}${offset}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new DerError(`bad time "${s}"`);
  return date;
}

function decodeText(tag: number, v: Uint8Array): string {
  if (tag === 0x1e) return Buffer.from(v).swap16().toString('utf16le');
  if (tag === 0x1c) {
    let s = '';
    for (let i = 0; i + 3 < v.length; i += 4)
      s += String.fromCodePoint(
        ((v[i] ?? 0) << 24) | ((v[i + 1] ?? 0) << 16) | ((v[i + 2] ?? 0) << 8) | (v[i + 3] ?? 0),
      );
    return s;
  }
  if (tag === 0x14) return Buffer.from(v).toString('latin1');
  return Buffer.from(v).toString('utf8');
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/** AlgorithmIdentifier: the OID and the raw parameters element, if any. */
export interface AlgId {
  oid: string;
  params: Der | undefined;
}

export function algId(el: Der): AlgId {
  return { oid: el.at(0).oid(), params: el.opt(1) };
}
