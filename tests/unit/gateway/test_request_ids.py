"""Request ids (issue 7): taken from the client when sane, else made; on every response; in every
gateway log line; sent with every RPC as nameko context data; held by services' workers."""
import io
import json
import logging
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from common import logs, request_context
from common.errors import ValidationFailed
from gateway import request_ids
from gateway.rpc import ServiceUnavailable
from tests.support.fake_rpc import FakeRpcPool
from tests.support.samples import application_body
from tests.unit.gateway.test_gateway import RECEIPT, build_app

HEADER = "X-Request-ID"
MADE = re.compile(r"[0-9a-f]{32}\Z")


@pytest.fixture
def rpc():
    return FakeRpcPool(**{"intake.submit_application": RECEIPT})


@pytest.fixture
def app(rpc, readiness):
    return build_app(rpc, readiness)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def log_lines(app):
    """The JSON lines the gateway logs from here on (as the running gateway writes them)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def submit(client, request_id=None):
    headers = {HEADER: request_id} if request_id is not None else {}
    return client.post("/api/v1/applications", json=application_body(), headers=headers)


# Which client ids are kept

@pytest.mark.parametrize("value", ["abc", "0f3a9c2e-1b7d-4c55-9a0e-2f6b8d1c4e77", "web.client_42", "x" * 64,
                                   "A.B-C_d"])
def test_sane_client_ids_are_kept(client, value):
    response = submit(client, value)

    assert response.status_code == 201
    assert response.headers[HEADER] == value


@pytest.mark.parametrize("value", ["", "x" * 65, "has space", "slash/es", "new\tline", "çağrı-1", "id;drop",
                                   "05321234567", "+905321234567", "10000000146"],
                         ids=["empty", "too-long", "space", "slash", "tab", "non-ascii", "semicolon",
                              "phone-shaped", "e164-phone", "national-id-shaped"])
def test_other_client_ids_are_replaced_by_a_new_one(client, value):
    response = submit(client, value)

    assert response.status_code == 201
    assert MADE.match(response.headers[HEADER]), response.headers[HEADER]
    assert response.headers[HEADER] != value


def test_without_a_client_id_each_request_gets_a_new_one(client):
    first, second = submit(client), submit(client)

    assert MADE.match(first.headers[HEADER]) and MADE.match(second.headers[HEADER])
    assert first.headers[HEADER] != second.headers[HEADER]


def test_a_made_id_is_never_one_the_log_mask_would_change(monkeypatch):
    masked_by_id_rule = uuid.UUID("20cab88c" "12345678901" "c424267363abe")  # 11 digits in a row
    masked_by_phone_rule = uuid.UUID("aaaaaaaa" "5321234567" "aaaaaaaaaaaaaa")
    fine = uuid.UUID("0f3a9c2e1b7d4c559a0e2f6b8d1c4e77")
    made = iter([masked_by_id_rule, masked_by_phone_rule, fine])
    monkeypatch.setattr(request_ids.uuid, "uuid4", lambda: next(made))

    assert request_ids.new_request_id() == fine.hex


def test_accepted_is_none_for_missing_ids():
    assert request_ids.accepted(None) is None
    assert request_ids.accepted("ok-id") == "ok-id"


# The header is on every answer

@pytest.mark.parametrize("answer, status", [
    (ValidationFailed({"applicant.phone": "invalid"}), 422),
    (ServiceUnavailable("intake"), 503),
    (RuntimeError("the store broke"), 500),
], ids=["422", "503", "500"])
def test_error_answers_carry_the_id(client, rpc, answer, status):
    rpc.answer("intake.submit_application", answer)

    response = submit(client, "client-id-1")

    assert response.status_code == status
    assert response.headers[HEADER] == "client-id-1"


@pytest.mark.parametrize("method, path, kwargs, status", [
    ("GET", "/no/such/route", {}, 404),
    ("DELETE", "/api/v1/applications", {}, 405),
    ("POST", "/api/v1/applications", {"data": "a=b", "content_type": "application/x-www-form-urlencoded"}, 415),
    ("POST", "/api/v1/applications", {"data": "{", "content_type": "application/json"}, 400),
    ("GET", "/api/v1/staff/applications", {}, 401),
    ("GET", "/healthz", {}, 200),
])
def test_gateway_own_answers_carry_the_id(client, method, path, kwargs, status):
    response = client.open(path, method=method, headers={HEADER: "own-answer"}, **kwargs)

    assert response.status_code == status
    assert response.headers[HEADER] == "own-answer"


# It goes with every RPC

def test_the_id_is_current_while_the_rpc_is_made_and_not_after(client, rpc):
    seen = []
    rpc.answer("intake.submit_application", lambda *args, **kwargs: seen.append(logs.current_request_id()) or RECEIPT)

    response = submit(client, "rpc-carries-me")

    assert response.status_code == 201
    assert seen == ["rpc-carries-me"]
    assert logs.current_request_id() is None


def test_a_made_id_is_the_one_the_rpc_carries(client, rpc):
    seen = []
    rpc.answer("intake.submit_application", lambda *args, **kwargs: seen.append(logs.current_request_id()) or RECEIPT)

    response = submit(client)

    assert seen == [response.headers[HEADER]]


# It is in the gateway's log lines

def test_every_request_logs_one_line_with_its_id_rule_and_status(client, log_lines):
    submit(client, "logged-id")
    client.get("/api/v1/applications/2026-000001?tracking_code=SECRET12", headers={HEADER: "tracked-id"})

    lines = [line for line in log_lines() if line["logger"] == "gateway.requests"]
    assert [(line["request_id"], line["message"].split(":")[0]) for line in lines] == [
        ("logged-id", "POST /api/v1/applications"),
        ("tracked-id", "GET /api/v1/applications/<application_no>")]
    assert "201" in lines[0]["message"]
    assert "SECRET12" not in json.dumps(lines) and "2026-000001" not in json.dumps(lines)


def test_an_unhandled_error_is_logged_with_the_id_and_masked(client, rpc, log_lines):
    rpc.answer("intake.submit_application", RuntimeError("10000000146 at 0532 123 45 67 broke the store"))

    submit(client, "failing-id")

    errors = [line for line in log_lines() if line["level"] == "ERROR"]
    assert errors and all(line["request_id"] == "failing-id" for line in errors)
    assert "10000000146" not in json.dumps(errors) and "123 45 67" not in json.dumps(errors)


def test_probes_are_logged_at_debug_only(client, log_lines):
    client.get("/healthz")

    assert not [line for line in log_lines() if line["logger"] == "gateway.requests"]


# The formatter and the services' side

def format_line(message):
    record = logging.LogRecord("acikkapi.test", logging.INFO, __file__, 1, message, (), None)
    return json.loads(logs.JsonFormatter().format(record))


def test_formatter_writes_the_current_id_and_nothing_without_one():
    assert "request_id" not in format_line("no request")
    token = logs.bind_request_id("abc123")
    try:
        assert format_line("in a request")["request_id"] == "abc123"
    finally:
        logs.unbind_request_id(token)


class FakeWorkerContext:
    """What RequestLogContext reads of nameko's WorkerContext (hashable, like it)."""

    def __init__(self, data, entrypoint):
        self.data, self.entrypoint, self.service_name = data, entrypoint, "intake"


