"""Client for İleti Merkezi's JSON SMS API (https://www.iletimerkezi.com/en/docs/api/send-sms,
.../authentication, .../webhooks; the older pages at toplusmsapi.com/sms/gonder/json and the
docs repository github.com/iletimerkezi/apidocs-website say the same).

What the docs confirm:

* Send: ``POST {base}/send-sms/json`` (base ``https://api.iletimerkezi.com/v1``), body
  ``{"request": {"authentication": {"key", "hash"}, "order": {"sender", "sendDateTime", "iys",
  "iysList", "message": {"text", "receipents": {"number": [...]}}}}}`` (``receipents`` sic).
  ``key`` and ``hash`` are both issued by the panel and passed through unchanged — the docs say
  explicitly that no hashing happens on the client. ``iys`` is required: "0" for transactional
  messages such as ours (no İYS consent lookup), "1" plus ``iysList`` for commercial ones.
  Numbers may be ``905XXXXXXXXX``, ``+905XXXXXXXXX`` or ``5XXXXXXXXX``.
* Answer: ``{"response": {"status": {"code", "message"}, "order": {"id"}}}``; the code is also the
  HTTP status ("can also be read from the HTTP response header"). Codes: 200 ok; 400 request not
  parsable; 401 "Üyelik bilgileri hatalı" (wrong key/hash, API access switched off, or a
  non-whitelisted IP); 402 balance; 450 sender not approved; 451 "Tekrar eden sipariş" (the same
  text to the same recipients within 10 minutes is refused); 452 bad recipients; 453 over 7
  parts; 454 empty text; 457 bad date; 503 temporarily unavailable. Codes may come as text or
  numbers (the docs' examples show both).
* No field carries a client-supplied id, so our message id cannot travel: ``provider_message_id``
  is the order id (one order per message), and reports name only that (``message_id`` None).
* Webhook: one POST per status change to the URL set in the panel (one URL per account), JSON
  ``{"report": {"id", "packet_id", "status", "to", "body"}}`` — ``packet_id`` is the order id,
  ``id`` the message inside it; ``status`` is ``accepted`` (→ sent), ``delivered`` (→ delivered)
  or ``undelivered`` (→ failed, reason "undelivered"). Other statuses are skipped. The webhook
  carries the phone number and the text; nothing of them is kept.
* Poll: ``POST {base}/get-report/json`` with ``order: {id, page, rowCount}`` answers
  ``order.message[].status`` 110 (sending → sent), 111 (sent → delivered), 112 (not sent →
  failed); 455 when the order is unknown (no report).

Left open: any signature or credential on webhooks (none is documented: the gateway's secret
callback path is the only protection), webhook retries and ordering (the docs say "typically
accepted first, then delivered or undelivered"; we assume repeats and reordering), timestamps
(the webhook has none: ``at`` is None), the encoding İleti Merkezi picks for Turkish letters (no
parameter for it), and rate limits (none documented; 429 is treated as retryable anyway).
Deduplication: none by a client id (there is none); only the content-based 451 above. A retry
of a send whose first attempt was in fact accepted gets 451 — raised as ``AlreadySent``: the
message counts as sent (its order id is then unknown, so its delivery report cannot be matched).
"""
import re
from collections.abc import Mapping

import requests

from services.notification.providers import _http
from services.notification.providers.base import (
    DELIVERED,
    FAILED,
    SENT,
    AlreadySent,
    CallbackRequest,
    DeliveryReport,
    OutgoingSms,
    SendReceipt,
    SmsSendError,
)

DEFAULT_API_URL = "https://api.iletimerkezi.com/v1"
DEFAULT_SENDER = "ACIKKAPI"
TRANSACTIONAL = "0"  # the iys flag: no İYS (commercial-consent) lookup
WEBHOOK_STATES = {"accepted": SENT, "delivered": DELIVERED, "undelivered": FAILED}
REPORT_STATES = {110: SENT, 111: DELIVERED, 112: FAILED}
DUPLICATE_ORDER = 451
ORDER_NOT_FOUND = 455


