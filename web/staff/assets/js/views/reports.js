// Reports for a range of the company's days: the headline figures, three funnels whose steps each hold the next
// (calls, leads, Second Chance Leads: the leads come from partners and the website too, so they are not a step
// of the calls), the campaigns' table (Unknown and Direct apart), SCL recovery by day, and CSV downloads.
import { fieldId, h, replace } from "../dom.js";
import * as format from "../format.js";
import { loading, noAccess, problem, setTitle } from "../ui.js";

const PERMISSION_LABEL = "Read reports";
const CSV = [
  ["campaign-summary", "Campaign summary"],
  ["lead-volume", "Lead volume"],
  ["scl-recovery", "Second Chance Lead recovery"],
  ["csr-performance", "CSR performance"],
];

function isoDay(date) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: format.timeZone(), year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(date);
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

export async function show(context) {
  const { main, api } = context;
  setTitle("Reports");
  const params = new URLSearchParams(location.search);
  const valid = (d) => /^\d{4}-\d{2}-\d{2}$/.test(d || "");
  const to = valid(params.get("to")) ? params.get("to") : isoDay(new Date());
  const from = valid(params.get("from")) ? params.get("from") : isoDay(new Date(Date.now() - 29 * 86_400_000));
  const fromId = fieldId("from");
  const toId = fieldId("to");
  const range = h(
    "form",
    {
      class: "filters",
      onSubmit: (event) => {
        event.preventDefault();
        const form = new FormData(event.target);
        context.navigate(`/reports?${new URLSearchParams({ from: form.get("from"), to: form.get("to") })}`);
      },
    },
    h("label", { for: fromId }, "From"),
    h("input", { id: fromId, name: "from", type: "date", value: from, required: true }),
    h("label", { for: toId }, "To"),
    h("input", { id: toId, name: "to", type: "date", value: to, required: true }),
    h("button", { type: "submit" }, "Show"),
  );
  const body = h("div", {}, loading("the reports"));
  replace(main, h("h1", {}, "Reports"), range, body);
  let summary;
  let recovery;
  try {
    [summary, recovery] = await Promise.all([
      api.get("/v1/reports/campaign-summary", { from, to }),
      api.get("/v1/reports/scl-recovery", { from, to }),
    ]);
  } catch (error) {
    if (error.status === 403) return replace(main, noAccess("Reports", PERMISSION_LABEL));
    return replace(body, problem(error, { retry: () => show(context) }));
  }
  replace(
    body,
    figures(summary, recovery),
    funnels(summary.totals),
    campaignTable(summary),
    recoveryByDay(recovery),
    downloads(context, from, to),
  );
}

function figures(summary, recovery) {
  const t = summary.totals;
  const cards = [
    ["Calls", t.calls],
    ["Leads", t.leads],
    ["Booked jobs", t.booked_jobs],
    ["Leads booked", format.percent(t.lead_to_booking_rate)],
    ["Calls attributed to a campaign", format.percent(summary.attribution_rate)],
    ["Second Chance Leads followed up", format.percent(recovery.follow_up_rate)],
  ];
  return h("ul", { class: "cards", "aria-label": "Headline figures" }, cards.map(([label, value]) => h("li", { class: "card" }, h("span", { class: "card-value" }, String(value)), h("span", { class: "card-label" }, label))));
}

function funnel(title, steps) {
  const top = Math.max(1, steps[0][1]);
  return h(
    "figure",
    { class: "funnel" },
    h("figcaption", {}, title),
    h(
      "ol",
      {},
      steps.map(([label, value], i) =>
        h(
          "li",
          {},
          h("span", { class: "funnel-label" }, label),
          h("span", { class: "funnel-bar", style: null, dataset: { share: String(Math.round((100 * value) / top)) } }, h("span", { class: `funnel-fill step-${i}` })),
          h("span", { class: "funnel-value" }, `${value}${i ? ` (${format.percent(steps[0][1] ? value / steps[0][1] : null)})` : ""}`),
        ),
      ),
    ),
  );
}

