"""Fills a DATA_DIR's embedded stores with N applications, each as the four services would have
stored it once it was received, queued, tracked and its "received" SMS sent and delivered (and,
for some, routed and answered), so ``make bench`` can measure with 100,000 applications stored.

    .venv/bin/python bench/preload.py [--count 100000] [--data-dir var/bench] [--seed 1]

or from Python: ``preload(data_dir, count, seed=1)``. Run it before the system starts on that
DATA_DIR (the services open the same files; nothing else may write meanwhile).

How: nothing here knows what a stored document looks like. Each application is played through
the services' own code on an in-memory stand-in of its four databases (``StagedDatabase``): intake's
``submit_application`` with a valid citizen body, the outbox relay's ``relay_collection``, every
consumer's event handler (found by its nameko entrypoint), the SMS dispatcher's ``send`` with a
provider that just accepts, ``apply_reports`` for the delivery report, routing's deadline watcher
(``owe_deadline_events``) at the moments it would have run, and for a share of the applications
routing's ``route_application`` / ``answer_application`` RPCs and the concluded SMS. The clock
(``common.clock.now``) is set to each simulated moment, so received_at, due_at, event times and
SMS times are as they would have been. The documents each stand-in holds at the end are then
written to the real stores with ``insert_many``, a few thousand per transaction.

Nothing is owed afterwards: every event was relayed (outbox cleared) and handled within the
simulation, so a system starting on the DATA_DIR publishes nothing and sends no SMS. Numbers come
from intake's own sequence document: a block is reserved with one ``$inc`` per year, so later
submissions continue the numbering.
"""
import argparse
import contextlib
import functools
import json
import multiprocessing
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from bson import ObjectId
from pymongo import InsertOne, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import clock, config  # noqa: E402
from common.outbox import PENDING, relay_collection  # noqa: E402
from common.places import places  # noqa: E402
from common.storage import connect  # noqa: E402
from contracts.events import CATALOGUE  # noqa: E402
from contracts.intake.catalog import CATEGORIES, KINDS  # noqa: E402
from docstore import Update, compile_filter, compile_projection, normalise, parse_sort, sort_documents, upsert_seed  # noqa: E402
from services.intake import domain as intake_domain  # noqa: E402
from services.intake.identity import not_checked  # noqa: E402
from services.intake.service import IntakeService  # noqa: E402
from services.intake.store import IntakeStore  # noqa: E402
from services.notification import domain as notification_domain  # noqa: E402
from services.notification.delivery_reports import apply_reports  # noqa: E402
from services.notification.dispatcher import SmsDispatcher  # noqa: E402
from services.notification.providers.base import DeliveryReport, SendReceipt  # noqa: E402
from services.notification.service import NotificationService  # noqa: E402
from services.notification.store import NotificationStore  # noqa: E402
from services.routing.answer_keys import configured_keyring, configured_keys_setting  # noqa: E402
from services.routing.deadlines import owe_deadline_events  # noqa: E402
from services.routing.service import RoutingService  # noqa: E402
from services.routing.store import RoutingStore  # noqa: E402
from services.routing.unit_catalog import seed_units  # noqa: E402
from services.tracking.service import TrackingService  # noqa: E402
from services.tracking.store import TrackingStore  # noqa: E402
from tests.support.samples import application_body, national_id  # noqa: E402

SERVICES = {
    "intake": (IntakeService, IntakeStore),
    "routing": (RoutingService, RoutingStore),
    "notification": (NotificationService, NotificationStore),
    "tracking": (TrackingService, TrackingStore),
}
# The attribute each service class injects its store as (its ``Store`` dependency).
STORE_ATTRIBUTES = {"intake": "applications", "routing": "applications", "notification": "messages",
                    "tracking": "applications"}
# The background loops an entrypoint kicks; the simulation runs their work itself, in order.
KICKED = ("publish_owed_events", "send_queued_sms")


class Unrelayed:
    """Injected for the loops of ``KICKED``: the simulation relays what the outboxes owe and sends
    the SMS itself (``settle``), so a kick does nothing and new documents are written unleased (the
    real loops lease them to their own process and take them over in memory:
    common/background.py ``HandingOver``)."""

    def __call__(self):
        pass

    def leased(self, document):
        return document

    def hand_over(self, *documents):
        pass

