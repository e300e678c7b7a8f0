import type { HubContext } from '../../context.js';
import { hubModule } from '../module.js';
import type { DeliveredTo } from './document-access.js';
import { DocumentCounters, Documents } from './document.model.js';
import { documentsRoutes } from './documents.routes.js';
import { dropUnfilteredNumberIndex } from './numbering.js';
import { RecordImages, WorkflowPolicies } from './workflow.model.js';
import { workflowRoutes } from './workflow.routes.js';

declare module '../../context.js' {
  interface HubServices {
    documents: { deliveredTo?: DeliveredTo };
  }
}

/**
 * Decree 30 metadata, numbering, GridFS versions (SHA-256), access (owner, recipient, auditor);
 * trình ký (draft → submitted → signed/returned → numbered → sealed → released, workflow.md),
 * images of record. Announces registrations, signatures and confidential reads on the bus.
 */
export const documentsModule = hubModule({
  name: 'documents',
  init: async (ctx) => {
    // the unique number index must exist before the first upload, not "eventually"
    await dropUnfilteredNumberIndex(ctx);
    await Documents(ctx.db.conn).init();
    await DocumentCounters(ctx.db.conn).init();
    await Promise.all([WorkflowPolicies(ctx.db.conn).init(), RecordImages(ctx.db.conn).init()]);

    return {};
  },
  mount: async (ctx) => [
    { path: '/api/v1/documents', router: documentsRoutes(ctx) },
    { path: '/api/v1/workflow', router: workflowRoutes(ctx) },
  ],
});

/** The exchange module tells who a document was delivered to (documents does not import it). */
export function answerDeliveries(ctx: HubContext, deliveredTo: DeliveredTo): void {
  ctx.services.documents.deliveredTo = deliveredTo;
}

export { actedBy, type DocumentEvents } from './document.events.js';
export {
  getReadableDocument,
  getOwnDocument,
  loadDocument,
  readableVersion,
  reportConfidentialRead,
  type DeliveredTo,
  type DocumentViewer,
  type RecipientGrant,
  type ReadableDocument,
} from './document-access.js';
export {
  addVersion,
  readVersionBytes,
  shareDocument,
  setDocumentStatus,
  type AddVersionOptions,
  markDispatched,
} from './add-version.js';
export { createDocument, codeLabel } from './create-document.js';
export { listDocuments } from './list-documents.js';
export { presentDocument, presentVersion } from './document.presenter.js';
export { removeOrphanFiles, readFileBytes, BUCKET, sha256Hex } from './document.files.js';
export {
  DocumentCounters,
  Documents,
  type DocumentDoc,
  type VersionDoc,
} from './document.model.js';
export {
  assertReleasable,
  markReleased,
  signingMove,
  getWorkflowPolicy,
} from './workflow-release.js';
export { announce as announceWorkflowStep } from './workflow.js';
export { contentDisposition } from './documents.routes.js';
