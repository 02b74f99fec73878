"""Routing's rules with no I/O. Routing proper (units, officers, deadlines) comes later;
for now an application waits, unrouted, in its province's queue."""
from common import clock
from common.events import facts

UNROUTED = "unrouted"


def queued_application(event):
    """The queue entry for a received application: what officers need to route it, nothing personal."""
    return dict(
        facts(event),
        _id=event["application_no"],
        status=UNROUTED,
        received_at=clock.from_iso(event["received_at"]),
        due_at=clock.from_iso(event["due_at"]),
    )


def queue_entry_view(document):
    view = {key: value for key, value in document.items() if key != "_id"}
    view["received_at"] = clock.to_iso(document["received_at"])
    view["due_at"] = clock.to_iso(document["due_at"])
    return view
