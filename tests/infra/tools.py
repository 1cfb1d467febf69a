"""The infrastructure scanners of requirements-infra-tools.txt, in a virtual environment of their own.

checkov pins boto3 (and more) to versions that clash with the project's, so it cannot live in .venv itself. The
tools' venv is .venv/infra-tools: made on first use, and made again when requirements-infra-tools.txt changes
(its hash is kept in the venv); only PyPI is needed. `python -m tests.infra.tools` makes it ahead of the tests.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from infra.topology import ROOT

REQUIREMENTS = ROOT / "requirements-infra-tools.txt"
VENV = ROOT / ".venv" / "infra-tools"
STAMP = VENV / "requirements.sha256"


def tools_bin() -> Path:
    """The bin directory of the tools' venv, made (or remade) if it does not match the requirements file."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with (VENV.parent / "infra-tools.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one maker at a time; the others then find it made
        if not STAMP.is_file() or STAMP.read_text() != digest:
            shutil.rmtree(VENV, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
            subprocess.run(
                [VENV / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
                + ["-r", str(REQUIREMENTS)],
                check=True,
            )
            STAMP.write_text(digest)  # last: a venv without it is unfinished and is made again
    return VENV / "bin"


if __name__ == "__main__":
    print(tools_bin())
