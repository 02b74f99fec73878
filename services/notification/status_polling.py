"""Asks the provider about messages whose delivery report never came (design: push first,
polling as the fallback). Verimor allows about 20 status calls a minute, so each round asks
about at most ``SMS_STATUS_POLL_BATCH`` messages, once a minute by default."""
import logging

from common import clock
from common.background import BackgroundLoop
from services.notification.delivery_reports import apply_reports
from services.notification.providers import SmsSendError, build_provider
from services.notification.settings import NotificationSettings

log = logging.getLogger(__name__)


class StatusPoller(BackgroundLoop):
    def setup(self):
        super().setup()
        settings = NotificationSettings.from_environment()
        self.provider = build_provider(settings.provider_settings)
        self.interval_seconds = settings.status_poll_seconds
        self.batch = settings.status_poll_batch
        self.report_grace = settings.report_grace

    def run_once(self):
        if not hasattr(self.provider, "poll_status"):
            return False
        now = clock.now()
        waiting = self.store.awaiting_report(self.provider.name, now - self.report_grace, self.batch)
        if not waiting:
            return False
        try:
            reports = self.provider.poll_status([message["provider_message_id"] for message in waiting])
        except SmsSendError as error:
            log.warning("status polling at %s failed: %s", self.provider.name, error.reason)
            return False
        apply_reports(self.store, self.provider.name, reports)
        self.store.mark_polled(message["_id"] for message in waiting)
        return False
