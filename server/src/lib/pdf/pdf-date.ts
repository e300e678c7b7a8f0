/** PDF date string (PDF 32000 §7.9.4) in Vietnam time, e.g. D:20250105093000+07'00'. */
export function pdfDate(date: Date, offsetMinutes = 7 * 60): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const two = (n: number): string => String(n).padStart(2, '0');
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return (
    `D:${local.getUTCFullYear()}${two(local.getUTCMonth() + 1)}${two(local.getUTCDate())}` +
    `${two(local.getUTCHours())}${two(local.getUTCMinutes())}${two(local.getUTCSeconds())}` +
    `${sign}${two(Math.floor(abs / 60))}'${two(abs % 60)}'`
  );
}

/** ISO 8601 with the +07:00 offset, as Decree 30 shows the signing time. */
export function isoVietnam(date: Date): string {
  const local = new Date(date.getTime() + 7 * 3600_000);
  return `${local.toISOString().slice(0, 19)}+07:00`;
}
