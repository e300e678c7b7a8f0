import { AppError } from '../../errors/app-error.js';
import { LibraryError } from '../../errors/library-error.js';
import { loadPdf } from '../../lib/pdf/index.js';

const WHY: Record<string, string> = {
  PDF_EMPTY: 'Tệp rỗng (0 byte).',
  PDF_NOT_PDF: 'Tệp không phải PDF (không có phần đầu %PDF-).',
  PDF_TRUNCATED: 'Tệp PDF bị cắt cụt (thiếu phần cuối startxref/%%EOF); hãy tải lên tệp đầy đủ.',
  PDF_MALFORMED: 'Tệp PDF bị hỏng, không đọc được cấu trúc.',
  PDF_ENCRYPTED:
    'Tệp PDF được mã hóa (đặt mật khẩu); trục không ký số được tệp mã hóa. Hãy gỡ mã hóa rồi tải lên lại.',
};

/**
 * Decides whether bytes are a PDF the hub can keep and sign, by parsing them (never by the
 * client's MIME type or file name). Any problem becomes a 422 with a Vietnamese reason.
 */
export async function assertUsablePdf(bytes: Uint8Array): Promise<void> {
  try {
    await loadPdf(bytes);
  } catch (err) {
    if (!(err instanceof LibraryError)) throw err;
    const why = WHY[err.code] ?? `Tệp PDF không hợp lệ (${err.message}).`;
    throw new AppError('UNPROCESSABLE', why, { reason: err.code });
  }
}

const FALLBACK_NAME = 'van-ban.pdf';
const MAX_NAME = 150;

/**
 * A file name safe to store and to send back in content-disposition: no directories, no control
 * or format characters, no characters Windows refuses; Vietnamese letters kept, NFC, ends in .pdf.
 */
export function sanitizeFileName(name: string | undefined): string {
  const base = (name ?? '').normalize('NFC').split(/[\\/]/).pop() ?? '';
  let clean = base
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '');
  if (!/\.pdf$/i.test(clean)) clean = clean ? `${clean}.pdf` : '';
  const chars = Array.from(clean);
  if (chars.length > MAX_NAME)
    clean = `${chars
      .slice(0, MAX_NAME - 4)
      .join('')
      .trimEnd()}.pdf`;

  return clean.length > 4 ? clean : FALLBACK_NAME;
}