def worker_ctx(data, method="submit_application"):
    from nameko.rpc import Rpc

    entrypoint = Rpc()
    entrypoint.method_name = method
    return FakeWorkerContext(data, entrypoint)


def test_service_worker_holds_the_callers_id_and_logs_the_rpc(caplog):
    provider = request_context.RequestLogContext()
    ctx = worker_ctx({"request_id": "from-gateway", "call_id_stack": ["x"]})

    provider.worker_setup(ctx)
    held = logs.current_request_id()
    with caplog.at_level(logging.INFO, logger="common.request_context"):
        provider.worker_result(ctx, None, (ValidationFailed, ValidationFailed({"f": "bad"}), None))
    line = logs.JsonFormatter().format(caplog.records[-1])
    provider.worker_teardown(ctx)

    assert held == "from-gateway"
    assert logs.current_request_id() is None
    entry = json.loads(line)
    assert entry["request_id"] == "from-gateway"
    assert entry["message"].startswith("rpc intake.submit_application: ValidationFailed in ")


def test_service_worker_without_an_id_holds_none_and_caps_long_ones():
    provider = request_context.RequestLogContext()
    ctx = worker_ctx({})
    provider.worker_setup(ctx)
    assert logs.current_request_id() is None
    provider.worker_teardown(ctx)

    ctx = worker_ctx({"request_id": "y" * 500})
    provider.worker_setup(ctx)
    assert logs.current_request_id() == "y" * 64
    provider.worker_teardown(ctx)


def test_masking_stream_masks_whole_lines_even_when_written_in_pieces():
    out = io.StringIO()
    stream = logs.MaskingStream(out)

    stream.write("Traceback: recipient 0532 12")
    assert out.getvalue() == ""  # a partial line waits for its end
    stream.write("3 45 67 refused\nnational id 100000")
    stream.write("00146\n")
    stream.write("tail 05321234567")
    stream.close_pending()

    assert out.getvalue() == "Traceback: recipient <phone> refused\nnational id <national-id>\ntail <phone>"


STRAY_OUTPUT_SCRIPT = r"""
import sys, threading, traceback, warnings
import eventlet
from common import logs
logs.configure()
logs.capture_stray_output()
print("printed 0532 123 45 67")
warnings.warn("warned about 10000000146")
try:
    raise ValueError("green thread failed for +905321234567")
except ValueError:
    traceback.print_exc()  # what eventlet's hub does with a crashed green thread
thread = threading.Thread(target=lambda: 1 / 0 if "0532 123 45 67" else None)
thread.start(); thread.join()
raise RuntimeError("uncaught with 10000000146")
"""


def test_stray_output_of_a_process_is_masked_and_exceptions_become_json_lines():
    done = subprocess.run([sys.executable, "-c", STRAY_OUTPUT_SCRIPT], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[3])

    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "123 45 67" not in output and "5321234567" not in output and "10000000146" not in output, output
    assert "printed <phone>" in done.stdout
    assert "ValueError: green thread failed for <phone>" in done.stderr
    entries = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert any(entry["logger"] == "py.warnings" and "<national-id>" in entry["message"] for entry in entries)
    assert any(entry["logger"] == "uncaught" and "ZeroDivisionError" in entry.get("exception", "")
               for entry in entries)
    assert any(entry["logger"] == "uncaught" and "RuntimeError: uncaught with <national-id>" in entry["exception"]
               for entry in entries)
