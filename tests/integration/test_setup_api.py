"""The set-up API through HTTP against the local runtime: its rules, bad input, tenant isolation, permissions."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from leadline.data.repositories import people
from leadline.errors import Conflict
from leadline.setup import service
from tests.support.api import Api


def _campaign(api: Api, **fields) -> dict:
    response = api.post("/v1/campaigns", {"name": "Campaign", **fields})
    assert response.status_code == 201, response.text
    return response.json()


def _number(api: Api, number: str, **fields) -> dict:
    response = api.post("/v1/tracking-numbers", {"number": number, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["message"], body
    return body


# --- campaigns and tracking numbers ----------------------------------------------------------------


def test_campaign_create_read_update_list(tenant):
    # Given a campaign created with a number written the way people write it
    created = _campaign(tenant.admin, name="Google Ads", category="Paid search", dnis="(512) 555-0140")
    # Then it is stored in E.164
    assert created["dnis"] == "+15125550140"
    campaign_id = created["campaign_id"]

    # When it is renamed and deactivated
    updated = tenant.admin.patch(f"/v1/campaigns/{campaign_id}", {"name": "Google Ads - AC", "active": False})
    assert updated.status_code == 200, updated.text

    # Then reading and listing show the change
    read = tenant.admin.get(f"/v1/campaigns/{campaign_id}").json()
    assert (read["name"], read["active"], read["dnis"]) == ("Google Ads - AC", False, "+15125550140")
    listed = tenant.admin.get("/v1/campaigns").json()
    assert [c["campaign_id"] for c in listed["items"]] == [campaign_id]


def test_a_number_is_never_the_dnis_of_two_campaigns(tenant):
    _campaign(tenant.admin, name="Google", dnis="+15125550141")
    body = _error(tenant.admin.post("/v1/campaigns", {"name": "Yelp", "dnis": "+1 512 555 0141"}), 409)
    assert "never reuse" in body["message"]


def test_changing_a_campaign_dnis_frees_the_old_number(tenant):
    first = _campaign(tenant.admin, name="Google", dnis="+15125550142")
    moved = tenant.admin.patch(f"/v1/campaigns/{first['campaign_id']}", {"dnis": "+15125550143"})
    assert moved.status_code == 200, moved.text
    # the old number can now advertise another campaign
    _campaign(tenant.admin, name="Yelp", dnis="+15125550142")


def test_a_tracking_number_assigned_to_one_campaign_cannot_be_another_campaigns_dnis(tenant):
    google = _campaign(tenant.admin, name="Google")
    _number(tenant.admin, "+15125550144", campaign_id=google["campaign_id"])
    body = _error(tenant.admin.post("/v1/campaigns", {"name": "Yelp", "dnis": "+15125550144"}), 409)
    assert "assigned to another campaign" in body["message"]


def test_a_campaigns_dnis_cannot_be_assigned_to_another_campaign(tenant):
    google = _campaign(tenant.admin, name="Google", dnis="+15125550145")
    yelp = _campaign(tenant.admin, name="Yelp")
    body = _error(
        tenant.admin.post("/v1/tracking-numbers", {"number": "+15125550145", "campaign_id": yelp["campaign_id"]}), 409
    )
    assert "advertised number" in body["message"]
    # assigning it to the campaign that advertises it is the right set-up
    assigned = _number(tenant.admin, "+15125550145", campaign_id=google["campaign_id"])
    assert assigned["campaign_id"] == google["campaign_id"]
    # and it then shows among the campaign's numbers
    assert tenant.admin.get(f"/v1/campaigns/{google['campaign_id']}").json()["tracking_numbers"] == ["+15125550145"]


def test_concurrent_campaigns_claiming_one_number_make_exactly_one(tenant):
    def create(i: int) -> int:
        return tenant.admin.post("/v1/campaigns", {"name": f"Race {i}", "dnis": "+15125550146"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(create, range(8)))
    assert sorted(statuses) == [201] + [409] * 7


def test_tracking_number_rules(tenant):
    _number(tenant.admin, "+15125550147")
    _error(tenant.admin.post("/v1/tracking-numbers", {"number": "512-555-0147"}), 409)
    body = _error(tenant.admin.post("/v1/tracking-numbers", {"number": "+15125550148", "campaign_id": "cmp_nope"}), 422)
    assert "cmp_nope" in body["message"]
    # reading by any spelling of the number
    read = tenant.admin.get("/v1/tracking-numbers/5125550147")
    assert read.status_code == 200 and read.json()["number"] == "+15125550147"
    # unassigning with null
    google = _campaign(tenant.admin, name="Google")
    tenant.admin.patch("/v1/tracking-numbers/+15125550147", {"campaign_id": google["campaign_id"]})
    cleared = tenant.admin.patch("/v1/tracking-numbers/%2B15125550147", {"campaign_id": None})
    assert cleared.status_code == 200 and cleared.json()["campaign_id"] is None
    assert tenant.admin.get(f"/v1/campaigns/{google['campaign_id']}").json()["tracking_numbers"] == []


def _problems(tenant, number: str) -> tuple[str, set[str]]:
    response = tenant.admin.get(f"/v1/tracking-numbers/{number}/diagnostics")
    assert response.status_code == 200, response.text
    body = response.json()
    return body["attribution"], {p["code"] for p in body["problems"]}


def test_diagnostics_name_each_set_up_problem(tenant):
    google = _campaign(tenant.admin, name="Google", dnis="+15125550150")
    other = _campaign(tenant.admin, name="Other", dnis="+15125550159")
    _number(
        tenant.admin,
        "+15125550150",
        campaign_id=google["campaign_id"],
        forwarding_number="+15125550199",
        sms_registered=True,
    )
    _number(
        tenant.admin,
        "+15125550151",
        campaign_id=other["campaign_id"],
        forwarding_number="+15125550199",
        sms_registered=True,
    )
    _number(tenant.admin, "+15125550152", number_type="direct_dial")
    _number(tenant.admin, "+15125550153", forwarding_number="+15125550199", sms_registered=True)

    assert _problems(tenant, "+15125550150") == ("attributed", set())
    assert _problems(tenant, "+15125550151") == ("unknown", {"campaign_dnis_mismatch"})
    assert _problems(tenant, "+15125550152") == (
        "direct",
        {"direct_dial_number", "no_campaign_assigned", "no_forwarding_number", "sms_not_registered"},
    )
    assert _problems(tenant, "+15125550153") == ("unknown", {"no_campaign_assigned"})
    assert _problems(tenant, "+15125550154") == ("unknown", {"number_not_configured"})
    tenant.admin.patch(f"/v1/campaigns/{google['campaign_id']}", {"active": False})
    assert _problems(tenant, "+15125550150") == ("attributed", {"campaign_inactive"})


# --- the other set-up records ------------------------------------------------------------------


def test_business_units_job_types_call_reasons(tenant):
    bu = tenant.admin.post("/v1/business-units", {"name": "HVAC"})
    assert bu.status_code == 201, bu.text
    bu_id = bu.json()["business_unit_id"]
    job_type = tenant.admin.post("/v1/job-types", {"name": "AC Repair", "business_unit_ids": [bu_id]})
    assert job_type.status_code == 201 and job_type.json()["business_unit_ids"] == [bu_id]
    body = _error(tenant.admin.post("/v1/job-types", {"name": "X", "business_unit_ids": ["bu_missing"]}), 422)
    assert "bu_missing" in body["message"]
    reason = tenant.admin.post("/v1/call-reasons", {"name": "New service request", "is_lead": True})
    assert reason.status_code == 201 and reason.json()["is_lead"] is True
    reason_id = reason.json()["call_reason_id"]
    patched = tenant.admin.patch(f"/v1/call-reasons/{reason_id}", {"is_lead": False})
    assert patched.json()["is_lead"] is False
    assert tenant.admin.get(f"/v1/call-reasons/{reason_id}").json()["is_lead"] is False


def test_pagination_walks_every_item_once(tenant):
    names = {f"Unit {i}" for i in range(7)}
    for name in names:
        tenant.admin.post("/v1/business-units", {"name": name})
    seen, token, pages = [], None, 0
    while True:
        params = {"limit": 3} | ({"next_token": token} if token else {})
        page = tenant.admin.get("/v1/business-units", params=params).json()
        seen += [item["name"] for item in page["items"]]
        pages += 1
        token = page["next_token"]
        if not token:
            break
    assert sorted(seen) == sorted(names)
    assert pages >= 3


def test_settings_defaults_and_changes(tenant):
    settings = tenant.admin.get("/v1/settings").json()
    assert settings["second_chance_leads"] == {
        "enabled": False,
        "after_call_work_minutes": 5,
        "cold_lead_threshold_hours": 48,
    }
    changed = tenant.admin.patch(
        "/v1/settings",
        {"time_zone": "America/New_York", "second_chance_leads": {"enabled": True, "after_call_work_minutes": 10}},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["second_chance_leads"]["enabled"] is True
    assert tenant.admin.get("/v1/settings").json()["second_chance_leads"]["after_call_work_minutes"] == 10


def test_employees_roles_and_grants(tenant):
    role = tenant.admin.post("/v1/roles", {"name": "Call centre lead", "permissions": ["manage_leads", "book_jobs"]})
    assert role.status_code == 201, role.text
    role_id = role.json()["role_id"]
    employee = tenant.admin.post(
        "/v1/employees",
        {
            "name": "Dana",
            "email": "Dana@Example.com",
            "phone": "512 555 0160",
            "role_id": role_id,
            "granted_permissions": ["view_second_chance_leads"],
        },
    )
    assert employee.status_code == 201, employee.text
    assert employee.json()["email"] == "dana@example.com" and employee.json()["phone"] == "+15125550160"
    _error(tenant.admin.post("/v1/employees", {"name": "Dup", "email": "dana@example.com", "role_id": "csr"}), 409)
    roles = tenant.admin.get("/v1/roles", params={"limit": 200}).json()["items"]
    assert {"admin", "csr", role_id} <= {r["role_id"] for r in roles}
    permissions = tenant.admin.get("/v1/permissions").json()["items"]
    assert "view_second_chance_leads" in {p["name"] for p in permissions}


def test_the_one_managing_employees_cannot_take_that_from_themselves(tenant):
    admin_id = tenant.admin.get("/v1/me").json()["employee_id"]
    me = f"/v1/employees/{admin_id}"
    for body, field in (({"active": False}, "active"), ({"role_id": "office_manager"}, "role_id")):
        error = _error(tenant.admin.patch(me, body), 409)
        assert error["errors"][0]["field"] == field and "another employee" in error["message"]
    error = _error(tenant.admin.patch("/v1/roles/admin", {"permissions": ["view_reports"]}), 409)
    assert error["errors"][0]["field"] == "permissions"
    assert tenant.admin.get("/v1/me").json()["role_id"] == "admin"
    assert "manage_employees" in tenant.admin.get("/v1/roles/admin").json()["permissions"]

    # With manage_employees granted to them, their role may change; and others' records are not theirs to keep.
    granted = tenant.admin.patch(me, {"granted_permissions": ["manage_employees"], "role_id": "office_manager"})
    assert granted.status_code == 200, granted.text
    error = _error(tenant.admin.patch(me, {"granted_permissions": []}), 409)
    assert "manage employees" in error["message"] and error["errors"][0]["field"] == "granted_permissions"
    assert tenant.admin.patch("/v1/roles/admin", {"permissions": ["view_reports"]}).status_code == 200
    assert tenant.admin.patch(f"/v1/employees/{tenant.csr_employee_id}", {"active": False}).status_code == 200
    assert "manage_employees" in tenant.admin.get("/v1/me").json()["permissions"]


def test_moving_oneself_to_a_role_that_does_not_exist_is_bad_input_not_a_conflict(tenant):
    me = f"/v1/employees/{tenant.admin.get('/v1/me').json()['employee_id']}"
    error = _error(tenant.admin.patch(me, {"role_id": "no_such_role"}), 422)
    assert error["errors"][0]["field"] == "role_id" and "does not exist" in error["message"]


def _meanwhile(monkeypatch, records, read: str, other_change) -> None:
    """`records.<read>` answers what it read, but another request's change is written between that read and the
    caller's own write: the interleaving of two requests at the same time, made certain."""
    real_read = getattr(records, read)

    def read_then_the_other_request(tenant_id, ident):
        found = real_read(tenant_id, ident)
        monkeypatch.setattr(records, read, real_read)
        other_change()
        return found

    monkeypatch.setattr(records, read, read_then_the_other_request)


