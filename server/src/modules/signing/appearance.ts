import type { TAppearance } from '../../contracts/signing.js';
import { AppError } from '../../errors/app-error.js';
import { LibraryError } from '../../errors/library-error.js';
import { checkImageLimits } from '../../pdf/image-limits.js';
import {
  appearanceFactory,
  type AppearanceFactory,
  type AppearanceSpec,
} from '../../pades/index.js';

function png(b64: string | undefined, what: string): Uint8Array {
  if (!b64)
    throw new AppError('VALIDATION_FAILED', `Chế độ hiển thị này cần ${what} (PNG, base64).`);

  const bytes = new Uint8Array(Buffer.from(b64, 'base64'));
  // a few KB can declare 30000×30000 pixels: refused from the header, before any decoding
  try {
    checkImageLimits(bytes, what[0]!.toUpperCase() + what.slice(1));
  } catch (err) {
    if (err instanceof LibraryError)
      throw new AppError('UNPROCESSABLE', err.message, { reason: err.code });
    throw err;
  }

  return bytes;
}

function placement(a: TAppearance) {
  const box =
    a.x !== undefined && a.y !== undefined && a.width !== undefined && a.height !== undefined
      ? ([a.x, a.y, a.width, a.height] as [number, number, number, number])
      : undefined;

  return { ...(a.page ? { pageIndex: a.page - 1 } : {}), ...(box ? { box } : {}) };
}

/** The request's appearance as a PAdES appearance factory; undefined = invisible signature. */
export function toAppearance(
  a: TAppearance | undefined,
  codeLabel: string,
  signerName: string,
): AppearanceFactory | undefined {
  if (!a || a.mode === 'invisible') return undefined;
  let spec: AppearanceSpec;
  if (a.mode === 'copy') {
    spec = { kind: 'copy', numberNotation: `Số: ${codeLabel}`, extraLine: signerName };
  } else if (a.mode === 'signer') {
    spec = { kind: 'signer', signatureImage: png(a.image, 'ảnh chữ ký'), ...placement(a) };
  } else {
    spec = {
      kind: 'seal',
      sealImage: png(a.image, 'ảnh con dấu'),
      ...(a.signatureImage ? { signatureImage: png(a.signatureImage, 'ảnh chữ ký') } : {}),
      ...placement(a),
    };
  }

  return appearanceFactory(spec);
}
