"""What every HTTP SMS provider client must do, each against its own loopback fake:
success recorded once, auth failure not retryable, 5xx/429/timeouts retryable, a hanging call
bounded by SMS_TIMEOUT_SECONDS and not holding up other sends, no phone or text in reasons,
missing settings named, and each fake usable as a process."""
import socket
import threading
import time

import pytest
import requests

from services.notification.providers import (
    IletiMerkeziProvider,
    OutgoingSms,
    SmsSendError,
    TwilioProvider,
    VerimorProvider,
    build_provider,
)
from services.notification.segments import GSM7_TURKISH
from tests.fakes._base import fake_process
from tests.fakes.iletimerkezi_server import FakeIletiMerkezi
from tests.fakes.twilio_server import FakeTwilio
from tests.fakes.verimor_server import FakeVerimor

PHONE = "+905321234567"
TEXT = "Başvurunuz alındı. Başvuru no: 2026-000123, takip kodu: ABCD2345."
ACCOUNT_SID, AUTH_TOKEN = "AC" + "0" * 31 + "1", "twilio-auth-token"


def sms(message_id="msg-0001", text=TEXT, phone=PHONE):
    return OutgoingSms(message_id=message_id, phone=phone, text=text, encoding=GSM7_TURKISH)


class Verimor:
    name, cls = "verimor", VerimorProvider
    required = ["VERIMOR_USERNAME", "VERIMOR_PASSWORD"]

    @staticmethod
    def fake(callback_url=None):
        # Content-based double-send checks are the fake's own topic (test_sms_provider_verimor).
        return FakeVerimor("908501234567", "api-secret", callback_url=callback_url, double_send_check=False)

    @staticmethod
    def settings(url, **overrides):
        return {"SMS_PROVIDER": "verimor", "VERIMOR_API_URL": url, "VERIMOR_USERNAME": "908501234567",
                "VERIMOR_PASSWORD": "api-secret", **overrides}

    bad_auth = {"VERIMOR_PASSWORD": "wrong"}
    api_url = staticmethod(lambda fake: fake.url)
    process_args = ["--username", "908501234567", "--password", "api-secret"]
    our_id_recorded = True


class IletiMerkezi:
    name, cls = "iletimerkezi", IletiMerkeziProvider
    required = ["ILETIMERKEZI_KEY", "ILETIMERKEZI_HASH"]

    @staticmethod
    def fake(callback_url=None):
        # The 10-minute duplicate-order refusal is the fake's own topic (test_sms_provider_iletimerkezi).
        return FakeIletiMerkezi("api-key", "api-hash", callback_url=callback_url, duplicate_window_seconds=0)

    @staticmethod
    def settings(url, **overrides):
        return {"SMS_PROVIDER": "iletimerkezi", "ILETIMERKEZI_API_URL": url, "ILETIMERKEZI_KEY": "api-key",
                "ILETIMERKEZI_HASH": "api-hash", **overrides}

    bad_auth = {"ILETIMERKEZI_HASH": "wrong-hash"}
    api_url = staticmethod(lambda fake: fake.url + "/v1")
    process_args = ["--key", "api-key", "--hash", "api-hash"]
    our_id_recorded = False  # the API has no field for it


