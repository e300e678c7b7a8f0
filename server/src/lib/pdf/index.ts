export { PdfError } from './pdf-error.js';
export {
  checkImageLimits,
  readImageHeader,
  IMAGE_LIMITS,
  type ImageHeader,
} from './image-limits.js';
export {
  checkPdfLimits,
  checkParsedObjects,
  PDF_LIMITS,
  PdfLimitError,
  type PdfLimits,
} from './limits.js';
export { loadPdf, firstPage, type PdfFile } from './pdf-file.js';
export { readTrailer, findLastStartxref, type TrailerInfo } from './trailer.js';
export { IncrementalUpdate, type ObjectBody, type WrittenUpdate } from './incremental-writer.js';
export {
  preparePlaceholder,
  CatalogEditor,
  type PlaceholderOptions,
  type PreparedPdf,
  type WidgetAppearance,
} from './signature-field.js';
export {
  hashByteRange,
  hashPrepared,
  embedContents,
  signedRanges,
  fillByteRange,
  type ByteRange,
} from './byte-range.js';
export { pdfDate, isoVietnam } from './pdf-date.js';
export {
  imageAppearance,
  copyAppearance,
  textAppearance,
  pageFrame,
  type Rect,
  type ImageAppearanceOptions,
  type CopyAppearanceOptions,
} from './appearance.js';
