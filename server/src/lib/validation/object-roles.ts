/**
 * Assigns each indirect object of a revision the role it plays in rendering or in the form, by
 * walking from the catalog. Rendering roles are assigned first so that an object shared by a page
 * and, say, a signature appearance keeps the stricter page role.
 */
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFObject, PDFRef, PDFStream } from 'pdf-lib';
import { arrayOf, dictOf, nameOf } from './pdf-objects.js';

export type ObjectRole =
  | 'catalog'
  | 'pages-tree'
  | 'page'
  | 'page-content'
  | 'resources'
  | 'font'
  | 'xobject'
  | 'resource'
  | 'annots-array'
  | 'annotation'
  | 'annotation-appearance'
  | 'signature-widget'
  | 'signature-field'
  | 'signature-appearance'
  | 'signature-dict'
  | 'doc-timestamp'
  | 'form-field'
  | 'form-widget'
  | 'form-appearance'
  | 'acroform'
  | 'acroform-fields'
  | 'acroform-resources'
  | 'dss'
  | 'info'
  | 'metadata'
  | 'optional-content'
  | 'names-tree'
  | 'catalog-other'
  | 'structure'
  | 'unreferenced';

export interface RoleInfo {
  role: ObjectRole;
  page: number | null;
}

export type RoleMap = Map<string, RoleInfo>;

export const refKey = (ref: PDFRef): string => `${ref.objectNumber} ${ref.generationNumber}`;

class RoleWalker {
  readonly roles: RoleMap = new Map();
  constructor(private readonly doc: PDFDocument) {}

  /** Marks `obj` (if a reference) and returns its resolved value; null when already visited. */
  mark(obj: PDFObject | undefined, role: ObjectRole, page: number | null): PDFObject | null {
    if (obj instanceof PDFRef) {
      const key = refKey(obj);
      if (this.roles.has(key)) return null;
      this.roles.set(key, { role, page });
      return this.doc.context.lookup(obj) ?? null;
    }
    return obj ?? null;
  }

  /** Marks everything reachable from `obj` with `role` (for fonts, XObjects, DSS …). */
  deep(obj: PDFObject | undefined, role: ObjectRole, page: number | null): void {
    const v = this.mark(obj, role, page);
    if (!v) return;
    const dict = v instanceof PDFStream ? v.dict : v;
    if (dict instanceof PDFDict)
      for (const [k, child] of dict.entries())
        if (k.asString() !== '/Parent' && k.asString() !== '/P') this.deep(child, role, page);
    if (dict instanceof PDFArray) for (const child of dict.asArray()) this.deep(child, role, page);
  }

  resources(
    obj: PDFObject | undefined,
    page: number | null,
    inherited: ObjectRole | null = null,
  ): void {
    const res = this.mark(obj, inherited ?? 'resources', page);
    const dict = res instanceof PDFDict ? res : undefined;
    if (!dict) return;
    for (const [key, group] of dict.entries()) {
      const role: ObjectRole =
        inherited ??
        (key.asString() === '/Font'
          ? 'font'
          : key.asString() === '/XObject'
            ? 'xobject'
            : 'resource');
      const groupDict = dictOf(
        this.doc,
        this.mark(group, inherited ?? 'resources', page) ?? undefined,
      );
      for (const [, item] of groupDict?.entries() ?? []) this.deep(item, role, page);
    }
  }

  pages(node: PDFObject | undefined, counter: { n: number }): void {
    const ref = node;
    const dict = dictOf(this.doc, node);
    if (!dict) return;
    const isLeaf = nameOf(this.doc, dict, 'Type') === 'Page' || !dict.has(PDFName.of('Kids'));
    if (!isLeaf) {
      this.mark(ref, 'pages-tree', null);
      this.resources(dict.get(PDFName.of('Resources')), null);
      const kids = arrayOf(this.doc, dict.get(PDFName.of('Kids')));
      for (const kid of kids?.asArray() ?? []) this.pages(kid, counter);
      return;
    }
    const page = ++counter.n;
    this.mark(ref, 'page', page);
    const contents = dict.get(PDFName.of('Contents'));
    const arr = this.mark(contents, 'page-content', page);
    if (arr instanceof PDFArray) for (const c of arr.asArray()) this.mark(c, 'page-content', page);
    this.resources(dict.get(PDFName.of('Resources')), page);
    this.annotations(dict.get(PDFName.of('Annots')), page);
  }

