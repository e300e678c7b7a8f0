import * as pkijs from 'pkijs';
import type { TProposedPlacement } from '../../contracts/signing.js';
import {
  copyLines,
  copyAppearance,
  imageAppearance,
  measureText,
  pngAspect,
  textAppearance,
  type Rect,
} from '../pdf/appearance.js';
import { readName } from '../pki/names.js';
import { withPdf } from '../pdf/lazy-pdf-file.js';
import { pageCount } from '../pdf/pages.js';
import type { PdfFile } from '../pdf/pdf-file.js';
import type { AppearanceContext, AppearanceFactory } from './options.js';
import { placeAppearance, type Placement, type PlacementKind, type Shape } from './placement.js';

/** The caller's own position: 0-based page and a box in the reader's frame (points from the bottom left of the page as displayed). */
type Where = { pageIndex?: number; box?: Rect };

/**
 * Decree 30 (DOMAIN.md §2.3) visible signatures, placed by pades/placement.ts unless `box` is given:
 * - 'signer': the leader's signature image between the signer block's title and name; without an
 *   image, "Ký bởi: <name> / <organization> / Thời gian ký: …" in Tinos;
 * - 'seal': the organisation's seal image over the left third of the leader's signature (already on
 *   the page, or `signatureImage` drawn in the same appearance); without an image, the text;
 * - 'copy': no image, number/notation + signing time (ISO 8601, +07:00), top right of page 1.
 */
export type AppearanceSpec =
  | ({ kind: 'signer'; signatureImage?: Uint8Array } & Where)
  | ({ kind: 'seal'; sealImage?: Uint8Array; signatureImage?: Uint8Array } & Where)
  | ({ kind: 'copy'; numberNotation: string; extraLine?: string } & Where);

/** dd/MM/yyyy HH:mm:ss in Vietnam time, as Vietnamese signing software prints it. */
export function vietnamTime(date: Date): string {
  const t = new Date(date.getTime() + 7 * 3600_000).toISOString();
  return `${t.slice(8, 10)}/${t.slice(5, 7)}/${t.slice(0, 4)} ${t.slice(11, 19)}`;
}

/** Name and organization of the signer certificate (CN, O); empty when unreadable. */
export function signerNames(certificate: Uint8Array | undefined): {
  name: string;
  organization: string;
} {
  if (!certificate) return { name: '', organization: '' };
  try {
    const cert = pkijs.Certificate.fromBER(certificate);
    const dn = readName(cert.subject);
    return { name: dn.commonName ?? '', organization: dn.organization ?? '' };
  } catch {
    return { name: '', organization: '' };
  }
}

/** "Ký bởi: …" lines of an appearance without an image. */
export function signedByLines(
  names: { name: string; organization: string },
  signingTime: Date,
): string[] {
  return [
    `Ký bởi: ${names.name || '(không rõ)'}`,
    ...(names.organization ? [names.organization] : []),
    `Thời gian ký: ${vietnamTime(signingTime)}`,
  ];
}

const IMAGE_MIN_HEIGHT = 16;

/** The shape of an image appearance of width/height `aspect` (for 'seal' with a signature: the pair). */
export function imageShapeFor(kind: PlacementKind, aspect: number): Shape {
  if (kind === 'seal')
    // a round seal is 35–40 mm; scaled to the room there is
    return { aspect, height: 100, minHeight: IMAGE_MIN_HEIGHT, maxWidth: 300 };
  return { aspect, height: 70, minHeight: IMAGE_MIN_HEIGHT, maxWidth: 220 };
}

function imageShape(spec: AppearanceSpec): Shape | undefined {
  if (spec.kind === 'signer' && spec.signatureImage)
    return imageShapeFor('signer', pngAspect(spec.signatureImage));
  if (spec.kind === 'seal' && spec.sealImage && spec.signatureImage) {
    // imageAppearance: the seal a square of the box's height, the signature's left third under it
    const aspect = pngAspect(spec.sealImage) + (2 / 3) * pngAspect(spec.signatureImage);
    return { aspect, height: 80, minHeight: IMAGE_MIN_HEIGHT, maxWidth: 300 };
  }
  if (spec.kind === 'seal' && spec.sealImage)
    return imageShapeFor('seal', pngAspect(spec.sealImage));
  return undefined;
}

/** Text shape: 9 pt preferred (copy: 10 pt, as Decree 30 asks), down to 5 pt. */
export async function textShapeFor(kind: PlacementKind, lines: string[]): Promise<Shape> {
  const ref = await measureText(lines);
  return {
    aspect: ref.w / ref.h,
    height: ref.h * (kind === 'copy' ? 1 : 0.9),
    minHeight: ref.h * 0.5,
    text: true,
  };
}

/** Where `spec` would go on `file` and, for text appearances, the lines it shows. */
export async function planAppearance(
  file: PdfFile,
  spec: AppearanceSpec,
  signingTime: Date,
  context?: AppearanceContext,
): Promise<{ placement: Placement; lines?: string[] }> {
  const explicit = spec.box ? { pageIndex: spec.pageIndex ?? 0, box: toBox(spec.box) } : undefined;
  const lines =
    spec.kind === 'copy'
      ? copyLines(signingTime, spec)
      : imageShape(spec)
        ? undefined
        : signedByLines(signerNames(context?.signerCertificate), signingTime);
  const shape = lines ? await textShapeFor(spec.kind, lines) : imageShape(spec)!;
  const placement = await placeAppearance(file, {
    kind: spec.kind,
    shape,
    ...(explicit ? { explicit } : {}),
  });
  return { placement, ...(lines ? { lines } : {}) };
}

export function appearanceFactory(spec: AppearanceSpec): AppearanceFactory {
  return async (file, signingTime, context) => {
    const { placement, lines } = await planAppearance(file, spec, signingTime, context);
    const { x, y, w, h } = placement.box;
    const where = { pageIndex: placement.layout.index, box: [x, y, w, h] as Rect };
    if (spec.kind === 'copy')
      return copyAppearance(file, signingTime, {
        numberNotation: spec.numberNotation,
        ...(spec.extraLine ? { extraLine: spec.extraLine } : {}),
        ...where,
      });
    if (lines) return textAppearance(file, { lines, align: 'left', ...where });
    return imageAppearance(file, {
      ...where,
      ...(spec.kind === 'seal'
        ? {
            sealImage: spec.sealImage,
            ...(spec.signatureImage ? { signatureImage: spec.signatureImage } : {}),
          }
        : { signatureImage: spec.signatureImage }),
    });
  };
}

/** A proposed position for the signing dialog: the HTTP contract's answer, which this computes. */
export type ProposedPlacement = TProposedPlacement;

/** Where an appearance of `shape` would go on `pdf` (or whether the caller's box passes). */
export async function proposePlacement(
  pdf: Uint8Array,
  kind: PlacementKind,
  shape: Shape,
  explicit?: { pageIndex: number; box: Rect },
): Promise<ProposedPlacement> {
  return withPdf(pdf, async (file) => {
    const { layout, box, how } = await placeAppearance(file, {
      kind,
      shape,
      ...(explicit
        ? { explicit: { pageIndex: explicit.pageIndex, box: toBox(explicit.box) } }
        : {}),
    });
    const r = (v: number) => Math.round(v * 100) / 100;
    return {
      page: layout.index + 1,
      x: r(box.x),
      y: r(box.y),
      width: r(box.w),
      height: r(box.h),
      pageWidth: r(layout.width),
      pageHeight: r(layout.height),
      pageCount: pageCount(file),
      how,
    };
  });
}

function toBox([x, y, w, h]: Rect) {
  return { x, y, w, h };
}
