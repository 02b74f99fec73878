"""routing: the officers' half — queues, units, staff accounts, transitions and deadlines."""
from common import clock
from common.batch_handlers import batch_event_handler
from common.errors import AppError, Conflict, NotFound, Unauthorized, ValidationFailed
from common.handlers import event_handler
from common.health import Pingable
from common.metrics import MetricsEndpoint
from common.outbox import OutboxRelay
from common.places import places
from common.rpc import rpc
from common.storage import Store
from contracts.routing import requests
from messages import bilingual
from services.routing import domain, incident_members, incidents, open311_clients, queue, staff, verification
from services.routing.accounts_store import AccountsStore
from services.routing.answer_keys import AnswerKeys
from services.routing.deadlines import DeadlineWatcher
from services.routing.metrics import APPLICATIONS_ANSWERED, APPLICATIONS_ROUTED
from services.routing.passwords import hash_password, verify_password
from services.routing.reference_data import ReferenceData
from services.routing.store import RoutingStore
from services.routing.unit_catalog import suggest_unit


class RoutingService(Pingable):
    name = "routing"

    metrics = MetricsEndpoint()
    applications = Store(RoutingStore)
    accounts = Store(AccountsStore)  # staff and Open311 client apps: who may call
    publish_owed_events = OutboxRelay(store="applications")
    watch_deadlines = DeadlineWatcher(store="applications")
    reference_data = ReferenceData(units_store="applications", accounts_store="accounts")
    answer_keys = AnswerKeys()  # answers are signed: anyone can verify them (GET /api/v1/verify/{code})

    @batch_event_handler("intake", "application_received")
    def handle_application_received(self, *events):
        """A batch's entries in one write; each province's staffed units read once a batch."""
        units = {code: domain.staffed(self.applications.active_units(code), self.accounts.staffed_unit_ids(code))
                 for code in {event["province_code"] for event in events}}
        self.applications.add_to_queue(*(
            domain.queued_application(event, suggest_unit(units[event["province_code"]], event["category"],
                                                          event["district"]))
            for event in events))

    @event_handler("tracking", "objection_filed")
    def handle_objection_filed(self, event):
        """Back to the unit that answered, flagged as an objection, with the objection's deadlines.
        Raced by another routing process, the handler runs again and finds it done."""
        application = self.applications.find_application(event["application_no"])
        reopened = application and domain.reopen_on_objection(application, event, clock.now())
        if reopened and not self.applications.apply(event["application_no"], domain.linked(reopened, application)):
            raise domain.state_changed()

    @event_handler("intake", "applicant_data_erased")
    def handle_applicant_data_erased(self, event):
        """KVKK: the contact log's notes and the objection's text go (routing holds nothing else personal)."""
        self.applications.erase_contact_notes(event["application_no"], domain.contacts_erased, clock.now())
        self.applications.erase_objection_text(event["application_no"])
        self.applications.purge_erased()

    @rpc(expected_exceptions=AppError)
    def export_personal_data(self, principal, application_nos):
        """KVKK export: per application of the admin's province, the contact log."""
        return {application["_id"]: domain.personal_data_view(application)
                for application in self.applications.applications_in_province(
                    application_nos, principal["province_code"])}

    # --- staff authentication -------------------------------------------------------------------

    @rpc(expected_exceptions=AppError)
    def authenticate(self, username, password):
        account = self.accounts.find_staff(str(username).strip().lower())
        valid = verify_password(account and account["password_hash"], str(password))
        if not valid or not account.get("active", True):
            raise Unauthorized()
        return staff.principal(account)

    @rpc(expected_exceptions=AppError)
    def token_generation(self, username):
        """What the gateway checks a token against: a change of role, unit, activity or password
        increments it, so every token issued before is refused (None: no token is honoured)."""
        return staff.token_generation(self.accounts.find_staff(str(username).strip().lower()))

    @rpc(expected_exceptions=AppError)
    def staff_profile(self, principal):
        """Who is logged in (the console's header): names of the officer, the province and the unit."""
        account = self.accounts.find_staff(principal["username"])
        if account is None:
            raise Unauthorized()
        unit = account.get("unit_id") and self.applications.find_unit(account["unit_id"])
        return staff.profile(account, places().find_province(account["province_code"]).name, unit)

    # --- the queue and the record ---------------------------------------------------------------

    @rpc(expected_exceptions=AppError)
    def list_applications(self, principal, query, application_nos=None):
        """``application_nos``: only these (what the gateway's search found); None: the whole queue."""
        return queue.queue_page(self.applications, principal, requests.queue_query(query), clock.now(),
                                application_nos)

    @rpc(expected_exceptions=AppError)
    def get_application(self, principal, application_no):
        return self._record(domain.require_visible(principal, self.applications.find_application(application_no)))

    def _record(self, application):
        names = self.accounts.display_names(domain.staff_usernames(application))
        return domain.record_view(application, clock.now(), names)

    # --- transitions ----------------------------------------------------------------------------

    @rpc(expected_exceptions=AppError)
    def route_application(self, principal, application_no, body):
        unit_id, note = requests.route_request(body)
        unit = self.applications.find_unit(unit_id)
        record = self._transition(principal, application_no,
                                  lambda application, now: domain.route(application, unit, principal, note, now))
        APPLICATIONS_ROUTED.labels(record["province"]).inc()
        return record

    @rpc(expected_exceptions=AppError)
    def record_contact(self, principal, application_no, body):
        channel, note = requests.contact_request(body)
        return self._transition(principal, application_no,
                                lambda application, now: domain.contact(application, principal, channel, note, now))

    @rpc(expected_exceptions=AppError)
    def return_application(self, principal, application_no, body):
        reason = requests.return_request(body)
        return self._transition(principal, application_no,
                                lambda application, now: domain.return_to_router(application, principal, reason, now))

    @rpc(expected_exceptions=AppError)
    def answer_application(self, principal, application_no, body):
        text, outcome = requests.answer_request(body)
        record = self._transition(principal, application_no, lambda application, now: domain.answer(
            application, principal, text, outcome, now, verification.sealed(application, text, now, self.answer_keys)))
        APPLICATIONS_ANSWERED.labels(record["province"], "true" if domain.answered_on_time(record) else "false").inc()
        return record

    def _transition(self, principal, application_no, decide):
        application = domain.require_visible(principal, self.applications.find_application(application_no))
        if not self.applications.apply(application_no, domain.linked(decide(application, clock.now()), application)):
            raise domain.state_changed()
        self.publish_owed_events()
        return self._record(self.applications.find_application(application_no))

    @rpc(expected_exceptions=AppError)
    def visible_among(self, principal, application_nos):
        """``{application_no: queue entry}`` of those of ``application_nos`` the principal may see."""
        now = clock.now()
        return {application["_id"]: domain.queue_entry_view(application, now)
                for application in self.applications.applications_in_province(
                    requests.listed_numbers(application_nos),
                    principal["province_code"])
                if domain.visible_to(principal, application)}

    # --- incidents: applications handled as one ---------------------------------------------------

    @rpc(expected_exceptions=AppError)
    def create_incident(self, principal, body):
        title, numbers = requests.new_incident_request(body)
        incident = incidents.new_incident(title, principal, clock.now())
        self.applications.insert_incident(incident)
        try:
            return self._group(principal, incident, numbers)
        except AppError:
            self.applications.delete_incident(incident["_id"])
            raise

    @rpc(expected_exceptions=AppError)
    def add_to_incident(self, principal, incident_id, body):
        numbers = requests.incident_applications_request(body)
        return self._group(principal, self._incident(principal, incident_id), numbers)

    @rpc(expected_exceptions=AppError)
    def route_incident(self, principal, incident_id, body):
        unit_id, _ = requests.route_request(body)
        incident = self._incident(principal, incident_id)
        incidents.require_routable(incident)
        unit = self.applications.find_unit(unit_id)
        domain.require_unit_available(unit, incident["province_code"])
        if not self.applications.route_incident(incident["_id"], unit):
            incidents.require_routable(self.applications.find_incident(incident["_id"]))
        return self._brought_up(principal, incident["_id"], router=principal)

    @rpc(expected_exceptions=AppError)
    def answer_incident(self, principal, incident_id, body):
        text, outcome = requests.answer_request(body)
        incident = self._incident(principal, incident_id)
        incidents.require_answerable(principal, incident)
        if not self.applications.answer_incident(incident["_id"], principal["unit_id"],
                                                 incidents.incident_answer(text, outcome, principal, clock.now())):
            raise incidents.already_answered()
        return self._brought_up(principal, incident["_id"])

    @rpc(expected_exceptions=AppError)
    def get_incident(self, principal, incident_id):
        incident = self._incident(principal, incident_id)
        now = clock.now()
        return incidents.incident_view(incident, [
            domain.queue_entry_view(member, now) for member in self.applications.members(incident["_id"])
            if domain.visible_to(principal, member)])

    def _incident(self, principal, incident_id):
        return incidents.require_in_scope(principal, self.applications.find_incident(str(incident_id)))

    def _group(self, principal, incident, numbers):
        """Joins ``numbers`` to the incident, all or none; then brings them up to it."""
        found = self.applications.applications_in_province(numbers, principal["province_code"])
        incidents.require_members_in_province(numbers, found)
        new = [application["_id"] for application in found if application.get("incident_id") != incident["_id"]]
        joined = [number for number in new if self.applications.join_incident(number, incident["_id"])]
        if len(joined) < len(new):
            self.applications.leave_incident(joined, incident["_id"])
            raise incidents.in_another_incident(set(new) - set(joined))
        self.applications.add_incident_members(incident["_id"], new, incidents.changed_event)
        return self._brought_up(principal, incident["_id"], router=principal)

    def _brought_up(self, principal, incident_id, router=None):
        incident_members.bring_up(self.applications, self.applications.find_incident(incident_id), self.answer_keys,
                                  router=router)
        self.publish_owed_events()
        return self.get_incident(principal, incident_id)

    # --- verifying an answer (public: nothing personal) ------------------------------------------

    @rpc(expected_exceptions=AppError)
    def verify_answer(self, code, body=None):
        """The answer sealed with ``code``, its signature checked; ``body``: ``{"text"}``, a copy of
        the answer to compare with it."""
        code = verification.wanted_code(code)
        pasted = requests.pasted_answer_text(body)
        application = self.applications.find_by_verification_code(code)
        return verification.verification_view(application or {}, code, self.answer_keys, pasted)

    @rpc(expected_exceptions=AppError)
    def answer_verification_keys(self):
        """The public keys answers are signed with, the signing one first."""
        return self.answer_keys.views()

    # --- units ----------------------------------------------------------------------------------

    @rpc(expected_exceptions=AppError)
    def list_units(self, principal, province=None):
        if requests.units_query(province) not in (None, principal["province_code"]):
            raise NotFound("province")
        officers = self.accounts.officers_per_unit(principal["province_code"])
        return [staff.unit_view(unit, officers.get(unit["unit_id"], 0))
                for unit in self.applications.units_in_province(principal["province_code"])]

    @rpc(expected_exceptions=AppError)
    def unit_names(self, unit_ids):
        """``{unit_id: name}`` of the units among ``unit_ids`` that exist: a unit's name is public
        (the citizen's access log names the units that read their data; who works there is not)."""
        return {unit["_id"]: unit["name"] for unit in self.applications.units_named(requests.unit_ids(unit_ids))}

    @rpc(expected_exceptions=AppError)
    def create_unit(self, principal, body):
        fields = requests.new_unit_request(body, principal["province_code"])
        province = places().find_province(principal["province_code"])
        unit = staff.new_unit(fields, {"code": province.code, "name": province.name}, clock.now())
        self.applications.insert_unit(unit)
        return staff.unit_view(unit)

    @rpc(expected_exceptions=AppError)
    def update_unit(self, principal, unit_id, body):
        changes = requests.unit_changes_request(body)
        unit = self.applications.find_unit(unit_id)
        if unit is None or unit["province_code"] != principal["province_code"]:
            raise NotFound("unit")
        if staff.deactivates(unit, changes):
            staff.require_no_open_applications(self.applications.count_open_at_unit(unit))
        self.applications.update_unit(unit_id, changes)
        officers = self.accounts.officers_per_unit(principal["province_code"])
        return staff.unit_view(self.applications.find_unit(unit_id), officers.get(unit_id, 0))

    # --- staff accounts -------------------------------------------------------------------------

    @rpc(expected_exceptions=AppError)
    def list_staff(self, principal):
        return [staff.account_view(account)
                for account in self.accounts.staff_in_province(principal["province_code"])]

    @rpc(expected_exceptions=AppError)
    def create_staff(self, principal, body):
        fields = requests.new_staff_request(body)
        staff.require_own_province(principal, fields["province_code"])
        staff.check_assignment(fields["role"], fields["province_code"], fields["unit_id"],
                               fields["unit_id"] and self.applications.find_unit(fields["unit_id"]))
        account = staff.new_account(fields, clock.now())
        if not self.accounts.insert_staff(account):
            raise ValidationFailed({"username": bilingual("staff.username_taken")})
        return staff.account_view(account)

    @rpc(expected_exceptions=AppError)
    def update_staff(self, principal, username, body):
        changes = requests.staff_changes_request(body)
        username = str(username).strip().lower()
        account = self.accounts.find_staff(username)
        if account is None or account["province_code"] != principal["province_code"]:
            raise NotFound("staff")
        stored = staff.account_changes(account, changes, self.applications.find_unit)
        staff.require_an_admin_left(account, stored,
                                    self.accounts.count_active_admins(account["province_code"], besides=username))
        self.accounts.update_staff(username, stored, revoke_tokens=staff.revokes_tokens(account, stored))
        self._undo_if_no_admin_left(account, stored)
        return staff.account_view(self.accounts.find_staff(username))

    @rpc(expected_exceptions=AppError)
    def reset_password(self, principal, username):
        """A new random password for the account, in this answer only; its tokens so far stop working."""
        username = str(username).strip().lower()
        account = self.accounts.find_staff(username)
        if account is None or account["province_code"] != principal["province_code"]:
            raise NotFound("staff")
        password = staff.new_password()
        self.accounts.update_staff(username, {"password_hash": hash_password(password)}, revoke_tokens=True)
        return {"username": username, "password": password}

    @rpc(expected_exceptions=AppError)
    def staff_display_names(self, principal, usernames):
        """{username: display name} of the officers of the principal's province among ``usernames``."""
        accounts = {account["_id"]: account for account in self.accounts.staff_in_province(principal["province_code"])}
        return {name: staff.display_name(accounts[name]) for name in usernames if name in accounts}

    def _undo_if_no_admin_left(self, account, stored):
        """Two admins demoting each other at once both saw the other one active: checked again
        after the write, the change is undone (both are, then) rather than leave nobody."""
        if staff.steps_down(account, stored) and self.accounts.count_active_admins(account["province_code"]) == 0:
            self.accounts.update_staff(account["_id"], staff.previous_values(account, stored))
            raise Conflict(*staff.LAST_ADMIN)

    # --- Open311 client apps (GeoReport v2 api_key) ---------------------------------------------

    @rpc(expected_exceptions=AppError)
    def create_open311_client(self, principal, body):
        """A new client app and its key: the key is in this answer only (routing keeps its digest)."""
        name = requests.new_open311_client_request(body)
        api_key = open311_clients.new_api_key()
        client = open311_clients.new_client(name, principal, api_key, clock.now())
        self.accounts.insert_open311_client(client)
        return dict(open311_clients.client_view(client), api_key=api_key)

    @rpc(expected_exceptions=AppError)
    def list_open311_clients(self, principal):
        """Every client app (they are national, like their keys); never a key."""
        return [open311_clients.client_view(client) for client in self.accounts.open311_clients_list()]

    @rpc(expected_exceptions=AppError)
    def update_open311_client(self, principal, client_id, body):
        changes = requests.open311_client_changes_request(body)
        if self.accounts.find_open311_client(str(client_id)) is None:
            raise NotFound("open311_client")
        self.accounts.update_open311_client(str(client_id), changes)
        return open311_clients.client_view(self.accounts.find_open311_client(str(client_id)))

    @rpc(expected_exceptions=AppError)
    def authenticate_open311_client(self, api_key):
        """``{client_id, name}`` of the active client app holding ``api_key``; else Unauthorized."""
        client = self.accounts.find_open311_client_by_digest(open311_clients.key_digest(api_key))
        if client is None or not client.get("active", True):
            raise Unauthorized()
        return open311_clients.client_identity(client)
