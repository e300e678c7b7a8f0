import { LibraryError } from '../../errors/library-error.js';

/**
 * An edXML-level failure. Codes: EDXML_MALFORMED (not well-formed XML), EDXML_FORBIDDEN_MARKUP
 * (DOCTYPE/entities), EDXML_TOO_LARGE, EDXML_MISSING_ELEMENT, EDXML_BAD_VALUE,
 * EDXML_UNSIGNED, EDXML_SIGNATURE_INVALID, EDXML_UNSUPPORTED_ALGORITHM, EDXML_BAD_INPUT,
 * EDXML_TOO_MANY_ATTACHMENTS, EDXML_ATTACHMENTS_TOO_LARGE.
 * Messages start with the element path at fault so an agency's developer can find it.
 */
export class EdxmlError extends LibraryError {
  /** The element (edXML:A/edXML:B) the error is about, when there is one. */
  readonly element: string | undefined;

  constructor(code: string, message: string, element?: string, options?: { cause?: unknown }) {
    super(code, element ? `${code}: ${element}: ${message}` : `${code}: ${message}`, options);
    this.element = element;
  }
}

export function missingElement(path: string): EdxmlError {
  return new EdxmlError('EDXML_MISSING_ELEMENT', 'required element is missing or empty', path);
}

export function badValue(path: string, why: string): EdxmlError {
  return new EdxmlError('EDXML_BAD_VALUE', why, path);
}
