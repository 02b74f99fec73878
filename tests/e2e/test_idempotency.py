"""Retrying a submission with its Idempotency-Key never makes a second application or SMS."""
from tests.e2e.conftest import application_body
from tests.support.processes import wait_until


def test_same_key_same_body_is_one_application_and_one_sms(api, running_system, idempotency_key):
    body = application_body(subject="Park aydınlatması")
    first = api.submit(body, headers={"Idempotency-Key": idempotency_key})
    again = api.submit(dict(reversed(list(body.items()))), headers={"Idempotency-Key": idempotency_key})

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    number = first.json()["application_no"]
    wait_until(lambda: running_system.sms_for(number), timeout=5, what="SMS")
    assert len(running_system.sms_for(number)) == 1


def test_same_key_other_body_is_a_conflict(api, idempotency_key):
    first = api.submit(application_body(), headers={"Idempotency-Key": idempotency_key})
    other = api.submit(application_body(subject="Başka bir konu"), headers={"Idempotency-Key": idempotency_key})

    assert first.status_code == 201
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_without_a_key_each_submission_is_its_own_application(api):
    numbers = {api.submit(application_body()).json()["application_no"] for _ in range(2)}
    assert len(numbers) == 2


def test_unusable_key_is_refused_naming_the_header(api):
    response = api.submit(application_body(), headers={"Idempotency-Key": "x" * 101})
    assert response.status_code == 422
    assert "headers.Idempotency-Key" in response.json()["error"]["fields"]
