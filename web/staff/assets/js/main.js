// The staff app: its configuration, who is signed in, the top bar and the screens by path. Paths are the ones the
// notifications link to ({app}/second-chance-leads/<id>, {app}/bookings/<id>).
import { createApi } from "./api.js";
import { createSession } from "./auth.js";
import { bell } from "./bell.js";
import { h, replace } from "./dom.js";
import { setTimeZone } from "./format.js";
import { focusHeading, loading, problem } from "./ui.js";
import * as calls from "./views/calls.js";
import * as reports from "./views/reports.js";
import * as secondChanceLeads from "./views/second_chance_leads.js";
import * as settings from "./views/settings.js";
import * as signIn from "./views/sign_in.js";
import * as bookings from "./views/bookings.js";
import * as notifications from "./views/notifications.js";
import * as leads from "./views/leads.js";
import * as bookJob from "./views/book_job.js";
import * as job from "./views/job.js";

const main = document.getElementById("main");
const topBar = document.getElementById("top-bar");

const SCREENS = [
  { path: /^\/second-chance-leads\/?$/, view: secondChanceLeads.queue, nav: "scl" },
  { path: /^\/second-chance-leads\/([^/]+)$/, view: secondChanceLeads.detail, nav: "scl" },
  { path: /^\/leads\/?$/, view: leads.list, nav: "leads" },
  { path: /^\/leads\/new$/, view: leads.create, nav: "leads" },
  { path: /^\/leads\/([^/]+)$/, view: leads.detail, nav: "leads" },
  { path: /^\/book\/?$/, view: bookJob.book, nav: "book" },
  { path: /^\/jobs\/([^/]+)$/, view: job.detail, nav: "book" },
  { path: /^\/calls\/?$/, view: calls.list, nav: "calls" },
  { path: /^\/calls\/([^/]+)$/, view: calls.detail, nav: "calls" },
  { path: /^\/bookings\/?$/, view: bookings.inbox, nav: "bookings" },
  { path: /^\/bookings\/([^/]+)$/, view: bookings.detail, nav: "bookings" },
  { path: /^\/notifications\/?$/, view: notifications.list, nav: "notifications" },
  { path: /^\/me\/notifications\/?$/, view: notifications.preferences, nav: "notifications" },
  { path: /^\/reports\/?$/, view: reports.show, nav: "reports" },
  { path: /^\/settings\/?$/, view: settings.show, nav: "settings" },
];
// The top bar's areas; one with a permission is shown only to those who hold it (its screens say "no access").
const NAV = [
  { id: "scl", label: "Second Chance Leads", href: "/second-chance-leads", permission: "view_second_chance_leads" },
  { id: "bookings", label: "Bookings", href: "/bookings", permission: "manage_leads" },
  { id: "leads", label: "Leads", href: "/leads" },
  { id: "book", label: "Book a job", href: "/book", permission: "book_jobs" },
  { id: "calls", label: "Calls", href: "/calls" },
  { id: "reports", label: "Reports", href: "/reports", permission: "view_reports" },
  { id: "settings", label: "Settings", href: "/settings", permission: "manage_settings" },
];

let context = null;

function allowedNav(me) {
  return NAV.filter((item) => !item.permission || (me.permissions || []).includes(item.permission));
}

function navigate(path, { replace: replacing = false } = {}) {
  if (replacing) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  render();
}

// Links inside the app move between screens without reloading; tel:, mailto: and other sites are left alone.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || link.target || link.hasAttribute("download")) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener("popstate", () => render());

async function loadConfig() {
  const response = await fetch("/config.json", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error("The app's configuration could not be loaded. Reload the page to try again.");
  return response.json();
}

function drawTopBar(me, current) {
  const bar = h(
    "div",
    { class: "top-bar-inner" },
    h("a", { class: "brand", href: "/" }, "Leadline"),
    h(
      "nav",
      { "aria-label": "Main" },
      h(
        "ul",
        {},
        allowedNav(me).map((item) =>
          h("li", {}, h("a", { href: item.href, "aria-current": item.id === current ? "page" : null }, item.label)),
        ),
      ),
    ),
    h(
      "div",
      { class: "who" },
      bell(context, current === "notifications"),
      h("span", { class: "who-name" }, me.name),
      h("button", { type: "button", class: "link-button", onClick: () => context.session.signOut() }, "Sign out"),
    ),
  );
  replace(topBar, bar);
  topBar.hidden = false;
}

async function signedInContext(session) {
  if (context && context.token === session.token()) return context;
  const api = createApi(context.config.api_url, session);
  const [me, settings] = await Promise.all([api.get("/v1/me"), api.get("/v1/settings").catch(() => null)]);
  setTimeZone(settings?.time_zone || "UTC");
  return { ...context, api, me, settings, token: session.token() };
}

async function render() {
  const path = location.pathname;
  const { session } = context;
  if (path === "/sign-in" || path === "/signed-out") {
    topBar.hidden = true;
    await signIn.signInPage({ ...context, main }, path === "/signed-out");
    focusHeading(main);
    return;
  }
  if (path === "/signed-in") {
    topBar.hidden = true;
    replace(main, loading("your account"));
    try {
      navigate(await session.finishManagedLogin(), { replace: true });
    } catch (error) {
      replace(main, h("h1", {}, "Sign in"), problem(error), h("a", { href: "/sign-in" }, "Sign in again"));
    }
    return;
  }
  if (!session.token()) {
    navigate(`/sign-in?next=${encodeURIComponent(path + location.search)}`, { replace: true });
    return;
  }
  try {
    context = await signedInContext(session);
  } catch (error) {
    if (error.status === 401) return; // the session sent the user to sign in
    replace(main, h("h1", {}, "Leadline"), problem(error, { retry: render }));
    return;
  }
  if (path === "/") {
    navigate(allowedNav(context.me)[0].href, { replace: true }); // Calls is everyone's
    return;
  }
  const screen = SCREENS.find((s) => s.path.test(path));
  drawTopBar(context.me, screen?.nav);
  if (!screen) {
    replace(main, h("h1", {}, "Page not found"), h("p", {}, "There is no page at this address."), h("a", { href: "/" }, "Go to the start page"));
    focusHeading(main);
    return;
  }
  const params = screen.path.exec(path).slice(1).map(decodeURIComponent);
  await screen.view({ ...context, main, navigate, rerender: render }, ...params);
  focusHeading(main);
}

async function start() {
  try {
    const config = await loadConfig();
    context = { config };
    context.session = createSession(config, (path) => navigate(path, { replace: true }));
  } catch (error) {
    replace(main, h("h1", {}, "Leadline"), problem(error));
    return;
  }
  await render();
}

start();
