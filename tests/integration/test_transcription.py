"""Amazon Transcribe for calls whose vendor sent no transcript, on the local runtime's AWS (moto's S3 and
Transcribe): the recording fetched from a loopback server standing in for Twilio (Basic auth with the tenant's
account, a redirect to the media store), copied to the bucket, the job started, polled, its output folded into
the call, and the SCL made by the usual evaluation. moto's Transcribe runs no speech-to-text: the test writes
the output document where Amazon Transcribe would, in its recorded shape."""

import base64
import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from leadline.calls.recordings import RecordingFetcher, RecordingUnavailable
from leadline.data.repositories import evaluations
from leadline.scl.analysis.rules import RulesAnalyser
from leadline.scl.analysis.transcribe import RecordingTranscriber
from leadline.scl.transcription import FAILED, RUNNING, STARTED, TRANSCRIBED, Transcription
from leadline.workflows import after_call_work
from tests.integration.test_second_chance_leads import CALLER, PROSPECT, _call, _evaluation, _scls, _setup

AUDIO = b"ID3\x03\x00fake-mp3-frames" * 64
OUTPUT = json.loads((Path(__file__).parent.parent / "data" / "transcribe" / "output_plain.json").read_text())


class _Media(BaseHTTPRequestHandler):
    """/Recordings/<sid>.mp3 redirects to /media/<sid>.mp3 on the other loopback name, which serves the audio."""

    seen: list[tuple[str, str | None]] = []

    def do_GET(self):  # noqa: N802
        self.seen.append((self.path, self.headers.get("Authorization")))
        if "/Recordings/" in self.path:
            self.send_response(302)
            port = self.server.server_address[1]
            self.send_header("Location", f"http://localhost:{port}/media/{self.path.rsplit('/', 1)[-1]}")
            self.end_headers()
        elif self.path.startswith("/media/"):
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(len(AUDIO)))
            self.end_headers()
            self.wfile.write(AUDIO)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def media_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Media)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def transcription(runtime):
    bucket = "leadline-test-recordings"
    s3 = runtime.client("s3")
    s3.create_bucket(Bucket=bucket)
    return Transcription(
        transcriber=RecordingTranscriber(runtime.client("transcribe"), s3, output_bucket=bucket),
        fetcher=RecordingFetcher(allow_local_http=True),
        bucket=bucket,
        job_prefix="test-",
        ingest=after_call_work.ingest,
        s3=s3,
    )


def _transcribe_output(text: str) -> bytes:
    document = copy.deepcopy(OUTPUT)
    document["results"]["transcripts"] = [{"transcript": text}]
    document["results"].pop("items", None)
    return json.dumps(document).encode()


def test_a_call_without_transcript_is_transcribed_and_then_evaluated(tenant, runtime, media_server, transcription):
    _setup(tenant, minutes=60)  # the timer stays out of the way: the test drives the evaluation
    sid = _call(tenant, transcript=None, recording=False)
    recording_sid = "RE" + sid[2:]
    url = f"{media_server}/2010-04-01/Accounts/{tenant.vendors.telephony['twilio']['account_sid']}/Recordings/"
    assert tenant.vendors.twilio(
        "recording-status",
        {
            "CallSid": sid,
            "RecordingSid": recording_sid,
            "RecordingStatus": "completed",
            "RecordingUrl": url + recording_sid,
        },
    ).ok
    _Media.seen.clear()

    first = after_call_work.on_elapsed(
        tenant.tenant_id, sid, RulesAnalyser(), abandoned_call=False, transcription=transcription
    )
    assert first == {"second_chance_lead": "awaiting-transcript", "transcription": STARTED}

    # Twilio's URL was asked for as MP3 with the tenant's account (Basic auth); the media store, on another host,
    # got no credentials
    (first_path, auth), (second_path, media_auth) = _Media.seen
    assert first_path.endswith(f"/Recordings/{recording_sid}.mp3")
    twilio = tenant.vendors.telephony["twilio"]
    assert auth == "Basic " + base64.b64encode(f"{twilio['account_sid']}:{twilio['auth_token']}".encode()).decode()
    assert second_path == f"/media/{recording_sid}.mp3" and media_auth is None

    s3 = runtime.client("s3")
    key = f"recordings/{tenant.tenant_id}/{sid}.mp3"
    assert s3.get_object(Bucket=transcription.bucket, Key=key)["Body"].read() == AUDIO
    job_name = transcription.job_name(tenant.tenant_id, sid)
    job = runtime.client("transcribe").get_transcription_job(TranscriptionJobName=job_name)["TranscriptionJob"]
    assert job["Media"]["MediaFileUri"] == f"s3://{transcription.bucket}/{key}"

    s3.put_object(
        Bucket=transcription.bucket,
        Key=transcription.transcriber.output_key(job_name),
        Body=_transcribe_output(PROSPECT),
    )
    progress = []
    while not progress or progress[-1] == RUNNING and len(progress) < 5:  # the scanner's look every 2 minutes
        outcome = after_call_work.on_elapsed(
            tenant.tenant_id, sid, RulesAnalyser(), abandoned_call=False, transcription=transcription
        )
        progress.append(outcome["transcription"])
    assert progress[-1] == TRANSCRIBED, progress
    # the transcript is on the call like a vendor's; its SecondChanceLeadEvaluationDue brings the evaluation
    assert _evaluation(tenant, sid) == "created"
    scls = _scls(tenant)
    assert len(scls) == 1 and scls[0].phone == CALLER and "cooling" in scls[0].transcript
    call = tenant.admin.get(f"/v1/calls/{sid}").json()
    assert "cooling" in call["transcript"]


