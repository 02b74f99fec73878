"""The embedded store across processes and crashes: SIGKILL mid-write, two writers on one file,
threads and eventlet green threads sharing one client, an erasure's purge beside a busy process."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from docstore import EmbeddedClient

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GROUP_SIZE = 5


def start(code, *args):
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )


WRITER = """
    import sys
    from docstore import EmbeddedClient
    coll = EmbeddedClient(sys.argv[1]).app.items
    coll.create_index("seq", unique=True)
    coll.create_index("group")
    start = coll.count_documents({}) // %(size)d
    for group in range(start, start + 100000):
        docs = [{"_id": f"{group}-{i}", "seq": group * %(size)d + i, "group": group,
                 "text": "Başvuru ığüşöç " * 20, "steps": [{"n": n} for n in range(5)]}
                for i in range(%(size)d)]
        coll.insert_many(docs)
        print("inserted", group, flush=True)
        coll.update_many({"group": group}, {"$set": {"done": True, "check": group * 2}, "$inc": {"n": 1},
                                            "$push": {"steps": {"n": 5}}})
        print("updated", group, flush=True)
""" % {"size": GROUP_SIZE}


def test_sigkill_loses_no_acknowledged_write_and_leaves_nothing_partial(tmp_path):
    path = tmp_path / "crash.db"
    acknowledged = {"inserted": set(), "updated": set()}
    for round_number, run_for in enumerate((0.4, 0.7, 1.0)):
        child = start(WRITER, path)
        deadline = time.monotonic() + 8
        seen = 0
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            seen += 1
            if seen == 1:
                killed_at = time.monotonic() + run_for
            if seen > 1 and time.monotonic() >= killed_at:
                break
            kind, group = line.split()
            acknowledged[kind].add(int(group))
        child.send_signal(signal.SIGKILL)
        rest, errors = child.communicate(timeout=10)
        for line in rest.splitlines(keepends=True):  # printed before the kill: acknowledged too
            if not line.endswith("\n"):
                continue  # cut off by the kill: not an acknowledgement
            kind, group = line.split()
            acknowledged[kind].add(int(group))
        assert child.returncode == -signal.SIGKILL, errors
        assert acknowledged["updated"], f"round {round_number}: the child wrote nothing: {errors}"

        connection = sqlite3.connect(path)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        connection.close()
        client = EmbeddedClient(path)
        coll = client.app.items
        documents = list(coll.find())
        by_group = {}
        for document in documents:
            by_group.setdefault(document["group"], []).append(document)
        assert acknowledged["inserted"] <= set(by_group)
        for group, members in by_group.items():
            assert len(members) == GROUP_SIZE, f"group {group} half inserted"
            states = {(m.get("done"), m.get("check"), m.get("n"), len(m["steps"])) for m in members}
            assert states in ({(None, None, None, 5)}, {(True, group * 2, 1, 6)}), f"group {group}: {states}"
            if group in acknowledged["updated"]:
                assert states == {(True, group * 2, 1, 6)}
            for member in members:  # the indexes hold every document, once
                assert coll.find_one({"seq": member["seq"]})["_id"] == member["_id"]
        assert coll.count_documents({"group": {"$gte": 0}}) == len(documents)
        client.close()


RACER = """
    import json, sys, time
    from pymongo.errors import DuplicateKeyError
    from docstore import EmbeddedClient
    db = EmbeddedClient(sys.argv[1]).app
    db.claims.create_index("key", unique=True)
    start_at = float(sys.argv[2])
    while time.time() < start_at:
        time.sleep(0.001)
    won = []
    for i in range(int(sys.argv[3])):
        db.counters.update_one({"_id": "hits"}, {"$inc": {"n": 1}}, upsert=True)
        db.counters.find_one_and_update({"_id": "seq"}, {"$inc": {"n": 1}}, upsert=True)
        try:
            db.claims.insert_one({"key": i % 150, "by": sys.argv[4]})
            won.append(i % 150)
        except DuplicateKeyError:
            pass
    print(json.dumps(won))
