import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { EdxmlError, missingElement } from './errors.js';
import { DSIG_NS, EDXML_NS, LEGACY_EDXML_NS } from './namespaces.js';

/** Packages carry base64 PDFs: generous, but a bound, so a hostile upload cannot exhaust memory. */
export const MAX_XML_BYTES = 64 * 1024 * 1024;

const EDXML_NAMESPACES = new Set([EDXML_NS, LEGACY_EDXML_NS]);

/**
 * Parses untrusted XML safely: DOCTYPE (the door to external entities and billion-laughs
 * expansion) is refused before parsing, any parser error or warning is fatal.
 */
export function parseXml(xml: string, maxBytes = MAX_XML_BYTES): Document {
  if (Buffer.byteLength(xml, 'utf8') > maxBytes) {
    throw new EdxmlError(
      'EDXML_TOO_LARGE',
      `the package is larger than ${MAX_XML_BYTES / 1024 / 1024} MB; send attachments separately`,
    );
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw new EdxmlError(
      'EDXML_FORBIDDEN_MARKUP',
      'DOCTYPE and entity declarations are not allowed in edXML (external entities, entity expansion)',
    );
  }
  const problems: string[] = [];
  let doc: Document | undefined;
  try {
    doc = new DOMParser({
      onError: (level, msg) => {
        problems.push(`${level}: ${msg}`);
      },
    }).parseFromString(xml.replace(/^\uFEFF/, ''), 'text/xml');
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (problems.length || !doc?.documentElement) {
    throw new EdxmlError(
      'EDXML_MALFORMED',
      `the XML is not well-formed: ${problems[0] ?? 'no root element'}`,
    );
  }

  return doc;
}

export function isElement(n: Node | null | undefined): n is Element {
  return !!n && n.nodeType === 1;
}

/** An element in the edXML namespace, the legacy one, or (lenient) no namespace at all. */
export function isEdxml(e: Element, localName: string): boolean {
  return (
    e.localName === localName && (e.namespaceURI === null || EDXML_NAMESPACES.has(e.namespaceURI))
  );
}

export function childElements(parent: Element): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) if (isElement(n)) out.push(n);

  return out;
}

export function children(parent: Element, localName: string): Element[] {
  return childElements(parent).filter((e) => isEdxml(e, localName));
}

export function child(parent: Element, localName: string): Element | undefined {
  return children(parent, localName)[0];
}

function isDsigSignature(e: Element): boolean {
  return e.localName === 'Signature' && e.namespaceURI === DSIG_NS;
}

/**
 * First element anywhere below `root` (depth first), e.g. MessageHeader inside a SOAP Header.
 * Never inside an XML-DSig Signature: the enveloped signature does not cover its own element,
 * so whatever sits there (an Object, say) is unsigned.
 */
export function findDeep(root: Element, localName: string): Element | undefined {
  if (isEdxml(root, localName)) return root;
  if (isDsigSignature(root)) return undefined;
  for (const c of childElements(root)) {
    const hit = findDeep(c, localName);
    if (hit) return hit;
  }

  return undefined;
}

/** Every edXML element of that name below `root`, outside XML-DSig Signatures (see findDeep). */
export function findAllEdxml(root: Element, localName: string, out: Element[] = []): Element[] {
  if (isEdxml(root, localName)) out.push(root);
  if (isDsigSignature(root)) return out;
  for (const c of childElements(root)) findAllEdxml(c, localName, out);

  return out;
}

/** Every element anywhere below `root` with that name (namespace-checked). */
export function findAllDeep(root: Element, test: (e: Element) => boolean, out: Element[] = []) {
  if (test(root)) out.push(root);
  for (const c of childElements(root)) findAllDeep(c, test, out);

  return out;
}

export function textOf(e: Element | undefined): string | undefined {
  const t = e?.textContent?.trim();

  return t ? t : undefined;
}

/** A path-aware reader: every error names the element, e.g. edXML:MessageHeader/edXML:Code. */
export class Reader {
  constructor(
    readonly element: Element,
    readonly path: string,
  ) {}

  at(name: string): string {
    return `${this.path}/edXML:${name}`;
  }

  child(name: string): Reader | undefined {
    const e = child(this.element, name);

    return e ? new Reader(e, this.at(name)) : undefined;
  }

  need(name: string): Reader {
    const r = this.child(name);
    if (!r) throw missingElement(this.at(name));

    return r;
  }

  all(name: string): Reader[] {
    return children(this.element, name).map((e, i) => new Reader(e, `${this.at(name)}[${i + 1}]`));
  }

  text(name: string): string | undefined {
    return textOf(child(this.element, name));
  }

  needText(name: string): string {
    const t = this.text(name);
    if (t === undefined) throw missingElement(this.at(name));

    return t;
  }
}
