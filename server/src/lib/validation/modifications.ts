/**
 * What changed between the revision a signature covers and the final revision, object by object,
 * and whether each change is one that PAdES / DocMDP allows after signing. Disallowed changes are
 * tagged with the shadow-attack class they match (Mainka et al., "Shadow Attacks", NDSS 2021).
 */
import { createHash } from 'node:crypto';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFObject,
  PDFRawStream,
  PDFRef,
  PDFStream,
} from 'pdf-lib';
import type { TModification } from './report.schemas.js';
import { objectRoles, refKey, type ObjectRole, type RoleMap } from './object-roles.js';
import { changedDictKeys, valuesEqual } from './pdf-equality.js';
import type { RevisionLayout } from './revisions.js';

export interface ModificationContext {
  bytes: Uint8Array;
  layout: RevisionLayout;
  /**
   * DocMDP P of the certification signature; null without one (an approval signature: form
   * fill-in and signing allowed, annotations a warning as in DSS's default policy).
   */
  docMdpP: number | null;
  /** `bytes` as latin1, when the caller already has it. */
  text?: string;
}

/** Roles whose objects may change after signing without harm. */
const ALLOWED_CHANGED: ReadonlySet<ObjectRole> = new Set([
  'signature-field',
  'signature-widget',
  'signature-appearance',
  'dss',
  'structure',
  'unreferenced',
  'info',
  'metadata',
  'acroform-resources',
]);
/** Roles whose new objects are always fine after signing: those, and new signatures. */
const ALLOWED_NEW: ReadonlySet<ObjectRole> = new Set<ObjectRole>([
  'signature-dict',
  'doc-timestamp',
  ...ALLOWED_CHANGED,
]);
const FORM_FILL: ReadonlySet<ObjectRole> = new Set([
  'form-field',
  'form-widget',
  'form-appearance',
]);
const ANNOTATION: ReadonlySet<ObjectRole> = new Set(['annotation', 'annotation-appearance']);
const RENDERING: ReadonlySet<ObjectRole> = new Set([
  'page',
  'pages-tree',
  'page-content',
  'resources',
  'font',
  'xobject',
  'resource',
]);
const CATALOG_ALLOWED = new Set(['/DSS', '/AcroForm', '/Metadata', '/Extensions', '/Perms']);
/** Annotation roles whose changes are a warning, not a failure, without DocMDP. */
export const ANNOTATION_ROLES: ReadonlySet<string> = new Set([
  'annotation',
  'annotation-appearance',
  'names-tree',
]);
const ACROFORM_ALLOWED = new Set(['/Fields', '/SigFlags', '/DR', '/DA']);

function fingerprint(obj: PDFObject): string {
  if (obj instanceof PDFRawStream) {
    return `${obj.dict.toString()}#${createHash('sha256').update(obj.contents).digest('hex')}`;
  }
  if (obj instanceof PDFStream)
    return `${obj.dict.toString()}#${createHash('sha256').update(obj.getContents()).digest('hex')}`;
  return obj.toString();
}

function objectMap(doc: PDFDocument): Map<string, { ref: PDFRef; obj: PDFObject; fp: string }> {
  const map = new Map<string, { ref: PDFRef; obj: PDFObject; fp: string }>();
  for (const [ref, obj] of doc.context.enumerateIndirectObjects())
    map.set(refKey(ref), { ref, obj, fp: fingerprint(obj) });
  return map;
}

const OBJ_RE = /(?<![0-9])(\d+)\s+(\d+)\s+obj\b/g;
let lastDefinitions: { text: string; offsets: Map<string, number> } | null = null;

/** Offset of the last `N G obj` of every object, from one scan of the file (memoized per file). */
function definitionOffsets(text: string): Map<string, number> {
  if (lastDefinitions?.text === text) return lastDefinitions.offsets;
  const offsets = new Map<string, number>();
  for (const m of text.matchAll(OBJ_RE)) offsets.set(`${m[1]} ${m[2]}`, m.index ?? 0);
  lastDefinitions = { text, offsets };
  return offsets;
}

