import type { TAppearance } from '../../contracts/signing.js';
import { AppError } from '../../errors/app-error.js';
import { LibraryError } from '../../errors/library-error.js';
import { checkImageLimits } from '../../lib/pdf/image-limits.js';
import {
  appearanceFactory,
  type AppearanceFactory,
  type AppearanceSpec,
} from '../../lib/pades/index.js';

function png(b64: string | undefined, what: string): Uint8Array | undefined {
  if (!b64) return undefined;
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

  // a page without a box means nothing: the hub places the appearance itself
  return box ? { pageIndex: (a.page ?? 1) - 1, box } : {};
}

/**
 * The request's appearance as a PAdES appearance factory; undefined = invisible signature. With
 * no box the engine places it (pades/placement.ts); a box is checked by the same rules (422).
 */
export function toAppearance(
  a: TAppearance | undefined,
  codeLabel: string,
  signerName: string,
): AppearanceFactory | undefined {
  if (!a || a.mode === 'invisible') return undefined;
  let spec: AppearanceSpec;
  if (a.mode === 'copy') {
    spec = {
      kind: 'copy',
      numberNotation: `Số: ${codeLabel}`,
      extraLine: signerName,
      ...placement(a),
    };
  } else if (a.mode === 'signer') {
    const signatureImage = png(a.image, 'ảnh chữ ký');
    spec = { kind: 'signer', ...(signatureImage ? { signatureImage } : {}), ...placement(a) };
  } else {
    const sealImage = png(a.image, 'ảnh con dấu');
    const signatureImage = png(a.signatureImage, 'ảnh chữ ký');
    spec = {
      kind: 'seal',
      ...(sealImage ? { sealImage } : {}),
      ...(signatureImage ? { signatureImage } : {}),
      ...placement(a),
    };
  }

  return appearanceFactory(spec);
}
