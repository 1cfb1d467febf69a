"""RecordingTranscriber against real transcribe and s3 clients whose calls botocore's Stubber answers.

tests/data/transcribe/ holds GetTranscriptionJob / StartTranscriptionJob responses (Stubber checks them against
botocore's service model) and batch output documents in Amazon Transcribe's format (results.transcripts,
results.items, results.speaker_labels, results.audio_segments)."""

import copy
import io
import json
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.response import StreamingBody
from botocore.stub import Stubber

from leadline.scl.analysis.transcribe import JobNotFound, RecordingTranscriber, TranscriptionError, transcript_text

DATA = Path(__file__).resolve().parents[1] / "data" / "transcribe"
BUCKET = "leadline-transcripts-111122223333"
JOB = "scl-acme-CA5f1e2d3c4b5a69788796a5b4c3d2e1f0"
MEDIA = "s3://leadline-recordings-111122223333/acme/CA5f1e2d3c4b5a69788796a5b4c3d2e1f0.wav"

SPEAKER_TEXT = (
    "spk_0: Thank you for calling Apex Plumbing, this is Dana. How can I help you?\n"
    "spk_1: Hi, my water heater is leaking all over the garage. How much is it to have someone come out today?\n"
    "spk_0: Let me check the schedule. Can I put you on a brief hold?\n"
    "spk_1: Actually, I have to pick up my kids. Can you call me back at this number?"
)


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text())


