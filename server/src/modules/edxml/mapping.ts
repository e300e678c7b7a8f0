import {
  DOCUMENT_TYPES,
  ZDocumentMeta,
  type TDocumentMeta,
  type TDocumentType,
  type TUrgency,
} from '../../contracts/documents.js';
import {
  EdxmlError,
  formatDocumentId,
  type EdxmlMessageHeader,
  type EdxmlOrgan,
  type EdxmlPriority,
} from '../../lib/edxml/index.js';
import type { DocumentDoc } from '../documents/index.js';
import type { OrgDoc } from '../orgs/index.js';

const PRIORITY: Record<TUrgency, EdxmlPriority> = {
  thuong: 0,
  khan: 1,
  thuong_khan: 2,
  hoa_toc: 3,
};

export function priorityOf(u: TUrgency): EdxmlPriority {
  return PRIORITY[u];
}

/** Level 4 (hỏa tốc hẹn giờ) is legacy edXML: Decree 30 knows hỏa tốc only. */
export function urgencyOf(p: EdxmlPriority): TUrgency {
  return (['thuong', 'khan', 'thuong_khan', 'hoa_toc', 'hoa_toc'] as const)[p];
}

/** The Type code list is unverified (DOMAIN.md §1.3): 1 = Công văn as in the SDK sample. */
export function documentTypeOf(t: TDocumentType) {
  return { type: t === 'Công văn' ? 1 : 2, typeDetail: 0, typeName: t };
}

export function typeFromName(name: string): TDocumentType {
  const n = name.normalize('NFC').trim().toLowerCase();
  const hit = (Object.keys(DOCUMENT_TYPES) as TDocumentType[]).find((t) => t.toLowerCase() === n);

  return hit ?? 'Công văn';
}

export function organOf(o: OrgDoc, parent?: OrgDoc | null): EdxmlOrgan {
  return {
    organId: o.code,
    organName: o.name,
    ...(parent ? { organizationInCharge: parent.name } : {}),
    ...(o.contact?.address ? { organAdd: o.contact.address } : {}),
    ...(o.contact?.email ? { email: o.contact.email } : {}),
    ...(o.contact?.phone ? { telephone: o.contact.phone } : {}),
  };
}

export function documentIdOf(doc: DocumentDoc, senderCode: string): string {
  return formatDocumentId({
    organId: senderCode,
    date: doc.meta.issueDate,
    number: String(doc.meta.number),
    notation: doc.meta.notation,
  });
}

/** Due date (end of day in Vietnam) back to its calendar day. */
export function vietnamDay(d: Date): string {
  return new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

const MH = 'edXML:MessageHeader';
const FIELD_PATH: Record<string, string> = {
  number: `${MH}/edXML:Code/edXML:CodeNumber`,
  notation: `${MH}/edXML:Code/edXML:CodeNotation`,
  issuePlace: `${MH}/edXML:PromulgationInfo/edXML:Place`,
  issueDate: `${MH}/edXML:PromulgationInfo/edXML:PromulgationDate`,
  subject: `${MH}/edXML:Subject`,
  'signer.fullName': `${MH}/edXML:SignerInfo/edXML:FullName`,
  'signer.position': `${MH}/edXML:SignerInfo/edXML:Position`,
  'signer.competence': `${MH}/edXML:SignerInfo/edXML:Competence`,
  dueDate: `${MH}/edXML:DueDate`,
  pageCount: `${MH}/edXML:OtherInfo/edXML:PageAmount`,
  description: `${MH}/edXML:Content`,
};

/** Decree 30 metadata from a MessageHeader; an unacceptable value names its element. */
export function metaFromHeader(h: EdxmlMessageHeader): TDocumentMeta {
  const parsed = ZDocumentMeta.safeParse({
    type: typeFromName(h.documentType.typeName),
    number: /^\d+$/.test(h.code.number) ? Number(h.code.number) : h.code.number,
    notation: h.code.notation,
    register: 'edxml',
    issuePlace: h.promulgation.place,
    issueDate: h.promulgation.date,
    subject: h.subject,
    urgency: urgencyOf(h.otherInfo.priority),
    signer: {
      fullName: h.signer.fullName,
      position: h.signer.position ?? 'Không ghi chức vụ',
      ...(h.signer.competence ? { competence: h.signer.competence } : {}),
    },
    ...(h.dueDate ? { dueDate: h.dueDate } : {}),
    ...(h.otherInfo.pageAmount ? { pageCount: h.otherInfo.pageAmount } : {}),
    ...(h.content ? { description: h.content.slice(0, 2000) } : {}),
  });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = issue.path.join('.');

  throw new EdxmlError('EDXML_BAD_VALUE', issue.message, FIELD_PATH[key] ?? `${MH} (${key})`);
}
