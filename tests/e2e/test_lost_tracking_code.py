"""A lost tracking code, against the running system (issue 19, docs/api.md#lost-tracking-code):
the right national ID brings exactly one SMS with the right code to the phone on record, a second
request within the hour none; a wrong national ID, an unknown number and a malformed one answer
the very bytes a match does and send nothing; the failed-lookup limit answers 429 once spent.

A system of its own, with the limits on (the session's has them off): submissions generous, the
failed lookups per (number, address) at FAILED_LOOKUPS_PER_NUMBER an hour."""
import pytest
import requests

from tests.support.processes import sms_text, system_of_its_own, wait_until
from tests.support.samples import APPLICANT_PHONE_E164, application_body, national_id
from tests.support.staff_client import settle

NATIONAL_ID = "10000000146"  # the sample applicant's
SOMEONE_ELSE = national_id("123456789")
FAILED_LOOKUPS_PER_NUMBER = 3
QUIET_SECONDS = 2  # a second SMS, if one were owed, would reach the fake well within this


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    env = {
        "RATE_LIMITS_ENABLED": "true",
        "RATE_LIMIT_SUBMISSIONS_PER_IP": "1000/minute",
        "RATE_LIMIT_SUBMISSIONS_PER_PHONE": "1000/minute",  # every body carries the same phone
        "RATE_LIMIT_FAILED_LOOKUPS_PER_IP": "1000/hour",  # every request here comes from 127.0.0.1
        "RATE_LIMIT_FAILED_LOOKUPS_PER_NUMBER": "{}/hour".format(FAILED_LOOKUPS_PER_NUMBER),
    }
    with system_of_its_own(tmp_path_factory, "lost-code", extra_env=env) as running:
        yield running


def submitted(system):
    """A new application whose "received" SMS is at the fake: ``(number, tracking code)``."""
    response = requests.post(system.url + "/api/v1/applications", json=application_body(), timeout=15)
    assert response.status_code == 201, response.text
    receipt = response.json()
    wait_until(lambda: system.sms_for(receipt["application_no"]), timeout=15, what="the received SMS")
    return receipt["application_no"], receipt["tracking_code"]


def ask(system, number, national_id=NATIONAL_ID):
    return requests.post("{}/api/v1/applications/{}/tracking-code".format(system.url, number),
                         json={"national_id": national_id}, timeout=15)


def test_the_right_national_id_sends_the_code_once_within_the_hour(system):
    number, code = submitted(system)

    first = ask(system, number)

    assert first.status_code == 202, first.text
    received, reminder = wait_until(lambda: len(system.sms_for(number)) == 2 and system.sms_for(number),
                                    timeout=15, what="the reminder SMS")
    text = sms_text(reminder)
    assert code in text and "/takip?no={}".format(number) in text
    assert reminder["dest"] == APPLICANT_PHONE_E164.lstrip("+") == received["dest"]

    again = ask(system, number)

    assert again.status_code == 202 and again.content == first.content
    settle(QUIET_SECONDS)
    assert len(system.sms_for(number)) == 2  # the received SMS and one reminder, however often asked


def test_a_wrong_national_id_and_an_unknown_number_answer_the_same_bytes_and_send_nothing(system):
    number, _ = submitted(system)
    other, _ = submitted(system)
    match = ask(system, other)  # the bytes a match gets
    wait_until(lambda: len(system.sms_for(other)) == 2, timeout=15, what="the reminder of the match")

    answers = [ask(system, number, SOMEONE_ELSE), ask(system, "2026-999999"), ask(system, "no-such-thing")]

    assert {(answer.status_code, answer.content) for answer in answers} == {(202, match.content)}
    assert {answer.headers["Content-Type"] for answer in answers + [match]} == {"application/json"}
    settle(QUIET_SECONDS)
    assert len(system.sms_for(number)) == 1  # its received SMS only
    assert system.sms_for("2026-999999") == []


def test_a_national_id_that_is_not_one_is_refused_naming_it(system):
    number, _ = submitted(system)

    response = ask(system, number, "10000000147")

    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"national_id"}


def test_the_failed_lookup_limit_answers_429_once_spent(system):
    number, _ = submitted(system)

    answers = [ask(system, number, SOMEONE_ELSE) for _ in range(FAILED_LOOKUPS_PER_NUMBER + 1)]

    assert [answer.status_code for answer in answers] == [202] * FAILED_LOOKUPS_PER_NUMBER + [429]
    assert answers[-1].json()["error"]["code"] == "rate_limited"
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 3600
    # the same budget as wrong tracking codes: no second one beside it
    lookup = requests.get("{}/api/v1/applications/{}".format(system.url, number),
                          params={"tracking_code": "AAAAAAAA"}, timeout=15)
    assert lookup.status_code == 429


def test_no_national_id_reaches_a_log(system):
    """Asked for with the right and a wrong national ID: neither is in any process's log."""
    number, _ = submitted(system)
    ask(system, number)
    ask(system, number, SOMEONE_ELSE)
    wait_until(lambda: len(system.sms_for(number)) == 2, timeout=15, what="the reminder")

    logs = {name: process.output() for name, process in system.processes.items()}

    assert all(logs.values())  # the scan read something
    assert {name for name, text in logs.items() if NATIONAL_ID in text or SOMEONE_ELSE in text} == set()
