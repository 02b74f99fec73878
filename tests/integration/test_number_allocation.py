"""Application numbers are never handed out twice, even by two intake processes at once."""
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import requests
from kombu import Connection

from tests.e2e.conftest import application_body
from tests.support.processes import ROOT, wait_until

ALLOCATE = """
import sys
from common.storage import connect
from services.intake.store import IntakeStore
store = IntakeStore(connect(sys.argv[1]).get_database("intake"))
store.create_indexes()
print("\\n".join(str(store.next_sequence("application_no:2026")) for _ in range(int(sys.argv[2]))))
"""


def test_two_processes_on_one_store_allocate_distinct_numbers(tmp_path):
    uri = "sqlite:///{}".format(tmp_path / "intake.db")
    workers = [subprocess.Popen([sys.executable, "-c", ALLOCATE, uri, "400"], cwd=ROOT,
                                stdout=subprocess.PIPE, text=True) for _ in range(2)]
    values = []
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0
        values += [int(line) for line in out.split()]

    assert sorted(values) == list(range(1, 801))


def _rpc_consumers(amqp_uri, service):
    with Connection(amqp_uri) as connection:
        return connection.default_channel.queue_declare("rpc-" + service, passive=True).consumer_count


def test_two_intake_processes_serving_submissions_never_duplicate(running_system):
    second = running_system.start_service("intake", label="intake-2")
    try:
        wait_until(lambda: _rpc_consumers(running_system.amqp_uri, "intake") == 2, timeout=30,
                   what="second intake consuming")

        def submit(_):
            return requests.post(running_system.url + "/api/v1/applications", json=application_body(), timeout=30)

        with ThreadPoolExecutor(max_workers=16) as pool:
            responses = list(pool.map(submit, range(200)))
    finally:
        second.stop()

    assert [r.status_code for r in responses] == [201] * 200
    numbers = [r.json()["application_no"] for r in responses]
    assert len(set(numbers)) == 200