def test_two_changes_at_once_cannot_both_take_manage_employees_from_the_one_making_them(tenant, monkeypatch):
    me = tenant.admin.get("/v1/me").json()["employee_id"]
    assert tenant.admin.patch(f"/v1/employees/{me}", {"granted_permissions": ["manage_employees"]}).status_code == 200
    # one tab takes the grant (the role still gives it) while another takes it from the role (the grant gives it)
    _meanwhile(
        monkeypatch,
        people.roles,
        "get",
        lambda: service.update_role(tenant.tenant_id, "admin", {"permissions": {"view_reports"}}, changed_by=me),
    )
    with pytest.raises(Conflict, match="your role changed at the same time"):
        service.update_employee(tenant.tenant_id, me, {"granted_permissions": set()}, changed_by=me)
    assert "manage_employees" in tenant.admin.get("/v1/me").json()["permissions"]

    # and the other way round: the role change reads the caller's record, then the grant goes
    assert tenant.admin.patch("/v1/roles/admin", {"permissions": ["manage_employees"]}).status_code == 200
    _meanwhile(
        monkeypatch,
        people.employees,
        "get",
        lambda: service.update_employee(tenant.tenant_id, me, {"granted_permissions": set()}, changed_by=me),
    )
    with pytest.raises(Conflict, match="your own record changed at the same time"):
        service.update_role(tenant.tenant_id, "admin", {"permissions": {"view_reports"}}, changed_by=me)
    assert "manage_employees" in tenant.admin.get("/v1/me").json()["permissions"]


