import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createHash } from 'node:crypto';
import { OID } from './oids.js';
import { toArrayBuffer } from '../asn1/index.js';

export type KeyUsageBit =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign';

const KEY_USAGE_BITS: Record<KeyUsageBit, number> = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
};

function extension(extnID: string, critical: boolean, value: asn1js.AsnType): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

/** KeyUsage as a DER named-bit BIT STRING (trailing zero bits dropped, as X.690 §11.2.2 asks). */
export function keyUsageExtension(bits: readonly KeyUsageBit[]): pkijs.Extension {
  let value = 0;
  for (const bit of bits) value |= 0x80 >> KEY_USAGE_BITS[bit];
  let unusedBits = 0;
  while (unusedBits < 7 && (value & (1 << unusedBits)) === 0) unusedBits++;
  const bitString = new asn1js.BitString({ valueHex: new Uint8Array([value]).buffer, unusedBits });

  return extension(OID.keyUsage, true, bitString);
}

export function basicConstraintsExtension(
  ca: boolean,
  pathLenConstraint?: number,
): pkijs.Extension {
  const bc = new pkijs.BasicConstraints(ca ? { cA: true, pathLenConstraint } : {});

  return extension(OID.basicConstraints, true, bc.toSchema());
}

export function extKeyUsageExtension(
  purposes: readonly string[],
  critical: boolean,
): pkijs.Extension {
  return extension(
    OID.extKeyUsage,
    critical,
    new pkijs.ExtKeyUsage({ keyPurposes: [...purposes] }).toSchema(),
  );
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING contents. */
export function keyIdentifier(spki: pkijs.PublicKeyInfo): Uint8Array {
  return new Uint8Array(
    createHash('sha1').update(spki.subjectPublicKey.valueBlock.valueHexView).digest(),
  );
}

export function subjectKeyIdentifierExtension(keyId: Uint8Array): pkijs.Extension {
  return extension(
    OID.subjectKeyIdentifier,
    false,
    new asn1js.OctetString({ valueHex: toArrayBuffer(keyId) }),
  );
}

export function authorityKeyIdentifierExtension(keyId: Uint8Array): pkijs.Extension {
  const aki = new pkijs.AuthorityKeyIdentifier({
    keyIdentifier: new asn1js.OctetString({ valueHex: toArrayBuffer(keyId) }),
  });

  return extension(OID.authorityKeyIdentifier, false, aki.toSchema());
}

function uri(value: string): pkijs.GeneralName {
  return new pkijs.GeneralName({ type: 6, value });
}

export function authorityInfoAccessExtension(access: {
  ocsp?: string;
  caIssuers?: string;
}): pkijs.Extension {
  const accessDescriptions: pkijs.AccessDescription[] = [];
  if (access.ocsp) {
    accessDescriptions.push(
      new pkijs.AccessDescription({ accessMethod: OID.adOcsp, accessLocation: uri(access.ocsp) }),
    );
  }
  if (access.caIssuers) {
    accessDescriptions.push(
      new pkijs.AccessDescription({
        accessMethod: OID.adCaIssuers,
        accessLocation: uri(access.caIssuers),
      }),
    );
  }

  return extension(
    OID.authorityInfoAccess,
    false,
    new pkijs.InfoAccess({ accessDescriptions }).toSchema(),
  );
}

export function crlDistributionPointsExtension(url: string): pkijs.Extension {
  const dp = new pkijs.DistributionPoint({ distributionPoint: [uri(url)] });

  return extension(
    OID.crlDistributionPoints,
    false,
    new pkijs.CRLDistributionPoints({ distributionPoints: [dp] }).toSchema(),
  );
}

export function certificatePoliciesExtension(policyOids: readonly string[]): pkijs.Extension {
  const certificatePolicies = policyOids.map(
    (policyIdentifier) => new pkijs.PolicyInformation({ policyIdentifier }),
  );

  return extension(
    OID.certificatePolicies,
    false,
    new pkijs.CertificatePolicies({ certificatePolicies }).toSchema(),
  );
}

/** id-pkix-ocsp-nocheck: clients need not check the responder certificate's own status. */
export function ocspNoCheckExtension(): pkijs.Extension {
  return extension(OID.ocspNoCheck, false, new asn1js.Null());
}

export function subjectAltNameExtension(names: {
  dns?: readonly string[];
  email?: readonly string[];
}): pkijs.Extension {
  const altNames = [
    ...(names.dns ?? []).map((value) => new pkijs.GeneralName({ type: 2, value })),
    ...(names.email ?? []).map((value) => new pkijs.GeneralName({ type: 1, value })),
  ];

  return extension(
    OID.subjectAltName,
    false,
    new pkijs.GeneralNames({ names: altNames }).toSchema(),
  );
}
