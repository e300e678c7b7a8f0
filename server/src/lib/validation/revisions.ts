/**
 * Splits a PDF into its revisions: every `%%EOF` marker that closes an xref section
 * (`startxref N %%EOF`) ends one. A revision's end includes the EOL after `%%EOF`, because
 * signers put ByteRange ends there.
 */
export interface Revision {
  /** 1-based. */
  index: number;
  /** Offset just after `%%EOF` and its end-of-line. */
  end: number;
  /** Offset just after `%%EOF` (without the EOL). */
  eofEnd: number;
  startxref: number;
}

export interface RevisionLayout {
  revisions: Revision[];
  /** Bytes after the last revision that are not just whitespace (incremental-saving attack). */
  trailingBytes: number;
  trailingHasObjects: boolean;
}

const EOF_RE = /startxref\s+(\d+)\s*%%EOF/g;

export function findRevisions(
  bytes: Uint8Array,
  text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'),
): RevisionLayout {
  const revisions: Revision[] = [];
  for (const m of text.matchAll(EOF_RE)) {
    const eofEnd = (m.index ?? 0) + m[0].length;
    let end = eofEnd;
    if (text[end] === '\r') end++;
    if (text[end] === '\n') end++;
    revisions.push({ index: revisions.length + 1, end, eofEnd, startxref: Number(m[1]) });
  }
  const last = revisions.at(-1)?.end ?? 0;
  const tail = text.slice(last);
  const trailingBytes = tail.trim().length === 0 ? 0 : tail.length;
  return { revisions, trailingBytes, trailingHasObjects: /\d+\s+\d+\s+obj\b/.test(tail) };
}

/** The revision whose end equals `offset`, accepting the end with or without EOL. */
export function revisionEndingAt(layout: RevisionLayout, offset: number): Revision | undefined {
  return layout.revisions.find((r) => r.end === offset || r.eofEnd === offset);
}
