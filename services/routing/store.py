"""Routing's database: applications in their queues and the units catalogue (the staff accounts and
Open311 client apps: ``accounts_store.py``)."""
import heapq
from collections import Counter
from itertools import islice

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.errors import BulkWriteError, OperationFailure

from common.outbox import create_outbox_index, owe
from common.storage import duplicates_in, insert_new, purge_erased
from services.routing.domain import DEADLINE_EVENTS, DEADLINE_FIELDS, OPEN_STATUSES, QUEUE_ORDER, ROUTED

# Indexes the queue used before issue 18, superseded by those create_indexes makes: dropped, since
# every index costs each write of an application.
OBSOLETE_INDEXES = ("province_code_1_status_1", "unit_id_1_status_1_province_code_1", "unit_id_1_received_at_1",
                    "unit_id_1_due_at_1")

# The queue's sorts as (field, direction); "status" is QUEUE_ORDER, each status by due time.
SORTS = {"received": ("received_at", DESCENDING), "due": ("due_at", ASCENDING), "status": ("due_at", ASCENDING)}


class RoutingStore:
    def __init__(self, database):
        self.applications = database.get_collection("applications")
        self.units = database.get_collection("units")
        self.versions = database.get_collection("versions")
        self.incidents = database.get_collection("incidents")
        self._active_units = {}  # province_code -> (units version, [unit]): see active_units

    def create_indexes(self):
        # The staff queue (queue_counts, queue_page): each status of a province, or of a unit, is one
        # index range, so its count (and its overdue part, a range of due_at) comes from index rows
        # alone and its page is read in index order by due or received time; a queue of every status
        # is read through the province's (or the unit's) index by time.
        for sort_field in ("due_at", "received_at"):
            for scope_fields in (["province_code"], ["province_code", "unit_id"]):
                keys = [(name, ASCENDING) for name in scope_fields]
                self.applications.create_index(keys + [("status", ASCENDING), (sort_field, ASCENDING)])
                self.applications.create_index(keys + [(sort_field, ASCENDING)])
        # The open tab of a province's queue (every not-answered status) as one range in time order:
        # three status ranges merged would have to be read up to the page's end each.
        for sort_field in ("due_at", "received_at"):
            self.applications.create_index([("province_code", ASCENDING), ("is_open", ASCENDING),
                                            (sort_field, ASCENDING)])
        self._mark_open_once()
        for name in OBSOLETE_INDEXES:
            _drop_index(self.applications, name)
        # The deadline watcher's minute: what is still to owe, the overdue count, the open count per
        # unit (count_open_by_unit) — each answered from an index, not by reading every open one.
        for event_name, flag in DEADLINE_EVENTS.items():
            self.applications.create_index([(flag, ASCENDING), (DEADLINE_FIELDS[event_name], ASCENDING)])
        # the escalated view: a province's escalated applications (few), each read by the index
        self.applications.create_index([("province_code", ASCENDING), ("escalated_sent", ASCENDING),
                                        ("statutory_due_at", ASCENDING)])
        self.applications.create_index([("status", ASCENDING), ("due_at", ASCENDING)])
        self.applications.create_index([("status", ASCENDING), ("unit_id", ASCENDING), ("province", ASCENDING)])
        create_outbox_index(self.applications)
        # GET /api/v1/verify/{code}: an answer by its verification code (the first answer of an
        # application objected to keeps its own)
        self.applications.create_index("answer.verification.code", sparse=True)
        self.applications.create_index("first_answer.verification.code", sparse=True)
        self.units.create_index("province_code")
        self.applications.create_index("incident_id", sparse=True)
        self.incidents.create_index("answer_complete")
        create_outbox_index(self.incidents)

    def outbox_collections(self):
        return [self.applications, self.incidents]

    def _mark_open_once(self):
        """``is_open`` on applications stored before it existed (a no-op once every one has it)."""
        missing = {"is_open": {"$exists": False}}
        self.applications.update_many(dict(missing, status={"$in": list(OPEN_STATUSES)}), {"$set": {"is_open": True}})
        self.applications.update_many(missing, {"$set": {"is_open": False}})

    # --- applications ---------------------------------------------------------------------------

    def add_to_queue(self, *entries):
        """Idempotent: a redelivered event finds its entry there and changes nothing. One write for
        all ``entries`` (a batch of events: one commit on the embedded engine)."""
        requests = [UpdateOne({"_id": entry["_id"]},
                              {"$setOnInsert": dict(entry, is_open=entry["status"] in OPEN_STATUSES)}, upsert=True)
                    for entry in entries]
        if not requests:
            return
        try:
            self.applications.bulk_write(requests, ordered=False)
        except BulkWriteError as error:
            duplicates_in(error)  # two processes upserted one entry at once: it is there

    def find_application(self, application_no):
        return self.applications.find_one({"_id": application_no})

    def queue_counts(self, scope, statuses, now):
        """{status: applications} of a queue (``domain.queue_scope``) for each of ``statuses`` (none
        for answered when only overdue ones are asked): one count per status, each from the index
        rows alone (no document read)."""
        return {status: self.applications.count_documents(query)
                for status, query in _status_queries(scope, statuses, now).items()}

    def queue_page(self, scope, statuses, now, sort, skip, limit, counts):
        """Applications ``skip`` to ``skip + limit`` of a queue's ``statuses`` in ``sort`` order, read
        in index order: about a page of documents is decoded however long the queue.

        ``counts`` (queue_counts of the same queue) tells which statuses hold anything: asking for
        each status the queue holds is asking for the queue (one index range read by time); else each
        status is its own range, read up to the page's end and merged. An ``$in`` of statuses would be
        one query, but no index gives its order: every match would be read and sorted."""
        held = [status for status in statuses if counts.get(status)]
        if not held or limit <= 0:
            return []
        field, direction = SORTS[sort]
        queries = _status_queries(scope, held, now)
        if sort == "status":
            return self._by_status(queries, counts, field, skip, limit)
        if scope["overdue"] is None and set(held) >= {status for status, count in counts.items() if count}:
            query = _scope_query(scope)
            return list(self.applications.find(query).sort(field, direction).skip(skip).limit(limit))
        if scope["overdue"] is None and "unit_id" not in scope and set(statuses) == set(OPEN_STATUSES):
            query = dict(_scope_query(scope), is_open=True)
            return list(self.applications.find(query).sort(field, direction).skip(skip).limit(limit))
        if len(queries) == 1:
            [query] = queries.values()
            return list(self.applications.find(query).sort(field, direction).skip(skip).limit(limit))
        streams = [list(self.applications.find(query).sort(field, direction).limit(skip + limit))
                   for query in queries.values()]
        merged = heapq.merge(*streams, key=lambda application: application[field], reverse=direction == DESCENDING)
        return list(islice(merged, skip, skip + limit))

    def _by_status(self, queries, counts, field, skip, limit):
        """The statuses one after the other (QUEUE_ORDER), each by due time: the counts tell which
        statuses the page falls in and where it starts in each."""
        page = []
        for status in QUEUE_ORDER:
            if status not in queries:
                continue
            if skip >= counts[status]:
                skip -= counts[status]
                continue
            wanted = limit - len(page)
            page += list(self.applications.find(queries[status]).sort(field, ASCENDING).skip(skip).limit(wanted))
            skip = 0
            if len(page) >= limit:
                break
        return page

    def queue_among(self, scope, application_nos):
        """The applications of a queue's scope among ``application_nos`` (what a search found; any
        status, overdue or not: the caller filters, counts and sorts them)."""
        if not application_nos:
            return []
        query = dict(_scope_query(scope), _id={"$in": list(application_nos)})
        return list(self.applications.find(query))

    def count_open_at_unit(self, unit):
        """Applications routed to the unit and not answered (returned ones are back with the routers)."""
        return self.applications.count_documents({"province_code": unit["province_code"], "unit_id": unit["unit_id"],
                                                  "status": ROUTED})

    def apply(self, application_no, transition):
        """Writes a transition and its event in one update, only if the status is still the one
        the transition was decided on (and its ``condition`` holds); False if another officer got
        there first."""
        update = {"$push": {"timeline": transition.history}}
        if transition.changes:
            update["$set"] = dict(transition.changes)
            if "status" in transition.changes:
                update["$set"]["is_open"] = transition.changes["status"] in OPEN_STATUSES
        if transition.contact:
            update["$push"]["contacts"] = transition.contact
        if transition.event:
            update = owe(update, [transition.event])
        result = self.applications.update_one(
            dict(transition.condition, _id=application_no, status=transition.expected_status), update)
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

    def erase_objection_text(self, application_no):
        """KVKK: the objection's text is the applicant's own words; when it came stays."""
        self.applications.update_one({"_id": application_no, "objection": {"$exists": True}},
                                     {"$set": {"objection.text": None}})

    def find_by_verification_code(self, code):
        return self.applications.find_one({"$or": [{"answer.verification.code": code},
                                                   {"first_answer.verification.code": code}]})

    def purge_erased(self):
        """After erase_contact_notes: no earlier copy of the notes stays in the store's files."""
        purge_erased(self.applications.database)

    def applications_in_province(self, application_nos, province_code):
        return list(self.applications.find({"_id": {"$in": list(application_nos)}, "province_code": province_code}))

    def owing_deadline(self, event_name, window, limit):
        """Open applications due within ``window`` (start or None, end) not yet owing ``event_name``
        (due: by the deadline the event watches, ``DEADLINE_FIELDS``)."""
        flag = DEADLINE_EVENTS[event_name]
        start, end = window
        due = {"$lt": end} if start is None else {"$gte": start, "$lt": end}
        query = {DEADLINE_FIELDS[event_name]: due, "status": {"$in": list(OPEN_STATUSES)}, flag: False}
        return list(self.applications.find(query).limit(limit))

    def escalated_in_scope(self, scope, limit=1000):
        """The open applications of a queue's scope (``domain.queue_scope``) past their statutory
        limit (escalated); any number of them is a failure of the administration, so few."""
        query = dict(_scope_query(scope), escalated_sent=True, status={"$in": list(OPEN_STATUSES)})
        return list(self.applications.find(query).sort("statutory_due_at", ASCENDING).limit(limit))

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

    # --- incidents (services/routing/incidents.py) ----------------------------------------------

    def insert_incident(self, incident):
        self.incidents.insert_one(incident)

    def find_incident(self, incident_id):
        return self.incidents.find_one({"_id": incident_id})

    def delete_incident(self, incident_id):
        self.incidents.delete_one({"_id": incident_id, "application_nos": []})

    def join_incident(self, application_no, incident_id):
        """True if the application joined (it belonged to no incident: at most one each)."""
        result = self.applications.update_one({"_id": application_no, "incident_id": None},
                                              {"$set": {"incident_id": incident_id}})
        return result.matched_count == 1

    def leave_incident(self, application_nos, incident_id):
        """Undoes ``join_incident`` of those that joined a group that could not be made whole."""
        self.applications.update_many({"_id": {"$in": list(application_nos)}, "incident_id": incident_id},
                                      {"$unset": {"incident_id": ""}})

    def add_incident_members(self, incident_id, application_nos, changed_event, attempts=20):
        """The members added and ``changed_event(incident)`` owed, in one write conditional on the
        version read (two routers adding at once: the second reads again); the incident as written."""
        for _ in range(attempts):
            incident = self.find_incident(incident_id)
            members = list(dict.fromkeys(list(incident["application_nos"]) + list(application_nos)))
            grown = dict(incident, application_nos=members, version=incident["version"] + 1)
            result = self.incidents.update_one(
                {"_id": incident_id, "version": incident["version"]},
                owe({"$set": {"application_nos": members, "version": grown["version"]}}, [changed_event(grown)]))
            if result.matched_count == 1:
                return grown
        raise RuntimeError("incident {} kept changing".format(incident_id))

    def route_incident(self, incident_id, unit):
        """False once answered (an answered incident is not routed again)."""
        result = self.incidents.update_one({"_id": incident_id, "answer": None},
                                           {"$set": {"unit_id": unit["unit_id"], "unit_name": unit["name"]}})
        return result.matched_count == 1

    def answer_incident(self, incident_id, unit_id, answer):
        """False if answered already, or routed elsewhere meanwhile: one answer per incident."""
        result = self.incidents.update_one({"_id": incident_id, "unit_id": unit_id, "answer": None},
                                           {"$set": {"answer": answer, "answer_complete": False}})
        return result.matched_count == 1

    def members(self, incident_id):
        return list(self.applications.find({"incident_id": incident_id}))

    def answered_incidents_open(self, limit):
        """Answered incidents not yet known to have every member answered (a crash mid-way)."""
        return list(self.incidents.find({"answer_complete": False, "answer": {"$ne": None}}).limit(limit))

    def mark_answer_complete(self, incident_id, version):
        """Only if no member joined since the members were read (a newer one may still be open)."""
        self.incidents.update_one({"_id": incident_id, "version": version}, {"$set": {"answer_complete": True}})

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

    def units_named(self, unit_ids):
        return list(self.units.find({"_id": {"$in": list(unit_ids)}}, {"name": 1}))

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


def _drop_index(collection, name):
    """Drops the index ``name`` if it is there (another process starting may have dropped it first)."""
    if name in collection.index_information():
        try:
            collection.drop_index(name)
        except OperationFailure:
            pass


def _scope_query(scope):
    """The query of a queue's scope (``domain.queue_scope``) whatever the status: province, unit if any."""
    query = {"province_code": scope["province_code"]}
    if "unit_id" in scope:
        query["unit_id"] = scope["unit_id"]
    return query


def _status_queries(scope, statuses, now):
    """{status: its query} in a queue's scope, with the overdue filter: open and past its due time
    (no answered application is overdue), or not (due later, or answered). Each query pins the
    fields of one index and ranges over the next one (due_at), so it is counted from index rows."""
    queries = {}
    for status in statuses:
        query = dict(_scope_query(scope), status=status)
        if scope["overdue"] is True and status not in OPEN_STATUSES:
            continue
        if scope["overdue"] is True:
            query["due_at"] = {"$lt": now}
        elif scope["overdue"] is False and status in OPEN_STATUSES:
            query["due_at"] = {"$gte": now}
        queries[status] = query
    return queries
