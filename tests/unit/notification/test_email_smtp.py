"""E-mail over real SMTP on loopback (tests/fakes/smtp_server.py, aiosmtpd): SMTP_URL, STARTTLS and
implicit TLS with authentication, the answers that are retried (4xx, a dropped connection) and
those that are final (5xx), and the e-mail dispatcher: a server that refuses the first attempts
with 451 gets the e-mail once, after backoff, with the same Message-ID; leases, erasure and the
log mode (docs/sms.md#email)."""
import json
from datetime import timedelta

import pytest

from common import clock
from services.notification import domain, emails
from services.notification.domain import CANCELLED, FAILED, QUEUED, SENDING, SENT
from services.notification.email_dispatcher import EmailDispatcher
from services.notification.mailers import (
    DEFAULT_SENDER,
    EmailSendError,
    LogMailer,
    OutgoingEmail,
    SmtpMailer,
    build_mailer,
    parse_smtp_url,
)
from tests.fakes.smtp_server import FakeSmtpServer
from tests.support.samples import APPLICANT_EMAIL, APPLICANT_EMAIL_MASKED
from tests.unit.conftest import InlinePool

NUMBER = "2026-000001"
CODE = "K7M2PQ9X"
PHONE = "+905321234567"
OUTGOING = OutgoingEmail(message_id="5d8e89124ddd482baea0899ed704a33e", to=APPLICANT_EMAIL,
                         subject="Açık Kapı başvurunuz alındı: 2026-000001 / Your application: 2026-000001",
                         text="Başvuru no: 2026-000001\nTakip kodu: K7M2PQ9X\n")


def mailer_for(server, timeout=5):
    return SmtpMailer(parse_smtp_url(server.url), DEFAULT_SENDER, timeout, tls_context=server.client_tls_context())


@pytest.fixture
def smtp():
    with FakeSmtpServer() as server:
        yield server


# --- SMTP_URL ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url, expected", [
    ("smtp://mail.example", ("mail.example", 25, False, False, None, None)),
    ("smtp://user:p%40ss@mail.example:587?starttls=true", ("mail.example", 587, False, True, "user", "p@ss")),
    ("smtps://user:secret@mail.example", ("mail.example", 465, True, False, "user", "secret")),
    ("smtps://mail.example:2465", ("mail.example", 2465, True, False, None, None)),
])
def test_smtp_url_is_read(url, expected):
    server = parse_smtp_url(url)

    assert (server.host, server.port, server.implicit_tls, server.starttls, server.username,
            server.password) == expected


@pytest.mark.parametrize("url, complaint", [
    ("http://mail.example", "smtp:// or smtps://"),
    ("smtp://user:secret@mail.example:587", "need smtps:// or ?starttls=true"),
    ("smtp://mail.example?starttls=maybe", "starttls must be true or false"),
    ("smtp://mail.example?tls=true", "unknown option"),
    ("smtps://mail.example?starttls=true", "TLS already"),
    ("smtp://", "no host"),
])
def test_a_bad_smtp_url_stops_the_start_naming_what_is_wrong_but_never_the_password(url, complaint):
    with pytest.raises(ValueError) as refused:
        parse_smtp_url(url)

    assert complaint in str(refused.value) and "secret" not in str(refused.value)


def test_no_smtp_url_means_the_log(tmp_path):
    assert isinstance(build_mailer({"DATA_DIR": str(tmp_path)}, 5), LogMailer)
    assert isinstance(build_mailer({"DATA_DIR": str(tmp_path), "SMTP_URL": ""}, 5), LogMailer)
    assert isinstance(build_mailer({"SMTP_URL": "smtp://mail.example"}, 5), SmtpMailer)


# --- the mailer over real SMTP ----------------------------------------------------------------

def test_an_email_reaches_the_server_with_its_headers_and_text(smtp):
    mailer_for(smtp).send(OUTGOING)

    [message] = smtp.messages
    assert message["rcpt_tos"] == [APPLICANT_EMAIL]
    assert message["mail_from"] == "bildirim@acikkapi.gov.tr"
    assert message["subject"] == OUTGOING.subject  # non-ASCII, encoded and decoded again
    assert message["from"] == DEFAULT_SENDER
    assert message["message_id"] == "<5d8e89124ddd482baea0899ed704a33e@acikkapi.gov.tr>"
    assert message["headers"]["Auto-Submitted"] == "auto-generated"
    assert message["text"] == OUTGOING.text


@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_tls_and_authentication(tls):
    with FakeSmtpServer(tls=tls, username="acikkapi", password="p@ss:w/rd") as server:
        mailer_for(server).send(OUTGOING)

        assert [message["rcpt_tos"] for message in server.messages] == [[APPLICANT_EMAIL]]


