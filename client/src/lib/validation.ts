import type { TValidationReport } from '../../../server/src/contracts/validation';
import { ApiError, call, routes } from './api';
import { loadSession } from './session';

export type ValidationOutcome =
  | { state: 'ok'; report: TValidationReport }
  | { state: 'unavailable'; detail: string }
  | { state: 'error'; detail: string; code?: string };

/** A PDF starts with "%PDF-" within its first kilobyte (ISO 32000-1 §7.5.2 lets junk precede it). */
async function looksLikePdf(bytes: Uint8Array | Blob): Promise<boolean> {
  const text =
    bytes instanceof Blob
      ? await bytes.slice(0, 1024).text()
      : new TextDecoder('latin1').decode(bytes.slice(0, 1024));

  return text.includes('%PDF-');
}

/**
 * POST the raw PDF to the hub's validation service: `/validations` for a signed-in user, the
 * public (rate-limited) `/public/validations` for anyone else — the verify page needs no login.
 * A 404/405 means the hub has no validation service.
 */
export async function validatePdf(bytes: Uint8Array | Blob): Promise<ValidationOutcome> {
  if (!(await looksLikePdf(bytes))) return { state: 'error', detail: '', code: 'NOT_PDF' };
  try {
    const body =
      bytes instanceof Blob ? bytes : new Blob([bytes as BlobPart], { type: 'application/pdf' });
    const route = loadSession() ? routes.validation.upload : routes.validation.publicUpload;
    const report = await call(route, undefined, {
      raw: body,
      headers: { 'content-type': 'application/pdf' },
    });

    return { state: 'ok', report };
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) {
      return { state: 'unavailable', detail: e.detail };
    }

    return {
      state: 'error',
      detail: e instanceof Error ? e.message : String(e),
      code: e instanceof ApiError ? e.code : undefined,
    };
  }
}
