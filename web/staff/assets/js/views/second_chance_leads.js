// Second Chance Leads, as the seeds' "Use Second Chance Leads as a CSR" tells it: the queue by tab (Open, Cold,
// Done) with counts, a status filter and a search; a lead's details (summary and reasons, recording, transcript,
// notes, history) and what a CSR does with it (call back, set a status, dismiss, add a note).
import { h, replace, fieldId } from "../dom.js";
import * as format from "../format.js";
import { loading, noAccess, problem, setTitle } from "../ui.js";

const PERMISSION = "view_second_chance_leads";
const PERMISSION_LABEL = "View Second Chance Leads";
const TABS = [
  { id: "open", label: "Open", statuses: ["new", "lead_call_back_attempted"] },
  { id: "cold", label: "Cold", statuses: ["new", "lead_call_back_attempted"] },
  {
    id: "done",
    label: "Done",
    statuses: [
      "job_booked_by_scl",
      "job_booked_elsewhere",
      "lead_not_able_to_save",
      "lead_not_following_up",
      "reviewed_not_a_lead",
    ],
  },
];
const STATUS_LABELS = {
  new: "New",
  lead_call_back_attempted: "Lead - Call Back Attempted",
  lead_not_able_to_save: "Lead - Not able to save",
  lead_not_following_up: "Lead - Not following up",
  reviewed_not_a_lead: "Reviewed - Not a Lead",
  job_booked_by_scl: "Job booked by SCL",
  job_booked_elsewhere: "Job booked elsewhere",
};
// Set by hand (the two "Job booked" statuses come only from a booked job).
const MANUAL = ["new", "lead_call_back_attempted", "lead_not_able_to_save", "lead_not_following_up", "reviewed_not_a_lead"];
const CALL_TYPES = { lead: "Lead call", not_lead: "Not a lead call" };

function allowed(me) {
  return (me.permissions || []).includes(PERMISSION);
}

function who(entry, me) {
  if (!entry.by) return "Leadline";
  return entry.by === me.employee_id ? `you (${me.name})` : entry.by_name || entry.by;
}

// --- the queue ----------------------------------------------------------------------------------------------

export async function queue(context) {
  const { main, api, me } = context;
  setTitle("Second Chance Leads");
  if (!allowed(me)) {
    replace(main, noAccess("Second Chance Leads", PERMISSION_LABEL));
    return;
  }
  const params = new URLSearchParams(location.search);
  const tab = TABS.find((t) => t.id === params.get("tab")) || TABS[0];
  const status = tab.statuses.includes(params.get("status")) ? params.get("status") : "";
  const search = params.get("search") || "";

  const counts = h("span", { class: "visually-hidden" });
  const tabs = h(
    "nav",
    { class: "tabs", "aria-label": "Second Chance Leads tabs" },
    h(
      "ul",
      {},
      TABS.map((t) =>
        h(
          "li",
          {},
          h(
            "a",
            { href: `/second-chance-leads?tab=${t.id}`, "aria-current": t.id === tab.id ? "page" : null, dataset: { tab: t.id } },
            t.label,
            " ",
            h("span", { class: "count", dataset: { count: t.id } }, ""),
          ),
        ),
      ),
    ),
  );
  const statusId = fieldId("status");
  const searchId = fieldId("search");
  const filters = h(
    "form",
    {
      class: "filters",
      role: "search",
      onSubmit: (event) => {
        event.preventDefault();
        const form = new FormData(event.target);
        const query = new URLSearchParams({ tab: tab.id });
        if (form.get("status")) query.set("status", form.get("status"));
        if (String(form.get("search")).trim()) query.set("search", String(form.get("search")).trim());
        context.navigate(`/second-chance-leads?${query}`);
      },
    },
    h("label", { for: statusId }, "Status"),
    h(
      "select",
      { id: statusId, name: "status" },
      h("option", { value: "" }, "Any status"),
      tab.statuses.map((s) => h("option", { value: s, selected: s === status }, STATUS_LABELS[s])),
    ),
    h("label", { for: searchId }, "Search the calls"),
    h("input", { id: searchId, name: "search", type: "search", value: search, minlength: 2, maxlength: 100, placeholder: "Words said in the call" }),
    h("button", { type: "submit" }, "Search"),
  );
  const results = h("div", { class: "results" }, loading("the Second Chance Leads"));
  const audit = h(
    "p",
    { class: "meta" },
    "Calls the analyser left out of this queue: ",
    h("a", { href: "/calls?scl=not_prospect" }, "calls judged not a prospect, with its reasons"),
    ".",
  );
  replace(main, h("h1", {}, "Second Chance Leads"), tabs, filters, counts, results, audit);

  api
    .get("/v1/second-chance-leads/counts")
    .then((found) => {
      for (const t of TABS) {
        const badge = tabs.querySelector(`[data-count="${t.id}"]`);
        badge.textContent = `(${found[t.id]})`;
      }
    })
    .catch(() => {}); // the counts are a help; the list below says it when the API cannot be reached

  const query = { tab: tab.id, status: status || undefined, search: search || undefined, limit: 50 };
  await showPage(context, results, query, tab);
}

