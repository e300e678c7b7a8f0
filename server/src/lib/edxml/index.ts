/** edXML (QCVN 102:2016) packages and status messages: write, read, sign, verify. No I/O. */
export * from './types.js';
export { EdxmlError } from './errors.js';
export { EDXML_NS, LEGACY_EDXML_NS, DSIG_NS } from './namespaces.js';
export { parseXml, MAX_XML_BYTES } from './dom.js';
export { toEdxmlDate, toEdxmlTimestamp, fromEdxmlDate, fromEdxmlTimestamp } from './dates.js';
export { formatDocumentId, parseDocumentId, type DocumentIdParts } from './document-id.js';
export { packageXml, writePackage } from './write-package.js';
export { statusXml, writeStatus } from './write-status.js';
export {
  parsePackage,
  messageKind,
  PACKAGE_LIMITS,
  type PackageLimits,
  type ParsedPackage,
  type ManifestReference,
} from './parse-package.js';
export { parseStatus } from './parse-status.js';
export {
  signEnveloped,
  verifyXmlSignature,
  xmlSignerFromKey,
  type XmlSigner,
  type XmlSignatureAlgorithm,
  type XmlSignatureCheck,
} from './xml-signature.js';
