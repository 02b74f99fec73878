"""Delivery reports from SMS providers: authenticated, parsed, and applied forward-only."""
import logging
from collections import Counter

from nameko.extensions import DependencyProvider

from common import clock
from common.errors import AppError, NotAllowed, NotFound, ValidationFailed
from common.storage import store_of
from messages import bilingual
from services.notification import domain
from services.notification.metrics import DELIVERY_REPORTS_REFUSED, SMS_MESSAGES
from services.notification.providers import CallbackRejected, CallbackRequest, DeliveryReport, build_provider
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

    def record_received(self, event):
        """A report the gateway accepted and published (event ``sms_report_received``): the provider
        was answered already, so a report that cannot be applied is logged and counted, not raised
        (it would only be retried and parked)."""
        try:
            return self.record(event["provider"], event["callback"])
        except AppError as refused:
            log.warning("delivery report from %s refused: %s", event["provider"], type(refused).__name__)
            DELIVERY_REPORTS_REFUSED.labels(event["provider"], type(refused).__name__).inc()
            return None

    def _provider(self, name):
        if name not in self.providers:
            try:
                self.providers[name] = build_provider(dict(self.provider_settings, SMS_PROVIDER=name))
            except ValueError:
                raise NotFound("provider") from None
        return self.providers[name]


def apply_reports(store, provider_name, reports):
    """Applies reports (pushed or polled) forward-only; returns how many moved a message.

    A batch costs two reads (the messages, and which of their facts had failed) and one write for
    all plain deliveries; a failure, or a delivery that clears an earlier failure (it owes
    sms_delivered), is written one by one, as is every report of a message reported twice here.
    """
    messages = store.reported_messages(reports, provider_name)
    unknown = sum(message is None for message in messages)
    if unknown:
        log.info("%d delivery report(s) from %s for unknown messages; acknowledged", unknown, provider_name)
    known = [(report, message) for report, message in zip(reports, messages) if message is not None]
    failed_facts = store.failed_facts(message["application_no"] for report, message in known
                                      if report.state == domain.DELIVERED) if known else set()
    reports_per_message = Counter(message["_id"] for _, message in known)
    plain, one_by_one = {}, []
    for report, message in known:
        if (report.state == domain.DELIVERED and reports_per_message[message["_id"]] == 1
                and not domain.delivery_is_news(message, failed_facts)):
            if message["state"] in domain.states_before(domain.DELIVERED):
                plain[message["_id"]] = message
        else:
            one_by_one.append((report, message))
    applied = _deliver(store, provider_name, plain) if plain else 0
    for report, message in one_by_one:
        if _apply(store, provider_name, message, report, failed_facts):
            applied += 1
            SMS_MESSAGES.labels(provider_name, message["template"], report.state).inc()
    return applied


def _deliver(store, provider_name, messages):
    """Plain deliveries in one write. One that failed between our read and this write (a report
    handled meanwhile) now owes sms_delivered: it goes one by one."""
    now = clock.now()
    moved = store.deliver(messages, now)
    delivered = list(messages.values())
    if moved < len(messages):
        now_states = store.states_of(messages)
        for message_id, message in messages.items():
            if now_states.get(message_id, {}).get("state") == domain.FAILED:
                report = DeliveryReport(message_id=message_id, provider_message_id=None, state=domain.DELIVERED)
                moved += _apply(store, provider_name, dict(message, state=domain.FAILED), report, set())
        # The metric may count a delivery another worker's copy of the report made meanwhile.
        delivered = [message for message_id, message in messages.items()
                     if now_states.get(message_id, {}).get("state") == domain.DELIVERED]
    for template, count in Counter(message["template"] for message in delivered).items():
        SMS_MESSAGES.labels(provider_name, template, domain.DELIVERED).inc(count)
    return moved


def _apply(store, provider_name, message, report, failed_facts):
    """True if the report moved the message forward. A failure it records joins ``failed_facts``
    (a delivery reported after it in the same batch then clears it)."""
    now = clock.now()
    if report.state == domain.DELIVERED:
        if domain.delivery_is_news(message, failed_facts):
            return store.advance(message["_id"], domain.DELIVERED, {"delivered_at": now},
                                 domain.delivered_event(message, provider_name), now)
        return store.advance(message["_id"], domain.DELIVERED, {"delivered_at": now}, None, now)
    if report.state == domain.FAILED:
        reason = report.reason or "reported failed"
        failed = store.advance(message["_id"], domain.FAILED, {"last_error": reason, "failed_at": now},
                               domain.failed_event(message, provider_name, reason), now)
        if failed:
            failed_facts.add((message["application_no"], message["template"]))
        return failed
    return False  # "sent" adds nothing: our own write records that
