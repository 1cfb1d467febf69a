"""The local runtime: the same topology as the CDK stack, on moto in server mode, on one machine.

It starts moto, creates the tables, the bus, each rule with an SQS queue as its local target, the
state machine (moto executes it), then serves the API on 127.0.0.1 and drains each rule's queue into its
handler. Lambda code itself cannot run in moto without Docker, so the runtime invokes the handlers in
this process, with the events API Gateway, EventBridge and the scheduler would give them, and each
invocation with its function's own environment (`function_environment`): Lambda's variables, the basics
and what its capabilities give, as in AWS, so a variable its capabilities do not give cannot be read.
"""

from __future__ import annotations

import errno
import importlib
import json
import logging
import os
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from infra.capabilities import (
    ANALYSES_CALLS,
    NEEDS_PUBLIC_URL,
    PUBLISHES_EVENTS,
    READS_TENANT_SECRETS,
    SENDS_NOTIFICATIONS,
    SERVES_THE_STAFF_APP,
    STARTS_AFTER_CALL_WORK,
    TRANSCRIBES_RECORDINGS,
    Capability,
    Provision,
    basic_environment,
    provisions_of,
    table_access,
)
from infra.local.gateway import Functions, Gateway, serve
from infra.topology import ROOT, TOPOLOGY, FunctionSpec, TableSpec, Topology
from leadline import config

log = logging.getLogger("leadline.local")

REGION = "us-east-1"
ACCOUNT = "123456789012"
NAME_PREFIX = "leadline-local"
SECRETS_PREFIX = f"{NAME_PREFIX}/tenants/"
# What Lambda itself sets, as the local runtime's process has it.
LOCAL_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    config.AWS_DEFAULT_REGION: REGION,
    config.AWS_REGION: REGION,
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",  # CloudWatch's EMF lines would only flood the console
    config.POWERTOOLS_METRICS_NAMESPACE: "Leadline",
    config.POWERTOOLS_SERVICE_NAME: "leadline-local",
    "POWERTOOLS_DEV": "false",
}
AWS_ENDPOINT_URL = "AWS_ENDPOINT_URL"


def table_name(spec: TableSpec) -> str:
    return f"{NAME_PREFIX}-{spec.logical_name.lower()}"


def local_environment(topology: Topology = TOPOLOGY) -> dict[str, str]:
    """The process's environment, for code run outside any function (the tests, the seed, tools, benches): what
    Lambda sets, the table names, the bus and the secrets prefix. A function invoked by the runtime reads its own
    (`LocalRuntime.function_environment`) instead."""
    env = dict(LOCAL_ENV)
    env.update({t.env_var: table_name(t) for t in topology.tables})
    env[config.EVENT_BUS_NAME] = topology.bus_name
    env[config.LEADLINE_SECRETS_PREFIX] = SECRETS_PREFIX
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PortUnavailable(Exception):
    """A port the runtime was told to use cannot be bound; the message says which setting chooses another."""

    def __init__(self, port: int, variable: str, error: OSError) -> None:
        if error.errno == errno.EADDRINUSE:
            problem = f"Port {port} is in use: stop what holds it or"
        else:
            problem = f"Port {port} cannot be used ({error.strerror}):"
        super().__init__(f"{problem} set {variable}={port + 1} make run")


def check_port(host: str, port: int, variable: str) -> None:
    """Bind and release, as the server would bind (SO_REUSEADDR), so a busy port is named before anything starts."""
    if not port:
        return
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise PortUnavailable(port, variable, exc) from None


