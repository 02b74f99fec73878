"""Write, then publish (docs/architecture.md#outbox).

A service stores a state change and the events it owes in one document
write: ``outbox`` holds the events, ``outbox_pending`` (indexed) marks the
document for the relay. The relay publishes with publisher confirms and
``mandatory`` (an event no queue would take is refused, not dropped) and
removes an event from the document only once the broker has confirmed it.
"""
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from kombu import Connection
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY

from common import clock, config, topology
from common.background import BackgroundLoop
from common.metrics import OUTBOX_PENDING
from contracts.events import CATALOGUE

log = logging.getLogger(__name__)

PENDING = "outbox_pending"
LEASE = "outbox_lease"
LEASE_DURATION = timedelta(seconds=30)  # far longer than publishing one document's events


def new_document_fields(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Fields to put in a new document that owes ``events``."""
    return {"outbox": list(events), PENDING: True}


def owe(update: Mapping[str, Mapping[str, Any]], events: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Adds ``events`` to a pymongo update document, in the same single-document write."""
    owing = {operator: dict(fields) for operator, fields in update.items()}
    owing.setdefault("$push", {})["outbox"] = {"$each": list(events)}
    owing.setdefault("$set", {})[PENDING] = True
    return owing


def create_outbox_index(collection: Any) -> None:
    """(pending, lease): a claim finds a free document without reading the leased ones."""
    collection.create_index([(PENDING, 1), (LEASE, 1)])


def _claim(collection: Any, now: datetime) -> dict[str, Any] | None:
    """One document owing events, leased to this relay: two processes of a service never
    publish the same events at once. A relay that dies mid-publish loses its lease, and what
    it had not cleared is published again (consumers are idempotent).

    Never-leased documents first, then lapsed leases: two exact index lookups. (One query with
    ``$or`` read every document this relay had already leased in the batch before finding a free
    one: a hundred-document batch decoded ~5,000 — the notification service's main cost.)"""
    for free in ({LEASE: None}, {LEASE: {"$lt": now}}):  # None: no lease field, or a released one
        document = collection.find_one_and_update(
            dict({PENDING: True}, **free), {"$set": {LEASE: now + LEASE_DURATION}}, projection={"outbox": 1})
        if document is not None:
            return document
    return None


def _clear_all(collection: Any, document_id: Any, owed_count: int) -> bool:
    """The usual case in one write: every event the document owed is out. Only a relay holding
    the lease removes events, others only add, so an unchanged count means nothing new came."""
    cleared = collection.update_one({"_id": document_id, "outbox": {"$size": owed_count}},
                                    {"$set": {"outbox": [], PENDING: False, LEASE: None}})
    return cleared.matched_count == 1


def relay_collection(collection: Any, publish: Callable[[dict[str, Any]], None], batch_size: int,
                     now: datetime | None = None) -> int:
    """Publishes what documents of ``collection`` owe; returns how many documents were seen."""
    now = now or clock.now()
    documents: list[dict[str, Any]] = []
    while len(documents) < batch_size:
        document = _claim(collection, now)
        if document is None:
            break
        documents.append(document)
    for document in documents:
        owed = document.get("outbox", [])
        published = []
        for event in owed:
            try:
                publish(event)
            except Exception as exc:  # the event stays owed; the timer tries again
                log.warning("event %s not published yet: %s", event.get("event_name"), type(exc).__name__)
                break
            published.append(event["event_id"])
        if len(published) == len(owed) and _clear_all(collection, document["_id"], len(owed)):
            continue
        if published:
            collection.update_one(
                {"_id": document["_id"]},
                {"$pull": {"outbox": {"event_id": {"$in": published}}}},
            )
        collection.update_one({"_id": document["_id"], "outbox": []}, {"$set": {PENDING: False}})
        collection.update_one({"_id": document["_id"]}, {"$set": {LEASE: None}})
    return len(documents)


class OutboxRelay(BackgroundLoop):
    """Publishes the events owed in the collections of one of the service's stores.

    ``store`` names the service's ``Store`` dependency; its store object lists
    its outbox collections in ``outbox_collections()``.
    """

    batch_size = 100

    def setup(self) -> None:
        super().setup()
        self.amqp_uri = self.container.config.get(AMQP_URI_CONFIG_KEY) or config.amqp_uri()
        self.publisher = Publisher(self.amqp_uri, use_confirms=True, mandatory=True, retry=False)
        self.queues_declared = False

    def run_once(self) -> bool:
        if not self.queues_declared:
            try:
                self.declare_consumer_queues()
            except Exception as exc:  # the broker is away; the timer tries again
                log.warning("consumer queues not declared yet: %s", type(exc).__name__)
                self.sample_backlog()  # the backlog grows exactly while the broker is away
                return False
        seen = [relay_collection(c, self.publish, self.batch_size) for c in self.store.outbox_collections()]
        self.sample_backlog()
        return any(count == self.batch_size for count in seen)

    def sample_backlog(self) -> None:
        """The backlog gauge (common/metrics.py), at most once a second: one indexed count."""
        now = time.monotonic()
        if now - getattr(self, "_sampled_at", float("-inf")) < 1.0:
            return
        self._sampled_at = now
        pending = sum(c.count_documents({PENDING: True}) for c in self.store.outbox_collections())
        OUTBOX_PENDING.labels(self.container.service_name).set(pending)

    def declare_consumer_queues(self) -> None:
        """Before the first publish, and again after any failed one (the broker may have been
        replaced), so an event waits in its consumers' queues even if they never ran yet."""
        with Connection(self.amqp_uri, connect_timeout=5) as connection:
            topology.declare_consumer_queues(connection.default_channel, self.container.service_name)
        self.queues_declared = True

    def publish(self, event: dict[str, Any]) -> None:
        exchange = topology.event_exchange(CATALOGUE[event["event_name"]].producer)
        try:
            self.publisher.publish(event, exchange=exchange, routing_key=event["event_name"], declare=[exchange])
        except Exception:
            self.queues_declared = False
            raise
