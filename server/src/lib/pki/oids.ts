export { OID } from '../asn1/oids.js';

/**
 * Placeholder private-enterprise arc for LiênThông policies. 55555 is NOT registered to this
 * project: replace it with the operator's IANA PEN before production (see docs/pki.md).
 */
export const POLICY_ARC = '1.3.6.1.4.1.55555.1';
export const POLICY = {
  rootCa: `${POLICY_ARC}.1`,
  issuingCa: `${POLICY_ARC}.2`,
  organizationSeal: `${POLICY_ARC}.3`,
  personalSigner: `${POLICY_ARC}.4`,
  tsa: `${POLICY_ARC}.5`,
  ocsp: `${POLICY_ARC}.6`,
  tlsServer: `${POLICY_ARC}.7`,
  agencyClient: `${POLICY_ARC}.8`,
  /** Policy OID put in TSTInfo.policy by the hub's TSA. */
  tsaPolicy: `${POLICY_ARC}.100`,
} as const;
