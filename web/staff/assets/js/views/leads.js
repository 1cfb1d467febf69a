// Leads: the list with its filters (status, source, campaign, business unit, the days created); a lead by hand
// (the customer found by phone, or created); a lead's page with its details, notes and history, and what a CSR
// does with it: convert it into a job (the API's reason shown when it cannot), dismiss it with a reason, reopen
// it, add a note.
import { h, replace, fieldId } from "../dom.js";
import * as format from "../format.js";
import { lookups, namesOf, offeredBy } from "../lookups.js";
import {
  LEAD_STATUS_LABELS,
  PRIORITY_LABELS,
  SOURCE_LABELS,
  chosenCustomer,
  customerChoice,
  has,
  jobDetails,
  who,
  windowText,
} from "../jobs.js";
import { loading, noAccess, problem, setTitle } from "../ui.js";

const MANAGE = "manage_leads";
const MANAGE_LABEL = "Manage leads";
const BOOK = "book_jobs";
const BOOK_LABEL = "Book jobs";
const DEFAULT_STATUS = "open";
const ANY = "any";

async function references(api) {
  const refs = lookups(api);
  const [businessUnits, jobTypes, campaigns, employees] = await Promise.all([
    refs.businessUnits(),
    refs.jobTypes(),
    refs.campaigns(),
    refs.employees(),
  ]);
  return {
    businessUnits,
    jobTypes,
    campaigns,
    employees,
    names: {
      businessUnits: namesOf(businessUnits, "business_unit_id"),
      jobTypes: namesOf(jobTypes, "job_type_id"),
      campaigns: namesOf(campaigns, "campaign_id"),
      employees: namesOf(employees, "employee_id"),
    },
  };
}

function statusBadge(status, attributes = {}) {
  return h("span", { class: `status lead-status-${status}`, ...attributes }, LEAD_STATUS_LABELS[status] || status);
}

function selectField(label, name, choices, selected, emptyLabel) {
  const id = fieldId(name);
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h(
      "select",
      { id, name },
      emptyLabel === null ? null : h("option", { value: "" }, emptyLabel),
      choices.map(([value, text]) => h("option", { value, selected: value === selected }, text)),
    ),
  );
}

function inputField(label, name, attributes) {
  const id = fieldId(name);
  return h("div", { class: "field" }, h("label", { for: id }, label), h("input", { id, name, ...attributes }));
}

// --- the list ---------------------------------------------------------------------------------------------------

export async function list(context) {
  const { main, api, me } = context;
  setTitle("Leads");
  replace(main, h("h1", {}, "Leads"), loading("the leads"));
  let refs;
  try {
    refs = await references(api);
  } catch (error) {
    replace(main, h("h1", {}, "Leads"), problem(error, { retry: () => list(context) }));
    return;
  }
  const params = new URLSearchParams(location.search);
  const status = params.get("status") || DEFAULT_STATUS;
  const filters = {
    source: SOURCE_LABELS[params.get("source")] ? params.get("source") : "",
    campaign_id: params.get("campaign_id") || "",
    business_unit_id: params.get("business_unit_id") || "",
    created_from: /^\d{4}-\d{2}-\d{2}$/.test(params.get("created_from") || "") ? params.get("created_from") : "",
    created_to: /^\d{4}-\d{2}-\d{2}$/.test(params.get("created_to") || "") ? params.get("created_to") : "",
  };

  const form = h(
    "form",
    {
      class: "filters lead-filters",
      "aria-label": "Filter the leads",
      onSubmit: (event) => {
        event.preventDefault();
        const query = new URLSearchParams();
        for (const [name, value] of new FormData(event.target)) {
          if (String(value).trim() && !(name === "status" && value === DEFAULT_STATUS)) query.set(name, String(value).trim());
        }
        const text = query.toString();
        context.navigate(text ? `/leads?${text}` : "/leads");
      },
    },
    selectField("Status", "status", [...Object.entries(LEAD_STATUS_LABELS), [ANY, "Any status"]], status, null),
    selectField("Source", "source", Object.entries(SOURCE_LABELS), filters.source, "Any source"),
    selectField("Campaign", "campaign_id", refs.campaigns.map((c) => [c.campaign_id, c.name]), filters.campaign_id, "Any campaign"),
    selectField(
      "Business unit",
      "business_unit_id",
      refs.businessUnits.map((u) => [u.business_unit_id, u.name]),
      filters.business_unit_id,
      "Any business unit",
    ),
    inputField("Created from", "created_from", { type: "date", value: filters.created_from }),
    inputField("Created up to", "created_to", { type: "date", value: filters.created_to }),
    h("div", { class: "field buttons" }, h("button", { type: "submit" }, "Show leads"), h("a", { href: "/leads" }, "Clear the filters")),
  );
  const results = h("div", { class: "results" }, loading("the leads"));
  replace(
    main,
    h(
      "header",
      { class: "record-header" },
      h("h1", {}, "Leads"),
      has(me, MANAGE) ? h("a", { class: "button primary", href: "/leads/new" }, "New lead") : null,
    ),
    form,
    h("p", { class: "hint" }, "Days are counted in UTC, as Leadline stores them."),
    results,
  );
  const query = { status: status === ANY ? undefined : status, ...filters, limit: 50 };
  await showPage(context, refs, results, query);
}

