import json
import socket
import threading
import time

import pytest
import requests

from services.notification.providers import (
    LogProvider,
    OutgoingSms,
    SendReceipt,
    SmsSendError,
    build_provider,
)
from services.notification.segments import GSM7, GSM7_TURKISH, UCS2
from tests.fakes._base import fake_process
from tests.fakes.verimor_server import BAD_CREDENTIALS, FakeVerimor

PHONE = "+905321234567"
USERNAME, PASSWORD = "908501234567", "api-secret"
SMS = OutgoingSms(
    message_id="msg-0001",
    phone=PHONE,
    text="Başvurunuz alındı. Başvuru no: 2026-000123, takip kodu: ABCD2345.",
    encoding=GSM7_TURKISH,
)


def verimor_settings(url, **overrides):
    return {
        "SMS_PROVIDER": "verimor",
        "VERIMOR_API_URL": url,
        "VERIMOR_USERNAME": USERNAME,
        "VERIMOR_PASSWORD": PASSWORD,
        **overrides,
    }


def assert_no_personal_data(reason):
    assert PHONE.removeprefix("+") not in reason and "5321234567" not in reason
    assert SMS.text not in reason


@pytest.fixture
def fake():
    with FakeVerimor(USERNAME, PASSWORD) as server:
        yield server


@pytest.fixture
def verimor(fake):
    return build_provider(verimor_settings(fake.url))


# --- build_provider


def test_log_is_the_default_provider(tmp_path):
    assert isinstance(build_provider({"DATA_DIR": str(tmp_path)}), LogProvider)
    assert isinstance(build_provider({"SMS_PROVIDER": "", "DATA_DIR": str(tmp_path)}), LogProvider)


def test_unknown_provider_is_refused():
    with pytest.raises(ValueError, match="unknown SMS_PROVIDER 'nexmo'.*iletimerkezi, log, twilio, verimor"):
        build_provider({"SMS_PROVIDER": "nexmo"})


@pytest.mark.parametrize("missing", ["VERIMOR_USERNAME", "VERIMOR_PASSWORD"])
def test_verimor_needs_its_credentials(missing):
    settings = verimor_settings("http://127.0.0.1:9")
    del settings[missing]

    with pytest.raises(ValueError, match=missing):
        build_provider(settings)


@pytest.mark.parametrize("timeout", ["soon", "0", "-1"])
def test_verimor_refuses_a_timeout_that_is_not_a_positive_number(timeout):
    with pytest.raises(ValueError, match="SMS_TIMEOUT_SECONDS"):
        build_provider(verimor_settings("http://127.0.0.1:9", SMS_TIMEOUT_SECONDS=timeout))


def test_verimor_defaults():
    provider = build_provider({"SMS_PROVIDER": "verimor", "VERIMOR_USERNAME": "u", "VERIMOR_PASSWORD": "p"})

    assert provider.send_url == "https://sms.verimor.com.tr/v2/send.json"
    assert provider.sender == "ACIKKAPI"
    assert provider.timeout_seconds == 10


# --- log provider


def test_log_provider_appends_a_masked_json_line(tmp_path):
    data_dir = tmp_path / "not-yet-there"
    provider = build_provider({"SMS_PROVIDER": "log", "DATA_DIR": str(data_dir)})

    receipt = provider.send(SMS)

    assert receipt == SendReceipt(provider="log", provider_message_id=None)
    content = (data_dir / "sms-log.jsonl").read_text(encoding="utf-8")
    assert "5321234567" not in content
    [line] = content.splitlines()
    entry = json.loads(line)
    assert entry.pop("at")
    assert entry == {"message_id": "msg-0001", "to": "+90532*****67", "text": SMS.text, "encoding": GSM7_TURKISH}


def test_log_provider_keeps_lines_whole_under_concurrent_sends(tmp_path):
    provider = LogProvider(tmp_path)
    messages = [OutgoingSms(f"msg-{n}", PHONE, "x" * 2000, GSM7) for n in range(40)]
    threads = [threading.Thread(target=provider.send, args=(sms,)) for sms in messages]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    lines = provider.path.read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["message_id"] for line in lines) == sorted(sms.message_id for sms in messages)


def test_outgoing_sms_repr_hides_phone_and_text():
    assert "5321234567" not in repr(SMS) and "takip" not in repr(SMS)


# --- verimor provider against the fake


