/**
 * Base of every error thrown by the byte-level libraries (pdf/, cms/, pki/, pades/, validation/).
 * `code` is stable UPPER_SNAKE text that programs and the HTTP layer rely on; `message` tells a
 * person what was wrong and, where possible, how to fix it. The hub maps these to 4xx problems
 * (see server/src/http/problem.ts); the CLI prints the message and exits 2.
 */
export class LibraryError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
