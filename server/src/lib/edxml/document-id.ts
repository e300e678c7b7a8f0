import { badValue } from './errors.js';

export type DocumentIdParts = { organId: string; date: string; number: string; notation: string };

/** `{OrganId},{yyyy/MM/dd},{number}/{notation}` from ISO date parts. */
export function formatDocumentId(p: DocumentIdParts): string {
  return `${p.organId},${p.date.replaceAll('-', '/')},${p.number}/${p.notation}`;
}

/** The inverse; the date comes back as ISO YYYY-MM-DD. */
export function parseDocumentId(id: string, path = 'edXML:DocumentId'): DocumentIdParts {
  const m = /^([^,]+),(\d{4})\/(\d{2})\/(\d{2}),([^/]+)\/(.+)$/.exec(id.trim());
  if (!m) {
    throw badValue(path, `"${id}" is not {OrganId},{yyyy/MM/dd},{number}/{notation}`);
  }

  return { organId: m[1]!, date: `${m[2]}-${m[3]}-${m[4]}`, number: m[5]!, notation: m[6]! };
}
