"""A loopback stand-in for Verimor's SMS API v2, for tests.

Behaves as Verimor documents it (github.com/verimor/SMS-API, user_guide.md):

* ``POST /v2/send.json``: JSON in, plain text out — the campaign id with 200, ``Geçersiz
  kullanıcı adı/şifre`` with 401, an error code such as ``INVALID_DESTINATION_ADDRESS`` with 400,
  413 over 10 MB.
* ``GET /v2/status?id=<campaign>`` (or ``custom_id=``) ``&username=&password=``: the campaign's
  messages as a JSON array of report objects; 401 for bad credentials, 404 ``Bu idye sahip
  kampanya bulunamadı``. The guide states no rate limit here; stack-notes.md says 20 a minute,
  which the fake enforces (429) unless ``status_limit_per_minute=None``.
* Delivery reports are pushed as Verimor does: a JSON array POSTed to the callback URL (set in
  Verimor's panel; here ``callback_url=`` / ``--callback-url``), unsigned, one object per message
  with ``campaign_id``, ``campaign_custom_id``, ``message_id``, ``message_custom_id``, ``dest``,
  ``status``, ``gsm_error``, ``sent_at``, ``done_at`` (Turkey time, no offset). ``/_fake/report``
  statuses: ``delivered`` → DELIVERED, ``failed`` → NOT_DELIVERED (gsm_error 1), ``sent`` →
  WAITING; anything else is sent as given (e.g. ``EXPIRED`` or an undocumented status).
* With ``auto_report_seconds=`` / ``--auto-report SECONDS`` the fake pushes by itself, as Verimor
  does: every SECONDS one array (at most 200 objects a post) with the final report of each message
  accepted since its last push — DELIVERED for a message still WAITING, else the status it has
  (``DOUBLE_SEND_ERROR``, or one a ``/_fake/report`` set). ``GET /_fake/auto-report`` counts them.

Deduplication: Verimor documents none by custom_id (custom ids only label reports), so the
fake records EVERY accepted send, retries included. What Verimor does document is content-based:
the same text to the same number with the same sender on the same day ends as
``DOUBLE_SEND_ERROR`` — the fake gives such a repeat that status (``double_send_check=False``
turns it off). It is still recorded: Verimor took the request.

Test controls (``GET /_fake/messages``, ``POST /_fake/behaviour``, ``/_fake/release``,
``/_fake/report``): see tests/fakes/_base.py. Each recorded message has ``received_at``,
``message_id`` (our id, from the message ``id``), ``custom_id``, ``dest``, ``msg``,
``datacoding``, ``source_addr``, ``campaign_id`` and its current ``status``.

In-process: ``with FakeVerimor("user", "pass") as fake: ... fake.url ... fake.messages``.
As a process: ``python -m tests.fakes.verimor_server --port 0 --username U --password P
[--callback-url URL]`` prints ``listening <url>`` and serves until SIGTERM or Ctrl-C.
"""
import itertools
import json
import re
import time
from collections import deque
from datetime import datetime, timedelta, timezone

from tests.fakes._base import (
    AUTO_REPORT_BATCH,
    MAX_BODY_BYTES,
    Answer,
    FakeProviderServer,
    RejectedSend,
    json_answer,
    run_fake,
)

__all__ = ["BAD_CREDENTIALS", "FakeVerimor", "MAX_BODY_BYTES", "RejectedSend"]

SEND_PATH = "/v2/send.json"
STATUS_PATH = "/v2/status"
BAD_CREDENTIALS = "Geçersiz kullanıcı adı/şifre"
CAMPAIGN_NOT_FOUND = "Bu idye sahip kampanya bulunamadı"
FIRST_CAMPAIGN_ID = 20210
FIRST_MESSAGE_ID = 13582302
# Verimor's longest message (7 parts) by datacoding; no datacoding means plain GSM-7.
MAX_MESSAGE_CHARS = {"0": 1071, "1": 1043, "2": 469}
TURKISH_MOBILE = re.compile(r"905\d{9}")
VALID_FOR = re.compile(r"(\d{1,2}):(\d{2})")
TURKEY_TIME = timezone(timedelta(hours=3))
REPORT_STATUSES = {"delivered": ("DELIVERED", "0"), "failed": ("NOT_DELIVERED", "1"), "sent": ("WAITING", "0")}
FINAL = {"DELIVERED", "SENT"}