def test_two_admins_deactivating_each_other_at_once_leave_one_active(tenant, monkeypatch):
    first = tenant.admin.get("/v1/me").json()["employee_id"]
    second = tenant.admin.post(
        "/v1/employees", {"name": "Second Admin", "email": "second-admin@example.com", "role_id": "admin"}
    ).json()["employee_id"]
    _meanwhile(
        monkeypatch,
        people.employees,
        "get_or_404",
        lambda: service.update_employee(tenant.tenant_id, first, {"active": False}, changed_by=second),
    )
    with pytest.raises(Conflict, match="your own record changed at the same time"):
        service.update_employee(tenant.tenant_id, second, {"active": False}, changed_by=first)
    admins = tenant.admin.get("/v1/employees", params={"limit": 200})  # the first admin is deactivated: 403
    assert admins.status_code == 403
    assert people.employees.get(tenant.tenant_id, second).active is True


# --- bad input: 4xx with a message saying what is wrong -------------------------------------------


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/v1/leads", "phone"),
        ("/v1/customers", "phone"),
        ("/v1/calls", "caller"),
        ("/v1/second-chance-leads/banner", "phone"),
    ],
)
def test_a_phone_in_a_query_that_is_not_one_is_told_in_words(tenant, path, parameter):
    error = _error(tenant.admin.get(path, params={parameter: "call me"}), 422)
    assert error["errors"] == [
        {"field": parameter, "message": "phone numbers are digits, spaces, ( ) . - and a leading + only"}
    ]
    assert tenant.admin.get(path, params={parameter: "(512) 555-0142"}).status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/campaigns", {}, "name"),
        ("/v1/campaigns", {"name": ""}, "name"),
        ("/v1/campaigns", {"name": "X", "dnis": "12345"}, "dnis"),
        ("/v1/campaigns", {"name": "X", "dnis": "not a number"}, "dnis"),
        ("/v1/campaigns", {"name": "X", "colour": "red"}, "colour"),
        ("/v1/campaigns", {"name": 42}, "name"),
        ("/v1/campaigns", ["a list"], ""),
        ("/v1/tracking-numbers", {"number": "+15125550170", "number_type": "mobile"}, "number_type"),
        ("/v1/tracking-numbers", {"number": "+15125550170", "default_call_type": "maybe"}, "default_call_type"),
        ("/v1/tracking-numbers", {"number": "+15125550170", "forwarding_number": "0"}, "forwarding_number"),
        ("/v1/tracking-numbers", {"number": "+15125550170", "campaign_id": "../etc"}, "campaign_id"),
        ("/v1/employees", {"name": "E", "email": "not-an-email", "role_id": "csr"}, "email"),
        (
            "/v1/employees",
            {"name": "E", "email": "e@x.example", "role_id": "csr", "granted_permissions": ["fly"]},
            "granted_permissions",
        ),
        ("/v1/roles", {"name": "R", "permissions": ["root"]}, "permissions"),
    ],
)
def test_bad_bodies_get_422_naming_the_field(tenant, path, body, field):
    error = _error(tenant.admin.post(path, body), 422)
    assert any(field in (e["field"] or "") for e in error["errors"]), error


