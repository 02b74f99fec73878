"""Client for Verimor's public SMS API v2 (https://github.com/verimor/SMS-API, user_guide.md).

Sending: ``POST {api}/v2/send.json`` with a JSON body; the answer is plain text: the campaign id
with 200, else an error text such as ``INSUFFICIENT_CREDITS`` (400) or ``Geçersiz kullanıcı
adı/şifre`` (401). 413 and 429 are its size and rate limits (150 requests a minute, so one message
per request would cap us at 2.5 SMS a second). A campaign carries many messages (``messages``, each
with its own ``msg``, ``dest`` and ``id``) but one ``datacoding``, so ``send_batch`` sends messages of
one encoding together: each message's ``id`` is our message id, which every report of it echoes as
``message_custom_id``; ``provider_message_id`` is the campaign id, shared by the campaign's
messages. The campaign ``custom_id`` is our message id only for a campaign of one (a report naming
only the campaign could not tell its messages apart). The answer is for the whole campaign: a 4xx
refuses every message in it (an invalid number among fifty refuses fifty).

Delivery reports, as the guide documents them:

* Push: Verimor POSTs a JSON array of report objects to the URL set in its panel (OİM), one
  object per message: ``campaign_id``, ``campaign_custom_id``, ``message_id``,
  ``message_custom_id`` (our id), ``dest``, ``status``, ``gsm_error``, ``sent_at``, ``done_at``,
  ``type: "outbound"``. It expects ``200 OK`` and otherwise retries 3 more times 5 minutes apart,
  then gives up. The push is unsigned (no signature, no credentials): the only protection is an
  unguessable callback URL (the gateway's token path) — anyone who knows it can forge reports.
* Poll: ``GET {api}/v2/status?id=<campaign id>&username=…&password=…`` (or ``custom_id=``)
  answers the same objects as a JSON array; 401 "Bu kampanya size ait değil", 404 "Bu idye sahip
  kampanya bulunamadı". The guide states no rate limit for /v2/status (its 150/min is for sends);
  stack-notes.md gives 20 a minute, so the caller polls rarely and we ask one campaign per call.

Status mapping (the guide's "Mesaj Durumu Alınırken Dönebilecek Durumlar" table):
``DELIVERED`` → delivered; ``SENDING``, ``WAITING`` → sent; ``SENT`` → sent with reason
"unconfirmed" (the guide: delivered but the operator gives no delivery report, so it cannot be
confirmed — we do not claim delivery we cannot prove, and no further report will come);
``NOT_DELIVERED``, ``EXPIRED``, ``INVALID_DESTINATION_ADDRESS``, ``REJECTED``,
``DOUBLE_SEND_ERROR``, ``BLACKLISTED_DESTINATION_ADDRESS``, ``MISSING_TARIFF``,
``ROUTE_NOT_AVAILABLE``, ``NETWORK_NOTCOVERED``, ``SEND_ERROR``, ``INTERNATIONAL_DENIED`` →
failed, reason = the status and the operator's ``gsm_error`` code. A status not in that table is
skipped (not an error: one unknown entry must not make Verimor re-push the whole batch);
``type: "inbound"`` entries (incoming SMS, when the same URL is used for both) are skipped too.

Left open by the guide: the time zone of ``sent_at``/``done_at`` ("2015-02-20 16:06:00", no
offset) — we read them as Turkey time (+03:00, as the guide's inbound-SMS examples carry);
whether pushes can arrive out of order or twice (retries make "twice" possible); whether
Verimor deduplicates sends by ``custom_id`` — it documents no such thing (custom ids only
label reports), so a retried send is a second SMS. Its only duplicate guard is content-based:
the same text to the same number from the same sender on the same day ends as
``DOUBLE_SEND_ERROR`` in the report.
"""
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

import requests

from common.fields import FIRST_YEAR, LAST_YEAR
from services.notification.providers import _http
from services.notification.providers.base import (
    DELIVERED,
    FAILED,
    SENT,
    CallbackRequest,
    DeliveryReport,
    OutgoingSms,
    SendReceipt,
    SmsSendError,
)
from services.notification.segments import GSM7, GSM7_TURKISH, UCS2

DEFAULT_API_URL = "https://sms.verimor.com.tr"
DEFAULT_SENDER = "ACIKKAPI"
DEFAULT_TIMEOUT_SECONDS = _http.DEFAULT_TIMEOUT_SECONDS
VALID_FOR = "24:00"
DATACODING = {GSM7: "0", GSM7_TURKISH: "1", UCS2: "2"}
TURKEY_TIME = timezone(timedelta(hours=3))

STATUS_STATES = {
    "DELIVERED": DELIVERED,
    "SENDING": SENT,
    "WAITING": SENT,
    "SENT": SENT,
    **dict.fromkeys(
        (
            "NOT_DELIVERED",
            "EXPIRED",
            "INVALID_DESTINATION_ADDRESS",
            "REJECTED",
            "BLACKLISTED_DESTINATION_ADDRESS",
            "MISSING_TARIFF",
            "ROUTE_NOT_AVAILABLE",
            "NETWORK_NOTCOVERED",
            "SEND_ERROR",
            "INTERNATIONAL_DENIED",
        ),
        FAILED,
    ),
}


# Verimor refuses a copy of a message it sent the same day (same text, number and sender): the
# report of that copy says nothing about the first, which did go out, so it is not news.
NOT_ABOUT_THE_MESSAGE = frozenset({"DOUBLE_SEND_ERROR"})


