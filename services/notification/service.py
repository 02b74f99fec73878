"""notification: texts the applicant, exactly once per fact (application, template; a reminder per
request), and e-mails them the same when the SMS fails (or always, with NOTIFY_EMAIL_ALWAYS)."""
from common import clock
from common.batch_handlers import batch_event_handler
from common.errors import AppError, NotFound
from common.handlers import event_handler
from common.health import Pingable
from common.metrics import MetricsEndpoint
from common.outbox import OutboxRelay
from common.rpc import rpc
from common.storage import Store
from services.notification import domain, emails, verification_codes
from services.notification.delivery_reports import DeliveryReports
from services.notification.dispatcher import SmsDispatcher
from services.notification.email_dispatcher import EmailDispatcher
from services.notification.settings import settings
from services.notification.status_polling import StatusPoller
from services.notification.store import NotificationStore


class NotificationService(Pingable):
    name = "notification"

    messages = Store(NotificationStore)
    publish_owed_events = OutboxRelay(store="messages")
    send_queued_sms = SmsDispatcher(store="messages")
    send_queued_email = EmailDispatcher(store="messages")
    delivery_reports = DeliveryReports(store="messages")
    poll_delivery_status = StatusPoller(store="messages")
    metrics = MetricsEndpoint()

    @batch_event_handler("intake", "application_received")
    def handle_application_received(self, *events):
        """Three store calls a batch: the recipients, the messages, and messages waiting for their
        language. An applicant whose personal data was erased gets no phone kept and no SMS. The
        e-mail address (since issue 23) is optional, read with .get."""
        remembered = set(self.messages.remember_recipients([
            (event["application_no"], event["phone"], event["language"], event["province_code"], event.get("email"))
            for event in events]))
        kept = [event for event in events if event["application_no"] in remembered]
        now, tracking_url = clock.now(), settings().tracking_url
        queued = self.messages.enqueue_all([
            self.send_queued_sms.leased(domain.received_message(event, now, tracking_url)) for event in kept])
        if queued:
            self.send_queued_sms.hand_over(*queued)
        self.render_waiting({event["application_no"]: event["language"] for event in kept})
        self.queue_companion_emails(queued, {event["application_no"]: {"email": event.get("email")} for event in kept})

    @event_handler("routing", "application_answered")
    def handle_application_answered(self, event):
        self.notify_applicant(event, domain.concluded_message)

    @event_handler("tracking", "objection_filed")
    def handle_objection_filed(self, event):
        self.notify_applicant(event, domain.objection_message)

    @event_handler("intake", "tracking_code_requested")
    def handle_tracking_code_requested(self, event):
        """The applicant proved the national ID at intake: the code goes to the phone on record."""
        self.notify_applicant(event, domain.reminder_message)

    @event_handler("intake", "phone_verification_requested")
    def handle_phone_verification_requested(self, event):
        """Issue 24: the one-time code to the phone being proved, under a pseudo application number
        (verification_codes.py); once sent or failed, neither the code nor the phone is kept, so a
        redelivered event finds the recipient erased (and its message there): nothing more. Their
        records go a week later (verification_codes.KEPT_FOR)."""
        if self.messages.remember_recipient(*verification_codes.recipient(event)):
            self.queue(verification_codes.code_message(event, clock.now()))
        self.messages.discard_old_verification_sms(clock.now())

    @event_handler("notification", "sms_failed")
    def handle_sms_failed(self, event):
        """An SMS finally failed (the sender gave up, or the operator reported it undeliverable): the
        same notice goes by e-mail, once per fact, if the applicant gave an address and the SMS was
        not delivered after all meanwhile. Our own event: its queue keeps it across a restart."""
        failed = self.messages.find_message(event["message_id"])
        recipient = failed and self.messages.recipient(failed["application_no"])
        email = failed and emails.fallback_email(failed, recipient, clock.now(), settings().tracking_url)
        if email:
            self.queue_emails([email])

    @event_handler("intake", "applicant_data_erased")
    def handle_applicant_data_erased(self, event):
        """KVKK: the recipient's phone and e-mail address go and no SMS or e-mail still waiting is
        sent; the messages' record (template, states, times) stays. Idempotent."""
        now = clock.now()
        self.messages.erase_recipient(event["application_no"], now)
        self.messages.cancel_unsent(event["application_no"], now)
        self.messages.purge_erased()

    def notify_applicant(self, event, message_of):
        """Queues the SMS ``message_of(event, language, now, tracking_url)`` to the applicant of
        ``event``'s application; an erased applicant has no phone: nothing is sent."""
        recipient = self.messages.recipient(event["application_no"])
        if (recipient or {}).get("erased_at"):
            return
        message = message_of(event, (recipient or {}).get("language"), clock.now(), settings().tracking_url)
        if self.queue_and_render(message):
            self.queue_companion_emails([message], {event["application_no"]: recipient})

    def queue_companion_emails(self, queued, recipients):
        """With NOTIFY_EMAIL_ALWAYS, an e-mail beside each newly ``queued`` SMS whose recipient
        (``recipients``: application number -> recipient, None while unknown) may have an address."""
        if not settings().email_always:
            return
        now, tracking_url = clock.now(), settings().tracking_url
        self.queue_emails([emails.companion_email(message, now, tracking_url) for message in queued
                           if emails.companion_owed(recipients.get(message["application_no"]))])

    def queue_emails(self, owed):
        """Queues e-mails for their dispatcher; one whose fact has an e-mail already is left out."""
        if owed and self.messages.enqueue_emails(owed):
            self.send_queued_email()

    def queue(self, message):
        """Queues ``message`` for the dispatcher; False if its unique key says it is there already.
        A recipient erased meanwhile is the dispatcher's to see (it reads the recipient anyway):
        it cancels the message instead of sending it."""
        message = self.send_queued_sms.leased(message)
        if not self.messages.enqueue(message):
            return False
        self.send_queued_sms.hand_over(message)
        return True

    def queue_and_render(self, message):
        """Queues a message of a recipient read just before (False if its fact has one already);
        without a language then, its text waits for the received event, which may have been
        handled since that read."""
        queued = self.queue(message)
        if message["text"] is None:
            recipient = self.messages.recipient(message["application_no"])
            if recipient is not None and not recipient.get("erased_at"):
                self.render_waiting({message["application_no"]: recipient["language"]})
        return queued

    def render_waiting(self, languages):
        """Messages queued before their recipient's language was known get their text now
        (``languages``: application number -> the recipient's language)."""
        if not languages:
            return
        for waiting in self.messages.unrendered(*languages):
            self.messages.set_rendering(waiting["_id"], domain.rendered(
                waiting, languages[waiting["application_no"]], settings().tracking_url))

    @event_handler("gateway", "sms_report_received")
    def handle_sms_report_received(self, event):
        """A provider's delivery report as the gateway received it (authenticated by its URL token);
        signatures are checked here, where the provider's secrets are."""
        self.delivery_reports.record_received(event)

    @rpc(expected_exceptions=AppError)
    def record_delivery_report(self, provider, callback):
        """The same over RPC, as gateways before issue 20 send it (kept for a rolling deploy)."""
        return self.delivery_reports.record(provider, callback)

    @rpc(expected_exceptions=AppError)
    def list_messages(self, principal, application_no):
        """The SMS and then the e-mails of one application (``channel``), for the staff record (the
        gateway checked scope first). A verification code's pseudo number has no record."""
        if verification_codes.is_pseudo(application_no):
            return []
        return ([domain.message_view(message) for message in self.messages.for_application(application_no)]
                + [emails.email_view(email) for email in self.messages.emails_for_application(application_no)])

    @rpc(expected_exceptions=AppError)
    def list_failed_messages(self, principal, limit=100):
        """The province's failed SMS, the latest first: why each failed, and whether it may be resent."""
        failed = self.messages.failed_in_province(principal["province_code"], min(int(limit), 500))
        return [domain.failed_message_view(message, self.messages.recipient(message["application_no"]))
                for message in failed]

    @rpc(expected_exceptions=AppError)
    def resend_message(self, principal, message_id):
        """An admin sends a failed SMS of the province again, once, as a new message through the
        dispatcher (docs/sms.md#resend); NotFound outside the province, Conflict
        ``sms_not_resendable`` when it did not fail, was resent, or failed for the number's fault."""
        failed = self.messages.find_message(message_id)
        recipient = failed and self.messages.recipient(failed["application_no"])
        if failed is None or (recipient or {}).get("province_code") != principal["province_code"]:
            raise NotFound("message")
        domain.check_resendable(failed, recipient)
        message = domain.resent_message(failed, recipient, principal["username"], clock.now(), settings().tracking_url)
        if not self.queue(message):  # another admin's resend got there first
            raise domain.not_resendable(domain.ALREADY_RESENT)
        self.messages.mark_resent(failed["_id"], message["_id"])
        return domain.message_view(message)

    @rpc(expected_exceptions=AppError)
    def export_personal_data(self, principal, application_nos):
        """KVKK export: per application (of the admin's province) the recipient and the SMS and e-mail records.
        The gateway passes the numbers intake found for the applicant in that province."""
        exported = {}
        for application_no in application_nos:
            if verification_codes.is_pseudo(application_no):  # no application: nobody's personal data
                continue
            recipient = self.messages.recipient(application_no)
            if recipient is not None and recipient.get("province_code") not in (None, principal["province_code"]):
                continue
            exported[application_no] = domain.personal_data_view(
                recipient, self.messages.for_application(application_no),
                [emails.email_view(email) for email in self.messages.emails_for_application(application_no)])
        return exported
