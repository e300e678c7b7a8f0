import type { HubModule } from '../module.js';
import { EdxmlAttachments } from './attachments.js';
import { edxmlRoutes } from './edxml.routes.js';
import { EdxmlQuarantine } from './quarantine.js';

/**
 * edXML (QCVN 102:2016) packages and Status messages, import/export beside the REST exchange API,
 * quarantine, the hub's seal on what it exports.
 */
export const edxmlModule: HubModule = {
  name: 'edxml',
  models: [EdxmlAttachments, EdxmlQuarantine],
  mount: async (ctx) => [{ path: '/api/v1', router: edxmlRoutes(ctx) }],
};

export { exportDispatch } from './export-dispatch.js';
export { statusMessages } from './status-messages.js';
export { importPackage } from './import-package.js';
export { applyStatusMessage } from './apply-status.js';
