import type { TStatusCode } from '../contracts/exchange.js';
import { nextWorking, type WorkCalendar } from './synthetic-calendar.js';
import type { Rng } from './synthetic-random.js';

/**
 * The life of one delivery as the exchange would have recorded it: arrival (01), then rejection
 * (02) or acceptance (03), assignment (04), processing (05) and completion (06), with delays
 * drawn from office hours. Nothing happens after `now`: recent deliveries are still open.
 * Calibrated so that about 93 % of deliveries with a due date that has passed were completed by
 * it, ~5 % late and ~2 % are still open.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type Step = { code: TStatusCode; at: number };

export const RATES = {
  /** Packages relayed through another hub arrive a little after they were sent. */
  relayed: 0.12,
  rejected: 0.018,
  /** Of deliveries with a due date: completed on time / late / never. */
  onTime: 0.93,
  late: 0.05,
  /** Of deliveries without a due date (for information): eventually completed. */
  completedWithoutDue: 0.72,
};

/** 01 and what follows, up to `now`. `due` is the end of the due day (or null). */
export function lifecycle(
  rng: Rng,
  cal: WorkCalendar,
  sent: number,
  due: number | null,
  now: number,
): Step[] {
  // a delivery exists from its 01: one relayed just before `now` has arrived by now
  const arrived = rng.chance(RATES.relayed)
    ? Math.min(now, sent + Math.floor(rng.logNormal(40_000, 1.4)))
    : sent;
  const steps: Step[] = [{ code: '01', at: arrived }];
  if (rng.chance(RATES.rejected)) {
    steps.push({
      code: '02',
      at: nextWorking(rng, cal, arrived + Math.floor(rng.logNormal(2 * HOUR, 1.2))),
    });

    return steps.filter((s) => s.at <= now);
  }
  const accepted = nextWorking(rng, cal, arrived + Math.floor(rng.logNormal(35 * MINUTE, 1.3)));
  steps.push({ code: '03', at: accepted });
  let done: number | null = null;
  if (due !== null) {
    const x = rng.next();
    if (x < RATES.onTime) {
      const room = Math.max(due - accepted, HOUR);
      done = accepted + Math.floor(room * (0.1 + 0.88 * rng.next() ** 1.3));
      if (done > due) done = due - rng.int(HOUR);
    } else if (x < RATES.onTime + RATES.late) {
      done = due + Math.floor(rng.logNormal(2 * DAY, 0.9));
    }
  } else if (rng.chance(RATES.completedWithoutDue)) {
    done = nextWorking(rng, cal, accepted + Math.floor(rng.logNormal(1.5 * DAY, 1.1)));
  }
  if (done !== null && done <= accepted) done = accepted + MINUTE;
  if (done !== null) {
    const span = done - accepted;
    // in office hours when that still leaves them before completion
    const within = (t: number) => {
      const w = nextWorking(rng, cal, t);

      return w < done ? w : t;
    };
    const assigned = within(accepted + Math.floor(span * 0.15));
    if (rng.chance(0.7)) steps.push({ code: '04', at: assigned });
    steps.push({ code: '05', at: Math.max(assigned, within(accepted + Math.floor(span * 0.4))) });
    steps.push({ code: '06', at: done });
  } else if (rng.chance(0.6)) {
    steps.push({
      code: '05',
      at: nextWorking(rng, cal, accepted + Math.floor(rng.logNormal(DAY, 1))),
    });
  }

  return steps.filter((s) => s.at <= now);
}