function funnels(t) {
  const section = h(
    "section",
    { "aria-labelledby": "funnels-title" },
    h("h2", { id: "funnels-title" }, "Funnels"),
    h(
      "div",
      { class: "funnels" },
      funnel("Calls", [["Calls", t.calls], ["Lead calls", t.lead_calls]]),
      funnel("Leads (calls, partners, the website)", [["Leads", t.leads], ["Converted to a job", t.leads_converted]]),
      funnel("Second Chance Leads", [["Created", t.scls_created], ["Saved (job booked by SCL)", t.scls_saved]]),
    ),
  );
  // widths from data attributes: the content security policy allows no inline style attribute
  for (const bar of section.querySelectorAll(".funnel-bar")) bar.firstChild.style.width = `${bar.dataset.share}%`;
  return section;
}

function campaignTable(summary) {
  const rank = (row) => (row.campaign_id === "unknown" ? 1 : row.campaign_id === "direct" ? 2 : 0);
  const rows = [...summary.rows].sort((a, b) => rank(a) - rank(b) || b.calls - a.calls);
  const label = (row) =>
    row.campaign_id === "unknown" ? "Unknown (no campaign matched)" : row.campaign_id === "direct" ? "Direct (the company's own number)" : row.campaign;
  const columns = ["Campaign", "Calls", "Lead calls", "Leads", "Converted", "Booked jobs", "Leads booked", "SCLs created", "SCLs saved"];
  return h(
    "section",
    { "aria-labelledby": "campaigns-title" },
    h("h2", { id: "campaigns-title" }, "By campaign"),
    rows.length === 0
      ? h("p", { class: "empty" }, "No calls or leads in these days.")
      : h(
          "div",
          { class: "table-scroll" },
          h(
            "table",
            { class: "numbers" },
            h("caption", { class: "visually-hidden" }, "Campaign summary"),
            h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
            h(
              "tbody",
              {},
              rows.map((row) =>
                h(
                  "tr",
                  {},
                  h("th", { scope: "row" }, label(row)),
                  [row.calls, row.lead_calls, row.leads, row.leads_converted, row.booked_jobs, format.percent(row.lead_to_booking_rate), row.scls_created, row.scls_saved].map((v) => h("td", {}, String(v))),
                ),
              ),
            ),
          ),
        ),
  );
}

function recoveryByDay(recovery) {
  const days = recovery.days.filter((d) => d.scls_created || d.scls_followed_up || d.scls_saved);
  return h(
    "section",
    { "aria-labelledby": "recovery-title" },
    h("h2", { id: "recovery-title" }, "Second Chance Leads by day"),
    h("p", {}, recovery.outcome_mix.length ? `Outcomes: ${recovery.outcome_mix.map((o) => `${o.label} ${o.scls}`).join(", ")}.` : "No Second Chance Leads in these days."),
    days.length
      ? h(
          "table",
          { class: "numbers" },
          h("caption", { class: "visually-hidden" }, "Second Chance Leads by day"),
          h("thead", {}, h("tr", {}, ["Day", "Created", "Followed up", "Saved"].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, days.map((d) => h("tr", {}, h("th", { scope: "row" }, d.day), h("td", {}, String(d.scls_created)), h("td", {}, String(d.scls_followed_up)), h("td", {}, String(d.scls_saved))))),
        )
      : null,
  );
}

function downloads(context, from, to) {
  const status = h("p", { role: "status", class: "hint" });
  const download = async (report, label) => {
    status.textContent = `Preparing ${label}…`;
    try {
      const csv = await context.api.text(`/v1/reports/${report}`, { from, to, format: "csv" });
      const link = h("a", { href: URL.createObjectURL(new Blob([csv], { type: "text/csv" })), download: `${report}-${from}-to-${to}.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      status.textContent = `${label} downloaded.`;
    } catch (error) {
      status.textContent = error.message;
    }
  };
  return h(
    "section",
    { "aria-labelledby": "csv-title" },
    h("h2", { id: "csv-title" }, "Download as CSV"),
    h("ul", { class: "downloads" }, CSV.map(([report, label]) => h("li", {}, h("button", { type: "button", onClick: () => download(report, label) }, label)))),
    status,
  );
}
