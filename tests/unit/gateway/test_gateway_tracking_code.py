"""A lost tracking code at the gateway (issue 19, docs/api.md#lost-tracking-code): one fixed 202
whatever intake found, the national ID refused by name, and the failed-lookup limits counting
every request, shared with the tracking lookups (no second budget of guesses)."""
import pytest

from common.errors import NotFound, ValidationFailed
from contracts.intake.requests import NATIONAL_ID_INVALID
from gateway.rpc import RpcTimedOut, ServiceUnavailable
from messages import bilingual
from tests.support.fake_rpc import FakeRpcPool
from tests.unit.gateway.test_gateway import CITIZEN_ANSWERS, NUMBER, build_app, error_of
from tests.unit.gateway.test_gateway_limits import assert_rate_limited, from_address, limited_client, track

NATIONAL_ID = "10000000146"
OTHER_NUMBER = "2026-000002"
ANSWER = {"message": bilingual("intake.tracking_code_requested")}


@pytest.fixture
def rpc():
    return FakeRpcPool(**dict(CITIZEN_ANSWERS, **{"intake.request_tracking_code": None}))


@pytest.fixture
def client(rpc, readiness):
    return build_app(rpc, readiness).test_client()


def ask(client, number=NUMBER, national_id=NATIONAL_ID, address="192.0.2.10", **kwargs):
    body = kwargs.pop("json", {"national_id": national_id})
    return client.post("/api/v1/applications/{}/tracking-code".format(number), json=body,
                       **from_address(address), **kwargs)


def test_the_answer_is_202_with_the_catalogue_message(client, rpc):
    response = ask(client)

    assert response.status_code == 202
    assert response.get_json() == ANSWER
    assert "takip kodu" in ANSWER["message"] and "tracking code" in ANSWER["message"]
    assert rpc.calls == [("intake", "request_tracking_code", (NUMBER, {"national_id": NATIONAL_ID}), {})]


def test_match_miss_unknown_and_malformed_numbers_answer_the_same_bytes(client):
    """Intake answers None in every case; the gateway's bytes never depend on the number either."""
    answers = [ask(client, number=number, national_id=national_id)
               for number, national_id in ((NUMBER, NATIONAL_ID), (NUMBER, "10000000078"),
                                           ("2026-999999", NATIONAL_ID), ("not-a-number", NATIONAL_ID),
                                           ("2026-00000X", NATIONAL_ID))]

    assert {(answer.status_code, answer.get_data()) for answer in answers} == {(202, answers[0].get_data())}
    headers = [{name: value for name, value in answer.headers if name != "X-Request-ID"} for answer in answers]
    assert all(header == headers[0] for header in headers)


def test_a_bad_national_id_is_422_naming_it(client, rpc):
    rpc.answer("intake.request_tracking_code", ValidationFailed({"national_id": NATIONAL_ID_INVALID}))

    error = error_of(ask(client, national_id="10000000147"), 422, "validation_failed")

    assert error["fields"] == {"national_id": NATIONAL_ID_INVALID}


@pytest.mark.parametrize("data, content_type, status", [
    ("{", "application/json", 400), ("national_id=10000000146", "application/x-www-form-urlencoded", 415)])
def test_a_body_that_is_not_json_is_refused_before_intake(client, rpc, data, content_type, status):
    response = client.post("/api/v1/applications/{}/tracking-code".format(NUMBER), data=data,
                           content_type=content_type)

    assert response.status_code == status
    assert rpc.calls == []


@pytest.mark.parametrize("failure, status", [(ServiceUnavailable("intake"), 503), (RpcTimedOut("intake"), 504)])
def test_intake_away_is_not_done_not_a_pretended_202(client, rpc, failure, status):
    rpc.answer("intake.request_tracking_code", failure)

    assert ask(client).status_code == status


def test_a_get_is_not_allowed(client):
    response = client.get("/api/v1/applications/{}/tracking-code".format(NUMBER))

    assert response.status_code == 405


# --- rate limits: the failed lookups', every request counted -------------------------------------------

def limited(rpc, **overrides):
    rpc.answer("intake.request_tracking_code", None)
    return limited_client(rpc, **overrides)


def test_every_request_counts_per_number_and_address(rpc):
    client = limited(rpc, failed_lookups_per_number="3/hour")

    answers = [ask(client) for _ in range(4)]

    assert [answer.status_code for answer in answers[:3]] == [202] * 3
    assert_rate_limited(answers[3], 3600)
    assert ask(client, number=OTHER_NUMBER).status_code == 202
    assert ask(client, address="198.51.100.7").status_code == 202  # another address: not locked out


def test_every_request_counts_per_address(rpc):
    client = limited(rpc, failed_lookups_per_ip="2/hour")

    answers = [ask(client, number="2026-00000{}".format(index)) for index in range(1, 4)]

    assert [answer.status_code for answer in answers] == [202, 202, 429]
    assert ask(client, number="2026-000009", address="192.0.2.77").status_code == 202


def test_bad_national_ids_count_too(rpc):
    client = limited(rpc, failed_lookups_per_number="2/hour")
    rpc.answer("intake.request_tracking_code", ValidationFailed({"national_id": NATIONAL_ID_INVALID}))

    assert [ask(client).status_code for _ in range(3)] == [422, 422, 429]


def test_lost_code_requests_and_wrong_tracking_codes_share_one_budget(rpc):
    """A guess at the national ID and a guess at the tracking code come from the same tries."""
    client = limited(rpc, failed_lookups_per_number="3/hour")
    rpc.answer("tracking.get_application_status", NotFound("application"))

    assert [track(client).status_code for _ in range(2)] == [404, 404]
    assert ask(client).status_code == 202
    assert ask(client).status_code == 429
    assert track(client).status_code == 429


def test_past_the_numbers_ceiling_every_address_gets_the_few_tries(rpc):
    client = limited(rpc, failed_lookups_per_number="5/hour", failed_lookups_number_ceiling="3/hour",
                     failed_lookups_past_ceiling="1/hour")
    botnet = ["203.0.113.{}".format(index) for index in range(1, 4)]

    assert [ask(client, address=address).status_code for address in botnet] == [202] * 3  # ceiling reached
    assert [ask(client, address="203.0.113.99").status_code for _ in range(2)] == [202, 429]
    assert [ask(client, number=OTHER_NUMBER, address=botnet[0]).status_code for _ in range(3)] == [202] * 3


def test_refused_requests_do_not_push_the_ceiling(rpc):
    """A 429 is no guess: one address hammering its spent tries does not bring every other address
    down to the past-ceiling allowance."""
    client = limited(rpc, failed_lookups_per_number="2/hour", failed_lookups_number_ceiling="4/hour",
                     failed_lookups_past_ceiling="1/hour")

    assert [ask(client, address="203.0.113.66").status_code for _ in range(6)] == [202, 202] + [429] * 4
    # two of four counted: a fresh address still has the per-number allowance, not the past-ceiling one
    assert [ask(client, address="198.51.100.7").status_code for _ in range(2)] == [202, 202]
