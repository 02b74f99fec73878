"""What routing needs before its first request: the units catalogue and the staff accounts file."""
import logging

from nameko.extensions import DependencyProvider

from common import clock
from common.errors import ValidationFailed
from common.places import places
from common.storage import store_of
from services.routing import staff
from services.routing.passwords import hash_password, verify_password
from services.routing.settings import RoutingSettings
from services.routing.unit_catalog import seed_units

log = logging.getLogger(__name__)


class ReferenceData(DependencyProvider):
    """Seeds at start-up; safe when two routing processes start together (all upserts).

    Injects nothing an entrypoint needs: it exists for its start-up work.
    """

    def __init__(self, units_store, accounts_store):
        self.units_store_attr = units_store
        self.accounts_store_attr = accounts_store

    def start(self):
        units_store = store_of(self.container, self.units_store_attr)
        units_store.seed_units(seed_units(places()))
        accounts_file = RoutingSettings.from_environment().staff_accounts_file
        if accounts_file:
            load_accounts(store_of(self.container, self.accounts_store_attr), units_store.find_unit,
                          staff.read_accounts_file(accounts_file))

    def get_dependency(self, worker_ctx):
        return None


def load_accounts(accounts_store, find_unit, accounts):
    """The file bootstraps accounts. A missing account is created, checked like the admin API's.
    An existing one keeps what admins did to it (password, role, unit, deactivation, display name)
    — unless the file's password for it changed since the last load: then that password is set, so
    an operator can always reset a locked-out admin by editing the file. An account made before
    display names existed takes the file's."""
    existing = {fields["username"]: accounts_store.find_staff(fields["username"]) for fields in accounts}
    for position, fields in enumerate(accounts):
        if existing[fields["username"]] is None:
            try:
                staff.check_assignment(fields["role"], fields["province_code"], fields["unit_id"],
                                       fields["unit_id"] and find_unit(fields["unit_id"]))
            except ValidationFailed as invalid:
                raise ValueError("STAFF_ACCOUNTS_FILE entry {}: {}".format(position, invalid.fields)) from None
    for fields in accounts:
        account = existing[fields["username"]]
        if account is None:
            accounts_store.insert_staff(staff.new_account(fields, clock.now(), from_file=True))
            continue
        if not verify_password(account.get("file_password_hash"), fields["password"]):
            new_hash = hash_password(fields["password"])
            accounts_store.update_staff(fields["username"],
                                        {"password_hash": new_hash, "file_password_hash": new_hash},
                                        revoke_tokens=True)
        if fields["display_name"] and not account.get("display_name"):  # made before display names existed
            accounts_store.update_staff(fields["username"], {"display_name": fields["display_name"]})
    log.info("staff accounts file loaded: %d accounts", len(accounts))
