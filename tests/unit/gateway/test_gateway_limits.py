"""The gateway's rate limits (gateway/limits.py): who is counted, which answers count, the 429."""
import pytest

from common.errors import NotFound, Unauthorized, ValidationFailed
from gateway import limits
from gateway.app import create_app
from gateway.limits import RateLimitSettings
from gateway.settings import Settings
from tests.support.fake_rpc import FakeRpcPool
from tests.support.samples import APPLICANT_PHONE_E164, staff_principal
from tests.unit.gateway.test_gateway import CITIZEN_ANSWERS, NUMBER, RECEIPT, error_of

SECRET_KEY = "unit-test-signing-key"
OTHER_NUMBER = "2026-000002"
RIGHT_CODE, WRONG_CODE = "K7M2PQ9X", "AAAAAAAA"
RIGHT_PASSWORD = "doğru-parola-uzun"
ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"
GENEROUS = "1000/minute"


@pytest.fixture
def rpc():
    return FakeRpcPool(**dict(CITIZEN_ANSWERS, **{"routing.authenticate": staff_principal("ankara.router"),
                                                   "routing.token_generation": 0}))


def limited_client(rpc, trusted_proxies=0, **limit_overrides):
    """A test client whose limits are GENEROUS except ``limit_overrides``."""
    values = {name: GENEROUS for name in (
        "submissions_per_ip", "submissions_per_phone", "open311_per_key", "lookups_per_ip", "failed_lookups_per_ip",
        "failed_lookups_per_number", "failed_lookups_number_ceiling", "failed_lookups_past_ceiling",
        "failed_logins_per_username", "failed_logins_username_ceiling", "failed_logins_past_ceiling",
        "failed_logins_per_ip")}
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


def track(client, number=NUMBER, address="192.0.2.10", code=WRONG_CODE):
    return client.get("/api/v1/applications/{}?tracking_code={}".format(number, code), **from_address(address))


def log_in(client, username="ankara.router", address="192.0.2.10", password="wrong"):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       **from_address(address))


def only_the_right(secret, answer, refusal):
    """A fake service answer: ``answer`` for the right code or password, else ``refusal`` raised."""
    def respond(_, given, **__):
        if given != secret:
            raise refusal
        return answer

    return respond


def assert_rate_limited(response, at_most_seconds):
    error_of(response, 429, "rate_limited")
    assert 1 <= int(response.headers["Retry-After"]) <= at_most_seconds


def with_phone(application_body, phone):
    body = application_body()
    body["applicant"]["phone"] = phone
    return body


# --- SMS codes (issue 24) ---------------------------------------------------------------------

CODE_ASKED = {"verification_id": "5f0c1d2e3a4b5c6d7e8f9a0b1c2d3e4f", "expires_at": "2026-03-02T10:20:00+03:00",
              "attempts_left": 3}


def ask_code(client, phone, address="192.0.2.10"):
    return client.post("/api/v1/phone-verifications", json={"phone": phone}, **from_address(address))


def test_phone_verifications_are_limited_per_phone_and_per_address(rpc):
    rpc.answer("intake.request_phone_verification", CODE_ASKED)
    client = limited_client(rpc, phone_verifications_per_phone="2/15minutes",
                            phone_verifications_per_ip="3/hour")

    per_phone = [ask_code(client, phone, address) for phone, address in (
        ("0532 123 45 67", "192.0.2.1"), ("+90 532 123 4567", "192.0.2.2"), ("05321234567", "192.0.2.3"))]
    per_address = [ask_code(client, "0533 000 00 0{}".format(n), "198.51.100.9") for n in range(4)]

    assert [answer.status_code for answer in per_phone[:2]] == [201, 201]
    assert_rate_limited(per_phone[2], 900)  # the same phone however it is spelt, from any address
    assert [answer.status_code for answer in per_address[:3]] == [201, 201, 201]
    assert_rate_limited(per_address[3], 3600)  # many phones from one address
    assert ask_code(client, "0534 000 00 01", "198.51.100.10").status_code == 201