// The customer's name links to the lead, their number under it; a lead without a customer links by its number.
function customerCell(lead) {
  const phone = lead.customer_phone ? format.phone(lead.customer_phone) : null;
  const href = `/leads/${encodeURIComponent(lead.lead_id)}`;
  if (!lead.customer_name?.trim()) return h("td", {}, h("a", { href }, phone || "Lead without a phone number"));
  return h("td", {}, h("a", { href }, lead.customer_name), phone ? h("div", { class: "meta" }, phone) : null);
}

async function showPage(context, refs, results, query, nextToken) {
  let page;
  try {
    page = await context.api.get("/v1/leads", { ...query, next_token: nextToken });
  } catch (error) {
    replace(results, problem(error, { retry: () => showPage(context, refs, results, query, nextToken) }));
    return;
  }
  let body = results.querySelector("tbody");
  if (!nextToken && page.items.length === 0 && !page.next_token) {
    replace(results, h("p", { class: "empty" }, "No leads match these filters."));
    return;
  }
  if (!body) {
    body = h("tbody");
    replace(
      results,
      h(
        "table",
        { class: "queue leads" },
        h("caption", { class: "visually-hidden" }, "Leads, newest first"),
        h(
          "thead",
          {},
          h("tr", {}, ["Customer", "Created", "Source", "Campaign", "Business unit", "Summary", "Status"].map((c) => h("th", { scope: "col" }, c))),
        ),
        body,
      ),
    );
  }
  const { names } = refs;
  for (const lead of page.items) {
    body.append(
      h(
        "tr",
        {},
        customerCell(lead),
        h("td", {}, format.moment(lead.created_at)),
        h("td", {}, SOURCE_LABELS[lead.source] || lead.source),
        h("td", {}, lead.campaign_id ? names.campaigns.get(lead.campaign_id) || lead.campaign_id : "—"),
        h("td", {}, lead.business_unit_id ? names.businessUnits.get(lead.business_unit_id) || lead.business_unit_id : "—"),
        h("td", { class: "summary" }, lead.summary || "—"),
        h("td", {}, statusBadge(lead.status)),
      ),
    );
  }
  results.querySelector(".more")?.remove();
  if (page.next_token) {
    results.append(
      h("button", { type: "button", class: "more", onClick: () => showPage(context, refs, results, query, page.next_token) }, "Show more"),
    );
  }
}

// --- a lead by hand ---------------------------------------------------------------------------------------------

