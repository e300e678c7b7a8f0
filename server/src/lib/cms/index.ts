export { CmsError } from './cms-error.js';
export type { DigestAlgorithm, SignatureScheme, SignatureAlgorithm } from '../pki/algorithms.js';
export {
  signedAttributes,
  assembleSignedData,
  digestOf,
  type SignedDataParts,
} from '../pki/signed-data.js';
export { createCms, completeCms, normalizeSignature } from './create-cms.js';
export {
  keySigner,
  defaultAlgorithm,
  verifySignatureValue,
  privateKeyFromPem,
  type CmsSigner,
} from './signer.js';
export { signerFromPkcs12 } from './pkcs12.js';
export { readPkcs12, type Pkcs12Contents } from '../pki/pkcs12.js';
export { httpTimestamp, TSA_TIMEOUT_MS, type TimestampFunction } from '../pki/tsa-client.js';
export { x509 } from './certificate.js';
