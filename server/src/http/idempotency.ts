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

/** 201 for what a request created, 200 and `Idempotent-Replayed` for a retry answered from before. */
export function markCreated(
  res: { status(code: number): unknown; setHeader(name: string, value: string): unknown },
  replayed: boolean | undefined,
): void {
  res.status(replayed ? 200 : 201);
  if (replayed) res.setHeader('idempotent-replayed', 'true');
}
