/** Escaping for text written by hand (the envelope is a template: builders drop the prefix). */
export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/\r/g, '&#13;').replace(/\n/g, '&#10;');
}

/** XML 1.0 forbids most C0 controls even escaped; drop them instead of writing a broken file. */
export function cleanText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.normalize('NFC').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}

/** `<edXML:Name>text</edXML:Name>`, or nothing for an absent value. */
export function el(name: string, value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null || value === '') return '';

  return `<edXML:${name}>${escapeText(cleanText(String(value)))}</edXML:${name}>`;
}

/**
 * `el` of each of `keys` of `o`, in that order, named by the key in PascalCase (`organId` →
 * `OrganId`): for the groups whose element names are their fields' names.
 */
export function els<K extends string>(
  o: { [P in K]?: string | number | boolean | null },
  keys: readonly K[],
): string[] {
  return keys.map((k) => el(k.charAt(0).toUpperCase() + k.slice(1), o[k]));
}

/** `<edXML:Name>children</edXML:Name>`, or nothing when every child is absent. */
export function group(name: string, children: string[], keepEmpty = false): string {
  const body = children.join('');
  if (!body && !keepEmpty) return '';

  return `<edXML:${name}>${body}</edXML:${name}>`;
}
