// Pieces every screen uses: the loading and error states in words, the no-access screen, the page title.
import { h } from "./dom.js";

export function loading(what) {
  return h("p", { class: "state", role: "status" }, `Loading ${what}…`);
}

export function problem(error, { retry } = {}) {
  const details = error.details || [];
  return h(
    "div",
    { class: "problem", role: "alert" },
    h("p", {}, error.message || "Something went wrong."),
    details.length ? h("ul", {}, details.map((d) => h("li", {}, d))) : null,
    retry ? h("button", { type: "button", onClick: retry }, "Try again") : null,
  );
}

export function noAccess(what, permission) {
  return h(
    "section",
    { class: "no-access", "aria-labelledby": "no-access-title" },
    h("h1", { id: "no-access-title" }, "You don't have access to this"),
    h(
      "p",
      {},
      `${what} needs the “${permission}” permission. Ask your office manager or account administrator to grant it to you.`,
    ),
  );
}

export function setTitle(text) {
  document.title = `${text} · Leadline`;
}

// After a screen is drawn, put keyboard and screen-reader focus on its heading.
export function focusHeading(container) {
  const heading = container.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
}

// An API error told with a form's own words for its fields: "job_type_id is required" -> "Job type is required".
export function inWords(error, labels) {
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const say = (text) =>
    Object.entries(labels).reduce((said, [field, label]) => said.replace(new RegExp(`\\b${escape(field)}\\b`, "g"), label), text || "");
  const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);
  const message = capital(say(error.message));
  const errors = error.errors || [];
  const details = errors.map((e) => capital(e.field ? `${labels[e.field] || e.field}: ${say(e.message)}` : say(e.message)));
  const repeated = errors.length === 1 && message.toLowerCase().includes(say(errors[0].message).toLowerCase());
  return { status: error.status, message, details: repeated ? [] : details };
}
