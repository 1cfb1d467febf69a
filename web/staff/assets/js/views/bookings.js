// The Bookings inbox: leads from lead partners and online bookings from the website, flagged ones first; a
// booking's page with what the partner or the website sent, and what a CSR does with it (convert it into a job,
// dismiss it with a reason, add a note).
import { h, replace, fieldId } from "../dom.js";
import * as format from "../format.js";
import { inWords, loading, noAccess, problem, setTitle } from "../ui.js";

const PERMISSION = "manage_leads";
const PERMISSION_LABEL = "Create, convert and dismiss leads";
const BOOK_JOBS = "book_jobs";
const STATUSES = [
  { id: "pending", label: "Pending" },
  { id: "converted", label: "Converted" },
  { id: "dismissed", label: "Dismissed" },
];
const STATUS_LABELS = Object.fromEntries(STATUSES.map((s) => [s.id, s.label]));
const SOURCES = { partner: "Lead partners", online: "Online bookings" };
const FLAGS = {
  unmapped_category: "Its service is not mapped to a job type",
  integration_error: "Received while the partner's connection had errors",
  integration_disconnected: "Received while the partner was disconnected",
  unverified_sender: "Nobody checked who sent it: the partner's credentials are not set up",
  invalid_phone: "Its phone number is not valid",
  unknown_campaign: "No campaign matched: it counts as Unknown",
};
const PRIORITIES = { low: "Low", normal: "Normal", high: "High", urgent: "Urgent" };
const FIELDS = {
  job_type_id: "job type",
  business_unit_id: "business unit",
  appointment_start: "start of the window",
  appointment_end: "end of the window",
  technician_id: "technician",
  customer_id: "customer",
  location_id: "location",
  text: "note",
};
const EMPTY_PAGES_READ = 5; // a filtered page can be empty and still have a next one: read on, up to this many

function allowed(me) {
  return (me.permissions || []).includes(PERMISSION);
}

function partnerName(code) {
  return code ? code.charAt(0).toUpperCase() + code.slice(1) : "";
}

function fromWhom(b) {
  return b.source === "online" ? "Website" : partnerName(b.partner) || "A lead partner";
}

function customerOf(b) {
  return b.customer_name || (b.phone ? format.phone(b.phone) : b.email) || "Unnamed customer";
}

function flagWords(code) {
  return FLAGS[code] || code.replace(/_/g, " ");
}

async function listAll(api, path) {
  try {
    return (await api.get(path, { limit: 200 })).items;
  } catch {
    return null; // a help to name things; the screen still works with ids
  }
}

// --- the inbox ----------------------------------------------------------------------------------------------

