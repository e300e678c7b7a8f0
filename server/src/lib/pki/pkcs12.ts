import {
  createCipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  pbkdf2Sync,
  randomBytes,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import forge from 'node-forge';
import { PkiError } from './errors.js';
import { OID } from './oids.js';
import { ctx, int, NULL, octets, oid, seq, set, tlv } from '../asn1/index.js';

/** OpenSSL 3's default iteration count for PKCS#12 key, certificate and MAC derivation. */
const ITERATIONS = 2048;

/** RFC 7292 Appendix B key derivation (ID 1 key, 2 IV, 3 MAC); `password` undefined: none. */
function pkcs12Kdf(
  password: string | undefined,
  salt: Uint8Array,
  iterations: number,
  id: number,
  length: number,
  digest = 'sha256',
): Buffer {
  const v = 64; // the block length of SHA-1 and SHA-256 alike
  const u = createHash(digest).digest().length;
  const pwd =
    password === undefined
      ? Buffer.alloc(0)
      : Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)]);
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
    let A = createHash(digest).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(digest).update(A).digest();
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

/** Digests whose block length is 64 bytes, as pkcs12Kdf assumes. */
const KDF_DIGESTS = new Set(['sha1', 'sha256']);
/** PRFs of PBKDF2 that node:crypto takes by forge's name for them. */
const PBKDF2_DIGESTS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

type Pbkdf2 = (p: string, s: string, c: number, dkLen: number, md?: unknown) => string;
type Pkcs12Key = (
  password: string | null | undefined,
  salt: forge.util.ByteStringBuffer,
  id: number,
  iter: number,
  n: number,
  md?: { algorithm?: string },
) => forge.util.ByteStringBuffer;

/**
 * node-forge derives keys in pure JavaScript whenever the digest comes as one of its own
 * objects: PBKDF2 with HMAC-SHA-256 (PBES2, what OpenSSL 3 and exportPkcs12 write) and every
 * RFC 7292 key of the MAC and of legacy 3DES bags. Both go to node:crypto here: the first .p12 a
 * process opens (each `lienthong sign`, each hub loading its CA keys) costs 60 ms of CPU instead
 * of 150. PBKDF2 gets the password's UTF-8 bytes, as OpenSSL and exportPkcs12 use: forge took
 * each character as one byte, so a password with "ậ" or "é" never opened a PBES2 file. The MAC's
 * key is derived from the password in UTF-16 (RFC 7292 B.1) as before.
 */
function nativeKeyDerivation(): void {
  const pkcs5 = forge.pkcs5 as unknown as { pbkdf2: Pbkdf2 };
  const pbe = (forge.pki as unknown as { pbe: { generatePkcs12Key: Pkcs12Key } }).pbe;
  const [forgePbkdf2, forgeKdf] = [pkcs5.pbkdf2, pbe.generatePkcs12Key];
  const bin = (x: string) => Buffer.from(x, 'binary');
  const pbkdf2: Pbkdf2 = (...a) => {
    const md = a[4] as { algorithm?: string } | undefined;
    const digest = typeof md === 'object' ? md.algorithm : undefined;
    if (a.length > 5 || !digest || !PBKDF2_DIGESTS.has(digest)) return forgePbkdf2(...a); // with a callback (asynchronous), or a digest node lacks

    return pbkdf2Sync(Buffer.from(a[0], 'utf8'), bin(a[1]), a[2], a[3], digest).toString('binary');
  };
  const generateKey: Pkcs12Key = (password, salt, id, iter, n, md) => {
    const digest = md ? md.algorithm : 'sha1';
    if (!digest || !KDF_DIGESTS.has(digest) || !(iter >= 1))
      return forgeKdf(password, salt, id, iter, n, md);
    const key = pkcs12Kdf(password ?? undefined, bin(salt.bytes()), iter, id, n, digest);

    return forge.util.createBuffer(key.toString('binary'));
  };
  pkcs5.pbkdf2 = pbkdf2;
  pbe.generatePkcs12Key = generateKey;
  (forge.pkcs12 as unknown as { generateKey: Pkcs12Key }).generateKey = generateKey;
}
nativeKeyDerivation();

function bagAttributes(localKeyId: Uint8Array, friendlyName?: string): Uint8Array {
  const attrs = [seq(oid(OID.localKeyId), set(octets(localKeyId)))];
  if (friendlyName) {
    const bmpString = tlv(0x1e, Buffer.from(friendlyName, 'utf16le').swap16());
    attrs.push(seq(oid(OID.friendlyName), set(bmpString)));
  }

  return set(...attrs);
}

function certBag(der: Uint8Array, attrs?: Uint8Array): Uint8Array {
  const bag = seq(oid(OID.x509Certificate), ctx(0, octets(der)));

  return seq(oid(OID.certBag), ctx(0, bag), ...(attrs ? [attrs] : []));
}

/**
 * PBES2 (RFC 8018) with PBKDF2-HMAC-SHA256 and AES-256-CBC, the OpenSSL 3 PKCS#12 default.
 * The password is used as its UTF-8 bytes, as OpenSSL does for PBES2 inside PKCS#12.
 */
function pbes2Encrypt(
  plaintext: Uint8Array,
  password: string,
): { algorithm: Uint8Array; ciphertext: Uint8Array } {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, ITERATIONS, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const kdf = seq(
    oid(OID.pbkdf2),
    seq(octets(salt), int(ITERATIONS), seq(oid(OID.hmacWithSha256), NULL)),
  );
  const algorithm = seq(oid(OID.pbes2), seq(kdf, seq(oid(OID.aes256Cbc), octets(iv))));

  return { algorithm, ciphertext: new Uint8Array(ciphertext) };
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
  const attrs = bagAttributes(localKeyId, input.friendlyName);
  const encryptedKey = input.privateKey.export({
    type: 'pkcs8',
    format: 'der',
    cipher: 'aes-256-cbc',
    passphrase: input.password,
  });
  const keySafe = seq(seq(oid(OID.pkcs8ShroudedKeyBag), ctx(0, encryptedKey), attrs));
  const certSafe = seq(
    certBag(input.certificate, attrs),
    ...(input.chain ?? []).map((der) => certBag(der)),
  );
  const encrypted = pbes2Encrypt(certSafe, input.password);
  // EncryptedData { version 0, EncryptedContentInfo { data, algorithm, [0] IMPLICIT ciphertext } }
  const encryptedData = seq(
    int(0),
    seq(oid(OID.data), encrypted.algorithm, tlv(0x80, encrypted.ciphertext)),
  );
  const authSafe = seq(
    seq(oid(OID.encryptedData), ctx(0, encryptedData)),
    seq(oid(OID.data), ctx(0, octets(keySafe))),
  );
  const macSalt = randomBytes(16);
  const macKey = pkcs12Kdf(input.password, macSalt, ITERATIONS, 3, 32);
  const mac = createHmac('sha256', macKey).update(authSafe).digest();
  const macData = seq(
    seq(seq(oid(OID.sha256), NULL), octets(mac)),
    octets(macSalt),
    int(ITERATIONS),
  );

  return seq(int(3), seq(oid(OID.data), ctx(0, octets(authSafe))), macData);
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
