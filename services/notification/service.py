"""notification: texts the applicant, exactly once per (application, template)."""
from nameko.events import event_handler

from common import clock
from common.config import setting
from common.health import Pingable
from common.outbox import OutboxRelay
from common.storage import Store
from services.notification import domain
from services.notification.dispatcher import SmsDispatcher
from services.notification.store import NotificationStore


class NotificationService(Pingable):
    name = "notification"

    messages = Store(NotificationStore)
    publish_owed_events = OutboxRelay(store="messages")
    send_queued_sms = SmsDispatcher(store="messages")

    @event_handler("intake", "application_received")
    def handle_application_received(self, event):
        self.messages.remember_recipient(event["application_no"], event["phone"], event["language"])
        self.queue(domain.received_message(event, clock.now(), setting("TRACKING_URL")))
        self.render_waiting(event["application_no"])

    @event_handler("routing", "application_answered")
    def handle_application_answered(self, event):
        recipient = self.messages.recipient(event["application_no"]) or {}
        self.queue(domain.concluded_message(event, recipient.get("language"), clock.now(), setting("TRACKING_URL")))
        # The received event may have been handled between the read above and the queueing.
        self.render_waiting(event["application_no"])

    def queue(self, message):
        if self.messages.enqueue(message):
            self.send_queued_sms()

    def render_waiting(self, application_no):
        """Messages queued before their recipient's language was known get their text now."""
        recipient = self.messages.recipient(application_no)
        if recipient is None:
            return
        for waiting in self.messages.unrendered(application_no):
            self.messages.set_rendering(waiting["_id"], domain.rendered(waiting, recipient["language"],
                                                                        setting("TRACKING_URL")))
