import { PDFArray, PDFObject, PDFRef } from 'pdf-lib';
import type { PdfFile } from './pdf-file.js';
import { ascii, serializeObject } from './serialize.js';

/** One appended object: a pdf-lib object, or raw body bytes we laid out ourselves. */
export type ObjectBody = PDFObject | Uint8Array;

export type WrittenUpdate = {
  bytes: Uint8Array;
  /** Absolute offset of each written object's body (after "n g obj\n"), by object number. */
  bodyOffsets: Map<number, number>;
};

/** The new file as its unchanged input followed by the appended update, not yet joined. */
export type AppendedUpdate = {
  original: Uint8Array;
  update: Uint8Array;
  bodyOffsets: Map<number, number>;
};

/**
 * Collects new and changed objects and appends them to the original bytes with a cross-reference
 * section of the same kind as the file's last one. The original bytes are copied unchanged.
 */
export class IncrementalUpdate {
  private readonly objects = new Map<number, { ref: PDFRef; body: ObjectBody }>();
  private next: number;

  constructor(private readonly file: PdfFile) {
    this.next = file.nextObjectNumber;
  }

  allocate(): PDFRef {
    return PDFRef.of(this.next++, 0);
  }

  set(ref: PDFRef, body: ObjectBody): void {
    this.objects.set(ref.objectNumber, { ref, body });
  }

  write(): WrittenUpdate {
    const { original, update, bodyOffsets } = this.writeUpdate();
    return { bytes: concat([original, update]), bodyOffsets };
  }

  /** Lays out the update after the input without copying the input (signing a 10 MB file). */
  writeUpdate(): AppendedUpdate {
    const original = this.file.bytes;
    const needsEol =
      original.length > 0 &&
      original[original.length - 1] !== 0x0a &&
      original[original.length - 1] !== 0x0d;
    const parts: Uint8Array[] = [];
    let offset = original.length;
    const push = (chunk: Uint8Array): void => {
      parts.push(chunk);
      offset += chunk.length;
    };
    if (needsEol) push(ascii('\n'));
    const entries: { num: number; gen: number; offset: number }[] = [];
    const bodyOffsets = new Map<number, number>();
    const sorted = [...this.objects.values()].sort(
      (a, b) => a.ref.objectNumber - b.ref.objectNumber,
    );
    for (const { ref, body } of sorted) {
      entries.push({ num: ref.objectNumber, gen: ref.generationNumber, offset });
      push(ascii(`${ref.objectNumber} ${ref.generationNumber} obj\n`));
      bodyOffsets.set(ref.objectNumber, offset);
      push(body instanceof Uint8Array ? body : serializeObject(body));
      push(ascii('\nendobj\n'));
    }
    const xref =
      this.file.trailer.kind === 'table'
        ? this.classicSection(entries, offset)
        : this.xrefStream(entries, offset);
    push(xref);
    return { original, update: concat(parts, offset - original.length), bodyOffsets };
  }

  private size(extra: number): number {
    return Math.max(this.next + extra, this.file.nextObjectNumber);
  }

  private trailerEntries(size: number): string {
    const t = this.file.trailer;
    let text = `/Size ${size} /Root ${t.root.toString()} /Prev ${t.xrefOffset}`;
    if (t.info) text += ` /Info ${t.info.toString()}`;
    if (t.id) text += ` /ID ${idString(t.id)}`;
    return text;
  }

  private classicSection(entries: XrefEntry[], xrefOffset: number): Uint8Array {
    let text = 'xref\n';
    for (const run of subsections(entries)) {
      text += `${run[0]!.num} ${run.length}\n`;
      for (const e of run) text += `${pad(e.offset, 10)} ${pad(e.gen, 5)} n\r\n`;
    }
    text += `trailer\n<< ${this.trailerEntries(this.size(0))} >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
    return ascii(text);
  }

  /** An uncompressed /Type /XRef stream that also lists itself. */
  private xrefStream(entries: XrefEntry[], xrefOffset: number): Uint8Array {
    const self = this.allocate();
    const all = [...entries, { num: self.objectNumber, gen: 0, offset: xrefOffset }];
    const offsetWidth = xrefOffset > 0xffffffff ? 8 : 4;
    const rowLength = 1 + offsetWidth + 2;
    const data = new Uint8Array(all.length * rowLength);
    all.forEach((e, i) => {
      const row = i * rowLength;
      data[row] = 1;
      writeBigEndian(data, row + 1, offsetWidth, e.offset);
      writeBigEndian(data, row + 1 + offsetWidth, 2, e.gen);
    });
    const index = subsections(all)
      .map((run) => `${run[0]!.num} ${run.length}`)
      .join(' ');
    const dict =
      `<< /Type /XRef ${this.trailerEntries(this.size(0))} /Index [${index}] /W [1 ${offsetWidth} 2] ` +
      `/Length ${data.length} >>`;
    return concat([
      ascii(`${self.objectNumber} 0 obj\n${dict}\nstream\n`),
      data,
      ascii(`\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`),
    ]);
  }
}

type XrefEntry = { num: number; gen: number; offset: number };

function subsections(entries: XrefEntry[]): XrefEntry[][] {
  const sorted = [...entries].sort((a, b) => a.num - b.num);
  const runs: XrefEntry[][] = [];
  for (const e of sorted) {
    const run = runs[runs.length - 1];
    const last = run?.[run.length - 1];
    if (run && last && last.num + 1 === e.num) run.push(e);
    else runs.push([e]);
  }
  return runs;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function writeBigEndian(out: Uint8Array, at: number, width: number, value: number): void {
  let v = value;
  for (let i = width - 1; i >= 0; i--) {
    out[at + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

function idString(id: PDFArray): string {
  return `[${id
    .asArray()
    .map((o) => o.toString())
    .join(' ')}]`;
}

export function concat(parts: Uint8Array[], total?: number): Uint8Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  if (total !== undefined && total !== length) throw new RangeError('concat: total does not match');
  // every byte is overwritten below, so skip the zero fill (a 10 MB file costs ~1 ms to clear)
  const out = new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