export async function inbox(context) {
  const { main, api, me } = context;
  setTitle("Bookings");
  if (!allowed(me)) {
    replace(main, noAccess("The Bookings inbox", PERMISSION_LABEL));
    return;
  }
  const params = new URLSearchParams(location.search);
  const status = STATUS_LABELS[params.get("status")] ? params.get("status") : "pending";
  const source = SOURCES[params.get("source")] ? params.get("source") : "";
  const partner = /^[a-z0-9_-]{1,64}$/.test(params.get("partner") || "") ? params.get("partner") : "";
  const flagged = ["only", "none"].includes(params.get("flagged")) ? params.get("flagged") : "";

  const tabs = h(
    "nav",
    { class: "tabs", "aria-label": "Bookings by status" },
    h(
      "ul",
      {},
      STATUSES.map((s) =>
        h("li", {}, h("a", { href: `/bookings?status=${s.id}`, "aria-current": s.id === status ? "page" : null }, s.label)),
      ),
    ),
  );
  const sourceId = fieldId("source");
  const flaggedId = fieldId("flagged");
  const partnerSlot = h("span", { class: "partner-filter" });
  const filters = h(
    "form",
    {
      class: "filters",
      role: "search",
      "aria-label": "Filter the bookings",
      onSubmit: (event) => {
        event.preventDefault();
        const form = new FormData(event.target);
        const query = new URLSearchParams({ status });
        for (const name of ["source", "partner", "flagged"]) if (form.get(name)) query.set(name, form.get(name));
        context.navigate(`/bookings?${query}`);
      },
    },
    h("label", { for: sourceId }, "From"),
    h(
      "select",
      { id: sourceId, name: "source" },
      h("option", { value: "" }, "Partners and website"),
      Object.entries(SOURCES).map(([value, label]) => h("option", { value, selected: value === source }, label)),
    ),
    partnerSlot,
    h("label", { for: flaggedId }, "Flags"),
    h(
      "select",
      { id: flaggedId, name: "flagged" },
      h("option", { value: "" }, "All, flagged first"),
      h("option", { value: "only", selected: flagged === "only" }, "Flagged only"),
      h("option", { value: "none", selected: flagged === "none" }, "Not flagged only"),
    ),
    h("button", { type: "submit" }, "Show"),
  );
  const sections = [];
  if (flagged !== "none") sections.push({ flagged: true, title: "Flagged: look twice", empty: "No flagged bookings." });
  if (flagged !== "only") {
    sections.push({ flagged: false, title: flagged ? "Not flagged" : "Everything else", empty: "No other bookings." });
  }
  for (const section of sections) {
    section.titleId = fieldId("section");
    section.results = h("div", { class: "results" }, loading("the bookings"));
    section.element = h(
      "section",
      { "aria-labelledby": section.titleId, class: section.flagged ? "flagged-section" : null },
      h("h2", { id: section.titleId }, section.title),
      section.results,
    );
  }
  replace(
    main,
    h("h1", {}, "Bookings"),
    h("p", { class: "hint" }, "Leads from lead partners and bookings made on the website, newest first."),
    tabs,
    filters,
    sections.map((s) => s.element),
  );

  // The partner filter, for those who may see the company's partners.
  api
    .get("/v1/integrations")
    .then((found) => {
      const partners = (found.items || []).map((i) => i.partner);
      if (!partners.length) return;
      const id = fieldId("partner");
      replace(
        partnerSlot,
        h("label", { for: id }, "Partner"),
        " ",
        h(
          "select",
          { id, name: "partner" },
          h("option", { value: "" }, "Any partner"),
          partners.map((p) => h("option", { value: p, selected: p === partner }, partnerName(p))),
        ),
      );
    })
    .catch(() => {});

  const base = { status, source: source || undefined, partner: partner || undefined, limit: 50 };
  await Promise.all(sections.map((s) => showPage(context, s, { ...base, flagged: String(s.flagged) })));
}

async function showPage(context, section, query, nextToken) {
  const { api } = context;
  const { results } = section;
  let items = [];
  let token = nextToken;
  try {
    for (let read = 0; read < EMPTY_PAGES_READ; read += 1) {
      const page = await api.get("/v1/bookings", { ...query, next_token: token });
      items = page.items;
      token = page.next_token;
      if (items.length || !token) break;
    }
  } catch (error) {
    if (error.status === 403) {
      replace(context.main, noAccess("The Bookings inbox", PERMISSION_LABEL));
      return;
    }
    replace(results, problem(error, { retry: () => showPage(context, section, query, nextToken) }));
    return;
  }
  let body = results.querySelector("tbody");
  if (!body && !items.length) {
    replace(results, h("p", { class: "empty" }, section.empty));
  } else {
    if (!body) {
      body = h("tbody");
      replace(
        results,
        h(
          "table",
          { class: "queue bookings" },
          h("caption", { class: "visually-hidden" }, `Bookings, ${STATUS_LABELS[query.status]}: ${section.title}`),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["Customer", "Phone", "Received", "From", "Asked for", section.flagged ? "Why flagged" : null]
                .filter(Boolean)
                .map((c) => h("th", { scope: "col" }, c)),
            ),
          ),
          body,
        ),
      );
    }
    for (const b of items) {
      body.append(
        h(
          "tr",
          {},
          h("td", {}, h("a", { href: `/bookings/${encodeURIComponent(b.booking_id)}` }, customerOf(b))),
          h("td", {}, b.phone ? format.phone(b.phone) : "—"),
          h("td", {}, format.moment(b.received_at)),
          h("td", {}, fromWhom(b)),
          h("td", {}, b.category || "—"),
          section.flagged ? h("td", {}, h("ul", { class: "flags" }, b.flags.map((f) => h("li", {}, flagWords(f))))) : null,
        ),
      );
    }
  }
  results.querySelector(".more")?.remove();
  if (token) {
    results.append(
      h("button", { type: "button", class: "more", onClick: () => showPage(context, section, query, token) }, "Show more"),
    );
  }
}

// --- one booking ----------------------------------------------------------------------------------------------

