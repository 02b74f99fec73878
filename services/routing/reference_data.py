"""What routing needs before its first request: the units catalogue and the staff accounts file."""
import logging

from nameko.extensions import DependencyProvider

from common import clock
from common.config import setting
from common.places import places
from common.storage import store_of
from services.routing import staff
from services.routing.passwords import verify_password
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
    """Creates missing accounts and sets the file's password where it changed."""
    for fields in accounts:
        existing = store.find_staff(fields["username"])
        if existing and verify_password(existing["password_hash"], fields["password"]):
            continue
        account = staff.new_account(fields, clock.now())
        if existing:
            account["created_at"] = existing.get("created_at", account["created_at"])
        store.save_staff(account)
    log.info("staff accounts file loaded: %d accounts", len(accounts))
