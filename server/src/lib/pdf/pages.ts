import { PDFArray, PDFDict, PDFName, PDFNumber, PDFRef } from 'pdf-lib';
import { firstPage, type PdfFile } from './pdf-file.js';
import { PdfError } from './pdf-error.js';
import { lookupAs } from './signature-field.js';

/** Page `index` (0-based) of the file: its reference and dictionary. */
export function pageAt(file: PdfFile, index: number | undefined): { ref: PDFRef; dict: PDFDict } {
  if (!index) return firstPage(file);
  const ref = pageByCount(file, index) ?? allPageRefs(file)[index];
  if (!ref) throw new PdfError('PDF_NO_SUCH_PAGE', `The PDF has no page ${index + 1}.`);
  return { ref, dict: lookupAs(file, ref, 'dict', `Page ${index + 1}`) };
}

const isPage = (dict: PDFDict): boolean =>
  dict.get(PDFName.of('Type')) === PDFName.of('Page') || !dict.has(PDFName.of('Kids'));

/**
 * Page `index` found by skipping whole subtrees with their /Count: on a lazily read file this
 * reads one branch of the page tree instead of every page dictionary. Undefined when the counts
 * do not add up (then the full walk decides).
 */
function pageByCount(file: PdfFile, index: number): PDFRef | undefined {
  let node = file.context.lookup(file.catalog.get(PDFName.of('Pages')));
  let remaining = index;
  for (let depth = 0; node instanceof PDFDict && depth < 64; depth++) {
    const kids = file.context.lookup(node.get(PDFName.of('Kids')));
    if (!(kids instanceof PDFArray)) return undefined;
    const leaf = flatLeaf(file, node, kids, remaining);
    if (leaf) return leaf;
    let next: PDFDict | undefined;
    for (const kid of kids.asArray()) {
      const dict = file.context.lookup(kid);
      if (!(kid instanceof PDFRef) || !(dict instanceof PDFDict)) continue;
      if (isPage(dict)) {
        if (remaining === 0) return kid;
        remaining--;
        continue;
      }
      const count = dict.get(PDFName.of('Count'));
      if (!(count instanceof PDFNumber)) return undefined;
      if (remaining < count.asNumber()) {
        next = dict;
        break;
      }
      remaining -= count.asNumber();
    }
    if (!next) return undefined;
    node = next;
  }
  return undefined;
}

/**
 * A node whose /Count equals its number of kids usually holds pages only (Ghostscript and most
 * writers make one flat node): then kid `index` is read directly, if it is indeed a page.
 */
function flatLeaf(file: PdfFile, node: PDFDict, kids: PDFArray, index: number): PDFRef | undefined {
  const count = node.get(PDFName.of('Count'));
  if (!(count instanceof PDFNumber) || count.asNumber() !== kids.size()) return undefined;
  const kid = kids.get(index);
  const dict = file.context.lookup(kid);
  return kid instanceof PDFRef && dict instanceof PDFDict && isPage(dict) ? kid : undefined;
}

/** Page references in order, walking the whole tree. */
function allPageRefs(file: PdfFile): PDFRef[] {
  const out: PDFRef[] = [];
  // a hostile /Kids cycle ([2 0 R 2 0 R]) would otherwise cost 2^depth visits
  const seen = new Set<string>();
  const visit = (node: PDFDict, depth: number): void => {
    const kids = file.context.lookup(node.get(PDFName.of('Kids')));
    for (const kid of kids instanceof PDFArray ? kids.asArray() : []) {
      const dict = file.context.lookup(kid);
      if (!(kid instanceof PDFRef) || !(dict instanceof PDFDict) || depth > 64) continue;
      if (seen.has(kid.tag)) continue;
      seen.add(kid.tag);
      if (dict.get(PDFName.of('Type')) === PDFName.of('Page')) out.push(kid);
      else visit(dict, depth + 1);
    }
  };
  const root = file.context.lookup(file.catalog.get(PDFName.of('Pages')));
  if (root instanceof PDFDict) visit(root, 0);
  return out;
}

/** Number of pages: the root's /Count when it is a sane number, else a full walk. */
export function pageCount(file: PdfFile): number {
  const root = file.context.lookup(file.catalog.get(PDFName.of('Pages')));
  const count = root instanceof PDFDict ? root.get(PDFName.of('Count')) : undefined;
  if (count instanceof PDFNumber && Number.isInteger(count.asNumber()) && count.asNumber() > 0)
    return count.asNumber();
  return allPageRefs(file).length;
}
