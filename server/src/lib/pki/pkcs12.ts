import * as asn1js from 'asn1js';
import {
  createHash,
  createHmac,
  createPrivateKey,
  randomBytes,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import forge from 'node-forge';
import { PkiError, badDer } from './errors.js';
import { OID } from './oids.js';
import { decodeDer, toDer, toArrayBuffer } from '../asn1/index.js';
import { pbes2Encrypt } from './pbes2.js';

/** OpenSSL 3's default iteration count for PKCS#12 key, certificate and MAC derivation. */
const ITERATIONS = 2048;

const ctx0 = (value: asn1js.AsnType[]) =>
  new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value });
const oid = (value: string) => new asn1js.ObjectIdentifier({ value });
const octets = (bytes: Uint8Array) => new asn1js.OctetString({ valueHex: toArrayBuffer(bytes) });

/** RFC 7292 Appendix B key derivation (for the MAC key only, ID = 3) with SHA-256. */
function pkcs12Kdf(
  password: string,
  salt: Uint8Array,
  iterations: number,
  id: number,
  length: number,
): Buffer {
  const v = 64;
  const u = 32;
  const pwd = Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)]);
  const repeat = (src: Uint8Array) => {
    const out = Buffer.alloc(v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;

    return out;
  };
  const I = Buffer.concat([
    salt.length ? repeat(salt) : Buffer.alloc(0),
    pwd.length ? repeat(pwd) : Buffer.alloc(0),
  ]);
  const D = Buffer.alloc(v, id);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    let A = createHash('sha256').update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash('sha256').update(A).digest();
    blocks.push(A);
    const B = repeat(A);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }

  return Buffer.concat(blocks).subarray(0, length);
}

function bagAttributes(localKeyId: Uint8Array, friendlyName?: string): asn1js.Set {
  const attrs: asn1js.AsnType[] = [
    new asn1js.Sequence({
      value: [oid(OID.localKeyId), new asn1js.Set({ value: [octets(localKeyId)] })],
    }),
  ];
  if (friendlyName) {
    const name = new asn1js.BmpString({ value: friendlyName });
    attrs.push(
      new asn1js.Sequence({ value: [oid(OID.friendlyName), new asn1js.Set({ value: [name] })] }),
    );
  }

  return new asn1js.Set({ value: attrs });
}

function certBag(der: Uint8Array, attrs?: asn1js.Set): asn1js.Sequence {
  const bag = new asn1js.Sequence({ value: [oid(OID.x509Certificate), ctx0([octets(der)])] });
  const value: asn1js.AsnType[] = [oid(OID.certBag), ctx0([bag])];
  if (attrs) value.push(attrs);

  return new asn1js.Sequence({ value });
}

export type Pkcs12Export = {
  privateKey: KeyObject;
  certificate: Uint8Array;
  chain?: readonly Uint8Array[];
  password: string;
  friendlyName?: string;
};

/**
 * PKCS#12 with PBES2/PBKDF2-SHA256/AES-256-CBC for key and certificates and an HMAC-SHA256
 * MAC: what `openssl pkcs12 -export` of OpenSSL 3 writes, readable without -legacy. Works for
 * RSA and EC keys alike.
 */
export function exportPkcs12(input: Pkcs12Export): Uint8Array {
  const localKeyId = createHash('sha1').update(input.certificate).digest();
  const attrs = () => bagAttributes(localKeyId, input.friendlyName);
  const encryptedKey = input.privateKey.export({
    type: 'pkcs8',
    format: 'der',
    cipher: 'aes-256-cbc',
    passphrase: input.password,
  });
  const keyBag = new asn1js.Sequence({
    value: [
      oid(OID.pkcs8ShroudedKeyBag),
      ctx0([decodeDer(new Uint8Array(encryptedKey), 'key', badDer)]),
      attrs(),
    ],
  });
  const keySafe = new asn1js.Sequence({ value: [keyBag] });
  const certSafe = new asn1js.Sequence({
    value: [certBag(input.certificate, attrs()), ...(input.chain ?? []).map((der) => certBag(der))],
  });
  const encrypted = pbes2Encrypt(toDer(certSafe), input.password, ITERATIONS);
  const encryptedContent = new asn1js.Primitive({
    idBlock: { tagClass: 3, tagNumber: 0 },
    valueHex: toArrayBuffer(encrypted.ciphertext),
  });
  const encryptedData = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      new asn1js.Sequence({ value: [oid(OID.data), encrypted.algorithm, encryptedContent] }),
    ],
  });
  const authSafe = toDer(
    new asn1js.Sequence({
      value: [
        new asn1js.Sequence({ value: [oid(OID.encryptedData), ctx0([encryptedData])] }),
        new asn1js.Sequence({ value: [oid(OID.data), ctx0([octets(toDer(keySafe))])] }),
      ],
    }),
  );
  const macSalt = randomBytes(16);
  const macKey = pkcs12Kdf(input.password, macSalt, ITERATIONS, 3, 32);
  const mac = createHmac('sha256', macKey).update(authSafe).digest();
  const macData = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [new asn1js.Sequence({ value: [oid(OID.sha256), new asn1js.Null()] }), octets(mac)],
      }),
      octets(macSalt),
      new asn1js.Integer({ value: ITERATIONS }),
    ],
  });

  return toDer(
    new asn1js.Sequence({
      value: [
        new asn1js.Integer({ value: 3 }),
        new asn1js.Sequence({ value: [oid(OID.data), ctx0([octets(authSafe)])] }),
        macData,
      ],
    }),
  );
}