/** Revision (1-based) holding the last `N G obj` definition of an object, null if in an object stream. */
function revisionOf(ctx: ModificationContext, text: string, ref: PDFRef): number | null {
  const last = definitionOffsets(text).get(`${ref.objectNumber} ${ref.generationNumber}`);
  if (last === undefined) return null;
  const rev = ctx.layout.revisions.find((r) => r.end > last);
  return rev ? rev.index : ctx.layout.revisions.length + 1;
}

function changedKeys(d: Diff, a: PDFObject | undefined, b: PDFObject | undefined): string[] {
  return changedDictKeys(d.before, a, d.after, b) ?? ['(type)'];
}

function refsOf(doc: PDFDocument, obj: PDFObject | undefined): string[] {
  const v = obj instanceof PDFRef ? doc.context.lookup(obj) : obj;
  if (!(v instanceof PDFArray)) return [];
  return v.asArray().map((x) => x.toString());
}

interface Diff {
  before: PDFDocument;
  after: PDFDocument;
  oldRoles: RoleMap;
  newRoles: RoleMap;
  docMdpP: number | null;
}

/** Annotations may be added or changed: P=3, or (with a warning) no certification at all. */
const annotationsAllowed = (d: Diff): boolean => d.docMdpP === null || d.docMdpP >= 3;
/** Form fill-in: P ≥ 2 or no certification. */
const fillInAllowed = (d: Diff): boolean => d.docMdpP === null || d.docMdpP >= 2;

/** The catalog's /Names dictionary changed only in /AP (named annotation appearances, Acrobat comments). */
function namesOnlyAppearances(d: Diff): boolean {
  const key = PDFName.of('Names');
  const before = d.before.catalog.lookup(key);
  const after = d.after.catalog.lookup(key);
  if (!(after instanceof PDFDict)) return false;
  const keys =
    before instanceof PDFDict
      ? (changedDictKeys(d.before, before, d.after, after) ?? ['(type)'])
      : after.keys().map((k) => k.asString());
  return keys.every((k) => k === '/AP');
}

/** A form field's value (its own /V or its parent's) is the same in both revisions. */
function sameFieldValue(d: Diff, oldObj: PDFObject, newObj: PDFObject): boolean {
  const value = (doc: PDFDocument, o: PDFObject): PDFObject | undefined => {
    if (!(o instanceof PDFDict)) return undefined;
    const own = o.get(PDFName.of('V'));
    if (own) return own;
    const parent = doc.context.lookup(o.get(PDFName.of('Parent')));
    return parent instanceof PDFDict ? parent.get(PDFName.of('V')) : undefined;
  };
  return valuesEqual(
    { doc: d.before, obj: value(d.before, oldObj) },
    { doc: d.after, obj: value(d.after, newObj) },
    1,
  );
}

/** New entries of an array of references (Annots, Fields): allowed when each new entry is allowed. */
function arrayGrowthAllowed(
  d: Diff,
  oldArr: PDFObject | undefined,
  newArr: PDFObject | undefined,
  ok: (r: ObjectRole) => boolean,
): boolean {
  const before = refsOf(d.before, oldArr);
  const after = refsOf(d.after, newArr);
  if (!before.every((r) => after.includes(r))) return false;
  return after
    .filter((r) => !before.includes(r))
    .every((r) => {
      const role = d.newRoles.get(r.replace(/ R$/, ''))?.role;
      return role !== undefined && ok(role);
    });
}

function annotationOk(d: Diff): (r: ObjectRole) => boolean {
  return (r) =>
    r === 'signature-widget' ||
    r === 'signature-field' ||
    (annotationsAllowed(d) && r === 'annotation');
}

type Judgement = { allowed: boolean; attack: TModification['attack']; detail: string };

