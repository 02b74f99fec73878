import json
import logging
import sys

import pytest

from common import logs
from common.logs import JsonFormatter, mask_personal_data


@pytest.mark.parametrize("spelling", [
    "+905321234567",
    "905321234567",
    "+90 532 123 45 67",
    "05321234567",
    "0532 123 45 67",
    "0532-123-45-67",
    "0532.123.45.67",
    "(532) 123 45 67",
    "5321234567",
    "532 123 4567",
])
def test_turkish_mobile_numbers_are_masked(spelling):
    masked = mask_personal_data("SMS to {} refused".format(spelling))

    assert masked == "SMS to <phone> refused"


@pytest.mark.parametrize("text, expected", [
    ("national_id=10000000146", "national_id=<national-id>"),
    ("kimlik 99123456740.", "kimlik <national-id>."),
    ('{"national_id": "10000000146"}', '{"national_id": "<national-id>"}'),
])
def test_national_ids_are_masked(text, expected):
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize("text", [
    "application 2026-000123 received",
    "application 2026-1234567 received",
    "at 2026-11-28T17:04:05+03:00",
    "at 2026-05-31T15:32:12.532123+03:00",
    "at 2026-11-28T17:04:05+0300",
    "took 532 ms for 12 items",
    "tracking code K7M2PQ9X",
])
def test_application_numbers_timestamps_and_plain_numbers_are_left_alone(text):
    assert mask_personal_data(text) == text


def format_record(message, *args, exc_info=None):
    record = logging.LogRecord("acikkapi.test", logging.WARNING, __file__, 1, message, args, exc_info)
    return JsonFormatter().format(record)


def test_formatter_writes_one_json_object_on_one_line():
    line = format_record("application %s received from %s", "2026-000123", "kadıköy")

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "application 2026-000123 received from kadıköy"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "acikkapi.test"
    assert "exception" not in entry


def test_formatter_masks_personal_data_in_message_arguments():
    entry = json.loads(format_record("SMS to %s for %s", "+905321234567", "10000000146"))

    assert entry["message"] == "SMS to <phone> for <national-id>"


def test_formatter_masks_personal_data_in_exceptions_and_keeps_them_on_one_line():
    try:
        raise ValueError("no recipient 0532 123 45 67 (national id 10000000146)")
    except ValueError:
        line = format_record("send failed", exc_info=sys.exc_info())

    assert "\n" not in line
    entry = json.loads(line)
    assert "Traceback" in entry["exception"]
    assert "ValueError: no recipient <phone> (national id <national-id>)" in entry["exception"]
    assert "10000000146" not in line and "123 45 67" not in line


def test_formatter_masks_personal_data_in_a_request_id_a_client_sent():
    record = logging.LogRecord("acikkapi.test", logging.INFO, __file__, 1, "seen", (), None)
    record.request_id = "caller-05321234567"

    entry = json.loads(JsonFormatter().format(record))

    assert entry["request_id"] == "caller-<phone>"


@pytest.mark.parametrize("text", ["(532) 123 45 67", "0 (532) 123-45-67", "532.123.45.67"])
def test_the_quick_check_lets_every_spelling_with_two_characters_between_digits_through(text):
    assert "<phone>" in mask_personal_data("call " + text)


def test_records_skip_the_fields_no_line_writes_and_lines_stay_whole(monkeypatch):
    for flag in ("_srcfile", "logThreads", "logProcesses", "logMultiprocessing"):
        monkeypatch.setattr(logging, flag, getattr(logging, flag))  # restored after the test
    logs.skip_unused_record_fields()
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("acikkapi.test.lean")
    logger.addHandler(handler)
    try:
        logger.warning("rpc %s: %s", "ping", "ok")
    finally:
        logger.removeHandler(handler)

    [record] = records
    assert (record.threadName, record.processName, record.process) == (None, None, None)
    assert record.funcName == "(unknown function)"  # no walk up the stack
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["message"], entry["level"], entry["logger"]) == ("rpc ping: ok", "WARNING", "acikkapi.test.lean")
