"""What the loopback provider fakes share: a threaded http.server, the record of accepted
messages, scripted misbehaviour, and pushing delivery reports to a callback URL.

Test controls, the same on every fake:

* ``GET /_fake/messages`` — every accepted message, oldest first, each with ``received_at``
  (epoch seconds) and ``message_id`` (OUR id, where the provider's API can carry it, else null);
  ``?since=N`` leaves out the first N (a poller that has read N asks only for what is new).
* ``POST /_fake/behaviour`` — script the next sends:
  ``{"fail_next": N, "status": 503, "body": "..."}`` (the next N sends fail so; ``"status":
  "hang"`` makes them hang) or ``{"steps": [500, 500, "hang", {"status": 429, "body": "..."}]}``
  (one step per coming send; sends after the script behave normally) or ``{"clear": true}``.
  ``GET /_fake/behaviour`` tells ``{"pending": <scripted steps left>, "hanging": <sends held now>}``
  (so a test can wait until the fake is holding a call).
  A hanging send is accepted and left unanswered until ``POST /_fake/release`` (then it is
  processed and answered as usual — the "provider took it but the answer was late" case) or
  until the fake stops (then the connection is closed unanswered). Other requests, including
  other sends, are served meanwhile.
* ``POST /_fake/release`` — let every hanging send go on.
* ``POST /_fake/report`` — ``{"message_id": <our id> | "provider_message_id": <theirs>,
  "status": "delivered" | "failed" | "sent" | <a provider status>, "repeat": 2,
  "reverse_order_with": "<other status>"}``: push reports for the newest matching message to the
  callback URL the way the real provider does; ``status`` ``repeat`` times, then (if given)
  ``reverse_order_with`` ``repeat`` times — the later state arriving first. Answers
  ``{"pushed": [{"status": ..., "http_status": ...}, ...]}`` once all were sent.
* Reports by themselves (``auto_report_seconds=`` / ``--auto-report SECONDS``; off by default, so
  tests that push reports explicitly see no others): every SECONDS the fake pushes the reports of
  every message accepted since its last push, in posts of at most ``auto_report_batch`` (200)
  reports, as a provider that batches its pushes does (the fake must implement
  ``report_batch_request``). A post that fails (no answer, or an answer other than 2xx and 4xx) is
  tried again at the next round; a 4xx answer drops the post's reports (counted as refused).
  ``GET /_fake/auto-report`` tells ``{"seconds", "due": reports not pushed yet, "pushed": reports
  answered with a 2xx, "refused", "posts", "failed_posts", "rounds"}``.
"""
import argparse
import json
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

MESSAGES_PATH = "/_fake/messages"
BEHAVIOUR_PATH = "/_fake/behaviour"
RELEASE_PATH = "/_fake/release"
REPORT_PATH = "/_fake/report"
AUTO_REPORT_PATH = "/_fake/auto-report"
AUTO_REPORT_BATCH = 200
MAX_BODY_BYTES = 10 * 1024 * 1024
HANG = "hang"


class RejectedSend(Exception):
    def __init__(self, status, text, content_type="text/plain"):
        super().__init__(text)
        self.status = status
        self.text = text
        self.content_type = content_type


class Answer:
    def __init__(self, status, text="", content_type="text/plain"):
        self.status = status
        self.text = text
        self.content_type = content_type


class Dropped(Exception):
    """Close the connection without an answer."""


class LoopbackServer:
    """A threaded HTTP server on loopback, as a context manager: ``url``, ``start()``, ``stop()``.
    Subclasses give the request handler class in ``__init__``."""

    name = "loopback"

    def __init__(self, handler_class, host="127.0.0.1", port=0):
        self._server = ThreadingHTTPServer((host, port), handler_class)
        self._server.daemon_threads = True
        self._thread = None

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        # A short poll keeps stop() (and so every test's teardown) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"fake-{self.name}", daemon=True
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


