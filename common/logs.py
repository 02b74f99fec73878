"""Structured JSON logs with personal data masked (KVKK, design.md §6).

Code should never log a national ID or phone number in the first place;
the mask is the net under that rule, applied to the whole rendered line
(message, arguments, tracebacks).
"""
import json
import logging
import re

_NATIONAL_ID = re.compile(r"(?<!\d)[1-9]\d{10}(?!\d)")
_PHONE = re.compile(r"(?<![\d+])(?:\+?90[\s.-]?|0)?\(?5\d{2}\)?[\s.-]?\d{3}[\s.-]?\d{2}[\s.-]?\d{2}(?!\d)")


def mask_personal_data(text):
    text = _PHONE.sub("<phone>", text)
    return _NATIONAL_ID.sub("<national-id>", text)


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return mask_personal_data(json.dumps(entry, ensure_ascii=False))


def configure(level="INFO"):
    """For processes that don't take logging from a nameko config (the gateway, tools)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # py-amqp warns for every confirm that arrives on a channel closed by a refused
    # (mandatory) publish, e.g. an RPC to a service that is not up: noise, not news.
    logging.getLogger("amqp").setLevel(logging.ERROR)
