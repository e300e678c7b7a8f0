import { deflateSync } from 'node:zlib';

/** PNG "Up" predictor rows (what qpdf and Acrobat write for xref streams, /Predictor 12). */
function pngUp(data: Buffer, columns: number): Buffer {
  const rows = data.length / columns;
  const out = Buffer.alloc(rows * (columns + 1));
  for (let r = 0; r < rows; r++) {
    out[r * (columns + 1)] = 2;
    for (let i = 0; i < columns; i++) {
      const up = r > 0 ? data[(r - 1) * columns + i]! : 0;
      out[r * (columns + 1) + 1 + i] = (data[r * columns + i]! - up) & 0xff;
    }
  }
  return out;
}

/**
 * A hand-made hybrid-reference file (ISO 32000-1 §7.5.8.4): a classic table for the objects at
 * offsets, and a /XRefStm stream (Flate + PNG predictor) for the page, which lives in an object
 * stream. `padding` bytes of spaces inflate the object stream (a decompression-bomb shape).
 */
export function hybridPdf(padding = 0): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.5\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets = new Map<number, number>();
  let at = parts[0]!.length;
  const add = (num: number, body: Buffer | string): void => {
    offsets.set(num, at);
    const chunk = Buffer.concat([
      Buffer.from(`${num} 0 obj\n`, 'latin1'),
      typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
      Buffer.from('\nendobj\n', 'latin1'),
    ]);
    parts.push(chunk);
    at += chunk.length;
  };
  const stream = (dict: string, data: Buffer): Buffer =>
    Buffer.concat([
      Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'),
      data,
      Buffer.from('\nendstream', 'latin1'),
    ]);
  add(1, '<< /Type /Catalog /Pages 2 0 R >>');
  add(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  const content = Buffer.from('BT /F1 12 Tf 20 100 Td ET', 'latin1');
  add(4, stream('', content));
  const page =
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << >> >>' +
    ' '.repeat(padding);
  const head = '3 0 ';
  add(
    6,
    stream(
      `/Type /ObjStm /N 1 /First ${head.length} /Filter /FlateDecode`,
      deflateSync(Buffer.from(head + page, 'latin1')),
    ),
  );
  const xrefStmAt = at;
  const rows = Buffer.from([2, 0, 6, 0]); // object 3: type 2, in stream 6, index 0
  add(
    7,
    stream(
      '/Type /XRef /Size 8 /Index [3 1] /W [1 2 1] /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >>',
      deflateSync(pngUp(rows, 4)),
    ),
  );
  const tableAt = at;
  const entry = (n: number): string =>
    offsets.has(n)
      ? `${String(offsets.get(n)).padStart(10, '0')} 00000 n\r\n`
      : `0000000000 ${n === 0 ? 65535 : '00000'} f\r\n`;
  let table = 'xref\n0 8\n';
  for (let n = 0; n < 8; n++) table += entry(n);
  table += `trailer\n<< /Size 8 /Root 1 0 R /XRefStm ${xrefStmAt} >>\nstartxref\n${tableAt}\n%%EOF\n`;
  parts.push(Buffer.from(table, 'latin1'));
  return Buffer.concat(parts);
}