BATCH = 2000  # applications per insert_many transaction
DAYS = 90
BIG_PROVINCES = {"06": 0.25, "34": 0.25, "35": 0.08}  # Ankara, İstanbul, İzmir; the rest share the remainder
KIND_WEIGHTS = {"request": 0.5, "complaint": 0.35, "suggestion": 0.15}
ROUTED_SHARE, ANSWERED_SHARE = 0.3, 0.2  # of the applications old enough to have been handled

FIRST_NAMES = ("Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Merve", "Mehmet", "Mustafa", "Ahmet",
               "Ali", "Hüseyin", "Hasan", "İbrahim", "Murat", "Ömer", "Yusuf", "Deniz", "Can", "Şule")
LAST_NAMES = ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir",
              "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek")
SUBJECTS = ("Yoldaki çukur", "Sokak lambası yanmıyor", "Randevu alınamıyor", "Çöp toplanmıyor",
            "Otobüs seferleri yetersiz", "Başvuru sonucu hakkında", "Parkta bakım gerekiyor",
            "Su kesintisi bildirimi", "Okul servis güzergahı", "Gürültü şikâyeti")
DESCRIPTION = ("{subject}: {district} ilçesinde, {days} gündür süren bu durumun çözülmesini rica ederim. "
               "Konuyla ilgili bilgi verilmesini bekliyorum.")
ANSWER_TEXT = "Başvurunuz incelendi; ilgili ekipler yerinde çalışma yaptı ve sorun giderildi."
MOBILE_PREFIXES = ("530", "532", "533", "535", "536", "541", "542", "543", "544", "545", "505", "506")


# --- the services' databases, in memory, for one application --------------------------------------

class StagedCursor:
    def __init__(self, documents, projection):
        self._documents, self._project = documents, compile_projection(projection)
        self._skip, self._limit = 0, 0

    def sort(self, key_or_list, direction=None):
        self._documents = sort_documents(self._documents, parse_sort(key_or_list, direction))
        return self

    def skip(self, skip):
        self._skip = skip
        return self

    def limit(self, limit):
        self._limit = limit
        return self

    def __iter__(self):
        documents = self._documents[self._skip:]
        documents = documents[:self._limit] if self._limit else documents
        return iter([_read(document, self._project) for document in documents])


def _read(document, project):
    """A copy, as a store hands one out (what is staged is normalised already: UTC, milliseconds)."""
    return _copy(project(document) if project else document)  # a projection shares nested values


def _copy(value):
    if type(value) is dict:
        return {key: _copy(item) for key, item in value.items()}
    if type(value) is list:
        return [_copy(item) for item in value]
    return value  # str, numbers, None, datetime, ObjectId: immutable


class StagedCollection:
    """The part of pymongo's ``Collection`` the stores use, over a dict, with the embedded engine's
    own filter matching, update operators, upsert seeds and projections. Only ``_id`` is unique:
    one application's documents never meet another unique index."""

    def __init__(self):
        self.documents = {}

    def _matching(self, filter):
        if not self.documents:
            return []
        matches = compile_filter(filter or {})
        return [document for document in self.documents.values() if matches(document)]

    def find(self, filter=None, projection=None):
        return StagedCursor(self._matching(filter), projection)

    def find_one(self, filter=None, projection=None):
        return next(iter(self.find(filter, projection).limit(1)), None)

    def count_documents(self, filter):
        return len(self._matching(filter))

    def insert_one(self, document):
        document.setdefault("_id", ObjectId())
        self._insert(document)
        return SimpleNamespace(inserted_id=document["_id"])

    def _insert(self, document):
        key = repr(document["_id"])
        if key in self.documents:
            raise DuplicateKeyError("E11000 duplicate key: _id {}".format(key), 11000)
        stored = {"_id": document["_id"]}
        stored.update(document)
        self.documents[key] = normalise(stored, top_level=True)
        return self.documents[key]

    def _write(self, filter, update, upsert, multi, want_before=False):
        """``(matched, stored document before, after)``, as the embedded engine writes."""
        update = Update(update)
        found = self._matching(filter)
        found = found if multi else found[:1]
        before = _copy(found[0]) if found and want_before else None
        for document in found:
            update.apply(document, False)
        if found or not upsert:
            return len(found), before, found[0] if found else None
        new = update.apply(upsert_seed(filter), True)
        new.setdefault("_id", ObjectId())
        return 0, None, self._insert(new)

    def update_one(self, filter, update, upsert=False):
        matched, _, after = self._write(filter, update, upsert, multi=False)
        return SimpleNamespace(matched_count=matched, modified_count=matched,
                               upserted_id=after["_id"] if after is not None and not matched else None)

    def update_many(self, filter, update, upsert=False):
        matched, _, _ = self._write(filter, update, upsert, multi=True)
        return SimpleNamespace(matched_count=matched, modified_count=matched, upserted_id=None)

    def insert_many(self, documents, ordered=True):
        return self.bulk_write([InsertOne(document) for document in documents], ordered)

    def bulk_write(self, requests, ordered=True):
        """``InsertOne`` and ``UpdateOne`` requests, each on its own; a duplicate is reported by index."""
        errors = []
        for index, request in enumerate(requests):
            try:
                if isinstance(request, InsertOne):
                    self.insert_one(request._doc)
                else:
                    self.update_one(request._filter, request._doc, upsert=request._upsert)
            except DuplicateKeyError as duplicate:
                errors.append({"index": index, "code": duplicate.code, "errmsg": str(duplicate)})
                if ordered:
                    break
        if errors:
            raise BulkWriteError({"writeErrors": errors})

    def find_one_and_update(self, filter, update, projection=None, sort=None, upsert=False,
                            return_document=ReturnDocument.BEFORE):
        if sort is not None:
            raise NotImplementedError("find_one_and_update(sort=...) in the preload's staging")
        want_before = return_document != ReturnDocument.AFTER
        _, before, after = self._write(filter, update, upsert, multi=False, want_before=want_before)
        chosen = after if return_document == ReturnDocument.AFTER else before
        return None if chosen is None else _read(chosen, compile_projection(projection))


