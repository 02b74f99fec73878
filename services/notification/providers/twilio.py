"""Client for Twilio's Programmable Messaging REST API (twilio.com/docs/messaging/api/message-resource,
/docs/messaging/guides/outbound-message-status-in-status-callbacks, /docs/usage/webhooks/webhooks-security).

Send: ``POST {api}/2010-04-01/Accounts/{AccountSid}/Messages.json``, form-encoded, HTTP basic
auth ``AccountSid:AuthToken``: ``To`` (E.164), ``From`` (a Twilio number or alphanumeric sender)
and/or ``MessagingServiceSid``, ``Body``, ``StatusCallback``. The answer is the Message resource
as JSON (``sid`` "SM…", ``status`` queued, or accepted/scheduled through a Messaging Service) with
201; errors are JSON ``{code, message, more_info, status}``: 20003 (401, bad credentials), 21604
(no To), 21603 (no From/MessagingServiceSid), 21602 (no Body), 21211 (invalid To — its message
quotes the number, so reasons are masked), 20429 (429). ``provider_message_id`` is the sid.

Our message id travels in the StatusCallback URL:
``{SMS_CALLBACK_BASE_URL}/api/v1/sms/callbacks/twilio/{SMS_CALLBACK_TOKEN}?message_id=<our id>``
(both settings optional together: without them no callbacks, only ``poll_status``).

Status callbacks: a form POST to that URL with ``MessageSid``, ``MessageStatus``, ``ErrorCode``
(on failure), ``AccountSid``, ``From``, ``To``, ``ApiVersion`` …, signed with
``X-Twilio-Signature`` = base64(HMAC-SHA1(auth token, full URL + every POST parameter name and
value, sorted by name)) — ``verify_signature`` below, checked against the worked example that
Twilio publishes with its helper libraries (token ``12345``,
``https://mycompany.com/myapp.php?foo=1&bar=2``, CallSid/Caller/Digits/From/To →
``RSOYDt4T1cUTdK1PDd93/VVr8B8=``; twilio-php docs/usage/validation.rst and its RequestValidator
tests). A request without a valid signature raises CallbackRejected. No callback is sent for the
initial status (queued/accepted).

Mapping: queued, sending, sent, accepted, scheduled → sent; delivered, read → delivered;
undelivered, failed, canceled → failed with reason "<status> ErrorCode=<n>". Other statuses
(receiving/received are inbound; partially_delivered) are skipped. ``at`` is None: callbacks
carry no timestamp except ``RawDlrDoneDate`` (YYMMDDhhmm), whose time zone the docs I read do not
state. ``poll_status`` reads ``GET …/Messages/{sid}.json`` (its ``date_updated`` is RFC 2822 GMT).

Left open / not offered by Twilio: any idempotency key on Messages create — Twilio documents
none, so a retried POST after a lost answer creates a second message (no deduplication by our
id); ordering of callbacks (we assume repeats and reordering; Twilio retries webhooks only when
connection overrides ask for it); signatures for JSON bodies (``bodySHA256``) — status callbacks
are form posts, so they are not handled here.
"""
import base64
import hashlib
import hmac
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import requests

from services.notification.providers import _http
from services.notification.providers.base import (
    DELIVERED,
    FAILED,
    SENT,
    CallbackRejected,
    CallbackRequest,
    DeliveryReport,
    OutgoingSms,
    SendReceipt,
    SmsSendError,
)

DEFAULT_API_URL = "https://api.twilio.com"
API_VERSION = "2010-04-01"
CALLBACK_PATH = "/api/v1/sms/callbacks/twilio/"
FORM = "application/x-www-form-urlencoded"
STATUS_STATES = {
    "queued": SENT,
    "sending": SENT,
    "sent": SENT,
    "accepted": SENT,
    "scheduled": SENT,
    "delivered": DELIVERED,
    "read": DELIVERED,
    "undelivered": FAILED,
    "failed": FAILED,
    "canceled": FAILED,
}


def signature_for(url: str, params: Mapping[str, str], auth_token: str) -> str:
    """Twilio's X-Twilio-Signature for a POST to ``url`` with form ``params``."""
    data = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(url: str, params: Mapping[str, str], signature: str | None, auth_token: str) -> bool:
    """Whether ``signature`` is Twilio's for this URL and these POST parameters (constant time)."""
    if not signature or not auth_token:
        return False
    expected = signature_for(url, params, auth_token)
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8"))


