// Booking a job for a caller, by phone number: the Second Chance Lead banner when the caller has an open or cold
// SCL of the last 14 days (for those who may see SCLs), the customer (found by the number, or created), the
// caller's open leads with the offer to convert one instead of booking a second job, then the job. After booking,
// the job's page.
import { h, replace, fieldId } from "../dom.js";
import * as format from "../format.js";
import { lookups } from "../lookups.js";
import { SOURCE_LABELS, chosenCustomer, customerChoice, has, jobDetails } from "../jobs.js";
import { loading, noAccess, problem, setTitle } from "../ui.js";
import { afterBooking } from "./job.js";

const BOOK = "book_jobs";
const BOOK_LABEL = "Book jobs";
const SCL = "view_second_chance_leads";
const NEW_JOB = "new-job";

export async function book(context) {
  const { main, me } = context;
  setTitle("Book a job");
  if (!has(me, BOOK)) {
    replace(main, noAccess("Booking a job", BOOK_LABEL));
    return;
  }
  const phoneId = fieldId("caller-phone");
  const phoneHint = fieldId("caller-phone-hint");
  const caller = h("div", { class: "caller" });
  const phoneInput = h("input", {
    id: phoneId,
    name: "phone",
    type: "tel",
    required: true,
    maxlength: 40,
    autocomplete: "off",
    "aria-describedby": phoneHint,
    value: new URLSearchParams(location.search).get("phone") || "",
  });
  const lookUpForm = h(
    "form",
    {
      class: "filters",
      "aria-label": "Find the caller",
      onSubmit: (event) => {
        event.preventDefault();
        const phone = phoneInput.value.trim();
        if (phone) showCaller(context, caller, phone);
      },
    },
    h("div", { class: "field" }, h("label", { for: phoneId }, "Caller's phone number"), phoneInput),
    h("button", { type: "submit" }, "Look up the caller"),
    h("p", { class: "hint wide", id: phoneHint }, "Leadline shows what it knows of the caller before you book."),
  );
  replace(main, h("h1", {}, "Book a job"), lookUpForm, caller);
  if (phoneInput.value.trim()) await showCaller(context, caller, phoneInput.value.trim());
}

async function showCaller(context, caller, phone) {
  const { api, me } = context;
  replace(caller, loading("what Leadline knows of this caller"));
  let customers;
  let refs;
  let banner;
  try {
    const held = lookups(api);
    let units;
    let types;
    let campaigns;
    let employees;
    [customers, banner, units, types, campaigns, employees] = await Promise.all([
      api.get("/v1/customers", { phone }).then((r) => r.items),
      // the banner is for those who may see Second Chance Leads; for others, and when it fails, there is none
      has(me, SCL) ? api.get("/v1/second-chance-leads/banner", { phone }).catch(() => null) : null,
      held.businessUnits(),
      held.jobTypes(),
      held.campaigns(),
      held.employees(),
    ]);
    refs = { businessUnits: units, jobTypes: types, campaigns, employees };
  } catch (error) {
    replace(caller, problem(error, { retry: () => showCaller(context, caller, phone) }));
    return;
  }
  let openLeads;
  try {
    openLeads = await openLeadsOf(api, [phone, ...customers.flatMap((c) => c.phones)]);
  } catch (error) {
    replace(caller, problem(error, { retry: () => showCaller(context, caller, phone) }));
    return;
  }
  const scl = banner?.second_chance_lead || null;
  const sclWord = scl ? " The caller's Second Chance Lead moves to Done, as Job booked by SCL." : "";
  const campaignNames = new Map(refs.campaigns.map((c) => [c.campaign_id, c.name]));
  const details = jobDetails(refs, { legend: "The job" });
  const feedback = h("div", { class: "feedback", "aria-live": "polite" });
  const campaignId = fieldId("campaign");
  const made = new Map(); // customers this form created

  const form = h(
    "form",
    {
      class: "record-form",
      onSubmit: async (event) => {
        event.preventDefault();
        const data = new FormData(form);
        try {
          const job = details.read();
          const what = data.get("what") || NEW_JOB;
          replace(feedback, h("p", { role: "status" }, what === NEW_JOB ? "Booking the job…" : "Converting the lead…"));
          if (what !== NEW_JOB) {
            const lead = openLeads.find((l) => l.lead_id === what);
            // a lead captured from a call has no customer: the job (and the lead) are for the one chosen here
            const customer = lead.customer_id ? {} : { customer_id: await chosenCustomer(api, data, phone, made) };
            const converted = await api.post(`/v1/leads/${encodeURIComponent(what)}/convert`, { ...job, ...customer });
            afterBooking(converted.job.job_id, `The caller's open lead was converted: the job is booked.${sclWord}`);
            context.navigate(`/jobs/${encodeURIComponent(converted.job.job_id)}`);
            return;
          }
          const customerId = await chosenCustomer(api, data, phone, made);
          const campaign = data.get("campaign_id");
          const booked = await api.post("/v1/jobs", { customer_id: customerId, ...job, ...(campaign ? { campaign_id: campaign } : {}) });
          afterBooking(
            booked.job.job_id,
            `The job is booked.${sclWord}`,
            booked.open_leads_for_customer,
          );
          context.navigate(`/jobs/${encodeURIComponent(booked.job.job_id)}`);
        } catch (error) {
          replace(feedback, problem(error));
          feedback.scrollIntoView({ block: "center" });
        }
      },
    },
    h("fieldset", {}, h("legend", {}, "Customer"), customerChoice(customers)),
    openLeads.length ? leadChoice(openLeads, campaignNames) : null,
    details.element,
    h(
      "div",
      { class: "field" },
      h("label", { for: campaignId }, "Campaign (optional)"),
      h(
        "select",
        { id: campaignId, name: "campaign_id" },
        h("option", { value: "" }, "None"),
        refs.campaigns.filter((c) => c.active).map((c) => h("option", { value: c.campaign_id }, c.name)),
      ),
      openLeads.length ? h("p", { class: "hint" }, "A converted lead's job keeps the lead's own campaign.") : null,
    ),
    feedback,
    h("button", { type: "submit", class: "primary" }, "Book the job"),
  );
  replace(caller, h("h2", {}, `Caller ${format.phone(phone)}`), scl ? sclBanner(scl) : null, form);
}

