"""intake: records every application at once and owes the event that starts the flow."""
from nameko.rpc import rpc

from common import clock
from common.errors import AppError
from common.health import Pingable
from common.outbox import OutboxRelay
from common.storage import Store
from services.intake import catalog, domain
from services.intake.store import IntakeStore
from services.intake.validation import validate_application


class IntakeService(Pingable):
    name = "intake"

    applications = Store(IntakeStore)
    publish_owed_events = OutboxRelay(store="applications")

    @rpc(expected_exceptions=AppError)
    def submit_application(self, body, entry_point="citizen", idempotency_key=None):
        key = domain.scoped_idempotency_key(entry_point, idempotency_key)
        body_fingerprint = domain.fingerprint(body)
        earlier = self.applications.find_by_idempotency_key(key)
        if earlier is not None:
            return domain.replay(earlier, body_fingerprint)
        application = validate_application(body, allowed_channels=domain.channels_for(entry_point))
        received_at = clock.now()
        number = domain.application_number(
            received_at, self.applications.next_sequence(domain.sequence_name(received_at)))
        document = domain.new_application(application, number, received_at, key, body_fingerprint)
        stored = self.applications.insert_application(document)
        self.publish_owed_events()
        return domain.replay(stored, body_fingerprint)

    @rpc
    def get_catalog(self):
        return catalog.client_catalogue()
