"""Notification's database: who to text (and e-mail) for each application, and every SMS and e-mail
with its state."""
import uuid
from collections import Counter

from pymongo import ASCENDING, DESCENDING, ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from common import clock
from common.outbox import create_outbox_index, owe
from common.storage import duplicates_in, insert_all_new, insert_new, purge_erased
from services.notification import verification_codes
from services.notification.domain import (
    CANCELLED,
    DELIVERED,
    FAILED,
    QUEUED,
    SENDING,
    SENT,
    UNSENT,
    VERIFICATION_CODE,
    states_before,
)

ONE_PER_FACT = [("application_no", ASCENDING), ("template", ASCENDING), ("resend_of", ASCENDING),
                ("occasion", ASCENDING)]
# The unique keys of older stores: before resends existed, then before reminders did.
ONE_PER_TEMPLATE = "application_no_1_template_1"
ONE_PER_TEMPLATE_AND_RESEND = "application_no_1_template_1_resend_of_1"
# One e-mail per fact: the SMS's key without ``resend_of`` (a resent SMS that fails again is the same fact).
ONE_EMAIL_PER_FACT = [("application_no", ASCENDING), ("template", ASCENDING), ("occasion", ASCENDING)]


class NotificationStore:
    def __init__(self, database):
        self.recipients = database.get_collection("recipients")
        self.messages = database.get_collection("messages")
        self.emails = database.get_collection("emails")  # services/notification/emails.py
        self.verification_sms_discarded_at = None  # discard_old_verification_sms, in this process

    def create_indexes(self):
        # One SMS per fact, whatever happens upstream: per (application, template), and for the
        # reminder per request (``occasion``); an admin's resend of a failed one is another message
        # (``resend_of`` the failed one's id, None for the first), and one resend per failed message.
        # Messages stored before a field of the key existed lack it: every engine indexes a missing
        # field as null, so they keep their place (a replayed event still queues nothing).
        self.messages.create_index(ONE_PER_FACT, unique=True)
        for older in (ONE_PER_TEMPLATE, ONE_PER_TEMPLATE_AND_RESEND):
            self._drop_index_if_there(older)
        self.messages.create_index("state")
        self.messages.create_index([("state", ASCENDING), ("next_attempt_at", ASCENDING)])
        self.messages.create_index([("state", ASCENDING), ("lease_until", ASCENDING)])
        self.messages.create_index("provider_message_id", sparse=True)
        create_outbox_index(self.messages)
        self.emails.create_index(ONE_EMAIL_PER_FACT, unique=True)
        self.emails.create_index([("state", ASCENDING), ("next_attempt_at", ASCENDING)])
        self.emails.create_index([("state", ASCENDING), ("lease_until", ASCENDING)])
        create_outbox_index(self.emails)

    def _drop_index_if_there(self, name):
        """Processes starting together may both see it: the second drop finds nothing to drop."""
        if name in self.messages.index_information():
            try:
                self.messages.drop_index(name)
            except OperationFailure:  # dropped by another process meanwhile
                pass

    def outbox_collections(self):
        # Two: the relay hands over in memory only with one (common/outbox.py), and notification's is
        # handed nothing: it finds what both owe in the store.
        return [self.messages, self.emails]

    def remember_recipient(self, application_no, phone, language, province_code, email=None):
        """False, and nothing written, if the applicant's personal data was erased already (the
        received event came late, or was replayed from a dead-letter queue)."""
        return bool(self.remember_recipients([(application_no, phone, language, province_code, email)]))

    def remember_recipients(self, recipients):
        """``remember_recipient`` of each ``(application_no, phone, language, province_code, email)``
        in one write; returns the application numbers remembered (an erased one's is left out)."""
        if not recipients:
            return []
        requests = [UpdateOne({"_id": application_no, "erased_at": None},
                              {"$set": {"phone": phone, "language": language, "province_code": province_code,
                                        "email": email}},
                              upsert=True)
                    for application_no, phone, language, province_code, email in recipients]
        try:
            self.recipients.bulk_write(requests, ordered=False)
        except BulkWriteError as error:  # the application's recipient is there, erased
            erased = duplicates_in(error)
            return [recipient[0] for index, recipient in enumerate(recipients) if index not in erased]
        return [recipient[0] for recipient in recipients]

    def erase_recipient(self, application_no, now):
        """KVKK: the phone and the e-mail address go; the record of the erasure stays, so a late
        received event cannot bring them back. Idempotent: the first erasure's time is kept."""
        try:
            self.recipients.update_one({"_id": application_no, "erased_at": None},
                                       {"$set": {"phone": None, "email": None, "erased_at": now}}, upsert=True)
        except DuplicateKeyError:  # erased already
            pass

    def purge_erased(self):
        """After erase_recipient: no earlier copy of the phone stays in the store's files."""
        purge_erased(self.recipients.database)

    def cancel_unsent(self, application_no, now):
        """Messages and e-mails of the application not yet with the provider are never sent."""
        for collection in (self.messages, self.emails):
            collection.update_many(
                {"application_no": application_no, "state": {"$in": list(UNSENT)}},
                {"$set": {"state": CANCELLED, "updated_at": now, "last_error": "applicant data erased"}})

    def recipient(self, application_no):
        return self.recipients.find_one({"_id": application_no})

    def recipients_of(self, application_nos):
        """{application_no: recipient} of those on record, in one read."""
        return {recipient["_id"]: recipient
                for recipient in self.recipients.find({"_id": {"$in": list(set(application_nos))}})}

    def phone_for(self, application_no):
        recipient = self.recipient(application_no)
        return recipient and recipient["phone"]

    def unrendered(self, *application_nos):
        """The messages of these applications still without a text, in one read."""
        return list(self.messages.find({"application_no": {"$in": list(application_nos)}, "text": None}))

    def set_rendering(self, message_id, fields):
        self.messages.update_one({"_id": message_id, "text": None}, {"$set": fields})

    def enqueue(self, message):
        """False when this (application, template) already has its message, or, for a resend, when
        the failed message it sends again was resent already."""
        return insert_new(self.messages, message)

    def enqueue_all(self, messages):
        """``enqueue`` of each in one write; returns those queued."""
        return insert_all_new(self.messages, messages)

    def claim_next(self, now, lease_until, provider=None):
        """Takes one due message for sending through ``provider``; another process never takes the
        same one. ``providers`` keeps every provider an attempt went through: only their reports
        are about the message (find_reported), even one that comes before ``mark_sent``.

        A message left ``sending`` by a crashed process is due again when its lease ends.
        """
        claim = _claim(lease_until, provider)
        for due, _ in _due(now):
            message = self.messages.find_one_and_update(due, claim, return_document=ReturnDocument.AFTER)
            if message is not None:
                return message
        return None

    def claim_due(self, now, lease_until, provider, limit):
        """Takes up to ``limit`` due messages at once, as ``claim_next`` takes one: read their ids,
        claim those still due in one write under a token of this claim, and return them (read
        again only when another process took some meanwhile)."""
        if limit <= 1:
            message = self.claim_next(now, lease_until, provider)
            return [] if message is None else [message]
        token = uuid.uuid4().hex
        claimed = []
        for due, oldest_first in _due(now):
            wanted = limit - len(claimed)
            if wanted == 0:
                break
            candidates = list(self.messages.find(due).sort(oldest_first, ASCENDING).limit(wanted))
            if not candidates:
                continue
            ids = [message["_id"] for message in candidates]
            claim = _claim(lease_until, provider)
            claim["$set"]["claim"] = token
            taken = self.messages.update_many(dict(due, _id={"$in": ids}), claim)
            if taken.modified_count == len(ids):
                claimed.extend(as_claimed(message, lease_until, provider, token) for message in candidates)
            else:  # another process took some of them between the read and the write
                claimed.extend(self.messages.find({"_id": {"$in": ids}, "claim": token}))
        return claimed

    def mark_sent(self, message_ids, receipt, now):
        """The provider took them (owing no event: the staff record asks us, issue 20). The
        provider's id is kept even where a delivery report got here first; that costs a second
        write only then."""
        ids = list(message_ids)
        fields = {"provider": receipt.provider, "provider_message_id": receipt.provider_message_id, "sent_at": now}
        moved = self.messages.update_many({"_id": {"$in": ids}, "state": {"$in": states_before(SENT)}},
                                          {"$set": dict(fields, state=SENT, updated_at=now)})
        if moved.matched_count < len(ids):
            self.messages.update_many({"_id": {"$in": ids}, "state": {"$nin": states_before(SENT)}},
                                      {"$set": fields})

    def mark_retry(self, message_id, next_attempt_at, reason, now):
        self.messages.update_one({"_id": message_id, "state": SENDING}, {"$set": {
            "state": QUEUED, "next_attempt_at": next_attempt_at, "last_error": reason, "updated_at": now,
        }})

    def mark_failed(self, message_id, reason, event, now, provider=None):
        """The provider that refused it is named, as for a sent one (the staff record shows it):
        ``event``'s (sms_failed), or ``provider`` where the message owes no event (``event`` None)."""
        provider = event["provider"] if event is not None else provider
        self.advance(message_id, FAILED, {"last_error": reason, "failed_at": now, "provider": provider},
                     event, now)

    def forget_codes(self, forgotten, now):
        """Verification SMS that are final (services/notification/verification_codes.py): each
        message's ``fields`` (its text and values with the code masked) written, its pseudo
        recipient erased as a KVKK erasure erases one. ``forgotten``: ``(message_id,
        application_no, fields)`` each. The embedded engine's log is not purged at once, as an
        erasure's is: a code is dead minutes after it was sent, and a truncating checkpoint per
        code would cost every SMS sent meanwhile."""
        for message_id, application_no, fields in forgotten:
            self.messages.update_one({"_id": message_id}, {"$set": fields})
            self.erase_recipient(application_no, now)

    def discard_old_verification_sms(self, now):
        """The one-time codes' SMS records past verification_codes.KEPT_FOR, and their erased
        recipients; looked for at most once per DISCARD_EVERY in this process, each one index
        range (the pseudo numbers' prefix)."""
        before = verification_codes.discard_before(self.verification_sms_discarded_at, now)
        if before is None:
            return
        self.verification_sms_discarded_at = now
        pseudo = {"$gte": verification_codes.PREFIX, "$lt": verification_codes.PREFIX_END}
        self.messages.delete_many({"application_no": pseudo, "created_at": {"$lt": before}})
        self.recipients.delete_many({"_id": pseudo, "erased_at": {"$lt": before}})

    def advance(self, message_id, state, fields, event, now):
        """Moves a message forward to ``state`` (owing ``event``, unless None), never back; False if
        it was there or past it already, so a replayed or late report changes nothing."""
        update = {"$set": dict(fields, state=state, updated_at=now)}
        result = self.messages.update_one({"_id": message_id, "state": {"$in": states_before(state)}},
                                          update if event is None else owe(update, [event]))
        return result.matched_count == 1

    def deliver(self, message_ids, now):
        """Moves messages still short of ``failed`` to ``delivered``, owing no event, in one write;
        returns how many moved. (A failed one owes sms_delivered: ``advance`` it one by one.)"""
        moved = self.messages.update_many(
            {"_id": {"$in": list(message_ids)}, "state": {"$in": states_before(FAILED)}},
            {"$set": {"state": DELIVERED, "delivered_at": now, "updated_at": now}})
        return moved.modified_count

    def states_of(self, message_ids):
        """{message id: the message's state, template and delivered_at} now, in one read."""
        return {message["_id"]: message for message in self.messages.find(
            {"_id": {"$in": list(message_ids)}}, {"state": 1, "template": 1, "delivered_at": 1})}

    def find_reported(self, report, provider):
        """The message a delivery report is about (``reported_messages`` of one)."""
        return self.reported_messages([report], provider)[0]

    def reported_messages(self, reports, provider):
        """The message each report is about (None where unknown), in at most two reads: by our id
        when the provider echoes it, else by the provider's own id. Either way only a message
        handed to that provider: two providers' ids may look alike, and one provider's report must
        never move another's message. A provider id that several messages share (a Verimor
        campaign of many) names none of them."""
        ours = {report.message_id for report in reports if report.message_id}
        theirs = {report.provider_message_id for report in reports
                  if not report.message_id and report.provider_message_id}
        by_ours = {message["_id"]: message for message in self.messages.find({"_id": {"$in": list(ours)}})
                   if provider in (message.get("provider"), *message.get("providers", ()))} if ours else {}
        by_theirs = {}
        if theirs:
            sharing = Counter()
            for message in self.messages.find({"provider_message_id": {"$in": list(theirs)}, "provider": provider}):
                by_theirs[message["provider_message_id"]] = message
                sharing[message["provider_message_id"]] += 1
            by_theirs = {key: message for key, message in by_theirs.items() if sharing[key] == 1}
        return [by_ours.get(report.message_id) if report.message_id else by_theirs.get(report.provider_message_id)
                for report in reports]

    def failed_facts(self, application_nos):
        """(application_no, template) of every failed message of these applications, in one read."""
        return {(message["application_no"], message["template"]) for message in self.messages.find(
            {"application_no": {"$in": list(set(application_nos))}, "state": FAILED},
            {"application_no": 1, "template": 1})}

    def awaiting_report(self, provider, sent_before, limit):
        """Sent through ``provider`` before ``sent_before``, still without a final report; the
        least recently asked first, so every message gets its turn."""
        query = {"state": SENT, "provider": provider, "sent_at": {"$lt": sent_before},
                 "provider_message_id": {"$ne": None}}
        return list(self.messages.find(query).sort("polled_at", ASCENDING).limit(limit))

    def mark_polled(self, message_ids):
        self.messages.update_many({"_id": {"$in": list(message_ids)}}, {"$set": {"polled_at": clock.now()}})

    def for_application(self, application_no):
        return list(self.messages.find({"application_no": application_no}).sort("created_at", ASCENDING))

    def failed_in_province(self, province_code, limit):
        """Operators see their province's failures, the latest first; few messages fail, so they are
        filtered here."""
        if limit < 1:
            return []
        # latest failure first (messages failed before failed_at was kept: last, newest first). A
        # verification code's SMS is of no application and no province: not read at all.
        failed = self.messages.find({"state": FAILED, "template": {"$ne": VERIFICATION_CODE}}).sort(
            [("failed_at", DESCENDING), ("created_at", DESCENDING)])
        mine = []
        for message in failed:
            recipient = self.recipient(message["application_no"]) or {}
            if recipient.get("province_code") == province_code:
                mine.append(message)
                if len(mine) == limit:
                    break
        return mine

    def find_message(self, message_id):
        return self.messages.find_one({"_id": message_id}) if isinstance(message_id, str) else None

    def mark_resent(self, message_id, resent_as):
        self.messages.update_one({"_id": message_id}, {"$set": {"resent_as": resent_as}})

    # --- e-mails (services/notification/emails.py, email_dispatcher.py)

    def enqueue_email(self, email):
        """False when the e-mail's fact (application, template, occasion) has one already."""
        return insert_new(self.emails, email)

    def enqueue_emails(self, emails):
        """``enqueue_email`` of each in one write; returns those queued."""
        return insert_all_new(self.emails, emails)

    def claim_due_email(self, now, lease_until, provider):
        """Takes one due e-mail (queued and due, or left ``sending`` by a process that died: its
        lease lapsed); another process never takes the same one."""
        claim = {"$set": {"state": SENDING, "lease_until": lease_until, "provider": provider},
                 "$inc": {"attempts": 1}}
        for due, _ in _due(now):
            email = self.emails.find_one_and_update(due, claim, return_document=ReturnDocument.AFTER)
            if email is not None:
                return email
        return None

    def mark_email_sent(self, email_id, event, now):
        """The server took it; owes ``event`` (email_sent) in the same write. Only from ``sending``:
        a second sender whose lease had lapsed finds it sent and owes nothing more."""
        self.emails.update_one({"_id": email_id, "state": SENDING},
                               owe({"$set": {"state": SENT, "sent_at": now, "updated_at": now}}, [event]))

    def mark_email_retry(self, email_id, next_attempt_at, reason, now):
        self.emails.update_one({"_id": email_id, "state": SENDING}, {"$set": {
            "state": QUEUED, "next_attempt_at": next_attempt_at, "last_error": reason, "updated_at": now}})

    def mark_email_failed(self, email_id, reason, now):
        self.emails.update_one({"_id": email_id, "state": SENDING}, {"$set": {
            "state": FAILED, "last_error": reason, "failed_at": now, "updated_at": now}})

    def cancel_email(self, email_id, reason, now):
        """Final: nobody to send it to (no address on record, or erased)."""
        self.emails.update_one({"_id": email_id, "state": {"$in": list(UNSENT)}}, {"$set": {
            "state": CANCELLED, "last_error": reason, "updated_at": now}})

    def emails_for_application(self, application_no):
        return list(self.emails.find({"application_no": application_no}).sort("created_at", ASCENDING))


def _due(now):
    """What a claim takes, each with the field it is indexed (and taken oldest first) by: due ones
    first, then lapsed leases (a message left ``sending`` by a crashed process). Each is an exact
    index lookup (an $or read every message being sent before finding a due one)."""
    return (({"state": QUEUED, "next_attempt_at": {"$lte": now}}, "next_attempt_at"),
            ({"state": SENDING, "lease_until": {"$lte": now}}, "lease_until"))


def _claim(lease_until, provider):
    claim = {"$set": {"state": SENDING, "lease_until": lease_until}, "$inc": {"attempts": 1}}
    if provider is not None:
        claim["$addToSet"] = {"providers": provider}
    return claim


def as_claimed(message, lease_until, provider, token):
    """``message`` as a claim's write leaves it (every one was taken: no read needed); also a new
    message written already claimed (the dispatcher's ``leased``)."""
    providers = list(message.get("providers") or [])
    if provider is not None and provider not in providers:
        providers.append(provider)
    claimed = dict(message, state=SENDING, lease_until=lease_until, attempts=message["attempts"] + 1, claim=token)
    if provider is not None:
        claimed["providers"] = providers
    return claimed
