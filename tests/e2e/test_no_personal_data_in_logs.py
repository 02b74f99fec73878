"""No personal data in logs, metrics or error bodies (docs/privacy.md#logs, issue 7), with real processes.

One whole system per log level (INFO, then DEBUG for every process: nameko's, kombu's and
py-amqp's debug lines are the likeliest to carry message bodies), on its own vhost, runs the
full flow for one applicant: the citizen submits on the web (with a request id of its own), the
SMS reaches the fake provider, the citizen tracks it, officers log in, route, contact, answer and
read the full record (audited), the concluded SMS goes out and a delivery report comes back; a
second application's SMS is refused by the provider with a reason quoting the number; invalid
submissions (bad national IDs and phones, a malformed body holding the phone) are refused; and
RPC error paths run (a wrong tracking code: NotFound from tracking; a stopped tracking: 503/504).

Then, with every process stopped, EVERY line of every system process's output (the four
services and the gateway: their files under the run's folder) and every service's and the
gateway's metrics are searched for the applicant's national ID and phone (digits in order with
any separators between: +90…, 90…, 0…, bare, spaced, dashed, bracketed), the refused values and
the applicant's names (as written, JSON-escaped and ASCII-folded). None may appear. The request
ids sent must appear in the gateway's log and in the log of the service that handled the call.
The fake SMS provider is the test's stand-in for the operator and is not searched: it is meant
to see the phone.
"""
import json
import re
import unicodedata
import uuid

import pytest
import requests

from common.logs import mask_personal_data
from tests.support.processes import SERVICES, wait_until
from tests.support.sms import ADMIN, provider_status, report_key, system_with, wait_accepted, wait_sms_state
from tests.support.staff_client import ankara_health_body

NATIONAL_ID = "28416375994"  # valid checksum
PHONE = "0543 217 89 06"
PHONE_DIGITS = "5432178906"
FIRST_NAME, LAST_NAME = "Gülnihal", "Karabıyıkoğlu"
APPLICANT = {"national_id": NATIONAL_ID, "first_name": FIRST_NAME, "last_name": LAST_NAME, "phone": PHONE}

BAD_NATIONAL_IDS = ["28416375995", "2841637599"]  # checksum wrong; 10 digits (the mask ignores it)
BAD_PHONES = ["0312 417 89 06", "0543 217 89"]  # a landline (the mask ignores it); too short
REFUSAL = {"status": 400, "body": "INVALID_DESTINATION_ADDRESS 90" + PHONE_DIGITS}

CANKAYA_HEALTH = "06-cankaya-health"
SYSTEM_PROCESSES = list(SERVICES) + ["gateway"]
TIMEOUT = 15


def digits_anywhere(digits):
    """``digits`` in order, with up to three separators between any two."""
    return re.compile(r"[\s.()/+-]{0,3}".join(digits))


def ascii_folded(text):
    text = text.replace("ı", "i").replace("İ", "I")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def names_spelt():
    spellings = set()
    for name in (FIRST_NAME, LAST_NAME):
        for spelling in (name, json.dumps(name)[1:-1], ascii_folded(name)):
            spellings.add(spelling.casefold())
    return spellings


FORBIDDEN_DIGITS = {
    "national id": digits_anywhere(NATIONAL_ID),
    "phone": digits_anywhere(PHONE_DIGITS),
    **{"refused national id {}".format(value): digits_anywhere(value) for value in BAD_NATIONAL_IDS},
    **{"refused phone {}".format(value): digits_anywhere(re.sub(r"\D", "", value)) for value in BAD_PHONES},
}
NAMES = names_spelt()


def personal_data_in(text):
    """What of the applicant's data ``text`` holds: [(what, excerpt)]."""
    found = [(what, text[max(0, m.start() - 80):m.end() + 80]) for what, pattern in FORBIDDEN_DIGITS.items()
             for m in pattern.finditer(text)]
    folded = text.casefold()
    found += [("name " + name, folded[max(0, folded.find(name) - 80):folded.find(name) + 80])
              for name in NAMES if name in folded]
    return found


def request_id():
    """A client's request id the gateway keeps: drawn again while the log mask would change it (a run
    of hex digits can look like a phone number, and the gateway then makes its own id)."""
    while True:
        candidate = "e2e-scan-" + uuid.uuid4().hex[:12]
        if mask_personal_data(candidate) == candidate:
            return candidate


def body(**applicant):
    return ankara_health_body(applicant=dict(APPLICANT, **applicant))


class Run:
    """What the flow saw: responses to check, request ids sent, metrics texts, then the logs."""

    def __init__(self):
        self.responses = []  # (what, requests.Response)
        self.sent_ids = {}  # what -> (request id, the service that handled the call)
        self.metrics = {}
        self.logs = {}
        self.tracking_codes = []

    def keep(self, what, response):
        self.responses.append((what, response))
        return response