class StagedDatabase:
    def __init__(self):
        self.collections = {}

    def get_collection(self, name):
        return self.collections.setdefault(name, StagedCollection())


# --- the simulation ------------------------------------------------------------------------------

def confirm_all(owed):
    """A batch publisher for ``relay_collection`` that takes every event into ``owed`` and confirms it."""
    def publish_batch(events):
        owed.extend(events)
        return {event["event_id"] for event in events}
    return publish_batch


@contextlib.contextmanager
def clock_at(moment):
    """``common.clock.now()`` answers ``moment`` meanwhile (every service module calls it so)."""
    real_now = clock.now
    clock.now = lambda: moment
    try:
        yield moment
    finally:
        clock.now = real_now


def event_handlers():
    """{event name: [(service, method name)]}: every consumer's handler, by its nameko entrypoint."""
    handlers = {}
    for service, (service_class, _) in SERVICES.items():
        for name in dir(service_class):
            for entrypoint in getattr(getattr(service_class, name), "nameko_entrypoints", ()):
                if hasattr(entrypoint, "event_type"):
                    producer = CATALOGUE[entrypoint.event_type].producer
                    assert entrypoint.source_service == producer, (service, name)
                    handlers.setdefault(entrypoint.event_type, []).append((service, name))
    return handlers


class AcceptingProvider:
    """The SMS provider's side of a send: it takes the message and gives its id."""

    def __init__(self, name, rng):
        self.name, self.rng = name, rng

    def send(self, sms):
        return SendReceipt(provider=self.name, provider_message_id=str(self.rng.randrange(10 ** 11, 10 ** 12)))


class Reference:
    """What every simulated application reads from the real routing store: the units, read once
    (they do not change while the preload runs) and handed to the worker processes; and, standing
    in for routing's accounts store, the staff: every unit has an officer (a suggestion is made
    among staffed units only), and no officer needs a display name here."""

    def __init__(self, routing_store):
        self.active = {province.code: routing_store.active_units(province.code) for province in places().provinces}
        self.units = {unit["_id"]: unit for units in self.active.values() for unit in units}

    def active_units(self, province_code):
        return self.active[province_code]

    def find_unit(self, unit_id):
        return self.units.get(unit_id)

    def staffed_unit_ids(self, province_code):
        return {unit["_id"] for unit in self.active[province_code]}

    def display_names(self, usernames):
        return {}


