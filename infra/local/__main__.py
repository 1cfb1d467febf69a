"""`python -m infra.local run` starts the product on one machine; `python -m infra.local token` prints a
staff token for an employee of the running product (the demo admin unless told otherwise)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading

from infra.topology import ROOT
from leadline.phones import mask_in_text


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_in_text(super().format(record))


def run(args: argparse.Namespace) -> int:
    from infra.local.runtime import LocalRuntime, PortUnavailable

    try:
        runtime = LocalRuntime(port=args.port, app_port=args.app_port, moto_port=args.moto_port).start()
    except PortUnavailable as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Leadline is running at {runtime.api_url}  (Swagger UI: {runtime.api_url}/swagger)", flush=True)
    print(f"Demo tenant, tokens and numbers: {runtime.state_dir / 'demo.json'}", flush=True)
    print(f"Staff app: {runtime.app_url}  (sign in as one of the demo company's employees)", flush=True)
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    stopped.wait()
    runtime.stop()
    return 0


def token(args: argparse.Namespace) -> int:
    from infra.local import tokens

    demo_path = ROOT / ".local" / "demo.json"
    if not demo_path.exists():
        print("No .local/demo.json: start the product first (make run).", file=sys.stderr)
        return 1
    demo = json.loads(demo_path.read_text())
    os.environ.setdefault("AWS_ENDPOINT_URL", demo["aws_endpoint_url"])
    from infra.local.runtime import local_environment

    for key, value in local_environment().items():
        os.environ.setdefault(key, value)
    from leadline.setup import service

    tenant_id = args.tenant or demo["tenant_id"]
    employee_id = demo["employees"].get(args.employee, {}).get("employee_id", args.employee)
    try:
        employee = service.get_employee(tenant_id, employee_id)
    except Exception as exc:  # noqa: BLE001 - a command-line message, not a crash
        print(f"No employee {employee_id} in tenant {tenant_id}: {exc}", file=sys.stderr)
        return 1
    print(
        tokens.issue(
            tokens.signing_key(ROOT / ".local"),
            tenant_id=tenant_id,
            employee_id=employee_id,
            role_id=employee["role_id"],
            email=employee["email"],
        )
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="start the product on its embedded AWS")
    run_parser.add_argument("--port", type=int, default=int(os.environ.get("LEADLINE_PORT", "3000")))
    run_parser.add_argument("--app-port", type=int, default=int(os.environ.get("LEADLINE_APP_PORT", "3001")))
    run_parser.add_argument("--moto-port", type=int, default=int(os.environ.get("LEADLINE_MOTO_PORT", "0")))
    token_parser = sub.add_parser("token", help="print a staff token for an employee of the running product")
    token_parser.add_argument("--employee", default="admin", help="admin, csr, csr_lead, or an employee id")
    token_parser.add_argument("--tenant", default=None)
    args = parser.parse_args(argv)

    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    # Our own lines at INFO (the functions' JSON lines have their own handler, to stdout); the libraries', moto's and
    # the HTTP servers' only when they warn.
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    logging.getLogger("leadline").setLevel(logging.INFO)
    return run(args) if args.command == "run" else token(args)


if __name__ == "__main__":
    sys.exit(main())
