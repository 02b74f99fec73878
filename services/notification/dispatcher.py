"""Sends queued SMS in the background, so no event handler waits on a provider."""
import logging
import os

from common import clock
from common.background import BackgroundLoop
from common.storage import store_of
from services.notification import domain
from services.notification.providers import OutgoingSms, SmsSendError, build_provider

log = logging.getLogger(__name__)


class SmsDispatcher(BackgroundLoop):
    """Claims due messages from the ``store`` dependency and hands them to the provider.

    The sms_sent/sms_failed events it owes go out with the outbox relay's next round.
    """

    def __init__(self, store):
        self.store_attr = store

    def setup(self):
        super().setup()
        self.provider = build_provider(os.environ)

    def start(self):
        self.store = store_of(self.container, self.store_attr)
        super().start()

    def run_once(self):
        now = clock.now()
        message = self.store.claim_next(now, now + domain.SENDING_LEASE)
        if message is None:
            return False
        self.send(message)
        return True

    def send(self, message):
        if domain.gives_up(message["attempts"] - 1):  # claimed again after crashes mid-send
            self.record_failure(message, SmsSendError("too many attempts", retryable=False))
            return
        phone = self.store.phone_for(message["application_no"])
        if phone is None or message["text"] is None:
            # The event that names the recipient may still be on its way: retry, bounded.
            self.record_failure(message, SmsSendError("no recipient on record yet", retryable=True))
            return
        sms = OutgoingSms(message_id=message["_id"], phone=phone, text=message["text"],
                          encoding=message["encoding"])
        try:
            receipt = self.provider.send(sms)
        except SmsSendError as error:
            self.record_failure(message, error)
            return
        except Exception as unexpected:  # a provider bug must not leave the message unbounded
            log.exception("SMS provider %s crashed", self.provider.name)
            self.record_failure(message, SmsSendError(type(unexpected).__name__, retryable=True))
            return
        self.store.mark_sent(message["_id"], receipt, domain.sent_event(message, receipt), clock.now())

    def record_failure(self, message, error):
        log.warning("SMS %s not sent (attempt %s): %s", message["_id"], message["attempts"], error.reason)
        if error.retryable and not domain.gives_up(message["attempts"]):
            self.store.mark_retry(message["_id"], domain.next_attempt_at(message["attempts"], clock.now()),
                                  error.reason)
        else:
            self.store.mark_failed(message["_id"], error.reason,
                                   domain.failed_event(message, self.provider.name, error.reason))