@pytest.fixture
def transcribe():
    client = boto3.client("transcribe", region_name="us-east-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


@pytest.fixture
def s3():
    client = boto3.client("s3", region_name="us-east-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


@pytest.fixture
def transcriber(transcribe, s3):
    return RecordingTranscriber(transcribe[0], s3[0], output_bucket=BUCKET)


def get_object_response(document: dict) -> dict:
    body = json.dumps(document).encode()
    return {
        "Body": StreamingBody(io.BytesIO(body), len(body)),
        "ContentLength": len(body),
        "ContentType": "application/json",
    }


# --- start ---------------------------------------------------------------------------------------


def test_start_asks_for_speaker_labels_and_our_output_location(transcriber, transcribe):
    transcribe[1].add_response(
        "start_transcription_job",
        load("start_job.json"),
        {
            "TranscriptionJobName": JOB,
            "LanguageCode": "en-US",
            "Media": {"MediaFileUri": MEDIA},
            "OutputBucketName": BUCKET,
            "OutputKey": f"transcripts/{JOB}.json",
            "Settings": {"ShowSpeakerLabels": True, "MaxSpeakerLabels": 2},
        },
    )

    assert transcriber.start(JOB, MEDIA) is True


def test_start_passes_the_language(transcribe, s3):
    transcriber = RecordingTranscriber(transcribe[0], s3[0], output_bucket=BUCKET, output_prefix="scl/", max_speakers=3)
    transcribe[1].add_response(
        "start_transcription_job",
        load("start_job.json"),
        {
            "TranscriptionJobName": JOB,
            "LanguageCode": "es-US",
            "Media": {"MediaFileUri": MEDIA},
            "OutputBucketName": BUCKET,
            "OutputKey": f"scl/{JOB}.json",
            "Settings": {"ShowSpeakerLabels": True, "MaxSpeakerLabels": 3},
        },
    )

    assert transcriber.start(JOB, MEDIA, language_code="es-US") is True


def test_starting_a_job_that_exists_is_not_an_error(transcriber, transcribe):
    error = load("conflict.json")
    transcribe[1].add_client_error(
        "start_transcription_job",
        service_error_code=error["code"],
        service_message=error["message"],
        http_status_code=error["http_status_code"],
    )

    assert transcriber.start(JOB, MEDIA) is False


def test_other_start_errors_are_raised(transcriber, transcribe):
    transcribe[1].add_client_error(
        "start_transcription_job",
        service_error_code="LimitExceededException",
        service_message="You have exceeded the maximum number of concurrent transcription jobs.",
        http_status_code=400,
    )

    with pytest.raises(ClientError, match="LimitExceededException"):
        transcriber.start(JOB, MEDIA)


def test_a_job_never_started_is_not_found(transcriber, transcribe):
    transcribe[1].add_client_error(
        "get_transcription_job",
        service_error_code="BadRequestException",
        service_message="The requested job couldn't be found. Check the job name and try your request again.",
        http_status_code=400,
    )

    with pytest.raises(JobNotFound):
        transcriber.result(JOB)


def test_other_bad_requests_are_raised(transcriber, transcribe):
    transcribe[1].add_client_error(
        "get_transcription_job",
        service_error_code="BadRequestException",
        service_message="1 validation error detected",
        http_status_code=400,
    )

    with pytest.raises(ClientError):
        transcriber.result(JOB)


def test_a_job_name_transcribe_would_refuse_is_refused_here(transcriber):
    with pytest.raises(ValueError, match="job name"):
        transcriber.start("scl:acme:CA123", MEDIA)


# --- result --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["IN_PROGRESS", "QUEUED"])
def test_a_job_not_done_has_no_result_yet(transcriber, transcribe, status):
    response = load("get_job_in_progress.json")
    response["TranscriptionJob"]["TranscriptionJobStatus"] = status
    transcribe[1].add_response("get_transcription_job", response, {"TranscriptionJobName": JOB})

    assert transcriber.result(JOB) is None


def test_a_failed_job_raises_with_its_reason(transcriber, transcribe):
    transcribe[1].add_response("get_transcription_job", load("get_job_failed.json"), {"TranscriptionJobName": JOB})

    with pytest.raises(TranscriptionError, match="does not match the detected media format"):
        transcriber.result(JOB)


def test_a_completed_job_gives_speaker_lines_read_from_its_output_file(transcriber, transcribe, s3):
    transcribe[1].add_response("get_transcription_job", load("get_job_completed.json"), {"TranscriptionJobName": JOB})
    s3[1].add_response(
        "get_object",
        get_object_response(load("output_speaker_labels.json")),
        {"Bucket": BUCKET, "Key": f"transcripts/{JOB}.json"},
    )

    assert transcriber.result(JOB) == SPEAKER_TEXT


def test_without_a_usable_transcript_uri_the_output_key_is_ours(transcriber, transcribe, s3):
    response = load("get_job_completed.json")
    response["TranscriptionJob"]["Transcript"]["TranscriptFileUri"] = (
        "https://s3.us-east-1.amazonaws.com/elsewhere/x.json"
    )
    transcribe[1].add_response("get_transcription_job", response, {"TranscriptionJobName": JOB})
    s3[1].add_response(
        "get_object",
        get_object_response(load("output_plain.json")),
        {"Bucket": BUCKET, "Key": f"transcripts/{JOB}.json"},
    )

    assert transcriber.result(JOB) == (
        "Hi, this is Mark from Ridgeline Supply calling about your account. Please call me back."
    )


# --- the output document -------------------------------------------------------------------------


def test_older_output_labels_speakers_only_in_the_segments():
    document = copy.deepcopy(load("output_speaker_labels.json"))
    for item in document["results"]["items"]:
        item.pop("speaker_label", None)
    del document["results"]["audio_segments"]

    assert transcript_text(document) == SPEAKER_TEXT


def test_output_without_speaker_labels_is_the_plain_transcript():
    document = copy.deepcopy(load("output_speaker_labels.json"))
    for item in document["results"]["items"]:
        item.pop("speaker_label", None)
    del document["results"]["speaker_labels"]

    assert transcript_text(document) == document["results"]["transcripts"][0]["transcript"]


def test_a_silent_recording_has_an_empty_transcript():
    document = {"jobName": JOB, "results": {"transcripts": [{"transcript": ""}], "items": []}, "status": "COMPLETED"}

    assert transcript_text(document) == ""