class TwilioProvider:
    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_: str | None = None,
        messaging_service_sid: str | None = None,
        api_url: str = DEFAULT_API_URL,
        callback_base_url: str | None = None,
        callback_token: str | None = None,
        timeout_seconds: float = _http.DEFAULT_TIMEOUT_SECONDS,
    ):
        if not (from_ or messaging_service_sid):
            raise ValueError("TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID must be set for SMS_PROVIDER=twilio")
        if bool(callback_base_url) != bool(callback_token):
            missing = "SMS_CALLBACK_TOKEN" if callback_base_url else "SMS_CALLBACK_BASE_URL"
            raise ValueError(f"{missing} must be set with the other for SMS_PROVIDER=twilio status callbacks")
        self.account_sid = account_sid
        self.from_ = from_
        self.messaging_service_sid = messaging_service_sid
        self.messages_url = f"{api_url.rstrip('/')}/{API_VERSION}/Accounts/{account_sid}/Messages"
        self.send_url = self.messages_url + ".json"
        self.callback_url = (
            callback_base_url.rstrip("/") + CALLBACK_PATH + quote(callback_token, safe="")
            if callback_base_url and callback_token
            else None
        )
        self.timeout_seconds = timeout_seconds
        self._auth_token = auth_token
        self._http = _http.HttpClient(self.name, timeout_seconds)

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> "TwilioProvider":
        return cls(
            account_sid=_http.required(settings, "TWILIO_ACCOUNT_SID", cls.name),
            auth_token=_http.required(settings, "TWILIO_AUTH_TOKEN", cls.name),
            from_=settings.get("TWILIO_FROM") or None,
            messaging_service_sid=settings.get("TWILIO_MESSAGING_SERVICE_SID") or None,
            api_url=settings.get("TWILIO_API_URL") or DEFAULT_API_URL,
            callback_base_url=settings.get("SMS_CALLBACK_BASE_URL") or None,
            callback_token=settings.get("SMS_CALLBACK_TOKEN") or None,
            timeout_seconds=_http.timeout_seconds(settings),
        )

    def status_callback_for(self, message_id: str) -> str | None:
        if self.callback_url is None:
            return None
        return self.callback_url + "?" + urlencode({"message_id": message_id})

    def send(self, sms: OutgoingSms) -> SendReceipt:
        form = {"To": sms.phone, "Body": sms.text}
        if self.from_:
            form["From"] = self.from_
        if self.messaging_service_sid:
            form["MessagingServiceSid"] = self.messaging_service_sid
        callback = self.status_callback_for(sms.message_id)
        if callback:
            form["StatusCallback"] = callback
        response = self._http.request("POST", self.send_url, data=form, auth=(self.account_sid, self._auth_token))
        if response.ok:
            sid = _json_field(response, "sid")
            if not isinstance(sid, str) or not sid:
                raise SmsSendError("twilio: answer without a message sid", retryable=True)
            return SendReceipt(provider=self.name, provider_message_id=sid)
        raise SmsSendError(
            f"twilio: HTTP {response.status_code} {self._error_text(response, sms)}".rstrip(),
            retryable=_http.is_retryable_status(response.status_code),
        )

    def parse_delivery_report(self, request: CallbackRequest) -> list[DeliveryReport]:
        if request.media_type not in ("", FORM):
            raise ValueError("twilio status callbacks are form posts")
        if not verify_signature(request.url, request.form, request.signature, self._auth_token):
            raise CallbackRejected("twilio: missing or wrong X-Twilio-Signature")
        sid, status = request.form.get("MessageSid"), request.form.get("MessageStatus")
        if not sid or not status:
            raise ValueError("a twilio status callback needs MessageSid and MessageStatus")
        state = STATUS_STATES.get(status)
        if state is None:
            return []
        ids = parse_qs(urlsplit(request.url).query).get("message_id")
        return [
            DeliveryReport(
                message_id=ids[0] if ids else None,
                provider_message_id=sid,
                state=state,
                reason=_reason(status, state, request.form.get("ErrorCode")),
            )
        ]

    def poll_status(self, provider_message_ids: list[str]) -> list[DeliveryReport]:
        """``GET …/Messages/{sid}.json`` per sid; sids Twilio does not know (404) give no report."""
        reports = []
        for sid in provider_message_ids:
            response = self._http.request(
                "GET", f"{self.messages_url}/{quote(sid, safe='')}.json", auth=(self.account_sid, self._auth_token)
            )
            if response.status_code == 404:
                continue
            if not response.ok:
                raise SmsSendError(
                    f"twilio: status HTTP {response.status_code} {self._error_text(response)}".rstrip(),
                    retryable=_http.is_retryable_status(response.status_code),
                )
            status = _json_field(response, "status")
            state = STATUS_STATES.get(status) if isinstance(status, str) else None
            if state is None:
                continue
            error_code = _json_field(response, "error_code")
            reports.append(
                DeliveryReport(
                    message_id=None,
                    provider_message_id=sid,
                    state=state,
                    reason=_reason(status, state, None if error_code is None else str(error_code)),
                    at=_rfc2822(_json_field(response, "date_updated")),
                )
            )
        return reports

    def _error_text(self, response, sms=None):
        try:
            body = response.json()
            text = f"{body.get('code', '')} {body.get('message', '')}" if isinstance(body, dict) else response.text
        except (ValueError, requests.JSONDecodeError):
            text = response.text
        secrets = (sms.text, sms.phone, sms.phone.removeprefix("+")) if sms else ()
        return _http.clean_text(text, *secrets, self._auth_token)


def _reason(status, state, error_code):
    if state != FAILED:
        return None
    code = (error_code or "").strip()
    return f"{status} ErrorCode={code}" if code.isdigit() else status


def _json_field(response, name):
    try:
        body = response.json()
    except (ValueError, requests.JSONDecodeError):
        return None
    return body.get(name) if isinstance(body, dict) else None


def _rfc2822(value):
    if not isinstance(value, str):
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.utcoffset() is not None else None
