"""`make run` keeps everything on the embedded store across a stop and a restart:
applications, the number sequence (no reuse), SMS records and tracking timelines. Each Ctrl-C
stops every process within STOP_SECONDS and frees the DATA_DIR locks."""
import json

import requests

from tests.e2e.conftest import application_body
from tests.support.make_run import MakeRun
from tests.support.processes import wait_until

STOP_SECONDS = 15


def _sms_log(data_dir):
    path = data_dir / "sms-log.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_stop_and_restart_keeps_everything(own_vhost, tmp_path):
    system = MakeRun(own_vhost, tmp_path)
    system.start()
    try:
        receipts = [requests.post(system.url + "/api/v1/applications", json=application_body(), timeout=15).json()
                    for _ in range(3)]
        wait_until(lambda: len(_sms_log(tmp_path)) == 3, timeout=10, what="three SMS")
    finally:
        first_stop = system.stop()
    assert first_stop < STOP_SECONDS and system.left_running() == {} and system.locks_free()

    system.start()
    try:
        for receipt in receipts:
            view = requests.get("{}/api/v1/applications/{}".format(system.url, receipt["application_no"]),
                                params={"tracking_code": receipt["tracking_code"]}, timeout=15)
            assert view.status_code == 200
            assert [entry["status"] for entry in view.json()["timeline"]] == ["received"]
        after = requests.post(system.url + "/api/v1/applications", json=application_body(), timeout=15).json()
        wait_until(lambda: len(_sms_log(tmp_path)) == 4, timeout=10, what="the fourth SMS")
    finally:
        second_stop = system.stop()
    assert second_stop < STOP_SECONDS and system.left_running() == {} and system.locks_free()
    assert "gunicorn" in " ".join(system.seen.values())  # the workers were looked at too

    numbers = [receipt["application_no"] for receipt in receipts]
    assert after["application_no"] > max(numbers) and after["application_no"] not in numbers
    sms_numbers = [line["text"] for line in _sms_log(tmp_path)]
    for number in numbers + [after["application_no"]]:
        assert sum(number in text for text in sms_numbers) == 1