export async function detail(context, bookingId) {
  const { main, api, me } = context;
  setTitle("Booking");
  if (!allowed(me)) {
    replace(main, noAccess("The Bookings inbox", PERMISSION_LABEL));
    return;
  }
  replace(main, loading("the booking"));
  let booking;
  let lookups;
  try {
    [booking, ...lookups] = await Promise.all([
      api.get(`/v1/bookings/${encodeURIComponent(bookingId)}`),
      listAll(api, "/v1/job-types"),
      listAll(api, "/v1/business-units"),
      listAll(api, "/v1/employees"),
      listAll(api, "/v1/campaigns"),
      api.get("/v1/lead-dismiss-reasons").then((r) => r.items).catch(() => null),
    ]);
  } catch (error) {
    if (error.status === 403) return replace(main, noAccess("The Bookings inbox", PERMISSION_LABEL));
    replace(main, h("h1", {}, "Booking"), problem(error, { retry: () => detail(context, bookingId) }), backLink());
    return;
  }
  const [jobTypes, units, employees, campaigns, reasons] = lookups;
  const refs = {
    jobTypes: jobTypes || [],
    units: units || [],
    employees: new Map((employees || []).map((e) => [e.employee_id, e])),
    campaigns: new Map((campaigns || []).map((c) => [c.campaign_id, c.name])),
    reasons: reasons || [],
  };
  let customers = [];
  if (booking.status === "pending" && booking.phone) {
    customers = await api
      .get("/v1/customers", { phone: booking.phone })
      .then((r) => r.items)
      .catch(() => []);
  }
  draw(context, booking, { ...refs, customers });
}

function backLink() {
  return h("p", {}, h("a", { href: "/bookings" }, "Back to Bookings"));
}

function fact(label, value) {
  return value === null || value === undefined || value === "" ? null : [h("dt", {}, label), h("dd", {}, value)];
}

function nameOf(refs, list, idField, id) {
  return refs[list].find((x) => x[idField] === id)?.name || id;
}

function who(by, booking, context, refs) {
  const { me } = context;
  if (!by) return "Leadline";
  if (by === me.employee_id) return `you (${me.name})`;
  if (by === "online") return "the website";
  if (by === booking.partner) return partnerName(by);
  return refs.employees.get(by)?.name || by;
}

function addressText(a) {
  if (!a) return null;
  const street = [a.address1, a.address2].filter(Boolean).join(", ");
  const town = [a.city, [a.state, a.postal_code].filter(Boolean).join(" ")].filter(Boolean).join(", ");
  return [street, town].filter(Boolean).join(", ") || null;
}

function campaignText(b, refs) {
  if (b.campaign_id) return refs.campaigns.get(b.campaign_id) || b.campaign_id;
  const why = b.attribution?.reason;
  return why ? `Unknown (${why})` : "Unknown";
}

