// Calls: a day's calls (in the company's time zone) by campaign, Unknown (no campaign matched) or Direct (the
// company's own number), each call's details, and a CSR's classification of it (reason, notes, booked, job); the
// calls the analyser judged not a prospect, with its reasons, for a manager to audit what Second Chance Leads left
// out.
import { fieldId, h, replace } from "../dom.js";
import * as format from "../format.js";
import { loading, noAccess, problem, setTitle } from "../ui.js";

const ATTRIBUTION = { attributed: "Campaign", unknown: "Unknown", direct: "Direct" };
// how the Second Chance Leads evaluation of a call ended, or where it stands (the API's scl_evaluation)
const EVALUATION = {
  created: "Became a Second Chance Lead",
  "not-a-prospect": "Judged not a prospect",
  "recent-scl-for-number": "The caller already has a Second Chance Lead from the last 14 days",
  booked: "A job was booked on the call",
  disabled: "Second Chance Leads were off",
  outbound: "An outbound call",
  "no-recording": "No recording to analyse",
  "no-caller-number": "No caller number",
  "awaiting-transcript": "Waiting for the transcript",
  "transcript-arrived": "Transcript arrived; evaluation due",
};
const NOT_PROSPECT = "not_prospect";

export function verdict(analysis) {
  const sure = `${Math.floor(analysis.confidence * 100)}% sure`; // floor: never "100%" for 0.997
  return analysis.is_prospect ? `A prospect (${sure})` : `Not a prospect (${sure})`;
}

function today() {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: format.timeZone(), year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date());
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

function campaignName(call, campaigns) {
  if (call.campaign_id) return campaigns.get(call.campaign_id) || "A campaign no longer listed";
  return call.attribution === "direct" ? "Direct" : "Unknown";
}

export async function list(context) {
  const { main, api } = context;
  setTitle("Calls");
  const params = new URLSearchParams(location.search);
  const scl = params.get("scl") === NOT_PROSPECT ? NOT_PROSPECT : "";
  // the calls judged not a prospect are of every day unless one is chosen; the others of a day, today by default
  const day = /^\d{4}-\d{2}-\d{2}$/.test(params.get("day") || "") ? params.get("day") : scl ? "" : today();
  const campaign = params.get("campaign") || "";
  replace(main, h("h1", {}, "Calls"), loading("the calls"));
  // the campaigns and call reasons name what the calls hold by id; a CSR may read both
  const [campaigns, reasons] = await Promise.all([
    api.get("/v1/campaigns", { limit: 200 }).then((page) => page.items).catch(() => []),
    api.get("/v1/call-reasons", { limit: 200 }).then((page) => page.items).catch(() => []),
  ]);
  const names = new Map(campaigns.map((c) => [c.campaign_id, c.name]));
  const reasonNames = new Map(reasons.map((r) => [r.call_reason_id, r.name]));
  const dayId = fieldId("day");
  const dayHint = fieldId("day-hint");
  const campaignId = fieldId("campaign");
  const sclId = fieldId("scl");
  const filters = h(
    "form",
    {
      class: "filters",
      onSubmit: (event) => {
        event.preventDefault();
        const form = new FormData(event.target);
        const query = new URLSearchParams();
        if (form.get("scl")) query.set("scl", form.get("scl"));
        if (form.get("day") || !form.get("scl")) query.set("day", form.get("day") || today());
        if (form.get("campaign")) query.set("campaign", form.get("campaign"));
        context.navigate(`/calls?${query}`);
      },
    },
    h("label", { for: sclId }, "Which calls"),
    h(
      "select",
      { id: sclId, name: "scl" },
      h("option", { value: "" }, "Every call"),
      h("option", { value: NOT_PROSPECT, selected: scl === NOT_PROSPECT }, "Judged not a prospect (to review)"),
    ),
    h("label", { for: dayId }, "Day"),
    h("input", { id: dayId, name: "day", type: "date", value: day, "aria-describedby": dayHint }),
    h("span", { id: dayHint, class: "hint" }, "Empty: today, or every day for the calls judged not a prospect."),
    h("label", { for: campaignId }, "Campaign"),
    h(
      "select",
      { id: campaignId, name: "campaign" },
      h("option", { value: "" }, "Every call"),
      campaigns.map((c) => h("option", { value: c.campaign_id, selected: c.campaign_id === campaign }, c.name)),
      h("option", { value: "unknown", selected: campaign === "unknown" }, "Unknown (no campaign matched)"),
      h("option", { value: "direct", selected: campaign === "direct" }, "Direct (the company's own number)"),
    ),
    h("button", { type: "submit" }, "Show"),
  );
  const results = h("div", { class: "results" }, loading("the calls"));
  replace(main, h("h1", {}, "Calls"), filters, results);
  const query = { day: day || undefined, campaign_id: campaign || undefined, scl: scl || undefined, limit: 100 };
  await showPage(context, results, query, names, reasonNames);
}