export async function create(context) {
  const { main, api, me } = context;
  setTitle("New lead");
  if (!has(me, MANAGE)) {
    replace(main, noAccess("Creating a lead", MANAGE_LABEL));
    return;
  }
  replace(main, h("h1", {}, "New lead"), loading("the form"));
  let refs;
  try {
    refs = await references(api);
  } catch (error) {
    replace(main, h("h1", {}, "New lead"), problem(error, { retry: () => create(context) }));
    return;
  }
  const phoneId = fieldId("customer-phone");
  const phoneHint = fieldId("customer-phone-hint");
  const choice = h("div", { class: "customer-choice", "aria-live": "polite" });
  const feedback = h("div", { class: "feedback", "aria-live": "polite" });
  let found = null; // { phone, customers } of the last look-up
  const made = new Map(); // customers this form created

  async function lookUp() {
    const phone = main.querySelector(`#${phoneId}`).value.trim();
    if (!phone) {
      replace(choice, h("p", { class: "problem", role: "alert" }, "Type the customer's phone number first."));
      return null;
    }
    replace(choice, loading("the customers with this number"));
    try {
      const customers = (await api.get("/v1/customers", { phone })).items;
      found = { phone, customers };
      replace(choice, customerChoice(customers));
      return found;
    } catch (error) {
      found = null;
      replace(choice, problem(error));
      return null;
    }
  }

  const campaignChoices = refs.campaigns.filter((c) => c.active).map((c) => [c.campaign_id, c.name]);
  const unitChoices = refs.businessUnits.filter((u) => u.active).map((u) => [u.business_unit_id, u.name]);
  const typeChoices = refs.jobTypes.filter((t) => t.active).map((t) => [t.job_type_id, t.name]);
  const summaryId = fieldId("summary");
  const notesId = fieldId("notes");
  const tagsId = fieldId("tags");
  const tagsHint = fieldId("tags-hint");

  const form = h(
    "form",
    {
      class: "record-form",
      noValidate: true,
      onSubmit: async (event) => {
        event.preventDefault();
        const phone = main.querySelector(`#${phoneId}`).value.trim();
        if (!found || found.phone !== phone) {
          if (await lookUp()) replace(feedback, h("p", { class: "notice" }, "Choose the customer, then create the lead."));
          return;
        }
        const data = new FormData(form);
        replace(feedback, h("p", { role: "status" }, "Creating the lead…"));
        try {
          const body = { customer_id: await chosenCustomer(api, data, phone, made) };
          for (const name of ["campaign_id", "business_unit_id", "job_type_id", "priority", "summary", "notes", "follow_up_date"]) {
            const value = String(data.get(name) || "").trim();
            if (value) body[name] = value;
          }
          const tags = String(data.get("tags") || "")
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean);
          if (tags.length) body.tags = tags;
          const lead = await api.post("/v1/leads", body);
          context.navigate(`/leads/${encodeURIComponent(lead.lead_id)}`);
        } catch (error) {
          replace(feedback, problem(error));
        }
      },
    },
    h(
      "fieldset",
      {},
      h("legend", {}, "Customer"),
      h(
        "div",
        { class: "field" },
        h("label", { for: phoneId }, "Customer's phone number"),
        h("input", {
          id: phoneId,
          name: "phone",
          type: "tel",
          autocomplete: "off",
          required: true,
          maxlength: 40,
          "aria-describedby": phoneHint,
          onInput: () => {
            if (found) replace(choice);
            found = null;
          },
        }),
        h("p", { class: "hint", id: phoneHint }, "Leadline finds the customers who have this number, or creates one."),
      ),
      h("button", { type: "button", onClick: lookUp }, "Find the customer"),
      choice,
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "The lead"),
      selectField("Campaign", "campaign_id", campaignChoices, "", "No campaign"),
      selectField("Business unit", "business_unit_id", unitChoices, "", "Not chosen yet"),
      selectField("Job type", "job_type_id", typeChoices, "", "Not chosen yet"),
      selectField("Priority", "priority", Object.entries(PRIORITY_LABELS), "", "Not set"),
      h("div", { class: "field wide" }, h("label", { for: summaryId }, "Summary"), h("textarea", { id: summaryId, name: "summary", rows: 2, maxlength: 5000 })),
      h("div", { class: "field wide" }, h("label", { for: notesId }, "Notes (optional)"), h("textarea", { id: notesId, name: "notes", rows: 3, maxlength: 5000 })),
      h(
        "div",
        { class: "field" },
        h("label", { for: tagsId }, "Tags (optional)"),
        h("input", { id: tagsId, name: "tags", type: "text", maxlength: 500, "aria-describedby": tagsHint }),
        h("p", { class: "hint", id: tagsHint }, "Separate tags with commas."),
      ),
      inputField("Follow up on (optional)", "follow_up_date", { type: "date" }),
    ),
    feedback,
    h("button", { type: "submit", class: "primary" }, "Create lead"),
  );
  // the job types listed are those the business unit offers (all of them while no unit is chosen)
  const unitSelect = form.elements.namedItem("business_unit_id");
  const typeSelect = form.elements.namedItem("job_type_id");
  unitSelect.addEventListener("change", () => {
    const kept = typeSelect.value;
    const offered = unitSelect.value ? offeredBy(refs.jobTypes, unitSelect.value) : refs.jobTypes.filter((t) => t.active);
    typeSelect.replaceChildren(
      h("option", { value: "" }, "Not chosen yet"),
      ...offered.map((t) => h("option", { value: t.job_type_id, selected: t.job_type_id === kept }, t.name)),
    );
  });
  replace(main, h("p", {}, h("a", { href: "/leads" }, "Back to leads")), h("h1", {}, "New lead"), form);
}

