import type { TStatsPeriod } from '../../contracts/stats.js';
import { AppError } from '../../errors/app-error.js';

/** Vietnam has kept UTC+7 without daylight saving since 1975: a fixed shift is exact. */
export const VN_OFFSET_MS = 7 * 3_600_000;
export const VN_TIMEZONE = 'Asia/Ho_Chi_Minh';
const DAY_MS = 86_400_000;
const MAX_BUCKETS = 1_000;

/** Midnight starting a Vietnam calendar day. */
export function vnDayStart(isoDate: string): Date {
  const d = new Date(`${isoDate}T00:00:00+07:00`);
  if (Number.isNaN(d.getTime()) || vnIsoDate(d) !== isoDate)
    throw new AppError('VALIDATION_FAILED', `Ngày không tồn tại: ${isoDate}`);

  return d;
}

/** The Vietnam calendar day of an instant, YYYY-MM-DD. */
export function vnIsoDate(at: Date): string {
  return new Date(at.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10);
}

/** Number of the Vietnam calendar day (days since 1970-01-01 in UTC+7). */
export function vnDayNumber(at: Date): number {
  return Math.floor((at.getTime() + VN_OFFSET_MS) / DAY_MS);
}

/** Start of the calendar period containing `at`; weeks start on Monday, as $dateTrunc is told. */
export function periodStart(at: Date, unit: TStatsPeriod): Date {
  const v = new Date(at.getTime() + VN_OFFSET_MS);
  const y = v.getUTCFullYear();
  const m = v.getUTCMonth();
  let local: number;
  switch (unit) {
    case 'day':
      local = Date.UTC(y, m, v.getUTCDate());
      break;
    case 'week':
      local = Date.UTC(y, m, v.getUTCDate() - ((v.getUTCDay() + 6) % 7));
      break;
    case 'month':
      local = Date.UTC(y, m, 1);
      break;
    case 'quarter':
      local = Date.UTC(y, m - (m % 3), 1);
      break;
    case 'year':
      local = Date.UTC(y, 0, 1);
      break;
  }

  return new Date(local - VN_OFFSET_MS);
}

/** Start of the period after the one starting at `start`. */
export function nextPeriodStart(start: Date, unit: TStatsPeriod): Date {
  const v = new Date(start.getTime() + VN_OFFSET_MS);
  const [y, m, d] = [v.getUTCFullYear(), v.getUTCMonth(), v.getUTCDate()];
  const next = {
    day: () => Date.UTC(y, m, d + 1),
    week: () => Date.UTC(y, m, d + 7),
    month: () => Date.UTC(y, m + 1, 1),
    quarter: () => Date.UTC(y, m + 3, 1),
    year: () => Date.UTC(y + 1, 0, 1),
  }[unit]();

  return new Date(next - VN_OFFSET_MS);
}

/** Human name of a period: 2026-11-28, 2026-W48 (its Monday's date), 2026-11, 2026-Q4, 2026. */
export function periodLabel(start: Date, unit: TStatsPeriod): string {
  const iso = vnIsoDate(start);
  const m = Number(iso.slice(5, 7));
  switch (unit) {
    case 'day':
    case 'week':
      return iso;
    case 'month':
      return iso.slice(0, 7);
    case 'quarter':
      return `${iso.slice(0, 4)}-Q${Math.ceil(m / 3)}`;
    case 'year':
      return iso.slice(0, 4);
  }
}

export type Range = { start: Date; end: Date; from: string; to: string };

/** [start, end) from inclusive days; a missing bound is taken from the period holding the other. */
export function resolveRange(
  q: { from?: string; to?: string; period: TStatsPeriod },
  now: Date,
): Range {
  let start: Date;
  let end: Date;
  if (q.from && q.to) {
    start = vnDayStart(q.from);
    end = new Date(vnDayStart(q.to).getTime() + DAY_MS);
  } else if (q.from) {
    start = vnDayStart(q.from);
    end = nextPeriodStart(periodStart(start, q.period), q.period);
  } else {
    const anchor = q.to ? vnDayStart(q.to) : now;
    start = periodStart(anchor, q.period);
    end = q.to ? new Date(anchor.getTime() + DAY_MS) : nextPeriodStart(start, q.period);
  }
  if (end <= start)
    throw new AppError('VALIDATION_FAILED', 'Ngày bắt đầu phải trước ngày kết thúc.');

  return { start, end, from: vnIsoDate(start), to: vnIsoDate(new Date(end.getTime() - 1)) };
}

export type Bucket = { start: Date; end: Date; label: string };

/** Every calendar period overlapping the range, clipped to it, empty ones included. */
export function bucketsOf(range: Range, unit: TStatsPeriod): Bucket[] {
  const out: Bucket[] = [];
  for (let s = periodStart(range.start, unit); s < range.end; s = nextPeriodStart(s, unit)) {
    if (out.length >= MAX_BUCKETS)
      throw new AppError(
        'VALIDATION_FAILED',
        `Quá nhiều kỳ (hơn ${MAX_BUCKETS}); hãy chọn kỳ dài hơn hoặc khoảng ngắn hơn.`,
      );
    const e = nextPeriodStart(s, unit);
    out.push({
      start: s < range.start ? range.start : s,
      end: e > range.end ? range.end : e,
      label: periodLabel(s, unit),
    });
  }

  return out;
}
