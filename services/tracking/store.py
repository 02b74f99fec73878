"""Tracking's database: the read model, one document per application."""
from pymongo.errors import DuplicateKeyError


class TrackingStore:
    def __init__(self, database):
        self.applications = database.get_collection("applications")

    def create_indexes(self):
        """Lookups are by ``_id`` (the application number), which is always indexed."""

    def apply(self, application_no, event_id, fields, timeline_entry):
        """Applies one event at most once, whatever the order or repetition of delivery.

        The filter skips a document that has the event already; the upsert
        then collides with that document's ``_id``, which means "done".
        """
        update = {"$addToSet": {"applied_events": event_id}, "$set": fields}
        if timeline_entry:
            update["$push"] = {"timeline": timeline_entry}
        try:
            self.applications.update_one(
                {"_id": application_no, "applied_events": {"$ne": event_id}}, update, upsert=True)
        except DuplicateKeyError:
            pass

    def find(self, application_no):
        return self.applications.find_one({"_id": application_no})
