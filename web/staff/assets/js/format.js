// How the app shows numbers and moments: North American numbers as (512) 555-0142, others as stored (E.164);
// moments in the company's time zone.

let companyTimeZone = "UTC";

export function setTimeZone(timeZone) {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    companyTimeZone = timeZone;
  } catch {
    companyTimeZone = "UTC";
  }
}

export function timeZone() {
  return companyTimeZone;
}

export function phone(e164) {
  if (!e164) return "Unknown number";
  const match = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return match ? `(${match[1]}) ${match[2]}-${match[3]}` : e164;
}

export function moment(iso, style = "medium") {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat("en-US", {
    timeZone: companyTimeZone,
    dateStyle: style,
    timeStyle: "short",
  }).format(date);
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return minutes ? `${minutes} min ${rest} s` : `${rest} s`;
}

export function percent(fraction) {
  return fraction === null || fraction === undefined ? "—" : `${Math.round(fraction * 100)}%`;
}

// The company's wall-clock time, for an <input type="datetime-local"> ("2026-11-25T09:00") and back to a moment
// (ISO 8601, UTC), whatever the browser's own time zone.
function wallClock(date) {
  const parts = {};
  const formatter = new Intl.DateTimeFormat("en-US", {
    timeZone: companyTimeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  for (const part of formatter.formatToParts(date)) parts[part.type] = part.value;
  return parts;
}

export function localInput(iso) {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return "";
  const p = wallClock(date);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

export function fromLocalInput(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value || "");
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((n) => Number(n || 0));
  const wanted = Date.UTC(year, month - 1, day, hour, minute, second);
  const offsetAt = (instant) => {
    const p = wallClock(new Date(instant));
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(instant / 1000) * 1000;
  };
  let instant = wanted - offsetAt(wanted);
  instant = wanted - offsetAt(instant); // again, in case the first guess fell across a daylight-saving change
  return new Date(instant).toISOString();
}

// A span of time: "Nov 25, 2026, 9:00 AM – 12:00 PM" when it ends the same day.
export function span(startIso, endIso) {
  const start = new Date(startIso);
  const end = new Date(endIso);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return `${startIso} – ${endIso}`;
  const sameDay = localInput(startIso).slice(0, 10) === localInput(endIso).slice(0, 10);
  const endText = sameDay
    ? new Intl.DateTimeFormat("en-US", { timeZone: companyTimeZone, timeStyle: "short" }).format(end)
    : moment(endIso);
  return `${moment(startIso)} – ${endText}`;
}
