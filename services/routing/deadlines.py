"""Watches answer deadlines: owes ``deadline_approaching``, ``deadline_missed`` and
``application_escalated`` once each; and completes the answers of incidents a crash left half-done."""
from common import clock
from common.background import BackgroundLoop
from services.routing import domain, incident_members
from services.routing.answer_keys import configured_keyring
from services.routing.metrics import APPLICATIONS_OVERDUE, OPEN_APPLICATIONS
from services.routing.settings import RoutingSettings

BATCH = 200


def owe_deadline_events(store, now, warning):
    """One pass at ``now``: every application due (or about due) that has not owed the event yet.

    The store's conditional write lets exactly one of several routing processes owe each event.
    Returns how many events this call owed; a full batch (``BATCH`` of one kind) means more may wait.
    """
    owed = 0
    for event_name in domain.DEADLINE_EVENTS:
        window = domain.deadline_window(event_name, now, warning)
        for application in store.owing_deadline(event_name, window, BATCH):
            event = domain.deadline_event(event_name, application)
            owed += store.owe_deadline(application["_id"], event_name, event)
    return owed


class DeadlineWatcher(BackgroundLoop):
    """Runs ``owe_deadline_events`` every ``DEADLINE_CHECK_SECONDS``; ``clock`` is injectable."""

    def __init__(self, store, clock=clock.now):
        super().__init__(store)
        self.clock = clock

    def setup(self):
        super().setup()
        settings = RoutingSettings.from_environment()
        self.interval_seconds = settings.deadline_check_seconds
        self.warning = settings.deadline_warning
        self.keyring = configured_keyring()  # incidents answered before a crash: their members sealed too

    def publish_open_counts(self):
        counts = self.store.count_open_by_unit()
        OPEN_APPLICATIONS.clear()  # a unit whose queue emptied must not keep its last count
        for (province, unit_id), count in counts.items():
            OPEN_APPLICATIONS.labels(province, unit_id or "none").set(count)

    def run_once(self):
        """After an outage the backlog can be large: go again at once while batches are full."""
        now = self.clock()
        more = owe_deadline_events(self.store, now, self.warning) >= BATCH
        incident_members.complete_answers(self.store, self.keyring)
        APPLICATIONS_OVERDUE.set(self.store.count_overdue(now))
        self.publish_open_counts()
        return more
