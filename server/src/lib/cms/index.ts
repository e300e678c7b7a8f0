export { CmsError } from './cms-error.js';
export { OID, type DigestAlgorithm, type SignatureAlgorithm } from './oids.js';
export {
  signedAttributes,
  assembleSignedData,
  digestOf,
  type SignedDataParts,
} from './signed-data.js';
export { createCms, completeCms, normalizeSignature } from './create-cms.js';
export {
  keySigner,
  defaultAlgorithm,
  verifySignatureValue,
  privateKeyFromPem,
  type CmsSigner,
} from './signer.js';
export { readPkcs12, signerFromPkcs12, orderChain, type Pkcs12Contents } from './pkcs12.js';
export {
  httpTimestamp,
  timestampRequest,
  tokenFromResponse,
  readTstInfo,
  TSA_TIMEOUT_MS,
  type TimestampFunction,
} from './timestamp.js';
export { certificateParts, certificateHash, x509 } from './certificate.js';
