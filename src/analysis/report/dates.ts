/**
 * Calendar arithmetic the reports need, on plain `YYYY-MM-DD` day strings (days are already cut in
 * --timezone by the queries; here they are labels): next/previous days, ISO weeks, months, and
 * "yesterday" in a time zone for the daily default. Pure; the clock is passed in.
 */
import { CostattrError } from '../../errors.js';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEK = /^(\d{4})-W(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

function toUtc(day: string): number {
  const m = DAY.exec(day);
  if (!m) throw new CostattrError('BAD_USAGE', `${day}: expected a date YYYY-MM-DD`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

function fromUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A valid calendar day, or a usage error naming the flag. */
export function parseDay(flag: string, value: string): string {
  const m = DAY.exec(value);
  if (!m || fromUtc(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) !== value) {
    throw new CostattrError('BAD_USAGE', `${flag} ${value}: expected a date YYYY-MM-DD`);
  }
  return value;
}

export function addDays(day: string, days: number): string {
  return fromUtc(toUtc(day) + days * MS_PER_DAY);
}

/** Days from `since` (inclusive) to `until` (exclusive). */
export function daysBetween(since: string, until: string): string[] {
  const out: string[] = [];
  for (let ms = toUtc(since); ms < toUtc(until); ms += MS_PER_DAY) out.push(fromUtc(ms));
  return out;
}

/** The Monday that starts ISO week `YYYY-Www`. */
export function isoWeekStart(week: string): string {
  const m = WEEK.exec(week);
  const year = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || n < 1 || n > weeksInIsoYear(year)) throw new CostattrError('BAD_USAGE', `--week ${week}: expected an ISO week such as 2026-W41`);
  const jan4 = Date.UTC(year, 0, 4);
  const mondayOfWeek1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * MS_PER_DAY;
  return fromUtc(mondayOfWeek1 + (n - 1) * 7 * MS_PER_DAY);
}

function weeksInIsoYear(year: number): number {
  // a year has 53 ISO weeks when Dec 28 falls in week 53
  return isoWeekOf(`${year}-12-28`).endsWith('53') ? 53 : 52;
}

/** `YYYY-Www` of a day. */
export function isoWeekOf(day: string): string {
  const ms = toUtc(day);
  const weekday = (new Date(ms).getUTCDay() + 6) % 7; // Monday = 0
  const thursday = ms + (3 - weekday) * MS_PER_DAY;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * MS_PER_DAY)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export function isMonday(day: string): boolean {
  return new Date(toUtc(day)).getUTCDay() === 1;
}

export function parseMonth(value: string): string {
  const m = MONTH.exec(value);
  const month = Number(m?.[2]);
  if (!m || month < 1 || month > 12) throw new CostattrError('BAD_USAGE', `--month ${value}: expected YYYY-MM`);
  return value;
}

/** First day of the month and first day of the next one. */
export function monthBounds(month: string): { since: string; until: string } {
  const [year, m] = parseMonth(month).split('-').map(Number) as [number, number];
  return { since: `${month}-01`, until: fromUtc(Date.UTC(year, m, 1)) };
}

export function previousMonth(month: string): string {
  return addDays(monthBounds(month).since, -1).slice(0, 7);
}

/** The calendar day before `now` as a wall clock in `timezone` shows it. */
export function yesterdayIn(timezone: string, now: Date): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  return addDays(today, -1);
}
