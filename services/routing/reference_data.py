"""What routing needs before its first request: the units catalogue and the staff accounts file."""
import logging

from nameko.extensions import DependencyProvider

from common import clock
from common.config import setting
from common.errors import ValidationFailed
from common.places import places
from common.storage import store_of
from services.routing import staff
from services.routing.passwords import hash_password, verify_password
from services.routing.unit_catalog import seed_units

log = logging.getLogger(__name__)


class ReferenceData(DependencyProvider):
    """Seeds at start-up; safe when two routing processes start together (all upserts).

    Injects nothing an entrypoint needs: it exists for its start-up work.
    """

    def __init__(self, store):
        self.store_attr = store

    def start(self):
        store = store_of(self.container, self.store_attr)
        store.seed_units(seed_units(places()))
        accounts_file = setting("STAFF_ACCOUNTS_FILE")
        if accounts_file:
            load_accounts(store, staff.read_accounts_file(accounts_file))

    def get_dependency(self, worker_ctx):
        return None


def load_accounts(store, accounts):
    """The file bootstraps accounts: a missing one is created; an existing one keeps what admins
    did to it (role, unit, deactivation) and only takes the file's password if that changed, so
    an operator can always reset a locked-out admin. Every entry is checked like the admin API's."""
    for position, fields in enumerate(accounts):
        try:
            staff.check_assignment(fields["role"], fields["province_code"], fields["unit_id"],
                                   fields["unit_id"] and store.find_unit(fields["unit_id"]))
        except ValidationFailed as invalid:
            raise ValueError("STAFF_ACCOUNTS_FILE entry {}: {}".format(position, invalid.fields)) from None
    for fields in accounts:
        existing = store.find_staff(fields["username"])
        if existing is None:
            store.save_staff(staff.new_account(fields, clock.now()))
        elif not verify_password(existing["password_hash"], fields["password"]):
            store.update_staff(fields["username"], {"password_hash": hash_password(fields["password"])})
    log.info("staff accounts file loaded: %d accounts", len(accounts))