def test_bad_input_elsewhere(tenant):
    _error(tenant.admin.post("/v1/campaigns", data="{not json", headers={"Content-Type": "application/json"}), 422)
    _error(tenant.admin.get("/v1/campaigns", params={"limit": 0}), 422)
    _error(tenant.admin.get("/v1/campaigns", params={"limit": 5000}), 422)
    _error(tenant.admin.get("/v1/campaigns", params={"next_token": "garbage!"}), 422)
    _error(tenant.admin.get("/v1/tracking-numbers/hello"), 422)
    _error(tenant.admin.patch("/v1/settings", {"time_zone": "Mars/Olympus"}), 422)
    _error(tenant.admin.patch("/v1/settings", {"name": None}), 422)
    for minutes in (0, -5, 600):
        body = _error(
            tenant.admin.patch("/v1/settings", {"second_chance_leads": {"after_call_work_minutes": minutes}}), 422
        )
        assert "after_call_work_minutes" in body["message"]
    _error(tenant.admin.post("/v1/employees", {"name": "E", "email": "e@x.example", "role_id": "ghost"}), 422)
    _error(tenant.admin.get("/v1/campaigns/cmp_missing"), 404)
    _error(tenant.admin.get("/v1/nothing-here"), 404)


# --- tenant isolation ----------------------------------------------------------------------------