// The open leads of these numbers, each once, newest first.
async function openLeadsOf(api, phones) {
  const numbers = [...new Set(phones.filter(Boolean))];
  const pages = await Promise.all(numbers.map((phone) => api.get("/v1/leads", { phone, status: "open", limit: 50 })));
  const byId = new Map(pages.flatMap((p) => p.items).map((lead) => [lead.lead_id, lead]));
  return [...byId.values()].sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
}

function sclBanner(scl) {
  return h(
    "section",
    { class: "scl-banner", "aria-labelledby": "scl-banner-title", "data-testid": "scl-banner" },
    h("h3", { id: "scl-banner-title" }, "This caller has a Second Chance Lead"),
    h("p", {}, `Called ${format.moment(scl.call_started_at || scl.created_at)}. Status: ${scl.status_label}.`),
    h("p", {}, scl.summary),
    h("p", {}, "Booking a job for this caller moves it to Done, as Job booked by SCL."),
    h("p", {}, h("a", { href: `/second-chance-leads/${encodeURIComponent(scl.scl_id)}` }, "Open the Second Chance Lead")),
  );
}

// Convert one of the caller's open leads (the newest picked), or book a new job beside them.
function leadChoice(openLeads, campaignNames) {
  const hint = fieldId("open-leads-hint");
  const option = (value, label, checked) => {
    const id = fieldId("what");
    return h("div", { class: "radio" }, h("input", { type: "radio", id, name: "what", value, checked }), h("label", { for: id }, label));
  };
  return h(
    "fieldset",
    { class: "open-leads", "aria-describedby": hint },
    h("legend", {}, openLeads.length === 1 ? "This caller has an open lead" : `This caller has ${openLeads.length} open leads`),
    h("p", { class: "hint", id: hint }, "Convert the lead instead of booking a second job for the same request. A lead captured from a call has no customer yet: its job is for the customer above."),
    openLeads.map((lead, i) =>
      option(
        lead.lead_id,
        [
          `Convert the lead of ${format.moment(lead.created_at)}`,
          ` (${SOURCE_LABELS[lead.source] || lead.source}`,
          lead.campaign_id ? `, ${campaignNames.get(lead.campaign_id) || lead.campaign_id}` : "",
          ")",
          lead.summary ? `: ${lead.summary}` : "",
        ].join(""),
        i === 0,
      ),
    ),
    option(NEW_JOB, "Book a new job; leave the open leads as they are", false),
  );
}