def test_a_wrong_password_is_final():
    with FakeSmtpServer(tls="starttls", username="acikkapi", password="right") as server:
        url = server.url.replace(":right@", ":wrong@")
        mailer = SmtpMailer(parse_smtp_url(url), DEFAULT_SENDER, 5, tls_context=server.client_tls_context())

        with pytest.raises(EmailSendError) as refused:
            mailer.send(OUTGOING)

    assert refused.value.retryable is False and "535" in refused.value.reason and "wrong" not in refused.value.reason
    assert server.messages == []


def test_a_certificate_nobody_vouches_for_is_not_trusted():
    with FakeSmtpServer(tls="starttls") as server:
        mailer = SmtpMailer(parse_smtp_url(server.url), DEFAULT_SENDER, 5)  # the system's CAs only

        with pytest.raises(EmailSendError) as refused:
            mailer.send(OUTGOING)

    assert refused.value.retryable and server.messages == []


@pytest.mark.parametrize("step, retryable", [
    ("451 4.3.0 Try again later", True),
    ("452 4.3.1 Insufficient system storage", True),
    ("554 5.6.0 Message rejected", False),
    ("rcpt:450 4.2.1 Mailbox busy", True),
    ("rcpt:550 5.1.1 <ayse.yilmaz@example.com>: Recipient address rejected", False),
])
def test_a_4xx_answer_is_retried_and_a_5xx_one_is_final(smtp, step, retryable):
    smtp.set_steps([step])

    with pytest.raises(EmailSendError) as refused:
        mailer_for(smtp).send(OUTGOING)

    assert refused.value.retryable is retryable
    assert refused.value.reason.startswith("SMTP " + step.removeprefix("rcpt:")[:3])
    assert APPLICANT_EMAIL not in refused.value.reason  # masked: staff read the reason
    assert smtp.messages == []


def test_no_server_is_retried():
    with FakeSmtpServer() as server:
        port = server.port
    mailer = SmtpMailer(parse_smtp_url("smtp://127.0.0.1:{}".format(port)), DEFAULT_SENDER, 2)

    with pytest.raises(EmailSendError) as refused:
        mailer.send(OUTGOING)

    assert refused.value.retryable


def test_the_log_mailer_writes_a_line_with_the_address_masked(tmp_path):
    LogMailer(tmp_path).send(OUTGOING)

    [line] = (tmp_path / "email-log.jsonl").read_text(encoding="utf-8").splitlines()
    written = json.loads(line)
    assert (written["message_id"], written["to"], written["subject"]) == (
        OUTGOING.message_id, APPLICANT_EMAIL_MASKED, OUTGOING.subject)
    assert APPLICANT_EMAIL not in line


# --- the dispatcher ---------------------------------------------------------------------------

def make_dispatcher(store, mailer, lease=timedelta(seconds=60)):
    dispatcher = EmailDispatcher(store="messages")
    dispatcher.store, dispatcher.mailer, dispatcher.pool, dispatcher.lease = store, mailer, InlinePool(), lease
    return dispatcher


@pytest.fixture
def queued_email(store):
    """The e-mail a failed "received" SMS owes, queued and due, its recipient on record with an address."""
    store.remember_recipient(NUMBER, PHONE, "tr", "34", APPLICANT_EMAIL)
    now = clock.now()
    sms = dict(domain.received_message({"application_no": NUMBER, "tracking_code": CODE}, now), state=FAILED)
    email = emails.fallback_email(sms, store.recipient(NUMBER), now, "acikkapi.gov.tr")
    assert store.enqueue_email(email)
    return email


def stored(store, email):
    return store.emails.find_one({"_id": email["_id"]})


def make_due_now(store, email):
    store.emails.update_one({"_id": email["_id"]}, {"$set": {"next_attempt_at": clock.now() - timedelta(seconds=1)}})


def test_a_server_refusing_the_first_attempts_gets_the_email_once_after_backoff(store, queued_email, smtp):
    smtp.set_steps(["451 4.7.1 Greylisted, try again later", "451 4.3.0 Try again later"])
    dispatcher = make_dispatcher(store, mailer_for(smtp))
    waits = []

    for attempt in (1, 2, 3):
        before = clock.now()
        assert dispatcher.run_once()
        email = stored(store, queued_email)
        assert email["attempts"] == attempt
        if attempt < 3:
            assert email["state"] == QUEUED and email["last_error"].startswith("SMTP 451")
            waits.append((email["next_attempt_at"] - before).total_seconds())
            assert not dispatcher.run_once()  # not due yet: backoff
            make_due_now(store, queued_email)

    [message] = smtp.messages
    assert message["rcpt_tos"] == [APPLICANT_EMAIL]
    assert "SMS ile ulaşamadığımız" in message["text"] and CODE in message["text"]
    assert message["message_id"] == "<{}@acikkapi.gov.tr>".format(queued_email["_id"])
    assert 1 <= waits[0] <= 2.5 and 2 <= waits[1] <= 4.5  # 2^attempts seconds, times 0.5–1
    email = stored(store, queued_email)
    assert (email["state"], email["provider"]) == (SENT, "smtp") and email["sent_at"]
    [event] = email["outbox"]
    assert (event["event_name"], event["template"], event["email_masked"]) == (
        "email_sent", domain.RECEIVED, APPLICANT_EMAIL_MASKED)
    assert not dispatcher.run_once()
    assert len(smtp.messages) == 1


