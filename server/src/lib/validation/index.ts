export {
  clearValidationCaches,
  validatePdf,
  VALIDATION_POLICY,
  EXTRA_TRUST_LIST,
  type TrustListInput,
  type ValidatePdfOptions,
} from './validate-pdf.js';
export * from './report.schemas.js';
export { PdfValidationInputError } from './errors.js';
