import type { Document, Element } from '@xmldom/xmldom';
import { fromEdxmlDate, fromEdxmlTimestamp } from './dates.js';
import { findAllEdxml, findDeep, parseXml, Reader, textOf, child } from './dom.js';
import { EdxmlError, badValue, missingElement } from './errors.js';
import { SOAP_NS } from './namespaces.js';
import {
  opt,
  readBool,
  readInt,
  readOrgan,
  readResponseFor,
  readStaffInfo,
} from './read-common.js';
import {
  BUSSINESS_REASONS,
  type BussinessDocType,
  type EdxmlAttachment,
  type EdxmlBussiness,
  type EdxmlMessageHeader,
  type EdxmlPackage,
  type EdxmlPriority,
  type EdxmlReplacement,
  type EdxmlTrace,
} from './types.js';

export type ManifestReference = {
  contentId: string;
  contentType?: string;
  description?: string;
  attachmentName?: string;
};

/** Bounds on what a package may carry, checked before any attachment is decoded. */
export type PackageLimits = {
  /** Attachments in AttachmentEncoded. */
  maxAttachments: number;
  /** Decoded bytes of all attachments together. */
  maxAttachmentBytes: number;
};

/** 20 files and 40 MB of content: well above a document with its appendixes, well below the 64 MB XML bound. */
export const PACKAGE_LIMITS: PackageLimits = {
  maxAttachments: 20,
  maxAttachmentBytes: 40 * 1024 * 1024,
};

export type ParsedPackage = EdxmlPackage & {
  manifest: ManifestReference[];
  /** `soap` for the legacy rendering with MessageHeader inside a SOAP Envelope. */
  variant: 'edxml' | 'soap';
};

const MH = 'edXML:MessageHeader';

function readHeader(r: Reader): EdxmlMessageHeader {
  const code = r.need('Code');
  const prom = r.need('PromulgationInfo');
  const type = r.need('DocumentType');
  const signer = r.need('SignerInfo');
  const other = r.child('OtherInfo');
  const due = r.text('DueDate');
  const to = r.all('To');
  if (to.length === 0) throw missingElement(r.at('To'));
  const typeNumber = readInt(type, 'Type', 0, 10_000);
  if (typeNumber === undefined) throw missingElement(type.at('Type'));
  const typeDetail = readInt(type, 'TypeDetail', 0, 10_000);
  const pageAmount = other ? readInt(other, 'PageAmount', 0, 1_000_000) : undefined;
  const promulgationAmount = other ? readInt(other, 'PromulgationAmount', 0, 1_000_000) : undefined;
  const direction = other ? readBool(other, 'Direction') : undefined;
  const steering = readInt(r, 'SteeringType', 0, 99);

  return {
    from: readOrgan(r.need('From')),
    to: to.map(readOrgan),
    documentId: r.needText('DocumentId'),
    code: { number: code.needText('CodeNumber'), notation: code.needText('CodeNotation') },
    promulgation: {
      place: prom.needText('Place'),
      date: fromEdxmlDate(prom.needText('PromulgationDate'), prom.at('PromulgationDate')),
    },
    documentType: {
      type: typeNumber,
      typeName: type.text('TypeName') ?? '',
      ...(typeDetail === undefined ? {} : { typeDetail }),
    },
    subject: r.needText('Subject'),
    ...opt('content', r.text('Content')),
    signer: {
      fullName: signer.needText('FullName'),
      ...opt('competence', signer.text('Competence')),
      ...opt('position', signer.text('Position')),
    },
    ...(due ? { dueDate: fromEdxmlDate(due, r.at('DueDate')) } : {}),
    toPlaces: (r.child('ToPlaces')?.all('Place') ?? [])
      .map((p) => textOf(p.element))
      .filter((p): p is string => !!p),
    otherInfo: {
      priority: ((other ? readInt(other, 'Priority', 0, 4) : undefined) ?? 0) as EdxmlPriority,
      ...opt('sphereOfPromulgation', other?.text('SphereOfPromulgation')),
      ...opt('typerNotation', other?.text('TyperNotation')),
      ...(promulgationAmount === undefined ? {} : { promulgationAmount }),
      ...(pageAmount === undefined ? {} : { pageAmount }),
      ...(direction === undefined ? {} : { direction }),
      appendixes: (other?.child('Appendixes')?.all('Appendix') ?? [])
        .map((a) => textOf(a.element))
        .filter((a): a is string => !!a),
    },
    responseFor: r.all('ResponseFor').map(readResponseFor),
    ...(steering === undefined ? {} : { steeringType: steering }),
  };
}

