import type { Queue } from '../../http/limits.js';
import { hubModule } from '../module.js';
import { ValidationReports } from './validation.model.js';
import { newValidationQueue } from './validation.service.js';
import {
  documentValidationRoutes,
  publicValidationsRoutes,
  validationsRoutes,
} from './validation.routes.js';

declare module '../../context.js' {
  interface HubServices {
    /** Validation is CPU work on the event loop: one bounded queue per hub. */
    validation: { queue: Queue };
  }
}

/**
 * `/validations` (uploads, public rate-limited uploads) and stored versions' validation with its
 * cache, over `lib/validation/`.
 */
export const validationModule = hubModule({
  name: 'validation',
  models: [ValidationReports],
  init: async () => ({ queue: newValidationQueue() }),
  mount: async (ctx) => [
    { path: '/api/v1/validations', router: validationsRoutes(ctx) },
    { path: '/api/v1/public/validations', router: publicValidationsRoutes(ctx) },
    { path: '/api/v1/documents', router: documentValidationRoutes(ctx) },
  ],
});

export {
  validateStoredVersion,
  validateUpload,
  validateVersionToday,
} from './validation.service.js';
export { PUBLIC_VALIDATIONS_PER_MINUTE } from './validation.routes.js';
