import { auditApi } from './audit.js';
import { apiKeysApi, authApi, usersApi } from './auth.js';
import { documentsApi } from './documents.js';
import { edxmlApi } from './edxml.js';
import { eventsApi } from './events.js';
import { exchangeApi } from './exchange.js';
import { orgsApi } from './orgs.js';
import { certificatesApi, pkiApi } from './pki.js';
import { revalidationApi } from './revalidation.js';
import { signingApi } from './signing.js';
import { statsApi } from './stats.js';
import { validationApi } from './validation.js';
import { workflowApi } from './workflow.js';

/**
 * The hub's routes, declared once: the modules serve them, the OpenAPI document describes them,
 * the web client and the tests call them. All are under API_PREFIX but the public /pki ones.
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
  edxml: edxmlApi,
  events: eventsApi,
  audit: auditApi,
  stats: statsApi,
  revalidation: revalidationApi,
  validation: validationApi,
  pki: pkiApi,
};
