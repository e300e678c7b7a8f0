/** The edXML model (QCVN 102:2016 field names, see docs/edxml.md); dates are ISO YYYY-MM-DD. */
import type { EdxmlStatusCode } from '../../contracts/status-codes.js';

export type EdxmlOrgan = {
  organId: string;
  organizationInCharge?: string;
  organName: string;
  organAdd?: string;
  email?: string;
  telephone?: string;
  fax?: string;
  website?: string;
};

export type EdxmlResponseFor = {
  organId: string;
  /** "số/ký hiệu" of the document answered. */
  code: string;
  promulgationDate: string;
  documentId: string;
};

/** 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ (legacy). */
export type EdxmlPriority = 0 | 1 | 2 | 3 | 4;

export type EdxmlMessageHeader = {
  from: EdxmlOrgan;
  to: EdxmlOrgan[];
  /** `{OrganId},{yyyy/MM/dd},{number}/{notation}` */
  documentId: string;
  code: { number: string; notation: string };
  promulgation: { place: string; date: string };
  documentType: { type: number; typeDetail?: number; typeName: string };
  subject: string;
  content?: string;
  signer: { competence?: string; position?: string; fullName: string };
  dueDate?: string;
  toPlaces: string[];
  otherInfo: {
    priority: EdxmlPriority;
    sphereOfPromulgation?: string;
    typerNotation?: string;
    promulgationAmount?: number;
    pageAmount?: number;
    direction?: boolean;
    appendixes: string[];
  };
  responseFor: EdxmlResponseFor[];
  steeringType?: number;
};

export type EdxmlStaffInfo = {
  department?: string;
  staff?: string;
  mobile?: string;
  email?: string;
};

/** 0 new, 1 revocation, 2 update, 3 replacement. */
export type BussinessDocType = 0 | 1 | 2 | 3;

export const BUSSINESS_REASONS: Record<BussinessDocType, string> = {
  0: 'Văn bản điện tử mới',
  1: 'Thu hồi văn bản điện tử',
  2: 'Cập nhật văn bản điện tử',
  3: 'Văn bản thay thế',
};

/** ReplacementInfo: a document the package replaces, and the organizations it was sent to. */
export type EdxmlReplacement = { documentId: string; organIds: string[] };

export type EdxmlBussiness = {
  docType: BussinessDocType;
  reason: string;
  /** The document revoked, updated or replaced (for 1–3). */
  documentId?: string;
  paper?: string;
  staffInfo?: EdxmlStaffInfo;
  /** ReplacementInfoList (for 3): the replaced documents. */
  replacements?: EdxmlReplacement[];
};

export type EdxmlTrace = { organId: string; timestamp: Date };

export type EdxmlAttachment = {
  /** `cid:…`, the same in the manifest Reference and in the Attachment. */
  contentId: string;
  name: string;
  description?: string;
  contentType: string;
  bytes: Uint8Array;
};

export type EdxmlPackage = {
  header: EdxmlMessageHeader;
  traces: EdxmlTrace[];
  bussiness: EdxmlBussiness;
  attachments: EdxmlAttachment[];
};

export { STATUS, STATUS_CODES, type EdxmlStatusCode } from '../../contracts/status-codes.js';

export type EdxmlStatus = {
  responseFor: EdxmlResponseFor;
  from: EdxmlOrgan;
  statusCode: EdxmlStatusCode;
  description: string;
  timestamp: Date;
  staffInfo?: EdxmlStaffInfo;
};
