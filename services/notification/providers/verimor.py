"""Client for Verimor's public SMS API v2 (https://github.com/verimor/SMS-API, user_guide.md).

``POST {api}/v2/send.json`` with a JSON body; the answer is plain text: the campaign id with
200, else an error text such as ``INSUFFICIENT_CREDITS`` (400) or ``Geçersiz kullanıcı
adı/şifre`` (401). 413 and 429 are its size and rate limits (150 requests a minute).
"""
import threading
from collections.abc import Mapping

import requests

from common.logs import mask_personal_data
from services.notification.providers.base import OutgoingSms, SendReceipt, SmsSendError
from services.notification.segments import GSM7, GSM7_TURKISH, UCS2

DEFAULT_API_URL = "https://sms.verimor.com.tr"
DEFAULT_SENDER = "ACIKKAPI"
DEFAULT_TIMEOUT_SECONDS = 10.0
VALID_FOR = "24:00"
DATACODING = {GSM7: "0", GSM7_TURKISH: "1", UCS2: "2"}
_ERROR_TEXT_LIMIT = 200


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
        self.send_url = api_url.rstrip("/") + "/v2/send.json"
        self.sender = sender
        self.timeout_seconds = timeout_seconds
        self._username = username
        self._password = password
        self._session = None
        self._session_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> "VerimorProvider":
        return cls(
            username=_required(settings, "VERIMOR_USERNAME"),
            password=_required(settings, "VERIMOR_PASSWORD"),
            api_url=settings.get("VERIMOR_API_URL") or DEFAULT_API_URL,
            sender=settings.get("SMS_SENDER") or DEFAULT_SENDER,
            timeout_seconds=_timeout(settings),
        )

    def send(self, sms: OutgoingSms) -> SendReceipt:
        if sms.encoding not in DATACODING:
            raise ValueError(f"no Verimor datacoding for encoding {sms.encoding!r}")
        payload = {
            "username": self._username,
            "password": self._password,
            "source_addr": self.sender,
            "valid_for": VALID_FOR,
            "custom_id": sms.message_id,
            "datacoding": DATACODING[sms.encoding],
            "messages": [{"msg": sms.text, "dest": sms.phone.removeprefix("+"), "id": sms.message_id}],
        }
        try:
            response = self._http().post(
                self.send_url, json=payload, timeout=(self.timeout_seconds, self.timeout_seconds)
            )
        except requests.Timeout:
            raise SmsSendError(f"verimor: no answer within {self.timeout_seconds:g} s", retryable=True) from None
        except requests.RequestException as error:
            # The exception text may quote the request; its type is enough to act on.
            raise SmsSendError(f"verimor: {type(error).__name__}", retryable=True) from None
        if response.ok:
            return SendReceipt(provider=self.name, provider_message_id=response.text.strip() or None)
        retryable = response.status_code == 429 or response.status_code >= 500
        raise SmsSendError(
            f"verimor: HTTP {response.status_code} {_error_text(response, sms)}".rstrip(), retryable=retryable
        )

    def _http(self) -> requests.Session:
        with self._session_lock:
            if self._session is None:
                self._session = requests.Session()
            return self._session


def _error_text(response, sms):
    # Verimor's error texts are codes and short sentences; masking and cutting keeps an echoed
    # number or message out of the reason all the same.
    text = response.text.replace(sms.text, "<text>") if sms.text else response.text
    return mask_personal_data(" ".join(text.split()))[:_ERROR_TEXT_LIMIT]


def _required(settings, name):
    value = settings.get(name)
    if not value:
        raise ValueError(f"{name} must be set for SMS_PROVIDER=verimor")
    return value


def _timeout(settings):
    raw = settings.get("SMS_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"SMS_TIMEOUT_SECONDS must be a number of seconds, not {raw!r}") from None
    if seconds <= 0:
        raise ValueError(f"SMS_TIMEOUT_SECONDS must be positive, not {raw!r}")
    return seconds
