export {
  clearValidationCaches,
  validatePdf,
  VALIDATION_POLICY,
  type ValidatePdfOptions,
} from './validate-pdf.js';
export * from './report.schemas.js';
export { PdfValidationInputError } from './errors.js';