function draw(context, booking, refs, message) {
  const { main } = context;
  setTitle(`Booking from ${customerOf(booking)}`);
  const feedback = h("div", { class: "feedback", "aria-live": "polite" }, message || null);
  // Runs a request and draws the booking it answers, saying `done`; a refusal is told in `place`, unless `refused`
  // tells it its own way (and answers true).
  const act = async (doing, request, { done = "Saved.", refused, place = feedback } = {}) => {
    replace(place, h("p", { role: "status" }, `${doing}…`));
    try {
      const answer = await request();
      const changed = answer.booking || answer;
      const said = typeof done === "function" ? done(answer) : done;
      draw(context, changed, refs, h("p", { class: "notice", tabindex: "-1" }, said));
      main.querySelector(".feedback .notice")?.focus();
    } catch (error) {
      if (refused && (await refused(error))) return;
      replace(place, problem(inWords(error, FIELDS)));
      place.querySelector(".problem")?.setAttribute("tabindex", "-1");
      place.querySelector(".problem")?.focus();
    }
  };
  const pending = booking.status === "pending";
  replace(
    main,
    backLink(),
    h(
      "header",
      { class: "record-header" },
      h("h1", {}, `Booking from ${customerOf(booking)}`),
      h(
        "p",
        {},
        h("span", { class: `status status-booking-${booking.status}`, "data-testid": "booking-status" }, STATUS_LABELS[booking.status] || booking.status),
      ),
    ),
    booking.flags.length
      ? h(
          "div",
          { class: "flag-notice", role: "note", "aria-label": "Flagged" },
          h("p", {}, h("strong", {}, "Flagged: look twice before you act on it.")),
          h("ul", {}, booking.flags.map((f) => h("li", {}, flagWords(f)))),
        )
      : null,
    feedback,
    h(
      "dl",
      { class: "facts" },
      fact("From", booking.source === "online" ? "Online booking on the website" : `Lead from ${fromWhom(booking)}`),
      fact("Received", format.moment(booking.received_at)),
      fact("Customer", booking.customer_name || "Not given"),
      fact("Phone", booking.phone ? format.phone(booking.phone) : "Not given"),
      fact("Email", booking.email),
      fact("Address", addressText(booking.address)),
      fact("Asked for", booking.category),
      fact("In the customer's words", booking.description),
      fact(
        "Times asked for",
        booking.requested_times.length
          ? h("ul", { class: "plain" }, booking.requested_times.map((w) => h("li", {}, format.span(...w.split("/")))))
          : null,
      ),
      fact("Campaign", campaignText(booking, refs)),
      fact("Lead price", booking.lead_price ? `$${booking.lead_price}` : null),
      fact(booking.source === "online" ? "Website's booking id" : "Partner's lead id", booking.external_id),
      fact("Job", booking.job_id),
      fact("Dismissed because", booking.dismiss_reason ? reasonLabel(booking.dismiss_reason, refs) : null),
    ),
    booking.details.length
      ? h(
          "section",
          { "aria-labelledby": "details-title" },
          h("h2", { id: "details-title" }, "What the customer answered"),
          h("dl", { class: "facts" }, booking.details.map((d) => fact(d.question, d.answer))),
        )
      : null,
    pending ? convertSection(context, booking, refs, act) : null,
    pending ? dismissSection(context, booking, refs, act) : null,
    h(
      "section",
      { "aria-labelledby": "notes-title" },
      h("h2", { id: "notes-title" }, "Notes"),
      booking.notes.length
        ? h(
            "ul",
            { class: "notes" },
            booking.notes.map((n) => h("li", {}, h("p", {}, n.text), h("p", { class: "meta" }, `${who(n.by, booking, context, refs)}, ${format.moment(n.at)}`))),
          )
        : h("p", {}, "No notes yet."),
      noteForm(context, booking, act),
    ),
    h(
      "section",
      { "aria-labelledby": "history-title" },
      h("h2", { id: "history-title" }, "History"),
      h(
        "ol",
        { class: "history" },
        booking.history.map((entry) =>
          h(
            "li",
            {},
            h("span", { class: "meta" }, format.moment(entry.at)),
            " ",
            historyText(entry, booking),
            entry.from || entry.by ? `, by ${who(entry.by, booking, context, refs)}` : "",
          ),
        ),
      ),
    ),
  );
}

function reasonLabel(code, refs) {
  return refs.reasons.find((r) => r.code === code)?.label || code.replace(/_/g, " ");
}

function historyText(entry, booking) {
  if (!entry.from) {
    const flagged = booking.flags.length ? ` (flagged: ${booking.flags.map(flagWords).join("; ").toLowerCase()})` : "";
    return `Received from ${booking.source === "online" ? "the website" : fromWhom(booking)}${flagged}`;
  }
  const change = `${STATUS_LABELS[entry.from] || entry.from} → ${STATUS_LABELS[entry.to] || entry.to}`;
  return entry.why ? `${change}: ${entry.why}` : change;
}

// --- converting -------------------------------------------------------------------------------------------------

function offers(jobType, unitId) {
  return !jobType || !jobType.business_unit_ids.length || jobType.business_unit_ids.includes(unitId);
}

