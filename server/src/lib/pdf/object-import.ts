import { PDFArray, PDFContext, PDFDict, PDFObject, PDFRawStream, PDFRef, PDFStream } from 'pdf-lib';
import type { IncrementalUpdate } from './incremental-writer.js';

/**
 * Copies objects built in a throwaway pdf-lib context (fonts, images) into an incremental update,
 * renumbering every reference into the target file's free object numbers.
 */
export class ObjectImporter {
  private readonly map = new Map<string, PDFRef>();

  constructor(
    private readonly source: PDFContext,
    private readonly target: PDFContext,
    private readonly update: IncrementalUpdate,
  ) {}

  importRef(ref: PDFRef): PDFRef {
    const known = this.map.get(ref.tag);
    if (known) return known;
    const fresh = this.update.allocate();
    this.map.set(ref.tag, fresh);
    const obj = this.source.lookup(ref);
    if (obj) this.update.set(fresh, this.copy(obj));
    return fresh;
  }

  copy(obj: PDFObject): PDFObject {
    if (obj instanceof PDFRef) return this.importRef(obj);
    if (obj instanceof PDFDict) return this.copyDict(obj);
    if (obj instanceof PDFArray) {
      const arr = this.target.obj([]);
      for (const item of obj.asArray()) arr.push(this.copy(item));
      return arr;
    }
    if (obj instanceof PDFStream)
      return PDFRawStream.of(this.copyDict(obj.dict), obj.getContents());
    return obj;
  }

  private copyDict(dict: PDFDict): PDFDict {
    const out = this.target.obj({});
    for (const [key, value] of dict.entries()) out.set(key, this.copy(value));
    return out;
  }
}
