import * as asn1js from 'asn1js';
import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { PkiError } from './errors.js';
import { OID } from './oids.js';
import { decodeDer, encodeDer, toArrayBuffer } from './der.js';
import { pbes2Decrypt, pbes2Encrypt } from './pbes2.js';
import { certificatePublicKey, parseCertificate } from './certificate.js';
import { assertStrongKey } from './key-strength.js';

/** OpenSSL 3's default iteration count for PKCS#12 key, certificate and MAC derivation. */
const ITERATIONS = 2048;

const ctx0 = (value: asn1js.AsnType[]) =>
  new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value });
const oid = (value: string) => new asn1js.ObjectIdentifier({ value });
const octets = (bytes: Uint8Array) => new asn1js.OctetString({ valueHex: toArrayBuffer(bytes) });

/** RFC 7292 Appendix B key derivation (used here for the MAC key only, ID = 3) with SHA-256. */
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
      ctx0([decodeDer(new Uint8Array(encryptedKey), 'key')]),
      attrs(),
    ],
  });
  const keySafe = new asn1js.Sequence({ value: [keyBag] });
  const certSafe = new asn1js.Sequence({
    value: [certBag(input.certificate, attrs()), ...(input.chain ?? []).map((der) => certBag(der))],
  });
  const encrypted = pbes2Encrypt(encodeDer(certSafe), input.password, ITERATIONS);
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
  const authSafe = encodeDer(
    new asn1js.Sequence({
      value: [
        new asn1js.Sequence({ value: [oid(OID.encryptedData), ctx0([encryptedData])] }),
        new asn1js.Sequence({ value: [oid(OID.data), ctx0([octets(encodeDer(keySafe))])] }),
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

  return encodeDer(
    new asn1js.Sequence({
      value: [
        new asn1js.Integer({ value: 3 }),
        new asn1js.Sequence({ value: [oid(OID.data), ctx0([octets(authSafe)])] }),
        macData,
      ],
    }),
  );
}

type Node = asn1js.AsnType & {
  valueBlock: { value?: asn1js.AsnType[]; valueHexView?: Uint8Array };
};
const at = (node: asn1js.AsnType | undefined, ...path: number[]): Node | undefined => {
  let cur = node as Node | undefined;
  for (const i of path) cur = cur?.valueBlock.value?.[i] as Node | undefined;

  return cur;
};
const oidOf = (node: asn1js.AsnType | undefined) =>
  node instanceof asn1js.ObjectIdentifier ? node.valueBlock.toString() : '';

/** Contents of an OCTET STRING or [n] IMPLICIT OCTET STRING, primitive or constructed (BER). */
function octetValue(node: Node | undefined): Uint8Array {
  if (!node) return new Uint8Array();
  const parts = node.valueBlock.value;
  // asn1js also fills `value` for primitive OCTET STRINGs whose content happens to parse.
  if (node.idBlock.isConstructed && parts)
    return Buffer.concat(parts.map((p) => octetValue(p as Node)));

  return node.valueBlock.valueHexView ?? new Uint8Array();
}

function verifyMac(pfx: asn1js.AsnType, authSafe: Uint8Array, password: string): void {
  const macData = at(pfx, 2);
  if (!macData) return;
  const hashOid = oidOf(at(macData, 0, 0, 0));
  if (hashOid !== OID.sha256) {
    throw new PkiError(
      'PKI_P12_UNSUPPORTED',
      `PKCS#12 MAC with ${hashOid} is not read; only HMAC-SHA256.`,
    );
  }
  const iterations = (at(macData, 2) as asn1js.Integer | undefined)?.valueBlock.valueDec ?? 1;
  const key = pkcs12Kdf(password, octetValue(at(macData, 1)), iterations, 3, 32);
  const expected = createHmac('sha256', key).update(authSafe).digest();
  const actual = octetValue(at(macData, 0, 1));
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new PkiError('PKI_P12_BAD_PASSWORD', 'Wrong PKCS#12 password (MAC check failed).');
  }
}

type Bag = { type: string; value: Node | undefined; localKeyId?: string };

function bagsOf(safeContents: Uint8Array): Bag[] {
  const seq = decodeDer(safeContents, 'PKCS#12 SafeContents') as Node;

  return (seq.valueBlock.value ?? []).map((bag) => {
    const attrs = (at(bag, 2)?.valueBlock.value ?? []) as Node[];
    const keyIdAttr = attrs.find((a) => oidOf(at(a, 0)) === OID.localKeyId);
    const localKeyId = keyIdAttr
      ? Buffer.from(octetValue(at(keyIdAttr, 1, 0))).toString('hex')
      : undefined;

    return { type: oidOf(at(bag, 0)), value: at(bag, 1, 0), localKeyId };
  });
}

function safeBags(authSafe: Uint8Array, password: string): Bag[] {
  const contentInfos = ((decodeDer(authSafe, 'PKCS#12 AuthenticatedSafe') as Node).valueBlock
    .value ?? []) as Node[];
  const bags: Bag[] = [];
  for (const info of contentInfos) {
    const type = oidOf(at(info, 0));
    if (type === OID.data) bags.push(...bagsOf(octetValue(at(info, 1, 0))));
    else if (type === OID.encryptedData) {
      const eci = at(info, 1, 0, 1);
      bags.push(...bagsOf(pbes2Decrypt(at(eci, 1)!, octetValue(at(eci, 2)), password)));
    } else
      throw new PkiError(
        'PKI_P12_UNSUPPORTED',
        `PKCS#12 content type ${type} (public-key privacy) is not read.`,
      );
  }

  return bags;
}

export type Pkcs12Contents = {
  privateKey: KeyObject;
  certificate: Uint8Array;
  chain: Uint8Array[];
};

function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  const der = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });

  return der(a).equals(der(b));
}

