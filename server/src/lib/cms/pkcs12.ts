import { createPrivateKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { CmsError } from './cms-error.js';
import { x509 } from './certificate.js';
import { keySigner, type CmsSigner } from './signer.js';
import type { DigestAlgorithm, SignatureAlgorithm } from './oids.js';

const OIDS = {
  shroudedKey: '1.2.840.113549.1.12.10.1.2',
  key: '1.2.840.113549.1.12.10.1.1',
  cert: '1.2.840.113549.1.12.10.1.3',
};

function bagsOf(pfx: forge.pkcs12.Pkcs12Pfx, bagType: string): forge.pkcs12.Bag[] {
  return pfx.getBags({ bagType })[bagType] ?? [];
}

export type Pkcs12Contents = { privateKey: KeyObject; certificateChain: Uint8Array[] };

function derOf(asn1: forge.asn1.Asn1): Uint8Array {
  return new Uint8Array(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
}

function openPfx(p12: Uint8Array, password: string): forge.pkcs12.Pkcs12Pfx {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(p12).toString('binary')));
  } catch (cause) {
    throw new CmsError('P12_INVALID', 'The PKCS#12 file is not valid DER.', { cause });
  }
  try {
    return forge.pkcs12.pkcs12FromAsn1(asn1, true, password);
  } catch (cause) {
    const text = String((cause as Error).message ?? cause);
    if (/password|mac|decrypt/i.test(text)) {
      throw new CmsError('P12_BAD_PASSWORD', 'The PKCS#12 password is wrong (MAC check failed).', {
        cause,
      });
    }
    throw new CmsError('P12_INVALID', `The PKCS#12 file cannot be read: ${text}`, { cause });
  }
}

/**
 * Key and certificates from a .p12. node-forge opens the container; keys forge cannot model
 * (EC) come back as PKCS#8 ASN.1, which Node's crypto reads, so RSA and EC both work.
 */
export function readPkcs12(p12: Uint8Array, password: string): Pkcs12Contents {
  const pfx = openPfx(p12, password);
  const keyBags = [...bagsOf(pfx, OIDS.shroudedKey), ...bagsOf(pfx, OIDS.key)];
  const keyBag = keyBags[0];
  if (!keyBag) throw new CmsError('P12_NO_KEY', 'The PKCS#12 file holds no private key.');
  const pkcs8 = keyBag.key
    ? derOf(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key)))
    : derOf((keyBag as unknown as { asn1: forge.asn1.Asn1 }).asn1);
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  const certBags = bagsOf(pfx, OIDS.cert);
  const certs = certBags.map((bag) =>
    bag.cert
      ? derOf(forge.pki.certificateToAsn1(bag.cert))
      : derOf((bag as unknown as { asn1: forge.asn1.Asn1 }).asn1),
  );
  return { privateKey, certificateChain: orderChain(privateKey, certs) };
}

/** Signer certificate first (the one matching the key), then each issuer in turn. */
export function orderChain(privateKey: KeyObject, certs: Uint8Array[]): Uint8Array[] {
  const parsed = certs.map((der) => ({ der, cert: x509(der) }));
  const leaf = parsed.find((c) => c.cert.checkPrivateKey(privateKey));
  if (!leaf)
    throw new CmsError('P12_NO_KEY', 'No certificate in the PKCS#12 file matches its private key.');
  const chain = [leaf];
  for (let current = leaf; chain.length <= parsed.length;) {
    const issuer = parsed.find((c) => !chain.includes(c) && current.cert.checkIssued(c.cert));
    if (!issuer) break;
    chain.push(issuer);
    current = issuer;
  }
  return chain.map((c) => c.der);
}

export function signerFromPkcs12(
  p12: Uint8Array,
  password: string,
  algorithm?: SignatureAlgorithm,
  digest?: DigestAlgorithm,
): CmsSigner {
  const { privateKey, certificateChain } = readPkcs12(p12, password);
  return keySigner(privateKey, certificateChain, algorithm, digest);
}