async function showPage(context, results, query, tab, nextToken) {
  const { api } = context;
  let page;
  try {
    page = await api.get("/v1/second-chance-leads", { ...query, next_token: nextToken });
  } catch (error) {
    if (error.status === 403) {
      replace(context.main, noAccess("Second Chance Leads", PERMISSION_LABEL));
      return;
    }
    replace(results, problem(error, { retry: () => showPage(context, results, query, tab, nextToken) }));
    return;
  }
  if (!nextToken && page.items.length === 0) {
    const filtered = query.status || query.search;
    replace(results, h("p", { class: "empty" }, filtered ? `No Second Chance Leads in ${tab.label} match.` : `No Second Chance Leads in ${tab.label}.`));
    return;
  }
  let body = results.querySelector("tbody");
  if (!body) {
    body = h("tbody");
    replace(
      results,
      h(
        "table",
        { class: "queue" },
        h("caption", { class: "visually-hidden" }, `Second Chance Leads, ${tab.label}`),
        h(
          "thead",
          {},
          h("tr", {}, ["Caller", "When", "Call type", "Summary", "Status"].map((c) => h("th", { scope: "col" }, c))),
        ),
        body,
      ),
    );
  }
  for (const scl of page.items) {
    body.append(
      h(
        "tr",
        {},
        h("td", {}, h("a", { href: `/second-chance-leads/${encodeURIComponent(scl.scl_id)}` }, format.phone(scl.phone))),
        h("td", {}, format.moment(scl.call_started_at || scl.created_at)),
        h("td", {}, CALL_TYPES[scl.call_type] || "Not classified"),
        h("td", { class: "summary" }, scl.summary),
        h("td", {}, h("span", { class: `status status-${scl.status}` }, scl.status_label)),
      ),
    );
  }
  results.querySelector(".more")?.remove();
  if (page.next_token) {
    results.append(
      h("button", { type: "button", class: "more", onClick: () => showPage(context, results, query, tab, page.next_token) }, "Show more"),
    );
  }
}

// --- one Second Chance Lead -----------------------------------------------------------------------------------

export async function detail(context, sclId) {
  const { main, api, me } = context;
  setTitle("Second Chance Lead");
  if (!allowed(me)) {
    replace(main, noAccess("Second Chance Leads", PERMISSION_LABEL));
    return;
  }
  replace(main, loading("the Second Chance Lead"));
  let scl;
  try {
    scl = await api.get(`/v1/second-chance-leads/${encodeURIComponent(sclId)}`);
  } catch (error) {
    if (error.status === 403) return replace(main, noAccess("Second Chance Leads", PERMISSION_LABEL));
    replace(main, h("h1", {}, "Second Chance Lead"), problem(error, { retry: () => detail(context, sclId) }), backLink());
    return;
  }
  draw(context, scl);
}

