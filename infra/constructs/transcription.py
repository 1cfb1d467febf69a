"""Amazon Transcribe for calls whose vendor sent no transcript: one bucket for recordings and transcripts, and
the grant of the functions that copy recordings there and run transcription jobs on them.

`cdk deploy` (or `-c transcribeRecordings=true`): on. `cdk deploy -c transcribeRecordings=false`: off, so no
bucket, no variables and no permission; calls then wait for their vendor's transcript.

A function that transcribes uploads the vendor's recording to `recordings/<tenant>/<call>.<ext>`, starts a job
named `TRANSCRIPTION_JOB_PREFIX<hash>` whose output is `transcripts/<job name>.json` in the same bucket, and
later reads the job and its output. Transcribe reads the media and writes the output with the caller's
permissions, so the grant covers both prefixes (and nothing else of the bucket).
"""

from __future__ import annotations

import hashlib
import re

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.capabilities import Provision
from infra.constructs.scanners import skip_checkov, suppress_wildcards
from leadline import config

TRANSCRIBE_RECORDINGS_CONTEXT = "transcribeRecordings"
RECORDINGS_PREFIX = "recordings/"
TRANSCRIPTS_PREFIX = "transcripts/"
# Recordings are customers' voices, and a transcript is what they said: both are kept this long, no longer.
RETENTION_DAYS = 30
# The server access logs of the recordings bucket (keys, callers, times; no audio).
ACCESS_LOG_RETENTION_DAYS = 90
# A multipart upload that never completed (a function timed out mid-upload) is not an object, so expiration
# does not remove its parts: this does.
ABORT_INCOMPLETE_UPLOADS_DAYS = 1
OBJECT_ACTIONS = ("s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload")  # abort: a failed multipart upload
# Service Authorization Reference, Amazon Transcribe: StartTranscriptionJob has no resource type (so `*`) but
# takes the condition key transcribe:OutputBucketName; GetTranscriptionJob requires the `transcriptionjob`
# resource type, arn:${Partition}:transcribe:${Region}:${Account}:transcription-job/${JobName}.
START_ACTION = "transcribe:StartTranscriptionJob"
GET_ACTION = "transcribe:GetTranscriptionJob"
# Transcription job names are unique per account and Region and match [0-9a-zA-Z._-]+ (at most 200 chars).
JOB_PREFIX_MAX_LENGTH = 40
_JOB_PREFIX_HASH_LENGTH = 8
_NOT_IN_JOB_NAME = re.compile(r"[^0-9a-z._-]+")
# The reason for the `Resource::*` of StartTranscriptionJob (the provision's star_reason): the function factory puts
# it in the one suppression of `Resource::*` on the role's DefaultPolicy (cdk-nag reports the first that matches).
START_JOB_WILDCARD_REASON = (
    "transcribe:StartTranscriptionJob (it has no resource type in the Service Authorization Reference, so "
    "it needs '*'; the statement is conditioned on transcribe:OutputBucketName being the recordings bucket)"
)


def job_prefix(stack_name: str) -> str:
    """The transcription job name prefix of the stack `stack_name`: lowercase, only [0-9a-z._-], ending in "-",
    at most JOB_PREFIX_MAX_LENGTH characters.

    Job names are unique per account and Region, as stack names are; the readable part is the stack name
    cut short, and a hash of the exact stack name follows it, so two stacks of one account and Region never
    share a prefix, and neither prefix starts with the other (the GetTranscriptionJob grant is `<prefix>*`)."""
    if not isinstance(stack_name, str) or not stack_name or Token.is_unresolved(stack_name):
        raise ValueError(f"the transcription job prefix needs a literal stack name, got {stack_name!r}")
    digest = hashlib.sha256(stack_name.encode()).hexdigest()[:_JOB_PREFIX_HASH_LENGTH]
    readable = _NOT_IN_JOB_NAME.sub("-", stack_name.lower()).strip("-._")
    readable = readable[: JOB_PREFIX_MAX_LENGTH - _JOB_PREFIX_HASH_LENGTH - 2].rstrip("-._")
    return f"{readable}-{digest}-" if readable else f"{digest}-"


def transcription_enabled(scope: Construct) -> bool:
    """The context `transcribeRecordings`: unset, true or "true" is on; false or "false" is off."""
    value = scope.node.try_get_context(TRANSCRIBE_RECORDINGS_CONTEXT)
    # `is` for the booleans: 1 == True and 0 == False, and neither is a valid value.
    if value is None or value is True or value == "true":
        return True
    if value is False or value == "false":
        return False
    raise ValueError(
        f"context {TRANSCRIBE_RECORDINGS_CONTEXT} must be true or false (unset: true), "
        f"e.g. -c {TRANSCRIBE_RECORDINGS_CONTEXT}=false; got {value!r}"
    )


