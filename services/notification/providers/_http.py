"""What the HTTP provider clients share: settings checks, one lazily made session, the timeout
on every call, and the mapping of transport trouble to SmsSendError.

Error mapping (the same for every provider): no answer within the timeout, a refused or broken
connection, HTTP 5xx and HTTP 429 are retryable; any other 4xx is not.
"""
import threading
from collections.abc import Mapping

import requests
from requests.adapters import HTTPAdapter

from common.logs import mask_personal_data
from services.notification.providers.base import SmsSendError

DEFAULT_TIMEOUT_SECONDS = 10.0
ERROR_TEXT_LIMIT = 200
# Connections kept open to the provider for the next call. requests keeps 10 per host; more calls
# at once (SMS_CONCURRENCY above 10) would each open and drop a connection of their own.
KEPT_CONNECTIONS = 32


def required(settings: Mapping[str, str], name: str, provider: str) -> str:
    value = settings.get(name)
    if not value:
        raise ValueError(f"{name} must be set for SMS_PROVIDER={provider}")
    return value


def timeout_seconds(settings: Mapping[str, str]) -> float:
    raw = settings.get("SMS_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"SMS_TIMEOUT_SECONDS must be a number of seconds, not {raw!r}") from None
    if not seconds > 0 or seconds == float("inf"):
        raise ValueError(f"SMS_TIMEOUT_SECONDS must be positive, not {raw!r}")
    return seconds


def is_retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


def clean_text(text: str, *secrets: str) -> str:
    """An error text from a provider, fit for a reason: the given secrets (the message text,
    credentials) replaced, phone numbers and national ids masked, whitespace folded, cut short."""
    for secret in secrets:
        if secret and len(secret) >= 4:  # shorter ones would shred the text, and reveal little
            text = text.replace(secret, "<redacted>")
    return mask_personal_data(" ".join(text.split()))[:ERROR_TEXT_LIMIT]


class HttpClient:
    """One ``requests.Session`` made on first use (so building a provider touches no network)
    and shared by all callers, so calls reuse its kept-alive connections (up to
    ``KEPT_CONNECTIONS``); every call carries ``(timeout, timeout)`` as connect and read
    timeouts. A read timeout bounds each wait for bytes, which is what a hanging provider
    (accepts, never answers) runs into."""

    def __init__(self, provider: str, timeout: float):
        self.provider = provider
        self.timeout_seconds = timeout
        self._session: requests.Session | None = None
        self._session_lock = threading.Lock()

    def session(self) -> requests.Session:
        with self._session_lock:
            if self._session is None:
                session = requests.Session()
                for scheme in ("https://", "http://"):
                    session.mount(scheme, HTTPAdapter(pool_maxsize=KEPT_CONNECTIONS))
                self._session = session
            return self._session

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        try:
            return self.session().request(
                method, url, timeout=(self.timeout_seconds, self.timeout_seconds), **kwargs
            )
        except requests.Timeout:
            raise SmsSendError(
                f"{self.provider}: no answer within {self.timeout_seconds:g} s", retryable=True
            ) from None
        except requests.RequestException as error:
            # The exception text may quote the request (URL with credentials, body); its type
            # is enough to act on.
            raise SmsSendError(f"{self.provider}: {type(error).__name__}", retryable=True) from None
