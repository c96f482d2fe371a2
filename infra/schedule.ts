/**
 * How far apart the runs of an EventBridge Scheduler expression can be, and the heartbeat alarm window that
 * follows from it. Pure: the stack and infra/config.ts use it, test/infra/schedule.test.ts proves it.
 *
 * Cron semantics (EventBridge Scheduler "Cron-based schedules"): six fields, minutes hours day-of-month month
 * day-of-week year; day-of-week 1-7 is SUN-SAT; exactly one of the day fields is `?`; `L` is the last day
 * of the month (day-of-month) or SAT (day-of-week), `LW` the last weekday of the month, `15W` the weekday
 * nearest the 15th within the month, `5L` the last THU of the month, `6#3` the third FRI.
 */

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MINUTES_PER_DAY = 1440;
/** Days whose firings are enumerated: a leap year and the year after it, so Feb 29 and year ends count. */
const ENUMERATED_DAYS = 3 * 366;
/** A fixed start, so a synth never depends on the day it runs: 2024-01-01 (a Monday of a leap year). */
const START = Date.UTC(2024, 0, 1);

/** The values a plain field (numbers, names, ranges, lists, steps) stands for. */
function expand(field: string, min: number, max: number, names?: string[]): Set<number> {
  const value = (token: string): number => {
    const named = names?.indexOf(token.toUpperCase()) ?? -1;
    return named >= 0 ? named + 1 : Number(token);
  };
  const out = new Set<number>();
  for (const item of field.split(",")) {
    const [base = "*", stepText] = item.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    let from = min;
    let to = max;
    if (base !== "*") {
      const [a = "", b] = base.split("-");
      from = value(a);
      to = b === undefined ? (stepText === undefined ? from : max) : value(b);
    }
    // A range written backwards (FRI-MON) wraps around the field.
    const span = to >= from ? to - from : to + (max - min + 1) - from;
    for (let i = 0; i <= span; i += step) out.add(((from - min + i) % (max - min + 1)) + min);
  }
  return out;
}

interface Day {
  year: number;
  /** 1-12 */
  month: number;
  /** 1-31 */
  dayOfMonth: number;
  /** 1-7, SUN = 1 */
  dayOfWeek: number;
  daysInMonth: number;
}

function dayAt(index: number): Day {
  const date = new Date(START + index * 86_400_000);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  return {
    year,
    month,
    dayOfMonth: date.getUTCDate(),
    dayOfWeek: date.getUTCDay() + 1,
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}

function weekdayOf(day: Day, dayOfMonth: number): number {
  return new Date(Date.UTC(day.year, day.month - 1, dayOfMonth)).getUTCDay() + 1;
}

/** The weekday nearest to `target` within the month (`15W`; `LW` with target = last day). */
function nearestWeekday(day: Day, target: number): number {
  const t = Math.min(target, day.daysInMonth);
  const weekday = weekdayOf(day, t);
  if (weekday === 7) return t === 1 ? 3 : t - 1; // SAT → FRI, or MON when the 1st is a SAT
  if (weekday === 1) return t === day.daysInMonth ? t - 2 : t + 1; // SUN → MON, or FRI at the month's end
  return t;
}

function dayOfMonthMatches(field: string, day: Day): boolean {
  if (field === "?") return true;
  if (field === "L") return day.dayOfMonth === day.daysInMonth;
  if (field === "LW") return day.dayOfMonth === nearestWeekday(day, day.daysInMonth);
  const nearest = /^(\d+)W$/.exec(field);
  if (nearest) return day.dayOfMonth === nearestWeekday(day, Number(nearest[1]));
  return expand(field, 1, 31).has(day.dayOfMonth);
}

function dayOfWeekMatches(field: string, day: Day): boolean {
  if (field === "?") return true;
  if (field === "L") return day.dayOfWeek === 7;
  const last = /^([1-7])L$/.exec(field);
  if (last) return day.dayOfWeek === Number(last[1]) && day.dayOfMonth + 7 > day.daysInMonth;
  const nth = /^([1-7])#([1-5])$/.exec(field);
  if (nth) return day.dayOfWeek === Number(nth[1]) && Math.ceil(day.dayOfMonth / 7) === Number(nth[2]);
  return expand(field, 1, 7, DAYS).has(day.dayOfWeek);
}

/**
 * The longest time between two consecutive runs of a valid Scheduler expression, in minutes (the year
 * field is not a period: it is ignored). `undefined` when a cron fires fewer than twice in three years.
 */
export function longestGapMinutes(expression: string): number | undefined {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate) {
    const unit = rate[2] === "minute" ? 1 : rate[2] === "hour" ? 60 : MINUTES_PER_DAY;
    return Number(rate[1]) * unit;
  }
  const fields = /^cron\((.*)\)$/.exec(expression)?.[1]?.trim().split(/\s+/);
  if (fields === undefined || fields.length !== 6) return undefined;
  const [minutes = "", hours = "", dayOfMonth = "", month = "", dayOfWeek = ""] = fields;
  const times: number[] = [];
  for (const h of [...expand(hours, 0, 23)].sort((a, b) => a - b))
    for (const m of [...expand(minutes, 0, 59)].sort((a, b) => a - b)) times.push(h * 60 + m);
  const first = times[0];
  const last = times.at(-1);
  if (first === undefined || last === undefined) return undefined;
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, (times[i] ?? 0) - (times[i - 1] ?? 0));
  const months = expand(month, 1, 12, MONTHS);
  let previousDay: number | undefined;
  let firingDays = 0;
  for (let i = 0; i < ENUMERATED_DAYS; i++) {
    const day = dayAt(i);
    if (!months.has(day.month) || !dayOfMonthMatches(dayOfMonth, day) || !dayOfWeekMatches(dayOfWeek, day))
      continue;
    firingDays += 1;
    if (previousDay !== undefined) {
      longest = Math.max(longest, (i - previousDay) * MINUTES_PER_DAY + first - last);
    }
    previousDay = i;
  }
  if (firingDays < 2) return undefined;
  return longest;
}

/** CloudWatch evaluates an alarm over at most 7 days (PutMetricAlarm: Period × EvaluationPeriods). */
export const MAX_ALARM_RANGE_MINUTES = 7 * MINUTES_PER_DAY;

export interface HeartbeatWindow {
  /** Two schedule periods, the flexible window and a daylight-saving hour, rounded up to the alarm period. */
  windowMinutes: number;
  periodMinutes: number;
  evaluationPeriods: number;
}

/**
 * The heartbeat alarm's window: no completed scope for two of the schedule's longest gaps (plus its
 * flexible window, plus an hour where the time zone has daylight saving) is an alarm. Hourly periods when
 * the window passes 6 hours (CloudWatch allows at most one day of sub-hour periods), 5 minutes below.
 */
export function heartbeatWindow(
  gapMinutes: number,
  flexibleWindowMinutes: number,
  timeZone: string,
): HeartbeatWindow {
  const dstSlack = timeZone === "UTC" || timeZone === "Etc/UTC" ? 0 : 60;
  const raw = 2 * gapMinutes + flexibleWindowMinutes + dstSlack;
  const periodMinutes = raw > 360 ? 60 : 5;
  const evaluationPeriods = Math.ceil(raw / periodMinutes);
  return { windowMinutes: evaluationPeriods * periodMinutes, periodMinutes, evaluationPeriods };
}