// --- one lead ---------------------------------------------------------------------------------------------------

export async function detail(context, leadId) {
  const { main, api } = context;
  setTitle("Lead");
  replace(main, loading("the lead"));
  let lead;
  let refs;
  try {
    [lead, refs] = await Promise.all([api.get(`/v1/leads/${encodeURIComponent(leadId)}`), references(api)]);
  } catch (error) {
    replace(main, backLink(), h("h1", {}, "Lead"), problem(error, { retry: () => detail(context, leadId) }));
    return;
  }
  // What the page names besides the lead; each shown as "not found" rather than failing the page.
  const [customer, reasons, job, candidates] = await Promise.all([
    lead.customer_id ? api.get(`/v1/customers/${encodeURIComponent(lead.customer_id)}`).catch(() => null) : null,
    lookups(api)
      .dismissReasons()
      .catch(() => []),
    lead.job_id ? api.get(`/v1/jobs/${encodeURIComponent(lead.job_id)}`).catch(() => null) : null,
    // a lead without a customer (captured from a call) is converted for one: those with its number, or someone new
    lead.status === "open" && !lead.customer_id && lead.customer_phone
      ? api
          .get("/v1/customers", { phone: lead.customer_phone })
          .then((r) => r.items)
          .catch(() => [])
      : [],
  ]);
  draw({ ...context, refs, customer, reasons, job, candidates }, lead);
}

function backLink() {
  return h("p", {}, h("a", { href: "/leads" }, "Back to leads"));
}

function fact(label, value) {
  return [h("dt", {}, label), h("dd", {}, value)];
}

