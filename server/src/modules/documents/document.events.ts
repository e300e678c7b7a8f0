import { EventEmitter } from 'node:events';

/** What the documents and signing modules announce; emitted only after the write committed. */
export type DocumentEventMap = {
  'document.created': [{ documentId: string; orgId: string; by: string }];
  'document.version-added': [
    { documentId: string; orgId: string; versionId: string; reason: string; by: string },
  ];
  /** Every read of a document whose confidentiality is not "thuong" (for the audit log). */
  'document.read-confidential': [
    {
      documentId: string;
      orgId: string;
      confidentiality: string;
      readerId: string;
      readerOrgId: string;
      what: 'metadata' | 'file';
    },
  ];
  'document.signed': [
    {
      documentId: string;
      orgId: string;
      versionId: string;
      kind: 'personal' | 'seal';
      level: string;
      by: string;
    },
  ];
  'document.shared': [{ documentId: string; orgId: string; sharedWith: string[] }];
};

/**
 * In-process hook point for the audit and events modules (they subscribe; this module does not
 * know them). A listener that throws must not break the request that emitted the event.
 */
export const documentEvents = new EventEmitter<DocumentEventMap>();
documentEvents.setMaxListeners(50);

export function emitDocumentEvent<K extends keyof DocumentEventMap>(
  name: K,
  ...args: DocumentEventMap[K]
): void {
  try {
    (documentEvents.emit as (n: K, ...a: DocumentEventMap[K]) => boolean)(name, ...args);
  } catch {
    // a subscriber's failure is its own; the document write already happened
  }
}
