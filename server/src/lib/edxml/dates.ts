import { badValue } from './errors.js';

const VN_OFFSET_MS = 7 * 3600_000;

function vn(d: Date): string {
  return new Date(d.getTime() + VN_OFFSET_MS).toISOString();
}

/** ISO `YYYY-MM-DD` → edXML `yyyy/MM/dd`. */
export function toEdxmlDate(iso: string): string {
  return iso.slice(0, 10).replaceAll('-', '/');
}

/** A moment as edXML `yyyy/MM/dd HH:mm:ss`, Vietnam time (the axis's clocks). */
export function toEdxmlTimestamp(d: Date): string {
  const s = vn(d);

  return `${s.slice(0, 10).replaceAll('-', '/')} ${s.slice(11, 19)}`;
}

/** edXML `yyyy/MM/dd` (also tolerates `yyyy-MM-dd`) → ISO `YYYY-MM-DD`. */
export function fromEdxmlDate(value: string, path: string): string {
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})/.exec(value.trim());
  if (!m) throw badValue(path, `"${value}" is not a date in the form yyyy/MM/dd`);
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) {
    throw badValue(path, `"${value}" is not a calendar date`);
  }

  return iso;
}

/** edXML `yyyy/MM/dd HH:mm:ss` (Vietnam time) → Date; ISO 8601 is accepted too. */
export function fromEdxmlTimestamp(value: string, path: string): Date {
  const m = /^(\d{4})[/-](\d{2})[/-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  const d = m
    ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}+07:00`)
    : new Date(value.trim());
  if (Number.isNaN(d.getTime()))
    throw badValue(path, `"${value}" is not a time stamp yyyy/MM/dd HH:mm:ss`);

  return d;
}