def run_flow(system, run):
    staff = system.staff
    url = system.url

    # The citizen submits with a request id of its own, gets the SMS and tracks the application.
    submission_id = request_id()
    submitted = run.keep("submission", requests.post(url + "/api/v1/applications", json=body(), timeout=TIMEOUT,
                                                      headers={"X-Request-ID": submission_id,
                                                               "Idempotency-Key": uuid.uuid4().hex}))
    assert submitted.status_code == 201, submitted.text
    assert submitted.headers["X-Request-ID"] == submission_id
    run.sent_ids["submission"] = (submission_id, "intake")
    receipt = submitted.json()
    number, code = receipt["application_no"], receipt["tracking_code"]
    run.tracking_codes.append(code)
    (sms,) = wait_accepted(system, number)
    assert sms["dest"] == "90" + PHONE_DIGITS  # the phone did travel where it must
    wait_sms_state(system, number, "sent")
    tracked = run.keep("tracking", requests.get("{}/api/v1/applications/{}".format(url, number),
                                                params={"tracking_code": code}, timeout=TIMEOUT))
    assert tracked.status_code == 200, tracked.text

    # An RPC error path: tracking answers NotFound for a wrong code.
    wrong = run.keep("wrong code", requests.get("{}/api/v1/applications/{}".format(url, number),
                                                params={"tracking_code": "ZZZZ9999"}, timeout=TIMEOUT))
    assert wrong.status_code == 404

    # Officers: route (with a request id of the officer's client), contact, answer, read it all.
    staff.wait_in_queue("ankara.router", number)
    route_id = request_id()
    routed = run.keep("route", staff.request("POST", "/api/v1/staff/applications/{}/route".format(number),
                                             "ankara.router", json={"unit_id": CANKAYA_HEALTH},
                                             headers={"X-Request-ID": route_id}))
    assert routed.status_code == 200, routed.text
    run.sent_ids["route"] = (route_id, "routing")
    staff.wait_in_queue("ankara.health", number)
    contacted = run.keep("contact", staff.contact("ankara.health", number, "phone", "Başvuru sahibi arandı."))
    assert contacted.status_code == 200, contacted.text
    answered = run.keep("answer", staff.answer("ankara.health", number,
                                               "Randevunuz oluşturuldu, sağlık ocağına başvurabilirsiniz."))
    assert answered.status_code == 200, answered.text
    record_id = request_id()
    record = staff.request("GET", "/api/v1/staff/applications/" + number, "ankara.health",
                           params={"reason": "yanıt hazırlığı"}, headers={"X-Request-ID": record_id})
    assert record.status_code == 200, record.text
    assert record.json()["applicant"]["national_id"] == NATIONAL_ID  # the audited read, meant to show it
    run.sent_ids["record"] = (record_id, "intake")
    wait_accepted(system, number, count=2)  # the "concluded" SMS
    wait_until(lambda: requests.get("{}/api/v1/applications/{}".format(url, number), params={"tracking_code": code},
                                    timeout=TIMEOUT).json()["status"] == "answered", timeout=10, what="answered")

    # The provider reports delivery back through the gateway's callback.
    (first,) = [message for message in system.sms_for(number) if code in message["msg"]]
    pushed = system.sms_report(**report_key(system, first), status=provider_status(system, "delivered"))
    assert [push.get("http_status") for push in pushed] == [200], pushed
    wait_sms_state(system, number, "delivered")

    # A second application's SMS is refused by the provider, whose reason quotes the number.
    system.sms_behaviour(steps=[REFUSAL])
    refused = requests.post(url + "/api/v1/applications", json=body(), timeout=TIMEOUT)
    assert refused.status_code == 201, refused.text
    wait_sms_state(system, refused.json()["application_no"], "failed")
    assert staff.request("GET", "/api/v1/staff/applications/" + refused.json()["application_no"],
                         ADMIN).status_code == 200

    # Invalid submissions: nothing of the values comes back or goes into a log.
    for national_id in BAD_NATIONAL_IDS:
        response = run.keep("bad national id", requests.post(url + "/api/v1/applications",
                                                             json=body(national_id=national_id), timeout=TIMEOUT))
        assert response.status_code == 422, response.text
        assert "applicant.national_id" in response.json()["error"]["fields"]
    for phone in BAD_PHONES:
        response = run.keep("bad phone", requests.post(url + "/api/v1/applications", json=body(phone=phone),
                                                       timeout=TIMEOUT))
        assert response.status_code == 422, response.text
        assert "applicant.phone" in response.json()["error"]["fields"]
    malformed = json.dumps(body())[:-20].encode()
    response = run.keep("malformed body", requests.post(url + "/api/v1/applications", data=malformed, timeout=TIMEOUT,
                                                        headers={"Content-Type": "application/json"}))
    assert response.status_code == 400, response.text
    desk = run.keep("desk, wrong province", staff.desk_submit("ankara.desk", ankara_health_body(
        applicant=APPLICANT, channel="desk", province="istanbul", district="kadıköy")))
    assert desk.status_code == 422, desk.text

    for service in SERVICES:
        run.metrics[service] = requests.get(system.metrics_url(service), timeout=TIMEOUT).text
    run.metrics["gateway"] = requests.get(url + "/metrics", timeout=TIMEOUT).text

    # Another RPC error path: tracking is down; the gateway answers 503/504, never hangs.
    system.processes["tracking"].stop()
    down = run.keep("tracking down", requests.get("{}/api/v1/applications/{}".format(url, number),
                                                  params={"tracking_code": code}, timeout=30))
    assert down.status_code in (503, 504), down.text


