"""routing: keeps every application in its province's queue until an officer routes it."""
from nameko.events import event_handler
from nameko.rpc import rpc

from common.health import Pingable
from common.storage import Store
from services.routing import domain
from services.routing.store import RoutingStore


class RoutingService(Pingable):
    name = "routing"

    applications = Store(RoutingStore)

    @event_handler("intake", "application_received")
    def handle_application_received(self, event):
        self.applications.add_to_queue(domain.queued_application(event))

    @rpc
    def list_applications(self, province_code, status=domain.UNROUTED, limit=100):
        entries = self.applications.list_applications(province_code, status, limit)
        return [domain.queue_entry_view(entry) for entry in entries]
