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

/** 30,8 % in Vietnamese (decimal comma, a space before %), 30.8 % in English. */
export function fmtPercent(ratio: number | null | undefined, lang: 'vi' | 'en' = 'vi'): string {
  if (ratio === null || ratio === undefined) return '—';

  return `${fmtNumber(ratio * 100, lang, 1)}\u00a0%`;
}

/** 1.234,5 in Vietnamese, 1,234.5 in English. */
export function fmtNumber(n: number, lang: 'vi' | 'en' = 'vi', digits = 0): string {
  return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-US', {
    maximumFractionDigits: digits,
  }).format(n);
}
