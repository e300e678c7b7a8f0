export * from './reader.js';
export * from './writer.js';
export * from './asn1js.js';
export { OID } from './oids.js';