@pytest.fixture(scope="module", params=["INFO", "DEBUG"])
def run(request, tmp_path_factory):
    level = request.param
    run = Run()
    run.level = level
    with system_with("verimor", tmp_path_factory.mktemp("log-scan-" + level.lower()), LOG_LEVEL=level,
                     RPC_TIMEOUT_SECONDS="3") as system:
        run_flow(system, run)
    # Every process has stopped: its output is complete (shutdown lines included).
    run.logs = {name: system.processes[name].output() for name in SYSTEM_PROCESSES}
    run.log_paths = {name: str(system.processes[name].log_path) for name in SYSTEM_PROCESSES}
    return run


def json_lines(text):
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            yield entry


def test_no_personal_data_in_any_line_of_any_process(run):
    leaks = {name: personal_data_in(text) for name, text in run.logs.items()}

    assert {name: found for name, found in leaks.items() if found} == {}, run.log_paths
    assert all(run.logs[name].strip() for name in SYSTEM_PROCESSES)  # the scan read something


def test_no_personal_data_in_metrics(run):
    assert set(run.metrics) == set(SERVICES) | {"gateway"}
    assert all(text.strip() for text in run.metrics.values())
    assert {name: personal_data_in(text) for name, text in run.metrics.items() if personal_data_in(text)} == {}


def test_no_personal_data_in_error_bodies_and_every_answer_has_an_id(run):
    for what, response in run.responses:
        assert response.headers.get("X-Request-ID"), what
        if response.status_code >= 400:
            assert personal_data_in(response.text) == [], (what, response.text)


def test_no_tracking_code_in_any_line(run):
    """Not personal data, but the key to the application: gunicorn's access log would print it."""
    for name, text in run.logs.items():
        assert "tracking_code=" not in text, name
        assert not [code for code in run.tracking_codes if code in text], name


# ``nameko run`` imports eventlet before it reads the config, so eventlet's deprecation warning is
# printed as is, before anything else: a fixed text that cannot hold personal data.
IMPORT_WARNING = re.compile(
    r"\A[^\n]*EventletDeprecationWarning: \n(?:[^\n]*\n){0,10}?  (?:import|from) eventlet[^\n]*\n")


def test_every_line_the_system_writes_is_masked_json(run):
    """Not just the app's lines: nameko's, kombu's, gunicorn's own too (start-up, shutdown)."""
    stray = {name: [line for line in IMPORT_WARNING.sub("", text).splitlines()
                    if line.strip() and not _is_json_object(line)]
             for name, text in run.logs.items()}

    assert {name: lines[:5] for name, lines in stray.items() if lines} == {}


def _is_json_object(line):
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def test_the_request_ids_sent_reach_the_gateways_and_the_services_logs(run):
    for what, (sent, service) in run.sent_ids.items():
        in_gateway = [entry for entry in json_lines(run.logs["gateway"]) if entry.get("request_id") == sent]
        in_service = [entry for entry in json_lines(run.logs[service]) if entry.get("request_id") == sent]

        assert in_gateway, (what, "gateway")
        assert in_service, (what, service)
        assert any(entry["message"].startswith("rpc {}.".format(service)) for entry in in_service), in_service


def test_gateway_lines_about_requests_all_carry_an_id(run):
    request_lines = [entry for entry in json_lines(run.logs["gateway"]) if entry["logger"] == "gateway.requests"]

    assert request_lines and all(entry.get("request_id") for entry in request_lines)
    assert not [entry for entry in request_lines if "<" in entry["request_id"]]  # none mangled by the mask
