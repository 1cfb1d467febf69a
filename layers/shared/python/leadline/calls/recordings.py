"""Fetching a call's recording from its vendor, as each vendor serves it.

- Twilio: the RecordingUrl of the callback (on api.twilio.com), as MP3, with the account's SID and auth token
  (HTTP Basic: required when the account enforces authentication on media URLs, harmless otherwise).
- CallRail: the call's `recording` (on *.callrail.com). With the tenant's CallRail `api_key` the API answers
  JSON whose `url` is the audio, which is then fetched without the key.
- Native JSON webhook: `recording_url`, fetched as it is (the vendor gives a URL we can GET for an hour,
  e.g. pre-signed).

Only HTTPS, and only to public addresses: a URL that names a private, loopback or link-local address is refused,
so a crafted URL cannot make the function read from inside its own network.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlparse

from leadline import credentials

TIMEOUT_SECONDS = 20
VENDOR_HOSTS = {"twilio": ("api.twilio.com",), "callrail": ("callrail.com",)}
AUDIO_EXTENSIONS = {"audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/wav": "wav", "audio/x-wav": "wav",
                    "audio/ogg": "ogg", "audio/flac": "flac", "audio/mp4": "m4a", "audio/x-m4a": "m4a",
                    "audio/webm": "webm", "audio/amr": "amr"}  # fmt: skip


class RecordingUnavailable(Exception):
    """The recording cannot be fetched, and asking again will not change that (a refused URL, a 4xx)."""


@dataclass(frozen=True)
class Request:
    url: str
    headers: dict[str, str]


Opener = Callable[[Request], Any]  # returns a response: .status, .headers, .read() / file-like


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect (Twilio answers with one to its media store) only to a URL that passes the same
    checks, and never carries the vendor's credentials to another host."""

    def __init__(self, check: Callable[[str], None]):
        self._check = check

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 - urllib's signature
        self._check(newurl)
        redirected = super().redirect_request(req, fp, code, msg, headers, newurl)
        if redirected is not None and urlparse(newurl).hostname != urlparse(req.full_url).hostname:
            redirected.remove_header("Authorization")
        return redirected


def _urllib_opener(check: Callable[[str], None]) -> Opener:
    opener = urllib.request.build_opener(_CheckedRedirects(check))

    def open_url(request: Request) -> Any:
        return opener.open(urllib.request.Request(request.url, headers=request.headers), timeout=TIMEOUT_SECONDS)  # noqa: S310 - checked

    return open_url


class RecordingFetcher:
    def __init__(self, opener: Opener | None = None, *, allow_local_http: bool = False):
        """`allow_local_http`: for a test server on loopback; never set in a deployed function."""
        self._open = opener or _urllib_opener(lambda url: self.check_url(url, None))
        self._allow_local_http = allow_local_http

    def open(self, tenant_id: str, vendor: str, url: str) -> tuple[IO[bytes], str]:
        """The recording's bytes as a stream, and the file extension Transcribe knows it by."""
        if vendor == "twilio":
            return self._twilio(tenant_id, url)
        if vendor == "callrail":
            return self._callrail(tenant_id, url)
        return self._get(url, {}, allowed_hosts=None)

    def _twilio(self, tenant_id: str, url: str) -> tuple[IO[bytes], str]:
        path = urlparse(url).path
        if not path.rsplit("/", 1)[-1].count("."):
            url += ".mp3"  # Twilio serves a recording as WAV without an extension, as MP3 with .mp3
        account = (credentials.read(tenant_id, credentials.TELEPHONY).get("twilio")) or {}
        headers = {}
        if account.get("account_sid") and account.get("auth_token"):
            pair = f"{account['account_sid']}:{account['auth_token']}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        return self._get(url, headers, allowed_hosts=VENDOR_HOSTS["twilio"])

    def _callrail(self, tenant_id: str, url: str) -> tuple[IO[bytes], str]:
        key = ((credentials.read(tenant_id, credentials.TELEPHONY).get("callrail")) or {}).get("api_key")
        headers = {"Authorization": f'Token token="{key}"'} if key else {}
        body, extension = self._get(url, headers, allowed_hosts=VENDOR_HOSTS["callrail"])
        if extension != "json":
            return body, extension
        try:
            audio_url = json.loads(body.read()).get("url")
        except (ValueError, AttributeError):
            audio_url = None
        if not isinstance(audio_url, str):
            raise RecordingUnavailable("CallRail's recording answer has no audio url")
        return self._get(audio_url, {}, allowed_hosts=VENDOR_HOSTS["callrail"])

    def _get(
        self, url: str, headers: dict[str, str], *, allowed_hosts: tuple[str, ...] | None
    ) -> tuple[IO[bytes], str]:
        self.check_url(url, allowed_hosts)
        try:
            response = self._open(Request(url, headers))
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise RecordingUnavailable(f"the recording's host answered {exc.code}") from None
            raise
        content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type in ("application/json", "text/json"):
            return response, "json"
        extension = AUDIO_EXTENSIONS.get(content_type) or _extension_of(url)
        if extension is None:
            raise RecordingUnavailable(
                f"the recording is not audio Amazon Transcribe reads ({content_type or 'no type'})"
            )
        return response, extension

    def check_url(self, url: str, allowed_hosts: tuple[str, ...] | None) -> None:
        parsed = urlparse(url)
        host = (parsed.hostname or "").lower()
        if not host:
            raise RecordingUnavailable("the recording URL has no host")
        local_http = self._allow_local_http and parsed.scheme == "http" and host in ("127.0.0.1", "localhost")
        if local_http:
            return
        if parsed.scheme != "https":
            raise RecordingUnavailable("a recording is fetched over HTTPS only")
        if allowed_hosts is not None and not any(host == h or host.endswith("." + h) for h in allowed_hosts):
            raise RecordingUnavailable(f"the recording is not on the vendor's host ({', '.join(allowed_hosts)})")
        for address in _addresses(host):
            if not address.is_global:
                raise RecordingUnavailable("the recording URL names a private or local address")


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        raise RecordingUnavailable(f"the recording's host {host} does not resolve") from None
    return [ipaddress.ip_address(info[4][0]) for info in found]


def _extension_of(url: str) -> str | None:
    name = urlparse(url).path.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return extension if extension in set(AUDIO_EXTENSIONS.values()) else None