function backLink() {
  return h("p", {}, h("a", { href: "/second-chance-leads" }, "Back to Second Chance Leads"));
}

function draw(context, scl, message) {
  const { main, me } = context;
  setTitle(`Second Chance Lead ${format.phone(scl.phone)}`);
  const ended = scl.status === "job_booked_by_scl" || scl.status === "job_booked_elsewhere"; // no later change
  const feedback = h("div", { class: "feedback", "aria-live": "polite" }, message ? h("p", { class: "notice" }, message) : null);
  const act = async (doing, request) => {
    replace(feedback, h("p", { role: "status" }, `${doing}…`));
    try {
      const changed = await request();
      draw(context, changed, "Saved.");
      main.querySelector(".feedback p")?.focus?.();
    } catch (error) {
      replace(feedback, problem(error));
    }
  };
  replace(
    main,
    backLink(),
    h(
      "header",
      { class: "record-header" },
      h("h1", {}, `Second Chance Lead: ${format.phone(scl.phone)}`),
      h("p", {}, h("span", { class: `status status-${scl.status}`, "data-testid": "scl-status" }, scl.status_label)),
    ),
    feedback,
    h(
      "dl",
      { class: "facts" },
      fact("Caller", format.phone(scl.phone)),
      fact("Call received", format.moment(scl.call_started_at || scl.created_at)),
      fact("Call type", CALL_TYPES[scl.call_type] || "Not classified"),
      fact("Answered by", scl.agent || "—"),
      fact("Confidence it is a lead", format.percent(scl.confidence)),
      scl.job_id ? fact("Job", scl.job_id) : null,
    ),
    ended ? null : actions(context, scl, act),
    h(
      "section",
      { "aria-labelledby": "summary-title" },
      h("h2", { id: "summary-title" }, "Summary"),
      h("p", {}, scl.summary),
      scl.reasons?.length ? h("ul", { class: "reasons" }, scl.reasons.map((r) => h("li", {}, r))) : null,
      h("p", { class: "hint" }, "The summary is written by software, not reviewed by a person: check the recording when unsure."),
    ),
    h(
      "section",
      { "aria-labelledby": "recording-title" },
      h("h2", { id: "recording-title" }, "Recording"),
      scl.recording_url
        ? [
            h("audio", { controls: true, preload: "none", src: scl.recording_url, "aria-label": "Call recording" }),
            h("p", {}, h("a", { href: scl.recording_url, target: "_blank", rel: "noopener" }, "Open the recording")),
          ]
        : h("p", {}, "This call has no recording."),
    ),
    h(
      "section",
      { "aria-labelledby": "transcript-title" },
      h("h2", { id: "transcript-title" }, "Transcript"),
      scl.transcript ? h("div", { class: "transcript" }, transcriptLines(scl.transcript)) : h("p", {}, "This call has no transcript."),
    ),
    h(
      "section",
      { "aria-labelledby": "notes-title" },
      h("h2", { id: "notes-title" }, "Notes"),
      scl.csr_notes ? h("p", {}, h("strong", {}, "The CSR's notes on the call: "), scl.csr_notes) : null,
      scl.notes?.length
        ? h("ul", { class: "notes" }, scl.notes.map((n) => h("li", {}, h("p", {}, n.text), h("p", { class: "meta" }, `${who(n, me)}, ${format.moment(n.at)}`))))
        : h("p", {}, "No notes yet."),
      noteForm(scl, act, context),
    ),
    h(
      "section",
      { "aria-labelledby": "history-title" },
      h("h2", { id: "history-title" }, "History"),
      h(
        "ol",
        { class: "history" },
        scl.history.map((entry) =>
          h(
            "li",
            {},
            h("span", { class: "meta" }, format.moment(entry.at)),
            " ",
            entry.from ? `${STATUS_LABELS[entry.from] || entry.from} → ${STATUS_LABELS[entry.to] || entry.to}` : `Created as ${STATUS_LABELS[entry.to] || entry.to}`,
            `, by ${who(entry, me)}`,
            entry.why ? `: ${entry.why}` : "",
          ),
        ),
      ),
    ),
  );
}