def test_a_refused_phone_does_not_count_against_it(rpc):
    rpc.answer("intake.request_phone_verification", ValidationFailed({"phone": "geçersiz / invalid"}))
    client = limited_client(rpc, phone_verifications_per_phone="1/15minutes")
    for _ in range(3):
        assert ask_code(client, "0532 123 45 67").status_code == 422
    rpc.answer("intake.request_phone_verification", CODE_ASKED)
    assert ask_code(client, "0532 123 45 67").status_code == 201


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


# --- Open311 POST requests: the citizen route's limits, and one per client app ------------------

OPEN311_POST = "/open311/v2/requests.json"
OPEN311_FORM = {"api_key": "ak311_first-app", "jurisdiction_id": "ankara.gov.tr", "service_code": "health",
                "first_name": "Ayşe", "last_name": "Yılmaz", "phone": "0532 123 45 67",
                "description": "Randevu alamıyorum, yardım rica ederim.", "attribute[kind]": "complaint",
                "attribute[district]": "Çankaya", "attribute[subject]": "Sağlık ocağı",
                "attribute[national_id]": "10000000146"}


@pytest.fixture
def open311_rpc(rpc):
    rpc.answer("routing.authenticate_open311_client", {"client_id": "5e1f0c2a9b7d", "name": "Şehrim"})
    return rpc


def post_open311(client, address="192.0.2.10", **changes):
    return client.post(OPEN311_POST, data=dict(OPEN311_FORM, **changes), **from_address(address))


def test_open311_posts_count_per_phone_with_the_citizen_route(open311_rpc, application_body):
    """SMS pumping: one phone has one allowance, whichever route it applies by, however spelled."""
    client = limited_client(open311_rpc, submissions_per_phone="2/hour")

    answers = [submit(client, with_phone(application_body, APPLICANT_PHONE_E164), address="192.0.2.1"),
               post_open311(client, address="192.0.2.2", phone="0532 123 45 67"),
               post_open311(client, address="192.0.2.3", phone="+90 532 123 4567")]

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert answers[2].get_json()[0]["code"] == 429  # in the specification's format under /open311/
    assert 1 <= int(answers[2].headers["Retry-After"]) <= 3600
    assert post_open311(client, address="192.0.2.4", phone="0533 765 43 21").status_code == 201


def test_open311_posts_count_per_address(open311_rpc):
    client = limited_client(open311_rpc, submissions_per_ip="2/minute")

    answers = [post_open311(client, phone="0533 765 43 2{}".format(index)) for index in range(3)]

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert post_open311(client, address="192.0.2.99", phone="0533 765 43 29").status_code == 201


def test_open311_posts_count_per_api_key(open311_rpc):
    client = limited_client(open311_rpc, open311_per_key="2/minute")

    answers = [post_open311(client, address="192.0.2.{}".format(index), phone="0533 765 43 2{}".format(index))
               for index in range(3)]

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert post_open311(client, api_key="ak311_second-app", phone="0533 765 43 29").status_code == 201
    [limiter] = client.application.extensions["limiter"]
    stored = repr(vars(limiter.storage))
    assert "open311_key:" in stored and "ak311_first-app" not in stored  # a keyed hash, never the key


