// Who is signed in. The ID token lives in this tab's sessionStorage only (never in a URL, gone when the tab closes).
// In AWS: Cognito's managed login, the authorization code flow with PKCE for a public client. On one machine: the
// local runtime's own token issuer, which lists the demo company's employees.

const TOKEN = "leadline.token";
const PENDING = "leadline.signIn"; // the PKCE verifier, state and the page to come back to, during a sign-in
const NOTICE = "leadline.notice";

function base64Url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function randomString(bytes = 32) {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function claimsOf(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload.padEnd(payload.length + ((4 - (payload.length % 4)) % 4), "=")));
  } catch {
    return null;
  }
}

export function createSession(config, navigate) {
  const auth = config.auth;

  function token() {
    const value = sessionStorage.getItem(TOKEN);
    if (!value) return null;
    const claims = claimsOf(value);
    if (!claims || (claims.exp && claims.exp * 1000 <= Date.now())) {
      sessionStorage.removeItem(TOKEN);
      sessionStorage.setItem(NOTICE, "Your session has ended. Sign in again to go on.");
      return null;
    }
    return value;
  }

  function remember(value) {
    sessionStorage.setItem(TOKEN, value);
  }

  function notice() {
    const text = sessionStorage.getItem(NOTICE);
    sessionStorage.removeItem(NOTICE);
    return text;
  }

  function expired() {
    const hadOne = sessionStorage.getItem(TOKEN) !== null;
    sessionStorage.removeItem(TOKEN);
    if (hadOne) sessionStorage.setItem(NOTICE, "Your session has ended. Sign in again to go on.");
    navigate(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`);
  }

  async function startManagedLogin(next) {
    const verifier = randomString(48);
    const state = randomString(16);
    const challenge = base64Url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
    sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, next }));
    const url = new URL(`${auth.domain}/oauth2/authorize`);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: auth.client_id,
      redirect_uri: `${location.origin}/signed-in`,
      scope: "openid email profile",
      code_challenge_method: "S256",
      code_challenge: challenge,
      state,
    }).toString();
    location.assign(url.toString());
  }

  // Cognito sends the browser back to /signed-in?code=...&state=...: the code is traded for tokens, then dropped
  // from the address bar.
  async function finishManagedLogin() {
    const params = new URLSearchParams(location.search);
    const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
    sessionStorage.removeItem(PENDING);
    history.replaceState(null, "", "/signed-in");
    if (params.get("error")) throw new Error(`Sign-in was not completed: ${params.get("error_description") || params.get("error")}.`);
    if (!pending || params.get("state") !== pending.state || !params.get("code")) {
      throw new Error("This sign-in link is not valid any more. Sign in again.");
    }
    const response = await fetch(`${auth.domain}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: auth.client_id,
        code: params.get("code"),
        redirect_uri: `${location.origin}/signed-in`,
        code_verifier: pending.verifier,
      }),
    });
    if (!response.ok) throw new Error("Sign-in could not be completed. Sign in again.");
    const tokens = await response.json();
    remember(tokens.id_token);
    return pending.next || "/";
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN);
    if (auth.kind === "cognito") {
      const url = new URL(`${auth.domain}/logout`);
      url.search = new URLSearchParams({ client_id: auth.client_id, logout_uri: `${location.origin}/signed-out` }).toString();
      location.assign(url.toString());
    } else {
      navigate("/signed-out");
    }
  }

  async function localEmployees() {
    const response = await fetch(auth.employees_url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error("The list of demo employees could not be loaded. Is `make run` still running?");
    return response.json();
  }

  async function localSignIn(employeeId) {
    const response = await fetch(auth.sign_in_url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ employee_id: employeeId }),
    });
    if (!response.ok) throw new Error("That employee could not be signed in. Pick another, or restart `make run`.");
    remember((await response.json()).token);
  }

  return { kind: auth.kind, token, expired, notice, signOut, startManagedLogin, finishManagedLogin, localEmployees, localSignIn };
}
