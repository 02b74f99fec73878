"""Sends queued SMS in the background, so no event handler waits on a provider."""
import logging
import time

from eventlet.greenpool import GreenPool

from common import clock
from common.background import BackgroundLoop
from services.notification import domain
from services.notification.metrics import PROVIDER_CALL_SECONDS, SMS_MESSAGES
from services.notification.providers import AlreadySent, OutgoingSms, SendReceipt, SmsSendError, build_provider
from services.notification.settings import NotificationSettings

log = logging.getLogger(__name__)


class SmsDispatcher(BackgroundLoop):
    """Claims due messages from the ``store`` dependency and hands them to the provider.

    Up to ``SMS_CONCURRENCY`` calls run at once, so one hanging provider call holds up no other
    message. A message is leased while it is being sent; if the process dies mid-call, the lease
    (``SMS_SENDING_LEASE_SECONDS``, longer than a call's timeout) runs out and it is sent again
    with the same message id. The sms_* events it owes go out with the outbox relay's next round.
    """

    lease = domain.SENDING_LEASE

    def setup(self):
        super().setup()
        settings = NotificationSettings.from_environment()
        self.provider = build_provider(settings.provider_settings)
        self.pool = GreenPool(settings.sms_concurrency)
        self.lease = settings.sending_lease
        if self.lease.total_seconds() <= settings.sms_timeout_seconds:  # else a slow call would be sent again meanwhile
            raise ValueError("SMS_SENDING_LEASE_SECONDS must be longer than SMS_TIMEOUT_SECONDS")

    def stop(self):
        super().stop()
        self.pool.waitall()

    def run_once(self):
        now = clock.now()
        message = self.store.claim_next(now, now + self.lease, self.provider.name)
        if message is None:
            return False
        self.pool.spawn_n(self.send_safely, message)  # waits only while every slot is busy
        return True

    def send_safely(self, message):
        try:
            self.send(message)
        except Exception:  # the lease brings the message back; this green thread must not die loud
            log.exception("sending SMS %s failed", message["_id"])

    def send(self, message):
        now = clock.now()
        if domain.gives_up(dict(message, attempts=message["attempts"] - 1), now):
            self.record_failure(message, SmsSendError("gave up: too many attempts or too old", retryable=False))
            return
        phone = self.store.phone_for(message["application_no"])
        if phone is None or message["text"] is None:
            # The event that names the recipient may still be on its way: retry, bounded.
            self.record_failure(message, SmsSendError("no recipient on record yet", retryable=True))
            return
        sms = OutgoingSms(message_id=message["_id"], phone=phone, text=message["text"],
                          encoding=message["encoding"])
        receipt, error = self._call_provider(sms)
        if error is not None:
            self.record_failure(message, error)
            return
        self.store.mark_sent(message["_id"], receipt, domain.sent_event(message, receipt), clock.now())
        SMS_MESSAGES.labels(self.provider.name, message["template"], domain.SENT).inc()

    def _call_provider(self, sms):
        """(receipt, None) if the provider has the message, else (None, SmsSendError); timed."""
        started, outcome = time.monotonic(), "sent"
        try:
            return self.provider.send(sms), None
        except AlreadySent as copy:  # an earlier attempt of ours got there before a crash
            outcome = "already_sent"
            log.info("SMS %s was already with the provider: %s", sms.message_id, copy.reason)
            return SendReceipt(provider=self.provider.name, provider_message_id=None), None
        except SmsSendError as error:
            outcome = "error"
            return None, error
        except Exception as unexpected:  # a provider bug must not leave the message unbounded
            outcome = "crash"
            log.exception("SMS provider %s crashed", self.provider.name)
            return None, SmsSendError(type(unexpected).__name__, retryable=True)
        finally:
            PROVIDER_CALL_SECONDS.labels(self.provider.name, outcome).observe(time.monotonic() - started)

    def record_failure(self, message, error):
        now = clock.now()
        log.warning("SMS %s not sent (attempt %s): %s", message["_id"], message["attempts"], error.reason)
        if error.retryable and not domain.gives_up(message, now):
            self.store.mark_retry(message["_id"], domain.next_attempt_at(message["attempts"], now), error.reason, now)
        else:
            self.store.mark_failed(message["_id"], error.reason,
                                   domain.failed_event(message, self.provider.name, error.reason), now)
            SMS_MESSAGES.labels(self.provider.name, message["template"], domain.FAILED).inc()
