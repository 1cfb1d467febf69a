// What the leads, booking and job screens share: the words for a lead's source, status and priority, who did
// something, the job's details form (business unit, the job types it offers, the appointment window in the
// company's time zone, technician, priority, summary) and how a window reads.
import { h, fieldId } from "./dom.js";
import * as format from "./format.js";
import { offeredBy } from "./lookups.js";

export const SOURCE_LABELS = {
  call: "Call",
  manual: "Entered by hand",
  job: "Raised from a job",
  abandoned_call: "Abandoned call",
  partner: "Lead partner",
  online: "Online booking",
  second_chance: "Second Chance Lead",
};
export const LEAD_STATUS_LABELS = { open: "Open", converted: "Converted", dismissed: "Dismissed" };
export const PRIORITY_LABELS = { low: "Low", normal: "Normal", high: "High", urgent: "Urgent" };
export const TECHNICIAN_ROLE = "technician";

export function has(me, permission) {
  return (me.permissions || []).includes(permission);
}

// "you (Dana Lee)", another employee's name, or Leadline for what the system did.
export function who(employeeId, me, employeeNames) {
  if (!employeeId) return "Leadline";
  if (employeeId === me.employee_id) return `you (${me.name})`;
  return employeeNames.get(employeeId) || employeeId;
}

// --- moments in the company's time zone ---------------------------------------------------------------------

function pad(n) {
  return String(n).padStart(2, "0");
}

function offsetMinutes(utcMs, timeZone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(new Date(utcMs))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour % 24, +parts.minute, +parts.second);
  return Math.round((wall - utcMs) / 60000);
}

// A datetime-local value ("2026-12-24T09:00"), read as the company's wall-clock time: ISO 8601 with its offset
// ("2026-12-24T09:00:00-06:00"), or null when it is not a date and time.
export function wallTimeToIso(value, timeZone = format.timeZone()) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  const offset = offsetMinutes(wall - offsetMinutes(wall, timeZone) * 60000, timeZone);
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

// Tomorrow in the company's time zone at `hour`, as a datetime-local value.
function tomorrowAt(hour, timeZone = format.timeZone()) {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    new Date(),
  );
  const [y, mo, d] = today.split("-").map(Number);
  const next = new Date(Date.UTC(y, mo - 1, d + 1));
  return `${next.getUTCFullYear()}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}T${pad(hour)}:00`;
}

function sameDay(a, b) {
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: format.timeZone(), dateStyle: "short" });
  return day.format(a) === day.format(b);
}

// "Dec 24, 2026, 9:00 AM to 11:00 AM" (the end's day too when it differs).
export function windowText(start, end) {
  const from = new Date(start);
  const to = new Date(end);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return `${start} to ${end}`;
  const endText = sameDay(from, to)
    ? new Intl.DateTimeFormat("en-US", { timeZone: format.timeZone(), timeStyle: "short" }).format(to)
    : format.moment(end);
  return `${format.moment(start)} to ${endText}`;
}

// --- the job's details ----------------------------------------------------------------------------------------

function options(items, idField, selected, emptyLabel) {
  return [
    h("option", { value: "" }, emptyLabel),
    items.map((item) => h("option", { value: item[idField], selected: item[idField] === selected }, item.name)),
  ];
}

