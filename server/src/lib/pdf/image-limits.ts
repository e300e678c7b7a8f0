import { PdfError } from './pdf-error.js';

/**
 * Caps for signature and seal images. A PNG of a few KB (zlib of zeros) can declare 30000×30000
 * pixels; decoding it (pdf-lib expands every PNG to RGBA) would take gigabytes, so the declared
 * size is read from the header and checked before anything is decoded. A scanned seal or a
 * signature needs far less than these.
 */
export const IMAGE_LIMITS = {
  /** Bytes of the file itself. */
  maxBytes: 4 * 1024 * 1024,
  /** Width and height each. */
  maxSide: 4000,
  /** width × height. */
  maxPixels: 16_000_000,
} as const;

export type ImageHeader = { format: 'png' | 'jpeg'; width: number; height: number };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function u16(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}

function u32(b: Uint8Array, at: number): number {
  return u16(b, at) * 0x10000 + u16(b, at + 2);
}

/** PNG: the signature, then IHDR must be the first chunk (ISO/IEC 15948 §5.6). */
function pngHeader(b: Uint8Array): ImageHeader | null {
  if (!PNG_SIGNATURE.every((v, i) => b[i] === v)) return null;
  const ihdr = String.fromCharCode(...b.subarray(12, 16));
  if (b.length < 24 || ihdr !== 'IHDR') {
    throw new PdfError('PDF_IMAGE_INVALID', 'Ảnh PNG không có phần đầu IHDR hợp lệ.');
  }

  return { format: 'png', width: u32(b, 16), height: u32(b, 20) };
}

/** JPEG SOF0–SOF15 (not DHT C4, JPG C8, DAC CC) markers carry the frame's height and width. */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** JPEG: walk the marker segments up to the first SOFn, never into the entropy-coded data. */
function jpegHeader(b: Uint8Array): ImageHeader | null {
  if (b[0] !== 0xff || b[1] !== 0xd8) return null;
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) break;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    const length = u16(b, at + 2);
    if (SOF.has(marker)) {
      if (at + 9 > b.length) break;
      return { format: 'jpeg', height: u16(b, at + 5), width: u16(b, at + 7) };
    }
    if (marker === 0xd9 || marker === 0xda || length < 2) break; // EOI / scan before any frame
    at += 2 + length;
  }
  throw new PdfError('PDF_IMAGE_INVALID', 'Ảnh JPEG không có phần khai báo kích thước (SOF).');
}

/** Declared format and size of a PNG or JPEG, read from its header only; null for other data. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  return pngHeader(bytes) ?? jpegHeader(bytes);
}

/**
 * Refuses an image whose file or declared pixel size is over IMAGE_LIMITS (PDF_IMAGE_TOO_LARGE),
 * reading the header only. Data that is neither PNG nor JPEG is left to the decoder to refuse.
 */
export function checkImageLimits(bytes: Uint8Array, what = 'Ảnh'): void {
  const { maxBytes, maxSide, maxPixels } = IMAGE_LIMITS;
  if (bytes.length > maxBytes) {
    throw new PdfError(
      'PDF_IMAGE_TOO_LARGE',
      `${what}: tệp ${bytes.length} byte, vượt quá ${maxBytes} byte cho phép.`,
    );
  }
  const header = readImageHeader(bytes);
  if (!header) return;
  const { width, height } = header;
  if (width === 0 || height === 0) {
    throw new PdfError('PDF_IMAGE_INVALID', `${what}: kích thước ${width}×${height} không hợp lệ.`);
  }
  if (width > maxSide || height > maxSide || width * height > maxPixels) {
    throw new PdfError(
      'PDF_IMAGE_TOO_LARGE',
      `${what}: khai báo ${width}×${height} điểm ảnh, vượt quá giới hạn ${maxSide}×${maxSide} và ${maxPixels / 1_000_000} triệu điểm ảnh.`,
    );
  }
}
