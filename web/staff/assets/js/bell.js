// The bell in the top bar: a link to the notifications with the number unread, in its accessible name
// ("Notifications, 3 unread") and as a badge. The number is that of the first page of unread ones (50): more shows
// as "50+". It is read again on every screen, after a notification is read or dismissed, and every minute while
// the tab is in view.
import { h } from "./dom.js";

const PAGE = 50;
const EVERY_MS = 60_000;
const SVG = "http://www.w3.org/2000/svg";

let api = null;
let link = null;
let known = null; // {count, more} once read
let asked = 0; // answers to older questions are dropped
let timer = null;

function icon() {
  const svg = document.createElementNS(SVG, "svg");
  for (const [name, value] of Object.entries({ viewBox: "0 0 24 24", width: "22", height: "22", "aria-hidden": "true", focusable: "false" })) {
    svg.setAttribute(name, value);
  }
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute(
    "d",
    "M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z",
  );
  svg.append(path);
  return svg;
}

function show() {
  if (!link) return;
  const badge = link.querySelector(".bell-count");
  if (!known) {
    link.setAttribute("aria-label", "Notifications");
    badge.textContent = "";
    badge.hidden = true;
    return;
  }
  const shown = known.more ? `${known.count}+` : String(known.count);
  link.setAttribute(
    "aria-label",
    known.count === 0 ? "Notifications, none unread" : known.more ? `Notifications, more than ${known.count} unread` : `Notifications, ${known.count} unread`,
  );
  badge.textContent = shown;
  badge.hidden = known.count === 0;
}

// The bell for the top bar; `current`: the notifications screen is the one shown.
export function bell(context, current) {
  if (context.api !== api) known = null; // another sign-in: not the last one's count
  api = context.api;
  link = h(
    "a",
    { href: "/notifications", class: "bell", title: "Notifications", "aria-current": current ? "page" : null },
    icon(),
    h("span", { class: "bell-count", "aria-hidden": "true" }),
  );
  show();
  queueMicrotask(refreshBell); // once the top bar holding it is drawn
  if (!timer) {
    timer = setInterval(() => {
      if (document.visibilityState === "visible") refreshBell();
    }, EVERY_MS);
  }
  return link;
}

export async function refreshBell() {
  // Not while the top bar is hidden (signing in or out): without a token the API would send to sign in again.
  if (!api || !link || !link.isConnected || link.closest("[hidden]")) return;
  asked += 1;
  const question = asked;
  try {
    const page = await api.get("/v1/notifications", { unread: "true", limit: PAGE });
    if (question !== asked) return;
    known = { count: page.items.length, more: Boolean(page.next_token) && page.items.length > 0 };
  } catch {
    return; // the bell keeps what it showed; the screens say when the API cannot be reached
  }
  show();
}
