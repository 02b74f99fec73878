"""A loopback stand-in for Verimor's SMS API v2 send endpoint, for tests.

Behaves as Verimor documents ``POST /v2/send.json`` (github.com/verimor/SMS-API, user_guide.md):
JSON in, plain text out — the campaign id with 200, ``Geçersiz kullanıcı adı/şifre`` with 401,
an error code such as ``INVALID_DESTINATION_ADDRESS`` with 400, 413 over 10 MB. Test controls:
``GET /_fake/messages`` (what was accepted) and ``POST /_fake/behaviour`` with
``{"fail_next": N, "status": 503, "body": "..."}`` (the next N sends fail so).

In-process: ``with FakeVerimor("user", "pass") as fake: ... fake.url ... fake.messages``.
As a process: ``python -m tests.fakes.verimor_server --port 0 --username U --password P``
prints ``listening <url>`` and serves until SIGTERM or Ctrl-C.
"""
import argparse
import itertools
import json
import re
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SEND_PATH = "/v2/send.json"
MESSAGES_PATH = "/_fake/messages"
BEHAVIOUR_PATH = "/_fake/behaviour"
BAD_CREDENTIALS = "Geçersiz kullanıcı adı/şifre"
MAX_BODY_BYTES = 10 * 1024 * 1024
FIRST_CAMPAIGN_ID = 20210
# Verimor's longest message (7 parts) by datacoding; no datacoding means plain GSM-7.
MAX_MESSAGE_CHARS = {"0": 1071, "1": 1043, "2": 469}
TURKISH_MOBILE = re.compile(r"905\d{9}")
VALID_FOR = re.compile(r"(\d{1,2}):(\d{2})")


class RejectedSend(Exception):
    def __init__(self, status, text):
        super().__init__(text)
        self.status = status
        self.text = text


class FakeVerimor:
    def __init__(self, username, password, host="127.0.0.1", port=0):
        self.username = username
        self.password = password
        self._lock = threading.Lock()
        self._messages = []
        self._failures = []  # (status, body) for each of the next sends to fail
        self._campaign_ids = itertools.count(FIRST_CAMPAIGN_ID)
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = None

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def messages(self):
        with self._lock:
            return list(self._messages)

    def start(self):
        # A short poll keeps stop() (and so every test's teardown) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-verimor", daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def fail_next(self, count, status, body=None):
        with self._lock:
            self._failures = [(status, body or f"HTTP {status}")] * count

    def accept(self, request):
        """Check a send.json body as Verimor would; record its messages and give the campaign id."""
        with self._lock:
            if self._failures:
                raise RejectedSend(*self._failures.pop(0))
        _check_send(request, self.username, self.password)
        received_at = time.time()
        records = [
            {
                "received_at": received_at,
                "message_id": message_id,
                "custom_id": request.get("custom_id"),
                "dest": dest,
                "msg": message["msg"],
                "datacoding": request.get("datacoding"),
                "source_addr": request.get("source_addr"),
            }
            for message in request["messages"]
            for dest, message_id in _destinations(message)
        ]
        with self._lock:
            self._messages.extend(records)
            return str(next(self._campaign_ids))


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


def _destinations(message):
    # Verimor pairs comma-separated ids with the numbers and ignores them when the counts differ.
    numbers = [number.strip() for number in message["dest"].split(",")]
    ids = [part.strip() for part in str(message["id"]).split(",")] if "id" in message else []
    return zip(numbers, ids if len(ids) == len(numbers) else [None] * len(numbers))


def _handler_for(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            if self.path == MESSAGES_PATH:
                self._answer(200, json.dumps(fake.messages, ensure_ascii=False), "application/json")
            else:
                self._answer(404, "Not Found")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self.close_connection = True
                self._answer(413, "Request Entity Too Large")
                return
            body = self.rfile.read(length)
            if self.path == SEND_PATH:
                self._send(body)
            elif self.path == BEHAVIOUR_PATH:
                self._behaviour(body)
            else:
                self._answer(404, "Not Found")

        def _send(self, body):
            try:
                campaign_id = fake.accept(_json(body))
            except RejectedSend as rejection:
                self._answer(rejection.status, rejection.text)
            else:
                self._answer(200, campaign_id)

        def _behaviour(self, body):
            try:
                count, status, failure_body = _behaviour(_json(body))
            except RejectedSend as rejection:
                self._answer(rejection.status, rejection.text)
                return
            fake.fail_next(count, status, failure_body)
            self._answer(200, json.dumps({"fail_next": count, "status": status}), "application/json")

        def _answer(self, status, text, content_type="text/plain"):
            payload = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args):
            """Quiet: test output is not the place for request lines."""

    return Handler


def _behaviour(request):
    request = request if isinstance(request, dict) else {}
    count, status, body = request.get("fail_next"), request.get("status", 503), request.get("body")
    if not (isinstance(count, int) and count >= 0 and isinstance(status, int) and 400 <= status <= 599):
        raise RejectedSend(400, "expected {fail_next: count >= 0, status: 400..599, body?: text}")
    if body is not None and not isinstance(body, str):
        raise RejectedSend(400, "body must be text")
    return count, status, body


def _json(body):
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RejectedSend(400, "JSON expected") from None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args(argv)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    with FakeVerimor(args.username, args.password, host=args.host, port=args.port) as fake:
        print(f"listening {fake.url}", flush=True)
        try:
            stopping.wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
