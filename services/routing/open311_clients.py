"""Open311 client apps (GeoReport v2 ``api_key``): issued by admins, verified on every POST.

The key is shown once, when issued; routing keeps only its SHA-256 digest (a key is a random
256-bit token, so a plain digest cannot be reversed or guessed, and a lookup by digest is an
index hit). A client is national: its key works for every province's jurisdiction.
"""
import hashlib
import secrets
import uuid

from common import clock

KEY_PREFIX = "ak311_"


def new_api_key():
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_digest(api_key):
    return hashlib.sha256(str(api_key).encode("utf-8")).hexdigest()


def new_client(name, principal, api_key, now):
    client_id = uuid.uuid4().hex[:12]
    return {
        "_id": client_id,
        "client_id": client_id,
        "name": name,
        "key_digest": key_digest(api_key),
        "active": True,
        "created_by": principal["username"],
        "province_code": principal["province_code"],
        "created_at": now,
    }


def client_view(client):
    return {"client_id": client["client_id"], "name": client["name"], "active": client.get("active", True),
            "created_by": client["created_by"], "created_at": clock.to_iso(client["created_at"])}


def client_identity(client):
    """What intake records on an application the client sent."""
    return {"client_id": client["client_id"], "name": client["name"]}
