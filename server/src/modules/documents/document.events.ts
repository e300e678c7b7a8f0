import type { Principal } from '../../http/principal.js';

/** Who acted, for the audit log: an agency system's API key is named as such, never as a user. */
type By = { by: string; apiKey?: string };

/** What the documents and signing modules announce on `ctx.bus`, after the write committed. */
export type DocumentEvents = {
  'document.created': By & { documentId: string; orgId: string };
  /** Every read of a document whose confidentiality is not "thuong" (for the audit log). */
  'document.read-confidential': {
    documentId: string;
    orgId: string;
    confidentiality: string;
    readerId: string;
    readerOrgId: string;
    apiKey?: string;
    what: 'metadata' | 'file';
  };
  'document.signed': By & {
    documentId: string;
    orgId: string;
    versionId: string;
    kind: 'personal' | 'seal';
    level: string;
  };
};

declare module '../../bus.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges the events in
  interface HubEvents extends DocumentEvents {}
}

/** The `by` of an event: the principal's id, and its name when it is an API key. */
export function actedBy(p: Principal): By {
  return p.kind === 'api-key' ? { by: p.id, apiKey: p.name } : { by: p.id };
}
