"""A transcript from a call recording, by Amazon Transcribe, for calls whose vendor sent none.

`start` begins a batch job (speaker labels on, output to our bucket at `<prefix><job name>.json`); `result` is
polled later: None while the job runs, the transcript text once it is done. Job names are the idempotency key:
starting a job that already exists is not an error.

Shapes (botocore's `transcribe` 2017-10-26 model and Amazon Transcribe's batch output format):
    GetTranscriptionJob  TranscriptionJob.{TranscriptionJobStatus: QUEUED|IN_PROGRESS|FAILED|COMPLETED,
                         FailureReason, Transcript.TranscriptFileUri}
    output JSON          results.transcripts[].transcript, results.items[] ({type: pronunciation|punctuation,
                         alternatives[0].content, start_time, speaker_label}), results.speaker_labels.segments[]
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote, urlparse

from botocore.exceptions import ClientError

_JOB_NAME = re.compile(r"^[0-9a-zA-Z._-]{1,200}$")


class TranscriptionError(Exception):
    """Transcribe could not make a transcript of this recording; asking again will not change that."""


class JobNotFound(Exception):
    """No transcription job has that name (it was never started, or Transcribe has forgotten it)."""


class RecordingTranscriber:
    def __init__(
        self,
        client: Any = None,
        s3_client: Any = None,
        *,
        output_bucket: str,
        output_prefix: str = "transcripts/",
        max_speakers: int = 2,
    ):
        if not output_bucket:
            raise ValueError("output_bucket is required")
        self.output_bucket = output_bucket
        self.output_prefix = output_prefix
        self.max_speakers = max_speakers
        self._client = client
        self._s3 = s3_client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("transcribe")
        return self._client

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            import boto3

            self._s3 = boto3.client("s3")
        return self._s3

    def output_key(self, job_name: str) -> str:
        return f"{self.output_prefix}{job_name}.json"

    def start(self, job_name: str, media_uri: str, language_code: str = "en-US") -> bool:
        """Start transcribing `media_uri` (an S3 URI). False when a job of that name already exists."""
        if not _JOB_NAME.match(job_name):
            raise ValueError(f"a transcription job name is 1-200 of [0-9a-zA-Z._-], not {job_name!r}")
        try:
            self.client.start_transcription_job(
                TranscriptionJobName=job_name,
                LanguageCode=language_code,
                Media={"MediaFileUri": media_uri},
                OutputBucketName=self.output_bucket,
                OutputKey=self.output_key(job_name),
                Settings={"ShowSpeakerLabels": True, "MaxSpeakerLabels": self.max_speakers},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConflictException":
                return False
            raise
        return True

    def result(self, job_name: str) -> str | None:
        """The transcript once the job has completed, None while it is queued or running."""
        try:
            job = self.client.get_transcription_job(TranscriptionJobName=job_name)["TranscriptionJob"]
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") == "BadRequestException" and "couldn't be found" in error.get("Message", ""):
                raise JobNotFound(job_name) from None
            raise
        status = job.get("TranscriptionJobStatus")
        if status in ("QUEUED", "IN_PROGRESS"):
            return None
        if status == "FAILED":
            raise TranscriptionError(
                f"transcription job {job_name} failed: {job.get('FailureReason', 'no reason given')}"
            )
        if status != "COMPLETED":
            raise TranscriptionError(f"transcription job {job_name} has an unknown status {status!r}")
        key = self._key_from_uri((job.get("Transcript") or {}).get("TranscriptFileUri")) or self.output_key(job_name)
        body = self.s3.get_object(Bucket=self.output_bucket, Key=key)["Body"].read()
        return transcript_text(json.loads(body))

    def _key_from_uri(self, uri: str | None) -> str | None:
        """The key in our bucket of a path-style S3 URL, as Transcribe reports it."""
        if not uri:
            return None
        path = unquote(urlparse(uri).path).lstrip("/")
        bucket, _, key = path.partition("/")
        return key if bucket == self.output_bucket and key else None


def transcript_text(document: dict[str, Any]) -> str:
    """'spk_0: ...' lines, one per change of speaker, when the output has speaker labels; else the plain text."""
    results = document.get("results") or {}
    lines = _speaker_lines(results)
    if lines:
        return "\n".join(f"{speaker}: {' '.join(words)}" for speaker, words in lines)
    return " ".join(t.get("transcript", "") for t in results.get("transcripts") or []).strip()


def _speaker_lines(results: dict[str, Any]) -> list[tuple[str, list[str]]]:
    # Items carry their own speaker_label in current output; older output labels them only in the segments.
    speaker_at = {
        item.get("start_time"): item.get("speaker_label") or segment.get("speaker_label")
        for segment in (results.get("speaker_labels") or {}).get("segments") or []
        for item in segment.get("items") or []
    }
    items = results.get("items") or []
    if not speaker_at and not any(item.get("speaker_label") for item in items):
        return []
    lines: list[tuple[str, list[str]]] = []
    for item in items:
        alternatives = item.get("alternatives") or []
        content = alternatives[0].get("content", "") if alternatives else ""
        if not content:
            continue
        if item.get("type") == "punctuation":
            if lines and lines[-1][1]:
                lines[-1][1][-1] += content
            continue
        speaker = item.get("speaker_label") or speaker_at.get(item.get("start_time"))
        speaker = speaker or (lines[-1][0] if lines else "spk_unknown")
        if not lines or lines[-1][0] != speaker:
            lines.append((speaker, []))
        lines[-1][1].append(content)
    return lines
