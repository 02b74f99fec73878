"""Structured JSON logs with personal data masked (KVKK, docs/privacy.md#logs).

Code should never log a national ID or phone number in the first place;
the mask is the net under that rule, applied to every text of a line that did not come from the
code itself (the message with its arguments, the traceback, the request id a client sent).

Every line also names the request it was written for (``request_id``): the gateway takes or
makes one per HTTP request (gateway/request_ids.py) and sends it with each RPC as nameko
context data (header ``nameko.request_id``); in a service, ``RequestLogContext``
(common/request_context.py) holds it for the worker handling that RPC. Both sides keep it in one
context variable, which is local to a thread (gateway) and to a green thread (greenlet >= 1.0
gives each greenlet its own context).
"""
import atexit
import contextvars
import json
import logging
import os
import re
import sys
import threading
from types import TracebackType
from typing import Any, TextIO

REQUEST_ID_KEY = "request_id"  # nameko context data key; travels as message header nameko.request_id
REQUEST_ID_MAX_LENGTH = 64
MASK_STRAY_OUTPUT_CONFIG_KEY = "MASK_STRAY_OUTPUT"

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

_NATIONAL_ID = re.compile(r"(?<!\d)[1-9]\d{10}(?!\d)")
_PHONE = re.compile(r"(?<![\d+])(?:\+?90[\s.-]?|0)?\(?5\d{2}\)?[\s.-]?\d{3}[\s.-]?\d{2}[\s.-]?\d{2}(?!\d)")
# Both need ten digits at most two other characters apart; a pattern that starts with a digit is
# searched for fast, the two above try every position (most lines then cost 1 µs, not 15).
_TEN_DIGITS = re.compile(r"\d(?:\D{0,2}\d){9}")


def mask_personal_data(text: str) -> str:
    if not _TEN_DIGITS.search(text):
        return text
    text = _PHONE.sub("<phone>", text)
    return _NATIONAL_ID.sub("<national-id>", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_personal_data(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or _request_id.get()
        if request_id:
            entry["request_id"] = mask_personal_data(request_id)
        if record.exc_info:
            entry["exception"] = mask_personal_data(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def current_request_id() -> str | None:
    """The request id of the HTTP request or RPC this thread (or green thread) works for, or None."""
    return _request_id.get()


def bind_request_id(request_id: str | None) -> contextvars.Token[str | None]:
    """Makes ``request_id`` the current one; returns a token for ``unbind_request_id``."""
    return _request_id.set(request_id or None)


def unbind_request_id(token: contextvars.Token[str | None]) -> None:
    _request_id.reset(token)


class MaskingStream:
    """A text stream that writes whole lines, masked, to ``stream``: for what a process prints
    without logging (eventlet's tracebacks of crashed green threads, stray prints). A partial
    line waits for its newline (or exit), so a number is never split between two writes."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._pending = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            if "\n" in self._pending:
                lines, self._pending = self._pending.rsplit("\n", 1)
                self._stream.write(mask_personal_data(lines + "\n"))
            elif len(self._pending) > 65536:
                self._stream.write(mask_personal_data(self._pending))
                self._pending = ""
        return len(text)

    def close_pending(self) -> None:
        with self._lock:
            if self._pending:
                self._stream.write(mask_personal_data(self._pending))
                self._pending = ""
            self._stream.flush()

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _log_uncaught(exc_type: type[BaseException], exc_value: BaseException,
                  exc_traceback: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc_value, exc_traceback)
        return
    logging.getLogger("uncaught").critical("uncaught exception", exc_info=(exc_type, exc_value, exc_traceback))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is not SystemExit:
        _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback)  # type: ignore[arg-type]


def capture_stray_output() -> None:
    """Routes what a process would print outside logging through the JSON formatter or the mask:
    warnings and uncaught exceptions become log lines; stdout and stderr mask whole lines."""
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not isinstance(stream, MaskingStream):
            masked = MaskingStream(stream)
            setattr(sys, name, masked)
            atexit.register(masked.close_pending)


def skip_unused_record_fields() -> None:
    """Log records stop gathering what ``JsonFormatter`` never writes: the caller's file and line
    (a walk up the stack), the thread's, process's and multiprocessing's names (under eventlet the
    thread's name is a green lookup). The logging HOWTO's "Optimization"; a line costs 18 -> 11 µs
    in a service (bench/README.md "Issue 20, sixth session")."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def configure(level: str | int | None = None) -> None:
    """For processes that don't take logging from a nameko config (the gateway, tools); the level
    is ``level``, else ``LOG_LEVEL`` (as in the services' configs), else INFO."""
    skip_unused_record_fields()
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or os.environ.get("LOG_LEVEL") or "INFO")
    # py-amqp warns for every confirm that arrives on a channel closed by a refused
    # (mandatory) publish, e.g. an RPC to a service that is not up: noise, not news.
    logging.getLogger("amqp").setLevel(logging.ERROR)
    # At DEBUG nameko.rpc prints every RPC reply's body (names, tracking codes): never below INFO.
    logging.getLogger("nameko.rpc").setLevel(max(logging.INFO, root.level))