class Twilio:
    name, cls = "twilio", TwilioProvider
    required = ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"]

    @staticmethod
    def fake(callback_url=None):
        return FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, callback_url=callback_url)

    @staticmethod
    def settings(url, **overrides):
        return {"SMS_PROVIDER": "twilio", "TWILIO_API_URL": url, "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_FROM": "ACIKKAPI",
                "SMS_CALLBACK_BASE_URL": "https://acikkapi.example", "SMS_CALLBACK_TOKEN": "cb-secret", **overrides}

    bad_auth = {"TWILIO_AUTH_TOKEN": "wrong-token"}
    api_url = staticmethod(lambda fake: fake.url)
    process_args = ["--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN]
    our_id_recorded = True  # in the StatusCallback URL


PROVIDERS = [Verimor, IletiMerkezi, Twilio]


@pytest.fixture(params=PROVIDERS, ids=lambda kind: kind.name)
def kind(request):
    return request.param


@pytest.fixture
def fake(kind):
    with kind.fake() as server:
        yield server


@pytest.fixture
def provider(kind, fake):
    return build_provider(kind.settings(kind.api_url(fake)))


def behave(fake, **behaviour):
    answer = requests.post(fake.url + "/_fake/behaviour", json=behaviour, timeout=5)
    assert answer.status_code == 200, answer.text


def assert_no_personal_data(reason):
    assert "5321234567" not in reason
    assert TEXT not in reason and "takip kodu" not in reason


# --- settings


def test_build_provider_knows_all_four():
    from services.notification.providers import _PROVIDERS

    assert sorted(_PROVIDERS) == ["iletimerkezi", "log", "twilio", "verimor"]


@pytest.mark.parametrize(
    "kind, missing", [(kind, name) for kind in PROVIDERS for name in kind.required], ids=lambda value: str(value)
)
def test_a_missing_required_setting_is_named(kind, missing):
    settings = kind.settings("http://127.0.0.1:9")
    del settings[missing]

    with pytest.raises(ValueError, match=missing):
        build_provider(settings)


@pytest.mark.parametrize("timeout", ["soon", "0", "-1", "nan", "inf"])
def test_the_timeout_must_be_a_positive_number(kind, timeout):
    with pytest.raises(ValueError, match="SMS_TIMEOUT_SECONDS"):
        build_provider(kind.settings("http://127.0.0.1:9", SMS_TIMEOUT_SECONDS=timeout))


def test_the_timeout_setting_reaches_the_client(kind):
    provider = build_provider(kind.settings("http://127.0.0.1:9", SMS_TIMEOUT_SECONDS="2.5"))

    assert provider.timeout_seconds == 2.5 and provider._http.timeout_seconds == 2.5


def test_building_a_provider_opens_no_connection(kind):
    provider = build_provider(kind.settings("http://127.0.0.1:9"))

    assert provider._http._session is None


# --- sending


def test_a_send_is_recorded_once_with_received_at_and_our_id(kind, fake, provider):
    receipt = provider.send(sms())

    assert receipt.provider == kind.name and receipt.provider_message_id
    [message] = requests.get(fake.url + "/_fake/messages", timeout=5).json()
    assert message["received_at"] == pytest.approx(time.time(), abs=5)
    assert message["message_id"] == ("msg-0001" if kind.our_id_recorded else None)


def test_every_send_is_recorded_even_with_the_same_message_id(kind, fake, provider):
    """None of the three documents deduplication by a client id: a retried send is a second SMS."""
    first, second = provider.send(sms()), provider.send(sms())

    assert first.provider_message_id != second.provider_message_id
    assert len(fake.messages) == 2


def test_an_authentication_failure_is_not_retryable(kind, fake):
    provider = build_provider(kind.settings(kind.api_url(fake), **kind.bad_auth))

    with pytest.raises(SmsSendError) as raised:
        provider.send(sms())

    assert not raised.value.retryable
    assert "401" in raised.value.reason
    assert_no_personal_data(raised.value.reason)
    assert fake.messages == []


def test_two_server_errors_then_success(kind, fake, provider):
    behave(fake, steps=[500, 500])

    for _ in range(2):
        with pytest.raises(SmsSendError) as raised:
            provider.send(sms())
        assert raised.value.retryable and "500" in raised.value.reason
        assert_no_personal_data(raised.value.reason)
    assert fake.messages == []

    assert provider.send(sms()).provider_message_id
    assert len(fake.messages) == 1


@pytest.mark.parametrize("status", [429, 502, 503])
def test_rate_limits_and_server_trouble_are_retryable(kind, fake, provider, status):
    behave(fake, fail_next=1, status=status)

    with pytest.raises(SmsSendError) as raised:
        provider.send(sms())

    assert raised.value.retryable and str(status) in raised.value.reason


def test_an_error_echoing_the_number_and_text_is_masked(kind, fake, provider):
    behave(fake, fail_next=1, status=400, body=f"Invalid phone number: {PHONE} ({PHONE[1:]}) for message {TEXT}")

    with pytest.raises(SmsSendError) as raised:
        provider.send(sms())

    assert not raised.value.retryable
    assert "Invalid phone number" in raised.value.reason
    assert_no_personal_data(raised.value.reason)


def test_a_foreign_number_in_an_error_is_masked_too(kind, fake, provider):
    foreign = sms(phone="+4915112345678", text="Hallo Welt")
    behave(fake, fail_next=1, status=400, body="bad number +4915112345678 / 4915112345678")

    with pytest.raises(SmsSendError) as raised:
        provider.send(foreign)

    assert "4915112345678" not in raised.value.reason


def test_a_hanging_call_is_a_retryable_timeout_and_holds_up_nothing_else(kind, fake):
    provider = build_provider(kind.settings(kind.api_url(fake), SMS_TIMEOUT_SECONDS="1"))
    behave(fake, steps=["hang"])
    outcome = {}

    def hanging_send():
        started = time.monotonic()
        try:
            provider.send(sms("msg-hang"))
        except SmsSendError as error:
            outcome["error"], outcome["seconds"] = error, time.monotonic() - started

    hanging = threading.Thread(target=hanging_send)
    hanging.start()
    deadline = time.monotonic() + 5
    while fake.hanging == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fake.hanging == 1

    started = time.monotonic()
    assert provider.send(sms("msg-other")).provider_message_id  # the same client, meanwhile
    assert time.monotonic() - started < 0.8
    hanging.join(5)

    assert outcome["error"].retryable and "1 s" in outcome["error"].reason
    assert 0.9 <= outcome["seconds"] < 3
    assert_no_personal_data(outcome["error"].reason)


def test_a_released_hanging_send_is_taken_late(kind, fake, provider):
    """The "provider took it but the answer came too late" case a retry has to live with."""
    behave(fake, steps=["hang"])
    done = threading.Event()
    threading.Thread(target=lambda: (provider.send(sms()), done.set()), daemon=True).start()
    deadline = time.monotonic() + 5
    while fake.hanging == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fake.messages == []

    requests.post(fake.url + "/_fake/release", timeout=5)

    assert done.wait(5)
    assert len(fake.messages) == 1


def test_a_refused_connection_is_retryable(kind):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    provider = build_provider(kind.settings(f"http://127.0.0.1:{closed_port}"))

    with pytest.raises(SmsSendError) as raised:
        provider.send(sms())

    assert raised.value.retryable
    assert_no_personal_data(raised.value.reason)


def test_the_behaviour_control_refuses_nonsense(fake):
    for nonsense in ({"fail_next": -1}, {"fail_next": 1, "status": 200}, {"steps": ["later"]}, {"steps": 3}):
        assert requests.post(fake.url + "/_fake/behaviour", json=nonsense, timeout=5).status_code == 400


# --- each fake as a separate process


def test_each_fake_runs_as_a_process(kind):
    with fake_process(f"tests.fakes.{kind.name}_server", *kind.process_args,
                      "--callback-url", "http://127.0.0.1:9/callbacks") as url:
        api_url = url + "/v1" if kind is IletiMerkezi else url
        build_provider(kind.settings(api_url)).send(sms())
        [message] = requests.get(url + "/_fake/messages", timeout=5).json()
        assert message["message_id"] == ("msg-0001" if kind.our_id_recorded else None)