function convertSection(context, booking, refs, act) {
  const { api, me } = context;
  const titled = (...content) =>
    h("section", { class: "actions", "aria-labelledby": "convert-title" }, h("h2", { id: "convert-title" }, "Convert into a job"), ...content);
  if (!(me.permissions || []).includes(BOOK_JOBS)) {
    return titled(h("p", {}, "Converting a booking books a job: that needs the “Book jobs” permission, which you don't have."));
  }
  const jobTypes = refs.jobTypes.filter((j) => j.active || j.job_type_id === booking.job_type_id);
  const units = refs.units.filter((u) => u.active || u.business_unit_id === booking.business_unit_id);
  const technicians = [...refs.employees.values()].filter((e) => e.active && e.role_id === "technician");
  const ids = Object.fromEntries(["job_type", "unit", "start", "end", "technician", "priority", "summary", "customer"].map((n) => [n, fieldId(n)]));
  const [firstStart, firstEnd] = (booking.requested_times[0] || "").split("/");
  const formFeedback = h("div", { class: "feedback", "aria-live": "polite" });

  const unitSelect = h("select", { id: ids.unit, name: "business_unit_id", required: true });
  const jobTypeSelect = h(
    "select",
    { id: ids.job_type, name: "job_type_id", required: true, onChange: () => fillUnits() },
    h("option", { value: "" }, "Choose a job type"),
    jobTypes.map((j) => h("option", { value: j.job_type_id, selected: j.job_type_id === booking.job_type_id }, j.name)),
  );
  function fillUnits() {
    const jobType = jobTypes.find((j) => j.job_type_id === jobTypeSelect.value);
    const chosen = unitSelect.value || booking.business_unit_id;
    const offered = units.filter((u) => offers(jobType, u.business_unit_id));
    replace(
      unitSelect,
      h("option", { value: "" }, "Choose a business unit"),
      offered.map((u) => h("option", { value: u.business_unit_id, selected: u.business_unit_id === chosen || offered.length === 1 }, u.name)),
    );
  }
  fillUnits();

  let customerPart;
  if (refs.customers.length > 1) {
    customerPart = [
      h("label", { for: ids.customer }, "Customer"),
      h(
        "select",
        { id: ids.customer, name: "customer_id", required: true },
        h("option", { value: "" }, "Choose the customer"),
        refs.customers.map((c) => h("option", { value: c.customer_id }, c.name)),
      ),
      h("p", { class: "hint" }, `${refs.customers.length} customers have this phone number: choose the one the job is for.`),
    ];
  } else if (refs.customers.length === 1) {
    customerPart = h("p", { class: "hint" }, `The job will be for ${refs.customers[0].name}, the customer with this phone number.`);
  } else {
    customerPart = h("p", { class: "hint" }, `No customer has this phone number yet: converting adds ${customerOf(booking)} as a new customer.`);
  }

  const form = h(
    "form",
    {
      class: "convert-form",
      onSubmit: (event) => {
        event.preventDefault();
        const data = new FormData(event.target);
        const start = format.fromLocalInput(data.get("start"));
        const end = format.fromLocalInput(data.get("end"));
        if (!start || !end || end <= start) {
          replace(formFeedback, problem({ message: "The window's end must come after its start." }));
          return;
        }
        const body = {
          job_type_id: data.get("job_type_id"),
          business_unit_id: data.get("business_unit_id"),
          appointment_start: start,
          appointment_end: end,
        };
        for (const name of ["technician_id", "priority", "customer_id"]) if (data.get(name)) body[name] = data.get(name);
        const summary = String(data.get("summary") || "").trim();
        if (summary) body.summary = summary;
        act("Converting the booking into a job", () => api.post(`/v1/bookings/${encodeURIComponent(booking.booking_id)}/convert`, body), {
          place: formFeedback,
          done: (answer) => `Converted: job ${answer.job.job_id} is booked for ${format.span(answer.job.appointment_start, answer.job.appointment_end)}.`,
          refused: (error) => refusedConversion(context, booking, refs, error),
        });
      },
    },
    h("div", { class: "field" }, h("label", { for: ids.job_type }, "Job type"), jobTypeSelect),
    h("div", { class: "field" }, h("label", { for: ids.unit }, "Business unit"), unitSelect),
    h(
      "fieldset",
      {},
      h("legend", {}, "Appointment window"),
      h("p", { class: "hint" }, `In the company's time (${format.timeZone().replace(/_/g, " ")}).`),
      h(
        "div",
        { class: "window" },
        h("div", { class: "field" }, h("label", { for: ids.start }, "Starts"), h("input", { id: ids.start, name: "start", type: "datetime-local", required: true, value: format.localInput(firstStart) })),
        h("div", { class: "field" }, h("label", { for: ids.end }, "Ends"), h("input", { id: ids.end, name: "end", type: "datetime-local", required: true, value: format.localInput(firstEnd) })),
      ),
    ),
    technicians.length
      ? h(
          "div",
          { class: "field" },
          h("label", { for: ids.technician }, "Technician (optional)"),
          h("select", { id: ids.technician, name: "technician_id" }, h("option", { value: "" }, "Not assigned yet"), technicians.map((t) => h("option", { value: t.employee_id }, t.name))),
        )
      : null,
    h(
      "div",
      { class: "field" },
      h("label", { for: ids.priority }, "Priority (optional)"),
      h("select", { id: ids.priority, name: "priority" }, h("option", { value: "" }, "Not set"), Object.entries(PRIORITIES).map(([value, label]) => h("option", { value }, label))),
    ),
    h("div", { class: "field" }, h("label", { for: ids.summary }, "Summary for the job (optional)"), h("textarea", { id: ids.summary, name: "summary", rows: 2, maxlength: 5000 })),
    h("div", { class: "field" }, customerPart),
    formFeedback,
    h("button", { type: "submit", class: "primary" }, "Convert into a job"),
  );
  return titled(
    booking.job_type_id ? null : h("p", { class: "hint" }, "Its service is not mapped to a job type: choose one."),
    form,
  );
}

