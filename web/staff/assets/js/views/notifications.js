// The signed-in employee's notifications (newest first, each linking to what it is about; read and dismiss) and
// their own notification settings (the channels, and where emails and texts go).
import { refreshBell } from "../bell.js";
import { h, replace, fieldId } from "../dom.js";
import * as format from "../format.js";
import { inWords, loading, problem, setTitle } from "../ui.js";

const SHOWS = [
  { id: "all", label: "All" },
  { id: "unread", label: "Unread" },
];
const PREFERENCE_FIELDS = {
  "channels.in_app": "In Leadline",
  "channels.email": "Email",
  "channels.sms": "Text messages",
  mobile_phone: "mobile number",
};

// A link to a page of this app (an address on its origin, or a path) is followed inside the app; another is left.
function appPath(link) {
  if (!link) return null;
  try {
    const url = new URL(link, location.origin);
    return url.origin === location.origin ? url.pathname + url.search + url.hash : url.href;
  } catch {
    return null;
  }
}

// The text's paragraphs, less the one that ends with the notification's own link (the email's way to it): here
// the title is the link.
function paragraphs(text, link) {
  return (text || "")
    .split(/\n{2,}/)
    .filter((p) => p.trim() && !(link && p.trim().endsWith(link)))
    .map((p) => h("p", {}, p.split("\n").flatMap((line, i) => (i ? [h("br"), line] : [line]))));
}

// --- the list -------------------------------------------------------------------------------------------------

export async function list(context) {
  const { main } = context;
  setTitle("Notifications");
  const params = new URLSearchParams(location.search);
  const showing = SHOWS.find((s) => s.id === params.get("show")) || SHOWS[0];
  const said = h("div", { class: "feedback", "aria-live": "polite" });
  const results = h("div", { class: "results" }, loading("your notifications"));
  replace(
    main,
    h(
      "div",
      { class: "record-header" },
      h("h1", {}, "Notifications"),
      h("p", {}, h("a", { href: "/me/notifications" }, "Your notification settings")),
    ),
    h(
      "nav",
      { class: "tabs", "aria-label": "Which notifications" },
      h(
        "ul",
        {},
        SHOWS.map((s) =>
          h("li", {}, h("a", { href: s.id === "all" ? "/notifications" : `/notifications?show=${s.id}`, "aria-current": s.id === showing.id ? "page" : null }, s.label)),
        ),
      ),
    ),
    said,
    results,
  );
  await showPage(context, { results, said, showing });
}

async function showPage(context, view, nextToken) {
  const { api } = context;
  const { results, showing } = view;
  let page;
  try {
    page = await api.get("/v1/notifications", { unread: showing.id === "unread" ? "true" : undefined, limit: 50, next_token: nextToken });
  } catch (error) {
    replace(results, problem(error, { retry: () => showPage(context, view, nextToken) }));
    return;
  }
  let items = results.querySelector("ul.notifications");
  if (!items && !page.items.length) {
    replace(results, h("p", { class: "empty" }, showing.id === "unread" ? "No unread notifications." : "You have no notifications."));
    return;
  }
  if (!items) {
    items = h("ul", { class: "notifications", "aria-label": showing.id === "unread" ? "Unread notifications" : "Your notifications" });
    replace(results, items);
  }
  for (const notification of page.items) items.append(entry(context, view, notification));
  results.querySelector(".more")?.remove();
  if (page.next_token) {
    results.append(h("button", { type: "button", class: "more", onClick: () => showPage(context, view, page.next_token) }, "Show more"));
  }
}

function entry(context, view, n) {
  const { api } = context;
  const titleId = fieldId("notification");
  const base = `/v1/notifications/${encodeURIComponent(n.notification_id)}`;
  const title = n.title || "Notification";
  const target = appPath(n.link);
  const state = h("span", { class: "notification-state" });
  const buttons = h("div", { class: "notification-actions" });
  const item = h(
    "li",
    { class: "notification" },
    h("h2", { id: titleId }, target ? h("a", { href: target, onClick: () => read(false) }, title) : title),
    h("p", { class: "meta" }, state, " · ", h("time", { datetime: n.created_at }, format.moment(n.created_at))),
    paragraphs(n.text, target ? n.link : null),
    buttons,
  );
  let unread = !n.read;

  function drawState() {
    item.classList.toggle("unread", unread);
    state.textContent = unread ? "Unread" : "Read";
    replace(
      buttons,
      unread ? h("button", { type: "button", "aria-describedby": titleId, onClick: () => read(true) }, "Mark read") : null,
      h("button", { type: "button", "aria-describedby": titleId, onClick: dismiss }, "Dismiss"),
    );
  }

  async function read(byButton) {
    if (!unread) return;
    try {
      await api.post(`${base}/read`);
    } catch (error) {
      if (byButton) replace(view.said, problem(error));
      return;
    }
    unread = false;
    if (item.isConnected) {
      drawState();
      if (byButton) {
        replace(view.said, h("p", { class: "visually-hidden" }, `Marked read: ${title}.`));
        buttons.querySelector("button")?.focus();
      }
    }
    refreshBell();
  }

  async function dismiss() {
    try {
      await api.post(`${base}/dismiss`);
    } catch (error) {
      replace(view.said, problem(error));
      return;
    }
    const next = item.nextElementSibling || item.previousElementSibling;
    const list = item.parentElement;
    item.remove();
    replace(view.said, h("p", { class: "notice" }, `Dismissed: ${title}.`));
    if (!list.children.length) {
      list.replaceWith(h("p", { class: "empty" }, view.showing.id === "unread" ? "No unread notifications." : "You have no notifications."));
    }
    (next?.querySelector("h2 a, button") || context.main.querySelector("h1"))?.focus();
    refreshBell();
  }

  drawState();
  return item;
}

