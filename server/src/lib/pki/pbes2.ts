import * as asn1js from 'asn1js';
import { createCipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { OID } from './oids.js';
import { toArrayBuffer } from '../asn1/index.js';

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