def test_open311_limits_leave_bodies_that_are_no_form_to_the_view(open311_rpc):
    client = limited_client(open311_rpc, open311_per_key="1/minute", submissions_per_phone="1/minute")

    answers = [client.post(OPEN311_POST, json=OPEN311_FORM) for _ in range(3)]

    assert {answer.status_code for answer in answers} == {400}


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
    answers = [track(client) for _ in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [404, 404]
    assert_rate_limited(answers[2], 3600)
    assert track(client, number=OTHER_NUMBER).status_code == 404


def test_an_attacker_cannot_lock_the_owner_out_of_tracking(rpc):
    """Failures count per (number, address): the attacker's tries are spent, the owner's are not."""
    client = limited_client(rpc, failed_lookups_per_number="3/hour")
    rpc.answer("tracking.get_application_status",
               only_the_right(RIGHT_CODE, CITIZEN_ANSWERS["tracking.get_application_status"], NotFound("application")))

    attacker = [track(client, address=ATTACKER) for _ in range(4)]

    assert [answer.status_code for answer in attacker] == [404, 404, 404, 429]
    assert track(client, address=ATTACKER, code=RIGHT_CODE).status_code == 429  # no oracle past the limit
    assert track(client, address=OWNER).status_code == 404  # the owner's own typo costs one of their tries
    assert track(client, address=OWNER, code=RIGHT_CODE).status_code == 200
    assert track(client, address=ATTACKER).status_code == 429


def test_past_the_ceiling_every_address_gets_a_few_tries_and_the_right_code_still_opens(rpc):
    """Many addresses together reach the number's ceiling: from then on each address (a fresh one
    too) has ``failed_lookups_past_ceiling`` tries, the botnet's addresses included."""
    client = limited_client(rpc, failed_lookups_per_number="5/hour", failed_lookups_number_ceiling="4/hour",
                            failed_lookups_past_ceiling="1/hour")
    rpc.answer("tracking.get_application_status",
               only_the_right(RIGHT_CODE, CITIZEN_ANSWERS["tracking.get_application_status"], NotFound("application")))
    botnet = ["203.0.113.{}".format(index) for index in range(1, 5)]

    assert [track(client, address=address).status_code for address in botnet] == [404] * 4  # ceiling reached
    assert [track(client, address=botnet[0]).status_code for _ in range(2)] == [404, 429]
    assert [track(client, address="203.0.113.99").status_code for _ in range(2)] == [404, 429]
    assert track(client, address=OWNER, code=RIGHT_CODE).status_code == 200
    assert track(client, address=OWNER, code=RIGHT_CODE).status_code == 200  # right codes cost nothing
    assert [track(client, number=OTHER_NUMBER, address=botnet[1]).status_code for _ in range(3)] == [404] * 3


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

def test_refused_logins_per_username_count_per_address_however_the_name_is_typed(rpc):
    client = limited_client(rpc, failed_logins_per_username="2/hour")
    for _ in range(5):  # good logins cost nothing
        assert log_in(client).status_code == 200

    rpc.answer("routing.authenticate", Unauthorized())
    answers = [log_in(client) for _ in range(3)]

    assert [answer.status_code for answer in answers[:2]] == [401, 401]
    assert_rate_limited(answers[2], 3600)
    assert log_in(client, username="ANKARA.ROUTER ").status_code == 429  # one officer, however typed
    assert log_in(client, username="ankara.admin").status_code == 401


def test_an_attacker_cannot_lock_an_officer_out(rpc):
    client = limited_client(rpc, failed_logins_per_username="3/hour")
    rpc.answer("routing.authenticate", only_the_right(RIGHT_PASSWORD, staff_principal("ankara.router"), Unauthorized()))

    attacker = [log_in(client, address=ATTACKER) for _ in range(4)]

    assert [answer.status_code for answer in attacker] == [401, 401, 401, 429]
    assert log_in(client, address=ATTACKER, password=RIGHT_PASSWORD).status_code == 429
    assert log_in(client, address=OWNER, password=RIGHT_PASSWORD).status_code == 200
    assert log_in(client, address=ATTACKER).status_code == 429


def test_past_the_login_ceiling_a_fresh_address_still_logs_in(rpc):
    client = limited_client(rpc, failed_logins_per_username="5/hour", failed_logins_username_ceiling="3/hour",
                            failed_logins_past_ceiling="2/hour")
    rpc.answer("routing.authenticate", only_the_right(RIGHT_PASSWORD, staff_principal("ankara.router"), Unauthorized()))
    botnet = ["203.0.113.{}".format(index) for index in range(1, 4)]

    assert [log_in(client, address=address).status_code for address in botnet] == [401] * 3
    assert [log_in(client, address="203.0.113.50").status_code for _ in range(3)] == [401, 401, 429]
    assert log_in(client, address=OWNER).status_code == 401  # a typo
    assert log_in(client, address=OWNER, password=RIGHT_PASSWORD).status_code == 200


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
