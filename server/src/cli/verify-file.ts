/** One file through the validator: its report, or why it could not be read. */
import { readFile } from 'node:fs/promises';
import { LibraryError } from '../errors/library-error.js';
import type { TValidationReport } from '../lib/validation/report.schemas.js';
import { validatePdf, type TrustListInput } from '../lib/validation/validate-pdf.js';

/** Plain data (it crosses into worker threads): --trust files, the named lists, online or not. */
export type VerifySettings = {
  trustAnchors: Uint8Array[];
  trustLists: TrustListInput[];
  online: boolean;
};

export type Outcome = { report: TValidationReport } | { error: { code: string; message: string } };

/** Errors a person can act on (missing file, not a PDF, …) become an outcome; bugs are thrown. */
export async function verifyFile(file: string, settings: VerifySettings): Promise<Outcome> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    return { error: { code: 'INPUT_UNREADABLE', message: (e as Error).message } };
  }
  try {
    return { report: await validatePdf(bytes, settings) };
  } catch (e) {
    if (e instanceof LibraryError) return { error: { code: e.code, message: e.message } };
    throw e;
  }
}
