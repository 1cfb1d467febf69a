"""One local runtime for the whole session, in this process: the real topology plus a probe function that
records what the bus and the scheduler deliver to it."""

import os

import pytest

from infra.local.runtime import LocalRuntime
from infra.topology import TOPOLOGY, EventRule, FunctionSpec
from tests.support.api import Api, new_tenant

PROBE = FunctionSpec(
    name="probe",
    description="test probe",
    code_dir="tests/support/probe",
    rules=(EventRule("after-call-work-elapsed", {"source": ["leadline"], "detail-type": ["AfterCallWorkElapsed"]}),),
    schedule_minutes=1,
)
TIME_SCALE = "60"


@pytest.fixture(scope="session")
def runtime(tmp_path_factory):
    os.environ["LEADLINE_TIME_SCALE"] = TIME_SCALE
    rt = LocalRuntime(topology=TOPOLOGY.with_functions(PROBE), port=0, state_dir=tmp_path_factory.mktemp("local"))
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
    return new_tenant(runtime.api_url, runtime.signing_key)


@pytest.fixture
def other_tenant(runtime):
    return new_tenant(runtime.api_url, runtime.signing_key)