  annotations(obj: PDFObject | undefined, page: number): void {
    const arr = this.mark(obj, 'annots-array', page);
    if (!(arr instanceof PDFArray)) return;
    for (const a of arr.asArray()) {
      const annot = dictOf(this.doc, a);
      if (!annot) continue;
      const widget = nameOf(this.doc, annot, 'Subtype') === 'Widget';
      const ft =
        nameOf(this.doc, annot, 'FT') ??
        nameOf(this.doc, dictOf(this.doc, annot.get(PDFName.of('Parent'))), 'FT');
      const [role, ap]: [ObjectRole, ObjectRole] = !widget
        ? ['annotation', 'annotation-appearance']
        : ft === 'Sig'
          ? ['signature-widget', 'signature-appearance']
          : ['form-widget', 'form-appearance'];
      this.mark(a, role, page);
      this.deep(annot.get(PDFName.of('AP')), ap, page);
      this.deep(annot.get(PDFName.of('Popup')), role, page);
    }
  }

  fields(obj: PDFObject | undefined): void {
    const arr = arrayOf(this.doc, obj);
    for (const f of arr?.asArray() ?? []) {
      const field = dictOf(this.doc, f);
      if (!field) continue;
      const ft =
        nameOf(this.doc, field, 'FT') ??
        nameOf(this.doc, dictOf(this.doc, field.get(PDFName.of('Parent'))), 'FT');
      this.mark(f, ft === 'Sig' ? 'signature-field' : 'form-field', null);
      if (ft === 'Sig') {
        const v = field.get(PDFName.of('V'));
        const sig = dictOf(this.doc, v);
        this.deep(
          v,
          nameOf(this.doc, sig, 'Type') === 'DocTimeStamp' ? 'doc-timestamp' : 'signature-dict',
          null,
        );
        this.deep(field.get(PDFName.of('AP')), 'signature-appearance', null);
      } else {
        this.deep(field.get(PDFName.of('V')), 'form-field', null);
        this.deep(field.get(PDFName.of('AP')), 'form-appearance', null);
      }
      this.fields(field.get(PDFName.of('Kids')));
    }
  }

  /** The names dictionary; its /AP tree holds annotation appearances (Acrobat's comment icons). */
  names(obj: PDFObject | undefined): void {
    const names = dictOf(this.doc, this.mark(obj, 'names-tree', null) ?? undefined);
    if (!names) return;
    this.deep(names.get(PDFName.of('AP')), 'annotation-appearance', null);
    // JavaScript, embedded files …: any change to them stays a catalog change.
    for (const [k, v] of names.entries())
      if (k.asString() !== '/AP') this.deep(v, 'catalog-other', null);
  }

  catalog(): void {
    const { doc } = this;
    const root = doc.context.trailerInfo.Root;
    this.mark(root, 'catalog', null);
    const cat = doc.catalog;
    this.pages(cat.get(PDFName.of('Pages')), { n: 0 });
    const acro = this.mark(cat.get(PDFName.of('AcroForm')), 'acroform', null);
    if (acro instanceof PDFDict) {
      this.mark(acro.get(PDFName.of('Fields')), 'acroform-fields', null);
      this.fields(acro.get(PDFName.of('Fields')));
      this.deep(acro.get(PDFName.of('DR')), 'acroform-resources', null);
    }
    this.deep(cat.get(PDFName.of('DSS')), 'dss', null);
    this.deep(cat.get(PDFName.of('Metadata')), 'metadata', null);
    this.deep(cat.get(PDFName.of('OCProperties')), 'optional-content', null);
    this.names(cat.get(PDFName.of('Names')));
    this.deep(doc.context.trailerInfo.Info, 'info', null);
    for (const [, v] of cat.entries()) this.deep(v, 'catalog-other', null);
    for (const [ref, obj] of doc.context.enumerateIndirectObjects()) {
      if (this.roles.has(refKey(ref))) continue;
      const type = obj instanceof PDFStream ? nameOf(doc, obj.dict, 'Type') : undefined;
      this.roles.set(refKey(ref), {
        role: type === 'XRef' || type === 'ObjStm' ? 'structure' : 'unreferenced',
        page: null,
      });
    }
  }
}

export function objectRoles(doc: PDFDocument): RoleMap {
  const w = new RoleWalker(doc);
  w.catalog();
  return w.roles;
}