def test_two_evaluations_at_once_start_one_job(tenant, media_server, transcription, runtime):
    _setup(tenant, minutes=60)
    sid = _call(tenant, transcript=None, recording=False)
    assert tenant.vendors.twilio(
        "recording-status",
        {"CallSid": sid, "RecordingSid": "RE" + sid[2:], "RecordingStatus": "completed",
         "RecordingUrl": f"{media_server}/2010-04-01/Accounts/AC1/Recordings/RE{sid[2:]}"},
    ).ok  # fmt: skip
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: transcription.advance(tenant.tenant_id, sid), range(2)))
    assert sorted(results) in ([RUNNING, STARTED], [STARTED, STARTED])
    jobs = runtime.client("transcribe").list_transcription_jobs(
        JobNameContains=transcription.job_name(tenant.tenant_id, sid)
    )["TranscriptionJobSummaries"]
    assert len(jobs) == 1


def test_a_recording_that_cannot_be_fetched_ends_the_wait(tenant, transcription):
    _setup(tenant, minutes=60)
    sid = _call(tenant, transcript=None, recording=False)
    assert tenant.vendors.twilio(
        "recording-status",
        {"CallSid": sid, "RecordingSid": "RE" + sid[2:], "RecordingStatus": "completed",
         "RecordingUrl": f"https://10.0.0.7/2010-04-01/Accounts/AC1/Recordings/RE{sid[2:]}"},
    ).ok  # fmt: skip
    assert evaluations.get(tenant.tenant_id, sid) is not None
    strict = Transcription(
        transcriber=transcription.transcriber,
        fetcher=RecordingFetcher(),  # as deployed: HTTPS to the vendor's public host only
        bucket=transcription.bucket,
        job_prefix="test-",
        ingest=after_call_work.ingest,
        s3=transcription.s3,
    )
    outcome = after_call_work.on_elapsed(
        tenant.tenant_id, sid, RulesAnalyser(), abandoned_call=False, transcription=strict
    )
    assert outcome["transcription"] == FAILED
    assert evaluations.get(tenant.tenant_id, sid) is None
    assert _scls(tenant) == []


@pytest.mark.parametrize(
    ("vendor", "url", "message"),
    [
        ("twilio", "http://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1", "HTTPS only"),
        ("twilio", "https://evil.example.com/Recordings/RE1", "vendor's host"),
        ("twilio", "https://api.twilio.com.evil.example.com/RE1", "vendor's host"),
        ("callrail", "https://example.com/recording.json", "vendor's host"),
        ("native", "https://169.254.169.254/latest/meta-data/", "private or local"),
        ("native", "https://127.0.0.1/recording.mp3", "private or local"),
        ("native", "https://[::1]/recording.mp3", "private or local"),
        ("native", "https://10.1.2.3/recording.mp3", "private or local"),
        ("native", "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next", "HTTPS only"),
        ("native", "file:///etc/passwd", "no host"),
    ],
)
def test_recording_urls_that_are_refused(vendor, url, message):
    hosts = {"twilio": ("api.twilio.com",), "callrail": ("callrail.com",)}.get(vendor)
    with pytest.raises(RecordingUnavailable, match=message):
        RecordingFetcher().check_url(url, hosts)


def test_wait_for_a_job_is_bounded(tenant, transcription, media_server):
    """Each look at a running job brings the call back in TRANSCRIPTION_POLL, at most MAX_TRANSCRIPTION_POLLS times."""
    _setup(tenant, minutes=60)
    sid = _call(tenant, transcript=None)
    due = evaluations.get(tenant.tenant_id, sid)
    due.attempts = after_call_work.MAX_TRANSCRIPTION_POLLS - 2
    due.save()
    running = type("Running", (), {"advance": lambda self, t, c: RUNNING})()
    after_call_work.on_elapsed(tenant.tenant_id, sid, RulesAnalyser(), abandoned_call=False, transcription=running)
    again = evaluations.get(tenant.tenant_id, sid)
    assert int(again.attempts) == after_call_work.MAX_TRANSCRIPTION_POLLS - 1
    after_call_work.on_elapsed(tenant.tenant_id, sid, RulesAnalyser(), abandoned_call=False, transcription=running)
    assert evaluations.get(tenant.tenant_id, sid) is None
