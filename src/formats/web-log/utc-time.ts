/** Two ASCII digits at `at`, or -1. */
function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

// Every line of a log repeats the date: remember the last one's midnight.
let lastDate = '';
let lastMidnight: number | undefined;

function midnight(date: string): number | undefined {
  if (date === lastDate) return lastMidnight;
  let result: number | undefined;
  const century = twoDigits(date, 0);
  const year = twoDigits(date, 2);
  const month = twoDigits(date, 5);
  const day = twoDigits(date, 8);
  if (date.length === 10 && date[4] === '-' && date[7] === '-' && century >= 0 && year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31) {
    result = Date.UTC(century * 100 + year, month - 1, day);
  }
  lastDate = date;
  lastMidnight = result;
  return result;
}

/** Parses `YYYY-MM-DD` and `HH:MM:SS[.fff]` as UTC; undefined when malformed. */
export function utcTime(date: string, time: string): number | undefined {
  if (time.length < 8 || time[2] !== ':' || time[5] !== ':') return undefined;
  const day = midnight(date);
  if (day === undefined) return undefined;
  const h = twoDigits(time, 0);
  const mi = twoDigits(time, 3);
  const s = twoDigits(time, 6);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return undefined;
  return day + ((h * 60 + mi) * 60 + s) * 1000;
}