async function showPage(context, results, query, names, reasonNames, nextToken) {
  let page;
  try {
    page = await context.api.get("/v1/calls", { ...query, next_token: nextToken });
  } catch (error) {
    if (error.status === 403) return replace(context.main, noAccess("Calls", "Create, convert and dismiss leads"));
    return replace(results, problem(error, { retry: () => showPage(context, results, query, names, reasonNames, nextToken) }));
  }
  const judged = query.scl === NOT_PROSPECT;
  const when = query.day ? ` on ${query.day}` : "";
  if (!nextToken && page.items.length === 0) {
    const what = judged ? "No calls judged not a prospect" : "No calls";
    return replace(results, h("p", { class: "empty" }, `${what}${when}${query.campaign_id ? " for this choice" : ""}.`));
  }
  let body = results.querySelector("tbody");
  if (!body) {
    body = h("tbody");
    replace(
      results,
      h(
        "table",
        { class: "queue" },
        h("caption", { class: "visually-hidden" }, judged ? `Calls judged not a prospect${when}` : `Calls${when}`),
        h(
          "thead",
          {},
          h("tr", {}, ["When", "Caller", "Number called", "Campaign", "Duration", "Reason", ...(judged ? ["Why not a prospect"] : [])].map((c) => h("th", { scope: "col" }, c))),
        ),
        body,
      ),
    );
  }
  for (const call of page.items) {
    body.append(
      h(
        "tr",
        {},
        h("td", {}, h("a", { href: `/calls/${encodeURIComponent(call.call_id)}` }, format.moment(call.started_at, "short"))),
        h("td", {}, format.phone(call.from_number)),
        h("td", {}, format.phone(call.to_number)),
        h("td", {}, campaignName(call, names)),
        h("td", {}, format.duration(call.duration_seconds)),
        h("td", {}, reasonNames.get(call.classification?.call_reason_id) || "Not classified"),
        judged ? h("td", {}, call.analysis ? `${verdict(call.analysis)}: ${call.analysis.reasons.join("; ")}` : EVALUATION[call.scl_evaluation]) : null,
      ),
    );
  }
  results.querySelector(".more")?.remove();
  if (page.next_token) {
    results.append(h("button", { type: "button", class: "more", onClick: () => showPage(context, results, query, names, reasonNames, page.next_token) }, "Show more"));
  }
}

export async function detail(context, callId) {
  const { main, api } = context;
  setTitle("Call");
  replace(main, loading("the call"));
  let call;
  let reasons = [];
  try {
    [call, reasons] = await Promise.all([
      api.get(`/v1/calls/${encodeURIComponent(callId)}`),
      api.get("/v1/call-reasons", { limit: 200 }).then((page) => page.items.filter((r) => r.active !== false)).catch(() => []),
    ]);
  } catch (error) {
    if (error.status === 403) return replace(main, noAccess("Calls", "Create, convert and dismiss leads"));
    return replace(main, h("h1", {}, "Call"), problem(error, { retry: () => detail(context, callId) }));
  }
  draw(context, call, reasons);
}

