import type { TimestampFunction } from '../../lib/pki/index.js';
import { AppError } from '../../errors/app-error.js';
import type { RevocationProvider } from '../../lib/pades/index.js';

/**
 * A time-stamp or revocation failure is the hub's service being down, not bad input: 503, so
 * the client retries later. Without this the PAdES library's error would become a 422.
 */
function unavailableOnFailure<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  message: string,
  reason: string,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch {
      throw new AppError('UNAVAILABLE', message, { reason });
    }
  };
}

export function guardTimestamp(fn: TimestampFunction): TimestampFunction {
  return unavailableOnFailure(
    fn,
    'Dịch vụ cấp dấu thời gian (TSA) không phản hồi; văn bản chưa được ký, hãy thử lại sau.',
    'TSA_UNAVAILABLE',
  );
}

export function guardRevocation(fn: RevocationProvider): RevocationProvider {
  return unavailableOnFailure(
    fn,
    'Không lấy được thông tin thu hồi chứng thư số (OCSP/CRL); văn bản chưa được ký, hãy thử lại sau.',
    'REVOCATION_UNAVAILABLE',
  );
}
