"""SMS provider clients, chosen by the SMS_PROVIDER setting (docs/sms.md#providers)."""
from collections.abc import Mapping

from services.notification.providers.base import (
    DELIVERED,
    FAILED,
    SENT,
    AlreadySent,
    BatchSending,
    CallbackRejected,
    CallbackRequest,
    DeliveryReport,
    OutgoingSms,
    SendReceipt,
    SmsProvider,
    SmsSendError,
    StatusPolling,
)
from services.notification.providers.iletimerkezi import IletiMerkeziProvider
from services.notification.providers.log import LogProvider
from services.notification.providers.twilio import TwilioProvider, verify_signature
from services.notification.providers.verimor import VerimorProvider

__all__ = [
    "AlreadySent",
    "BatchSending",
    "DELIVERED",
    "FAILED",
    "SENT",
    "CallbackRejected",
    "CallbackRequest",
    "DeliveryReport",
    "IletiMerkeziProvider",
    "LogProvider",
    "OutgoingSms",
    "SendReceipt",
    "SmsProvider",
    "SmsSendError",
    "StatusPolling",
    "TwilioProvider",
    "VerimorProvider",
    "build_provider",
    "verify_signature",
]

_PROVIDERS = {
    provider.name: provider for provider in (LogProvider, VerimorProvider, IletiMerkeziProvider, TwilioProvider)
}


def build_provider(settings: Mapping[str, str]) -> SmsProvider:
    """The provider named by ``settings["SMS_PROVIDER"]`` (``log`` when unset), configured from
    the same settings; ValueError for an unknown name or a missing setting (naming it)."""
    name = settings.get("SMS_PROVIDER") or LogProvider.name
    if name not in _PROVIDERS:
        raise ValueError(f"unknown SMS_PROVIDER {name!r}; expected one of: {', '.join(sorted(_PROVIDERS))}")
    return _PROVIDERS[name].from_settings(settings)
