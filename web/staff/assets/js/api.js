// The staff API from the browser: the signed-in employee's token in the Authorization header (never in a URL),
// JSON in and out, and every failure turned into words a person can act on.

export class ApiError extends Error {
  constructor(status, message, errors = []) {
    super(message);
    this.status = status;
    this.errors = errors;
  }

  // The message and each field's problem, as sentences.
  get details() {
    return this.errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
  }
}

const UNREACHABLE = "Leadline could not be reached. Check your connection and try again.";

export function createApi(baseUrl, session) {
  async function request(method, path, { query, body, accept = "application/json" } = {}) {
    const url = new URL(baseUrl.replace(/\/$/, "") + path);
    for (const [name, value] of Object.entries(query || {})) {
      if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
    }
    const headers = { Accept: accept, Authorization: `Bearer ${session.token()}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, UNREACHABLE);
    }
    if (response.status === 401) {
      session.expired();
      throw new ApiError(401, "Your session has ended. Sign in again to go on.");
    }
    const text = await response.text();
    if (response.ok && accept !== "application/json") return text;
    let payload = null;
    try {
      payload = text ? JSON.parse(text) : null;
    } catch {
      payload = null;
    }
    if (!response.ok) {
      if (payload && typeof payload.message === "string") {
        throw new ApiError(response.status, payload.message, Array.isArray(payload.errors) ? payload.errors : []);
      }
      throw new ApiError(
        response.status,
        response.status >= 500
          ? "Something went wrong on our side. Try again in a minute; if it keeps happening, tell your administrator."
          : "Leadline could not do that.",
      );
    }
    return payload;
  }

  return {
    get: (path, query) => request("GET", path, { query }),
    text: (path, query) => request("GET", path, { query, accept: "text/csv" }),
    post: (path, body) => request("POST", path, { body: body ?? {} }),
    put: (path, body) => request("PUT", path, { body }),
    patch: (path, body) => request("PATCH", path, { body }),
  };
}
