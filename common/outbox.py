"""Write, then publish (docs/architecture.md#outbox).

A service stores a state change and the events it owes in one document
write: ``outbox`` holds the events, ``outbox_pending`` (indexed) marks the
document for the relay. The relay claims a batch of such documents, publishes
all their events with ``mandatory`` and waits for the broker's confirms once
(common/confirmed_publisher.py: an event no queue would take is refused, not
dropped), and removes an event from its document only once it is confirmed.
A new document may skip the claim: written already leased to its own process's
relay and handed to it in memory once stored (``HandingOver``).
"""
import logging
import os
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import eventlet
from kombu import Connection
from nameko.constants import AMQP_URI_CONFIG_KEY

from common import clock, config, topology
from common.background import HandingOverLoop
from common.confirmed_publisher import ConfirmedPublisher, Outgoing
from common.metrics import OUTBOX_PENDING
from contracts.events import CATALOGUE

log = logging.getLogger(__name__)

PENDING = "outbox_pending"
LEASE = "outbox_lease"
CLAIM = "outbox_claim"  # which claim holds the lease: a batch reads back only its own documents
LEASE_DURATION = timedelta(seconds=30)  # far longer than publishing one batch's events
# A document written already leased to its process's relay (``leased_to``) goes out at that relay's
# next round, ~0.1 s later; if the process dies first, any relay takes it this long after.
HANDED_LEASE = timedelta(seconds=10)

# ``publish_batch(events)``: the ids of those of ``events`` the broker confirmed.
PublishBatch = Callable[[list[dict[str, Any]]], Collection[str]]