function readTraces(list: Reader | undefined): EdxmlTrace[] {
  return (list?.all('TraceHeader') ?? []).map((t) => ({
    organId: t.needText('OrganId'),
    timestamp: fromEdxmlTimestamp(t.needText('Timestamp'), t.at('Timestamp')),
  }));
}

/** ReplacementInfoList/ReplacementInfo: DocumentId plus OrganIdList/OrganId (VNPT SDK shape). */
function readReplacements(b: Reader): EdxmlReplacement[] {
  return (b.child('ReplacementInfoList')?.all('ReplacementInfo') ?? []).map((r) => ({
    documentId: r.needText('DocumentId'),
    organIds: (r.child('OrganIdList')?.all('OrganId') ?? [])
      .map((o) => textOf(o.element))
      .filter((o): o is string => !!o),
  }));
}

/** A package without Bussiness is read as a new document (older senders omit it). */
function readBussiness(list: Reader | undefined): EdxmlBussiness {
  const b = list?.child('Bussiness');
  if (!b) return { docType: 0, reason: BUSSINESS_REASONS[0] };
  const docType = (readInt(b, 'BussinessDocType', 0, 3) ?? 0) as BussinessDocType;
  const staff = readStaffInfo(b.child('StaffInfo'));
  const replacements = readReplacements(b);

  return {
    docType,
    reason: b.text('BussinessDocReason') ?? BUSSINESS_REASONS[docType],
    ...opt('documentId', b.text('DocumentId')),
    ...opt('paper', b.text('Paper')),
    ...(staff ? { staffInfo: staff } : {}),
    ...(replacements.length ? { replacements } : {}),
  };
}

function readManifest(root: Element): ManifestReference[] {
  const m = findDeep(root, 'edXMLManifest') ?? findDeep(root, 'Manifest');
  if (!m) return [];

  return new Reader(m, 'edXML:edXMLBody/edXML:edXMLManifest').all('Reference').map((r) => ({
    contentId: r.needText('ContentId'),
    ...opt('contentType', r.text('ContentType')),
    ...opt('description', r.text('Description')),
    ...opt('attachmentName', r.text('AttachmentName')),
  }));
}

function decodeBase64(text: string, path: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!clean || clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) {
    throw badValue(path, 'the content is not valid base64');
  }

  return new Uint8Array(Buffer.from(clean, 'base64'));
}

