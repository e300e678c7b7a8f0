import { hubModule } from '../module.js';
import { certificatesRoutes } from './certificates.routes.js';
import { initHierarchy } from './hub-hierarchy.js';
import { pkiPublicRoutes } from './pki.routes.js';
import { newPkiState, type PkiState } from './state.js';

declare module '../../context.js' {
  interface HubServices {
    pki: PkiState;
  }
}

/**
 * The CA hierarchy in Mongo (keys sealed), certificates API, `/pki` CRL/OCSP/TSA, trust anchors,
 * hub-held signing keys, the hub's edXML seal.
 */
export const pkiModule = hubModule({
  name: 'pki',
  init: async (ctx) => {
    const state = newPkiState();
    await initHierarchy(ctx, state);

    return state;
  },
  mount: async (ctx) => [
    { path: '/pki', router: pkiPublicRoutes(ctx) },
    { path: '/api/v1/certificates', router: certificatesRoutes(ctx) },
  ],
});

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