def new_document_fields(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Fields to put in a new document that owes ``events``."""
    return {"outbox": list(events), PENDING: True}


def owe(update: Mapping[str, Mapping[str, Any]], events: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Adds ``events`` to a pymongo update document, in the same single-document write."""
    owing = {operator: dict(fields) for operator, fields in update.items()}
    owing.setdefault("$push", {})["outbox"] = {"$each": list(events)}
    owing.setdefault("$set", {})[PENDING] = True
    return owing


def leased_to(claim: str, document: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A copy of a new ``document`` owing events, written already leased under ``claim``: once it
    is stored, ``relay_handed`` publishes its events without claiming it first (a store read and
    a write fewer per document). Until ``HANDED_LEASE`` has passed no other relay takes it."""
    return dict(document, **{LEASE: now + HANDED_LEASE, CLAIM: claim})


def create_outbox_index(collection: Any) -> None:
    """(pending, lease): a claim finds a free document without reading the leased ones."""
    collection.create_index([(PENDING, 1), (LEASE, 1)])


def _claim(collection: Any, batch_size: int, now: datetime,
           look_for_lapsed: bool) -> tuple[str, list[dict[str, Any]]]:
    """Up to ``batch_size`` documents owing events, leased to this claim: two processes of a
    service never publish the same events at once. A relay that dies mid-publish loses its lease,
    and what it had not cleared is published again (consumers are idempotent).

    Never-leased documents first, then lapsed leases, each an exact index lookup (one ``$or``
    read every leased document). The lease is one write over those found, conditional on each
    still having the lease and the claim mark it was read with: a mark is new at every claim and
    a release or a clearing empties the lease, so an unchanged pair means no relay claimed,
    cleared or released the document since, and what was read is what it owes (events added
    meanwhile only lengthen it; ``_clear`` counts them). When a concurrent claim took some first,
    the batch is read back by this claim's mark."""
    claim = os.urandom(12).hex()
    lease = {"$set": {LEASE: now + LEASE_DURATION, CLAIM: claim}}
    found: list[dict[str, Any]] = []
    leased = 0
    for free in ({LEASE: None}, {LEASE: {"$lt": now}})[:2 if look_for_lapsed else 1]:
        if len(found) == batch_size:  # None: no lease field, or a released one
            break
        more = list(collection.find(dict({PENDING: True}, **free), {"outbox": 1, CLAIM: 1}).limit(
            batch_size - len(found)))
        if more:
            marks = list({document.get(CLAIM) for document in more})
            leased += collection.update_many(
                dict({"_id": {"$in": [document["_id"] for document in more]}, CLAIM: {"$in": marks}}, **free),
                lease).matched_count
            found += more
    if leased == len(found):
        return claim, found
    return claim, list(collection.find({"_id": {"$in": [document["_id"] for document in found]}, CLAIM: claim},
                                       {"outbox": 1}))


def _confirmed_prefix(owed: list[dict[str, Any]], confirmed: Collection[str]) -> list[dict[str, Any]]:
    """The events a document may drop: those before its first unconfirmed one (the rest go out
    again after it, in the order they were owed)."""
    for position, event in enumerate(owed):
        if event["event_id"] not in confirmed:
            return owed[:position]
    return owed


def _clear(collection: Any, claim: str, documents: list[dict[str, Any]], confirmed: Collection[str]) -> None:
    """Removes the confirmed events and releases the lease, in a few writes whatever the batch.

    The usual case, every owed event out: one write per number of events owed, conditional on that
    number. Only a relay holding the lease removes events, others only add, so an unchanged count
    means nothing new came. The rest (some event not confirmed, or events added meanwhile): the
    confirmed ones pulled, the emptied documents no longer pending, the leases released."""
    all_out: dict[int, list[Any]] = {}
    rest, published = [], []
    for document in documents:
        owed = document.get("outbox", [])
        out = _confirmed_prefix(owed, confirmed)
        if owed and len(out) == len(owed):
            all_out.setdefault(len(owed), []).append(document["_id"])
        else:
            rest.append(document["_id"])
            published += [event["event_id"] for event in out]
    for owed_count, ids in all_out.items():
        cleared = collection.update_many(
            {"_id": {"$in": ids}, CLAIM: claim, "outbox": {"$size": owed_count}},
            {"$set": {"outbox": [], PENDING: False, LEASE: None}})
        if cleared.matched_count < len(ids):  # some owe more now; the others no longer match
            rest += ids
            published += [event["event_id"] for document in documents if document["_id"] in ids
                          for event in document["outbox"]]
    if not rest:
        return
    if published:
        collection.update_many({"_id": {"$in": rest}, CLAIM: claim},
                               {"$pull": {"outbox": {"event_id": {"$in": published}}}})
    collection.update_many({"_id": {"$in": rest}, CLAIM: claim, "outbox": {"$size": 0}}, {"$set": {PENDING: False}})
    collection.update_many({"_id": {"$in": rest}, CLAIM: claim}, {"$set": {LEASE: None}})


def relay_collection(collection: Any, publish_batch: PublishBatch, batch_size: int,
                     now: datetime | None = None, look_for_lapsed: bool = True) -> int:
    """Publishes what up to ``batch_size`` documents of ``collection`` owe, in one batch; returns
    how many documents were seen. Nothing is removed that ``publish_batch`` did not confirm.
    ``look_for_lapsed``: also take documents whose lease ran out (a relay died holding them)."""
    claim, documents = _claim(collection, batch_size, now or clock.now(), look_for_lapsed)
    if not documents:
        return 0
    confirmed: Collection[str] = ()
    try:
        confirmed = publish_batch([event for document in documents for event in document.get("outbox", [])])
    finally:  # even when publishing raised: the leases go, whatever was not confirmed stays owed
        _clear(collection, claim, documents, confirmed)
    return len(documents)


def relay_handed(collection: Any, documents: list[dict[str, Any]], claim: str, publish_batch: PublishBatch) -> None:
    """Publishes what ``documents`` (``{_id, outbox}``, stored by ``leased_to`` under ``claim``)
    owe, in one batch, and clears them as ``relay_collection`` does: nothing unconfirmed is removed,
    and the leases go. One that lapsed meanwhile and another relay took keeps that relay's claim:
    it is left to it (and its events, if published here too, go out twice; consumers are idempotent)."""
    confirmed: Collection[str] = ()
    try:
        confirmed = publish_batch([event for document in documents for event in document["outbox"]])
    finally:
        _clear(collection, claim, documents, confirmed)


class OutboxRelay(HandingOverLoop):
    """Publishes the events owed in the collections of one of the service's stores.

    ``store`` names the service's ``Store`` dependency; its store object lists
    its outbox collections in ``outbox_collections()``.
    """

    batch_size = 100
    # Kicked again within this time of the last round, the relay waits out the rest: under load a
    # round takes the events of many writes (its store operations and the broker's confirm round
    # trip cost the same for one event or a hundred) for at most this much more latency. 0.1 s, not
    # 0.05: at 50 submissions a second a round then carries ~5 documents, not ~2.5 (relay CPU per
    # document ~0.38 -> ~0.26 ms in process, bench/README.md "Issue 20, second session"), for ~25 ms
    # more latency on average before an event leaves (submit -> SMS p99 is ~0.2 s of its 1 s).
    min_round_seconds = 0.1
    # Lapsed leases appear only when a relay died holding them (LEASE_DURATION after), so they
    # are looked for now and then, not at every round.
    lapsed_lookup_seconds = 5.0

    def setup(self) -> None:
        super().setup()
        self.amqp_uri = self.container.config.get(AMQP_URI_CONFIG_KEY) or config.amqp_uri()
        self.publisher = ConfirmedPublisher(self.amqp_uri)
        self.queues_declared = False
        self._round_at = self._lapsed_looked_at = float("-inf")

    def leased(self, document: Mapping[str, Any]) -> dict[str, Any]:
        return leased_to(self.claim, document, clock.now())

    def holds(self, document: Mapping[str, Any]) -> bool:
        return document.get(CLAIM) == self.claim

    def stop(self) -> None:
        super().stop()
        self.publisher.close()

    kill = stop

    def run_once(self) -> bool:
        if not self.queues_declared:
            try:
                self.declare_consumer_queues()
            except Exception as exc:  # the broker is away; the timer tries again
                log.warning("consumer queues not declared yet: %s", type(exc).__name__)
                self.sample_backlog()  # the backlog grows exactly while the broker is away
                return False
        eventlet.sleep(max(0.0, self._round_at + self.min_round_seconds - time.monotonic()))
        self._round_at = now = time.monotonic()
        look_for_lapsed = now - self._lapsed_looked_at >= self.lapsed_lookup_seconds
        if look_for_lapsed:
            self._lapsed_looked_at = now
        handed, self._handed = self._handed[:self.batch_size], self._handed[self.batch_size:]
        if handed:
            relay_handed(self._handed_collection(), handed, self.claim, self.publish_batch)
        seen = [relay_collection(c, self.publish_batch, self.batch_size, look_for_lapsed=look_for_lapsed)
                for c in self.store.outbox_collections()]
        self.sample_backlog()
        return bool(self._handed) or any(count == self.batch_size for count in seen)

    def _handed_collection(self) -> Any:
        """Documents are handed over only from the store's first outbox collection (intake's
        applications; its phone verifications are found by the claim)."""
        return self.store.outbox_collections()[0]

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

    def publish_batch(self, events: list[dict[str, Any]]) -> Collection[str]:
        answer = self.publisher.publish([
            Outgoing(topology.event_exchange(CATALOGUE[event["event_name"]].producer), event["event_name"],
                     event, event["event_id"]) for event in events])
        if answer.failure is not None:
            log.warning("%d events not confirmed yet: %s", len(events) - len(answer.confirmed),
                        type(answer.failure).__name__)
        if answer.refused:  # no queue bound (or the broker could not take them): they stay owed
            log.warning("%d events refused by the broker: %s", len(answer.refused),
                        ", ".join(sorted({event["event_name"] for event in events
                                          if event["event_id"] in answer.refused})))
        if answer.failure is not None or answer.refused:
            self.queues_declared = False
        return answer.confirmed
