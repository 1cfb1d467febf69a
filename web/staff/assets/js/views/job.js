// A booked job: its customer, job type, business unit, appointment window, technician, campaign, and the lead or
// call it came from. The booking screen comes here after booking, with a word on what it did.
import { h, replace } from "../dom.js";
import * as format from "../format.js";
import { lookups, namesOf } from "../lookups.js";
import { PRIORITY_LABELS, jobOrigin, who, windowText } from "../jobs.js";
import { loading, problem, setTitle } from "../ui.js";

let pending = null; // { jobId, message, openLeads } from the screen that booked the job

export function afterBooking(jobId, message, openLeads = []) {
  pending = { jobId, message, openLeads };
}

export async function detail(context, jobId) {
  const { main, api, me } = context;
  setTitle("Job");
  const said = pending?.jobId === jobId ? pending : null;
  pending = null;
  replace(main, loading("the job"));
  let job;
  let refs;
  try {
    const held = lookups(api);
    let units;
    let types;
    let campaigns;
    let employees;
    [job, units, types, campaigns, employees] = await Promise.all([
      api.get(`/v1/jobs/${encodeURIComponent(jobId)}`),
      held.businessUnits(),
      held.jobTypes(),
      held.campaigns(),
      held.employees(),
    ]);
    refs = {
      units: namesOf(units, "business_unit_id"),
      types: namesOf(types, "job_type_id"),
      campaigns: namesOf(campaigns, "campaign_id"),
      employees: namesOf(employees, "employee_id"),
    };
  } catch (error) {
    replace(main, h("h1", {}, "Job"), problem(error, { retry: () => detail(context, jobId) }));
    return;
  }
  const customer = job.customer_id ? await api.get(`/v1/customers/${encodeURIComponent(job.customer_id)}`).catch(() => null) : null;
  const type = refs.types.get(job.job_type_id) || job.job_type_id;
  const heading = customer ? `Job: ${type} for ${customer.name}` : `Job: ${type}`;
  setTitle(heading);
  const location = customer?.locations?.find((l) => l.location_id === job.location_id);
  replace(
    main,
    h("p", {}, h("a", { href: "/book" }, "Book another job"), " · ", h("a", { href: "/leads" }, "Leads")),
    h("h1", {}, heading),
    said ? h("div", { class: "feedback", "aria-live": "polite" }, h("p", { class: "notice" }, said.message)) : null,
    said?.openLeads?.length ? stillOpen(said.openLeads) : null,
    h(
      "dl",
      { class: "facts" },
      fact("Status", "Booked"),
      fact("Customer", customer ? customer.name : "—"),
      fact("Phone", job.customer_phone ? format.phone(job.customer_phone) : "—"),
      location ? fact("Location", `${location.address.street}, ${location.address.city}`) : null,
      fact("Job type", type),
      fact("Business unit", refs.units.get(job.business_unit_id) || job.business_unit_id),
      fact("Appointment", windowText(job.appointment_start, job.appointment_end)),
      fact("Technician", job.technician_id ? refs.employees.get(job.technician_id) || job.technician_id : "Not assigned yet"),
      fact("Priority", PRIORITY_LABELS[job.priority] || "Not set"),
      fact("Campaign", job.campaign_id ? refs.campaigns.get(job.campaign_id) || job.campaign_id : "—"),
      job.summary ? fact("Summary", job.summary) : null,
      fact("Came from", jobOrigin(job)),
      job.lead_id ? fact("Lead", h("a", { href: `/leads/${encodeURIComponent(job.lead_id)}` }, "Open the lead it converted")) : null,
      fact("Booked", `${format.moment(job.created_at)}, by ${who(job.booked_by, me, refs.employees)}`),
    ),
  );
}

function fact(label, value) {
  return [h("dt", {}, label), h("dd", {}, value)];
}

// The customer's leads still open after a job was booked on its own (none of them was converted).
function stillOpen(openLeads) {
  return h(
    "section",
    { class: "open-leads", "aria-labelledby": "still-open-title" },
    h("h2", { id: "still-open-title" }, "This customer still has open leads"),
    h("p", {}, "Booking the job did not convert them. Dismiss each one that this job settles, as a duplicate lead."),
    h(
      "ul",
      {},
      openLeads.map((lead) =>
        h("li", {}, h("a", { href: `/leads/${encodeURIComponent(lead.lead_id)}` }, `Lead of ${format.moment(lead.created_at)} (${format.phone(lead.customer_phone)})`)),
      ),
    ),
  );
}
