"""Routing's database: applications in their queues and the units catalogue (the staff accounts and
Open311 client apps: ``accounts_store.py``)."""
from collections import Counter

from pymongo import ASCENDING, DESCENDING

from common.outbox import create_outbox_index, owe
from common.storage import insert_new, purge_erased
from services.routing.domain import ANSWERED, DEADLINE_EVENTS, OPEN_STATUSES

SORTS = {"newest": [("received_at", DESCENDING)], "due": [("due_at", ASCENDING)]}


class RoutingStore:
    def __init__(self, database):
        self.applications = database.get_collection("applications")
        self.units = database.get_collection("units")
        self.versions = database.get_collection("versions")
        self._active_units = {}  # province_code -> (units version, [unit]): see active_units

    def create_indexes(self):
        self.applications.create_index([("province_code", ASCENDING), ("status", ASCENDING)])
        # A unit officer's inbox: counted from this index alone (filter: unit, statuses, province).
        self.applications.create_index([("unit_id", ASCENDING), ("status", ASCENDING), ("province_code", ASCENDING)])
        # The staff queue's pages, newest first or by due date (SORTS), read in index order.
        self.applications.create_index([("province_code", ASCENDING), ("received_at", ASCENDING)])
        self.applications.create_index([("province_code", ASCENDING), ("due_at", ASCENDING)])
        self.applications.create_index([("unit_id", ASCENDING), ("received_at", ASCENDING)])
        self.applications.create_index([("unit_id", ASCENDING), ("due_at", ASCENDING)])
        # The deadline watcher's minute: what is still to owe, the overdue count, the open count per
        # unit (count_open_by_unit) — each answered from an index, not by reading every open one.
        for flag in DEADLINE_EVENTS.values():
            self.applications.create_index([(flag, ASCENDING), ("due_at", ASCENDING)])
        self.applications.create_index([("status", ASCENDING), ("due_at", ASCENDING)])
        self.applications.create_index([("status", ASCENDING), ("unit_id", ASCENDING), ("province", ASCENDING)])
        create_outbox_index(self.applications)
        self.units.create_index("province_code")

    def outbox_collections(self):
        return [self.applications]

    # --- applications ---------------------------------------------------------------------------

    def add_to_queue(self, entry):
        """Idempotent: a redelivered event finds the entry there and changes nothing."""
        self.applications.update_one({"_id": entry["_id"]}, {"$setOnInsert": entry}, upsert=True)

    def find_application(self, application_no):
        return self.applications.find_one({"_id": application_no})

    def page(self, scope, now, sort, page, page_size):
        """One page of a queue (``domain.queue_scope``) and the queue's length."""
        query = _queue_filter(scope, now)
        cursor = self.applications.find(query).sort(SORTS[sort]).skip((page - 1) * page_size).limit(page_size)
        return list(cursor), self.applications.count_documents(query)

    def apply(self, application_no, transition):
        """Writes a transition and its event in one update, only if the status is still the one
        the transition was decided on; False if another officer got there first."""
        update = {"$push": {"timeline": transition.history}}
        if transition.changes:
            update["$set"] = transition.changes
        if transition.contact:
            update["$push"]["contacts"] = transition.contact
        result = self.applications.update_one(
            {"_id": application_no, "status": transition.expected_status}, owe(update, [transition.event]))
        return result.matched_count == 1

    def erase_contact_notes(self, application_no, erase, now, attempts=5):
        """KVKK: replaces the application's contact log by ``erase(contacts)``, unless a contact was
        recorded meanwhile (then reads and tries again). False if routing has no such application
        (it is erased as it comes: a received event brings no contacts). Idempotent."""
        for _ in range(attempts):
            application = self.find_application(application_no)
            if application is None:
                return False
            contacts = application.get("contacts", [])
            result = self.applications.update_one(
                {"_id": application_no, "contacts": contacts},
                {"$set": {"contacts": erase(contacts),
                          "personal_data_erased_at": application.get("personal_data_erased_at") or now}})
            if result.matched_count == 1:
                return True
        raise RuntimeError("contact log of {} kept changing; the event will be retried".format(application_no))

    def purge_erased(self):
        """After erase_contact_notes: no earlier copy of the notes stays in the store's files."""
        purge_erased(self.applications.database)

    def applications_in_province(self, application_nos, province_code):
        return list(self.applications.find({"_id": {"$in": list(application_nos)}, "province_code": province_code}))

    def owing_deadline(self, event_name, window, limit):
        """Open applications due within ``window`` (start or None, end) not yet owing ``event_name``."""
        flag = DEADLINE_EVENTS[event_name]
        start, end = window
        due = {"$lt": end} if start is None else {"$gte": start, "$lt": end}
        query = {"due_at": due, "status": {"$in": list(OPEN_STATUSES)}, flag: False}
        return list(self.applications.find(query).limit(limit))

    def count_overdue(self, now):
        """Open applications past their due time (the ``due_at`` index)."""
        return self.applications.count_documents({"due_at": {"$lt": now}, "status": {"$in": list(OPEN_STATUSES)}})

    def count_open_by_unit(self):
        """{(province, unit_id or None): open applications} over every province: counts per unit,
        and per province of the unrouted, grouped by the database (a unit is in one province)."""
        is_open = {"status": {"$in": list(OPEN_STATUSES)}}
        counts = Counter()
        routed = self._count_by("unit_id", is_open)
        province_of = {unit["_id"]: unit["province"] for unit in self.units.find({}, {"province": 1})}
        for unit_id, count in routed.items():
            if unit_id is not None:
                counts[(province_of.get(unit_id, "?"), unit_id)] += count
        for province, count in self._count_by("province", dict(is_open, unit_id=None)).items():
            counts[(province, None)] += count
        return counts

    def _count_by(self, field, query):
        groups = self.applications.aggregate([{"$match": query}, {"$group": {"_id": "$" + field, "n": {"$sum": 1}}}])
        return {group["_id"]: group["n"] for group in groups}

    def owe_deadline(self, application_no, event_name, event):
        """True for exactly one caller, however many processes race for it."""
        flag = DEADLINE_EVENTS[event_name]
        result = self.applications.update_one(
            {"_id": application_no, flag: False}, owe({"$set": {flag: True}}, [event]))
        return result.matched_count == 1

    # --- units ----------------------------------------------------------------------------------

    def seed_units(self, units):
        """Adds catalogue units not there yet; an admin's renames and deactivations stay."""
        for unit in units:
            self.units.update_one({"_id": unit["_id"]}, {"$setOnInsert": unit}, upsert=True)
        self._units_changed()

    def active_units(self, province_code):
        """The province's active units, read once per change of the catalogue: every application
        received needs them, and decoding a province's units each time was routing's main cost
        (bench/README.md). Any process's unit change bumps the version, so no process keeps a stale
        copy past its next read; the version is bumped after the change, so a copy read before it is
        never filed under the new version."""
        version = (self.versions.find_one({"_id": "units"}) or {}).get("value", 0)
        cached = self._active_units.get(province_code)
        if cached is None or cached[0] != version:
            cached = (version, self.units_in_province(province_code, active_only=True))
            self._active_units[province_code] = cached
        return cached[1]

    def _units_changed(self):
        self.versions.update_one({"_id": "units"}, {"$inc": {"value": 1}}, upsert=True)

    def units_in_province(self, province_code, active_only=False):
        query = {"province_code": province_code}
        if active_only:
            query["active"] = True
        return list(self.units.find(query).sort("unit_id", ASCENDING))

    def find_unit(self, unit_id):
        return self.units.find_one({"_id": unit_id})

    def insert_unit(self, unit):
        """False if the id is taken."""
        inserted = insert_new(self.units, unit)
        self._units_changed()
        return inserted

    def update_unit(self, unit_id, changes):
        self.units.update_one({"_id": unit_id}, {"$set": changes})
        self._units_changed()


def _queue_filter(scope, now):
    """The query of a queue: province, unit if any, status; overdue: open past its due time,
    not overdue: due later or answered."""
    query = {"province_code": scope["province_code"]}
    if "unit_id" in scope:
        query["unit_id"] = scope["unit_id"]
    if scope["overdue"] is True:
        query["due_at"] = {"$lt": now}
    elif scope["overdue"] is False:
        query["$or"] = [{"due_at": {"$gte": now}}, {"status": ANSWERED}]
    query["status"] = {"$in": scope["statuses"]}
    return query
