import * as asn1js from 'asn1js';
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { PkiError } from './errors.js';
import { OID } from './oids.js';
import { toArrayBuffer } from './der.js';

const PRF: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  [OID.hmacWithSha256]: 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const CIPHERS: Record<string, { name: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  [OID.aes256Cbc]: { name: 'aes-256-cbc', keyLength: 32 },
};

function algId(oid: string, params?: asn1js.AsnType): asn1js.Sequence {
  const value: asn1js.AsnType[] = [new asn1js.ObjectIdentifier({ value: oid })];
  if (params) value.push(params);

  return new asn1js.Sequence({ value });
}

function octets(bytes: Uint8Array): asn1js.OctetString {
  return new asn1js.OctetString({ valueHex: toArrayBuffer(bytes) });
}

/**
 * PBES2 (RFC 8018) with PBKDF2-HMAC-SHA256 and AES-256-CBC, the OpenSSL 3 PKCS#12 default.
 * The password is used as its UTF-8 bytes, as OpenSSL does for PBES2 inside PKCS#12.
 */
export function pbes2Encrypt(
  plaintext: Uint8Array,
  password: string,
  iterations: number,
): { algorithm: asn1js.Sequence; ciphertext: Uint8Array } {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const kdf = algId(
    OID.pbkdf2,
    new asn1js.Sequence({
      value: [
        octets(salt),
        new asn1js.Integer({ value: iterations }),
        algId(OID.hmacWithSha256, new asn1js.Null()),
      ],
    }),
  );
  const algorithm = algId(
    OID.pbes2,
    new asn1js.Sequence({ value: [kdf, algId(OID.aes256Cbc, octets(iv))] }),
  );

  return { algorithm, ciphertext: new Uint8Array(ciphertext) };
}

function unsupported(what: string): PkiError {
  return new PkiError(
    'PKI_P12_UNSUPPORTED',
    `PKCS#12 uses ${what}; only PBES2 (PBKDF2 + AES-CBC) is read. Re-export it with OpenSSL 3 defaults.`,
  );
}

type Node = asn1js.AsnType & { valueBlock: { value?: asn1js.AsnType[] } };
const child = (node: asn1js.AsnType | undefined, i: number): Node | undefined =>
  (node as Node | undefined)?.valueBlock.value?.[i] as Node | undefined;
const oidOf = (node: asn1js.AsnType | undefined): string =>
  node instanceof asn1js.ObjectIdentifier ? node.valueBlock.toString() : '';
const bytesOf = (node: asn1js.AsnType | undefined): Uint8Array =>
  node instanceof asn1js.OctetString ? node.valueBlock.valueHexView : new Uint8Array();

/** Decrypt data whose AlgorithmIdentifier is PBES2; throws PKI_P12_UNSUPPORTED or PKI_P12_BAD_PASSWORD. */
export function pbes2Decrypt(
  algorithm: asn1js.AsnType,
  ciphertext: Uint8Array,
  password: string,
): Uint8Array {
  if (oidOf(child(algorithm, 0)) !== OID.pbes2)
    throw unsupported(`cipher ${oidOf(child(algorithm, 0))}`);
  const params = child(algorithm, 1);
  const kdf = child(params, 0);
  const scheme = child(params, 1);
  if (oidOf(child(kdf, 0)) !== OID.pbkdf2) throw unsupported('a key derivation other than PBKDF2');
  const kdfParams = child(kdf, 1);
  const salt = bytesOf(child(kdfParams, 0));
  const iterations = (child(kdfParams, 1) as asn1js.Integer | undefined)?.valueBlock.valueDec ?? 0;
  const prfNode = (kdfParams?.valueBlock.value ?? []).find((n) => n instanceof asn1js.Sequence);
  const prf = prfNode ? PRF[oidOf(child(prfNode, 0))] : 'sha1';
  const cipher = CIPHERS[oidOf(child(scheme, 0))];
  if (!prf || !cipher || iterations < 1) throw unsupported('unsupported PBES2 parameters');
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, cipher.keyLength, prf);
  try {
    const decipher = createDecipheriv(cipher.name, key, bytesOf(child(scheme, 1)));

    return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  } catch (error) {
    throw new PkiError('PKI_P12_BAD_PASSWORD', 'Wrong PKCS#12 password (decryption failed).', {
      cause: error,
    });
  }
}
