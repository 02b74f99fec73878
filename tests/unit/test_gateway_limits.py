"""The gateway's rate limits (gateway/limits.py): who is counted, which answers count, the 429."""
import pytest

from common.errors import NotFound, Unauthorized, ValidationFailed
from gateway import limits
from gateway.app import create_app
from gateway.limits import RateLimitSettings
from gateway.settings import Settings
from tests.support.samples import APPLICANT_PHONE_E164, staff_principal
from tests.unit.test_gateway import CITIZEN_ANSWERS, NUMBER, RECEIPT, FakeRpcPool, error_of

SECRET_KEY = "unit-test-signing-key"
OTHER_NUMBER = "2026-000002"
GENEROUS = "1000/minute"


@pytest.fixture
def rpc():
    return FakeRpcPool(**dict(CITIZEN_ANSWERS, **{"routing.authenticate": staff_principal("ankara.router")}))


def limited_client(rpc, trusted_proxies=0, **limit_overrides):
    """A test client whose limits are GENEROUS except ``limit_overrides``."""
    values = {name: GENEROUS for name in (
        "submissions_per_ip", "submissions_per_phone", "lookups_per_ip", "failed_lookups_per_ip",
        "failed_lookups_per_number", "failed_logins_per_username", "failed_logins_per_ip")}
    values.update(limit_overrides)
    app = create_app(Settings(
        amqp_uri="amqp://guest:guest@127.0.0.1:1/", rpc_timeout_seconds=1.0, readiness_timeout_seconds=1.0,
        max_body_bytes=4096, retry_after_seconds=7, secret_key=SECRET_KEY, trusted_proxies=trusted_proxies,
        rate_limits=RateLimitSettings(**values),
    ))
    app.extensions["rpc"] = rpc
    return app.test_client()


def from_address(address):
    return {"environ_base": {"REMOTE_ADDR": address}}


def submit(client, body, address="192.0.2.10", **kwargs):
    return client.post("/api/v1/applications", json=body, **from_address(address), **kwargs)


def track(client, number=NUMBER, address="192.0.2.10"):
    return client.get("/api/v1/applications/{}?tracking_code=K7M2PQ9X".format(number), **from_address(address))


def log_in(client, username="ankara.router", address="192.0.2.10"):
    return client.post("/api/v1/auth/token", json={"username": username, "password": "wrong"},
                       **from_address(address))


def assert_rate_limited(response, at_most_seconds):
    error_of(response, 429, "rate_limited")
    assert 1 <= int(response.headers["Retry-After"]) <= at_most_seconds


def with_phone(application_body, phone):
    body = application_body()
    body["applicant"]["phone"] = phone
    return body


# --- submissions ------------------------------------------------------------------------------

def test_submissions_per_address_answer_429_with_retry_after_once_spent(rpc, application_body):
    client = limited_client(rpc, submissions_per_ip="3/minute")

    answers = [submit(client, application_body()) for _ in range(4)]

    assert [answer.status_code for answer in answers[:3]] == [201, 201, 201]
    assert_rate_limited(answers[3], 60)
    assert len(rpc.calls) == 3  # the refused one never reached intake
    assert submit(client, application_body(), address="192.0.2.11").status_code == 201


def test_retry_after_is_the_time_until_the_limit_has_room(rpc, application_body):
    client = limited_client(rpc, submissions_per_ip="1/hour")
    submit(client, application_body())

    response = submit(client, application_body())

    assert 3500 <= int(response.headers["Retry-After"]) <= 3600


def test_submissions_per_phone_hold_across_addresses_and_spellings(rpc, application_body):
    client = limited_client(rpc, submissions_per_phone="2/hour")

    first = submit(client, with_phone(application_body, "0532 123 45 67"), address="192.0.2.1")
    second = submit(client, with_phone(application_body, "+90 (532) 123-4567"), address="192.0.2.2")
    third = submit(client, with_phone(application_body, APPLICANT_PHONE_E164), address="192.0.2.3")

    assert (first.status_code, second.status_code) == (201, 201)
    assert_rate_limited(third, 3600)
    assert submit(client, with_phone(application_body, "0533 765 43 21"), address="192.0.2.4").status_code == 201


def test_only_accepted_submissions_count_against_the_phone(rpc, application_body):
    client = limited_client(rpc, submissions_per_phone="2/hour")
    rpc.answer("intake.submit_application", ValidationFailed({"district": "bilinmiyor / unknown"}))
    for _ in range(5):
        assert submit(client, application_body()).status_code == 422

    rpc.answer("intake.submit_application", RECEIPT)

    assert [submit(client, application_body()).status_code for _ in range(3)] == [201, 201, 429]


