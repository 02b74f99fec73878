"""tracking: the public read model of every application, built from every service's events."""
from common import clock
from common.batch_handlers import batch_event_handler
from common.errors import AppError, NotFound
from common.handlers import event_handler
from common.health import Pingable
from common.metrics import MetricsEndpoint
from common.rpc import rpc
from common.storage import Store
from contracts.tracking import requests
from services.tracking import domain, public_requests, public_view, statistics
from services.tracking.store import TrackingStore


class TrackingService(Pingable):
    name = "tracking"

    metrics = MetricsEndpoint()
    applications = Store(TrackingStore)

    @batch_event_handler("intake", "application_received")
    def handle_application_received(self, *events):
        self.applications.apply_all([(event["application_no"], event["event_id"], *domain.received(event))
                                     for event in events])

    @event_handler("routing", "application_routed")
    def handle_application_routed(self, event):
        self.applications.apply(event["application_no"], event["event_id"], *domain.routed(event))

    @event_handler("routing", "application_returned")
    def handle_application_returned(self, event):
        self.applications.apply(event["application_no"], event["event_id"], *domain.returned(event))

    @event_handler("routing", "applicant_contacted")
    def handle_applicant_contacted(self, event):
        self.applications.apply(event["application_no"], event["event_id"], *domain.contacted(event))

    @event_handler("routing", "application_answered")
    def handle_application_answered(self, event):
        self.applications.apply(event["application_no"], event["event_id"], *domain.answered(event))

    @event_handler("routing", "deadline_approaching")
    def handle_deadline_approaching(self, event):
        self.applications.apply(event["application_no"], event["event_id"], *domain.deadline(event))

    @event_handler("routing", "deadline_missed")
    def handle_deadline_missed(self, event):
        self.applications.apply(event["application_no"], event["event_id"], *domain.deadline(event))

    @event_handler("notification", "sms_sent")
    def handle_sms_sent(self, event):
        self.applications.apply(event["application_no"], event["event_id"], *domain.sms_state(event, "sent"))

    @event_handler("notification", "sms_delivered")
    def handle_sms_delivered(self, event):
        self.applications.apply(event["application_no"], event["event_id"], *domain.sms_state(event, "delivered"))

    @event_handler("notification", "sms_failed")
    def handle_sms_failed(self, event):
        self.applications.apply(event["application_no"], event["event_id"], *domain.sms_state(event, "failed"))

    @rpc(expected_exceptions=AppError)
    def get_application_status(self, application_no, tracking_code, language=None):
        document = self.applications.find(application_no)
        if not domain.code_matches(document, tracking_code):
            raise NotFound("application")
        return public_view.public_view(document, public_view.choose_language(language, document), clock.now().date())

    @rpc(expected_exceptions=AppError)
    def get_statistics(self, principal, query):
        now = clock.now()
        wanted = requests.stats_query(query, now.date())
        province_code, unit_id = statistics.stats_scope(principal, wanted["province"], wanted["unit_id"])
        start, end = statistics.period_bounds(wanted["from"], wanted["to"])
        documents = self.applications.received_in(province_code, start, end, statistics.STATS_FIELDS)
        stats = statistics.statistics(documents, now, unit_id)
        return statistics.statistics_view(stats, province_code, unit_id, wanted["from"], wanted["to"], now)

    @rpc(expected_exceptions=AppError)
    def list_public_requests(self, query):
        """Applications of one province as anyone may see them (the gateway's Open311 GETs): by
        number, or by period, category and open/closed; newest first. Nothing personal."""
        wanted = requests.public_requests_query(query)
        documents = self.applications.public_requests(wanted, public_requests.PUBLIC_REQUEST_FIELDS)
        return [public_requests.public_request_view(document) for document in documents if document.get("timeline")]
