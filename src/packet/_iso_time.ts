/**
 * A capture timestamp (whole seconds and nanoseconds since the epoch) as ISO 8601 in UTC
 * with nanoseconds, by arithmetic: the first `Date#toISOString()` of a process costs V8
 * (Node, Deno) about a millisecond, a cost every `pcap stats` run would pay twice.
 *
 * @module
 */

const SECONDS_PER_DAY = 86400;
/** Days from 0000-03-01 (the start of the calendar's 400-year era) to 1970-01-01. */
const EPOCH_DAYS = 719468;
const DAYS_PER_ERA = 146097;

/** Date covers ±8.64e15 ms: a timestamp beyond it is written as plain seconds, as Date cannot name it. */
const MAX_SECONDS = 8.64e12;

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The year as `toISOString()` writes it: four digits, or a sign and six beyond 0000–9999. */
function yearText(year: number): string {
  if (year >= 0 && year <= 9999) return String(year).padStart(4, "0");
  return (year < 0 ? "-" : "+") + String(Math.abs(year)).padStart(6, "0");
}

/**
 * `2023-11-14T22:13:20.000011000Z` for `(1700000000, 11000)`: what `toISOString()` gives
 * for the whole seconds, then the nine digits of `nsec`.
 */
export function isoTime(sec: number, nsec: number): string {
  const fraction = String(nsec).padStart(9, "0");
  if (!(Math.abs(sec) <= MAX_SECONDS)) return `${sec}.${fraction}`;
  const days = Math.floor(sec / SECONDS_PER_DAY);
  const inDay = Math.floor(sec) - days * SECONDS_PER_DAY;
  // The proleptic Gregorian date of a day number, counting years from March so that the
  // leap day falls last (the civil-from-days method).
  const z = days + EPOCH_DAYS;
  const era = Math.floor(z / DAYS_PER_ERA);
  const dayOfEra = z - era * DAYS_PER_ERA;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(inDay / 3600);
  const minute = Math.floor((inDay % 3600) / 60);
  const second = inDay % 60;
  return `${yearText(year)}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}.${fraction}Z`;
}
