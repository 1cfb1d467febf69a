// Sign in. In AWS: a button to Cognito's managed login. On one machine: the demo company's employees, one button
// each (the local runtime issues their tokens).
import { h, replace } from "../dom.js";
import { loading, problem, setTitle } from "../ui.js";

function nextPath() {
  const next = new URLSearchParams(location.search).get("next") || "/";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export async function signInPage({ main, session, config }, signedOut) {
  setTitle(signedOut ? "Signed out" : "Sign in");
  const notice = session.notice();
  const heading = h("h1", {}, signedOut ? "You are signed out" : "Sign in to Leadline");
  const intro = h("p", {}, signedOut ? "Sign in again to go on working." : "Work your calls, leads and Second Chance Leads.");
  const status = notice ? h("p", { class: "notice", role: "status" }, notice) : null;
  if (session.kind === "cognito") {
    const button = h("button", { type: "button", class: "primary", onClick: () => session.startManagedLogin(nextPath()) }, "Sign in");
    replace(main, h("section", { class: "sign-in" }, heading, status, intro, button));
    return;
  }
  replace(main, h("section", { class: "sign-in" }, heading, status, intro, loading("the demo employees")));
  let employees;
  try {
    employees = await session.localEmployees();
  } catch (error) {
    replace(main, h("section", { class: "sign-in" }, heading, problem(error, { retry: () => signInPage({ main, session, config }, signedOut) })));
    return;
  }
  const choose = async (employee) => {
    try {
      await session.localSignIn(employee.employee_id);
      history.replaceState(null, "", nextPath());
      window.dispatchEvent(new PopStateEvent("popstate"));
    } catch (error) {
      main.querySelector(".sign-in").append(problem(error));
    }
  };
  const list = h(
    "ul",
    { class: "employees", "aria-label": "Demo employees" },
    employees.map((employee) =>
      h(
        "li",
        {},
        h(
          "button",
          { type: "button", onClick: () => choose(employee) },
          h("span", { class: "employee-name" }, `Sign in as ${employee.name}`),
          h("span", { class: "employee-role" }, employee.role),
        ),
      ),
    ),
  );
  replace(
    main,
    h(
      "section",
      { class: "sign-in" },
      heading,
      status,
      intro,
      h("p", { class: "hint" }, `This is the local runtime: choose who you are in ${config.company_name || "the demo company"}.`),
      list,
    ),
  );
}
