"""Delivery reports from SMS providers: authenticated, parsed, and applied forward-only."""
import logging

from nameko.extensions import DependencyProvider

from common import clock
from common.errors import NotAllowed, NotFound, ValidationFailed
from common.storage import store_of
from messages import bilingual
from services.notification import domain
from services.notification.metrics import SMS_MESSAGES
from services.notification.providers import CallbackRejected, CallbackRequest, build_provider
from services.notification.settings import NotificationSettings

log = logging.getLogger(__name__)


class DeliveryReports(DependencyProvider):
    """Injects itself: ``record(provider_name, callback) -> {"applied": n, "ignored": m}``.

    Providers are built on first use by name, so reports for messages sent through a provider
    the service has since switched away from are still understood.
    """

    def __init__(self, store):
        self.store_attr = store

    def setup(self):
        self.providers = {}
        self.provider_settings = NotificationSettings.from_environment().provider_settings

    def start(self):
        self.store = store_of(self.container, self.store_attr)

    def get_dependency(self, worker_ctx):
        return self

    def record(self, provider_name, callback):
        provider = self._provider(provider_name)
        try:
            reports = provider.parse_delivery_report(CallbackRequest.from_dict(callback))
        except CallbackRejected:
            raise NotAllowed("callback") from None
        except (ValueError, TypeError):
            raise ValidationFailed({"body": bilingual("notification.unreadable_report")}) from None
        applied = apply_reports(self.store, provider_name, reports)
        return {"applied": applied, "ignored": len(reports) - applied}

    def _provider(self, name):
        if name not in self.providers:
            try:
                self.providers[name] = build_provider(dict(self.provider_settings, SMS_PROVIDER=name))
            except ValueError:
                raise NotFound("provider") from None
        return self.providers[name]


def apply_reports(store, provider_name, reports):
    """Applies reports (pushed or polled) forward-only; returns how many moved a message."""
    applied = 0
    for report in reports:
        message = store.find_reported(report, provider_name)
        if message is None:
            log.info("delivery report from %s for an unknown message; acknowledged", provider_name)
        elif _apply(store, provider_name, message, report):
            applied += 1
            SMS_MESSAGES.labels(provider_name, message["template"], report.state).inc()
    return applied


def _apply(store, provider_name, message, report):
    """True if the report moved the message forward."""
    now = clock.now()
    if report.state == domain.DELIVERED:
        return store.advance(message["_id"], domain.DELIVERED, {"delivered_at": now},
                             domain.delivered_event(message, provider_name), now)
    if report.state == domain.FAILED:
        reason = report.reason or "reported failed"
        return store.advance(message["_id"], domain.FAILED, {"last_error": reason, "failed_at": now},
                             domain.failed_event(message, provider_name, reason), now)
    return False  # "sent" adds nothing: our own write records that
