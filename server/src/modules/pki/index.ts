import type { HubModule } from '../module.js';
import { certificatesRoutes } from './certificates.routes.js';
import { initHierarchy } from './hub-hierarchy.js';
import { pkiPublicRoutes } from './pki.routes.js';

export const pkiModule: HubModule = {
  name: 'pki',
  init: async (ctx) => {
    await initHierarchy(ctx);
  },
  mount: async (ctx) => [
    { path: '/pki', router: pkiPublicRoutes(ctx) },
    { path: '/api/v1/certificates', router: certificatesRoutes(ctx) },
  ],
};

export { toBytes } from './bytes.js';
export { hubPki, openKey } from './hub-hierarchy.js';
export { hubEdxmlSeal } from './hub-seal.js';
export { IssuedCertificates, type IssuedDoc } from './models.js';
export { hubTsaTimestamp, hubRevocation, resolveSigningKey } from './signing-keys.js';
export {
  findCertificate,
  issuePersonalCertificate,
  issueSealCertificate,
} from './certificates.service.js';
export { trustAnchors, trustLists } from './trust.js';
export { hubCrl } from './responders.js';