class FakeVerimor(FakeProviderServer):
    name = "verimor"

    def __init__(self, username, password, host="127.0.0.1", port=0, callback_url=None,
                 double_send_check=True, status_limit_per_minute=20, auto_report_seconds=None,
                 auto_report_batch=AUTO_REPORT_BATCH):
        super().__init__(host, port, callback_url, auto_report_seconds, auto_report_batch)
        self.username = username
        self.password = password
        self.double_send_check = double_send_check
        self.status_limit_per_minute = status_limit_per_minute
        self._status_calls = deque()
        self._campaign_ids = itertools.count(FIRST_CAMPAIGN_ID)
        self._message_ids = itertools.count(FIRST_MESSAGE_ID)
        self._sent_keys = set()  # _same_day_key of every message accepted

    def route(self, request):
        if request.path == SEND_PATH and request.method == "POST":
            return Answer(200, self.accept(request.json()))
        if request.path == STATUS_PATH and request.method == "GET":
            return json_answer(200, self.status(request.query))
        return Answer(404, "Not Found")

    def accept(self, request):
        """Check a send.json body as Verimor would; record its messages and give the campaign id."""
        self.misbehave()
        _check_send(request, self.username, self.password)
        received_at = time.time()
        with self._lock:
            campaign_id = str(next(self._campaign_ids))
            records = []
            for message in request["messages"]:
                for dest, message_id in _destinations(message):
                    record = {
                        "received_at": received_at,
                        "message_id": message_id,
                        "custom_id": request.get("custom_id"),
                        "dest": dest,
                        "msg": message["msg"],
                        "datacoding": request.get("datacoding"),
                        "source_addr": request.get("source_addr"),
                        "campaign_id": campaign_id,
                        "verimor_message_id": str(next(self._message_ids)),
                        "status": "WAITING",
                    }
                    if self.double_send_check and _same_day_key(record) in self._sent_keys:
                        record["status"] = "DOUBLE_SEND_ERROR"
                    records.append(record)
            self._messages.extend(records)
            # A set, not a scan of every earlier message: a long benchmark sends tens of thousands.
            self._sent_keys.update(_same_day_key(record) for record in records)
        return campaign_id

    def failure(self, status, body):
        return RejectedSend(status, body or f"HTTP {status}")

    # --- status polling

    def status(self, query):
        if query.get("username") != self.username or query.get("password") != self.password:
            raise RejectedSend(401, BAD_CREDENTIALS)
        self._count_status_call()
        campaign_id, custom_id = query.get("id"), query.get("custom_id")
        if not campaign_id and not custom_id:
            raise RejectedSend(400, "id veya custom_id zorunludur")
        dests = set(query["dest"].split(",")) if query.get("dest") else None
        with self._lock:
            records = [
                record
                for record in self._messages
                if (campaign_id and record["campaign_id"] == campaign_id)
                or (not campaign_id and record["custom_id"] == custom_id)
            ]
        if not records:
            raise RejectedSend(404, CAMPAIGN_NOT_FOUND)
        return [_report_object(record, with_type=False) for record in records if not dests or record["dest"] in dests]

    def _count_status_call(self):
        if self.status_limit_per_minute is None:
            return
        now = time.monotonic()
        with self._lock:
            while self._status_calls and now - self._status_calls[0] > 60:
                self._status_calls.popleft()
            if len(self._status_calls) >= self.status_limit_per_minute:
                raise RejectedSend(429, "Too Many Requests")
            self._status_calls.append(now)

    # --- reports

    def find(self, message_id=None, provider_message_id=None):
        with self._lock:
            for record in reversed(self._messages):
                if message_id is not None and record["message_id"] == message_id:
                    return record
                if provider_message_id is not None and record["campaign_id"] == str(provider_message_id):
                    return record
        return None

    def report_request(self, record, status):
        verimor_status, gsm_error = REPORT_STATUSES.get(status, (status, "0"))
        now = _turkey_now()
        with self._lock:
            _set_status(record, verimor_status, gsm_error, now)
            body = [_report_object(record, with_type=True)]
        return self.callback_url, {"Content-Type": "application/json"}, json.dumps(body).encode("utf-8")

    def report_batch_request(self, records):
        now = _turkey_now()
        with self._lock:
            for record in records:
                if record["status"] == "WAITING":
                    _set_status(record, "DELIVERED", "0", now)
            body = [_report_object(record, with_type=True) for record in records]
        return self.callback_url, {"Content-Type": "application/json"}, json.dumps(body).encode("utf-8")


