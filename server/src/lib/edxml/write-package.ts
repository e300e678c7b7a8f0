import { toEdxmlDate, toEdxmlTimestamp } from './dates.js';
import { EdxmlError } from './errors.js';
import { EDXML_NS } from './namespaces.js';
import type {
  EdxmlAttachment,
  EdxmlBussiness,
  EdxmlMessageHeader,
  EdxmlOrgan,
  EdxmlPackage,
  EdxmlResponseFor,
  EdxmlStaffInfo,
} from './types.js';
import { cleanText, el, els, escapeText, group } from './xml-text.js';
import { SIGNATURE_SLOT, signEnveloped, type XmlSigner } from './xml-signature.js';

export function organ(name: 'From' | 'To', o: EdxmlOrgan): string {
  return group(
    name,
    els(o, [
      'organId',
      'organizationInCharge',
      'organName',
      'organAdd',
      'email',
      'telephone',
      'fax',
      'website',
    ]),
    true,
  );
}

export function responseFor(r: EdxmlResponseFor): string {
  return group('ResponseFor', [
    ...els(r, ['organId', 'code']),
    el('PromulgationDate', toEdxmlDate(r.promulgationDate)),
    el('DocumentId', r.documentId),
  ]);
}

export function staffInfo(s: EdxmlStaffInfo | undefined): string {
  if (!s) return '';

  return group('StaffInfo', els(s, ['department', 'staff', 'mobile', 'email']));
}

function otherInfo(o: EdxmlMessageHeader['otherInfo']): string {
  return group(
    'OtherInfo',
    [
      ...els(o, [
        'priority',
        'sphereOfPromulgation',
        'typerNotation',
        'promulgationAmount',
        'pageAmount',
        'direction',
      ]),
      group(
        'Appendixes',
        o.appendixes.map((a) => el('Appendix', a)),
      ),
    ],
    true,
  );
}

export function messageHeader(h: EdxmlMessageHeader): string {
  if (h.to.length === 0) throw new EdxmlError('EDXML_BAD_INPUT', 'a package needs a recipient');

  return group(
    'MessageHeader',
    [
      organ('From', h.from),
      ...h.to.map((t) => organ('To', t)),
      el('DocumentId', h.documentId),
      group('Code', [el('CodeNumber', h.code.number), el('CodeNotation', h.code.notation)]),
      group('PromulgationInfo', [
        el('Place', h.promulgation.place),
        el('PromulgationDate', toEdxmlDate(h.promulgation.date)),
      ]),
      group('DocumentType', els(h.documentType, ['type', 'typeDetail', 'typeName'])),
      el('Subject', h.subject),
      el('Content', h.content),
      group('SignerInfo', els(h.signer, ['competence', 'position', 'fullName'])),
      el('DueDate', h.dueDate ? toEdxmlDate(h.dueDate) : undefined),
      group(
        'ToPlaces',
        h.toPlaces.map((p) => el('Place', p)),
      ),
      otherInfo(h.otherInfo),
      ...h.responseFor.map(responseFor),
      el('SteeringType', h.steeringType),
    ],
    true,
  );
}

function replacementInfoList(b: EdxmlBussiness): string {
  return group(
    'ReplacementInfoList',
    (b.replacements ?? []).map((r) =>
      group('ReplacementInfo', [
        el('DocumentId', r.documentId),
        group(
          'OrganIdList',
          r.organIds.map((o) => el('OrganId', o)),
        ),
      ]),
    ),
  );
}

function bussiness(b: EdxmlBussiness): string {
  return group(
    'Bussiness',
    [
      el('DocumentId', b.documentId),
      el('BussinessDocType', b.docType),
      el('BussinessDocReason', b.reason),
      el('Paper', b.paper ?? '0'),
      staffInfo(b.staffInfo),
      replacementInfoList(b),
    ],
    true,
  );
}

function traceHeaderList(p: EdxmlPackage): string {
  const traces = p.traces.map((t) =>
    group('TraceHeader', [
      el('OrganId', t.organId),
      el('Timestamp', toEdxmlTimestamp(t.timestamp)),
    ]),
  );

  return group('TraceHeaderList', [...traces, bussiness(p.bussiness)], true);
}

function checkContentIds(attachments: EdxmlAttachment[]): void {
  const seen = new Set<string>();
  for (const a of attachments) {
    if (!/^cid:[\w.@-]+$/.test(a.contentId) || seen.has(a.contentId)) {
      throw new EdxmlError(
        'EDXML_BAD_INPUT',
        `attachment ContentId "${a.contentId}" must be a unique cid:… value`,
      );
    }
    seen.add(a.contentId);
  }
}

function manifest(attachments: EdxmlAttachment[]): string {
  const refs = attachments.map((a) =>
    group('Reference', [
      el('ContentId', a.contentId),
      el('ContentType', a.contentType),
      el('Description', a.description ?? a.name),
      el('AttachmentName', a.name),
    ]),
  );

  return `<edXML:edXMLManifest version="1.0">${refs.join('')}</edXML:edXMLManifest>`;
}

/** Plain (default namespace) child of Attachment, as the SDK writes it. */
function plain(name: string, value: string | undefined): string {
  return value ? `<${name}>${escapeText(cleanText(value))}</${name}>` : '';
}

/** Base64 in 76-character lines keeps the file diff- and editor-friendly. */
function base64Lines(bytes: Uint8Array): string {
  return (
    Buffer.from(bytes)
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join('\n');
}

function attachmentEncoded(attachments: EdxmlAttachment[]): string {
  const items = attachments.map(
    (a) =>
      `<Attachment>${plain('ContentId', a.contentId)}${plain('AttachmentName', a.name)}` +
      `${plain('Description', a.description ?? a.name)}${plain('ContentType', a.contentType)}` +
      `<edXML:ContentTransferEncoded xmlns:edXML="${EDXML_NS}">\n${base64Lines(a.bytes)}\n` +
      `</edXML:ContentTransferEncoded></Attachment>`,
  );

  return `<AttachmentEncoded>${items.join('')}</AttachmentEncoded>`;
}

/** The unsigned text, with SIGNATURE_SLOT where the signature goes. */
export function packageXml(p: EdxmlPackage): string {
  checkContentIds(p.attachments);

  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<edXML xmlns="${EDXML_NS}">\n` +
    `<edXML:edXMLEnvelope xmlns:edXML="${EDXML_NS}">\n` +
    `<edXML:edXMLHeader>\n${messageHeader(p.header)}\n${traceHeaderList(p)}\n${SIGNATURE_SLOT}\n` +
    `</edXML:edXMLHeader>\n` +
    `<edXML:edXMLBody>${manifest(p.attachments)}</edXML:edXMLBody>\n` +
    `</edXML:edXMLEnvelope>\n` +
    `${attachmentEncoded(p.attachments)}\n` +
    `</edXML>\n`
  );
}

/**
 * A signed edXML package (QCVN 102:2016): envelope elements with the explicit `edXML:` prefix,
 * AttachmentEncoded outside the envelope in the default namespace, and an enveloped XML-DSig
 * in edXMLHeader covering the whole file, attachments included.
 */
export function writePackage(p: EdxmlPackage, signer: XmlSigner): Promise<string> {
  return signEnveloped(packageXml(p), signer);
}