def test_a_token_of_one_tenant_gets_404_on_another_tenants_records(tenant, other_tenant):
    campaign = _campaign(tenant.admin, name="Mine", dnis="+15125550180")
    _number(tenant.admin, "+15125550181")
    bu = tenant.admin.post("/v1/business-units", {"name": "Mine"}).json()
    intruder = other_tenant.admin

    for path in (
        f"/v1/campaigns/{campaign['campaign_id']}",
        "/v1/tracking-numbers/+15125550181",
        f"/v1/business-units/{bu['business_unit_id']}",
        f"/v1/employees/{tenant.csr_employee_id}",
    ):
        _error(intruder.get(path), 404)
        _error(intruder.patch(path, {"name": "stolen"} if "tracking" not in path else {"label": "stolen"}), 404)
    assert intruder.get("/v1/campaigns").json()["items"] == []
    # the same number is free in the other tenant: tenants do not see each other's claims
    _campaign(intruder, name="Theirs", dnis="+15125550180")
    # a page token of one tenant is refused by another
    for i in range(3):
        tenant.admin.post("/v1/call-reasons", {"name": f"r{i}"})
    token = tenant.admin.get("/v1/call-reasons", params={"limit": 1}).json()["next_token"]
    assert token
    _error(intruder.get("/v1/call-reasons", params={"next_token": token}), 422)
    # and the original is unchanged
    assert tenant.admin.get(f"/v1/campaigns/{campaign['campaign_id']}").json()["name"] == "Mine"


# --- authentication and permissions --------------------------------------------------------------


def test_staff_paths_need_a_valid_token(runtime, tenant):
    anonymous = Api(runtime.api_url)
    assert anonymous.get("/v1/campaigns").status_code == 401
    assert Api(runtime.api_url, "not.a.jwt").get("/v1/campaigns").status_code == 401
    from infra.local import tokens

    forged = tokens.issue(
        "a-different-key-of-thirty-two-bytes!", tenant_id=tenant.tenant_id, employee_id="x", role_id="admin"
    )
    assert Api(runtime.api_url, forged).get("/v1/campaigns").status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "body", "permission"),
    [
        ("POST", "/v1/campaigns", {"name": "X"}, "manage_marketing"),
        ("POST", "/v1/tracking-numbers", {"number": "+15125550190"}, "manage_marketing"),
        ("POST", "/v1/business-units", {"name": "X"}, "manage_operations"),
        ("POST", "/v1/job-types", {"name": "X"}, "manage_operations"),
        ("POST", "/v1/call-reasons", {"name": "X"}, "manage_operations"),
        ("POST", "/v1/roles", {"name": "X"}, "manage_employees"),
        ("POST", "/v1/employees", {"name": "X", "email": "x@y.example", "role_id": "csr"}, "manage_employees"),
        ("PATCH", "/v1/settings", {"name": "X"}, "manage_settings"),
    ],
)
def test_writes_need_their_permission(tenant, method, path, body, permission):
    body_out = _error(tenant.csr.request(method, path, json=body), 403)
    assert permission in body_out["message"]


def test_a_per_employee_grant_gives_the_permission_and_reads_stay_open(tenant):
    assert tenant.csr.get("/v1/campaigns").status_code == 200
    _error(tenant.csr.post("/v1/campaigns", {"name": "X"}), 403)
    granted = tenant.admin.patch(
        f"/v1/employees/{tenant.csr_employee_id}", {"granted_permissions": ["manage_marketing"]}
    )
    assert granted.status_code == 200, granted.text
    assert tenant.csr.post("/v1/campaigns", {"name": "X"}).status_code == 201
    me = tenant.csr.get("/v1/me").json()
    assert "manage_marketing" in me["permissions"] and "view_second_chance_leads" not in me["permissions"]


def test_a_deactivated_employee_is_refused(tenant):
    tenant.admin.patch(f"/v1/employees/{tenant.csr_employee_id}", {"active": False})
    _error(tenant.csr.get("/v1/campaigns"), 403)


def test_demo_tokens(admin, csr):
    assert "view_second_chance_leads" in admin.get("/v1/me").json()["permissions"]
    assert "view_second_chance_leads" not in csr.get("/v1/me").json()["permissions"]
