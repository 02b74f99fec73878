"""Sends queued SMS in the background, so no event handler waits on a provider."""
import logging
import time
from collections import Counter, defaultdict
from datetime import timedelta

import eventlet
from eventlet.greenpool import GreenPool

from common import clock
from common.background import HandingOverLoop
from services.notification import domain, verification_codes
from services.notification.metrics import PROVIDER_CALL_SECONDS, SMS_MESSAGES
from services.notification.providers import (
    AlreadySent,
    BatchSending,
    OutgoingSms,
    SendReceipt,
    SmsSendError,
    build_provider,
)
from services.notification.settings import NotificationSettings
from services.notification.store import as_claimed

log = logging.getLogger(__name__)


class SmsDispatcher(HandingOverLoop):
    """Claims due messages from the ``store`` dependency and hands them to the provider.

    Where the provider takes several messages in one call (``BatchSending``: Verimor), a round
    claims up to ``SMS_BATCH_SIZE`` and sends those of one encoding in one call, each under its own
    message id; after a round short of a full batch the next waits ``SMS_BATCH_WAIT_MS``, so that
    calls carry what came meanwhile. Through other providers, one message per call. Up to ``SMS_CONCURRENCY`` calls
    run at once, so one hanging provider call holds up no other message. A message is leased
    while it is being sent; if the process dies mid-call, the lease (``SMS_SENDING_LEASE_SECONDS``,
    longer than a call's timeout) runs out and it is sent again with the same message id. A sent
    message owes no event; a failed one owes sms_failed, which the outbox relay publishes. A
    one-time code's SMS (verification_codes.py) owes none, is given up at its ``send_until``, and
    once sent or failed keeps no code, nor its recipient's phone (``forget_codes``).

    A new message whose text is ready is written already claimed by this process (``leased``) and
    handed over in memory once stored (``hand_over``): the next round sends it with no claim, a
    store read and a write fewer. Due messages of other kinds (retries, lapsed leases, texts that
    waited for their language) are then looked for at most every ``due_lookup_seconds``, and at
    every round that was handed nothing. A handed message whose lease no longer leaves room for a
    call is left to lapse and be claimed like any other; if the process dies, the lease lapses too.
    """

    lease = domain.SENDING_LEASE
    batch_size = 1
    batch_wait_seconds = 0.0
    call_timeout_seconds = 10.0
    due_lookup_seconds = 1.0

    def __init__(self, store):
        super().__init__(store)
        self._due_looked_at = float("-inf")

    def setup(self):
        super().setup()
        settings = NotificationSettings.from_environment()
        self.provider = build_provider(settings.provider_settings)
        self.pool = GreenPool(settings.sms_concurrency)
        self.lease = settings.sending_lease
        self.batch_size = settings.sms_batch_size
        self.batch_wait_seconds = settings.sms_batch_wait_seconds
        self.call_timeout_seconds = settings.sms_timeout_seconds
        if self.lease.total_seconds() <= settings.sms_timeout_seconds:  # else a slow call would be sent again meanwhile
            raise ValueError("SMS_SENDING_LEASE_SECONDS must be longer than SMS_TIMEOUT_SECONDS")
        if self.batch_size < 1:
            raise ValueError("SMS_BATCH_SIZE must be at least 1")

    def leased(self, message):
        """A new ``message`` as written already claimed by this process, if its text is ready."""
        if message["text"] is None:
            return message
        return as_claimed(message, clock.now() + self.lease, self.provider.name, self.claim)

    def holds(self, message):
        return message.get("claim") == self.claim

    def stop(self):
        super().stop()
        self.pool.waitall()

    def run_once(self):
        now = clock.now()
        per_call = self.batch_size if isinstance(self.provider, BatchSending) else 1
        messages = self._take_handed(now, per_call)
        looked_at = time.monotonic()
        if len(messages) < per_call and (not messages or looked_at - self._due_looked_at >= self.due_lookup_seconds):
            self._due_looked_at = looked_at
            messages += self.store.claim_due(now, now + self.lease, self.provider.name, per_call - len(messages))
        if not messages:
            return False
        # A call carries one encoding (Verimor's datacoding is the campaign's).
        by_encoding = defaultdict(list)
        for message in messages:
            by_encoding[message.get("encoding")].append(message)
        for call in by_encoding.values():
            self.pool.spawn_n(self.send_safely, call)  # waits only while every slot is busy
        if len(messages) < per_call and self.batch_wait_seconds:
            # Messages come one by one at a steady rate: the first goes at once, the next call waits
            # a moment to carry those that came meanwhile (a call costs ~3 ms of CPU whatever it carries).
            eventlet.sleep(self.batch_wait_seconds)
        return True

    def _take_handed(self, now, limit):
        """Up to ``limit`` handed messages whose lease leaves room for a call; the rest of those
        are dropped (they lapse, and a claim takes them)."""
        room = timedelta(seconds=self.call_timeout_seconds)
        taken = []
        while self._handed and len(taken) < limit:
            message = self._handed.pop(0)
            if message["lease_until"] - now > room:
                taken.append(message)
        return taken

    def send_safely(self, messages):
        try:
            self.send_batch(messages)
        except Exception:  # the lease brings the messages back; this green thread must not die loud
            log.exception("sending %d SMS failed", len(messages))

    def send(self, message):
        """One claimed message (bench/preload.py plays the services one message at a time)."""
        self.send_batch([message])

    def send_batch(self, messages):
        """Sends claimed messages of one encoding: those the provider can be given go in one call."""
        now = clock.now()
        recipients = self.store.recipients_of(message["application_no"] for message in messages)
        ready = []
        for message in messages:
            recipient = recipients.get(message["application_no"]) or {}
            if domain.gives_up(dict(message, attempts=message["attempts"] - 1), now):
                self.record_failure(message, SmsSendError("gave up: too many attempts or too old", retryable=False))
            elif recipient.get("erased_at"):  # erased after this was queued: never sent
                self.store.cancel_unsent(message["application_no"], now)
            elif not recipient.get("phone") or message["text"] is None:
                # The event that names the recipient may still be on its way: retry, bounded.
                self.record_failure(message, SmsSendError("no recipient on record yet", retryable=True))
            else:
                ready.append((message, OutgoingSms(message_id=message["_id"], phone=recipient["phone"],
                                                   text=message["text"], encoding=message["encoding"])))
        if len(ready) == 1 or not ready:
            for message, sms in ready:
                self._deliver_outcome([message], *self._call_provider(self.provider.send, sms))
            return
        receipt, error = self._call_provider(self.provider.send_batch, [sms for _, sms in ready])
        if error is not None and not error.retryable:
            # The provider refused the whole call; which message it objected to, it did not say.
            self._send_one_by_one(ready, error)
            return
        self._deliver_outcome([message for message, _ in ready], receipt, error)

    def _send_one_by_one(self, ready, refusal):
        """After a call of several was refused: each alone, for its own verdict, while the lease
        leaves room for a call; the rest wait for their next attempt."""
        lease_until = min(message["lease_until"] for message, _ in ready)
        for message, sms in ready:
            if clock.now() + timedelta(seconds=self.call_timeout_seconds) >= lease_until:
                self.record_failure(message, SmsSendError(refusal.reason, retryable=True))
                continue
            self._deliver_outcome([message], *self._call_provider(self.provider.send, sms))

    def _deliver_outcome(self, messages, receipt, error):
        if error is not None:
            for message in messages:
                self.record_failure(message, error)
            return
        self.store.mark_sent([message["_id"] for message in messages], receipt, clock.now())
        self.forget_codes(messages)
        for template, count in Counter(message["template"] for message in messages).items():
            SMS_MESSAGES.labels(self.provider.name, template, domain.SENT).inc(count)

    def _call_provider(self, send, sms):
        """(receipt, None) if the provider has the message(s), else (None, SmsSendError); timed."""
        started, outcome = time.monotonic(), "sent"
        try:
            return send(sms), None
        except AlreadySent as copy:  # an earlier attempt of ours got there before a crash
            outcome = "already_sent"
            log.info("SMS already with the provider: %s", copy.reason)
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
        reason = verification_codes.masked(message, error.reason)  # a provider may quote the text
        log.warning("SMS %s not sent (attempt %s): %s", message["_id"], message["attempts"], reason)
        if error.retryable and not domain.gives_up(message, now):
            self.store.mark_retry(message["_id"], domain.retry_at(message, now), reason, now)
        else:
            self.store.mark_failed(message["_id"], reason, domain.failed_event(message, self.provider.name, reason),
                                   now, provider=self.provider.name)
            self.forget_codes([message])
            SMS_MESSAGES.labels(self.provider.name, message["template"], domain.FAILED).inc()

    def forget_codes(self, messages):
        """Of ``messages``, now final, the one-time codes' SMS keep no code and no phone."""
        holding = [message for message in messages if verification_codes.holds_code(message)]
        if holding:
            self.store.forget_codes([(message["_id"], message["application_no"], verification_codes.forgotten(message))
                                     for message in holding], clock.now())