function draw(context, call, reasons, message) {
  const { main } = context;
  setTitle(`Call from ${format.phone(call.from_number)}`);
  const feedback = h("div", { class: "feedback", "aria-live": "polite" }, message ? h("p", { class: "notice" }, message) : null);
  replace(
    main,
    h("p", {}, h("a", { href: "/calls" }, "Back to calls")),
    h("h1", {}, `Call from ${format.phone(call.from_number)}`),
    feedback,
    h(
      "dl",
      { class: "facts" },
      [
        ["Caller", format.phone(call.from_number)],
        ["Number called", format.phone(call.to_number)],
        ["Started", format.moment(call.started_at)],
        ["Duration", format.duration(call.duration_seconds)],
        ["Status", call.status || "—"],
        ["Direction", call.direction || "—"],
        ["Attribution", ATTRIBUTION[call.attribution] || call.attribution || "—"],
        ["Answered by", call.agent || "—"],
        ["Second Chance Leads", EVALUATION[call.scl_evaluation] || (call.scl_evaluation ? call.scl_evaluation : "Not evaluated")],
      ].map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]),
    ),
    call.analysis
      ? h(
          "section",
          { "aria-labelledby": "analysis-title" },
          h("h2", { id: "analysis-title" }, "What the analyser heard"),
          h("p", { "data-testid": "verdict" }, h("strong", {}, verdict(call.analysis))),
          h("p", {}, call.analysis.summary || ""),
          call.analysis.reasons?.length ? h("ul", {}, call.analysis.reasons.map((r) => h("li", {}, r))) : null,
        )
      : null,
    call.recording_url
      ? h("section", { "aria-labelledby": "rec-title" }, h("h2", { id: "rec-title" }, "Recording"), h("audio", { controls: true, preload: "none", src: call.recording_url, "aria-label": "Call recording" }))
      : null,
    call.transcript ? h("section", { "aria-labelledby": "tr-title" }, h("h2", { id: "tr-title" }, "Transcript"), h("p", { class: "transcript" }, call.transcript)) : null,
    classifyForm(context, call, reasons, feedback),
  );
}

function classifyForm(context, call, reasons, feedback) {
  const current = call.classification || {};
  const reasonId = fieldId("reason");
  const notesId = fieldId("notes");
  const bookedId = fieldId("booked");
  const jobId = fieldId("job");
  return h(
    "section",
    { "aria-labelledby": "classify-title" },
    h("h2", { id: "classify-title" }, "Classify the call"),
    reasons.length === 0
      ? h("p", {}, "There are no call reasons yet: an administrator adds them in the settings.")
      : h(
          "form",
          {
            class: "stacked-form",
            onSubmit: async (event) => {
              event.preventDefault();
              const form = new FormData(event.target);
              const body = { call_reason_id: form.get("call_reason_id"), notes: String(form.get("notes") || "").trim() || null, booked: form.get("booked") === "on" };
              if (String(form.get("job_id") || "").trim()) body.job_id = String(form.get("job_id")).trim();
              replace(feedback, h("p", { role: "status" }, "Saving the classification…"));
              try {
                const saved = await context.api.put(`/v1/calls/${encodeURIComponent(call.call_id)}/classification`, body);
                draw(context, saved, reasons, "Saved.");
              } catch (error) {
                replace(feedback, problem(error));
              }
            },
          },
          h("label", { for: reasonId }, "Call reason"),
          h("select", { id: reasonId, name: "call_reason_id", required: true }, reasons.map((r) => h("option", { value: r.call_reason_id, selected: r.call_reason_id === current.call_reason_id }, r.name))),
          h("label", { for: notesId }, "Notes"),
          h("textarea", { id: notesId, name: "notes", rows: 3, maxlength: 5000 }, current.notes || ""),
          h("div", { class: "radio" }, h("input", { id: bookedId, name: "booked", type: "checkbox", checked: Boolean(current.booked) }), h("label", { for: bookedId }, "A job was booked on this call")),
          h("label", { for: jobId }, "Job (optional)"),
          h("input", { id: jobId, name: "job_id", type: "text", value: current.job_id || "", maxlength: 64 }),
          h("button", { type: "submit", class: "primary" }, "Save classification"),
        ),
  );
}