def test_verimor_send_is_recorded_exactly_once_as_sent(fake, verimor):
    receipt = verimor.send(SMS)

    assert receipt.provider == "verimor"
    assert receipt.provider_message_id.isdigit()
    [message] = fake.messages
    assert message.pop("received_at") == pytest.approx(time.time(), abs=5)
    assert message == {
        "message_id": "msg-0001",
        "custom_id": "msg-0001",
        "dest": "905321234567",
        "msg": SMS.text,
        "datacoding": "1",
        "source_addr": "ACIKKAPI",
        "campaign_id": receipt.provider_message_id,
        "verimor_message_id": message["verimor_message_id"],
        "status": "WAITING",
    }
    assert requests.get(fake.url + "/_fake/messages", timeout=5).json() == fake.messages


@pytest.mark.parametrize("encoding, datacoding", [(GSM7, "0"), (GSM7_TURKISH, "1"), (UCS2, "2")])
def test_verimor_datacoding_follows_the_encoding(fake, verimor, encoding, datacoding):
    verimor.send(OutgoingSms("msg-2", PHONE, "Merhaba", encoding))

    assert fake.messages[0]["datacoding"] == datacoding


def test_verimor_sends_with_the_configured_sender(fake):
    build_provider(verimor_settings(fake.url, SMS_SENDER="ACIKKAPI TR")).send(SMS)

    assert fake.messages[0]["source_addr"] == "ACIKKAPI TR"


def test_verimor_wrong_password_is_not_retryable(fake):
    provider = build_provider(verimor_settings(fake.url, VERIMOR_PASSWORD="wrong"))

    with pytest.raises(SmsSendError) as raised:
        provider.send(SMS)

    assert not raised.value.retryable
    assert "401" in raised.value.reason and BAD_CREDENTIALS in raised.value.reason
    assert_no_personal_data(raised.value.reason)
    assert fake.messages == []


def test_verimor_rejected_number_is_not_retryable(fake, verimor):
    with pytest.raises(SmsSendError) as raised:
        verimor.send(OutgoingSms("msg-3", "+4915112345678", "Hallo", GSM7))

    assert not raised.value.retryable
    assert "INVALID_DESTINATION_ADDRESS" in raised.value.reason
    assert "4915112345678" not in raised.value.reason


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_verimor_server_trouble_is_retryable_and_passes(fake, verimor, status):
    answer = requests.post(fake.url + "/_fake/behaviour", json={"fail_next": 1, "status": status}, timeout=5)
    assert answer.status_code == 200

    with pytest.raises(SmsSendError) as raised:
        verimor.send(SMS)

    assert raised.value.retryable
    assert str(status) in raised.value.reason
    assert fake.messages == []
    verimor.send(SMS)
    assert len(fake.messages) == 1


def test_verimor_error_text_never_echoes_the_number_or_the_text(fake, verimor):
    echo = f"Invalid phone number: {PHONE.removeprefix('+')} for message {SMS.text}"
    requests.post(fake.url + "/_fake/behaviour", json={"fail_next": 1, "status": 400, "body": echo}, timeout=5)

    with pytest.raises(SmsSendError) as raised:
        verimor.send(SMS)

    assert not raised.value.retryable
    assert "Invalid phone number" in raised.value.reason
    assert_no_personal_data(raised.value.reason)


def test_verimor_refused_connection_is_retryable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    provider = build_provider(verimor_settings(f"http://127.0.0.1:{closed_port}"))

    with pytest.raises(SmsSendError) as raised:
        provider.send(SMS)

    assert raised.value.retryable
    assert_no_personal_data(raised.value.reason)


@pytest.fixture
def silent_server():
    """Accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted, stopping = [], threading.Event()

    def hold_connections():
        listener.settimeout(0.1)
        while not stopping.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    holder = threading.Thread(target=hold_connections, daemon=True)
    holder.start()
    yield "http://127.0.0.1:{}".format(listener.getsockname()[1])
    stopping.set()
    holder.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_verimor_silent_server_is_a_retryable_timeout(silent_server):
    provider = build_provider(verimor_settings(silent_server, SMS_TIMEOUT_SECONDS="1"))
    started = time.monotonic()

    with pytest.raises(SmsSendError) as raised:
        provider.send(SMS)

    assert 0.9 <= time.monotonic() - started < 3
    assert raised.value.retryable
    assert "1 s" in raised.value.reason
    assert_no_personal_data(raised.value.reason)


def test_verimor_session_is_made_on_first_send_and_kept(fake, verimor):
    assert verimor._session is None
    verimor.send(SMS)
    first = verimor._session
    verimor.send(SMS)

    assert first is not None and verimor._session is first


# --- the fake as a separate process, as integration tests run it


def test_fake_runs_as_a_process():
    with fake_process("tests.fakes.verimor_server", "--username", USERNAME, "--password", PASSWORD) as url:
        build_provider(verimor_settings(url)).send(SMS)
        [message] = requests.get(url + "/_fake/messages", timeout=5).json()
        assert message["dest"] == "905321234567" and message["message_id"] == "msg-0001"
