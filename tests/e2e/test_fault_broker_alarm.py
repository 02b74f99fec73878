"""A memory alarm under load (issue 21): a private RabbitMQ node of this test's own is told its
memory watermark is 0.0001 of the machine (``rabbitmqctl set_vm_memory_high_watermark``), so it
blocks every connection that publishes, for a few seconds, while citizens submit. The gateway
answers 503 with Retry-After at once instead of waiting out its timeout (all but the first
request of a gateway worker to meet the alarm), nothing a 503 answered is stored, and once the
alarm clears every client's retry succeeds and the outboxes deliver what they owed: nothing lost or
doubled, one "received" SMS each (gateway/amqp.py, docs/operations.md#quorum-queues)."""
import threading
import time
import uuid

import requests

from tests.support.load import SteadySubmissions
from tests.support.processes import wait_until
from tests.support.reconciliation import wait_reconciled
from tests.support.samples import application_body

ALARM_SECONDS = 8
FAST_SECONDS = 0.5
RPC_TIMEOUT_SECONDS = 5  # the default of docs/configuration.md


class Probe:
    """Single submissions, one after another, never retried: what each was answered, and how fast."""

    def __init__(self, url):
        self.url = url + "/api/v1/applications"
        self.answers = []  # (started, seconds, status, Retry-After, key)
        self.created = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(60)

    def _run(self):
        while not self._stop.is_set():
            key = uuid.uuid4().hex
            started = time.monotonic()
            answer = requests.post(self.url, json=application_body(), headers={"Idempotency-Key": key}, timeout=30)
            self.answers.append((started, time.monotonic() - started, answer.status_code,
                                 answer.headers.get("Retry-After"), key))
            if answer.status_code == 201:
                self.created.append(answer.json()["application_no"])
            time.sleep(0.1)


def _blocking(broker):
    """Whether the node has a memory alarm in force (a connection of it blocked or blocking)."""
    states = broker.ctl("list_connections", "state").split()
    return any(state in ("blocked", "blocking") for state in states)


def test_a_memory_alarm_gives_fast_503s_and_loses_nothing(broker, broker_system):
    load = SteadySubmissions(broker_system.url, count=300, rate=20, give_up_seconds=90).start()
    wait_until(lambda: load.started >= 60, timeout=60, what="submissions under way")
    probe = Probe(broker_system.url).start()

    broker.ctl("set_vm_memory_high_watermark", "0.0001")
    wait_until(lambda: _blocking(broker), timeout=15, interval=0.2, what="the memory alarm in force")
    alarm_from = time.monotonic()
    time.sleep(ALARM_SECONDS)
    alarm_until = time.monotonic()
    broker.ctl("set_vm_memory_high_watermark", "0.4")

    outcomes = load.join(timeout=180)
    probe.stop()
    told = load.told + probe.created
    unanswered = [outcome.key for outcome in outcomes if not outcome.created]
    report = wait_reconciled(told, broker_system.data_dir, broker_system.sms_messages, unanswered=unanswered,
                             timeout=90)

    during = [answer for answer in probe.answers if answer[0] >= alarm_from and answer[0] + answer[1] < alarm_until]
    assert len(during) >= 10, probe.answers
    assert {status for _, _, status, _, _ in during} == {503}
    assert all(retry_after and int(retry_after) > 0 for _, _, _, retry_after, _ in during)
    slow = [seconds for _, seconds, _, _, _ in during if seconds >= FAST_SECONDS]
    assert max(slow, default=0) <= RPC_TIMEOUT_SECONDS + 1, "a 503 waited past the RPC timeout: {}".format(slow)
    print("during the alarm: {} answers, {} within {} s, slow: {}".format(
        len(during), len(during) - len(slow), FAST_SECONDS, ["{:.2f} s".format(seconds) for seconds in slow]))
    # Only the first request of a gateway worker (two) to meet the alarm waits: its request was sent.
    assert len(slow) <= 2, "more than the first request of each worker waited: {}".format(during)
    assert not [outcome.answers for outcome in outcomes if not outcome.created], "some submission never got its 201"
    assert any(answer == 503 for outcome in outcomes for answer in outcome.answers), "the alarm was not felt"
    assert report.clean, str(report)  # also: none of the 503'd probes is stored (it would be unexpected)
    assert broker_system.exited() == {}, "processes died"