class Simulation:
    """One application's life in the four services, on fresh staged databases."""

    handlers = None

    def __init__(self, reference, provider, sequence_name, number):
        if Simulation.handlers is None:
            Simulation.handlers = event_handlers()
        self.databases = {service: StagedDatabase() for service in SERVICES}
        self.stores = {service: store_class(self.databases[service])
                       for service, (_, store_class) in SERVICES.items()}
        routing = self.stores["routing"]
        routing.active_units, routing.find_unit = reference.active_units, reference.find_unit
        # intake's own next_sequence hands out ``number``: the block was reserved in the real store.
        self.stores["intake"].sequences.insert_one({"_id": sequence_name, "value": number - 1})
        self.services = {}
        for service, (service_class, _) in SERVICES.items():
            instance = object.__new__(service_class)  # the class's code, the staged store injected
            setattr(instance, STORE_ATTRIBUTES[service], self.stores[service])
            if service == "routing":
                instance.accounts = reference  # who staffs which unit (routing's second store)
                instance.answer_keys = _worker_keyring()  # the system's own: its answers verify
            if service == "intake":
                instance.confirm_identity = not_checked  # the registry off, as in `make run` (docs/identity.md)
            for kicked in KICKED:
                setattr(instance, kicked, Unrelayed())
            self.services[service] = instance
        self.dispatcher = object.__new__(SmsDispatcher)
        self.dispatcher.store, self.dispatcher.provider = self.stores["notification"], provider
        self.outboxes = [collection for store in self.stores.values()
                         for collection in getattr(store, "outbox_collections", list)()]
        self.sent = []

    def settle(self, moment):
        """Every outbox relayed and every event handled, at ``moment`` (the relays run at once)."""
        with clock_at(moment):
            while True:
                owed = []
                for collection in self.outboxes:
                    if any(document.get(PENDING) for document in collection.documents.values()):
                        relay_collection(collection, confirm_all(owed), batch_size=100, now=moment)
                if not owed:
                    return
                for event in owed:
                    for service, method in self.handlers.get(event["event_name"], ()):
                        getattr(self.services[service], method)(json.loads(json.dumps(event)))

    def send_sms(self, moment):
        """The dispatcher sends what is due; the provider reports delivery a few seconds later."""
        with clock_at(moment):
            while True:
                # as SmsDispatcher claims a batch: naming the provider, which the messages then record
                messages = self.stores["notification"].claim_due(moment, moment + self.dispatcher.lease,
                                                                 self.dispatcher.provider.name, 50)
                if not messages:
                    break
                for message in messages:
                    self.dispatcher.send(message)
                    self.sent.append(message["_id"])
        self.settle(moment + timedelta(milliseconds=50))
        delivered_at = moment + timedelta(seconds=4)
        with clock_at(delivered_at):
            reports = [DeliveryReport(message_id=message_id, provider_message_id=None,
                                      state=notification_domain.DELIVERED) for message_id in self.sent]
            apply_reports(self.stores["notification"], self.dispatcher.provider.name, reports)
            self.sent = []
        self.settle(delivered_at + timedelta(milliseconds=50))

    def deadlines(self, moment, warning):
        """Routing's deadline watcher, one pass at ``moment``."""
        with clock_at(moment):
            owe_deadline_events(self.stores["routing"], moment, warning)
        self.settle(moment + timedelta(milliseconds=50))

    def documents(self):
        """{(service, collection): [document]}: what each store holds now (the sequence apart)."""
        held = {}
        for service, database in self.databases.items():
            for name, collection in database.collections.items():
                if (service, name) != ("intake", "sequences") and collection.documents:
                    held[(service, name)] = list(collection.documents.values())
        return held


def live(plan, reference, provider, warning, now):
    """Plays ``plan`` (one application) through the services; returns its documents."""
    simulation = Simulation(reference, provider, plan["sequence_name"], plan["number"])
    received_at = plan["received_at"]
    with clock_at(received_at):
        receipt = simulation.services["intake"].submit_application(plan["body"], entry_point="citizen")
    assert receipt["application_no"] == plan["number_text"], (receipt, plan["number_text"])
    simulation.settle(received_at + timedelta(milliseconds=20))
    simulation.send_sms(received_at + timedelta(milliseconds=600))
    due_at = simulation.stores["intake"].find_application(plan["number_text"])["due_at"]
    moments = [max(due_at - warning, received_at) + timedelta(seconds=30), due_at + timedelta(seconds=30)]
    handled = plan["routed_after"] and received_at + plan["routed_after"]
    steps = [(moment, "deadline") for moment in moments]
    if handled:
        steps.append((handled, "route"))
        if plan["answered_after"]:
            steps.append((handled + plan["answered_after"], "answer"))
    for moment, step in sorted(steps):
        if moment > now:
            break
        if step == "deadline":
            simulation.deadlines(moment, warning)
        else:
            act(simulation, step, moment, plan)
    return simulation.documents()