def test_a_final_refusal_fails_the_email_at_once(store, queued_email, smtp):
    smtp.set_steps(["rcpt:550 5.1.1 <ayse.yilmaz@example.com>: Recipient address rejected"])
    dispatcher = make_dispatcher(store, mailer_for(smtp))

    dispatcher.run_once()

    email = stored(store, queued_email)
    assert (email["state"], email["attempts"]) == (FAILED, 1) and email["failed_at"]
    assert "a***@e***.com" in email["last_error"] and APPLICANT_EMAIL not in email["last_error"]
    assert not email.get("outbox")
    view = emails.email_view(email)
    assert (view["channel"], view["state"], view["failed_at"]) == ("email", FAILED, clock.to_iso(email["failed_at"]))


def test_retries_are_bounded(store, queued_email, smtp):
    smtp.set_steps(["451 4.3.0 Try again later"] * domain.MAX_ATTEMPTS)
    dispatcher = make_dispatcher(store, mailer_for(smtp))

    for _ in range(domain.MAX_ATTEMPTS):
        assert dispatcher.run_once()
        make_due_now(store, queued_email)

    email = stored(store, queued_email)
    assert (email["state"], email["attempts"]) == (FAILED, domain.MAX_ATTEMPTS)
    assert not dispatcher.run_once() and smtp.messages == []


def test_a_day_old_email_is_given_up(store, queued_email, smtp):
    store.emails.update_one({"_id": queued_email["_id"]}, {"$set": {"created_at": clock.now() - timedelta(hours=25)}})

    make_dispatcher(store, mailer_for(smtp)).run_once()

    assert stored(store, queued_email)["state"] == FAILED and smtp.messages == []


def test_an_email_left_sending_by_a_dead_process_is_sent_once_its_lease_lapses(store, queued_email, smtp):
    """The process that claimed it died before the server had it: the lease keeps everyone else off
    it until it lapses; then one claim takes it, and the server gets it once, with the same id."""
    dead = make_dispatcher(store, mailer_for(smtp))
    now = clock.now()
    assert store.claim_due_email(now, now + timedelta(seconds=60), "smtp")["state"] == SENDING
    assert not dead.run_once()  # leased: nobody else takes it

    store.emails.update_one({"_id": queued_email["_id"]}, {"$set": {"lease_until": clock.now() - timedelta(seconds=1)}})
    alive = make_dispatcher(store, mailer_for(smtp))
    assert alive.run_once()

    [message] = smtp.messages
    assert message["message_id"] == "<{}@acikkapi.gov.tr>".format(queued_email["_id"])
    assert (stored(store, queued_email)["state"], stored(store, queued_email)["attempts"]) == (SENT, 2)


def test_an_email_whose_applicant_was_erased_meanwhile_is_not_sent(store, queued_email, smtp):
    store.erase_recipient(NUMBER, clock.now())

    make_dispatcher(store, mailer_for(smtp)).run_once()

    assert stored(store, queued_email)["state"] == CANCELLED and smtp.messages == []


def test_an_email_beside_an_sms_to_an_applicant_without_an_address_is_cancelled(store, smtp):
    now = clock.now()
    email = emails.companion_email(domain.received_message({"application_no": NUMBER, "tracking_code": CODE}, now),
                                   now)
    store.enqueue_email(email)
    dispatcher = make_dispatcher(store, mailer_for(smtp))

    dispatcher.run_once()  # no recipient yet: retried
    assert (stored(store, email)["state"], stored(store, email)["last_error"]) == (QUEUED, "no recipient on record yet")
    store.remember_recipient(NUMBER, PHONE, "tr", "34", None)
    make_due_now(store, email)
    dispatcher.run_once()

    assert (stored(store, email)["state"], stored(store, email)["last_error"]) == (CANCELLED, emails.NO_ADDRESS)
    assert smtp.messages == []


def test_the_lease_must_outlast_a_send(monkeypatch):
    monkeypatch.setenv("SMTP_TIMEOUT_SECONDS", "30")
    monkeypatch.setenv("EMAIL_SENDING_LEASE_SECONDS", "30")
    dispatcher = EmailDispatcher(store="messages")
    dispatcher.container = type("Container", (), {"service_name": "notification"})()

    with pytest.raises(ValueError, match="EMAIL_SENDING_LEASE_SECONDS"):
        dispatcher.setup()
