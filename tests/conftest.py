"""Shared fixtures. Every test process sees the functions' local environment before any PynamoDB model is
imported (models read their table names when their class is created). Session fixtures are lazy: the stack
is synthesized once, and the local runtime started once, only when a test asks for them."""

import os

from infra.local.runtime import local_environment

for _key, _value in local_environment().items():
    os.environ[_key] = _value
os.environ.pop("AWS_PROFILE", None)
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from collections.abc import Callable, Iterator  # noqa: E402

import pytest  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402

from infra.local.runtime import LocalRuntime  # noqa: E402
from infra.topology import TOPOLOGY  # noqa: E402
from tests.support.api import Api, new_tenant  # noqa: E402
from tests.support.probe_spec import PROBE  # noqa: E402
from tests.support.synth import (  # noqa: E402
    MAIN_STACK,
    PINNED_REGIONS,
    PROBE_STACK,
    Synthesized,
    synthesize,
    synthesize_pinned,
)

PROBED_TOPOLOGY = TOPOLOGY.with_functions(PROBE)
TIME_SCALE = "60"


# --- the CDK stack -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesized]:
    yield synthesize(TOPOLOGY, MAIN_STACK, tmp_path_factory.mktemp("cdk-out-main"))


@pytest.fixture(scope="session")
def synth_template(synthesized: Synthesized) -> Template:
    return synthesized.template


@pytest.fixture(scope="session")
def synth_json(synthesized: Synthesized) -> dict:
    return synthesized.json


@pytest.fixture(scope="session")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesized]:
    """The stack of the real topology plus the probe function (the local runtime renders the same)."""
    yield synthesize(PROBED_TOPOLOGY, PROBE_STACK, tmp_path_factory.mktemp("cdk-out-probe"))


@pytest.fixture(scope="session")
def pinned(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Synthesized]:
    """`pinned(region)`: the real topology's stack for a concrete account in one of PINNED_REGIONS, synthesized
    when first asked for, once per session."""
    made: dict[str, Synthesized] = {}

    def get(region: str) -> Synthesized:
        if region not in PINNED_REGIONS:
            raise ValueError(f"no pinned synthesis for {region!r}: one of {PINNED_REGIONS}")
        if region not in made:
            made[region] = synthesize_pinned(region, tmp_path_factory.mktemp(f"cdk-out-{region}"))
        return made[region]

    return get


# --- the local runtime ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def runtime(tmp_path_factory):
    """The real topology plus the probe, on moto, in this process, at LEADLINE_TIME_SCALE=60."""
    os.environ["LEADLINE_TIME_SCALE"] = TIME_SCALE
    rt = LocalRuntime(topology=PROBED_TOPOLOGY, port=0, app_port=0, state_dir=tmp_path_factory.mktemp("local"))
    rt.start()
    yield rt
    rt.stop()


@pytest.fixture(scope="session")
def demo(runtime):
    return runtime.demo


@pytest.fixture(scope="session")
def admin(runtime, demo):
    return Api(runtime.api_url, demo["admin_token"])


@pytest.fixture(scope="session")
def csr(runtime, demo):
    return Api(runtime.api_url, demo["csr_token"])


@pytest.fixture
def tenant(runtime):
    """A tenant of the test's own, with telephony credentials: `tenant.vendors` signs like each vendor."""
    return new_tenant(runtime.api_url, runtime.signing_key, runtime.client("secretsmanager"))


@pytest.fixture
def other_tenant(runtime):
    return new_tenant(runtime.api_url, runtime.signing_key, runtime.client("secretsmanager"))


@pytest.fixture
def bus(runtime):
    """Every domain event the test's requests put on the bus."""
    from tests.support.bus import BusTap

    tap = BusTap(runtime, ["LeadCreated", "LeadConverted", "LeadDismissed", "LeadReopened", "JobBooked"])
    yield tap
    tap.close()
