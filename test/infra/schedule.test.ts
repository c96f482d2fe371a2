import { describe, expect, it } from "vitest";
import { heartbeatWindow, longestGapMinutes, MAX_ALARM_RANGE_MINUTES } from "#infra/schedule.ts";

const HOUR = 60;
const DAY = 24 * HOUR;

describe("Function: longestGapMinutes", () => {
  it.each([
    ["rate(30 minutes)", 30],
    ["rate(1 hour)", HOUR],
    ["rate(12 hours)", 12 * HOUR],
    ["rate(2 days)", 2 * DAY],
    ["cron(15 6 * * ? *)", DAY],
    ["cron(0/15 * * * ? *)", 15],
    ["cron(0 6,18 * * ? *)", 12 * HOUR],
    ["cron(0 9-17 * * ? *)", 16 * HOUR],
    // Friday 08:00 to Monday 08:00
    ["cron(0 8 ? * MON-FRI *)", 3 * DAY],
    ["cron(0 8 ? * 2-6 *)", 3 * DAY],
    // FRI-MON wraps: Monday 08:00 to Friday 08:00
    ["cron(0 8 ? * FRI-MON *)", 4 * DAY],
    ["cron(0 6 ? * SUN *)", 7 * DAY],
    // The 31st of one month to the 1st of the next, or the 31st to the 1st two months on
    ["cron(0 0 1,15 * ? *)", 17 * DAY],
    ["cron(30 2 L * ? 2026-2030)", 31 * DAY],
    // The first Monday of two consecutive months: up to 5 weeks apart
    ["cron(0 9 ? * 2#1 *)", 35 * DAY],
  ])("%s runs at most %i minutes apart", (expression, minutes) => {
    expect(longestGapMinutes(expression)).toBe(minutes);
  });

  it("finds the nearest weekday of a W day inside the month", () => {
    // 15W in January and July: the gap is from January's to July's (181–183 days), whatever the weekday
    const gap = longestGapMinutes("cron(0 12 15W JAN,JUL ? *)") ?? 0;
    expect(gap).toBeGreaterThanOrEqual(179 * DAY);
    expect(gap).toBeLessThanOrEqual(186 * DAY);
  });

  it("has no answer for a cron that fires fewer than twice in three years", () => {
    expect(longestGapMinutes("cron(0 0 29 2 ? *)")).toBeUndefined();
  });
});

describe("Function: heartbeatWindow", () => {
  it("covers two daily periods and the flexible window in hourly periods", () => {
    // Act
    const window = heartbeatWindow(DAY, 15, "UTC");

    // Assess: 48 h 15 min, rounded up to the hour
    expect(window).toEqual({ windowMinutes: 49 * HOUR, periodMinutes: HOUR, evaluationPeriods: 49 });
  });

  it("adds an hour where daylight saving can move a run", () => {
    expect(heartbeatWindow(DAY, 0, "Europe/Paris").windowMinutes).toBe(49 * HOUR);
    expect(heartbeatWindow(DAY, 0, "UTC").windowMinutes).toBe(48 * HOUR);
  });

  it("uses 5-minute periods for frequent schedules", () => {
    expect(heartbeatWindow(30, 0, "UTC")).toEqual({
      windowMinutes: 60,
      periodMinutes: 5,
      evaluationPeriods: 12,
    });
  });

  it("grows past CloudWatch's 7 days for a weekly schedule, which the settings then refuse", () => {
    expect(heartbeatWindow(7 * DAY, 0, "UTC").windowMinutes).toBeGreaterThan(MAX_ALARM_RANGE_MINUTES);
  });
});
