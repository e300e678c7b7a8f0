import type { HubModule } from '../module.js';
import { DocumentCounters, Documents } from './document.model.js';
import { documentsRoutes } from './documents.routes.js';
import { dropUnfilteredNumberIndex } from './numbering.js';
import { RecordImages, WorkflowPolicies } from './workflow.model.js';
import { workflowRoutes } from './workflow.routes.js';

export const documentsModule: HubModule = {
  name: 'documents',
  init: async (ctx) => {
    // the unique number index must exist before the first upload, not "eventually"
    await dropUnfilteredNumberIndex(ctx);
    await Documents(ctx.db.conn).init();
    await DocumentCounters(ctx.db.conn).init();
    await Promise.all([WorkflowPolicies(ctx.db.conn).init(), RecordImages(ctx.db.conn).init()]);
  },
  mount: async (ctx) => [
    { path: '/api/v1/documents', router: documentsRoutes(ctx) },
    { path: '/api/v1/workflow', router: workflowRoutes(ctx) },
  ],
};

export { actedBy, type DocumentEvents } from './document.events.js';
export {
  getReadableDocument,
  getOwnDocument,
  loadDocument,
  readableVersion,
  recalledFromRecipient,
  reportConfidentialRead,
  type DocumentViewer,
  type ReadableDocument,
} from './document-access.js';
export {
  addVersion,
  readVersionBytes,
  shareDocument,
  setDocumentStatus,
  type AddVersionOptions,
} from './add-version.js';
export { createDocument, codeLabel } from './create-document.js';
export { listDocuments } from './list-documents.js';
export { presentDocument, presentVersion } from './document.presenter.js';
export { removeOrphanFiles, readFileBytes, BUCKET } from './document.files.js';
export { Documents, type DocumentDoc, type VersionDoc } from './document.model.js';
export {
  assertReleasable,
  markReleased,
  signingMove,
  getWorkflowPolicy,
} from './workflow-release.js';
export { announce as announceWorkflowStep } from './workflow.js';
