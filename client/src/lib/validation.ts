import type { TValidationReport } from '../../../server/src/validation/report.schemas';
import { ApiError, api } from './api';

export type ValidationOutcome =
  | { state: 'ok'; report: TValidationReport }
  | { state: 'unavailable'; detail: string }
  | { state: 'error'; detail: string };

/** POST /api/v1/validations with the raw PDF; a 404/405 means the hub has no validation service. */
export async function validatePdf(bytes: Uint8Array | Blob): Promise<ValidationOutcome> {
  try {
    const body =
      bytes instanceof Blob ? bytes : new Blob([bytes as BlobPart], { type: 'application/pdf' });
    const report = await api<TValidationReport>('POST', '/validations', undefined, {
      raw: body,
      headers: { 'content-type': 'application/pdf' },
    });

    return { state: 'ok', report };
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) {
      return { state: 'unavailable', detail: e.detail };
    }

    return { state: 'error', detail: e instanceof Error ? e.message : String(e) };
  }
}