def test_phone_key_is_a_keyed_hash_never_the_phone(rpc, application_body):
    client = limited_client(rpc)
    app = client.application
    keys = []
    for phone in ("0532 123 45 67", "+905321234567"):
        with app.test_request_context("/api/v1/applications", method="POST",
                                      json=with_phone(application_body, phone)):
            keys.append(limits.phone_key())

    assert keys[0] == keys[1]
    assert keys[0].startswith("phone:")
    for fragment in ("5321234567", "532", "1234567", "4567"):
        assert fragment not in keys[0]


def test_phone_never_reaches_the_counters_in_clear(rpc, application_body):
    client = limited_client(rpc, submissions_per_phone="5/hour")
    submit(client, with_phone(application_body, "0532 123 45 67"))
    [limiter] = client.application.extensions["limiter"]

    stored = repr(vars(limiter.storage))

    assert "phone:" in stored
    assert "5321234567" not in stored and "532 123" not in stored


def test_hash_depends_on_the_secret(rpc, application_body):
    body = with_phone(application_body, "0532 123 45 67")
    keys = set()
    for secret in ("one-secret", "another-secret"):
        app = create_app(Settings(amqp_uri="amqp://x/", rpc_timeout_seconds=1.0, readiness_timeout_seconds=1.0,
                                  max_body_bytes=4096, retry_after_seconds=7, secret_key=secret))
        with app.test_request_context("/api/v1/applications", method="POST", json=body):
            keys.add(limits.phone_key())

    assert len(keys) == 2


