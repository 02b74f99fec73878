"""What every SMS provider client takes, gives back and raises.

Sending: ``send(OutgoingSms) -> SendReceipt`` or ``SmsSendError``. Providers whose API takes several
messages in one call (Verimor's ``messages`` list) also have ``send_batch`` (``BatchSending``); the
dispatcher sends one message per call through the others.

Delivery reports: the gateway receives a provider's callback and forwards what it saw as a
``CallbackRequest`` (plain JSON: ``CallbackRequest.from_dict`` / ``to_dict``); the provider
turns it into ``DeliveryReport``s with ``parse_delivery_report``, raising ``CallbackRejected``
when the request fails the provider's authentication (a bad Twilio signature) and ValueError
when the body is not the provider's report shape. Providers whose API lets us ask also have
``poll_status(provider_message_ids)``.

Reports may come twice and out of order (all three providers' docs either say so or leave it
open): whoever stores them must treat a report as idempotent and must not let a late "sent"
overwrite a "delivered" or "failed".
"""
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

SENT = "sent"  # handed on towards the handset; no final word yet
DELIVERED = "delivered"
FAILED = "failed"
STATES = (SENT, DELIVERED, FAILED)


@dataclass(frozen=True)
class OutgoingSms:
    message_id: str
    # Kept out of repr so that a logged or raised message never shows them (KVKK).
    phone: str = field(repr=False)  # E.164, +905…
    text: str = field(repr=False)
    encoding: str  # a name from services.notification.segments


@dataclass(frozen=True)
class SendReceipt:
    provider: str
    provider_message_id: str | None


class SmsSendError(Exception):
    """The provider did not take the message. ``reason`` never holds the phone or the text;
    ``retryable`` says whether sending the same message again later may succeed."""

    def __init__(self, reason: str, retryable: bool):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class AlreadySent(Exception):
    """The provider refused the message as a copy of one it took earlier (İleti Merkezi's 451):
    an earlier attempt of ours reached it before the process died. The message counts as sent."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class CallbackRejected(Exception):
    """A delivery-report request that fails the provider's authentication (e.g. a missing or
    wrong X-Twilio-Signature). The gateway should answer 403 and record nothing."""


@dataclass(frozen=True)
class DeliveryReport:
    """One provider statement about one message.

    ``message_id`` is OUR id when the provider echoes it (Verimor: the message custom id;
    Twilio: the ``message_id`` query parameter of the StatusCallback URL), else None
    (İleti Merkezi cannot carry it: match on ``provider_message_id``, the id ``send`` returned).
    ``reason`` is a short code for failures, never the phone number or the text.
    """

    message_id: str | None
    provider_message_id: str | None
    state: str  # one of STATES
    reason: str | None = None
    at: datetime | None = None  # aware, when the provider says when

    def __post_init__(self):
        if self.state not in STATES:
            raise ValueError(f"state must be one of {STATES}, not {self.state!r}")
        if self.at is not None and self.at.utcoffset() is None:
            raise ValueError("at must be an aware datetime")
        if self.message_id is None and self.provider_message_id is None:
            raise ValueError("a report must name the message by our id or the provider's")


@dataclass(frozen=True)
class CallbackRequest:
    """A provider's callback as the gateway saw it.

    ``url``: the full URL as the provider called it (scheme, host, port, path, query), which
    Twilio's signature covers; ``form``: the decoded form fields of an
    ``application/x-www-form-urlencoded`` post; ``json``: the parsed body of a JSON post;
    ``signature``: the value of the provider's signature header (``X-Twilio-Signature``) or None.
    """

    url: str
    content_type: str = ""
    form: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    signature: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "CallbackRequest":
        """From the JSON the gateway forwards; ValueError when a field has the wrong type."""
        if not isinstance(data, Mapping):
            raise ValueError("callback request must be an object")
        url, content_type = data.get("url"), data.get("content_type")
        form, signature = data.get("form"), data.get("signature")
        content_type = "" if content_type is None else content_type
        form = {} if form is None else form
        if not isinstance(url, str) or not url:
            raise ValueError("callback request needs the url the provider called")
        if not isinstance(content_type, str):
            raise ValueError("content_type must be text")
        if not isinstance(form, Mapping) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in form.items()
        ):
            raise ValueError("form must map text to text")
        if signature is not None and not isinstance(signature, str):
            raise ValueError("signature must be text")
        return cls(url=url, content_type=content_type, form=dict(form), json=data.get("json"), signature=signature)

    def to_dict(self) -> dict:
        return {
            "url": self.url,
            "content_type": self.content_type,
            "form": dict(self.form),
            "json": self.json,
            "signature": self.signature,
        }

    @property
    def media_type(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()


class SmsProvider(Protocol):
    name: str

    def send(self, sms: OutgoingSms) -> SendReceipt:
        """Hand one message to the provider, or raise SmsSendError."""

    def parse_delivery_report(self, request: CallbackRequest) -> list[DeliveryReport]:
        """The reports in one provider callback; CallbackRejected when it fails authentication,
        ValueError when it is malformed. Statuses the provider does not document are skipped."""


@runtime_checkable
class BatchSending(Protocol):
    """Providers that take several messages in one call, each still under its own message id."""

    def send_batch(self, messages: list[OutgoingSms]) -> SendReceipt:
        """Hand ``messages`` (one encoding) to the provider in one call: one receipt for all of them,
        or SmsSendError for all of them alike (the call either carried them all or none)."""


@runtime_checkable
class StatusPolling(Protocol):
    """Providers whose API answers "what became of these messages?"."""

    def poll_status(self, provider_message_ids: list[str]) -> list[DeliveryReport]:
        """Reports for the given ids (those the provider knows); SmsSendError when the provider
        cannot be asked now (``retryable`` as for send)."""
