"""Routing's accounts: the staff who log in and the Open311 client apps that submit, each with
what authenticates them (a password hash, a key digest). Kept apart from the applications'
store (``store.py``) because they are who may call, not what is handled; on disk they are the
``staff`` and ``open311_clients`` collections of routing's database, as before the split
(docs/architecture.md#stores)."""
from pymongo import ASCENDING

from common.storage import insert_new


class AccountsStore:
    def __init__(self, database):
        self.staff = database.get_collection("staff")
        self.open311_clients = database.get_collection("open311_clients")

    def create_indexes(self):
        self.open311_clients.create_index("key_digest", unique=True)

    # --- staff ----------------------------------------------------------------------------------

    def find_staff(self, username):
        return self.staff.find_one({"_id": username})

    def insert_staff(self, account):
        """False if the username is taken."""
        return insert_new(self.staff, account)

    def update_staff(self, username, changes, revoke_tokens=False):
        """``revoke_tokens``: the officer's tokens so far stop working (staff.token_generation)."""
        update = {"$set": changes}
        if revoke_tokens:
            update["$inc"] = {"token_generation": 1}
        self.staff.update_one({"_id": username}, update)

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
