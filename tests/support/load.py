"""Citizens submitting at a steady rate while a test breaks things, as a careful client would:
each submission has its own ``Idempotency-Key`` and is sent again with the same key after a
503/504/502 or a broken connection, until it gets its 201 or gives up.

What every client was finally told is what the reconciliation checker holds the stores to.
"""
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from tests.support.samples import application_body

RETRYABLE = {502, 503, 504}


@dataclass
class Outcome:
    key: str
    application_no: str = None
    answers: list = field(default_factory=list)  # every status (or error name) the client saw
    first_unavailable_seconds: float = None  # how long the first 503/504 took to come back
    unavailable_at: list = field(default_factory=list)  # time.monotonic() of each 502/503/504 or broken call

    @property
    def created(self):
        return self.application_no is not None


class SteadySubmissions:
    """``count`` submissions, one started every ``1 / rate`` seconds, each retried until
    ``give_up_seconds`` after it started. Runs in the background: ``start()``, then ``join()``."""

    def __init__(self, url, count, rate, give_up_seconds=60, body=application_body):
        self.url = url.rstrip("/") + "/api/v1/applications"
        self.count = count
        self.rate = rate
        self.give_up_seconds = give_up_seconds
        self.body = body
        self.outcomes = [Outcome(key=uuid.uuid4().hex) for _ in range(count)]
        self.started = 0  # how many submissions have begun
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def join(self, timeout=None):
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError("submissions still running after {}s".format(timeout))
        return self.outcomes

    @property
    def told(self):
        """Application numbers the clients were given (with a 201)."""
        return [outcome.application_no for outcome in self.outcomes if outcome.created]

    def _run(self):
        begin = time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            for index, outcome in enumerate(self.outcomes):
                delay = begin + index / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                self.started = index + 1
                pool.submit(self._submit, outcome)

    def _submit(self, outcome):
        body = self.body()
        deadline = time.monotonic() + self.give_up_seconds
        with requests.Session() as session:
            while time.monotonic() < deadline:
                sent = time.monotonic()
                try:
                    answer = session.post(self.url, json=body, headers={"Idempotency-Key": outcome.key}, timeout=15)
                except requests.RequestException as error:
                    outcome.answers.append(type(error).__name__)
                    outcome.unavailable_at.append(time.monotonic())
                    time.sleep(0.5)
                    continue
                outcome.answers.append(answer.status_code)
                if answer.status_code == 201:
                    outcome.application_no = answer.json()["application_no"]
                    return
                if answer.status_code not in RETRYABLE:
                    return
                outcome.unavailable_at.append(time.monotonic())
                if outcome.first_unavailable_seconds is None:
                    outcome.first_unavailable_seconds = time.monotonic() - sent
                # Retry-After says 5 s; a test can't wait that long per attempt, and the key makes
                # an early retry harmless.
                time.sleep(min(float(answer.headers.get("Retry-After", 1)), 1.0))


def unavailable_windows(outcomes, gap_seconds=2.0):
    """``[(start, end)]`` (``time.monotonic()``) of the spells in which clients met 502/503/504 or a
    broken call: answers less than ``gap_seconds`` apart belong to one spell."""
    moments = sorted(moment for outcome in outcomes for moment in outcome.unavailable_at)
    windows = []
    for moment in moments:
        if windows and moment - windows[-1][1] <= gap_seconds:
            windows[-1][1] = moment
        else:
            windows.append([moment, moment])
    return [tuple(window) for window in windows]