def test_bodies_without_a_phone_are_left_to_intake_not_counted(rpc):
    client = limited_client(rpc, submissions_per_phone="1/hour")

    answers = [client.post("/api/v1/applications", json={"kind": "complaint"}) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [201, 201, 201]  # FakeRpcPool accepts anything


def test_limits_keep_the_body_errors_of_the_view(rpc):
    client = limited_client(rpc, submissions_per_phone="1/hour")

    assert client.post("/api/v1/applications", data="x", content_type="text/plain").status_code == 415
    assert client.post("/api/v1/applications", data="{", content_type="application/json").status_code == 400
    too_large = {"applicant": {"phone": "0532 123 45 67"}, "description": "x" * 5000}
    assert client.post("/api/v1/applications", json=too_large).status_code == 413


# --- tracking ---------------------------------------------------------------------------------

def test_lookups_per_address(rpc):
    client = limited_client(rpc, lookups_per_ip="3/minute")

    answers = [track(client) for _ in range(4)]

    assert [answer.status_code for answer in answers[:3]] == [200, 200, 200]
    assert_rate_limited(answers[3], 60)
    assert track(client, address="192.0.2.99").status_code == 200


def test_failed_lookups_per_number_count_only_404s(rpc):
    client = limited_client(rpc, failed_lookups_per_number="2/hour")
    for _ in range(5):  # successful lookups cost nothing
        assert track(client).status_code == 200

    rpc.answer("tracking.get_application_status", NotFound("application"))
    answers = [track(client, address="192.0.2.{}".format(index)) for index in range(1, 4)]

    assert [answer.status_code for answer in answers[:2]] == [404, 404]
    assert_rate_limited(answers[2], 3600)  # from any address: the number is what is guessed at
    assert track(client, number=OTHER_NUMBER).status_code == 404


def test_malformed_numbers_and_codes_count_as_failed_lookups(rpc):
    client = limited_client(rpc, failed_lookups_per_number="2/hour")
    number = "2026-00000X"
    for _ in range(2):
        assert track(client, number=number).status_code == 404

    assert track(client, number=number).status_code == 429


def test_failed_lookups_per_address(rpc):
    client = limited_client(rpc, failed_lookups_per_ip="2/hour")
    rpc.answer("tracking.get_application_status", NotFound("application"))

    answers = [track(client, number="2026-00000{}".format(index)) for index in range(1, 4)]

    assert [answer.status_code for answer in answers] == [404, 404, 429]
    assert track(client, number="2026-000009", address="192.0.2.77").status_code == 404


# --- logins -----------------------------------------------------------------------------------

def test_refused_logins_per_username_hold_across_addresses(rpc):
    client = limited_client(rpc, failed_logins_per_username="2/hour")
    for _ in range(5):  # good logins cost nothing
        assert log_in(client).status_code == 200

    rpc.answer("routing.authenticate", Unauthorized())
    answers = [log_in(client, address="192.0.2.{}".format(index)) for index in range(1, 4)]

    assert [answer.status_code for answer in answers[:2]] == [401, 401]
    assert_rate_limited(answers[2], 3600)
    assert log_in(client, username="ANKARA.ROUTER ").status_code == 429  # one officer, however typed
    assert log_in(client, username="ankara.admin").status_code == 401


def test_refused_logins_per_address(rpc):
    client = limited_client(rpc, failed_logins_per_ip="2/hour")
    rpc.answer("routing.authenticate", Unauthorized())

    answers = [log_in(client, username="user{}".format(index)) for index in range(3)]

    assert [answer.status_code for answer in answers] == [401, 401, 429]
    assert log_in(client, username="user9", address="192.0.2.200").status_code == 401


# --- the client's address ---------------------------------------------------------------------

def test_x_forwarded_for_is_ignored_without_trusted_proxies(rpc, application_body):
    client = limited_client(rpc, submissions_per_ip="2/minute")

    answers = [submit(client, application_body(), headers={"X-Forwarded-For": "198.51.100.{}".format(index)})
               for index in range(3)]

    assert [answer.status_code for answer in answers] == [201, 201, 429]


def test_x_forwarded_for_is_honoured_through_one_trusted_proxy(rpc, application_body):
    client = limited_client(rpc, trusted_proxies=1, submissions_per_ip="2/minute")

    spread = [submit(client, application_body(), headers={"X-Forwarded-For": "198.51.100.{}".format(index)})
              for index in range(3)]
    # A client's own forged entry is the first of two: the proxy's (last) one is what counts.
    same = [submit(client, application_body(), headers={"X-Forwarded-For": "10.9.9.{}, 203.0.113.5".format(i)})
            for i in range(3)]

    assert [answer.status_code for answer in spread] == [201, 201, 201]
    assert [answer.status_code for answer in same] == [201, 201, 429]


def test_ipv6_clients_count_by_their_64(rpc, application_body):
    client = limited_client(rpc, submissions_per_ip="2/minute")

    answers = [submit(client, application_body(), address="2001:db8:1:2::{}".format(index)) for index in (1, 2, 3)]

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert submit(client, application_body(), address="2001:db8:1:3::1").status_code == 201


# --- switches and storage ---------------------------------------------------------------------

def test_limits_off_when_disabled(rpc, application_body):
    client = limited_client(rpc, enabled=False, submissions_per_ip="1/hour", submissions_per_phone="1/hour")

    assert {submit(client, application_body()).status_code for _ in range(10)} == {201}


def test_cors_preflights_are_not_counted(rpc, application_body):
    client = limited_client(rpc, submissions_per_ip="2/minute")
    for _ in range(5):
        client.options("/api/v1/applications", **from_address("192.0.2.10"))

    assert [submit(client, application_body()).status_code for _ in range(3)] == [201, 201, 429]


def test_unreachable_redis_lets_requests_through(rpc, application_body):
    client = limited_client(rpc, storage_uri="redis://127.0.0.1:1/0", submissions_per_ip="1/hour")

    assert [submit(client, application_body()).status_code for _ in range(3)] == [201, 201, 201]


def test_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("RATE_LIMITS_ENABLED", "false")
    monkeypatch.setenv("RATE_LIMIT_STORAGE_URI", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("RATE_LIMIT_SUBMISSIONS_PER_PHONE", "3/hour")
    monkeypatch.setenv("TRUSTED_PROXIES", "2")

    settings = Settings.from_environment()

    assert settings.trusted_proxies == 2
    assert settings.rate_limits.enabled is False
    assert settings.rate_limits.storage_uri == "redis://127.0.0.1:6379/3"
    assert settings.rate_limits.submissions_per_phone == "3/hour"
    assert settings.rate_limits.lookups_per_ip == RateLimitSettings.lookups_per_ip


def test_limits_are_on_by_default_and_a_bad_limit_is_refused_at_start(monkeypatch):
    for name in ("RATE_LIMITS_ENABLED", "RATE_LIMIT_LOOKUPS_PER_IP"):
        monkeypatch.delenv(name, raising=False)
    assert RateLimitSettings.from_environment().enabled is True

    monkeypatch.setenv("RATE_LIMIT_LOOKUPS_PER_IP", "lots")
    with pytest.raises(ValueError, match="lookups_per_ip"):
        RateLimitSettings.from_environment()