def act(simulation, step, moment, plan):
    """An officer routes the application to the suggested unit, or the unit answers it."""
    routing = simulation.services["routing"]
    application_no = plan["number_text"]
    queued = simulation.stores["routing"].find_application(application_no)
    unit = queued["unit_id"] if step == "answer" else (queued.get("suggested_unit") or {}).get("unit_id")
    if unit is None:
        return
    principal = {"username": "preload.{}".format(step), "role": "router" if step == "route" else "unit",
                 "province_code": queued["province_code"], "unit_id": unit if step == "answer" else None}
    with clock_at(moment):
        if step == "route":
            routing.route_application(principal, application_no, {"unit_id": unit})
        else:
            routing.answer_application(principal, application_no, {"text": ANSWER_TEXT, "outcome": "positive"})
    simulation.settle(moment + timedelta(milliseconds=20))
    simulation.send_sms(moment + timedelta(milliseconds=600))


# --- what to submit ------------------------------------------------------------------------------

def random_national_id(rng):
    """A checksum-valid T.C. Kimlik No."""
    return national_id(str(rng.randrange(100000000, 1000000000)))


def province_weights():
    provinces = places().provinces
    rest = (1.0 - sum(BIG_PROVINCES.values())) / (len(provinces) - len(BIG_PROVINCES))
    return provinces, [BIG_PROVINCES.get(province.code, rest) for province in provinces]


def application_bodies(count, rng):
    """``count`` valid citizen bodies, spread over provinces, districts, kinds and categories."""
    provinces, weights = province_weights()
    chosen = rng.choices(provinces, weights, k=count)
    kinds = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()), k=count)
    categories = list(CATEGORIES)
    assert set(KIND_WEIGHTS) <= set(KINDS)
    for province, kind in zip(chosen, kinds):
        district = rng.choice(province.districts)
        subject = rng.choice(SUBJECTS)
        applicant = {
            "national_id": random_national_id(rng),
            "first_name": rng.choice(FIRST_NAMES),
            "last_name": rng.choice(LAST_NAMES),
            "phone": "0{} {:03d} {:02d} {:02d}".format(rng.choice(MOBILE_PREFIXES), rng.randrange(1000),
                                                       rng.randrange(100), rng.randrange(100)),
        }
        yield application_body(
            applicant=applicant, kind=kind, category=rng.choice(categories), province=province.code,
            district=district, subject=subject, channel=rng.choice(("web", "web", "app")),
            language="en" if rng.random() < 0.05 else "tr",
            description=DESCRIPTION.format(subject=subject, district=district, days=rng.randrange(2, 30)),
        )


def plans(count, rng, now, reserve):
    """The applications in the order they were received, each with the number intake gave it and
    what officers will have done with it; the bodies come later, in the workers."""
    received = sorted(now - timedelta(seconds=rng.uniform(120, DAYS * 86400)) for _ in range(count))
    by_sequence = {}
    for moment in received:
        by_sequence.setdefault(intake_domain.sequence_name(moment), []).append(moment)
    next_numbers = {name: reserve(name, len(moments)) for name, moments in by_sequence.items()}
    for moment in received:
        name = intake_domain.sequence_name(moment)
        number, next_numbers[name] = next_numbers[name], next_numbers[name] + 1
        routed_after = timedelta(hours=rng.uniform(1, 72)) if rng.random() < ROUTED_SHARE else None
        answered = routed_after and rng.random() < ANSWERED_SHARE / ROUTED_SHARE
        yield {"received_at": moment, "sequence_name": name, "number": number,
               "number_text": intake_domain.application_number(moment, number), "routed_after": routed_after,
               "answered_after": timedelta(hours=rng.uniform(2, 240)) if answered else None}


def chunks(items, size):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- the worker processes: one batch of applications each time ----------------------------------

_WORKER = {}


def _start_worker(settings):
    _WORKER.update(settings)


@functools.cache
def _worker_keyring():
    """The keys the data directory's routing signs with (a key is no pickle: built once per worker)."""
    return configured_keyring(_WORKER["answer_keys"])


