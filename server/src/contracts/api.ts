import { auditApi } from './audit.js';
import { apiKeysApi, authApi, usersApi } from './auth.js';
import { documentsApi } from './documents.js';
import { eventsApi } from './events.js';
import { exchangeApi } from './exchange.js';
import { orgsApi } from './orgs.js';
import { certificatesApi } from './pki.js';
import { revalidationApi } from './revalidation.js';
import { signingApi } from './signing.js';
import { statsApi } from './stats.js';
import { validationApi } from './validation.js';
import { workflowApi } from './workflow.js';

/**
 * The JSON API's routes, declared once: the modules serve them, the OpenAPI document describes
 * them, the web client and the tests call them.
 */
export const API = {
  auth: authApi,
  users: usersApi,
  apiKeys: apiKeysApi,
  orgs: orgsApi,
  documents: documentsApi,
  workflow: workflowApi,
  signing: signingApi,
  certificates: certificatesApi,
  exchange: exchangeApi,
  events: eventsApi,
  audit: auditApi,
  stats: statsApi,
  revalidation: revalidationApi,
  validation: validationApi,
};
