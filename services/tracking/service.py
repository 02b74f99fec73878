"""tracking: the public read model of every application, built from every service's events, and
what the applicant does after the answer: object to it once, rate it."""
from common import clock
from common.batch_handlers import batch_event_handler
from common.errors import AppError, NotFound
from common.handlers import event_handler
from common.health import Pingable
from common.metrics import MetricsEndpoint
from common.outbox import OutboxRelay
from common.rpc import rpc
from common.storage import Store
from contracts.tracking import requests
from services.tracking import domain, feedback, objections, public_requests, public_view, statistics
from services.tracking.metrics import OBJECTIONS_FILED, RATINGS_GIVEN
from services.tracking.settings import settings
from services.tracking.store import TrackingStore

settings()  # a bad OBJECTION_DAYS stops the start-up, not a citizen's objection


class TrackingService(Pingable):
    name = "tracking"

    metrics = MetricsEndpoint()
    applications = Store(TrackingStore)
    publish_owed_events = OutboxRelay(store="applications")  # objection_filed

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

    @event_handler("routing", "application_escalated")
    def handle_application_escalated(self, event):
        self.applications.apply(event["application_no"], event["event_id"], *domain.deadline(event))

    @event_handler("routing", "incident_changed")
    def handle_incident_changed(self, event):
        self.applications.record_incident(event["incident_id"], event["application_nos"], event["version"])

    @event_handler("notification", "sms_sent")
    def handle_sms_sent(self, event):
        self.applications.apply(event["application_no"], event["event_id"], *domain.sms_state(event, "sent"))

    @event_handler("notification", "sms_delivered")
    def handle_sms_delivered(self, event):
        self.applications.apply(event["application_no"], event["event_id"], *domain.sms_state(event, "delivered"))

    @event_handler("notification", "sms_failed")
    def handle_sms_failed(self, event):
        self.applications.apply(event["application_no"], event["event_id"], *domain.sms_state(event, "failed"))

    @event_handler("notification", "email_sent")
    def handle_email_sent(self, event):
        """The notice of a failed SMS names the address its e-mail went to, masked (issue 23)."""
        self.applications.apply(event["application_no"], event["event_id"], *domain.email_sent(event))

    @event_handler("intake", "applicant_data_erased")
    def handle_applicant_data_erased(self, event):
        """KVKK: the objection's text and the ratings' comments are the applicant's own words; the
        notice's masked e-mail address goes too."""
        self.applications.apply(event["application_no"], event["event_id"], *domain.emails_erased())
        self.applications.erase_applicant_texts(event["application_no"], feedback.ROUNDS)

    @rpc(expected_exceptions=AppError)
    def get_application_status(self, application_no, tracking_code, language=None):
        document = self._applicants_document(application_no, tracking_code)
        return self._status_view(document, language)

    @rpc(expected_exceptions=AppError)
    def file_objection(self, application_no, body, language=None):
        """The applicant objects to the answer (once, within OBJECTION_DAYS): back to the unit."""
        wanted = requests.objection_request(body)
        document = self._applicants_document(application_no, wanted["tracking_code"])
        now = clock.now()
        objections.check_objectable(document, now, settings().objection_window)
        if not self.applications.file_objection(application_no, *objections.objection(document, wanted["text"], now)):
            raise objections.already_objected()
        self.publish_owed_events()
        OBJECTIONS_FILED.labels(document["province"]).inc()
        return self._status_view(self.applications.find(application_no), language)

    @rpc(expected_exceptions=AppError)
    def give_feedback(self, application_no, body):
        """The applicant's rating of the latest answer, once per answer."""
        wanted = requests.feedback_request(body)
        document = self._applicants_document(application_no, wanted["tracking_code"])
        answer_round = feedback.latest_round(document)
        rating = feedback.rating(document, wanted["score"], wanted["comment"], clock.now())
        if not self.applications.rate(application_no, answer_round, rating):
            raise feedback.already_rated()
        RATINGS_GIVEN.labels(document["province"], (rating["unit"] or {}).get("unit_id", "none"), rating["score"]).inc()
        return feedback.rating_view(rating)

    @rpc(expected_exceptions=AppError)
    def export_personal_data(self, principal, application_nos):
        """KVKK export: per application of the admin's province, the applicant's ratings (with
        their comments); the objection's text is in routing's part."""
        return {document["_id"]: {"ratings": [feedback.rating_view(rating) for rating in feedback.ratings(document)]}
                for document in self.applications.in_province(application_nos, principal["province_code"])}

    def _applicants_document(self, application_no, tracking_code):
        """The application, for whoever holds its tracking code; the same NotFound for an unknown
        number and a wrong code."""
        document = self.applications.find(application_no)
        if not domain.code_matches(document, tracking_code):
            raise NotFound("application")
        return document

    def _status_view(self, document, language):
        return public_view.public_view(document, public_view.choose_language(language, document), clock.now(),
                                       settings().objection_window, self.applications.incident_of(document["_id"]))

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
