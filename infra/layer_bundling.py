"""Local (Docker-free) bundling of the shared Lambda layer.

The CDK calls `try_bundle` when it stages the layer asset. We install the
layer's pinned requirements for the Lambda platform (Linux, arm64, CPython
3.13) with pip's cross-platform wheel selection, then copy the `leadline`
package beside them. Returning True tells the CDK that the Docker image in the
BundlingOptions is never needed.

Synth skips bundling altogether for stacks excluded by the context key
`aws:cdk:bundling-stacks` (the infra tests set it to `[]`); the CDK then stages
the source folder as it is and never calls this class.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jsii
from aws_cdk import BundlingOptions, DockerImage, ILocalBundling

LAMBDA_PYTHON_VERSION = "3.13"
LAMBDA_PLATFORM = "manylinux2014_aarch64"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")


@jsii.implements(ILocalBundling)
class LocalPipBundling:
    """Builds `<output>/python/` = pip-installed requirements + the package folders."""

    def __init__(self, *, layer_dir: Path, packages: tuple[str, ...] = ("leadline",)) -> None:
        self.layer_dir = Path(layer_dir).resolve()
        self.packages = packages

    def pip_command(self, target: Path) -> list[str]:
        return [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--target",
            str(target),
            "-r",
            str(self.layer_dir / "requirements.txt"),
            "--platform",
            LAMBDA_PLATFORM,
            "--implementation",
            "cp",
            "--python-version",
            LAMBDA_PYTHON_VERSION,
            "--only-binary=:all:",
            # requirements.txt is the complete list: boto3/botocore (pynamodb's only
            # dependency) come from the Lambda runtime and must not be shadowed by a
            # different botocore in /opt/python.
            "--no-deps",
            # Bytecode compiled by the build machine's Python is ignored by the
            # Lambda's 3.13 interpreter: it would only make the layer bigger.
            "--no-compile",
            "--disable-pip-version-check",
            "--quiet",
        ]

    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:  # noqa: ARG002 (jsii signature)
        target = Path(output_dir) / "python"
        target.mkdir(parents=True, exist_ok=True)
        requirements = self.layer_dir / "requirements.txt"
        if not requirements.is_file():
            raise FileNotFoundError(f"layer requirements not found: {requirements}")
        # The command is built from constants, this interpreter and paths of the repository.
        result = subprocess.run(self.pip_command(target), capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise RuntimeError(
                f"pip install for the shared layer failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        for package in self.packages:
            source = self.layer_dir / "python" / package
            if not source.is_dir():
                raise FileNotFoundError(f"layer package not found: {source}")
            shutil.copytree(source, target / package, ignore=IGNORED, dirs_exist_ok=True)
        return True


def local_bundling_options(layer_dir: Path) -> BundlingOptions:
    """BundlingOptions whose image is a placeholder: local bundling always succeeds or raises."""
    return BundlingOptions(
        image=DockerImage.from_registry("local-bundling-only"),
        local=LocalPipBundling(layer_dir=layer_dir),
    )