// A 409 means the booking is no longer pending (someone converted or dismissed it meanwhile): say so, and show the
// booking as it is now.
async function refusedConversion(context, booking, refs, error) {
  if (error.status !== 409) return false;
  let now;
  try {
    now = await context.api.get(`/v1/bookings/${encodeURIComponent(booking.booking_id)}`);
  } catch {
    return false;
  }
  if (now.status === "pending") return false;
  const what = now.status === "converted" ? `converted into job ${now.job_id}` : "dismissed";
  const change = [...now.history].reverse().find((entry) => entry.to === now.status);
  const by = change?.by && change.by !== context.me.employee_id ? who(change.by, now, context, refs) : "someone else";
  const told = h(
    "div",
    { class: "problem", role: "alert", tabindex: "-1" },
    h("p", {}, `Not converted: this booking was already ${what} by ${by} meanwhile. Nothing new was booked.`),
  );
  draw(context, now, refs, told);
  told.focus();
  return true;
}

// --- dismissing and notes -------------------------------------------------------------------------------------

function dismissSection(context, booking, refs, act) {
  const { api } = context;
  const reasonId = fieldId("reason");
  const noteId = fieldId("dismiss-note");
  const place = h("div", { class: "feedback", "aria-live": "polite" });
  return h(
    "section",
    { class: "actions", "aria-labelledby": "dismiss-title" },
    h("h2", { id: "dismiss-title" }, "Dismiss"),
    h(
      "form",
      {
        class: "dismiss-form",
        onSubmit: (event) => {
          event.preventDefault();
          const data = new FormData(event.target);
          const note = String(data.get("note") || "").trim();
          act("Dismissing the booking", () => api.post(`/v1/bookings/${encodeURIComponent(booking.booking_id)}/dismiss`, { reason: data.get("reason"), note: note || null }), {
            place,
            done: `Dismissed: ${reasonLabel(data.get("reason"), refs)}.`,
          });
        },
      },
      h(
        "div",
        { class: "field" },
        h("label", { for: reasonId }, "Reason"),
        h(
          "select",
          { id: reasonId, name: "reason", required: true },
          h("option", { value: "" }, "Choose a reason"),
          refs.reasons.map((r) => h("option", { value: r.code }, r.label)),
        ),
      ),
      h("div", { class: "field" }, h("label", { for: noteId }, "Note (optional)"), h("textarea", { id: noteId, name: "note", rows: 2, maxlength: 5000 })),
      place,
      h("button", { type: "submit" }, "Dismiss booking"),
    ),
  );
}

function noteForm(context, booking, act) {
  const id = fieldId("note");
  const place = h("div", { class: "feedback", "aria-live": "polite" });
  return h(
    "form",
    {
      class: "note-form",
      onSubmit: (event) => {
        event.preventDefault();
        const text = String(new FormData(event.target).get("text") || "").trim();
        if (!text) return;
        act("Saving the note", () => context.api.post(`/v1/bookings/${encodeURIComponent(booking.booking_id)}/notes`, { text }), {
          place,
          done: "Note saved.",
        });
      },
    },
    h("label", { for: id }, "Add a note"),
    h("textarea", { id, name: "text", rows: 3, maxlength: 5000, required: true }),
    place,
    h("button", { type: "submit" }, "Save note"),
  );
}