/** Decoded size of base64 text (whitespace ignored), without decoding it. */
function decodedSize(text: string): number {
  const clean = text.replace(/\s+/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;

  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

function tooLarge(path: string, limits: PackageLimits): EdxmlError {
  return new EdxmlError(
    'EDXML_ATTACHMENTS_TOO_LARGE',
    `the attachments together exceed ${limits.maxAttachmentBytes / 1024 / 1024} MB`,
    path,
  );
}

/** Count and total size are checked before anything is decoded: a hostile package costs little. */
function checkAttachmentLimits(items: Reader[], limits: PackageLimits): void {
  if (items.length > limits.maxAttachments) {
    throw new EdxmlError(
      'EDXML_TOO_MANY_ATTACHMENTS',
      `a package may carry at most ${limits.maxAttachments} attachments, this one has ${items.length}`,
      `AttachmentEncoded/Attachment[${limits.maxAttachments + 1}]`,
    );
  }
  let total = 0;
  for (const a of items) {
    total += decodedSize(child(a.element, 'ContentTransferEncoded')?.textContent ?? '');
    if (total > limits.maxAttachmentBytes) throw tooLarge(a.path.replace(/edXML:/g, ''), limits);
  }
}

function readAttachments(root: Element, limits: PackageLimits): EdxmlAttachment[] {
  const enc = findDeep(root, 'AttachmentEncoded');
  if (!enc) return [];
  const items = new Reader(enc, 'AttachmentEncoded').all('Attachment');
  checkAttachmentLimits(items, limits);

  return items.map((a) => {
    const path = a.path.replace(/edXML:/g, '');
    const contentId = a.text('ContentId');
    if (!contentId) throw missingElement(`${path}/ContentId`);
    const encoded = child(a.element, 'ContentTransferEncoded');
    if (!textOf(encoded)) throw missingElement(`${path}/edXML:ContentTransferEncoded`);

    return {
      contentId,
      name: a.text('AttachmentName') ?? contentId.replace(/^cid:/, ''),
      contentType: a.text('ContentType') ?? 'application/octet-stream',
      ...opt('description', a.text('Description')),
      bytes: decodeBase64(encoded!.textContent!, `${path}/edXML:ContentTransferEncoded`),
    };
  });
}

function checkManifest(manifest: ManifestReference[], attachments: EdxmlAttachment[]): void {
  const ids = new Set(attachments.map((a) => a.contentId));
  manifest.forEach((ref, i) => {
    if (!ids.has(ref.contentId)) {
      throw badValue(
        `edXML:edXMLBody/edXML:edXMLManifest/edXML:Reference[${i + 1}]/edXML:ContentId`,
        `"${ref.contentId}" names no Attachment in AttachmentEncoded`,
      );
    }
  });
}

/** Two headers (or attachment lists) are two readings of one package: which one is meant? */
function refuseDuplicates(root: Element, names: string[]): void {
  for (const name of names) {
    if (findAllEdxml(root, name).length > 1) {
      throw new EdxmlError('EDXML_BAD_VALUE', `more than one ${name} element`, `edXML:${name}`);
    }
  }
}

/**
 * Reads an edXML package: the QCVN 102 layout or the legacy one inside a SOAP Envelope. The
 * XML signature is not checked here (see verifyXmlSignature). Errors name the element at fault;
 * more attachments or bytes than `limits` allow are EDXML_TOO_MANY_ATTACHMENTS /
 * EDXML_ATTACHMENTS_TOO_LARGE.
 */
export function parsePackage(
  xml: string,
  parsed?: Document,
  limits: PackageLimits = PACKAGE_LIMITS,
): ParsedPackage {
  const doc = parsed ?? parseXml(xml);
  const root = doc.documentElement!;
  refuseDuplicates(root, ['MessageHeader', 'TraceHeaderList', 'AttachmentEncoded']);
  const header = findDeep(root, 'MessageHeader');
  if (!header) {
    if (findDeep(root, 'Status')) {
      throw new EdxmlError('EDXML_BAD_INPUT', 'this is a Status message, not a document package');
    }
    throw missingElement(MH);
  }
  const traceList = findDeep(root, 'TraceHeaderList');
  const traces = traceList ? new Reader(traceList, 'edXML:TraceHeaderList') : undefined;
  const manifest = readManifest(root);
  const attachments = readAttachments(root, limits);
  checkManifest(manifest, attachments);

  return {
    header: readHeader(new Reader(header, MH)),
    traces: readTraces(traces),
    bussiness: readBussiness(traces),
    attachments,
    manifest,
    variant: root.namespaceURI === SOAP_NS ? 'soap' : 'edxml',
  };
}

/** Which kind of edXML message a text is, without reading it all. */
export function messageKind(doc: Document): 'package' | 'status' | 'unknown' {
  const root = doc.documentElement!;
  if (findDeep(root, 'MessageHeader')) return 'package';
  if (findAllEdxml(root, 'Status').length) return 'status';

  return 'unknown';
}
