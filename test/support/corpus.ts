/**
 * Real-world PDFs for signing tests, produced by real tools (Ghostscript, qpdf, LibreOffice when
 * installed) once and cached under os.tmpdir(). Each entry says how the file was made.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, PDFName, rgb } from 'pdf-lib';

export type CorpusName =
  | 'letter-gs'
  | 'letter-objstm'
  | 'letter-linearized'
  | 'letter-classic-1.4'
  | 'letter-incremental'
  | 'letter-soffice'
  | 'report-60-pages'
  | 'images-10mb'
  | 'encrypted-empty-user'
  | 'encrypted-user-password';

export type CorpusEntry = { name: CorpusName; path: string; howMade: string };

const VERSION = 'v3';
export const CORPUS_DIR = join(tmpdir(), `lienthong-pdf-corpus-${VERSION}`);
const require = createRequire(import.meta.url);

export function tinosPath(style = '400Regular'): string {
  return join(
    dirname(require.resolve('@expo-google-fonts/tinos/package.json')),
    style,
    `Tinos_${style}.ttf`,
  );
}

const LETTER_LINES = [
  'ỦY BAN NHÂN DÂN TỈNH THANH HÓA          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
  'Số: 123/UBND-VP                                Độc lập - Tự do - Hạnh phúc',
  '                                       Thanh Hóa, ngày 05 tháng 01 năm 2026',
  'V/v triển khai liên thông văn bản điện tử',
  'Kính gửi: Các sở, ban, ngành cấp tỉnh.',
  'Thực hiện Nghị định số 30/2020/NĐ-CP về công tác văn thư, Ủy ban nhân dân tỉnh',
  'đề nghị các cơ quan, đơn vị khẩn trương triển khai ký số và gửi nhận văn bản',
  'điện tử qua trục liên thông; báo cáo kết quả trước ngày 15 tháng 02 năm 2026.',
  '                                               TM. ỦY BAN NHÂN DÂN',
  '                                                     CHỦ TỊCH',
  '                                                  Nguyễn Văn An',
];

async function writeLetter(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  // full font: pdf-lib's subsetter breaks Tinos glyphs; Ghostscript subsets it properly afterwards
  const font = await doc.embedFont(readFileSync(tinosPath()), { subset: false });
  for (let n = 0; n < pages; n++) {
    const page = doc.addPage([595.28, 841.89]);
    LETTER_LINES.forEach((line, i) =>
      page.drawText(line, { x: 60, y: 780 - i * 22, size: 12, font }),
    );
    if (pages > 1) page.drawText(`Trang ${n + 1} / ${pages}`, { x: 270, y: 40, size: 10, font });
    for (let i = 0; i < 20 && pages > 1; i++) {
      page.drawText(`Mục ${n + 1}.${i + 1}: nội dung báo cáo tình hình xử lý hồ sơ đúng hạn.`, {
        x: 60,
        y: 500 - i * 20,
        size: 11,
        font,
      });
    }
  }
  return doc.save({ useObjectStreams: false });
}

/** Pages of uncompressed random-noise RGB images (noise does not compress). */
async function writeNoiseImages(targetBytes: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const side = 1024;
  const count = Math.ceil(targetBytes / (side * side * 3));
  for (let i = 0; i < count; i++) {
    const image = doc.context.stream(randomBytes(side * side * 3), {
      Type: 'XObject',
      Subtype: 'Image',
      Width: side,
      Height: side,
      ColorSpace: 'DeviceRGB',
      BitsPerComponent: 8,
    });
    const ref = doc.context.register(image);
    const page = doc.addPage([595.28, 841.89]);
    page.node.setXObject(PDFName.of('Im0'), ref);
    page.pushOperators();
    const content = doc.context.stream(`q 500 0 0 500 47 170 cm /Im0 Do Q`);
    page.node.set(PDFName.of('Contents'), doc.context.register(content));
    page.drawRectangle({ x: 40, y: 700, width: 20, height: 20, color: rgb(0.8, 0, 0) });
  }
  return doc.save({ useObjectStreams: false });
}

function tool(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  // qpdf exits 3 for warnings, which still produce a usable file
  if (r.status !== 0 && !(cmd === 'qpdf' && r.status === 3)) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  }
}

/** Appends a hand-written incremental update (new /Info) so the file already has two revisions. */
function appendInfoUpdate(classic: Buffer): Buffer {
  const text = classic.toString('latin1');
  const prev = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)?.[1]);
  const size = Number(/\/Size\s+(\d+)/.exec(text.slice(text.lastIndexOf('trailer')))?.[1]);
  const root = /\/Root\s+(\d+\s+\d+\s+R)/.exec(text.slice(text.lastIndexOf('trailer')))?.[1];
  const body = `${size} 0 obj\n<< /Title (Cong van 123/UBND-VP) /Producer (corpus) >>\nendobj\n`;
  const objOffset = classic.length;
  const xrefOffset = objOffset + body.length;
  const xref =
    `xref\n${size} 1\n${String(objOffset).padStart(10, '0')} 00000 n\r\n` +
    `trailer\n<< /Size ${size + 1} /Root ${root} /Info ${size} 0 R /Prev ${prev} >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.concat([classic, Buffer.from(body + xref, 'latin1')]);
}

function fodt(): string {
  const paras = LETTER_LINES.map((l) => `<text:p>${l.trim()}</text:p>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"
 office:mimetype="application/vnd.oasis.opendocument.text">