def _turkey_now():
    return datetime.now(TURKEY_TIME).strftime("%Y-%m-%d %H:%M:%S")


def _set_status(record, verimor_status, gsm_error, now):
    record["status"] = verimor_status
    record["gsm_error"] = gsm_error
    record["done_at"] = now
    if verimor_status in FINAL:
        record["sent_at"] = now


def _report_object(record, with_type):
    report = {
        "campaign_id": int(record["campaign_id"]),
        "campaign_custom_id": record["custom_id"],
        "message_id": record["verimor_message_id"],
        "message_custom_id": record["message_id"],
        "dest": record["dest"],
        "size": 1,
        "international_multiplier": 1,
        "credits": 1,
        "status": record["status"],
        "gsm_error": record.get("gsm_error", "0"),
        "sent_at": record.get("sent_at"),
        "done_at": record.get("done_at"),
    }
    return {"type": "outbound", **report} if with_type else report


def _check_send(request, username, password):
    if not isinstance(request, dict):
        raise RejectedSend(400, "JSON object expected")
    if request.get("username") != username or request.get("password") != password:
        raise RejectedSend(401, BAD_CREDENTIALS)
    source_addr = request.get("source_addr")
    if source_addr is not None and not (isinstance(source_addr, str) and source_addr.strip()):
        raise RejectedSend(400, "INVALID_SOURCE_ADDRESS")
    if "valid_for" in request and not _valid_period(request["valid_for"]):
        raise RejectedSend(400, "INVALID_PERIOD")
    datacoding = request.get("datacoding")
    if datacoding is not None and str(datacoding) not in MAX_MESSAGE_CHARS:
        raise RejectedSend(400, "INVALID_DATACODING")
    messages = request.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RejectedSend(400, "MISSING_MESSAGE")
    for message in messages:
        _check_message(message, MAX_MESSAGE_CHARS[str(datacoding or "0")])


def _check_message(message, max_chars):
    if not isinstance(message, dict) or not isinstance(message.get("msg"), str) or not message["msg"]:
        raise RejectedSend(400, "MISSING_MESSAGE")
    if len(message["msg"]) > max_chars:
        raise RejectedSend(400, "MESSAGE_TOO_LONG")
    dest = message.get("dest")
    if not isinstance(dest, str) or not dest.strip():
        raise RejectedSend(400, "MISSING_DESTINATION_ADDRESS")
    if not all(TURKISH_MOBILE.fullmatch(number.strip()) for number in dest.split(",")):
        raise RejectedSend(400, "INVALID_DESTINATION_ADDRESS")


def _valid_period(value):
    match = VALID_FOR.fullmatch(value) if isinstance(value, str) else None
    if not match or int(match.group(2)) > 59:
        return False
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    return 1 <= minutes <= 48 * 60


def _same_day_key(record):
    """What Verimor's double-send check compares: the same text to the same number from the same
    sender on the same (Turkish) day."""
    day = datetime.fromtimestamp(record["received_at"], TURKEY_TIME).date()
    return record["dest"], record["msg"], record["source_addr"], day


def _destinations(message):
    # Verimor pairs comma-separated ids with the numbers and ignores them when the counts differ.
    numbers = [number.strip() for number in message["dest"].split(",")]
    ids = [part.strip() for part in str(message["id"]).split(",")] if "id" in message else []
    return zip(numbers, ids if len(ids) == len(numbers) else [None] * len(numbers))


def main(argv=None):
    run_fake(FakeVerimor, __doc__.splitlines()[0], ("--username", "--password"), argv)


if __name__ == "__main__":
    main()