function fact(label, value) {
  return [h("dt", {}, label), h("dd", {}, value)];
}

// One paragraph a turn when the transcript names its speakers ("Agent:", "Caller:", "spk_0:", ...).
function transcriptLines(text) {
  const turns = text.split(/(?=\b(?:Agent|Caller|Customer|CSR|spk_\d+|ch_\d+|Speaker \d+)\s*:)/).map((t) => t.trim()).filter(Boolean);
  return turns.map((turn) => {
    const match = /^([^:]{1,20}):\s*(.*)$/s.exec(turn);
    return match ? h("p", {}, h("strong", {}, `${match[1]}: `), match[2]) : h("p", {}, turn);
  });
}

function actions(context, scl, act) {
  const { api } = context;
  const base = `/v1/second-chance-leads/${encodeURIComponent(scl.scl_id)}`;
  const statusId = fieldId("new-status");
  const whyId = fieldId("why");
  const dismissName = fieldId("dismiss");
  return h(
    "section",
    { class: "actions", "aria-labelledby": "actions-title" },
    h("h2", { id: "actions-title" }, "What to do"),
    h(
      "p",
      {},
      h(
        "a",
        {
          class: "button primary",
          href: `tel:${scl.phone}`,
          // the phone dials the number; Leadline records the attempt
          onClick: () => act("Recording your call back", () => api.post(`${base}/callback`)),
        },
        `Call customer back: ${format.phone(scl.phone)}`,
      ),
    ),
    h(
      "form",
      {
        class: "inline-form",
        onSubmit: (event) => {
          event.preventDefault();
          const form = new FormData(event.target);
          const why = String(form.get("why") || "").trim();
          act("Saving the status", () => api.put(`${base}/status`, { status: form.get("status"), why: why || null }));
        },
      },
      h("label", { for: statusId }, "Status"),
      h("select", { id: statusId, name: "status" }, MANUAL.map((s) => h("option", { value: s, selected: s === scl.status }, STATUS_LABELS[s]))),
      h("label", { for: whyId }, "Why (optional)"),
      h("input", { id: whyId, name: "why", type: "text", maxlength: 5000 }),
      h("button", { type: "submit" }, "Save status"),
    ),
    h(
      "form",
      {
        class: "inline-form",
        onSubmit: (event) => {
          event.preventDefault();
          const reason = new FormData(event.target).get("reason");
          act("Dismissing", () => api.post(`${base}/dismiss`, { reason }));
        },
      },
      h(
        "fieldset",
        {},
        h("legend", {}, "Dismiss the call"),
        radio(dismissName, "not_a_lead", "It's not a lead", true),
        radio(dismissName, "lead_not_following_up", "It's a lead, but I'm not going to follow up"),
        h("p", { class: "hint" }, "Mark it not a lead only when it truly isn't one: it teaches Leadline what a lead is."),
      ),
      h("button", { type: "submit" }, "Dismiss call"),
    ),
  );
}

function radio(name, value, label, checked = false) {
  const id = fieldId(value);
  return h("div", { class: "radio" }, h("input", { type: "radio", id, name: "reason", value, checked, dataset: { group: name } }), h("label", { for: id }, label));
}

function noteForm(scl, act, context) {
  const id = fieldId("note");
  return h(
    "form",
    {
      class: "note-form",
      onSubmit: (event) => {
        event.preventDefault();
        const text = String(new FormData(event.target).get("text") || "").trim();
        if (!text) return;
        act("Saving the note", () => context.api.post(`/v1/second-chance-leads/${encodeURIComponent(scl.scl_id)}/notes`, { text }));
      },
    },
    h("label", { for: id }, "Add a note"),
    h("textarea", { id, name: "text", rows: 3, maxlength: 5000, required: true }),
    h("button", { type: "submit" }, "Save note"),
  );
}