"""


def test_two_processes_lose_no_increment_and_one_wins_each_unique_key(tmp_path):
    path, rounds = tmp_path / "shared.db", 300
    start_at = time.time() + 1.0
    racers = [start(RACER, path, start_at, rounds, name) for name in ("a", "b")]
    outputs = [racer.communicate(timeout=40) for racer in racers]
    for racer, (_, errors) in zip(racers, outputs):
        assert racer.returncode == 0, errors
    wins = [key for output, _ in outputs for key in json.loads(output)]
    assert sorted(wins) == list(range(150))
    db = EmbeddedClient(path).app
    assert db.counters.find_one({"_id": "hits"})["n"] == 2 * rounds
    assert db.counters.find_one({"_id": "seq"})["n"] == 2 * rounds
    assert db.claims.count_documents({}) == 150


def test_threads_share_one_client(tmp_path):
    coll = EmbeddedClient(tmp_path / "threads.db").app.counters
    coll.create_index("key", unique=True)
    errors = []

    def work():
        try:
            for _ in range(200):
                coll.update_one({"key": "k"}, {"$inc": {"n": 1}}, upsert=True)
        except Exception as error:  # a DuplicateKeyError here would mean a lost race
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert coll.find_one({"key": "k"})["n"] == 800


GREEN = """
    import eventlet
    eventlet.monkey_patch()
    import sys
    from docstore import EmbeddedClient
    coll = EmbeddedClient(sys.argv[1]).app.counters
    coll.create_index([("worker", 1), ("i", 1)], unique=True, sparse=True)

    def work(worker):
        for i in range(100):
            coll.find_one_and_update({"_id": "c"}, {"$inc": {"n": 1}}, upsert=True)
            coll.insert_one({"worker": worker, "i": i})
            eventlet.sleep(0)
            assert coll.find_one({"worker": worker, "i": i}) is not None

    pool = eventlet.GreenPool(20)
    for worker in range(20):
        pool.spawn(work, worker)
    pool.waitall()
    print(coll.find_one({"_id": "c"})["n"], coll.count_documents({"worker": {"$exists": True}}))
"""


@pytest.mark.parametrize("with_other_process", [False, True])
def test_green_threads_share_one_client(tmp_path, with_other_process):
    path = tmp_path / "green.db"
    EmbeddedClient(path).app.counters.insert_one({"_id": "warm"})
    other = start(RACER, path, time.time(), 400, "other") if with_other_process else None
    child = start(GREEN, path)
    output, errors = child.communicate(timeout=40)
    assert child.returncode == 0, errors
    assert output.split() == ["2000", "2000"]
    if other is not None:
        _, errors = other.communicate(timeout=40)
        assert other.returncode == 0, errors


BUSY_NEIGHBOUR = """
    import sys, time
    from docstore import EmbeddedClient
    coll = EmbeddedClient(sys.argv[1]).app.items
    until = time.time() + float(sys.argv[2])
    n = 0
    while time.time() < until:  # as a second process of the service would: reads and writes, no pause
        coll.find_one({"_id": n % 200})
        coll.count_documents({"kind": "neighbour"})
        if n % 10 == 0:
            coll.insert_one({"kind": "neighbour", "n": n})
        n += 1
    print(n, flush=True)
"""

PURGING = """
    import eventlet
    eventlet.monkey_patch()
    import json, os, sys, time
    from docstore import EmbeddedClient
    client = EmbeddedClient(sys.argv[1])
    coll = client.app.items
    directory = os.path.dirname(sys.argv[1])
    coll.update_one({"_id": 7}, {"$set": {"applicant": None}})
    started = time.monotonic()
    immediate = client.purge_erased()
    while client._purger.pending() and time.monotonic() - started < 60:
        eventlet.sleep(0.05)
    seconds = time.monotonic() - started
    held = [name for name in os.listdir(directory)
            if b"12345678907" in open(os.path.join(directory, name), "rb").read()]
    print(json.dumps({"immediate": immediate, "seconds": seconds, "held": held}))
"""


def test_an_erasure_leaves_the_files_while_another_process_reads_and_writes_without_pause(tmp_path):
    path = tmp_path / "shared.db"
    coll = EmbeddedClient(path).app.items
    coll.insert_many([{"_id": n, "applicant": {"national_id": "1234567{:04d}".format(n)}} for n in range(200)])
    assert coll.find_one({"_id": 7})["applicant"]["national_id"] == "12345670007"
    coll.update_one({"_id": 7}, {"$set": {"applicant": {"national_id": "12345678907"}}})
    neighbour = start(BUSY_NEIGHBOUR, path, 8)
    time.sleep(1)  # the neighbour is busy before the erasure

    purging = start(PURGING, path)
    output, errors = purging.communicate(timeout=70)
    assert purging.returncode == 0, errors
    outcome = json.loads(output)
    _, errors = neighbour.communicate(timeout=30)
    assert neighbour.returncode == 0, errors

    assert outcome["held"] == [] and outcome["seconds"] < 5, outcome
