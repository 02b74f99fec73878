"""Sends queued e-mails in the background (docs/sms.md#email), as the SMS dispatcher sends SMS: no
event handler waits on an SMTP server."""
import logging

import eventlet
from eventlet.greenpool import GreenPool

from common import clock
from common.background import BackgroundLoop
from services.notification import domain, emails
from services.notification.mailers import EmailSendError, OutgoingEmail, build_mailer
from services.notification.metrics import EMAILS
from services.notification.settings import NotificationSettings

log = logging.getLogger(__name__)

CONCURRENT_SENDS = 4  # e-mails are few; a slow server holds up at most this many at once


class EmailDispatcher(BackgroundLoop):
    """Claims due e-mails from the ``store`` dependency, one a round, and sends each through the
    mailer (SMTP, or the log), up to CONCURRENT_SENDS at once.

    A claimed e-mail is leased (``EMAIL_SENDING_LEASE_SECONDS``, longer than a send may take:
    ``SMTP_TIMEOUT_SECONDS`` bounds the whole conversation); a process that dies mid-send leaves it
    to be claimed again when the lease lapses, and sent with the same Message-ID. The address is
    read from the recipient when it is sent: an applicant erased meanwhile gets nothing, one who
    gave no address neither. A 4xx answer, a timeout or a dropped connection is retried with the
    SMS's backoff, bounded by its attempts and age; a 5xx answer fails it at once. A sent e-mail
    owes ``email_sent`` (the address masked), which tells tracking where the notice went.
    """

    lease = domain.SENDING_LEASE
    timeout_seconds = 20.0

    def setup(self):
        super().setup()
        settings = NotificationSettings.from_environment()
        self.timeout_seconds = settings.smtp_timeout_seconds
        self.mailer = build_mailer(settings.provider_settings, self.timeout_seconds)
        self.lease = settings.email_sending_lease
        if self.lease.total_seconds() <= self.timeout_seconds:  # else a slow send would be sent again meanwhile
            raise ValueError("EMAIL_SENDING_LEASE_SECONDS must be longer than SMTP_TIMEOUT_SECONDS")
        self.pool = GreenPool(CONCURRENT_SENDS)

    def stop(self):
        super().stop()
        self.pool.waitall()

    def run_once(self):
        now = clock.now()
        email = self.store.claim_due_email(now, now + self.lease, self.mailer.name)
        if email is None:
            return False
        self.pool.spawn_n(self.send_safely, email)  # waits only while every slot is busy
        return True

    def send_safely(self, email):
        try:
            self.send(email)
        except Exception:  # the lease brings it back; this green thread must not die loud
            log.exception("sending e-mail %s failed", email["_id"])

    def send(self, email):
        """One claimed e-mail: sent, retried, failed or cancelled."""
        now = clock.now()
        recipient = self.store.recipient(email["application_no"])
        if emails.gives_up(dict(email, attempts=email["attempts"] - 1), now):
            self.record_failure(email, EmailSendError("gave up: too many attempts or too old", retryable=False))
        elif recipient is None:  # application_received may still be on its way (alongside a concluded SMS)
            self.record_failure(email, EmailSendError("no recipient on record yet", retryable=True))
        elif not emails.has_address(recipient):
            self.store.cancel_email(email["_id"], emails.NO_ADDRESS, now)
            EMAILS.labels(self.mailer.name, email["template"], domain.CANCELLED).inc()
        else:
            self._deliver(email, recipient["email"])

    def _deliver(self, email, address):
        outgoing = OutgoingEmail(message_id=email["_id"], to=address, subject=email["subject"], text=email["text"])
        try:
            # Bounds the whole conversation, whose every step has the same timeout of its own.
            with eventlet.Timeout(self.timeout_seconds, EmailSendError("SMTP: timed out", retryable=True)):
                self.mailer.send(outgoing)
        except EmailSendError as error:
            self.record_failure(email, error)
            return
        self.store.mark_email_sent(email["_id"], emails.sent_event(email, address), clock.now())
        EMAILS.labels(self.mailer.name, email["template"], domain.SENT).inc()

    def record_failure(self, email, error):
        now = clock.now()
        log.warning("e-mail %s not sent (attempt %s): %s", email["_id"], email["attempts"], error.reason)
        if error.retryable and not emails.gives_up(email, now):
            self.store.mark_email_retry(email["_id"], domain.next_attempt_at(email["attempts"], now), error.reason, now)
        else:
            self.store.mark_email_failed(email["_id"], error.reason, now)
            EMAILS.labels(self.mailer.name, email["template"], domain.FAILED).inc()