// A fieldset with what a job needs; `read()` gives the request body's job fields, or throws an Error in words.
// `refs`: { businessUnits, jobTypes, employees } as lookups.js gives them.
export function jobDetails(refs, { legend = "The job", businessUnitId = "", jobTypeId = "", summary = "" } = {}) {
  const byName = (a, b) => a.name.localeCompare(b.name);
  const units = refs.businessUnits.filter((u) => u.active).sort(byName);
  const technicians = refs.employees.filter((e) => e.active && e.role_id === TECHNICIAN_ROLE).sort(byName);
  const ids = {
    unit: fieldId("business-unit"),
    type: fieldId("job-type"),
    typeHint: fieldId("job-type-hint"),
    start: fieldId("appointment-start"),
    end: fieldId("appointment-end"),
    zone: fieldId("time-zone-hint"),
    technician: fieldId("technician"),
    priority: fieldId("priority"),
    summary: fieldId("job-summary"),
  };
  const unitSelect = h("select", { id: ids.unit, name: "business_unit_id", required: true }, options(units, "business_unit_id", businessUnitId, "Choose a business unit"));
  const typeSelect = h("select", { id: ids.type, name: "job_type_id", required: true, "aria-describedby": ids.typeHint });
  const fillTypes = (keep) => {
    const offered = unitSelect.value ? offeredBy(refs.jobTypes, unitSelect.value).sort(byName) : [];
    typeSelect.replaceChildren(...options(offered, "job_type_id", keep, unitSelect.value ? "Choose a job type" : "Choose a business unit first").flat());
  };
  unitSelect.addEventListener("change", () => fillTypes(typeSelect.value));
  fillTypes(jobTypeId);

  const element = h(
    "fieldset",
    { class: "job-details" },
    h("legend", {}, legend),
    h("div", { class: "field" }, h("label", { for: ids.unit }, "Business unit"), unitSelect),
    h(
      "div",
      { class: "field" },
      h("label", { for: ids.type }, "Job type"),
      typeSelect,
      h("p", { class: "hint", id: ids.typeHint }, "Only the job types the business unit offers are listed."),
    ),
    h("p", { class: "hint", id: ids.zone }, `Times are the company's (${format.timeZone().replace(/_/g, " ")}).`),
    h(
      "div",
      { class: "field" },
      h("label", { for: ids.start }, "Appointment starts"),
      h("input", { id: ids.start, name: "appointment_start", type: "datetime-local", required: true, value: tomorrowAt(8), "aria-describedby": ids.zone }),
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: ids.end }, "Appointment ends"),
      h("input", { id: ids.end, name: "appointment_end", type: "datetime-local", required: true, value: tomorrowAt(10), "aria-describedby": ids.zone }),
    ),
    technicians.length
      ? h(
          "div",
          { class: "field" },
          h("label", { for: ids.technician }, "Technician"),
          h("select", { id: ids.technician, name: "technician_id" }, options(technicians, "employee_id", "", "Not assigned yet")),
        )
      : h("p", { class: "hint" }, "No employee has the Technician role, so no technician can be assigned yet."),
    h(
      "div",
      { class: "field" },
      h("label", { for: ids.priority }, "Priority"),
      h(
        "select",
        { id: ids.priority, name: "priority" },
        h("option", { value: "" }, "Not set"),
        Object.entries(PRIORITY_LABELS).map(([value, label]) => h("option", { value }, label)),
      ),
    ),
    h(
      "div",
      { class: "field wide" },
      h("label", { for: ids.summary }, "Summary (optional)"),
      h("textarea", { id: ids.summary, name: "summary", rows: 2, maxlength: 5000 }, summary || ""),
    ),
  );

  function read() {
    const start = wallTimeToIso(element.querySelector(`#${ids.start}`).value);
    const end = wallTimeToIso(element.querySelector(`#${ids.end}`).value);
    if (!unitSelect.value) throw new Error("Choose the business unit the job is for.");
    if (!typeSelect.value) throw new Error("Choose the job type.");
    if (!start || !end) throw new Error("Give the appointment's start and end, each a date and a time.");
    if (new Date(end) <= new Date(start)) throw new Error("The appointment must end after it starts.");
    const technician = element.querySelector(`#${ids.technician}`)?.value;
    const priority = element.querySelector(`#${ids.priority}`).value;
    const text = element.querySelector(`#${ids.summary}`).value.trim();
    return {
      business_unit_id: unitSelect.value,
      job_type_id: typeSelect.value,
      appointment_start: start,
      appointment_end: end,
      ...(technician ? { technician_id: technician } : {}),
      ...(priority ? { priority } : {}),
      ...(text ? { summary: text } : {}),
    };
  }

  return { element, read };
}

// --- the customer ----------------------------------------------------------------------------------------------

// After a look-up by phone: the customers who have the number to pick from (the first picked), or someone new;
// a form reads `customer` (an id, or "new") and `customer_name`.
export function customerChoice(customers) {
  const nameId = fieldId("customer-name");
  const newName = h(
    "div",
    { class: "field" },
    h("label", { for: nameId }, "New customer's name"),
    h("input", { id: nameId, name: "customer_name", type: "text", maxlength: 200, autocomplete: "off" }),
  );
  if (!customers.length) {
    return [h("p", {}, "No customer has this number: a new customer will be created with it."), h("input", { type: "hidden", name: "customer", value: "new" }), newName];
  }
  return h(
    "fieldset",
    {},
    h("legend", {}, customers.length === 1 ? "One customer has this number" : `${customers.length} customers have this number`),
    customers.map((c, i) => {
      const id = fieldId("customer");
      return h(
        "div",
        { class: "radio" },
        h("input", { type: "radio", id, name: "customer", value: c.customer_id, checked: i === 0 }),
        h("label", { for: id }, `${c.name} (${c.phones.map(format.phone).join(", ")})`),
      );
    }),
    h(
      "div",
      { class: "radio" },
      h("input", { type: "radio", id: `${nameId}-choice`, name: "customer", value: "new" }),
      h("label", { for: `${nameId}-choice` }, "Someone else: a new customer"),
    ),
    newName,
  );
}

// The customer a form's customerChoice names: the one picked, or a new one with the number, created now. `made`
// (one per form) keeps those created, so that a second try after a refusal does not create the customer twice.
export async function chosenCustomer(api, data, phone, made = new Map()) {
  const picked = data.get("customer");
  if (picked && picked !== "new") return picked;
  const name = String(data.get("customer_name") || "").trim();
  if (!name) throw new Error("Give the new customer's name.");
  if (!made.has(name)) made.set(name, (await api.post("/v1/customers", { name, phones: phone ? [phone] : [] })).customer_id);
  return made.get(name);
}

// Where a job came from, in words.
export function jobOrigin(job) {
  if (job.origin === "lead") return "Converted from a lead";
  if (job.origin === "booking") return "Converted from a booking";
  if (job.origin === "call") return "Booked from a call";
  return "Booked directly";
}
