"""The broker goes away and comes back (issue 6, fault tests 2 and 3), on a private RabbitMQ node
of this test's own: the machine's shared broker is never stopped. No service or gateway process
is restarted by hand; they reconnect by themselves."""
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.support.load import SteadySubmissions
from tests.support.processes import wait_until
from tests.support.reconciliation import wait_reconciled
from tests.support.samples import application_body


def test_nothing_lost_or_doubled_while_the_broker_restarts_twice(broker, broker_system):
    load = SteadySubmissions(broker_system.url, count=300, rate=20).start()
    wait_until(lambda: load.started >= 60, timeout=60, what="submissions under way")
    broker.restart()  # a clean stop first
    wait_until(lambda: load.started >= 180, timeout=60, what="submissions under way")
    broker.kill()  # then a crash: only what the broker had confirmed may be relied on
    broker.start()
    outcomes = load.join(timeout=180)
    broker_system.wait_ready(timeout=60)
    report = wait_reconciled(load.told, broker_system.data_dir, broker_system.sms_messages, timeout=90,
                             unanswered=[outcome.key for outcome in outcomes if not outcome.created])

    refused = [outcome.answers for outcome in outcomes if not outcome.created]
    assert not refused, "submissions that never got their 201: {}".format(refused[:5])
    assert len(set(load.told)) == 300
    assert report.clean, str(report)
    assert any(answer != 201 for outcome in outcomes for answer in outcome.answers), \
        "the restarts were meant to be felt by the clients"
    assert broker_system.exited() == {}, "processes died"


def test_while_the_broker_is_down_submissions_get_503_soon_and_work_again_after(broker, broker_system):
    # Many gateway threads hold a connected RPC proxy now; after the restart none may stay stale.
    assert set(_burst(broker_system.url, 32)) == {201}
    broker.stop()
    try:
        for _ in range(3):
            started = time.monotonic()
            answer = requests.post(broker_system.url + "/api/v1/applications", json=application_body(), timeout=30)
            took = time.monotonic() - started

            assert answer.status_code == 503, answer.text
            assert int(answer.headers["Retry-After"]) > 0
            assert answer.json()["error"]["code"] == "service_unavailable"
            assert took < 5, "503 took {:.1f}s".format(took)
        readiness = requests.get(broker_system.url + "/readyz", timeout=30)
        assert readiness.status_code == 503 and readiness.json()["checks"].get("broker") == "unavailable"
    finally:
        broker.start()

    back = time.monotonic()
    created = wait_until(lambda: _created(broker_system.url), timeout=30, interval=0.5,
                         what="submissions working again")
    recovered_after = time.monotonic() - back
    wait_until(lambda: set(_burst(broker_system.url, 32)) == {201}, timeout=45, interval=0.5,
               what="every gateway thread submitting again")
    wait_until(lambda: requests.get(broker_system.url + "/readyz", timeout=30).status_code == 200, timeout=30,
               what="every service ready again")
    receipt = created.json()
    wait_until(lambda: broker_system.sms_for(receipt["application_no"]), timeout=15, what="its SMS")
    assert broker_system.exited() == {}, "processes died"
    print("submissions worked again {:.1f}s after the broker was back".format(recovered_after))


def _burst(url, count):
    """``count`` submissions at once (so they land on many gateway threads); their statuses."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: _status(url), range(count)))


def _status(url):
    try:
        return requests.post(url + "/api/v1/applications", json=application_body(), timeout=30).status_code
    except requests.RequestException as error:
        return type(error).__name__


def _created(url):
    answer = requests.post(url + "/api/v1/applications", json=application_body(), timeout=30)
    return answer if answer.status_code == 201 else None