<office:body><office:text>
${paras}
</office:text></office:body></office:document>`;
}

async function build(dir: string): Promise<void> {
  const p = (name: string): string => join(dir, name);
  writeFileSync(p('letter-src.pdf'), await writeLetter(1));
  tool('gs', [
    '-q',
    '-dNOPAUSE',
    '-dBATCH',
    '-sDEVICE=pdfwrite',
    `-sOutputFile=${p('letter-gs.pdf')}`,
    p('letter-src.pdf'),
  ]);
  tool('qpdf', ['--object-streams=generate', p('letter-gs.pdf'), p('letter-objstm.pdf')]);
  tool('qpdf', [
    '--linearize',
    '--object-streams=generate',
    p('letter-gs.pdf'),
    p('letter-linearized.pdf'),
  ]);
  tool('qpdf', [
    '--object-streams=disable',
    '--force-version=1.4',
    p('letter-gs.pdf'),
    p('letter-classic-1.4.pdf'),
  ]);
  writeFileSync(
    p('letter-incremental.pdf'),
    appendInfoUpdate(readFileSync(p('letter-classic-1.4.pdf'))),
  );
  writeFileSync(p('report-src.pdf'), await writeLetter(60));
  tool('gs', [
    '-q',
    '-dNOPAUSE',
    '-dBATCH',
    '-sDEVICE=pdfwrite',
    `-sOutputFile=${p('report-60-pages.pdf')}`,
    p('report-src.pdf'),
  ]);
  writeFileSync(p('images-src.pdf'), await writeNoiseImages(10.5 * 1024 * 1024));
  tool('qpdf', ['--object-streams=generate', p('images-src.pdf'), p('images-10mb.pdf')]);
  rmSync(p('images-src.pdf'));
  tool('qpdf', [
    '--encrypt',
    '',
    'owner',
    '256',
    '--',
    p('letter-gs.pdf'),
    p('encrypted-empty-user.pdf'),
  ]);
  tool('qpdf', [
    '--encrypt',
    'user-secret',
    'owner',
    '256',
    '--',
    p('letter-gs.pdf'),
    p('encrypted-user-password.pdf'),
  ]);
  if (hasSoffice()) {
    writeFileSync(p('letter.fodt'), fodt());
    const profile = `-env:UserInstallation=file://${p('lo-profile')}`;
    tool('soffice', [
      profile,
      '--headless',
      '--convert-to',
      'pdf',
      '--outdir',
      dir,
      p('letter.fodt'),
    ]);
    renameSync(p('letter.pdf'), p('letter-soffice.pdf'));
    rmSync(p('lo-profile'), { recursive: true, force: true });
  }
}

function hasSoffice(): boolean {
  return spawnSync('which', ['soffice']).status === 0;
}

const HOW: Record<CorpusName, string> = {
  'letter-gs': 'Vietnamese letter (Tinos) rewritten by Ghostscript pdfwrite',
  'letter-objstm': 'qpdf --object-streams=generate (xref stream)',
  'letter-linearized': 'qpdf --linearize (linearized, xref streams)',
  'letter-classic-1.4': 'qpdf --object-streams=disable --force-version=1.4 (classic xref table)',
  'letter-incremental': 'classic file plus one hand-written incremental update',
  'letter-soffice': 'LibreOffice --convert-to pdf of a .fodt letter',
  'report-60-pages': '60-page report through Ghostscript',
  'images-10mb': '≥10 MB of random-noise images, qpdf object streams',
  'encrypted-empty-user': 'qpdf AES-256, empty user password',
  'encrypted-user-password': 'qpdf AES-256 with user password "user-secret"',
};

let ready: Promise<void> | undefined;

/** Builds the corpus once (a marker file guards against half-built caches). */
export async function corpus(): Promise<CorpusEntry[]> {
  ready ??= (async () => {
    if (existsSync(join(CORPUS_DIR, 'complete'))) return;
    rmSync(CORPUS_DIR, { recursive: true, force: true });
    mkdirSync(CORPUS_DIR, { recursive: true });
    await build(CORPUS_DIR);
    writeFileSync(join(CORPUS_DIR, 'complete'), new Date().toISOString());
  })();
  await ready;
  return (Object.keys(HOW) as CorpusName[])
    .map((name) => ({ name, path: join(CORPUS_DIR, `${name}.pdf`), howMade: HOW[name] }))
    .filter((e) => existsSync(e.path));
}

export async function corpusBytes(name: CorpusName): Promise<Uint8Array> {
  const entry = (await corpus()).find((e) => e.name === name);
  if (!entry) throw new Error(`corpus file ${name} is not available on this machine`);
  return new Uint8Array(readFileSync(entry.path));
}

export const SIGNABLE: CorpusName[] = [
  'letter-gs',
  'letter-objstm',
  'letter-linearized',
  'letter-classic-1.4',
  'letter-incremental',
  'letter-soffice',
  'report-60-pages',
  'images-10mb',
];
