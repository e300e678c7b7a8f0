import { z } from 'zod';
import type { BussinessDocType, EdxmlOrgan } from '../lib/edxml/types.js';
import { STATUS, STATUS_CODES, type EdxmlStatusCode } from './status-codes.js';
import type { TAuditEntry } from './audit.js';
import { ZObjectId, ZText } from './common.js';
import { bytes, answer, routes, text, ZId } from './endpoint.js';
import type { TDelivery, TDispatch } from './exchange.js';

/** The media types an edXML package or Status message is sent with. */
export const EDXML_TYPES = ['application/xml', 'text/xml', 'application/edxml+xml'] as const;

/** The edXML exports and Status messages are served as this. */
const XML = 'application/xml; charset=utf-8';

export const ZEdxmlAttachmentParams = z.object({ id: ZObjectId, attachmentId: ZObjectId }).strict();
export const ZStatusMessagesQuery = z.object({ code: z.enum(STATUS_CODES).optional() }).strict();
export const QUARANTINE_STATES = ['pending', 'releasing', 'released', 'rejected'] as const;
export type TQuarantineState = (typeof QUARANTINE_STATES)[number];
export const ZQuarantineQuery = z.object({ state: z.enum(QUARANTINE_STATES).optional() }).strict();
export const ZQuarantineReject = z.object({ reason: ZText(1000) }).strict();

/** A file a package carried beside the document's PDF, kept with the version it came with. */
export type TEdxmlAttachment = {
  id: string;
  versionId: string;
  index: number;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
};

/** The signed PDFs of an imported package, validated against the hub's trust anchors. */
export type TPdfCheck = {
  contentId: string;
  name: string;
  signatures: number;
  passed: number;
  indeterminate: number;
};

export type TXmlSignatureSummary = { algorithm: string; subject: string; trusted: boolean };

export type TImportedDelivery = {
  id: string;
  recipientOrgId: string;
  recipientCode: string;
  /** The recall or update the recipient is asked to answer (15/16), when there is one. */
  change: { kind: 'recall' | 'update'; state: 'requested' | 'agreed' | 'refused' } | null;
};

/** What an imported package made on this hub. */
export type TEdxmlImport = {
  /** 0 new document, 1 revocation, 2 update, 3 replacement. */
  bussinessDocType: BussinessDocType;
  documentId: string;
  dispatchId: string | null;
  replayed: boolean;
  sender: { id: string; code: string; external: boolean; created: boolean };
  deliveries: TImportedDelivery[];
  /** Recipients named in To that do not exist on this hub. */
  skippedRecipients: string[];
  xmlSignature: TXmlSignatureSummary;
  pdfSignatures: TPdfCheck[];
  /** Files kept beside the document's PDF (GET /documents/:id/edxml-attachments). */
  attachments: TEdxmlAttachment[];
  /** Names of attachments not kept (a revocation keeps none). */
  ignoredAttachments: string[];
  /** For BussinessDocType 1–3: what was asked of the recipients, for which documents. */
  change?: {
    kind: 'recall' | 'update' | 'replace';
    reason: string;
    originals: { documentId: string; dispatchIds: string[]; versionId?: string }[];
  };
};

type TActor = TAuditEntry['actor'];

/** A package from a sender unknown to this hub, waiting for a hub_admin. */
export type TQuarantine = {
  id: string;
  state: TQuarantineState;
  sha256: string;
  size: number;
  /** What the package claims, as read from its signed content (raw: never shown unescaped). */
  header: {
    from: EdxmlOrgan;
    to: string[];
    documentId: string;
    code: string;
    subject: string;
    bussinessDocType: number;
  };
  xmlSignature: TXmlSignatureSummary;
  submittedBy: TActor;
  submittedAt: string;
  decidedBy?: TActor;
  decidedAt?: string;
  reason?: string;
  result?: { orgId: string; orgCreated: boolean; documentId: string; dispatchId: string | null };
};

/** The answer to an import that went into quarantine (HTTP 202). */
export type TQuarantineAnswer = {
  quarantined: true;
  quarantineId: string;
  /** The same package was already waiting: nothing new was stored. */
  replayed: boolean;
  sender: { code: string; name: string };
  xmlSignature: TXmlSignatureSummary;
};

/** One transition of a delivery as a signed edXML Status message. */
export type TStatusMessage = {
  code: EdxmlStatusCode;
  at: string;
  signedBy: 'org-seal' | 'hub';
  xml: string;
};

/** What a Status message did: a delivery's status moved (or not: 01), or a dispatch recalled. */
export type TAppliedStatus =
  | { applied: boolean; code: string; delivery: TDelivery }
  | { applied: true; code: typeof STATUS.RECALLED; dispatch: TDispatch };

/** edXML beside the REST exchange API: packages out and in, Status messages, quarantine. */
export const edxmlApi = routes('', {
  /** The dispatch as a signed edXML package (headers x-edxml-signed-by, x-edxml-signer). */
  exportDispatch: {
    method: 'GET',
    path: '/dispatches/:id/edxml',
    roles: ['clerk', 'org_admin', 'auditor', 'hub_admin'],
    params: ZId,
    returns: text(XML),
  },
  /** Every message as JSON; with `code`, the last message of that code as application/xml. */
  statusMessages: {
    method: 'GET',
    path: '/deliveries/:id/status-messages',
    roles: [],
    params: ZId,
    query: ZStatusMessagesQuery,
    returns: answer<{ items: TStatusMessage[] } | string>(),
  },
  attachments: {
    method: 'GET',
    path: '/documents/:id/edxml-attachments',
    roles: [],
    params: ZId,
    returns: answer<{ items: TEdxmlAttachment[] }>(),
  },
  /** Always a download: a PDF as application/pdf, anything else as application/octet-stream. */
  attachment: {
    method: 'GET',
    path: '/documents/:id/edxml-attachments/:attachmentId',
    roles: [],
    params: ZEdxmlAttachmentParams,
    returns: bytes('application/pdf', 'application/octet-stream'),
  },
  /** 201 imported, 200 a replay, 202 an unknown sender's package held in quarantine. */
  import: {
    method: 'POST',
    path: '/edxml',
    roles: ['clerk', 'org_admin', 'hub_admin'],
    raw: EDXML_TYPES,
    returns: answer<TEdxmlImport | TQuarantineAnswer>(),
  },
  quarantine: {
    method: 'GET',
    path: '/edxml/quarantine',
    roles: ['hub_admin'],
    query: ZQuarantineQuery,
    returns: answer<{ items: TQuarantine[] }>(),
  },
  /** 201, or 200 when the package had been imported already. */
  release: {
    method: 'POST',
    path: '/edxml/quarantine/:id/release',
    roles: ['hub_admin'],
    params: ZId,
    returns: answer<{ quarantine: TQuarantine; import: TEdxmlImport }>(),
  },
  reject: {
    method: 'POST',
    path: '/edxml/quarantine/:id/reject',
    roles: ['hub_admin'],
    params: ZId,
    body: ZQuarantineReject,
    returns: answer<{ quarantine: TQuarantine }>(),
  },
  applyStatus: {
    method: 'POST',
    path: '/edxml/status',
    roles: [],
    raw: EDXML_TYPES,
    returns: answer<TAppliedStatus>(),
  },
});
