export { signPdf, signPdfUpdate, timestampFor } from './sign-pdf.js';
export { addDss, vriKey, type DssInput } from './dss.js';
export { addDocumentTimestamp } from './doc-timestamp.js';
export { PadesError } from './pades-error.js';
export { estimateCmsSize } from './size-estimate.js';
export type {
  SignPdfOptions,
  PadesLevel,
  RevocationProvider,
  RevocationData,
  AppearanceFactory,
} from './options.js';
export {
  prepareExternal,
  completeExternal,
  type ExternalSession,
  type PrepareExternalOptions,
  type PreparedExternal,
} from './external.js';
export {
  appearanceFactory,
  imageShapeFor,
  proposePlacement,
  textShapeFor,
  signedByLines,
  type AppearanceSpec,
  type ProposedPlacement,
} from './appearance.js';
