/**
 * Real-world PDFs for signing tests, produced by real tools (Ghostscript, qpdf, LibreOffice when
 * installed) once and cached under os.tmpdir(). Each entry says how the file was made.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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
  | 'encrypted-user-password'
  | 'decree30-soffice'
  | 'decree30-word';

export type CorpusEntry = { name: CorpusName; path: string; howMade: string };

const VERSION = 'v4';
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

/**
 * A Decree 30 official letter as offices write it (Phụ lục I): "Nơi nhận" on the left and the
 * signer block on the right of a borderless two-column table, four blank lines for the signature
 * between the title lines and the name.
 */
const DECREE30_BODY = [
  'Thực hiện Nghị định số 30/2020/NĐ-CP về công tác văn thư, Cục Chuyển đổi số đề nghị các đơn vị',
  'triển khai ký số văn bản điện tử và gửi nhận qua trục liên thông trước ngày 15 tháng 02 năm 2026.',
  'Trong quá trình thực hiện, nếu có vướng mắc, đề nghị phản ánh về Văn phòng Cục để tổng hợp.',
];
const DECREE30_RECEIVERS = ['Nơi nhận:', '- Như trên;', '- Cục trưởng (để b/c);', '- Lưu: VT, VP.'];
const DECREE30_SIGNER = ['KT. CỤC TRƯỞNG', 'PHÓ CỤC TRƯỞNG', '', '', '', '', 'Trần Thị Bình'];

function decree30Fodt(): string {
  const p = (t: string, style = 'P') => `<text:p text:style-name="${style}">${t}</text:p>`;
  const cell = (lines: string[], style: string) =>
    `<table:table-cell>${lines.map((l) => p(l, style)).join('')}</table:table-cell>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
<office:automatic-styles>
 <style:style style:name="P" style:family="paragraph"><style:text-properties fo:font-size="13pt"/></style:style>
 <style:style style:name="C" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/><style:text-properties fo:font-size="13pt" fo:font-weight="bold"/></style:style>
 <style:style style:name="L" style:family="paragraph"><style:text-properties fo:font-size="11pt"/></style:style>
</office:automatic-styles>
<office:body><office:text>
${p('CỤC CHUYỂN ĐỔI SỐ — Số: 45/CĐS-VP', 'P')}
${p('Hà Nội, ngày 05 tháng 01 năm 2026', 'C')}
${p('Kính gửi: Các đơn vị trực thuộc.', 'P')}
${DECREE30_BODY.map((l) => p(l)).join('\n')}
<table:table table:name="Ky"><table:table-column table:number-columns-repeated="2"/>
<table:table-row>${cell(DECREE30_RECEIVERS, 'L')}${cell(DECREE30_SIGNER, 'C')}</table:table-row>
</table:table>
</office:text></office:body></office:document>`;
}

/** The same letter laid out as Word exports it: Tinos (metric twin of Times New Roman), two columns. */
async function writeDecree30Word(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(readFileSync(tinosPath()), { subset: false });
  const bold = await doc.embedFont(readFileSync(tinosPath('700Bold')), { subset: false });
  const page = doc.addPage([595.28, 841.89]);
  const centred = (t: string, cx: number, y: number, f = bold, size = 13) =>
    page.drawText(t, { x: cx - f.widthOfTextAtSize(t, size) / 2, y, size, font: f });
  centred('BỘ KHOA HỌC VÀ CÔNG NGHỆ', 160, 780, font);
  centred('CỤC CHUYỂN ĐỔI SỐ', 160, 764);
  centred('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 400, 780, bold, 12);
  centred('Độc lập - Tự do - Hạnh phúc', 400, 764);
  centred('Số: 45/CĐS-VP', 160, 736, font);
  centred('Hà Nội, ngày 05 tháng 01 năm 2026', 400, 736, font);
  page.drawText('Kính gửi: Các đơn vị trực thuộc.', { x: 85, y: 690, size: 13, font });
  DECREE30_BODY.forEach((l, i) => page.drawText(l, { x: 85, y: 660 - i * 19, size: 11.5, font }));
  DECREE30_RECEIVERS.forEach((l, i) =>
    page.drawText(l, { x: 85, y: 560 - i * 15, size: i ? 11 : 12, font: i ? font : bold }),
  );
  DECREE30_SIGNER.forEach((l, i) => l && centred(l, 420, 560 - i * 18));
  return doc.save({ useObjectStreams: false });
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
  // not through Ghostscript: its pdfwrite drops this font's ToUnicode, and a letter whose text
  // cannot be extracted is not what Word produces
  writeFileSync(p('decree30-word.pdf'), await writeDecree30Word());
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
    writeFileSync(p('decree30.fodt'), decree30Fodt());
    tool('soffice', [
      profile,
      '--headless',
      '--convert-to',
      'pdf',
      '--outdir',
      dir,
      p('decree30.fodt'),
    ]);
    renameSync(p('decree30.pdf'), p('decree30-soffice.pdf'));
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
  'decree30-soffice': 'Decree 30 letter (two-column Nơi nhận / signer block table) by LibreOffice',
  'decree30-word': 'Decree 30 letter laid out as Word exports it (Tinos, two columns, ToUnicode)',
};

let ready: Promise<void> | undefined;

const COMPLETE = join(CORPUS_DIR, 'complete');
const LOCK = `${CORPUS_DIR}.lock`;

/** The lock's owner has ended (or never wrote its pid, seconds ago). */
function stale(): boolean {
  try {
    const pid = Number(readFileSync(LOCK, 'utf8'));
    if (!pid) return Date.now() - statSync(LOCK).mtimeMs > 10_000;
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * One builder per machine: test workers start together, and on a fresh machine each would
 * otherwise build the corpus (LibreOffice, Ghostscript) into the same folder, one deleting or
 * renaming the others' files. The lock file holds its owner's pid and is taken over when that
 * process is gone; the corpus is built aside and renamed into place whole.
 */
async function buildOnce(): Promise<void> {
  while (!existsSync(COMPLETE)) {
    try {
      writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
    } catch {
      if (stale()) rmSync(LOCK, { force: true });
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    const aside = `${CORPUS_DIR}.${process.pid}`;
    try {
      if (existsSync(COMPLETE)) return;
      mkdirSync(aside, { recursive: true });
      await build(aside);
      writeFileSync(join(aside, 'complete'), new Date().toISOString());
      rmSync(CORPUS_DIR, { recursive: true, force: true });
      renameSync(aside, CORPUS_DIR);
    } finally {
      // a failed build leaves no half-made folder behind (after the rename there is none)
      rmSync(aside, { recursive: true, force: true });
      rmSync(LOCK, { force: true });
    }
  }
}

/** Builds the corpus once per machine (a marker file tells a whole corpus from a half-built one). */
export async function corpus(): Promise<CorpusEntry[]> {
  ready ??= buildOnce();
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
