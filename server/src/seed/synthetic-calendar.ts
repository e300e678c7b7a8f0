import { VN_OFFSET_MS } from '../modules/scope/index.js';
import type { Rng } from './synthetic-random.js';

/**
 * When civil servants work, for the synthetic history: office hours of the Vietnam calendar
 * (UTC+7), weekends, Tết and the national holidays, month-end reporting peaks and a slow growth of
 * electronic exchange over the two years.
 */
export const DAY_MS = 86_400_000;
const HOUR = 3_600_000;
const MORNING = [7 * HOUR, 11.5 * HOUR] as const;
const AFTERNOON = [13.5 * HOUR, 17 * HOUR] as const;

/** First day of the lunar new year (Tết Nguyên đán), by Gregorian year. */
const TET: Record<number, string> = {
  2020: '01-25',
  2021: '02-12',
  2022: '02-01',
  2023: '01-22',
  2024: '02-10',
  2025: '01-29',
  2026: '02-17',
  2027: '02-06',
  2028: '01-26',
  2029: '02-13',
  2030: '02-03',
  2031: '01-23',
  2032: '02-11',
};
const FIXED_HOLIDAYS = ['01-01', '04-30', '05-01', '09-01', '09-02'];

/** Vietnam day number (days since 1970-01-01 in UTC+7) of an instant. */
export function dayOf(at: number): number {
  return Math.floor((at + VN_OFFSET_MS) / DAY_MS);
}

/** The instant a Vietnam day starts. */
export function dayStart(day: number): number {
  return day * DAY_MS - VN_OFFSET_MS;
}

function isoOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Monday = 0 … Sunday = 6 (day 0, 1970-01-01, was a Thursday). */
export function weekday(day: number): number {
  return (day + 3) % 7;
}

function tetDays(year: number): Set<number> {
  const out = new Set<number>();
  const first = TET[year];
  if (!first) return out;
  const d0 = Math.floor(Date.parse(`${year}-${first}T00:00:00Z`) / DAY_MS);
  // the official break: a few days before the first day and the first week of the year
  for (let d = d0 - 3; d <= d0 + 5; d++) out.add(d);

  return out;
}

export type WorkCalendar = {
  firstDay: number;
  days: number;
  /** Relative volume of documents per day of the window. */
  weights: Float64Array;
  isWorkingDay(day: number): boolean;
};

/** The calendar of the window [firstDay, firstDay + days). */
export function workCalendar(firstDay: number, days: number): WorkCalendar {
  const holidays = new Set<number>();
  const y0 = Number(isoOf(firstDay).slice(0, 4));
  for (let y = y0 - 1; y <= y0 + Math.ceil(days / 365) + 1; y++) {
    for (const d of tetDays(y)) holidays.add(d);
    for (const md of FIXED_HOLIDAYS)
      holidays.add(Math.floor(Date.parse(`${y}-${md}T00:00:00Z`) / DAY_MS));
  }
  const working = (day: number) => weekday(day) < 5 && !holidays.has(day);
  const weights = new Float64Array(days);
  for (let i = 0; i < days; i++) {
    const day = firstDay + i;
    const iso = isoOf(day);
    const md = Number(iso.slice(8, 10));
    const month = Number(iso.slice(5, 7));
    let w = holidays.has(day) ? 0.03 : [1, 1, 1, 1, 0.95, 0.12, 0.04][weekday(day)]!;
    if (md >= 25) w *= 1.25; // month-end reports
    if (month === 12) w *= 1.15; // year-end reviews and plans
    if ([...holidays].some((h) => h > day && h - day <= 10 && !holidays.has(day))) w *= 1.05;
    w *= 0.8 + (0.4 * i) / days; // electronic exchange grows over the years
    weights[i] = w;
  }

  return { firstDay, days, weights, isWorkingDay: (d) => working(d) };
}

/** An instant on a day, drawn from office hours (a few documents are sent in the evening). */
export function timeOnDay(rng: Rng, day: number): number {
  const x = rng.next();
  let ms: number;
  if (x < 0.56) ms = MORNING[0] + rng.next() * (MORNING[1] - MORNING[0]);
  else if (x < 0.95) ms = AFTERNOON[0] + rng.next() * (AFTERNOON[1] - AFTERNOON[0]);
  else ms = AFTERNOON[1] + rng.next() * 5 * HOUR;

  return dayStart(day) + Math.floor(ms);
}

/** The instant itself during office hours, else the next opening (plus a little settling in). */
export function nextWorking(rng: Rng, cal: WorkCalendar, at: number): number {
  const day = dayOf(at);
  const inDay = at - dayStart(day);
  if (cal.isWorkingDay(day)) {
    if (inDay >= MORNING[0] && inDay < MORNING[1]) return at;
    if (inDay >= AFTERNOON[0] && inDay < AFTERNOON[1]) return at;
    if (inDay < MORNING[0]) return dayStart(day) + MORNING[0] + rng.int(HOUR);
    if (inDay < AFTERNOON[0]) return dayStart(day) + AFTERNOON[0] + rng.int(HOUR / 2);
  }
  let next = day + 1;
  while (!cal.isWorkingDay(next) && next < day + 20) next++;

  return dayStart(next) + MORNING[0] + rng.int(1.5 * HOUR);
}
