"""Routing's accounts: the staff who log in and the Open311 client apps that submit, each with
what authenticates them (a password hash, a key digest). Kept apart from the applications'
store (``store.py``) because they are who may call, not what is handled; on disk they are the
``staff`` and ``open311_clients`` collections of routing's database, as before the split
(docs/architecture.md#stores)."""
from pymongo import ASCENDING

from common.storage import insert_new

STAFF_VERSION = "staff"  # its document in ``versions``: bumped by every change to a staff account


class AccountsStore:
    def __init__(self, database):
        self.staff = database.get_collection("staff")
        self.open311_clients = database.get_collection("open311_clients")
        self.versions = database.get_collection("versions")  # shared with RoutingStore, one document each
        self._staffed = {}  # province_code -> (staff version, frozenset of unit ids): see staffed_unit_ids

    def create_indexes(self):
        self.open311_clients.create_index("key_digest", unique=True)

    # --- staff ----------------------------------------------------------------------------------

    def find_staff(self, username):
        return self.staff.find_one({"_id": username})

    def insert_staff(self, account):
        """False if the username is taken."""
        inserted = insert_new(self.staff, account)
        self._staff_changed()
        return inserted

    def update_staff(self, username, changes, revoke_tokens=False):
        """``revoke_tokens``: the officer's tokens so far stop working (staff.token_generation)."""
        update = {"$set": changes}
        if revoke_tokens:
            update["$inc"] = {"token_generation": 1}
        self.staff.update_one({"_id": username}, update)
        self._staff_changed()

    def _staff_changed(self):
        self.versions.update_one({"_id": STAFF_VERSION}, {"$inc": {"value": 1}}, upsert=True)

    def officers_per_unit(self, province_code):
        """{unit_id: active unit officers} of the province's staffed units."""
        groups = self.staff.aggregate([
            {"$match": {"province_code": province_code, "role": "unit", "active": True}},
            {"$group": {"_id": "$unit_id", "n": {"$sum": 1}}}])
        return {group["_id"]: group["n"] for group in groups if group["_id"] is not None}

    def staffed_unit_ids(self, province_code):
        """The province's units with an active officer, read once per change of any staff account:
        every application received needs them (its suggested unit). As ``RoutingStore.active_units``:
        the version is bumped after the change, so a copy read before it is never filed under the new
        version, and no process keeps a stale copy past its next read."""
        version = (self.versions.find_one({"_id": STAFF_VERSION}) or {}).get("value", 0)
        cached = self._staffed.get(province_code)
        if cached is None or cached[0] != version:
            cached = (version, frozenset(self.officers_per_unit(province_code)))
            self._staffed[province_code] = cached
        return cached[1]

    def display_names(self, usernames):
        """{username: display name} of the accounts among ``usernames`` that have one."""
        if not usernames:
            return {}
        accounts = self.staff.find({"_id": {"$in": sorted(usernames)}}, {"display_name": 1})
        return {account["_id"]: account["display_name"] for account in accounts if account.get("display_name")}

    def count_active_admins(self, province_code, besides=None):
        query = {"province_code": province_code, "role": "admin", "active": True}
        if besides is not None:
            query["_id"] = {"$ne": besides}
        return self.staff.count_documents(query)

    def staff_in_province(self, province_code):
        return list(self.staff.find({"province_code": province_code}).sort("_id", ASCENDING))

    # --- Open311 client apps --------------------------------------------------------------------

    def insert_open311_client(self, client):
        self.open311_clients.insert_one(client)

    def find_open311_client(self, client_id):
        return self.open311_clients.find_one({"_id": client_id})

    def find_open311_client_by_digest(self, digest):
        return self.open311_clients.find_one({"key_digest": digest})

    def open311_clients_list(self):
        return list(self.open311_clients.find({}).sort("created_at", ASCENDING))

    def update_open311_client(self, client_id, changes):
        self.open311_clients.update_one({"_id": client_id}, {"$set": changes})
