"""The development stand-in for an SMS gateway: one JSON line per message under DATA_DIR."""
import json
import threading
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from services.notification.providers.base import CallbackRequest, DeliveryReport, OutgoingSms, SendReceipt

LOG_FILE_NAME = "sms-log.jsonl"


def mask_phone(phone: str) -> str:
    """``+905321234567`` → ``+90532*****67``: enough to tell operators apart, not to call."""
    return phone[:6] + "*" * max(len(phone) - 8, 0) + phone[-2:]


class LogProvider:
    name = "log"

    def __init__(self, data_dir: str | Path):
        directory = Path(data_dir)
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / LOG_FILE_NAME
        # eventlet's monkey patching turns this into a green lock, so it guards greenthreads too.
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> "LogProvider":
        return cls(settings.get("DATA_DIR") or "./var")

    def send(self, sms: OutgoingSms) -> SendReceipt:
        line = json.dumps(
            {
                "at": datetime.now().astimezone().isoformat(timespec="milliseconds"),
                "message_id": sms.message_id,
                "to": mask_phone(sms.phone),
                "text": sms.text,
                "encoding": sms.encoding,
            },
            ensure_ascii=False,
        )
        with self._lock, self.path.open("a", encoding="utf-8") as log:
            log.write(line + "\n")
        return SendReceipt(provider=self.name, provider_message_id=None)

    def parse_delivery_report(self, request: CallbackRequest) -> list[DeliveryReport]:
        """Nothing calls back for a log line."""
        raise ValueError("the log provider sends no delivery reports")
