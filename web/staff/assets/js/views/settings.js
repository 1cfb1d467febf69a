// Settings for administrators: Second Chance Leads (on or off, the after-call-work minutes, the cold-lead threshold,
// who has access and how), and the campaigns with their tracking numbers, each number's diagnostics in words.
import { fieldId, h, replace } from "../dom.js";
import * as format from "../format.js";
import { loading, noAccess, problem, setTitle } from "../ui.js";

const MANAGE_SETTINGS = "manage_settings";

export async function show(context) {
  const { main, api, me } = context;
  setTitle("Settings");
  if (!(me.permissions || []).includes(MANAGE_SETTINGS)) {
    return replace(main, noAccess("Settings", "Change the company's settings"));
  }
  replace(main, h("h1", {}, "Settings"), loading("the settings"));
  let scl;
  let campaigns;
  let numbers;
  try {
    [scl, campaigns, numbers] = await Promise.all([
      api.get("/v1/settings/second-chance-leads"),
      api.get("/v1/campaigns", { limit: 200 }).then((page) => page.items),
      api.get("/v1/tracking-numbers", { limit: 200 }).then((page) => page.items),
    ]);
  } catch (error) {
    if (error.status === 403) return replace(main, noAccess("Settings", "Change the company's settings"));
    return replace(main, h("h1", {}, "Settings"), problem(error, { retry: () => show(context) }));
  }
  replace(main, h("h1", {}, "Settings"), sclSection(context, scl), campaignSection(context, campaigns, numbers));
}

function sclSection(context, scl) {
  const feedback = h("div", { "aria-live": "polite" });
  const enabledId = fieldId("scl-enabled");
  const minutesId = fieldId("acw-minutes");
  const coldId = fieldId("cold-hours");
  return h(
    "section",
    { "aria-labelledby": "scl-settings-title" },
    h("h2", { id: "scl-settings-title" }, "Second Chance Leads"),
    h(
      "form",
      {
        class: "stacked-form",
        onSubmit: async (event) => {
          event.preventDefault();
          const form = new FormData(event.target);
          const body = {
            enabled: form.get("enabled") === "on",
            after_call_work_minutes: Number(form.get("after_call_work_minutes")),
            cold_lead_threshold_hours: Number(form.get("cold_lead_threshold_hours")),
          };
          replace(feedback, h("p", { role: "status" }, "Saving…"));
          try {
            await context.api.put("/v1/settings/second-chance-leads", body);
            replace(feedback, h("p", { class: "notice" }, "Saved."));
          } catch (error) {
            replace(feedback, problem(error));
          }
        },
      },
      h("div", { class: "radio" }, h("input", { id: enabledId, name: "enabled", type: "checkbox", checked: scl.enabled }), h("label", { for: enabledId }, "Find Second Chance Leads in unbooked calls")),
      h("label", { for: minutesId }, "After-call work (minutes a CSR has to book or classify a call before it is reviewed)"),
      h("input", { id: minutesId, name: "after_call_work_minutes", type: "number", min: 1, max: 120, value: scl.after_call_work_minutes, required: true }),
      h("label", { for: coldId }, "Cold after (hours an open Second Chance Lead waits before it moves to Cold)"),
      h("input", { id: coldId, name: "cold_lead_threshold_hours", type: "number", min: 1, max: 720, value: scl.cold_lead_threshold_hours, required: true }),
      h("button", { type: "submit", class: "primary" }, "Save Second Chance Leads settings"),
    ),
    feedback,
    h("h3", {}, "Who has access"),
    scl.employees_with_access.length
      ? h(
          "ul",
          { class: "access" },
          scl.employees_with_access.map((e) => h("li", {}, `${e.name}: ${e.access_by === "role" ? `by their role (${e.role_id})` : "granted to them"}`)),
        )
      : h("p", {}, "Nobody has access yet."),
    h("p", { class: "hint" }, "Access comes with a role, or is granted to one employee (View Second Chance Leads)."),
  );
}

function campaignSection(context, campaigns, numbers) {
  const byCampaign = new Map();
  for (const number of numbers) {
    const key = number.campaign_id || "";
    byCampaign.set(key, [...(byCampaign.get(key) || []), number]);
  }
  const groups = [...campaigns.map((c) => [c, byCampaign.get(c.campaign_id) || []]), [null, byCampaign.get("") || []]];
  return h(
    "section",
    { "aria-labelledby": "campaigns-settings-title" },
    h("h2", { id: "campaigns-settings-title" }, "Campaigns and tracking numbers"),
    groups
      .filter(([campaign, list]) => campaign || list.length)
      .map(([campaign, list]) =>
        h(
          "section",
          { class: "campaign" },
          h("h3", {}, campaign ? `${campaign.name}${campaign.active ? "" : " (inactive)"}` : "Numbers without a campaign"),
          campaign?.category ? h("p", { class: "hint" }, campaign.category) : null,
          list.length
            ? h(
                "table",
                {},
                h("caption", { class: "visually-hidden" }, `Tracking numbers of ${campaign ? campaign.name : "no campaign"}`),
                h("thead", {}, h("tr", {}, ["Number", "Kind", "Forwards to", "Check"].map((c) => h("th", { scope: "col" }, c)))),
                h("tbody", {}, list.map((n) => numberRow(context, n))),
              )
            : h("p", {}, "No tracking numbers."),
        ),
      ),
  );
}

function numberRow(context, number) {
  const result = h("div", { "aria-live": "polite" });
  const check = async () => {
    replace(result, h("p", { role: "status" }, "Checking…"));
    try {
      const found = await context.api.get(`/v1/tracking-numbers/${encodeURIComponent(number.number)}/diagnostics`);
      replace(
        result,
        found.ok && found.problems.length === 0
          ? h("p", { class: "ok" }, "All set: calls to it are attributed.")
          : h("ul", { class: "problems" }, found.problems.map((p) => h("li", { class: `severity-${p.severity}` }, `${p.severity === "error" ? "Problem" : "Warning"}: ${p.message}`))),
      );
    } catch (error) {
      replace(result, problem(error));
    }
  };
  return h(
    "tr",
    {},
    h("td", {}, format.phone(number.number), number.label ? h("span", { class: "hint" }, ` ${number.label}`) : null),
    h("td", {}, number.number_type === "tracking" ? "Tracking" : "Direct dial"),
    h("td", {}, number.forwarding_number ? format.phone(number.forwarding_number) : "—"),
    h("td", {}, h("button", { type: "button", onClick: check, "aria-label": `Check ${format.phone(number.number)}` }, "Check"), result),
  );
}
