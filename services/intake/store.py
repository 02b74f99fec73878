"""Intake's database: applications as submitted, and the number sequences."""
from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from common.outbox import create_outbox_index
from common.storage import purge_erased


class IntakeStore:
    def __init__(self, database):
        self.applications = database.get_collection("applications")
        self.sequences = database.get_collection("sequences")
        self.audit_log = database.get_collection("audit_log")

    def create_indexes(self):
        self.applications.create_index("idempotency_key", unique=True)
        create_outbox_index(self.applications)
        self.audit_log.create_index("application_no")
        self.applications.create_index("applicant.national_id")  # KVKK requests come by national ID

    def outbox_collections(self):
        return [self.applications]

    def next_sequence(self, name):
        """Atomic: two intake processes never get the same value."""
        try:
            counter = self._increment(name)
        except DuplicateKeyError:  # two first-ever upserts raced; the loser's retry increments
            counter = self._increment(name)
        return counter["value"]

    def _increment(self, name):
        return self.sequences.find_one_and_update(
            {"_id": name}, {"$inc": {"value": 1}},
            upsert=True, return_document=ReturnDocument.AFTER,
        )

    def find_by_idempotency_key(self, key):
        if key is None:
            return None
        return self.applications.find_one({"idempotency_key": key})

    def insert_application(self, document):
        """Stores ``document``; if its idempotency key won a race elsewhere, returns that one."""
        try:
            self.applications.insert_one(document)
        except DuplicateKeyError:
            return self.applications.find_one({"idempotency_key": document["idempotency_key"]})
        return document

    def find_application(self, application_no):
        return self.applications.find_one({"_id": application_no})

    def record_read(self, entry):
        """Written before the personal data is handed out: no read goes unaudited."""
        self.audit_log.insert_one(entry)

    def applicant_applications(self, national_id, province_code):
        """The applications of one applicant in one province, personal data not yet erased."""
        query = {"applicant.national_id": national_id, "province_code": province_code}
        return list(self.applications.find(query).sort("_id", ASCENDING))

    def erase_applicant(self, application_no, national_id, changes):
        """Sets an erasure's ``changes`` (``domain.erasure_changes``: the outbox owing its event
        too) if the applicant is still there; False when another erasure got there first."""
        result = self.applications.update_one({"_id": application_no, "applicant.national_id": national_id},
                                              {"$set": changes})
        return result.matched_count == 1

    def purge_erased(self):
        """After the erasures: no earlier copy of what they removed stays in the store's files."""
        purge_erased(self.applications.database)

    def record_reads(self, entries):
        for entry in entries:
            self.audit_log.insert_one(entry)
