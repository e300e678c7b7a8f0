import { z } from 'zod';
import { ZObjectId } from '../../contracts/common.js';
import { ZValidationReport } from '../../lib/validation/index.js';

export const ZDocumentIdParams = z.object({ id: ZObjectId }).strict();

export const ZDocumentValidationQuery = z
  .object({
    /** A version of the document; the current version when omitted. */
    versionId: ZObjectId.optional(),
  })
  .strict();

/** The library's report plus the language it is presented in and a readable summary. */
export const ZValidationResponse = ZValidationReport.extend({
  lang: z.enum(['vi', 'en']),
  /** The report as text in `lang` (same text as the `verify` CLI). */
  summary: z.string(),
  /** True when a stored version's report came from the cache. */
  cached: z.boolean(),
  versionId: z.string().optional(),
});
export type TValidationResponse = z.infer<typeof ZValidationResponse>;
