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
