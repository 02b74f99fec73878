"""The SQLite rate-limit storage (gateway/limit_storage.py): the counters every worker of a gateway
shares when no Redis is configured. Real files, real processes; no mocks."""
import multiprocessing
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from gateway.limit_storage import SqliteStorage, storage_uri
from gateway.limits import RateLimitSettings
from tests.support.fake_rpc import FakeRpcPool
from tests.unit.gateway.test_gateway import CITIZEN_ANSWERS
from tests.unit.gateway.test_gateway_limits import limited_client, submit

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def uri(tmp_path):
    return storage_uri(tmp_path / "var" / "rate_limits.db")


def test_the_scheme_is_registered_with_limits(uri):
    assert isinstance(storage_from_string(uri), SqliteStorage)
    assert uri.startswith("sqlite:///")


def test_moving_window_takes_exactly_the_limit_then_refuses(uri):
    limiter = MovingWindowRateLimiter(storage_from_string(uri))
    five_a_minute = parse("5/minute")

    taken = [limiter.hit(five_a_minute, "ip:192.0.2.1") for _ in range(7)]

    assert taken == [True] * 5 + [False] * 2
    assert limiter.test(parse("5/minute"), "ip:192.0.2.2")  # another key has its own window
    reset_at, remaining = limiter.get_window_stats(five_a_minute, "ip:192.0.2.1")
    assert remaining == 0 and time.time() < reset_at <= time.time() + 60


def test_entries_leave_the_window_when_they_expire(uri):
    limiter = MovingWindowRateLimiter(storage_from_string(uri))
    two_a_second = parse("2/second")

    assert [limiter.hit(two_a_second, "k") for _ in range(3)] == [True, True, False]
    time.sleep(1.1)
    assert limiter.hit(two_a_second, "k")


def test_a_cost_larger_than_the_room_left_is_refused_whole(uri):
    storage = storage_from_string(uri)

    assert storage.acquire_entry("k", 3, 60, amount=2)
    assert not storage.acquire_entry("k", 3, 60, amount=2)
    assert storage.get_moving_window("k", 3, 60)[1] == 2
    assert not storage.acquire_entry("k", 3, 60, amount=4)


def test_fixed_window_counters_and_clearing(uri):
    storage = storage_from_string(uri)

    assert [storage.incr("fixed", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("fixed") == 3 and storage.get_expiry("fixed") > time.time()
    storage.acquire_entry("moving", 5, 60)
    storage.clear("fixed")
    assert storage.get("fixed") == 0
    assert storage.reset() == 1  # the moving entry
    assert storage.check()


def test_the_file_and_its_directory_are_the_owners_only(uri, tmp_path):
    storage = storage_from_string(uri)
    storage.acquire_entry("k", 1, 60)

    assert stat.S_IMODE(os.stat(tmp_path / "var" / "rate_limits.db").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "var").st_mode) == 0o700


def _take_many(uri, attempts, results):
    storage = storage_from_string(uri)  # opened in this process, as a gunicorn worker does
    results.put(sum(storage.acquire_entry("shared", 25, 60) for _ in range(attempts)))


def test_processes_racing_for_one_limit_take_exactly_the_limit(uri):
    """Four processes, 20 tries each, one limit of 25: 25 taken in all, never one more."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_take_many, args=(uri, 20, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    taken = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)

    assert sum(taken) == 25
    assert storage_from_string(uri).get_moving_window("shared", 25, 60)[1] == 25


FIRST_COUNT = """
import sys, time
from limits.storage import storage_from_string
import gateway.limit_storage
storage = storage_from_string(sys.argv[1])
while time.time() < float(sys.argv[2]):  # a spin, not a barrier: woken one by one, they rarely collide
    pass
print(storage.acquire_entry("first", 10, 60))
"""


@pytest.mark.parametrize("round_", range(6))  # each round collides ~1 in 3 without the retry
def test_workers_opening_a_new_file_at_the_same_moment_each_count(tmp_path, round_):
    """The first requests of a fresh gateway reach every worker at once; each one's first count
    switches the new file to WAL, a switch SQLite refuses while another does it (seen: 12 of 40).
    Fresh interpreters, as gunicorn's workers are: not forks of this eventlet-patched one."""
    uri = storage_uri(tmp_path / "rate_limits.db")
    start_at = str(time.time() + 1.0)
    workers = [subprocess.Popen([sys.executable, "-c", FIRST_COUNT, uri, start_at], cwd=ROOT, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    answers = [worker.communicate(timeout=30) for worker in workers]

    assert [out.strip() for out, _ in answers] == ["True"] * 4, [err[-300:] for _, err in answers]
    assert storage_from_string(uri).get_moving_window("first", 10, 60)[1] == 4


def test_a_storage_opened_before_a_fork_reconnects_in_the_child(uri):
    storage = storage_from_string(uri)
    storage.acquire_entry("k", 10, 60)
    context = multiprocessing.get_context("fork")
    results = context.Queue()

    child = context.Process(target=lambda: results.put(storage.acquire_entry("k", 10, 60)))
    child.start()
    child.join(timeout=10)

    assert results.get(timeout=5) is True
    assert storage.get_moving_window("k", 10, 60)[1] == 2


def test_two_apps_on_one_file_share_the_limit_like_two_workers(uri, application_body):
    workers = [limited_client(FakeRpcPool(**CITIZEN_ANSWERS), storage_uri=uri, submissions_per_ip="5/minute")
               for _ in range(2)]

    statuses = [submit(workers[index % 2], application_body()).status_code for index in range(8)]

    assert statuses == [201] * 5 + [429] * 3


def test_the_default_storage_is_the_file_in_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("RATE_LIMIT_STORAGE_URI", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))

    assert RateLimitSettings.from_environment().storage_uri == storage_uri(tmp_path / "data" / "rate_limits.db")

    monkeypatch.setenv("RATE_LIMIT_STORAGE_URI", "redis://127.0.0.1:6379/2")
    assert RateLimitSettings.from_environment().storage_uri == "redis://127.0.0.1:6379/2"
