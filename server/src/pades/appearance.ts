import { copyAppearance, imageAppearance, type Rect } from '../pdf/appearance.js';
import type { AppearanceFactory } from './options.js';

/**
 * Decree 30 (DOMAIN.md §2.3) visible signatures:
 * - 'signer': the leader's signature image in the signer block;
 * - 'seal': the organisation's seal image, overlapping the left third of `signatureImage` when given;
 * - 'copy': no image, number/notation + signing time (ISO 8601, +07:00), 10 pt, top right of page 1.
 */
export type AppearanceSpec =
  | { kind: 'signer'; signatureImage: Uint8Array; pageIndex?: number; box?: Rect }
  | {
      kind: 'seal';
      sealImage: Uint8Array;
      signatureImage?: Uint8Array;
      pageIndex?: number;
      box?: Rect;
    }
  | { kind: 'copy'; numberNotation: string; extraLine?: string };

export function appearanceFactory(spec: AppearanceSpec): AppearanceFactory {
  return (file, signingTime) => {
    if (spec.kind === 'copy') {
      return copyAppearance(file, signingTime, {
        numberNotation: spec.numberNotation,
        ...(spec.extraLine ? { extraLine: spec.extraLine } : {}),
      });
    }
    return imageAppearance(file, {
      ...(spec.pageIndex !== undefined ? { pageIndex: spec.pageIndex } : {}),
      ...(spec.box ? { box: spec.box } : {}),
      ...(spec.kind === 'seal'
        ? {
            sealImage: spec.sealImage,
            ...(spec.signatureImage ? { signatureImage: spec.signatureImage } : {}),
          }
        : { signatureImage: spec.signatureImage }),
    });
  };
}