// --- the employee's own settings --------------------------------------------------------------------------------

export async function preferences(context) {
  const { main, api } = context;
  setTitle("Your notification settings");
  replace(main, loading("your notification settings"));
  let current;
  try {
    current = await api.get("/v1/me/notification-preferences");
  } catch (error) {
    replace(main, h("h1", {}, "Your notification settings"), problem(error, { retry: () => preferences(context) }));
    return;
  }
  drawPreferences(context, current);
}

function drawPreferences(context, current, message) {
  const { main, api, me } = context;
  const ids = Object.fromEntries(["in_app", "email", "sms", "address", "mobile"].map((n) => [n, fieldId(n)]));
  const shownMobile = current.mobile_phone ? format.phone(current.mobile_phone) : "";
  const shownEmail = current.email || "";
  const feedback = h("div", { class: "feedback", "aria-live": "polite" }, message || null);
  const channel = (name, label, hint) =>
    h(
      "div",
      { class: "checkbox" },
      h("input", { type: "checkbox", id: ids[name], name, checked: current.channels[name], "aria-describedby": `${ids[name]}-hint` }),
      h("label", { for: ids[name] }, label),
      h("span", { class: "hint", id: `${ids[name]}-hint` }, hint),
    );
  const form = h(
    "form",
    {
      class: "preferences-form",
      onSubmit: async (event) => {
        event.preventDefault();
        const data = new FormData(event.target);
        const body = { channels: { in_app: data.has("in_app"), email: data.has("email"), sms: data.has("sms") } };
        // An address left as it was is not sent: it stays "your employee record's" unless you change it.
        const email = String(data.get("address") || "").trim();
        if (email !== shownEmail) body.email = email || null;
        const mobile = String(data.get("mobile") || "").trim();
        if (mobile !== shownMobile) body.mobile_phone = mobile || null;
        replace(feedback, h("p", { role: "status" }, "Saving your settings…"));
        try {
          const saved = await api.put("/v1/me/notification-preferences", body);
          drawPreferences(context, saved, h("p", { class: "notice", tabindex: "-1" }, "Saved."));
          main.querySelector(".feedback .notice")?.focus();
        } catch (error) {
          replace(feedback, problem(inWords(error, PREFERENCE_FIELDS)));
        }
      },
    },
    h(
      "fieldset",
      {},
      h("legend", {}, "Tell me"),
      channel("in_app", "In Leadline", "The bell at the top of every page, and the list of notifications."),
      channel("email", "By email", "At the address below."),
      channel("sms", "By text message", "At the mobile number below. Texts wait for the end of the company's quiet hours."),
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: ids.address }, "Email address"),
      h("input", { id: ids.address, name: "address", type: "email", autocomplete: "email", value: shownEmail, maxlength: 254, "aria-describedby": `${ids.address}-hint` }),
      h("span", { class: "hint", id: `${ids.address}-hint` }, "Empty: the email address of your employee record."),
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: ids.mobile }, "Mobile number"),
      h("input", { id: ids.mobile, name: "mobile", type: "tel", autocomplete: "tel", value: shownMobile, maxlength: 40, "aria-describedby": `${ids.mobile}-hint` }),
      h("span", { class: "hint", id: `${ids.mobile}-hint` }, "Empty: the phone number of your employee record."),
    ),
    feedback,
    h("button", { type: "submit", class: "primary" }, "Save settings"),
  );
  replace(
    main,
    h("p", {}, h("a", { href: "/notifications" }, "Back to notifications")),
    h("h1", {}, "Your notification settings"),
    h("p", {}, `How Leadline tells you, ${me.name}, of new Second Chance Leads and bookings.`),
    form,
  );
}