class ScriptedSteps:
    """Scripted misbehaviour, the same on every fake (the HTTP providers' and the SMTP server): steps,
    one per coming request (``set_steps``, then normal behaviour), and the requests a ``"hang"`` step
    holds until ``release()`` or until the fake stops. A fake calls ``_init_steps()`` in
    ``__init__`` (it makes ``_lock``, which the fake may share), ``_take_step()`` per request, waits
    on a held request's Event its own way (a thread blocks, an event loop polls) and gives up when
    ``_stopping`` is set, and calls ``_stop_holding()`` when it stops."""

    def _init_steps(self):
        self._lock = threading.Lock()
        self._steps = []
        self._hanging = []  # an Event per held request
        self._stopping = threading.Event()

    def _script_step(self, step):
        """A step as ``set_steps`` keeps it (a fake may check and normalise it here)."""
        return step

    def set_steps(self, steps):
        steps = [self._script_step(step) for step in steps]
        with self._lock:
            self._steps = steps

    @property
    def pending_steps(self):
        with self._lock:
            return list(self._steps)

    @property
    def hanging(self):
        with self._lock:
            return len(self._hanging)

    def release(self):
        with self._lock:
            hanging, self._hanging = self._hanging, []
        for released in hanging:
            released.set()

    def _take_step(self, wanted=None):
        """The next scripted step, taken from the script (only if ``wanted(step)``, when given), and
        for a ``"hang"`` the Event ``release()`` sets: ``(step, released)``, ``(None, None)`` if none."""
        with self._lock:
            if not self._steps or (wanted is not None and not wanted(self._steps[0])):
                return None, None
            step = self._steps.pop(0)
            released = None
            if step == HANG:
                released = threading.Event()
                self._hanging.append(released)
        return step, released

    def _stop_holding(self):
        """The fake stops: every held request lets go, and gives up."""
        self._stopping.set()
        self.release()


class FakeProviderServer(ScriptedSteps, LoopbackServer):
    """Subclasses set ``name`` and implement ``route(request)`` and ``report_request(record,
    status)``; sends call ``self.misbehave()`` first."""

    name = "fake"

    def __init__(self, host="127.0.0.1", port=0, callback_url=None, auto_report_seconds=None,
                 auto_report_batch=AUTO_REPORT_BATCH):
        self.callback_url = callback_url
        self._init_steps()
        self._messages = []
        self._auto_reports = AutoReports(self, auto_report_seconds, auto_report_batch)
        super().__init__(_handler_for(self), host, port)

    def start(self):
        super().start()
        self._auto_reports.start()
        return self

    def stop(self):
        self._stop_holding()
        self._auto_reports.stop()
        super().stop()

    # --- record

    @property
    def messages(self):
        return self.messages_since(0)

    def messages_since(self, count):
        """Every accepted message after the first ``count``."""
        with self._lock:
            return [dict(record) for record in self._messages[count:]]

    def _record(self, records):
        with self._lock:
            self._messages.extend(records)

    def find(self, message_id=None, provider_message_id=None):
        with self._lock:
            for record in reversed(self._messages):
                if message_id is not None and record.get("message_id") == message_id:
                    return record
                if provider_message_id is not None and str(record.get("provider_message_id")) == str(
                    provider_message_id
                ):
                    return record
        return None

    # --- behaviour

    def fail_next(self, count, status, body=None):
        self.set_steps([{"status": status, "body": body}] * count)

    def hang_next(self, count=1):
        self.set_steps([HANG] * count)

    def _script_step(self, step):
        return _step(step)

    def misbehave(self):
        """Apply the next scripted step, if any: raise the failure or hang until released."""
        step, released = self._take_step()
        if step is None:
            return
        if released is not None:
            while not released.wait(0.05):
                if self._stopping.is_set():
                    break
            if self._stopping.is_set():
                raise Dropped()
            return
        raise self.failure(step["status"], step["body"])

    def failure(self, status, body):
        """The provider-shaped error answer for a scripted failure."""
        return RejectedSend(status, body or f"HTTP {status}")

    # --- reports

    def push_reports(self, message_id=None, provider_message_id=None, status="delivered", repeat=1,
                     reverse_order_with=None):
        record = self.find(message_id, provider_message_id)
        if record is None:
            raise RejectedSend(404, "no such message recorded")
        statuses = [status] * repeat + ([reverse_order_with] * repeat if reverse_order_with else [])
        pushed = []
        for each in statuses:
            url, headers, body = self.report_request(record, each)
            if not url:
                raise RejectedSend(409, "no callback URL for this message (give --callback-url)")
            try:
                answer = requests.post(url, data=body, headers=headers, timeout=10)
                pushed.append({"status": each, "http_status": answer.status_code})
            except requests.RequestException as error:
                pushed.append({"status": each, "error": type(error).__name__})
        return pushed

    def report_request(self, record, status):
        """(url, headers, body bytes) of one report push for ``record``."""
        raise NotImplementedError

    def report_batch_request(self, records):
        """(url, headers, body bytes) of one push of the final reports of ``records`` (the
        fake's own push, ``auto_report_seconds``)."""
        raise NotImplementedError

    def _take_unreported(self, after):
        """The records accepted after the first ``after``, and how many there are in all."""
        with self._lock:
            return self._messages[after:], len(self._messages)

    @property
    def auto_report_state(self):
        return self._auto_reports.state()

    # --- routing

    def route(self, request):
        """An Answer for a provider request (not a /_fake one)."""
        raise NotImplementedError


