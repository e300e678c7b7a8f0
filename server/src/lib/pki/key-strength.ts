import { createPublicKey, type KeyObject } from 'node:crypto';
import { PkiError } from './errors.js';

/** RSA below this is factorable in practice (RSA-512) or within reach (RSA-1024): NIST SP 800-131A. */
export const MIN_RSA_BITS = 2048;
/**
 * Far above any real signing key; a 16,384-bit modulus only makes every verification of it
 * (CSR, OCSP, validation) expensive for the hub.
 */
export const MAX_RSA_BITS = 8192;
/** Node's names for P-256 and P-384: the curves of Thông tư 15/2025 and what WebCrypto offers. */
const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384' };

/**
 * The one key-strength rule for every key that enters the hub (CSR, PKCS#12, imported CA keys,
 * certificates presented for external signing, keys the hub issues certificates for): RSA of
 * 2048–8192 bits or ECDSA on P-256/P-384. Anything else throws PKI_WEAK_KEY; `what` names the
 * key in the message ("CSR", "PKCS#12 key", …). Private keys are checked by their public half.
 */
export function assertStrongKey(key: KeyObject, what = 'key'): void {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const type = pub.asymmetricKeyType;
  const details = pub.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
      throw new PkiError(
        'PKI_WEAK_KEY',
        `Khóa RSA ${bits} bit của ${what} không được chấp nhận: cần RSA từ ${MIN_RSA_BITS} đến ${MAX_RSA_BITS} bit hoặc ECDSA P-256/P-384.`,
      );
    }

    return;
  }
  if (type === 'ec') {
    const curve = details.namedCurve ?? 'unknown';
    if (!CURVES[curve]) {
      throw new PkiError(
        'PKI_WEAK_KEY',
        `Đường cong ${curve} của ${what} không được chấp nhận: chỉ dùng ECDSA P-256, P-384 hoặc RSA từ ${MIN_RSA_BITS} bit.`,
      );
    }

    return;
  }
  throw new PkiError(
    'PKI_WEAK_KEY',
    `Loại khóa ${type ?? 'không rõ'} của ${what} không được hỗ trợ: chỉ dùng RSA từ ${MIN_RSA_BITS} bit hoặc ECDSA P-256/P-384.`,
  );
}
