"""Our signature checks agree with the vendors' own: Twilio's helper library, CallRail's documented scheme."""

import base64
import hashlib
import hmac
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from leadline.calls.vendors import callrail, native, twilio

TOKEN = "12345678901234567890123456789012"
URL = "https://abc123.execute-api.us-east-1.amazonaws.com/prod/webhooks/twilio/acme/voice-status"

params_strategy = st.dictionaries(
    st.text(alphabet=st.characters(min_codepoint=48, max_codepoint=122), min_size=1, max_size=12),
    st.text(max_size=30),
    max_size=8,
)


@given(params_strategy)
def test_a_request_twilio_signed_is_accepted(params):
    signature = RequestValidator(TOKEN).compute_signature(URL, params)
    assert twilio.signature_is_valid(TOKEN, URL, list(params.items()), signature)


@given(params_strategy, st.text(min_size=1, max_size=5))
def test_an_altered_body_is_refused(params, extra):
    signature = RequestValidator(TOKEN).compute_signature(URL, params)
    altered = list(params.items()) + [("Injected", extra)]
    assert not twilio.signature_is_valid(TOKEN, URL, altered, signature)


def test_url_token_and_header_must_all_match():
    params = {"CallSid": "CA" + "0" * 32, "CallStatus": "completed"}
    signature = RequestValidator(TOKEN).compute_signature(URL, params)
    assert not twilio.signature_is_valid(TOKEN, URL.replace("acme", "other"), list(params.items()), signature)
    assert not twilio.signature_is_valid("another-token", URL, list(params.items()), signature)
    assert not twilio.signature_is_valid(TOKEN, URL, list(params.items()), None)
    assert not twilio.signature_is_valid(TOKEN, URL, list(params.items()), "")


def test_twilio_may_have_signed_the_url_with_or_without_the_port():
    params = {"CallSid": "CA" + "0" * 32}
    with_port = URL.replace(".com/", ".com:443/")
    signed_with_port = RequestValidator(TOKEN).compute_signature(with_port, params)
    assert twilio.signature_is_valid(TOKEN, URL, list(params.items()), signed_with_port)
    signed_without = RequestValidator(TOKEN).compute_signature(URL, params)
    assert twilio.signature_is_valid(TOKEN, with_port, list(params.items()), signed_without)


def test_repeated_parameters_are_signed_as_twilio_does():
    pairs = [("Tag", "b"), ("Tag", "a"), ("CallSid", "CA" + "0" * 32)]

    class Multi(dict):
        def getall(self, name):
            return [v for n, v in pairs if n == name]

    signature = RequestValidator(TOKEN).compute_signature(URL, Multi(pairs))
    assert twilio.signature_is_valid(TOKEN, URL, pairs, signature)


def test_callrail_signature_is_base64_hmac_sha1_of_the_raw_body():
    body = b'{"id": "CAL123", "answered": true}'
    signature = base64.b64encode(hmac.new(b"key", body, hashlib.sha1).digest()).decode()
    assert callrail.signature_is_valid("key", body, signature)
    assert not callrail.signature_is_valid("key", body + b" ", signature)
    assert not callrail.signature_is_valid("other", body, signature)
    assert not callrail.signature_is_valid("key", body, None)


@pytest.mark.parametrize("skew", [-301, 301, 10_000])
def test_native_signature_outside_the_window_is_a_replay(skew):
    body, now = b'{"event_id": "e1"}', 1_800_000_000
    header = native.sign("secret", body, now + skew)
    assert not native.signature_is_valid("secret", body, header, now)
    assert native.signature_is_valid("secret", body, native.sign("secret", body, now - 299), now)


@pytest.mark.parametrize("header", ["", "t=abc,v1=00", "v1=00", "t=1800000000", "t=1800000000,v1=deadbeef"])
def test_native_malformed_headers_are_refused(header):
    assert not native.signature_is_valid("secret", b"{}", header, 1_800_000_000)


@pytest.mark.parametrize(
    "configured",
    [
        "https://api.example.com/hook?campaign=Spring%20Sale",
        "https://api.example.com/hook?campaign=Spring+Sale&src=sip:front@desk",
        "https://api.example.com/hook?name=O'Hara&tags=a%2Cb",
        "https://api.example.com/hook?b=2&a=1",
    ],
)
def test_the_url_twilio_signed_is_among_those_tried_from_the_decoded_query(configured):
    """API Gateway's REST event gives the query decoded: the URL as configured is rebuilt from it."""
    base, _, query = configured.partition("?")
    decoded = parse_qsl(query, keep_blank_values=True)
    assert configured in twilio.signed_urls(base, None, decoded)
    assert twilio.signed_urls(base, query, decoded) == [configured]  # the raw query, when known, is used as is
    assert twilio.signed_urls(base, None, []) == [base]