/** A PKCS#12's private key and certificates, the key's certificate first, then each issuer. */
export type Pkcs12Contents = { privateKey: KeyObject; certificateChain: Uint8Array[] };

function bagsOf(pfx: forge.pkcs12.Pkcs12Pfx, bagType: string): forge.pkcs12.Bag[] {
  return pfx.getBags({ bagType })[bagType] ?? [];
}

function derOf(asn1: forge.asn1.Asn1): Uint8Array {
  return new Uint8Array(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
}

function openPfx(p12: Uint8Array, password: string): forge.pkcs12.Pkcs12Pfx {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(p12).toString('binary')));
  } catch (cause) {
    throw new PkiError('P12_INVALID', 'The PKCS#12 file is not valid DER.', { cause });
  }
  try {
    return forge.pkcs12.pkcs12FromAsn1(asn1, true, password);
  } catch (cause) {
    const text = String((cause as Error).message ?? cause);
    if (/password|mac|decrypt/i.test(text)) {
      throw new PkiError('P12_BAD_PASSWORD', 'The PKCS#12 password is wrong (MAC check failed).', {
        cause,
      });
    }
    throw new PkiError('P12_INVALID', `The PKCS#12 file cannot be read: ${text}`, { cause });
  }
}

/**
 * Key and certificates from a .p12 (ours, OpenSSL's, a CA's). node-forge opens the container;
 * keys forge cannot model (EC) come back as PKCS#8 ASN.1, which Node's crypto reads, so RSA and
 * EC both work.
 */
export function readPkcs12(p12: Uint8Array, password: string): Pkcs12Contents {
  const pfx = openPfx(p12, password);
  const keyBags = [...bagsOf(pfx, OID.pkcs8ShroudedKeyBag), ...bagsOf(pfx, OID.keyBag)];
  const keyBag = keyBags[0];
  if (!keyBag) throw new PkiError('P12_NO_KEY', 'The PKCS#12 file holds no private key.');
  const pkcs8 = keyBag.key
    ? derOf(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key)))
    : derOf((keyBag as unknown as { asn1: forge.asn1.Asn1 }).asn1);
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  const certs = bagsOf(pfx, OID.certBag).map((bag) =>
    bag.cert
      ? derOf(forge.pki.certificateToAsn1(bag.cert))
      : derOf((bag as unknown as { asn1: forge.asn1.Asn1 }).asn1),
  );
  return { privateKey, certificateChain: orderChain(privateKey, certs) };
}

/** Signer certificate first (the one matching the key), then each issuer in turn. */
export function orderChain(privateKey: KeyObject, certs: Uint8Array[]): Uint8Array[] {
  const parsed = certs.map((der) => {
    try {
      return { der, cert: new X509Certificate(der) };
    } catch (cause) {
      throw new PkiError('P12_INVALID', 'A certificate of the PKCS#12 file cannot be parsed.', {
        cause,
      });
    }
  });
  const leaf = parsed.find((c) => c.cert.checkPrivateKey(privateKey));
  if (!leaf)
    throw new PkiError('P12_NO_KEY', 'No certificate in the PKCS#12 file matches its private key.');
  const chain = [leaf];
  for (let current = leaf; chain.length <= parsed.length;) {
    const issuer = parsed.find((c) => !chain.includes(c) && current.cert.checkIssued(c.cert));
    if (!issuer) break;
    chain.push(issuer);
    current = issuer;
  }
  return chain.map((c) => c.der);
}
