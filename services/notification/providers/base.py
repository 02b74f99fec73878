"""What every SMS provider client takes, gives back and raises."""
from dataclasses import dataclass, field
from typing import Protocol


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


class SmsProvider(Protocol):
    name: str

    def send(self, sms: OutgoingSms) -> SendReceipt:
        """Hand one message to the provider, or raise SmsSendError."""
