"""Notification's database: who to text for each application, and every SMS with its state."""
from pymongo import ASCENDING, ReturnDocument

from common.outbox import create_outbox_index, owe
from common.storage import insert_new
from services.notification.domain import FAILED, QUEUED, SENDING, SENT


class NotificationStore:
    def __init__(self, database):
        self.recipients = database.get_collection("recipients")
        self.messages = database.get_collection("messages")

    def create_indexes(self):
        # One SMS per (application, template), whatever happens upstream.
        self.messages.create_index([("application_no", ASCENDING), ("template", ASCENDING)], unique=True)
        self.messages.create_index("state")
        create_outbox_index(self.messages)

    def outbox_collections(self):
        return [self.messages]

    def remember_recipient(self, application_no, phone, language):
        self.recipients.update_one(
            {"_id": application_no}, {"$set": {"phone": phone, "language": language}}, upsert=True)

    def recipient(self, application_no):
        return self.recipients.find_one({"_id": application_no})

    def phone_for(self, application_no):
        recipient = self.recipient(application_no)
        return recipient and recipient["phone"]

    def unrendered(self, application_no):
        return list(self.messages.find({"application_no": application_no, "text": None}))

    def set_rendering(self, message_id, fields):
        self.messages.update_one({"_id": message_id, "text": None}, {"$set": fields})

    def enqueue(self, message):
        """False when this (application, template) already has its message."""
        return insert_new(self.messages, message)

    def claim_next(self, now, lease_until):
        """Takes one due message for sending; another process never takes the same one.

        A message left ``sending`` by a crashed process is due again when its lease ends.
        """
        return self.messages.find_one_and_update(
            {"$or": [
                {"state": QUEUED, "next_attempt_at": {"$lte": now}},
                {"state": SENDING, "lease_until": {"$lte": now}},
            ]},
            {"$set": {"state": SENDING, "lease_until": lease_until}, "$inc": {"attempts": 1}},
            return_document=ReturnDocument.AFTER,
        )

    def mark_sent(self, message_id, receipt, event, now):
        self.messages.update_one({"_id": message_id}, owe({"$set": {
            "state": SENT, "sent_at": now,
            "provider": receipt.provider, "provider_message_id": receipt.provider_message_id,
        }}, [event]))

    def mark_retry(self, message_id, next_attempt_at, reason):
        self.messages.update_one({"_id": message_id}, {"$set": {
            "state": QUEUED, "next_attempt_at": next_attempt_at, "last_error": reason,
        }})

    def mark_failed(self, message_id, reason, event):
        self.messages.update_one({"_id": message_id}, owe({"$set": {
            "state": FAILED, "last_error": reason,
        }}, [event]))