function draw(context, lead, message) {
  const { main, me, refs, customer, reasons } = context;
  const { names } = refs;
  const heading = customer ? customer.name : lead.customer_phone ? format.phone(lead.customer_phone) : "Lead";
  setTitle(`Lead: ${heading}`);
  const feedback = h("div", { class: "feedback", "aria-live": "polite" }, message ? h("p", { class: "notice" }, message) : null);
  const act = async (doing, request, done = "Saved.") => {
    replace(feedback, h("p", { role: "status" }, `${doing}…`));
    try {
      const answer = await request();
      if (answer.job) draw({ ...context, job: answer.job }, answer.lead, done);
      else draw(context, answer, done);
    } catch (error) {
      feedback.scrollIntoView({ block: "center" });
      replace(
        feedback,
        problem(error),
        // 409: someone changed the lead since this page was drawn (converted it, dismissed it)
        error.status === 409
          ? h("button", { type: "button", onClick: () => detail(context, lead.lead_id) }, "Show the lead as it is now")
          : null,
      );
    }
  };
  const showProblem = (error) => {
    replace(feedback, problem(error));
    feedback.scrollIntoView({ block: "center" });
  };
  const reasonLabel = (code) => reasons.find((r) => r.code === code)?.label || code;
  replace(
    main,
    backLink(),
    h(
      "header",
      { class: "record-header" },
      h("h1", {}, `Lead: ${heading}`),
      h("p", {}, statusBadge(lead.status, { "data-testid": "lead-status" })),
    ),
    feedback,
    h(
      "dl",
      { class: "facts" },
      fact("Customer", customer ? customer.name : "Not linked to a customer"),
      fact("Phone", lead.customer_phone ? h("a", { href: `tel:${lead.customer_phone}` }, format.phone(lead.customer_phone)) : "—"),
      fact("Source", SOURCE_LABELS[lead.source] || lead.source),
      fact("Campaign", lead.campaign_id ? names.campaigns.get(lead.campaign_id) || lead.campaign_id : "—"),
      fact("Business unit", lead.business_unit_id ? names.businessUnits.get(lead.business_unit_id) || lead.business_unit_id : "—"),
      fact("Job type", lead.job_type_id ? names.jobTypes.get(lead.job_type_id) || lead.job_type_id : "—"),
      fact("Priority", PRIORITY_LABELS[lead.priority] || "Not set"),
      fact("Summary", lead.summary || "—"),
      lead.tags.length ? fact("Tags", lead.tags.join(", ")) : null,
      lead.follow_up_date ? fact("Follow up on", lead.follow_up_date) : null,
      fact("Created", `${format.moment(lead.created_at)}, by ${who(lead.created_by, me, names.employees)}`),
      lead.job_id ? fact("Job", jobLink(context, lead.job_id)) : null,
      lead.status === "dismissed" && lead.dismiss_reason ? fact("Dismissed because", reasonLabel(lead.dismiss_reason)) : null,
    ),
    lead.status === "open" ? convertSection(context, lead, act, showProblem) : null,
    lead.status === "open" ? dismissSection(context, lead, act) : null,
    lead.status === "dismissed" ? reopenSection(context, lead, act) : null,
    h(
      "section",
      { "aria-labelledby": "notes-title" },
      h("h2", { id: "notes-title" }, "Notes"),
      lead.notes.length
        ? h(
            "ul",
            { class: "notes" },
            lead.notes.map((n) => h("li", {}, h("p", {}, n.text), h("p", { class: "meta" }, `${who(n.by, me, names.employees)}, ${format.moment(n.at)}`))),
          )
        : h("p", {}, "No notes yet."),
      has(me, MANAGE) ? noteForm(context, lead, act) : null,
    ),
    h(
      "section",
      { "aria-labelledby": "history-title" },
      h("h2", { id: "history-title" }, "History"),
      h(
        "ol",
        { class: "history" },
        lead.history.map((entry) =>
          h(
            "li",
            {},
            h("span", { class: "meta" }, format.moment(entry.at)),
            " ",
            entry.from
              ? `${LEAD_STATUS_LABELS[entry.from] || entry.from} → ${LEAD_STATUS_LABELS[entry.to] || entry.to}`
              : `Created as ${LEAD_STATUS_LABELS[entry.to] || entry.to}`,
            `, by ${who(entry.by, me, names.employees)}`,
            entry.why ? `: ${entry.why}` : "",
          ),
        ),
      ),
    ),
  );
}

// The job a lead was converted into: its type and window, a link to its page.
function jobLink(context, jobId) {
  const { job, refs } = context;
  const href = `/jobs/${encodeURIComponent(jobId)}`;
  if (!job || job.job_id !== jobId) return h("a", { href }, "Open the job it was converted into");
  const type = refs.names.jobTypes.get(job.job_type_id) || "Job";
  return h("a", { href, "data-testid": "lead-job" }, `${type}, ${windowText(job.appointment_start, job.appointment_end)}`);
}