class IletiMerkeziProvider:
    name = "iletimerkezi"

    def __init__(
        self,
        key: str,
        hash: str,
        api_url: str = DEFAULT_API_URL,
        sender: str = DEFAULT_SENDER,
        timeout_seconds: float = _http.DEFAULT_TIMEOUT_SECONDS,
    ):
        base = api_url.rstrip("/")
        self.send_url = base + "/send-sms/json"
        self.report_url = base + "/get-report/json"
        self.sender = sender
        self.timeout_seconds = timeout_seconds
        self._key = key
        self._hash = hash
        self._http = _http.HttpClient(self.name, timeout_seconds)

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> "IletiMerkeziProvider":
        return cls(
            key=_http.required(settings, "ILETIMERKEZI_KEY", cls.name),
            hash=_http.required(settings, "ILETIMERKEZI_HASH", cls.name),
            api_url=settings.get("ILETIMERKEZI_API_URL") or DEFAULT_API_URL,
            sender=settings.get("SMS_SENDER") or DEFAULT_SENDER,
            timeout_seconds=_http.timeout_seconds(settings),
        )

    def _authentication(self):
        return {"key": self._key, "hash": self._hash}

    def send(self, sms: OutgoingSms) -> SendReceipt:
        payload = {
            "request": {
                "authentication": self._authentication(),
                "order": {
                    "sender": self.sender,
                    "sendDateTime": [],
                    "iys": TRANSACTIONAL,
                    "message": {"text": sms.text, "receipents": {"number": [sms.phone.removeprefix("+")]}},
                },
            }
        }
        response = self._http.request("POST", self.send_url, json=payload)
        code, message, body = self._status(response, sms)
        if code == 200:
            order_id = (body.get("order") or {}).get("id") if isinstance(body, dict) else None
            if order_id in (None, ""):
                raise SmsSendError("iletimerkezi: success without an order id", retryable=True)
            return SendReceipt(provider=self.name, provider_message_id=str(order_id))
        if code == DUPLICATE_ORDER:
            raise AlreadySent("iletimerkezi: 451 the same text went to this number within 10 minutes")
        raise SmsSendError(
            f"iletimerkezi: {code} {message}".rstrip(),
            retryable=_http.is_retryable_status(code) or _http.is_retryable_status(response.status_code),
        )

    def parse_delivery_report(self, request: CallbackRequest) -> list[DeliveryReport]:
        """The webhook: ``{"report": {id, packet_id, status, to, body}}``, one per request."""
        body = request.json
        report = body.get("report") if isinstance(body, dict) else None
        if not isinstance(report, dict):
            raise ValueError('iletimerkezi reports are {"report": {...}}')
        packet_id, status = report.get("packet_id"), report.get("status")
        if packet_id in (None, "") or isinstance(packet_id, (bool, dict, list)) or not isinstance(status, str):
            raise ValueError("an iletimerkezi report needs packet_id and status")
        state = WEBHOOK_STATES.get(status)
        if state is None:
            return []
        return [
            DeliveryReport(
                message_id=None,
                provider_message_id=str(packet_id),
                state=state,
                reason="undelivered" if state == FAILED else None,
            )
        ]

    def poll_status(self, provider_message_ids: list[str]) -> list[DeliveryReport]:
        """``get-report`` per order id; unknown orders (455) give no report."""
        reports = []
        for order_id in provider_message_ids:
            payload = {
                "request": {
                    "authentication": self._authentication(),
                    "order": {"id": order_id, "page": 1, "rowCount": 1000},
                }
            }
            response = self._http.request("POST", self.report_url, json=payload)
            code, message, body = self._status(response)
            if code == ORDER_NOT_FOUND:
                continue
            if code != 200:
                raise SmsSendError(
                    f"iletimerkezi: report {code} {message}".rstrip(),
                    retryable=_http.is_retryable_status(code) or _http.is_retryable_status(response.status_code),
                )
            messages = ((body.get("order") or {}).get("message")) if isinstance(body, dict) else None
            if not isinstance(messages, list):
                raise SmsSendError("iletimerkezi: report answer without messages", retryable=True)
            for entry in messages:
                status = _number(entry.get("status")) if isinstance(entry, dict) else None
                state = REPORT_STATES.get(status) if status is not None else None
                if state is not None:
                    reports.append(
                        DeliveryReport(
                            message_id=None,
                            provider_message_id=str(order_id),
                            state=state,
                            reason="112 not sent" if state == FAILED else None,
                        )
                    )
        return reports

    def _status(self, response, sms=None):
        """(code, cleaned message, response body) — the body's status code when there is one,
        else the HTTP status."""
        try:
            body = response.json()
            envelope = body.get("response") if isinstance(body, dict) else None
            status = envelope.get("status") if isinstance(envelope, dict) else None
        except (ValueError, requests.JSONDecodeError):
            envelope = status = None
        secrets = ((sms.text, sms.phone, sms.phone.removeprefix("+")) if sms else ()) + (self._key, self._hash)
        code = _number(status.get("code")) if isinstance(status, dict) else None
        if code is None:
            return response.status_code, _http.clean_text(response.text, *secrets), {}
        message = status.get("message")
        cleaned = _http.clean_text(message if isinstance(message, str) else "", *secrets)
        if code == 200 and not response.ok:  # the HTTP status is meant to agree; trust the worse
            code = response.status_code
        return code, cleaned, envelope


def _number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    # ASCII digits only and a bounded length: "²".isdigit() is true yet int("²") raises, and int()
    # refuses strings of more than 4300 digits.
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,18}", value.strip()):
        return int(value.strip())
    return None
