"""intake: records every application at once and owes the event that starts the flow."""
from common import clock
from common.errors import AppError, NotFound
from common.health import Pingable
from common.metrics import MetricsEndpoint
from common.outbox import OutboxRelay
from common.rpc import rpc
from common.storage import Store
from services.intake import catalog, domain
from services.intake.store import IntakeStore
from services.intake.validation import validate_application

domain.answer_periods()  # a bad ANSWER_PERIODS stops the start-up, not a citizen's submission


class IntakeService(Pingable):
    name = "intake"

    metrics = MetricsEndpoint()
    applications = Store(IntakeStore)
    publish_owed_events = OutboxRelay(store="applications")

    @rpc(expected_exceptions=AppError)
    def submit_application(self, body, entry_point="citizen", idempotency_key=None, officer=None):
        key = domain.scoped_idempotency_key(entry_point, idempotency_key)
        body_fingerprint = domain.fingerprint(body)
        earlier = self.applications.find_by_idempotency_key(key)
        if earlier is not None:
            return domain.replay(earlier, body_fingerprint)
        application = validate_application(body, allowed_channels=domain.channels_for(entry_point))
        if entry_point == "desk":
            domain.check_desk_officer(application, officer)
        received_at = clock.now()
        number = domain.application_number(
            received_at, self.applications.next_sequence(domain.sequence_name(received_at)))
        document = domain.new_application(application, number, received_at, key, body_fingerprint,
                                          entered_by=officer and officer["username"])
        stored = self.applications.insert_application(document)
        self.publish_owed_events()
        return domain.replay(stored, body_fingerprint)

    @rpc(expected_exceptions=AppError)
    def get_application_record(self, principal, application_no, purpose=None):
        """The application with the applicant's personal data; every call is audited."""
        document = self.applications.find_application(application_no)
        if document is None or document["province_code"] != principal["province_code"]:
            raise NotFound("application")
        self.applications.record_read(
            domain.audit_entry(principal, application_no, domain.read_purpose(purpose), clock.now()))
        return domain.staff_record(document)

    @rpc
    def get_catalog(self):
        return catalog.client_catalogue()
