"""SMS provider clients, chosen by the SMS_PROVIDER setting (design.md §9)."""
from collections.abc import Mapping

from services.notification.providers.base import OutgoingSms, SendReceipt, SmsProvider, SmsSendError
from services.notification.providers.log import LogProvider
from services.notification.providers.verimor import VerimorProvider

__all__ = [
    "LogProvider",
    "OutgoingSms",
    "SendReceipt",
    "SmsProvider",
    "SmsSendError",
    "VerimorProvider",
    "build_provider",
]

_PROVIDERS = {provider.name: provider for provider in (LogProvider, VerimorProvider)}


def build_provider(settings: Mapping[str, str]) -> SmsProvider:
    """The provider named by ``settings["SMS_PROVIDER"]`` (``log`` when unset), configured from
    the same settings; ValueError for an unknown name or a missing setting."""
    name = settings.get("SMS_PROVIDER") or LogProvider.name
    if name not in _PROVIDERS:
        raise ValueError(f"unknown SMS_PROVIDER {name!r}; expected one of: {', '.join(sorted(_PROVIDERS))}")
    return _PROVIDERS[name].from_settings(settings)
