import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';
import 'dayjs/locale/vi';

dayjs.extend(utc);
dayjs.extend(timezone);

/** Every date and time is shown in Vietnam's time zone, whatever the browser's. */
export const TZ = 'Asia/Ho_Chi_Minh';
export const DATE_FORMAT = 'DD/MM/YYYY';

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  // a plain YYYY-MM-DD is a calendar date: no time zone shift
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return dayjs(iso).format(DATE_FORMAT);

  return dayjs(iso).tz(TZ).format(DATE_FORMAT);
}

export function fmtDateTime(iso: string | null | undefined): string {
  return iso ? dayjs(iso).tz(TZ).format('DD/MM/YYYY HH:mm') : '—';
}

export function fmtSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;

  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Today in Vietnam, YYYY-MM-DD. */
export function todayVn(): string {
  return dayjs().tz(TZ).format('YYYY-MM-DD');
}

export { dayjs };