def simulate_batch(numbered_batch):
    """{(service, collection): [document]} of one batch of plans (bodies made here, seeded by the
    batch's position, so a run is reproducible whatever the number of workers)."""
    index, batch = numbered_batch
    rng = random.Random(_WORKER["seed"] * 1000003 + index)
    provider = AcceptingProvider(_WORKER["sms_provider"], rng)
    held = {}
    for plan, body in zip(batch, application_bodies(len(batch), rng)):
        documents = live(dict(plan, body=body), _WORKER["reference"], provider, _WORKER["warning"], _WORKER["now"])
        for key, stored in documents.items():
            held.setdefault(key, []).extend(stored)
    return len(batch), held


# --- the real stores -----------------------------------------------------------------------------

def answer_keys_of(data_dir):
    """The answer-signing keys routing will use over ``data_dir`` (ANSWER_SIGNING_KEYS, or the key
    generated there)."""
    with environment(DATA_DIR=str(data_dir)):
        return configured_keys_setting()


@contextlib.contextmanager
def environment(**values):
    """The process's environment with ``values`` (None: unset) meanwhile."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            os.environ.pop(name, None) if value is None else os.environ.__setitem__(name, value)
        yield
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None) if value is None else os.environ.__setitem__(name, value)


def open_stores(data_dir):
    """{service: (client, store)} on the files the services open under ``data_dir`` (MONGO_URI unset,
    as RunningSystem runs them), indexes created as each service's ``Store`` does at start-up."""
    opened = {}
    with environment(DATA_DIR=str(data_dir), MONGO_URI=None):
        for service, (_, store_class) in SERVICES.items():
            client = connect(config.mongo_uri(service))
            store = store_class(client.get_database(service))
            store.create_indexes()
            opened[service] = (client, store)
    return opened


def reserve_numbers(intake_store):
    """``reserve(name, count)``: the first of ``count`` numbers taken from intake's sequence ``name``
    at once (the counter document ``next_sequence`` increments)."""
    def reserve(name, count):
        counter = intake_store.sequences.find_one_and_update(
            {"_id": name}, {"$inc": {"value": count}}, upsert=True, return_document=ReturnDocument.AFTER)
        return counter["value"] - count + 1
    return reserve


def write(stores, held):
    """One ``insert_many`` (one transaction) per collection of what the batch's stores hold."""
    for (service, name), documents in held.items():
        client, _ = stores[service]
        client.get_database(service).get_collection(name).insert_many(documents)


def preload(data_dir, count=100000, seed=1, sms_provider=None, workers=None, progress=print):
    """Fills ``data_dir``'s stores with ``count`` applications; returns the seconds it took.
    ``workers`` processes play the applications through (default: one per core); this one writes."""
    started = time.monotonic()
    stores = open_stores(Path(data_dir))
    try:
        routing_store = stores["routing"][1]
        routing_store.seed_units(seed_units(places()))  # as routing's ReferenceData does at start-up
        settings = {
            "seed": seed, "now": clock.now(), "reference": Reference(routing_store),
            "sms_provider": sms_provider or config.setting("SMS_PROVIDER") or "verimor",
            "warning": timedelta(hours=float(config.setting("DEADLINE_WARNING_HOURS", "24"))),
            "answer_keys": answer_keys_of(data_dir),
        }
        planned = list(plans(count, random.Random(seed), settings["now"], reserve_numbers(stores["intake"][1])))
        done = 0
        # Forked: the children inherit the settings; an open store is forgotten in a child
        # (docstore/storage.py), and children never touch one.
        with multiprocessing.get_context("fork").Pool(workers or os.cpu_count() or 1, initializer=_start_worker,
                                                      initargs=(settings,)) as pool:
            for simulated, held in pool.imap(simulate_batch, enumerate(chunks(planned, BATCH))):
                write(stores, held)
                done += simulated
                progress("preloaded {:>7} / {} applications, {:.0f}s".format(done, count, time.monotonic() - started))
    finally:
        for client, _ in stores.values():
            client.close()
    return time.monotonic() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100000)
    parser.add_argument("--data-dir", default=config.setting("DATA_DIR", "./var"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="simulating processes (default: one per core)")
    parser.add_argument("--sms-provider", default=None,
                        help="the provider the SMS were sent through (default: SMS_PROVIDER, else verimor)")
    args = parser.parse_args(argv)
    seconds = preload(args.data_dir, args.count, seed=args.seed, sms_provider=args.sms_provider,
                      workers=args.workers)
    print("{} applications preloaded into {} in {:.1f}s".format(args.count, Path(args.data_dir).resolve(), seconds))


if __name__ == "__main__":
    main()
