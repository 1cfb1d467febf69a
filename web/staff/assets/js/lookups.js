// The company's set-up records that screens show by name (business units, job types, campaigns, employees, the
// reasons to dismiss a lead): read once per signed-in session, on first use, every page of them.

const held = new WeakMap(); // api -> { name: Promise<items> }
const MAX_PAGES = 10;

async function everyPage(api, path) {
  const items = [];
  let nextToken;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const found = await api.get(path, { limit: 200, next_token: nextToken });
    items.push(...found.items);
    nextToken = found.next_token;
    if (!nextToken) break;
  }
  return items;
}

export function lookups(api) {
  if (!held.has(api)) held.set(api, {});
  const cache = held.get(api);
  const once = (name, load) => {
    if (!cache[name]) {
      cache[name] = load().catch((error) => {
        delete cache[name]; // a failure is not kept: the next screen asks again
        throw error;
      });
    }
    return cache[name];
  };
  return {
    businessUnits: () => once("businessUnits", () => everyPage(api, "/v1/business-units")),
    jobTypes: () => once("jobTypes", () => everyPage(api, "/v1/job-types")),
    campaigns: () => once("campaigns", () => everyPage(api, "/v1/campaigns")),
    employees: () => once("employees", () => everyPage(api, "/v1/employees")),
    dismissReasons: () => once("dismissReasons", () => api.get("/v1/lead-dismiss-reasons").then((r) => r.items)),
  };
}

// id -> name, for the records of one kind.
export function namesOf(items, idField, nameField = "name") {
  return new Map(items.map((item) => [item[idField], item[nameField]]));
}

// The job types a business unit offers: those that name it, and those that name no unit (every unit offers them).
export function offeredBy(jobTypes, businessUnitId) {
  return jobTypes.filter(
    (t) => t.active && (!t.business_unit_ids.length || t.business_unit_ids.includes(businessUnitId)),
  );
}