function convertSection(context, lead, act, showProblem) {
  const { api, me, refs } = context;
  if (!has(me, BOOK)) {
    return h(
      "section",
      { "aria-labelledby": "convert-title" },
      h("h2", { id: "convert-title" }, "Convert to a job"),
      h("p", { class: "hint" }, `Converting a lead books a job, which needs the “${BOOK_LABEL}” permission.`),
    );
  }
  const needsCustomer = !lead.customer_id && Boolean(lead.customer_phone);
  const made = new Map(); // customers this form created
  const details = jobDetails(refs, {
    legend: "The job to book",
    businessUnitId: lead.business_unit_id || "",
    jobTypeId: lead.job_type_id || "",
    summary: lead.summary || "",
  });
  return h(
    "section",
    { class: "actions", "aria-labelledby": "convert-title" },
    h("h2", { id: "convert-title" }, "Convert to a job"),
    h(
      "form",
      {
        class: "record-form",
        onSubmit: (event) => {
          event.preventDefault();
          let body;
          try {
            body = details.read();
          } catch (error) {
            showProblem(error);
            return;
          }
          const data = new FormData(event.target);
          act(
            "Converting the lead",
            async () => {
              if (needsCustomer) body.customer_id = await chosenCustomer(api, data, lead.customer_phone, made);
              return api.post(`/v1/leads/${encodeURIComponent(lead.lead_id)}/convert`, body);
            },
            "Converted: the job is booked.",
          );
        },
      },
      needsCustomer ? h("fieldset", {}, h("legend", {}, "Customer"), customerChoice(context.candidates)) : null,
      details.element,
      h("button", { type: "submit", class: "primary" }, "Convert to a job"),
    ),
  );
}

function dismissSection(context, lead, act) {
  const { api, me, reasons } = context;
  if (!has(me, MANAGE)) return null;
  const reasonId = fieldId("dismiss-reason");
  const noteId = fieldId("dismiss-note");
  return h(
    "section",
    { class: "actions", "aria-labelledby": "dismiss-title" },
    h("h2", { id: "dismiss-title" }, "Dismiss the lead"),
    h(
      "form",
      {
        class: "inline-form",
        onSubmit: (event) => {
          event.preventDefault();
          const data = new FormData(event.target);
          const note = String(data.get("note") || "").trim();
          act("Dismissing the lead", () =>
            api.post(`/v1/leads/${encodeURIComponent(lead.lead_id)}/dismiss`, { reason: data.get("reason"), ...(note ? { note } : {}) }),
          );
        },
      },
      h("div", { class: "field" }, h("label", { for: reasonId }, "Reason"), h("select", { id: reasonId, name: "reason", required: true }, h("option", { value: "" }, "Choose a reason"), reasons.map((r) => h("option", { value: r.code }, r.label)))),
      h("div", { class: "field" }, h("label", { for: noteId }, "Note (optional)"), h("input", { id: noteId, name: "note", type: "text", maxlength: 5000 })),
      h("button", { type: "submit" }, "Dismiss lead"),
    ),
  );
}

function reopenSection(context, lead, act) {
  const { api, me } = context;
  if (!has(me, MANAGE)) return null;
  const whyId = fieldId("reopen-why");
  return h(
    "section",
    { class: "actions", "aria-labelledby": "reopen-title" },
    h("h2", { id: "reopen-title" }, "Reopen the lead"),
    h(
      "form",
      {
        class: "inline-form",
        onSubmit: (event) => {
          event.preventDefault();
          const why = String(new FormData(event.target).get("why") || "").trim();
          act("Reopening the lead", () => api.post(`/v1/leads/${encodeURIComponent(lead.lead_id)}/reopen`, why ? { why } : {}));
        },
      },
      h("div", { class: "field" }, h("label", { for: whyId }, "Why (optional)"), h("input", { id: whyId, name: "why", type: "text", maxlength: 5000 })),
      h("button", { type: "submit" }, "Reopen lead"),
    ),
  );
}

function noteForm(context, lead, act) {
  const id = fieldId("note");
  return h(
    "form",
    {
      class: "note-form",
      onSubmit: (event) => {
        event.preventDefault();
        const text = String(new FormData(event.target).get("text") || "").trim();
        if (!text) return;
        act("Saving the note", () => context.api.post(`/v1/leads/${encodeURIComponent(lead.lead_id)}/notes`, { text }));
      },
    },
    h("label", { for: id }, "Add a note"),
    h("textarea", { id, name: "text", rows: 3, maxlength: 5000, required: true }),
    h("button", { type: "submit" }, "Save note"),
  );
}
