import type { TimestampFunction } from '../../lib/pki/index.js';
import { AppError } from '../../errors/app-error.js';
import type { RevocationProvider } from '../../lib/pades/index.js';

/**
 * A time-stamp or revocation failure is the hub's service being down, not bad input: 503, so
 * the client retries later. Without this the PAdES library's error would become a 422.
 */
export function guardTimestamp(fn: TimestampFunction): TimestampFunction {
  return async (digest, alg) => {
    try {
      return await fn(digest, alg);
    } catch {
      throw new AppError(
        'UNAVAILABLE',
        'Dịch vụ cấp dấu thời gian (TSA) không phản hồi; văn bản chưa được ký, hãy thử lại sau.',
        { reason: 'TSA_UNAVAILABLE' },
      );
    }
  };
}

export function guardRevocation(fn: RevocationProvider): RevocationProvider {
  return async (cert, issuer) => {
    try {
      return await fn(cert, issuer);
    } catch {
      throw new AppError(
        'UNAVAILABLE',
        'Không lấy được thông tin thu hồi chứng thư số (OCSP/CRL); văn bản chưa được ký, hãy thử lại sau.',
        { reason: 'REVOCATION_UNAVAILABLE' },
      );
    }
  };
}