class AutoReports:
    """A fake's own pushes of delivery reports (see the module's docstring): a thread that, every
    ``seconds``, takes the messages accepted since its last round and posts their reports in
    batches, keeping a batch that failed for the next round."""

    def __init__(self, fake, seconds, batch):
        if seconds is not None and not seconds > 0:
            raise ValueError("auto_report_seconds must be > 0")
        self.fake, self.seconds, self.batch = fake, seconds, max(1, int(batch))
        self._lock = threading.Lock()
        self._taken = 0  # how many of the fake's records were taken into _due
        self._due = []
        self._counts = {"pushed": 0, "refused": 0, "posts": 0, "failed_posts": 0, "rounds": 0}
        self._stop = threading.Event()
        self._thread = None
        self._session = None

    def start(self):
        if self.seconds is None:
            return
        self._session = requests.Session()  # keep-alive, as a provider's pusher would
        self._thread = threading.Thread(target=self._run, name=f"fake-{self.fake.name}-reports", daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(15)
            self._session.close()

    def state(self):
        with self._lock:
            unread = len(self.fake._take_unreported(self._taken)[0])
            return {"seconds": self.seconds, "due": len(self._due) + unread, **self._counts}

    def _run(self):
        while not self._stop.wait(self.seconds):
            self.push_round()

    def push_round(self):
        """One round: take what is new, post it batch by batch until done or a post fails."""
        with self._lock:
            new, self._taken = self.fake._take_unreported(self._taken)
            self._due.extend(new)
            self._counts["rounds"] += 1
        while not self._stop.is_set():
            with self._lock:
                batch = self._due[: self.batch]
            if not batch:
                return
            outcome = self._post(batch)
            with self._lock:
                self._counts["posts"] += 1
                if outcome == "retry":
                    self._counts["failed_posts"] += 1
                    return
                del self._due[: len(batch)]
                self._counts[outcome] += len(batch)

    def _post(self, batch):
        url, headers, body = self.fake.report_batch_request(batch)
        if not url:
            return "retry"
        try:
            answer = self._session.post(url, data=body, headers=headers, timeout=10)
        except requests.RequestException:
            return "retry"
        if 200 <= answer.status_code < 300:
            return "pushed"
        # A refusal is final: the same reports would be refused again.
        return "refused" if 400 <= answer.status_code < 500 else "retry"


class Request:
    def __init__(self, method, target, headers, body):
        parts = urlsplit(target)
        self.method = method
        self.path = parts.path
        self.query = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise RejectedSend(400, "JSON expected") from None


def json_answer(status, value):
    return Answer(status, json.dumps(value, ensure_ascii=False), "application/json")


def _step(step):
    if isinstance(step, str) and step.lower() == HANG:
        return HANG
    if isinstance(step, int) and not isinstance(step, bool):
        step = {"status": step}
    if isinstance(step, dict) and isinstance(step.get("status"), str) and step["status"].lower() == HANG:
        return HANG
    if not (isinstance(step, dict) and isinstance(step.get("status"), int) and 400 <= step["status"] <= 599):
        raise RejectedSend(400, 'each step is "hang", a status 400..599 or {"status": ..., "body": ...}')
    if step.get("body") is not None and not isinstance(step["body"], str):
        raise RejectedSend(400, "body must be text")
    return {"status": step["status"], "body": step.get("body")}


def _behaviour(fake, request):
    if not isinstance(request, dict):
        raise RejectedSend(400, "JSON object expected")
    if request.get("clear"):
        fake.set_steps([])
    elif "steps" in request:
        if not isinstance(request["steps"], list):
            raise RejectedSend(400, "steps must be a list")
        fake.set_steps(request["steps"])
    else:
        count, status, body = request.get("fail_next"), request.get("status", 503), request.get("body")
        if not (isinstance(count, int) and not isinstance(count, bool) and count >= 0):
            raise RejectedSend(400, "expected {fail_next: count >= 0, status: 400..599 or \"hang\", body?: text}")
        fake.set_steps([{"status": status, "body": body}] * count)
    return {"pending": len(fake.pending_steps)}


def _report(fake, request):
    if not isinstance(request, dict):
        raise RejectedSend(400, "JSON object expected")
    message_id = request.get("message_id")
    provider_message_id = request.get("provider_message_id", request.get("order_id"))
    status, repeat, other = request.get("status"), request.get("repeat", 1), request.get("reverse_order_with")
    if message_id is None and provider_message_id is None:
        raise RejectedSend(400, "give message_id (ours) or provider_message_id")
    if not isinstance(status, str) or not status:
        raise RejectedSend(400, "status must be text")
    if not (isinstance(repeat, int) and not isinstance(repeat, bool) and 1 <= repeat <= 10):
        raise RejectedSend(400, "repeat must be 1..10")
    if other is not None and not isinstance(other, str):
        raise RejectedSend(400, "reverse_order_with must be text")
    return {"pushed": fake.push_reports(message_id, provider_message_id, status, repeat, other)}


def _count(text):
    try:
        count = int(text)
    except ValueError:
        count = -1
    if count < 0:
        raise RejectedSend(400, "since must be a count >= 0")
    return count


class FakeHandler(BaseHTTPRequestHandler):
    """The HTTP side every loopback fake shares: bodies read (413 past MAX_BODY_BYTES), a subclass's
    ``_dispatch(request)`` answers (RejectedSend: its status; Dropped: no answer at all), quietly."""
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm the second waits for the
    # client's delayed ACK, ~40 ms a call on a kept-alive connection (a real provider has no such pause).
    disable_nagle_algorithm = True

    def do_GET(self):
        self._serve("GET", b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._answer(Answer(413, "Request Entity Too Large"))
            return
        self._serve("POST", self.rfile.read(length))

    def _serve(self, method, body):
        request = Request(method, self.path, self.headers, body)
        try:
            answer = self._dispatch(request)
        except RejectedSend as rejection:
            answer = Answer(rejection.status, rejection.text, rejection.content_type)
        except Dropped:
            self.close_connection = True  # no answer at all: the client sees the connection close
            return
        self._answer(answer)

    def _dispatch(self, request):
        raise NotImplementedError

    def _answer(self, answer):
        payload = answer.text.encode("utf-8")
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", f"{answer.content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a timeout): nothing to tell

    def log_message(self, format, *args):
        """Quiet: test output is not the place for request lines."""


def _handler_for(fake):
    class Handler(FakeHandler):
        def _dispatch(self, request):
            if request.path == MESSAGES_PATH and request.method == "GET":
                return json_answer(200, fake.messages_since(_count(request.query.get("since", "0"))))
            if request.path == AUTO_REPORT_PATH and request.method == "GET":
                return json_answer(200, fake.auto_report_state)
            if request.path == BEHAVIOUR_PATH and request.method == "GET":
                return json_answer(200, {"pending": len(fake.pending_steps), "hanging": fake.hanging})
            if request.path == BEHAVIOUR_PATH and request.method == "POST":
                return json_answer(200, _behaviour(fake, request.json()))
            if request.path == RELEASE_PATH and request.method == "POST":
                fake.release()
                return json_answer(200, {"released": True})
            if request.path == REPORT_PATH and request.method == "POST":
                return json_answer(200, _report(fake, request.json()))
            return fake.route(request)

    return Handler


def argument_parser(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--callback-url", default=None, help="where delivery reports are pushed")
    parser.add_argument("--auto-report", type=float, default=None, metavar="SECONDS",
                        help="push the reports of new messages by itself every SECONDS (off by default)")
    return parser


def run_fake(fake_class, description, credentials, argv=None):
    """A fake's command line: ``--host``, ``--port``, ``--callback-url`` and the provider's
    ``credentials`` (option names, passed to ``fake_class`` in that order); then serve."""
    parser = argument_parser(description)
    for option in credentials:
        parser.add_argument(option, required=True)
    args = parser.parse_args(argv)
    values = [getattr(args, option.lstrip("-").replace("-", "_")) for option in credentials]
    # Only a fake that pushes batches takes the option; the others keep their signature.
    auto_report = {} if args.auto_report is None else {"auto_report_seconds": args.auto_report}
    serve_until_stopped(fake_class(*values, host=args.host, port=args.port, callback_url=args.callback_url,
                                   **auto_report))


@contextmanager
def fake_process(module, *args):
    """``python -m <module> --port 0 <args>`` (a fake of tests/fakes/) as a process of its own, as
    integration tests run it: yields the URL it prints, then stops it and checks it stopped cleanly."""
    process = subprocess.Popen([sys.executable, "-m", module, "--port", "0", *args],
                               cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE, text=True)
    try:
        word, url = process.stdout.readline().split()
        assert word == "listening"
        yield url
    finally:
        process.terminate()
        assert process.wait(timeout=5) == 0


def serve_until_stopped(fake):
    """Run ``fake`` as a process: print ``listening <url>``, serve until SIGTERM or Ctrl-C."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    with fake:
        print(f"listening {fake.url}", flush=True)
        try:
            stopping.wait()
        except KeyboardInterrupt:
            pass
