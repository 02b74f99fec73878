"""Staff accounts: who an officer is (the principal), and the rules for creating and changing one."""
import json
import secrets
import uuid

from common.errors import Conflict, ValidationFailed
from contracts.routing import requests
from messages import bilingual
from services.routing.passwords import hash_password


def principal(account):
    """What the gateway signs into a token and sends back with every staff call."""
    return {
        "username": account["_id"],
        "role": account["role"],
        "province_code": account["province_code"],
        "unit_id": account.get("unit_id"),
    }


# A change to any of these takes rights away (or may: a new role is other rights, a reset password
# means someone else may have had the old one), so tokens issued before it must stop working.
REVOKING_FIELDS = ("role", "unit_id", "province_code", "active", "password_hash")

LAST_ADMIN = ("last_admin", bilingual("staff.last_admin"))


def token_generation(account):
    """The generation the officer's tokens must carry to be honoured; None when no
    token may be: no such account, or a deactivated one."""
    if account is None or not account.get("active", True):
        return None
    return account.get("token_generation", 0)


def revokes_tokens(account, stored):
    """True if ``stored`` (an update of ``account``) changes who the officer is or their password."""
    current = dict(account, active=account.get("active", True))
    return any(name in stored and stored[name] != current.get(name) for name in REVOKING_FIELDS)


def steps_down(account, stored):
    """True if ``stored`` makes an active admin no longer one."""
    def active_admin(fields):
        return fields.get("role") == "admin" and fields.get("active", True)

    return active_admin(account) and not active_admin(dict(account, **stored))


def require_an_admin_left(account, stored, other_active_admins):
    """A province must keep one active admin: else nobody can manage its accounts until an operator
    edits the accounts file."""
    if steps_down(account, stored) and other_active_admins == 0:
        raise Conflict(*LAST_ADMIN)


def previous_values(account, stored):
    """What ``stored`` overwrote, to put it back."""
    return {name: account.get(name, True if name == "active" else None) for name in stored}


def new_account(fields, now, from_file=False):
    """``file_password_hash`` remembers what the accounts file said, to tell a file edit from an
    admin's change; accounts an admin makes have none."""
    password_hash = hash_password(fields["password"])
    return {
        "_id": fields["username"],
        "display_name": fields.get("display_name") or fields["username"],
        "role": fields["role"],
        "province_code": fields["province_code"],
        "unit_id": fields.get("unit_id"),
        "password_hash": password_hash,
        "file_password_hash": password_hash if from_file else None,
        "active": True,
        "created_at": now,
    }


def check_assignment(role, province_code, unit_id, unit):
    """A unit officer belongs to one active unit of their province; nobody else has a unit."""
    if role == "unit":
        if unit_id is None:
            raise ValidationFailed({"unit_id": bilingual("staff.unit_required")})
        if unit is None or unit["province_code"] != province_code or not unit.get("active", True):
            raise ValidationFailed({"unit_id": bilingual("staff.unit_of_province")})
    elif unit_id is not None:
        raise ValidationFailed({"unit_id": bilingual("staff.unit_only_for_officers")})


def require_own_province(admin, province_code):
    if province_code != admin["province_code"]:
        raise ValidationFailed({"province": bilingual("staff.own_province")})


def account_view(account):
    view = principal(account)
    view["active"] = account.get("active", True)
    view["display_name"] = display_name(account)
    return view


def display_name(account):
    """How colleagues read the officer's name (accounts made before display names: the username)."""
    return account.get("display_name") or account["_id"]


def profile(account, province_name, unit):
    """Who is logged in, for the console's header: the account and the names of its province and unit."""
    return {"username": account["_id"], "display_name": display_name(account), "role": account["role"],
            "province_code": account["province_code"], "province_name": province_name,
            "unit_id": account.get("unit_id"), "unit_name": unit["name"] if unit else None}


# A new password an admin hands over once: 16 characters of an alphabet with no look-alikes
# (0/O, 1/l/I), grouped by four so it can be read out and typed: about 90 bits.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_password():
    characters = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(16))
    return "-".join(characters[start:start + 4] for start in range(0, 16, 4))


def read_accounts_file(path):
    """The accounts of ``STAFF_ACCOUNTS_FILE``: a JSON list of {username, password, role,
    province, unit_id?, display_name?}; a bad entry stops the start-up, naming its position."""
    with open(path, encoding="utf-8") as accounts_file:
        entries = json.load(accounts_file)
    if not isinstance(entries, list):
        raise ValueError("STAFF_ACCOUNTS_FILE must hold a JSON list")
    accounts = []
    for position, entry in enumerate(entries):
        try:
            accounts.append(requests.new_staff_request(entry))
        except ValidationFailed as invalid:
            raise ValueError("STAFF_ACCOUNTS_FILE entry {}: {}".format(position, invalid.fields)) from None
    usernames = [account["username"] for account in accounts]
    repeated = sorted({name for name in usernames if usernames.count(name) > 1})
    if repeated:
        raise ValueError("STAFF_ACCOUNTS_FILE names an account more than once: {}".format(", ".join(repeated)))
    return accounts


def new_unit(fields, province, now):
    """A unit an admin adds: its own id, in the admin's province."""
    unit_id = "{}-custom-{}".format(province["code"], uuid.uuid4().hex[:8])
    return {
        "_id": unit_id,
        "unit_id": unit_id,
        "province_code": province["code"],
        "province": province["name"],
        "district": fields.get("district"),
        "type": fields["type"],
        "name": fields["name"],
        "name_en": fields.get("name_en") or fields["name"],
        "active": True,
        "seeded": False,
        "created_at": now,
    }


def unit_view(unit, active_officers=0):
    """A unit as listed, with its ``active_officers`` (active unit officers assigned to it)."""
    view = {key: unit.get(key) for key in ("unit_id", "province_code", "province", "district", "type", "name",
                                           "name_en", "active")}
    view["active_officers"] = active_officers
    return view


def deactivates(unit, changes):
    """True if ``changes`` (an admin's PATCH) turns an active unit inactive."""
    return changes.get("active") is False and unit.get("active", True)


def require_no_open_applications(open_applications):
    """A unit is deactivated only once nothing routed there waits for an answer: else its applications
    would be left with nobody to answer them (the admin has them answered or returned first)."""
    if open_applications:
        raise Conflict("unit_has_open_applications",
                       bilingual("routing.unit_has_open_applications", count=open_applications))


def account_changes(account, changes, find_unit):
    """The stored fields for an admin's PATCH; role and unit are checked together."""
    role = changes.get("role", account["role"])
    unit_id = changes["unit_id"] if "unit_id" in changes else account.get("unit_id")
    if role != "unit" and "unit_id" not in changes:
        unit_id = None
    check_assignment(role, account["province_code"], unit_id, unit_id and find_unit(unit_id))
    stored = {"role": role, "unit_id": unit_id}
    if "active" in changes:
        stored["active"] = changes["active"]
    if "password" in changes:
        stored["password_hash"] = hash_password(changes["password"])
    if "display_name" in changes:
        stored["display_name"] = changes["display_name"]
    return stored
