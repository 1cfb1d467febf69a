"""`make run` as a newcomer runs it: a process that serves health 200 and writes .local/demo.json."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from infra.local.runtime import free_port
from infra.topology import ROOT


def test_run_serves_health_and_writes_demo_file(tmp_path):
    port, app_port = free_port(), free_port()
    demo_file = ROOT / ".local" / "demo.json"
    before = demo_file.stat().st_mtime if demo_file.exists() else 0
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
    env["LEADLINE_PORT"] = str(port)
    env["LEADLINE_APP_PORT"] = str(app_port)
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        healthy = False
        while time.monotonic() < deadline and process.poll() is None:
            try:
                healthy = requests.get(f"{url}/health", timeout=1).status_code == 200
            except requests.ConnectionError:
                pass
            if healthy:
                break
            time.sleep(0.2)
        assert healthy, "the local runtime never answered /health"

        demo = json.loads(Path(demo_file).read_text())
        assert demo_file.stat().st_mtime > before
        assert demo["api_url"] == url and demo["app_url"] == f"http://127.0.0.1:{app_port}"
        app = requests.get(f"{demo['app_url']}/second-chance-leads", timeout=10)
        assert app.status_code == 200 and "<title>Leadline</title>" in app.text
        assert "script-src 'self'" in app.headers["Content-Security-Policy"]
        for key in (
            "tenant_id",
            "admin_token",
            "csr_token",
            "tracking_numbers",
            "tracking_number",
            "direct_dial_number",
        ):
            assert demo[key], key
        assert demo["twilio"]["auth_token"] and demo["twilio"]["account_sid"].startswith("AC")
        assert demo["callrail"]["signing_key"] and demo["native"]["signing_secret"]
        assert oct(demo_file.stat().st_mode & 0o777) == "0o600"

        me = requests.get(f"{url}/v1/me", headers={"Authorization": f"Bearer {demo['csr_token']}"}, timeout=10).json()
        assert me["tenant_id"] == demo["tenant_id"] and "view_second_chance_leads" not in me["permissions"]

        # the token command prints a working token for a seeded employee
        printed = subprocess.run(
            [sys.executable, "-m", "infra.local", "token", "--employee", "csr_lead"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.strip()
        lead = requests.get(f"{url}/v1/me", headers={"Authorization": f"Bearer {printed}"}, timeout=10).json()
        assert "view_second_chance_leads" in lead["permissions"]
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
    assert process.returncode == 0, output
    assert f"Staff app: http://127.0.0.1:{app_port}" in output
    assert "+1512555" not in output, "a phone number reached the log unmasked"


def test_a_busy_port_ends_run_with_one_line_naming_leadline_port():
    """Checked before anything starts, so a plain socket holding the port is enough."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
        env["LEADLINE_PORT"] = str(port)
        env["LEADLINE_APP_PORT"] = str(free_port())
        done = subprocess.run(
            [sys.executable, "-m", "infra.local", "run"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr == f"Port {port} is in use: stop what holds it or set LEADLINE_PORT={port + 1} make run\n"
