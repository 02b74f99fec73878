"""Tracking's database: the read model, one document per application, with the applicant's
objection and ratings, and the events an objection owes (its outbox)."""
from pymongo import UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from common.outbox import create_outbox_index, owe
from common.storage import duplicates_in, purge_erased


class TrackingStore:
    def __init__(self, database):
        self.applications = database.get_collection("applications")
        self.incidents = database.get_collection("incidents")  # which applications were considered together

    def create_indexes(self):
        """Lookups are by ``_id`` (the application number), which is always indexed; statistics
        read one province's applications received in a period; public requests (Open311) too,
        maybe of some categories."""
        self.applications.create_index([("province_code", 1), ("received_at", 1)])
        # public requests (Open311) filter one province by category and period
        self.applications.create_index([("province_code", 1), ("category", 1), ("received_at", 1)])
        create_outbox_index(self.applications)
        self.incidents.create_index("application_nos")

    def outbox_collections(self):
        return [self.applications]

    def apply(self, application_no, event_id, fields, timeline_entry):
        """Applies one event at most once, whatever the order or repetition of delivery.

        The filter skips a document that has the event already; the upsert
        then collides with that document's ``_id``. A collision can also mean
        another event created the document a moment ago, so the update runs
        once more without upsert: it applies the event, or finds it applied.
        """
        not_yet_applied, update = _applying(application_no, event_id, fields, timeline_entry)
        try:
            self.applications.update_one(not_yet_applied, update, upsert=True)
        except DuplicateKeyError:
            self.applications.update_one(not_yet_applied, update)

    def apply_all(self, changes):
        """``apply`` of each ``(application_no, event_id, fields, timeline_entry)`` in one write (a
        batch of events: one commit on the embedded engine); a collision is run again as ``apply``'s."""
        writes = [_applying(*change) for change in changes]
        if not writes:
            return
        try:
            self.applications.bulk_write([UpdateOne(*write, upsert=True) for write in writes], ordered=False)
        except BulkWriteError as error:
            for index in sorted(duplicates_in(error)):
                self.applications.update_one(*writes[index])

    def file_objection(self, application_no, fields, timeline_entry, event):
        """Records an objection and owes its event in one write, only if the application has an
        answer and no objection yet; False if another request filed one first."""
        update = owe({"$set": fields, "$push": {"timeline": timeline_entry}}, [event])
        result = self.applications.update_one(
            {"_id": application_no, "answer": {"$exists": True}, "objection": {"$exists": False}}, update)
        return result.matched_count == 1

    def rate(self, application_no, answer_round, rating):
        """Keeps the rating of one answer, only if that answer has none yet; False otherwise."""
        field = "feedback." + answer_round
        result = self.applications.update_one({"_id": application_no, field: {"$exists": False}},
                                              {"$set": {field: rating}})
        return result.matched_count == 1

    def erase_applicant_texts(self, application_no, rounds):
        """KVKK: the applicant's own words go — the objection's text and the ratings' comments of
        ``rounds``; when, the scores and the answers stay. Idempotent."""
        self.applications.update_one({"_id": application_no, "objection": {"$exists": True}},
                                     {"$set": {"objection.text": None}})
        for answer_round in rounds:
            field = "feedback." + answer_round
            self.applications.update_one({"_id": application_no, field: {"$exists": True}},
                                         {"$set": {field + ".comment": None}})
        purge_erased(self.applications.database)

    def in_province(self, application_nos, province_code):
        return list(self.applications.find({"_id": {"$in": list(application_nos)}, "province_code": province_code},
                                           {"feedback": 1}))

    def record_incident(self, incident_id, application_nos, version):
        """Keeps the newest version of an incident's members, whatever order the changes arrive in."""
        try:
            self.incidents.update_one({"_id": incident_id, "version": {"$lt": version}},
                                      {"$set": {"application_nos": list(application_nos), "version": version}},
                                      upsert=True)
        except DuplicateKeyError:
            pass  # a newer version is there already (the filter missed it, the upsert collided)

    def incident_of(self, application_no):
        return self.incidents.find_one({"application_nos": application_no})

    def find(self, application_no):
        return self.applications.find_one({"_id": application_no})

    def received_in(self, province_code, start, end, fields):
        """The province's applications received in ``[start, end)``, only ``fields`` of each
        (through the province + received_at index)."""
        query = {"province_code": province_code, "received_at": {"$gte": start, "$lt": end}}
        return self.applications.find(query, {name: 1 for name in fields})

    def public_requests(self, wanted, fields):
        """The newest ``wanted["limit"]`` applications a public requests query
        (``requests.public_requests_query``) asks for, only ``fields`` of each."""
        cursor = self.applications.find(_public_requests_filter(wanted), {name: 1 for name in fields})
        return list(cursor.sort("received_at", -1).limit(wanted["limit"]))


def _public_requests_filter(wanted):
    """The province, then either the numbers asked for or the period, categories and open/closed
    (closed: answered, the only status with an ``answer``; open: every other)."""
    query = {"province_code": wanted["province_code"]}
    if wanted["application_nos"]:
        query["_id"] = {"$in": wanted["application_nos"]}
        return query
    query["received_at"] = {"$gte": wanted["start"], "$lte": wanted["end"]}
    if wanted["categories"]:
        query["category"] = {"$in": wanted["categories"]}
    # an objection opens an answered application again until the objection is answered
    answered_last = {"answer": {"$exists": True},
                     "$or": [{"objection": {"$exists": False}}, {"objection.answer": {"$exists": True, "$ne": None}}]}
    if wanted["statuses"] == ["closed"]:
        query.update(answered_last)
    elif wanted["statuses"] == ["open"]:
        query["$nor"] = [answered_last]
    return query


def _applying(application_no, event_id, fields, timeline_entry):
    """(filter, update) applying one event unless the document has it already."""
    update = {"$addToSet": {"applied_events": event_id}}
    if fields:
        update["$set"] = fields
    if timeline_entry:
        update["$push"] = {"timeline": timeline_entry}
    return {"_id": application_no, "applied_events": {"$ne": event_id}}, update
