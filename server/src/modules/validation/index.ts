import { ensureIndexes } from '../../db/indexes.js';
import type { HubModule } from '../module.js';
import { ValidationReports } from './validation.model.js';
import {
  documentValidationRoutes,
  publicValidationsRoutes,
  validationsRoutes,
} from './validation.routes.js';

/** PDF signature validation over HTTP: uploads, public (rate-limited) uploads, stored versions. */
export const validationModule: HubModule = {
  name: 'validation',
  init: (ctx) => ensureIndexes(ctx.db.conn, [ValidationReports]),
  mount: async (ctx) => [
    { path: '/api/v1/validations', router: validationsRoutes(ctx) },
    { path: '/api/v1/public/validations', router: publicValidationsRoutes(ctx) },
    { path: '/api/v1/documents', router: documentValidationRoutes(ctx) },
  ],
};

export {
  validateStoredVersion,
  validateUpload,
  validateVersionToday,
} from './validation.service.js';
export { PUBLIC_VALIDATIONS_PER_MINUTE } from './validation.routes.js';