function judgeChanged(
  d: Diff,
  role: ObjectRole,
  key: string,
  oldObj: PDFObject,
  newObj: PDFObject,
): Judgement {
  const keys = changedKeys(d, oldObj, newObj);
  const detail = `changed keys: ${keys.join(' ') || '(stream data)'}`;
  switch (role) {
    case 'catalog': {
      const bad = keys.filter(
        (k) =>
          !CATALOG_ALLOWED.has(k) &&
          !(k === '/Names' && annotationsAllowed(d) && namesOnlyAppearances(d)),
      );
      const attack = bad.includes('/Pages')
        ? 'SHADOW_HIDE_AND_REPLACE'
        : bad.includes('/OCProperties')
          ? 'SHADOW_HIDE'
          : null;
      return { allowed: bad.length === 0, attack, detail };
    }
    case 'acroform': {
      const bad = keys.filter((k) => !ACROFORM_ALLOWED.has(k));
      const fieldsOk =
        !keys.includes('/Fields') ||
        arrayGrowthAllowed(
          d,
          (oldObj as PDFDict).get(PDFName.of('Fields')),
          (newObj as PDFDict).get(PDFName.of('Fields')),
          (r) => r === 'signature-field' || r === 'signature-widget',
        );
      return { allowed: bad.length === 0 && fieldsOk, attack: null, detail };
    }
    case 'acroform-fields':
      return {
        allowed: arrayGrowthAllowed(
          d,
          oldObj,
          newObj,
          (r) => r === 'signature-field' || r === 'signature-widget',
        ),
        attack: null,
        detail: 'form field list changed',
      };
    case 'annots-array': {
      const allowed = arrayGrowthAllowed(d, oldObj, newObj, annotationOk(d));
      return { allowed, attack: allowed ? null : 'SHADOW_HIDE', detail: 'annotation list changed' };
    }
    case 'page': {
      const bad = keys.filter((k) => k !== '/Annots');
      const annotsOk =
        !keys.includes('/Annots') ||
        arrayGrowthAllowed(
          d,
          (oldObj as PDFDict).get(PDFName.of('Annots')),
          (newObj as PDFDict).get(PDFName.of('Annots')),
          annotationOk(d),
        );
      const attack = bad.includes('/Contents')
        ? 'SHADOW_HIDE_AND_REPLACE'
        : bad.includes('/Resources')
          ? 'SHADOW_REPLACE'
          : !annotsOk
            ? 'SHADOW_HIDE'
            : null;
      return { allowed: bad.length === 0 && annotsOk, attack, detail };
    }
    case 'pages-tree':
      return { allowed: false, attack: 'SHADOW_HIDE_AND_REPLACE', detail };
    case 'page-content':
    case 'font':
    case 'xobject':
    case 'resource':
    case 'resources':
      return {
        allowed: false,
        attack: 'SHADOW_REPLACE',
        detail: `object ${key} overwritten in a later revision (${detail})`,
      };
    case 'names-tree':
      return { allowed: annotationsAllowed(d) && namesOnlyAppearances(d), attack: null, detail };
    case 'form-widget':
      // DSS-2236 "replace": a new appearance for a field whose value did not change shows other
      // text than what was signed; a real fill-in changes the value and its appearance together.
      if (keys.includes('/AP') && sameFieldValue(d, oldObj, newObj))
        return {
          allowed: false,
          attack: 'SHADOW_REPLACE',
          detail: `field appearance replaced without a change of its value (${detail})`,
        };
      return { allowed: fillInAllowed(d), attack: null, detail: `form fill-in (${detail})` };
    default:
      if (ALLOWED_CHANGED.has(role)) return { allowed: true, attack: null, detail };
      if (FORM_FILL.has(role))
        return { allowed: fillInAllowed(d), attack: null, detail: `form fill-in (${detail})` };
      if (ANNOTATION.has(role)) {
        const allowed = annotationsAllowed(d);
        return { allowed, attack: allowed ? null : 'SHADOW_HIDE', detail };
      }
      return { allowed: false, attack: null, detail };
  }
}

function judgeAdded(d: Diff, role: ObjectRole): Judgement {
  if (ALLOWED_NEW.has(role)) return { allowed: true, attack: null, detail: 'new object' };
  if (role === 'annots-array')
    // A page's /Annots moved into a new array object (Adobe Reader does this when signing):
    // its entries are judged with the page's /Annots change.
    return { allowed: true, attack: null, detail: 'new annotation list of a page' };
  if (role === 'names-tree') {
    const allowed = annotationsAllowed(d) && namesOnlyAppearances(d);
    return { allowed, attack: null, detail: 'names dictionary added' };
  }
  if (ANNOTATION.has(role)) {
    const allowed = annotationsAllowed(d);
    return {
      allowed,
      attack: allowed ? null : 'SHADOW_HIDE',
      detail: 'annotation added after signing (may cover signed content)',
    };
  }
  if (role === 'page-content')
    return {
      allowed: false,
      attack: 'SHADOW_HIDE',
      detail: 'content stream added to a page after signing',
    };
  if (role === 'optional-content')
    return {
      allowed: false,
      attack: 'SHADOW_HIDE',
      detail: 'optional content added after signing (can hide signed content)',
    };
  if (RENDERING.has(role))
    return { allowed: false, attack: null, detail: 'rendering object added after signing' };
  if (role === 'form-appearance')
    return { allowed: fillInAllowed(d), attack: null, detail: 'form field appearance (fill-in)' };
  return { allowed: false, attack: null, detail: 'new object' };
}

