import { AppError } from '../errors/app-error.js';

/**
 * The `Idempotency-Key` header of a request that creates something: a retried request with the
 * same key returns the first result and creates nothing (dispatches, uploads, signatures).
 */
export function idempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (!/^[\w.:-]{8,100}$/.test(header)) {
    throw new AppError(
      'VALIDATION_FAILED',
      'Idempotency-Key phải dài 8–100 ký tự: chữ, số, . _ : -',
    );
  }

  return header;
}
