"""Intake's database: applications as submitted, the number sequences, the audit log of reads of
personal data, and the record of KVKK requests."""
import re

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from common.outbox import create_outbox_index, owe
from common.storage import insert_new, purge_erased
from services.intake import search
from services.intake.domain import KVKK_ERASURE, KVKK_EXPORT, requests_from_audit_entries

KVKK_PURPOSES = [KVKK_EXPORT, KVKK_ERASURE]
SEARCH_WORDS_MIGRATION = "search_words"
BACKFILL_BATCH = 500


class IntakeStore:
    def __init__(self, database):
        self.applications = database.get_collection("applications")
        self.sequences = database.get_collection("sequences")
        self.audit_log = database.get_collection("audit_log")
        self.personal_data_requests = database.get_collection("personal_data_requests")
        self.migrations = database.get_collection("migrations")
        self.phone_verifications = database.get_collection("phone_verifications")

    def create_indexes(self):
        self.applications.create_index("idempotency_key", unique=True)
        create_outbox_index(self.applications)
        self.audit_log.create_index("application_no")
        self.audit_log.create_index("purpose")
        self.applications.create_index("applicant.national_id")  # KVKK requests come by national ID
        # Likely duplicates (services/intake/similarity.py): an applicant's applications in a window,
        # and a district's applications of one category in a window, each one index range.
        self.applications.create_index([("applicant.national_id", ASCENDING), ("received_at", ASCENDING)])
        self.applications.create_index([("province_code", ASCENDING), ("district", ASCENDING),
                                        ("category", ASCENDING), ("received_at", ASCENDING)])
        # The staff search by words: multikey, one key per word of an application of the province.
        self.applications.create_index([("province_code", ASCENDING), ("search_words", ASCENDING)])
        self.personal_data_requests.create_index([("province_code", ASCENDING), ("at", DESCENDING)])
        create_outbox_index(self.phone_verifications)
        self.phone_verifications.create_index("discard_at")
        self.backfill_search_words()
        self.record_earlier_personal_data_requests()

    def outbox_collections(self):
        # Applications first: the relay takes handed-over documents from the first (common/outbox.py).
        return [self.applications, self.phone_verifications]

    # --- phone verifications (services/intake/phone_verification.py) ---

    def insert_verification(self, verification, now):
        """Stores a new verification; those past their ``discard_at`` go on the way."""
        self.phone_verifications.delete_many({"discard_at": {"$lt": now}})
        self.phone_verifications.insert_one(verification)

    def find_verification(self, verification_id):
        return self.phone_verifications.find_one({"_id": verification_id})

    def count_wrong_code(self, verification):
        """One more wrong try, counted atomically (racing tries each count); the verification after
        it, or None if it changed meanwhile (proven, spent)."""
        return self.phone_verifications.find_one_and_update(
            {"_id": verification["_id"], "proven_at": None, "used_by": None},
            {"$inc": {"attempts": 1}}, return_document=ReturnDocument.AFTER)

    def prove_verification(self, verification, max_attempts, now):
        """Marks it proven unless a racing wrong try locked it first; the verification after, or None."""
        return self.phone_verifications.find_one_and_update(
            {"_id": verification["_id"], "attempts": {"$lt": max_attempts},
             "used_by": None, "proven_at": None},
            {"$set": {"proven_at": now}}, return_document=ReturnDocument.AFTER)

    def spend_verification(self, verification_id, spender):
        """The one submission (``spender``: its idempotency scope) a proven verification serves;
        False if another spent it first. The same submission again (a retry) may."""
        return self.phone_verifications.update_one(
            {"_id": verification_id, "proven_at": {"$ne": None}, "used_by": {"$in": [None, spender]}},
            {"$set": {"used_by": spender}}).matched_count == 1

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

    def owe_tracking_code(self, application_no, national_id, reminded_before, event, now):
        """One conditional write records ``now`` as the time the code was last sent and owes
        ``event``, only if the applicant is still there (not erased meanwhile) and the code was not
        sent since ``reminded_before``: two requests at once, or a retry after a restart, owe one
        SMS per interval. True when it owed the event."""
        result = self.applications.update_one(
            {"_id": application_no, "applicant.national_id": national_id,
             "$or": [{"tracking_code_sent_at": None}, {"tracking_code_sent_at": {"$lt": reminded_before}}]},
            owe({"$set": {"tracking_code_sent_at": now}}, [event]))
        return result.matched_count == 1

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

    def reads_of(self, application_no):
        """The audit log's entries of ``application_no`` (indexed)."""
        return list(self.audit_log.find({"application_no": application_no}))

    def record_reads(self, entries):
        for entry in entries:
            self.audit_log.insert_one(entry)

    # --- the staff queue's search ------------------------------------------------------------------

    def backfill_search_words(self):
        """Once per store: applications stored before the search existed get their words (each
        write conditional, so processes starting together do no harm, only the same work)."""
        if self.migrations.find_one({"_id": SEARCH_WORDS_MIGRATION}) is not None:
            return
        while True:
            missing = list(self.applications.find({"search_words": {"$exists": False}},
                                                  {"subject": 1, "description": 1}).limit(BACKFILL_BATCH))
            for document in missing:
                self.applications.update_one(
                    {"_id": document["_id"], "search_words": {"$exists": False}},
                    {"$set": {"search_words": search.search_words(document.get("subject"),
                                                                   document.get("description"))}})
            if len(missing) < BACKFILL_BATCH:
                break
        insert_new(self.migrations, {"_id": SEARCH_WORDS_MIGRATION})

    def number_in_province(self, application_no, province_code):
        """``[application_no]`` if it is an application of the province, else ``[]``."""
        found = self.applications.find_one({"_id": application_no, "province_code": province_code}, {"_id": 1})
        return [found["_id"]] if found else []

    def applicant_numbers(self, national_id, province_code, limit):
        """The numbers of one applicant's applications in the province, newest first."""
        found = self.applications.find({"applicant.national_id": national_id, "province_code": province_code},
                                        {"_id": 1, "received_at": 1})
        return _newest_first(found, limit)

    def numbers_with_words(self, province_code, word_queries, limit):
        """The numbers of the province's applications holding every word (``search.WordQuery``),
        newest first. The first word's key narrows through the (province, words) index."""
        keys = [{"search_words": wanted.key} for wanted in word_queries]
        prefixes = [{"search_words": {"$regex": "^" + re.escape(wanted.prefix)}}
                    for wanted in word_queries if wanted.prefix is not None]
        # No projection: the embedded engine decodes each document whole anyway, and projecting a
        # few thousand of them cost a sixth of the search.
        found = self.applications.find({"province_code": province_code, "$and": keys + prefixes})
        return _newest_first(found, limit)

    def subjects(self, application_nos, province_code):
        """``[{_id, subject}]`` of those of ``application_nos`` in the province (one read by ``_id``)."""
        return list(self.applications.find({"_id": {"$in": list(application_nos)}, "province_code": province_code},
                                           {"subject": 1}))

    def similarity_candidates(self, application, windows, fields, limit=2000):
        """The applications of ``application``'s province that may be its duplicates: the same
        applicant's within ``windows["same_applicant"]`` and the same district's and category's
        within ``windows["similar_text"]`` (``limit`` each, newest first), only ``fields`` of each."""
        projection = {name: 1 for name in fields}
        found = {}
        national_id = (application.get("applicant") or {}).get("national_id")
        if national_id:
            start, end = windows["same_applicant"]
            query = {"applicant.national_id": national_id, "received_at": {"$gte": start, "$lte": end},
                     "province_code": application["province_code"]}
            found.update((document["_id"], document) for document in self.applications.find(query, projection)
                         .sort("received_at", DESCENDING).limit(limit))
        start, end = windows["similar_text"]
        query = {"province_code": application["province_code"], "district": application["district"],
                 "category": application["category"], "received_at": {"$gte": start, "$lte": end}}
        found.update((document["_id"], document) for document in self.applications.find(query, projection)
                     .sort("received_at", DESCENDING).limit(limit))
        return list(found.values())

    # --- KVKK requests --------------------------------------------------------------------------

    def record_personal_data_request(self, record):
        self.personal_data_requests.insert_one(record)

    def personal_data_requests_of(self, province_code, limit):
        found = self.personal_data_requests.find({"province_code": province_code}).sort("at", DESCENDING)
        return list(found.limit(limit))

    def record_earlier_personal_data_requests(self):
        """KVKK requests made before they had their own record, rebuilt from the audit log (few:
        requests are rare), each stored once whatever the number of processes doing it."""
        earlier = self.audit_log.find({"purpose": {"$in": KVKK_PURPOSES}, "request_id": {"$exists": False}})
        for record in requests_from_audit_entries(earlier):
            insert_new(self.personal_data_requests, record)


def _newest_first(documents, limit):
    ordered = sorted(documents, key=lambda document: (document["received_at"], document["_id"]), reverse=True)
    return [document["_id"] for document in ordered[:limit]]
