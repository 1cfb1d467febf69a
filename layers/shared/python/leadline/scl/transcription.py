"""A transcript for a call whose vendor sent none: its recording copied to our bucket, Amazon Transcribe run on it,
and the text folded into the call like any vendor's transcript, through `ingest` (so the evaluation follows by the
usual path).

`advance` is called each time the call's evaluation finds it still waiting for a transcript: the first time it
copies the recording and starts the job, later it looks at the job. No state is kept besides the job, whose
name is derived from the call: two evaluations at once start one job.

Configured by RECORDINGS_BUCKET and TRANSCRIPTION_JOB_PREFIX (set by the stack unless transcription is turned
off). The local runtime has no speech-to-text, so there the vendors' own transcripts are the only ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from leadline import config
from leadline.calls.events import TRANSCRIPT_ONLY, CallEvent, Transcript
from leadline.calls.recordings import RecordingFetcher, RecordingUnavailable
from leadline.data import store
from leadline.data.models import Call
from leadline.data.repositories import calls
from leadline.observability import logger
from leadline.scl.analysis.transcribe import JobNotFound, RecordingTranscriber, TranscriptionError

VENDOR = "amazon-transcribe"

# What `advance` found: the job was started, is still running, or made the transcript (now on the call);
# or there will be no transcript (the recording cannot be fetched, the job failed, the audio has no speech).
STARTED, RUNNING, TRANSCRIBED, FAILED = "started", "running", "transcribed", "failed"


@dataclass
class Transcription:
    transcriber: RecordingTranscriber
    fetcher: RecordingFetcher
    bucket: str
    job_prefix: str
    ingest: Callable[[str, CallEvent], object]  # folds the transcript into its call: the after-call workflow's
    s3: Any = None

    def job_name(self, tenant_id: str, call_id: str) -> str:
        return self.job_prefix + hashlib.sha256(f"{tenant_id}|{call_id}".encode()).hexdigest()[:40]

    def advance(self, tenant_id: str, call_id: str) -> str:
        call = calls.get(tenant_id, call_id)
        recording = (store.plain_map(call.recording) if call else None) or {}
        if not recording.get("url"):
            return FAILED
        job = self.job_name(tenant_id, call_id)
        try:
            text = self.transcriber.result(job)
        except JobNotFound:
            return self._start(tenant_id, call, recording["url"], job)
        except TranscriptionError as exc:
            logger.warning("no transcript from Amazon Transcribe", extra={"call_id": call_id, "reason": str(exc)})
            return FAILED
        if text is None:
            return RUNNING
        if not text.strip():
            logger.warning("the recording has no speech", extra={"call_id": call_id})
            return FAILED
        event = CallEvent(
            vendor=VENDOR,
            call_id=call_id,
            dedupe_key=f"{VENDOR}:{call_id}:{job}",
            kind=TRANSCRIPT_ONLY,
            transcript=Transcript(text=text, sid=job),
        )
        self.ingest(tenant_id, event)
        return TRANSCRIBED

    def _start(self, tenant_id: str, call: Call, url: str, job: str) -> str:
        try:
            audio, extension = self.fetcher.open(tenant_id, call.vendor, url)
        except RecordingUnavailable as exc:
            logger.warning("the recording cannot be fetched", extra={"call_id": call.call_id, "reason": str(exc)})
            return FAILED
        key = f"recordings/{tenant_id}/{call.call_id}.{extension}"
        with audio:
            self._s3.upload_fileobj(audio, self.bucket, key)
        self.transcriber.start(job, f"s3://{self.bucket}/{key}")
        return STARTED

    @property
    def _s3(self) -> Any:
        return self.s3 or self.transcriber.s3


@cache
def from_environment(ingest: Callable[[str, CallEvent], object]) -> Transcription | None:
    """None where transcription is off (no RECORDINGS_BUCKET: the local runtime, or the stack turned it off)."""
    bucket = config.recordings_bucket()
    if not bucket:
        return None
    return Transcription(
        transcriber=RecordingTranscriber(output_bucket=bucket),
        fetcher=RecordingFetcher(),
        bucket=bucket,
        job_prefix=config.transcription_job_prefix(),
        ingest=ingest,
    )