class VerimorProvider:
    name = "verimor"

    def __init__(
        self,
        username: str,
        password: str,
        api_url: str = DEFAULT_API_URL,
        sender: str = DEFAULT_SENDER,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ):
        base = api_url.rstrip("/")
        self.send_url = base + "/v2/send.json"
        self.status_url = base + "/v2/status"
        self.sender = sender
        self.timeout_seconds = timeout_seconds
        self._username = username
        self._password = password
        self._http = _http.HttpClient(self.name, timeout_seconds)

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> "VerimorProvider":
        return cls(
            username=_http.required(settings, "VERIMOR_USERNAME", cls.name),
            password=_http.required(settings, "VERIMOR_PASSWORD", cls.name),
            api_url=settings.get("VERIMOR_API_URL") or DEFAULT_API_URL,
            sender=settings.get("SMS_SENDER") or DEFAULT_SENDER,
            timeout_seconds=_http.timeout_seconds(settings),
        )

    @property
    def _session(self):
        return self._http._session

    def send(self, sms: OutgoingSms) -> SendReceipt:
        return self.send_batch([sms])

    def send_batch(self, messages: list[OutgoingSms]) -> SendReceipt:
        """One campaign of ``messages`` (all of one encoding: ``datacoding`` is the campaign's)."""
        encodings = {sms.encoding for sms in messages}
        if len(encodings) != 1:
            raise ValueError(f"a Verimor campaign has one datacoding, not {len(encodings)}")
        [encoding] = encodings
        if encoding not in DATACODING:
            raise ValueError(f"no Verimor datacoding for encoding {encoding!r}")
        payload = {
            "username": self._username,
            "password": self._password,
            "source_addr": self.sender,
            "valid_for": VALID_FOR,
            "datacoding": DATACODING[encoding],
            "messages": [{"msg": sms.text, "dest": sms.phone.removeprefix("+"), "id": sms.message_id}
                         for sms in messages],
        }
        if len(messages) == 1:
            payload["custom_id"] = messages[0].message_id
        response = self._http.request("POST", self.send_url, json=payload)
        if response.ok:
            return SendReceipt(provider=self.name, provider_message_id=response.text.strip() or None)
        raise SmsSendError(
            f"verimor: HTTP {response.status_code} {self._error_text(response, *messages)}".rstrip(),
            retryable=_http.is_retryable_status(response.status_code),
        )

    def parse_delivery_report(self, request: CallbackRequest) -> list[DeliveryReport]:
        """Verimor's push: a JSON array of report objects (unsigned; see the module doc)."""
        if request.json is None:
            raise ValueError("verimor reports are a JSON array")
        return parse_reports(request.json)

    def poll_status(self, provider_message_ids: list[str]) -> list[DeliveryReport]:
        """One ``GET /v2/status?id=`` per campaign id (asked once however many of its messages
        wait: the answer covers the whole campaign); campaigns Verimor does not know (404) give
        no report."""
        reports = []
        for campaign_id in dict.fromkeys(provider_message_ids):
            params = {"id": campaign_id, "username": self._username, "password": self._password}
            response = self._http.request("GET", self.status_url, params=params)
            if response.status_code == 404:
                continue
            if not response.ok:
                raise SmsSendError(
                    f"verimor: status HTTP {response.status_code} {self._error_text(response)}".rstrip(),
                    retryable=_http.is_retryable_status(response.status_code),
                )
            try:
                reports.extend(parse_reports(response.json()))
            except (ValueError, requests.JSONDecodeError):
                raise SmsSendError("verimor: status answer is not a report list", retryable=True) from None
        return reports

    def _error_text(self, response, *messages):
        # Verimor's error texts are codes and short sentences; masking and cutting keeps an echoed
        # number, message or credential out of the reason all the same.
        secrets = [secret for sms in messages for secret in (sms.text, sms.phone, sms.phone.removeprefix("+"))]
        return _http.clean_text(response.text, *secrets, self._password)


def parse_reports(body) -> list[DeliveryReport]:
    """Reports from a Verimor report array (push or /v2/status answer)."""
    if not isinstance(body, list):
        raise ValueError("verimor reports are a JSON array")
    reports = []
    for item in body:
        if not isinstance(item, dict):
            raise ValueError("each verimor report is an object")
        if item.get("type", "outbound") != "outbound":
            continue
        status = item.get("status")
        campaign_id = item.get("campaign_id")
        if not isinstance(status, str) or campaign_id in (None, ""):
            raise ValueError("a verimor report needs campaign_id and status")
        state = STATUS_STATES.get(status)
        if state is None or status in NOT_ABOUT_THE_MESSAGE:
            continue
        reports.append(
            DeliveryReport(
                message_id=_optional_text(item.get("message_custom_id") or item.get("campaign_custom_id")),
                provider_message_id=str(campaign_id),
                state=state,
                reason=_reason(status, state, item.get("gsm_error")),
                at=_timestamp(item.get("done_at") or item.get("sent_at")),
            )
        )
    return reports


def _reason(status, state, gsm_error):
    if state == DELIVERED:
        return None
    if status == "SENT":
        return "SENT: unconfirmed (no delivery report from the operator)"
    code = str(gsm_error).strip() if gsm_error is not None else ""
    if state == FAILED and code.isdigit() and code != "0":
        return f"{status} gsm_error={code}"
    return status


def _optional_text(value):
    return str(value) if value not in (None, "") else None


def _timestamp(value):
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:  # 9999-12-31T23:59-05:00 would overflow in UTC
        return None
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=TURKEY_TIME)