class Transcription(Construct):
    """The recordings bucket (and its access-log bucket) when on; nothing when off."""

    def __init__(self, scope: Construct, construct_id: str, *, enabled: bool) -> None:
        super().__init__(scope, construct_id)
        self.enabled = enabled
        self.bucket: s3.Bucket | None = None
        self.access_log_bucket: s3.Bucket | None = None
        self.job_prefix: str | None = None
        if not enabled:
            return
        stack = Stack.of(self)
        self.job_prefix = job_prefix(stack.stack_name)
        self.access_log_bucket = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,  # the only encryption S3 server access logging supports
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=False,
            lifecycle_rules=[
                s3.LifecycleRule(id="ExpireAccessLogs", expiration=Duration.days(ACCESS_LOG_RETENTION_DAYS))
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        skip_checkov(
            self.access_log_bucket,
            {
                "CKV_AWS_18": "This bucket receives the recordings bucket's access logs; logging it too would need "
                "yet another bucket.",
                "CKV_AWS_21": f"Access logs are written once and expire after {ACCESS_LOG_RETENTION_DAYS} days: "
                "versions would only keep expired logs.",
            },
        )
        # No cdk-nag suppression: AwsSolutions-S1 (server access logs) counts a bucket that is the destination
        # of another bucket's access logs as compliant, and every other S3 rule applies and passes.
        self.bucket = s3.Bucket(
            self,
            "Recordings",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=False,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireRecordingsAndTranscripts",
                    expiration=Duration.days(RETENTION_DAYS),
                    abort_incomplete_multipart_upload_after=Duration.days(ABORT_INCOMPLETE_UPLOADS_DAYS),
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
            server_access_logs_bucket=self.access_log_bucket,
            server_access_logs_prefix="recordings-bucket/",
        )
        skip_checkov(
            self.bucket,
            {
                "CKV_AWS_21": f"Unversioned by design: recordings and transcripts expire after {RETENTION_DAYS} days, "
                "and versions would keep customers' voices longer."
            },
        )

    @classmethod
    def from_context(cls, scope: Construct, construct_id: str) -> Transcription:
        return cls(scope, construct_id, enabled=transcription_enabled(scope))

    @property
    def environment(self) -> dict[str, str]:
        """The variables of a function that transcribes recordings (none when off)."""
        if self.bucket is None or self.job_prefix is None:
            return {}
        return {config.RECORDINGS_BUCKET: self.bucket.bucket_name, config.TRANSCRIPTION_JOB_PREFIX: self.job_prefix}

    @property
    def provision(self) -> Provision:
        """TRANSCRIBES_RECORDINGS' provision: the variables and the grant, whose StartTranscriptionJob needs
        Resource '*'; nothing when off."""
        if self.bucket is None:
            return Provision()
        return Provision(environment=self.environment, grant=self.grant, star_reason=START_JOB_WILDCARD_REASON)

    def object_arns(self) -> list[str]:
        """The two prefixes a function may write and read: recordings and transcripts."""
        if self.bucket is None:
            return []
        return [self.bucket.arn_for_objects(f"{prefix}*") for prefix in (RECORDINGS_PREFIX, TRANSCRIPTS_PREFIX)]

    def job_arn_pattern(self) -> str | None:
        """The transcription jobs of this stack: `transcription-job/<prefix>*` in its account and Region."""
        if self.job_prefix is None:
            return None
        return Stack.of(self).format_arn(
            service="transcribe",
            resource="transcription-job",
            resource_name=f"{self.job_prefix}*",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )

    def grant(self, grantee: iam.IGrantable) -> iam.Grant | None:
        """s3:PutObject/GetObject on `recordings/*` and `transcripts/*`; StartTranscriptionJob (on `*`, with the
        bucket as its only output) and GetTranscriptionJob on this stack's jobs. Nothing when off.

        The prefix wildcards are suppressed (AwsSolutions-IAM5) on the grantee's DefaultPolicy, each named and
        with its reason; the `Resource::*` of StartTranscriptionJob is left to the owner of that policy's
        `Resource::*` suppression (`START_JOB_WILDCARD_REASON`)."""
        if self.bucket is None:
            return None
        principal = grantee.grant_principal
        if not isinstance(principal, Construct):
            raise ValueError("the transcription grant needs a grantee whose principal is a construct (a role)")
        recordings, transcripts = self.object_arns()
        jobs = self.job_arn_pattern()
        grant = iam.Grant.add_to_principal(
            grantee=grantee, actions=list(OBJECT_ACTIONS), resource_arns=[recordings, transcripts]
        )
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=[START_ACTION],
            resource_arns=["*"],
            conditions={"StringEquals": {"transcribe:OutputBucketName": self.bucket.bucket_name}},
        )
        iam.Grant.add_to_principal(grantee=grantee, actions=[GET_ACTION], resource_arns=[jobs])
        suppress_wildcards(
            principal,
            "Recordings are uploaded at run time, one object per call under recordings/<tenant>/, so "
            "s3:PutObject/GetObject are scoped to that prefix of the recordings bucket; Transcribe reads the media "
            "with the caller's permissions.",
            [recordings],
        )
        suppress_wildcards(
            principal,
            "Transcribe writes each job's output with the caller's permissions to transcripts/<job name>.json, and "
            "the function reads it back: s3:PutObject/GetObject are scoped to that prefix of the recordings bucket.",
            [transcripts],
        )
        suppress_wildcards(
            principal,
            f"Transcription jobs are started at run time, one per recording, named {self.job_prefix}<hash>: "
            f"transcribe:GetTranscriptionJob is scoped to the jobs of this stack (that name prefix) in its account "
            f"and Region.",
            [jobs],
        )
        return grant
