/**
 * JSON with object keys sorted at every level and no whitespace, so the same value always
 * serializes to the same bytes (for hashes and signed receipts). Dates become ISO strings,
 * ObjectIds their hex; undefined members are left out.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value));
}

function normalize(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object' && '_bsontype' in value) return String(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = normalize(v);
    }

    return out;
  }

  return value;
}