@dataclass
class LocalRuntime:
    topology: Topology = TOPOLOGY
    host: str = "127.0.0.1"
    port: int = 3000
    moto_port: int = 0
    app_port: int = 3001  # the staff app, on an origin of its own as in AWS (0: any free port)
    state_dir: Path = field(default_factory=lambda: ROOT / ".local")
    seed_demo: bool = True
    load_handler: Callable[[str], Callable] = field(default=lambda module: importlib.import_module(module).handler)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.resources: dict[str, str] = {}
        self.demo: dict = {}

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def app_url(self) -> str:
        return f"http://{self.host}:{self.app_port}"

    @property
    def aws_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    # --- start ----------------------------------------------------------------------------------

    def start(self) -> LocalRuntime:
        """Raises PortUnavailable, before starting anything, when the API's or moto's port is taken."""
        check_port(self.host, self.port, "LEADLINE_PORT")
        check_port(self.host, self.app_port, "LEADLINE_APP_PORT")
        check_port("127.0.0.1", self.moto_port, "LEADLINE_MOTO_PORT")
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        from infra.local import tokens

        self.time_scale = config.time_scale()
        self._start_moto()
        self._provision()
        self.functions = Functions(self.topology, self.load_handler, self.function_environment)
        if self.seed_demo:
            from infra.local.seed import seed_demo_tenant

            self.demo = seed_demo_tenant(self)
        self.signing_key = tokens.signing_key(self.state_dir)
        self.gateway = Gateway(self.topology, self.functions, self.signing_key)
        try:
            self._server = serve(self.gateway, self.host, self.port)
        except OSError as exc:  # taken since the check
            raise PortUnavailable(self.port, "LEADLINE_PORT", exc) from None
        self.port = self._server.server_address[1]
        self._start_app()
        self.gateway.cors_origins = {
            f.name: self.app_url for f in self.topology.functions if f.has(SERVES_THE_STAFF_APP)
        }
        # The functions' variables, the public URL among them (what vendors call, and so what their signatures
        # cover): known now that the port is, and before any function runs.
        self.provisions = self._provisions()
        os.environ[config.PUBLIC_API_BASE_URL] = self.api_url  # for code run outside a function
        self._start_dispatchers()
        if self.seed_demo:
            # Whole, and before /health answers: a script waiting for health never reads the last start's file.
            self._write_demo_file()
        self._spawn("http", self._server.serve_forever)
        self._spawn("app", self._app_server.serve_forever)
        log.info(
            "Leadline is ready at %s, its staff app at %s (local AWS at %s)",
            self.api_url,
            self.app_url,
            self.aws_endpoint,
        )

    def _start_app(self) -> None:
        from infra.local import app_server, seed, tokens

        app = app_server.StaffApp(
            api_url=self.api_url,
            employees=lambda: seed.sign_in_choices(self.demo),
            issue=lambda employee_id: seed.sign_in(self.demo, tokens.signing_key(self.state_dir), employee_id),
            company_name=seed.COMPANY_NAME,
        )
        try:
            self._app_server = app_server.serve(app, self.host, self.app_port)
        except OSError as exc:
            raise PortUnavailable(self.app_port, "LEADLINE_APP_PORT", exc) from None
        self.app_port = self._app_server.server_address[1]

    def _start_moto(self) -> None:
        from moto.server import ThreadedMotoServer

        from infra.local import linearizable, partition_queries

        linearizable.install()
        partition_queries.install()
        self.moto_port = self.moto_port or free_port()
        # moto's Step Functions executor calls the other services at localhost:$MOTO_PORT.
        os.environ["MOTO_PORT"] = str(self.moto_port)
        os.environ.update(local_environment(self.topology))
        os.environ[AWS_ENDPOINT_URL] = self.aws_endpoint
        # moto's server and its werkzeug say a line per AWS call the functions make: only their warnings are news.
        logging.getLogger("moto").setLevel(logging.WARNING)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        self._moto.start()
        import requests

        response = requests.post(
            f"{self.aws_endpoint}/moto-api/config", json={"stepfunctions": {"execute_state_machine": True}}, timeout=10
        )
        response.raise_for_status()

    def client(self, service: str):
        import boto3

        return boto3.client(service, endpoint_url=self.aws_endpoint, region_name=REGION)

    def _provision(self) -> None:
        dynamodb = self.client("dynamodb")
        for spec in self.topology.tables:
            dynamodb.create_table(**table_definition(spec))
            if spec.ttl_attribute:
                dynamodb.update_time_to_live(
                    TableName=table_name(spec),
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
                )
        events = self.client("events")
        events.create_event_bus(Name=self.topology.bus_name)
        sqs = self.client("sqs")
        self.queues: dict[tuple[str, str], str] = {}
        for function_name, rule_name, pattern in self.topology.rules():
            self.queues[(function_name, rule_name)] = self._rule_queue(events, sqs, function_name, rule_name, pattern)
        self._provision_state_machine()

    def _rule_queue(self, events, sqs, function_name: str, rule_name: str, pattern: dict) -> str:
        """The rule, with its own pattern, targeting a queue that stands in for the Lambda target (and its DLQ)."""
        base = f"{NAME_PREFIX}-{function_name}-{rule_name}"
        dlq_url = sqs.create_queue(QueueName=f"{base}-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        queue_url = sqs.create_queue(
            QueueName=base,
            Attributes={
                "VisibilityTimeout": "5",
                # 1 delivery + 4 retries, as the CDK target's retry_attempts, then the DLQ
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}),
            },
        )["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name=base, EventBusName=self.topology.bus_name, EventPattern=json.dumps(pattern))
        events.put_targets(Rule=base, EventBusName=self.topology.bus_name, Targets=[{"Id": "local", "Arn": queue_arn}])
        self.resources[f"rule:{function_name}:{rule_name}"] = base
        self.resources[f"dlq:{function_name}:{rule_name}"] = dlq_url
        return queue_url

    def _provision_state_machine(self) -> None:
        spec = self.topology.state_machine
        role = self.client("iam").create_role(
            RoleName=f"{NAME_PREFIX}-{spec.name}",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "states.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )["Role"]["Arn"]
        arn = self.client("stepfunctions").create_state_machine(
            name=f"{NAME_PREFIX}-{spec.name}",
            definition=spec.definition(EventBusName=self.topology.bus_name),
            roleArn=role,
            type="STANDARD",
        )["stateMachineArn"]
        os.environ[config.ACW_STATE_MACHINE_ARN] = arn  # for code run outside a function
        self.resources["state_machine"] = arn

    # --- each function's environment ------------------------------------------------------------

    def _provisions(self) -> dict[Capability, Provision]:
        """What this runtime made for each capability: the values of its variables (there is no IAM here)."""
        provisions = {table_access(spec): Provision({spec.env_var: table_name(spec)}) for spec in self.topology.tables}
        return provisions | {
            PUBLISHES_EVENTS: Provision(),
            STARTS_AFTER_CALL_WORK: Provision({config.ACW_STATE_MACHINE_ARN: self.resources["state_machine"]}),
            READS_TENANT_SECRETS: Provision(),
            NEEDS_PUBLIC_URL: Provision({config.PUBLIC_API_BASE_URL: self.api_url}),
            ANALYSES_CALLS: Provision({config.CALL_ANALYSER: "rules"}),  # the stack's default; no Bedrock here
            TRANSCRIBES_RECORDINGS: Provision(),  # moto runs no Transcribe job: as a stack with transcription off
            # no default sender (each company verifies its own); the links lead to this machine's staff app
            SENDS_NOTIFICATIONS: Provision({config.APP_BASE_URL: self.app_url}),
            SERVES_THE_STAFF_APP: Provision({config.STAFF_APP_ORIGIN: self.app_url}),
        }

    def function_environment(self, spec: FunctionSpec) -> dict[str, str]:
        """All that `spec`'s function reads through `leadline.config` while the runtime invokes it: what Lambda
        sets, the basics every function has, and its capabilities' variables; LEADLINE_TIME_SCALE when set."""
        environment = {**LOCAL_ENV, AWS_ENDPOINT_URL: self.aws_endpoint}
        if config.LEADLINE_TIME_SCALE in os.environ:
            environment[config.LEADLINE_TIME_SCALE] = os.environ[config.LEADLINE_TIME_SCALE]
        environment |= basic_environment(spec.name, bus_name=self.topology.bus_name, secrets_prefix=SECRETS_PREFIX)
        for provision in provisions_of(spec, self.provisions, "the local runtime"):
            environment |= provision.environment
        return environment

    # --- event delivery -------------------------------------------------------------------------

    def _start_dispatchers(self) -> None:
        for (function_name, rule_name), queue_url in self.queues.items():
            self._spawn(f"rule-{rule_name}", lambda f=function_name, q=queue_url: self._drain(f, q))
        for function_name, minutes in self.topology.schedules():
            self._spawn(f"schedule-{function_name}", lambda f=function_name, m=minutes: self._tick(f, m))

    def _drain(self, function_name: str, queue_url: str) -> None:
        sqs = self.client("sqs")
        while not self._stop.is_set():
            try:
                messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                    "Messages", []
                )
            except Exception:
                if self._stop.is_set():
                    return
                log.exception("receiving from %s failed", queue_url)
                time.sleep(1)
                continue
            for message in messages:
                try:
                    self.functions.invoke(function_name, json.loads(message["Body"]))
                except Exception:
                    log.exception("%s failed on an event; it will be retried, then dead-lettered", function_name)
                    continue
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    def _tick(self, function_name: str, minutes: int) -> None:
        interval = minutes * 60 / self.time_scale
        while not self._stop.wait(interval):
            event = {
                "version": "0",
                "id": str(uuid.uuid4()),
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": ACCOUNT,
                "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "region": REGION,
                "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{NAME_PREFIX}-{function_name}-schedule"],
                "detail": {},
            }
            try:
                self.functions.invoke(function_name, event)
            except Exception:
                log.exception("scheduled run of %s failed", function_name)

    # --- lifecycle ------------------------------------------------------------------------------

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _write_demo_file(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        path = self.state_dir / "demo.json"
        data = {"api_url": self.api_url, "app_url": self.app_url, "aws_endpoint_url": self.aws_endpoint, **self.demo}
        fd, temp = tempfile.mkstemp(dir=self.state_dir, prefix=".demo-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(data, f, indent=2)
            os.chmod(temp, 0o600)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise

    def stop(self) -> None:
        self._stop.set()
        if hasattr(self, "_server"):
            if any(t.name == "http" for t in self._threads):  # shutdown() waits for serve_forever to end
                self._server.shutdown()
            self._server.server_close()
        if hasattr(self, "_app_server"):
            if any(t.name == "app" for t in self._threads):
                self._app_server.shutdown()
            self._app_server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        if hasattr(self, "_moto"):
            self._moto.stop()


def table_definition(spec: TableSpec) -> dict:
    """CreateTable arguments from the same TableSpec the CDK stack renders."""
    names = {spec.partition_key, spec.sort_key}
    for index in spec.indexes:
        names |= {index.partition_key, index.sort_key}
    definition: dict = {
        "TableName": table_name(spec),
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in sorted(names)],
        "KeySchema": [
            {"AttributeName": spec.partition_key, "KeyType": "HASH"},
            {"AttributeName": spec.sort_key, "KeyType": "RANGE"},
        ],
    }
    if spec.indexes:
        definition["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in spec.indexes
        ]
    return definition
