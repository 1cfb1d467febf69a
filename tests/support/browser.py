"""Headless Chromium for the browser tests: Debian's (`make browser`, which `make test` runs, installs it), or the
one CHROMIUM names. Without it the tests fail: they do not skip."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

HEADLESS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    chosen = os.environ.get("CHROMIUM")
    if chosen:
        if not shutil.which(chosen):
            pytest.fail(f"CHROMIUM={chosen} is not an executable Chromium or Chrome", pytrace=False)
        return shutil.which(chosen)
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not found:
        pytest.fail(
            "Chromium was not found: `make browser` installs Debian's (apt-get install -y chromium), or set "
            "CHROMIUM=/path/to/chromium-or-chrome. The browser tests need a real browser and do not skip.",
            pytrace=False,
        )
    return found


def run(url: str, profile: Path, *options: str, budget_ms: int = 10000) -> subprocess.CompletedProcess:
    """Chromium on `url` once its scripts ran (the virtual time budget waits for their fetches to settle)."""
    command = [chromium(), *HEADLESS, f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}", *options, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def dump_dom(url: str, profile: Path) -> str:
    result = run(url, profile, "--dump-dom")
    assert result.returncode == 0 and "<html" in result.stdout, f"Chromium failed:\n{result.stderr[-3000:]}"
    return result.stdout
