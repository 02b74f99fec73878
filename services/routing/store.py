"""Routing's database: the applications it routes."""
from pymongo import ASCENDING


class RoutingStore:
    def __init__(self, database):
        self.applications = database.get_collection("applications")

    def create_indexes(self):
        self.applications.create_index([("province_code", ASCENDING), ("status", ASCENDING)])

    def add_to_queue(self, entry):
        """Idempotent: a redelivered event finds the entry there and changes nothing."""
        self.applications.update_one({"_id": entry["_id"]}, {"$setOnInsert": entry}, upsert=True)

    def list_applications(self, province_code, status, limit):
        cursor = self.applications.find({"province_code": province_code, "status": status})
        return list(cursor.sort("received_at", ASCENDING).limit(limit))
