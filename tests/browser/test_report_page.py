"""The local runtime's report page in a real browser: headless Chromium opens /app/reports with a staff token, the
page reads the report API and draws the conversion funnel and the SCL recovery chart; its screenshot is kept in
the test artifacts (ARTIFACTS_DIR, default ./artifacts)."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from infra.local import tokens
from leadline.calls.events import CallEvent, Recording, Transcript
from leadline.data.repositories.people import employees
from leadline.scl import service as scl
from leadline.scl.analysis.rules import RulesAnalyser
from leadline.setup import service as setup
from leadline.workflows import after_call_work
from leadline.workflows.classify_call import classify
from tests.integration.test_second_chance_leads import PROSPECT
from tests.support.api import new_tenant
from tests.support.browser import dump_dom, run

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "artifacts"))


def _traffic(tenant_id: str) -> None:
    setup.update_settings(tenant_id, {"second_chance_leads": {"enabled": True, "after_call_work_minutes": 60}})
    campaign = setup.create_campaign(tenant_id, {"name": "Google", "active": True, "dnis": "+17205550400"})
    setup.create_tracking_number(
        tenant_id,
        {"number": "+17205550400", "number_type": "tracking", "label": None, "forwarding_number": None,
         "default_call_type": "lead", "sms_registered": False, "campaign_id": campaign["campaign_id"]},
    )  # fmt: skip
    reason = setup.call_reasons.create(tenant_id, {"name": "Service", "is_lead": True, "active": True})
    now = datetime.now(UTC)
    for i in range(6):
        sid = f"CArep{tenant_id[-6:]}{i}"
        caller = f"+172055504{i:02d}"
        to = "+17205550400" if i % 3 else "+17205550499"
        for event in (
            CallEvent("twilio", sid, f"{sid}:r", "voice-status", started_at=now - timedelta(hours=i),
                      direction="inbound", from_number=caller, to_number=to, status="ringing", sequence=0),
            CallEvent("twilio", sid, f"{sid}:rec", "recording", recording=Recording(url=f"https://api.twilio.com/{sid}")),
            CallEvent("twilio", sid, f"{sid}:tr", "transcript", transcript=Transcript(text=PROSPECT)),
        ):  # fmt: skip
            after_call_work.ingest(tenant_id, event)
        if i % 2:
            classify(tenant_id, sid, employee_id="emp-x", call_reason_id=reason["call_reason_id"], notes=None,
                     booked=None, job_id=None)  # fmt: skip
        else:
            scl.evaluate(tenant_id, sid, RulesAnalyser())


def test_the_report_page_draws_the_funnel_and_the_scl_recovery(runtime, tmp_path):
    tenant = new_tenant(runtime.api_url, runtime.signing_key)
    _traffic(tenant.tenant_id)
    token = tokens.issue(
        runtime.signing_key, tenant_id=tenant.tenant_id, employee_id=_admin_id(tenant.tenant_id), role_id="admin"
    )
    today = datetime.now(UTC).date()
    url = (
        f"{runtime.api_url}/app/reports#token={token}&from={(today - timedelta(days=6)).isoformat()}"
        f"&to={(today + timedelta(days=1)).isoformat()}"
    )
    dom = dump_dom(url, tmp_path / "profile")
    assert 'data-ready="yes"' in dom, dom[-2000:]
    assert len(re.findall(r'<rect[^>]*class="bar"', dom)) >= 6 + 2  # the funnel's six bars and the days' bars
    assert ">Calls</span>" in dom and '<div id="error"></div>' in dom

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report-page.png"
    result = run(url, tmp_path / "profile-shot", f"--screenshot={shot.resolve()}", "--window-size=900,1000")
    assert result.returncode == 0, result.stderr[-3000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_without_a_token_the_page_says_it_cannot_read_the_reports(runtime, tmp_path):
    dom = dump_dom(f"{runtime.api_url}/app/reports", tmp_path / "profile")
    assert 'data-ready="error"' in dom and '<div id="error">Could not read the reports: ' in dom


def _admin_id(tenant_id: str) -> str:
    return next(e.employee_id for e in employees.list_all(tenant_id) if e.role_id == "admin")