/** Read key, its certificate and the remaining certificates (chain) from a PKCS#12 file. */
export function importPkcs12(p12: Uint8Array, password: string): Pkcs12Contents {
  const pfx = decodeDer(p12, 'PKCS#12 file');
  if (oidOf(at(pfx, 1, 0)) !== OID.data) {
    throw new PkiError(
      'PKI_P12_UNSUPPORTED',
      'PKCS#12 without password integrity (public-key mode) is not read.',
    );
  }
  const authSafe = octetValue(at(pfx, 1, 1, 0));
  verifyMac(pfx, authSafe, password);
  const bags = safeBags(authSafe, password);
  const keyBag = bags.find((b) => b.type === OID.pkcs8ShroudedKeyBag);
  if (!keyBag?.value)
    throw new PkiError('PKI_P12_NO_KEY', 'The PKCS#12 file holds no shrouded private key.');
  let privateKey: KeyObject;
  try {
    const der = Buffer.from(keyBag.value.toBER(false));
    privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8', passphrase: password });
  } catch (error) {
    throw new PkiError('PKI_P12_BAD_PASSWORD', 'The PKCS#12 private key could not be decrypted.', {
      cause: error,
    });
  }
  // imported identities (PKI_DIR, loadIdentity) obey the same rule as every other key
  assertStrongKey(privateKey, 'PKCS#12 key');
  const certs = bags
    .filter((b) => b.type === OID.certBag && oidOf(at(b.value, 0)) === OID.x509Certificate)
    .map((b) => ({ der: octetValue(at(b.value, 1, 0)), localKeyId: b.localKeyId }));
  const publicKey = createPublicKey(privateKey);
  const leaf =
    certs.find((c) => keyBag.localKeyId && c.localKeyId === keyBag.localKeyId) ??
    certs.find((c) => samePublicKey(certificatePublicKey(parseCertificate(c.der)), publicKey));
  if (!leaf)
    throw new PkiError(
      'PKI_P12_NO_CERTIFICATE',
      'The PKCS#12 file has no certificate for its private key.',
    );

  return {
    privateKey,
    certificate: leaf.der,
    chain: certs.filter((c) => c !== leaf).map((c) => c.der),
  };
}
