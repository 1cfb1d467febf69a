"""Vendors and partners as they call us: Twilio requests signed by Twilio's own helper library, CallRail requests
signed by its documented scheme, our native events signed as docs/webhooks.md says, and lead partners with their
own credentials (docs/partners.md)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import requests
from twilio.request_validator import RequestValidator

from infra.local.seed_partners import GENERIC_PARTNER
from leadline.calls.vendors.native import sign as native_sign
from leadline.partners import angi, generic, thumbtack, webhook


def twilio_sid(prefix: str = "CA") -> str:
    return prefix + uuid.uuid4().hex


class Vendors:
    def __init__(self, api_url: str, tenant_id: str, telephony: dict):
        self.api_url = api_url
        self.tenant_id = tenant_id
        self.telephony = telephony
        self.session = requests.Session()

    # --- Twilio ---------------------------------------------------------------------------------

    def twilio_url(self, callback: str) -> str:
        return f"{self.api_url}/webhooks/twilio/{self.tenant_id}/{callback}"

    def twilio_signature(self, url: str, params: dict, token: str | None = None) -> str:
        return RequestValidator(token or self.telephony["twilio"]["auth_token"]).compute_signature(url, params)

    def twilio(
        self,
        callback: str,
        params: dict,
        *,
        signature: str | None = None,
        url: str | None = None,
        headers: dict | None = None,
    ) -> requests.Response:
        params = {"AccountSid": self.telephony["twilio"]["account_sid"], **params}
        target = self.twilio_url(callback)
        sig = signature if signature is not None else self.twilio_signature(url or target, params)
        all_headers = {"X-Twilio-Signature": sig, **(headers or {})}
        return self.session.post(target, data=params, headers=all_headers, timeout=30)

    # --- CallRail -------------------------------------------------------------------------------

    def callrail_signature(self, body: bytes, key: str | None = None) -> str:
        key = key or self.telephony["callrail"]["signing_key"]
        return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha1).digest()).decode()

    def callrail(
        self, payload: dict | bytes, *, signature: str | None = None, event: str | None = None
    ) -> requests.Response:
        """To the company's CallRail URL, or to the one of a CallRail webhook (`event`: pre-call, post-call, ...)."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        sig = signature if signature is not None else self.callrail_signature(body)
        headers = {"Content-Type": "application/json"} | ({"Signature": sig} if sig else {})
        url = f"{self.api_url}/webhooks/callrail/{self.tenant_id}" + (f"/{event}" if event else "")
        return self.session.post(url, data=body, headers=headers, timeout=30)

    # --- native ---------------------------------------------------------------------------------

    def native(
        self, payload: dict | bytes, *, at: int | None = None, secret: str | None = None, header: str | None = None
    ) -> requests.Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        signed = (
            header
            if header is not None
            else native_sign(secret or self.telephony["native"]["signing_secret"], body, at or int(time.time()))
        )
        headers = {"Content-Type": "application/json"} | ({"Leadline-Signature": signed} if signed else {})
        return self.session.post(
            f"{self.api_url}/webhooks/calls/{self.tenant_id}", data=body, headers=headers, timeout=30
        )


# --- lead partners --------------------------------------------------------------------------------

DEFAULT = object()


class Partners:
    """A tenant's lead partners as they call us, with that tenant's credentials unless told otherwise."""

    def __init__(self, api_url: str, tenant_id: str, creds: dict):
        self.api_url, self.tenant_id, self.creds = api_url, tenant_id, creds

    def post(self, partner: str, payload, headers: dict, *, tenant_id: str | None = None) -> requests.Response:
        """A delivery to the partner's URL (the one shape every partner posts to), as JSON."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return requests.post(
            self.api_url + webhook.path(tenant_id or self.tenant_id, partner),
            data=body,
            headers={"Content-Type": "application/json", **headers},
            timeout=30,
        )

    def thumbtack(self, payload, *, authorization=DEFAULT, tenant_id: str | None = None) -> requests.Response:
        if authorization is DEFAULT:
            authorization = thumbtack.basic_authorization(**self.creds["thumbtack"])
        headers = {"Authorization": authorization} if authorization is not None else {}
        return self.post("thumbtack", payload, headers, tenant_id=tenant_id)

    def angi(self, payload, *, api_key=DEFAULT, tenant_id: str | None = None) -> requests.Response:
        key = self.creds["angi"]["api_key"] if api_key is DEFAULT else api_key
        return self.post("angi", payload, {angi.API_KEY_HEADER: key} if key else {}, tenant_id=tenant_id)

    def generic(
        self,
        payload,
        *,
        partner: str = GENERIC_PARTNER,
        secret=DEFAULT,
        t: int | None = None,
        signature=DEFAULT,
        tenant_id: str | None = None,
    ) -> requests.Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        if signature is DEFAULT:
            key = self.creds["generic"][GENERIC_PARTNER]["signing_secret"] if secret is DEFAULT else secret
            signature = generic.sign(key, body, t if t is not None else int(time.time()))
        headers = {generic.SIGNATURE_HEADER: signature} if signature else {}
        return self.post(partner, body, headers, tenant_id=tenant_id)