/** Objects that existed unused in the signed revision and now render: the "prepared" half of hide-and-replace. */
function preparedObjects(
  d: Diff,
  ctx: ModificationContext,
  text: string,
  changed: Set<string>,
): TModification[] {
  const out: TModification[] = [];
  for (const [key, info] of d.newRoles) {
    if (changed.has(key) || !RENDERING.has(info.role)) continue;
    if (d.oldRoles.get(key)?.role !== 'unreferenced') continue;
    const [num = 0, gen = 0] = key.split(' ').map(Number);
    out.push({
      objectNumber: num,
      generation: gen,
      change: 'changed',
      kind: info.role,
      page: info.page,
      revision: revisionOf(ctx, text, PDFRef.of(num, gen)),
      allowed: false,
      attack: 'SHADOW_HIDE_AND_REPLACE',
      detail: 'object was present but unused in the signed revision and is now displayed',
    });
  }
  return out;
}

export function analyzeModifications(
  before: PDFDocument,
  after: PDFDocument,
  ctx: ModificationContext,
): TModification[] {
  const d: Diff = {
    before,
    after,
    oldRoles: objectRoles(before),
    newRoles: objectRoles(after),
    docMdpP: ctx.docMdpP,
  };
  const oldObjs = objectMap(before);
  const newObjs = objectMap(after);
  const text =
    ctx.text ??
    Buffer.from(ctx.bytes.buffer, ctx.bytes.byteOffset, ctx.bytes.byteLength).toString('latin1');
  const out: TModification[] = [];
  const changed = new Set<string>();
  for (const [key, now] of newObjs) {
    const was = oldObjs.get(key);
    if (was && was.fp === now.fp) continue;
    // Rewritten but equal: other key order, hex vs literal string, a value moved in or out of
    // an indirect object.
    if (was && valuesEqual({ doc: before, obj: was.obj }, { doc: after, obj: now.obj })) continue;
    changed.add(key);
    const info = d.newRoles.get(key) ?? { role: 'unreferenced' as ObjectRole, page: null };
    const role =
      info.role === 'unreferenced' && was ? (d.oldRoles.get(key)?.role ?? info.role) : info.role;
    const judged = was ? judgeChanged(d, role, key, was.obj, now.obj) : judgeAdded(d, role);
    // DocMDP P=1: no change of any kind is permitted after the certification signature.
    const j = d.docMdpP === 1 ? { ...judged, allowed: false } : judged;
    out.push({
      objectNumber: now.ref.objectNumber,
      generation: now.ref.generationNumber,
      change: was ? 'changed' : 'added',
      kind: role,
      page: info.page ?? d.oldRoles.get(key)?.page ?? null,
      revision: revisionOf(ctx, text, now.ref),
      ...j,
    });
  }
  out.push(...preparedObjects(d, ctx, text, changed));
  return out.sort((a, b) => (a.objectNumber ?? 0) - (b.objectNumber ?? 0));
}

/** Bytes after the last %%EOF: harmless padding, or objects a linear parser would pick up. */
export function appendedBytesModification(layout: RevisionLayout): TModification | null {
  if (layout.trailingBytes === 0) return null;
  return {
    objectNumber: null,
    generation: null,
    change: 'appended-bytes',
    kind: 'trailing-data',
    page: null,
    revision: null,
    allowed: !layout.trailingHasObjects,
    attack: layout.trailingHasObjects ? 'INCREMENTAL_SAVING' : null,
    detail: `${layout.trailingBytes} byte(s) after the last %%EOF${layout.trailingHasObjects ? ' containing PDF objects without xref/trailer' : ''}`,
  };
}
