"""The broker goes away and comes back (issue 6, fault tests 2 and 3), on a private RabbitMQ node
of this test's own: the machine's shared broker is never stopped. No service or gateway process
is restarted by hand; they reconnect by themselves."""
import time

import pytest
import requests

from tests.support.load import SteadySubmissions
from tests.support.private_broker import broker_or_skip
from tests.support.processes import RunningSystem, wait_until
from tests.support.reconciliation import wait_reconciled
from tests.support.samples import application_body


@pytest.fixture
def broker(tmp_path):
    with broker_or_skip(tmp_path / "rabbitmq") as broker:
        yield broker


@pytest.fixture
def system(broker, tmp_path):
    system = RunningSystem(broker.amqp_uri, tmp_path / "system").start()
    try:
        yield system
    finally:
        system.stop()


def test_nothing_lost_or_doubled_while_the_broker_restarts_twice(broker, system):
    load = SteadySubmissions(system.url, count=300, rate=20).start()
    for after in (60, 180):
        wait_until(lambda: load.started >= after, timeout=60, what="submissions under way")
        broker.restart()
    outcomes = load.join(timeout=180)
    system.wait_ready(timeout=60)
    report = wait_reconciled(load.told, system.data_dir, system.sms_messages, timeout=90,
                             unanswered=[outcome.key for outcome in outcomes if not outcome.created])

    refused = [outcome.answers for outcome in outcomes if not outcome.created]
    assert not refused, "submissions that never got their 201: {}".format(refused[:5])
    assert len(set(load.told)) == 300
    assert report.clean, str(report)
    assert any(answer != 201 for outcome in outcomes for answer in outcome.answers), \
        "the restarts were meant to be felt by the clients"


def test_while_the_broker_is_down_submissions_get_503_soon_and_work_again_after(broker, system):
    broker.stop()
    try:
        for _ in range(3):
            started = time.monotonic()
            answer = requests.post(system.url + "/api/v1/applications", json=application_body(), timeout=30)
            took = time.monotonic() - started

            assert answer.status_code == 503, answer.text
            assert int(answer.headers["Retry-After"]) > 0
            assert answer.json()["error"]["code"] == "service_unavailable"
            assert took < 5, "503 took {:.1f}s".format(took)
        readiness = requests.get(system.url + "/readyz", timeout=30)
        assert readiness.status_code == 503 and readiness.json()["checks"].get("broker") == "unavailable"
    finally:
        broker.start()

    back = time.monotonic()
    created = wait_until(lambda: _created(system.url), timeout=30, interval=0.5, what="submissions working again")
    recovered_after = time.monotonic() - back
    wait_until(lambda: requests.get(system.url + "/readyz", timeout=30).status_code == 200, timeout=30,
               what="every service ready again")
    receipt = created.json()
    wait_until(lambda: system.sms_for(receipt["application_no"]), timeout=15, what="its SMS")
    print("submissions worked again {:.1f}s after the broker was back".format(recovered_after))


def _created(url):
    answer = requests.post(url + "/api/v1/applications", json=application_body(), timeout=30)
    return answer if answer.status_code == 201 else None
