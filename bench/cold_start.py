"""Cold start: whole-process time to import each function's handler module, against a minimal handler of the same
class (`bench/bare_handler.py`: boto3, Powertools' Logger and a DynamoDB client made at init), measured side by
side (interleaved) in one run, reported as a ratio. The process ends right after the import, without the
interpreter's teardown, as a Lambda environment is frozen, not torn down.

    .venv/bin/python bench/cold_start.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.local.runtime import local_environment  # noqa: E402
from infra.topology import TOPOLOGY  # noqa: E402

BASELINE = "bench.bare_handler"


def one_import(module: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    # os._exit: a Lambda environment is frozen after its init, never torn down on a request's path, and the
    # interpreter's teardown (100 ms and more for the larger import graphs) is not part of a cold start
    subprocess.run([sys.executable, "-c", f"import {module}; import os; os._exit(0)"], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = {**os.environ, **local_environment(), "PYTHONDONTWRITEBYTECODE": "0"}
    modules = [BASELINE] + [f.handler_module for f in TOPOLOGY.functions]
    for module in modules:  # warm the OS file cache and write bytecode once, as a deployed zip has it
        one_import(module, env)
    samples: dict[str, list[float]] = {m: [] for m in modules}
    for _ in range(args.runs):
        for module in modules:
            samples[module].append(one_import(module, env))
    base = statistics.median(samples[BASELINE])
    print(f"| handler | median ms (n={args.runs}) | ratio to boto3 + Logger + DynamoDB client |")
    print("| --- | ---: | ---: |")
    for module in modules:
        median = statistics.median(samples[module])
        print(f"| `{module}` | {median * 1000:.0f} | {median / base:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
