"""intake: records every application at once and owes the event that starts the flow."""
import uuid

from common import clock
from common.errors import AppError, NotFound
from common.health import Pingable
from common.metrics import MetricsEndpoint
from common.outbox import OutboxRelay
from common.rpc import rpc
from common.storage import Store
from contracts.intake import catalog
from contracts.intake.requests import validate_application
from services.intake import domain, identity, phone_verification, search, similarity
from services.intake.identity_registry import IdentityRegistry
from services.intake.metrics import APPLICATIONS_RECEIVED
from services.intake.settings import settings, verification_key
from services.intake.store import IntakeStore

settings()  # a bad setting (ANSWER_PERIODS, IDENTITY_REGISTRY, …) stops the start-up, not a citizen's submission


class IntakeService(Pingable):
    name = "intake"

    metrics = MetricsEndpoint()
    applications = Store(IntakeStore)
    publish_owed_events = OutboxRelay(store="applications")
    confirm_identity = IdentityRegistry()

    @rpc(expected_exceptions=AppError)
    def submit_application(self, body, entry_point="citizen", idempotency_key=None, officer=None, client=None):
        """``client``: the Open311 app (``{client_id, name}``) that sent it, entry point ``open311``.
        Outside the desk, the phone's proof and the registry's word come first (docs/identity.md):
        a refusal or an unreachable registry stores nothing."""
        key = domain.scoped_idempotency_key(domain.idempotency_scope(entry_point, client), idempotency_key)
        body_fingerprint = domain.fingerprint(body)
        earlier = self.applications.find_by_idempotency_key(key)
        if earlier is not None:
            return domain.replay(earlier, body_fingerprint)
        application = validate_application(body, allowed_channels=domain.channels_for(entry_point))
        received_at = clock.now()
        if entry_point == "desk":
            domain.check_desk_officer(application, officer)
            checked, proof = identity.checked(identity.BY_DESK_OFFICER, received_at, officer["username"]), None
        else:
            spender = key or uuid.uuid4().hex
            proof = self.phone_proof(application, spender, received_at)
            checked = identity.checked(self.confirm_identity(application), received_at)
            self.spend_phone_proof(proof, spender)
        number = domain.application_number(
            received_at, self.applications.next_sequence(domain.sequence_name(received_at)))
        document = self.publish_owed_events.leased(domain.new_application(
            application, number, received_at, key, body_fingerprint, entered_by=officer and officer["username"],
            client=client, answer_periods=settings().answer_periods, statutory_periods=settings().statutory_periods,
            identity=checked, phone_verified=proof is not None))
        stored = self.applications.insert_application(document)
        if stored is document:  # not a twin that won an idempotency race
            APPLICATIONS_RECEIVED.labels(document["channel"], document["kind"], document["province"]).inc()
            self.publish_owed_events.hand_over(document)
        return domain.replay(stored, body_fingerprint)

    @rpc(expected_exceptions=AppError)
    def request_phone_verification(self, body):
        """A one-time code texted to ``body["phone"]`` (docs/api.md#phone-verification); the same answer
        whoever the phone belongs to. The gateway limits how often a phone and an address may ask."""
        phone, language = domain.phone_verification_request(body)
        now = clock.now()
        verification = phone_verification.new_verification(phone, language, now, verification_key(),
                                                           settings().phone_code_lifetime)
        self.applications.insert_verification(verification, now)
        self.publish_owed_events()
        return phone_verification.created_view(verification)

    @rpc(expected_exceptions=AppError)
    def prove_phone(self, verification_id, body):
        """The code the SMS brought: 200 once right (again while unspent), 422 with the tries left,
        409 once it can prove nothing (locked, expired, spent), NotFound for an unknown id."""
        verification_id, code = domain.phone_code(verification_id, body)
        verification = verification_id and self.applications.find_verification(verification_id)
        if not verification:
            raise NotFound("phone_verification")
        now = clock.now()
        reason = phone_verification.unusable(verification, now)
        if reason:
            raise phone_verification.refused(reason)
        return phone_verification.proven_view(self.prove(verification, code, now, field="code"))

    def phone_proof(self, application, spender, now):
        """The verification proving the applicant's phone, checked and proven but not yet spent;
        None where PHONE_VERIFICATION is off. ValidationFailed naming ``phone_verification``."""
        if settings().phone_verification != phone_verification.REQUIRED:
            return None
        proof = application.phone_verification
        if proof is None:
            raise phone_verification.submission_refusal(phone_verification.REQUIRED_REASON)
        verification = self.applications.find_verification(proof["id"])
        if verification is None:
            raise phone_verification.submission_refusal(phone_verification.EXPIRED)
        if not phone_verification.phone_matches(verification, application.phone, verification_key()):
            raise phone_verification.submission_refusal(phone_verification.OTHER_PHONE)
        reason = phone_verification.unusable(verification, now, spender)
        if reason:
            raise phone_verification.submission_refusal(reason)
        if verification["proven_at"] is not None:
            return verification
        if not proof["code"]:
            raise phone_verification.submission_refusal(phone_verification.CODE_NEEDED, phone_verification.CODE_FIELD)
        return self.prove(verification, proof["code"], now, field=phone_verification.CODE_FIELD)

    def prove(self, verification, code, now, field):
        """``verification`` proven by ``code`` (a wrong one counted; ``field`` names it in the refusal)."""
        if not phone_verification.code_matches(verification, code, verification_key()):
            if verification["proven_at"] is not None:  # proven already: a wrong code changes nothing
                raise phone_verification.wrong_code(verification["attempts"], field)
            counted = self.applications.count_wrong_code(verification)
            raise phone_verification.wrong_code(
                counted["attempts"] if counted else phone_verification.MAX_ATTEMPTS, field)
        if verification["proven_at"] is not None:
            return verification
        proven = self.applications.prove_verification(verification, phone_verification.MAX_ATTEMPTS, now)
        if proven is None:  # a racing wrong try locked it, or a racing proof spent it
            raise phone_verification.refused(phone_verification.LOCKED)
        return proven

    def spend_phone_proof(self, proof, spender):
        if proof is not None and not self.applications.spend_verification(proof["_id"], spender):
            raise phone_verification.submission_refusal(phone_verification.USED)

    @rpc(expected_exceptions=AppError)
    def request_tracking_code(self, application_no, body):
        """A lost tracking code: texted again to the phone on record when ``body["national_id"]`` is
        the applicant's, at most once an hour. Answers None either way (the caller must not learn
        whether they matched); ValidationFailed names ``national_id``."""
        number, national_id = domain.tracking_code_request(application_no, body)
        document = self.applications.find_application(number) if number else None
        if not domain.applicant_matches(document, national_id):
            return None
        now = clock.now()
        if self.applications.owe_tracking_code(number, national_id, domain.reminded_before(now),
                                               domain.tracking_code_requested(document, now), now):
            self.publish_owed_events()
        return None

    @rpc(expected_exceptions=AppError)
    def get_application_record(self, principal, application_no, purpose=None):
        """The application with the applicant's personal data; every call is audited."""
        document = self.applications.find_application(application_no)
        if document is None or document["province_code"] != principal["province_code"]:
            raise NotFound("application")
        self.applications.record_read(
            domain.audit_entry(principal, application_no, domain.read_purpose(purpose), clock.now()))
        return domain.staff_record(document)

    @rpc(expected_exceptions=AppError)
    def get_access_log(self, application_no, tracking_code, language=None):
        """Every audited read of the applicant's personal data, for the applicant (docs/api.md#access-log);
        NotFound, as tracking answers, unless ``tracking_code`` is the application's."""
        document = self.applications.find_application(application_no)
        if not domain.code_matches(document, tracking_code):
            raise NotFound("application")
        return domain.access_log_view(document, self.applications.reads_of(application_no), language)

    @rpc(expected_exceptions=AppError)
    def export_personal_data(self, principal, body):
        """KVKK: everything intake holds about the applicant of ``body["national_id"]`` in the
        admin's province; audited (``kvkk_export``) before it is handed out."""
        national_id, _ = domain.personal_data_request(body, with_reason=False)
        documents = self.applications.applicant_applications(national_id, principal["province_code"])
        if not documents:
            raise NotFound("applicant")
        self.record_personal_data_request(principal, domain.KVKK_EXPORT, national_id, documents, clock.now())
        return {"national_id": national_id,
                "applications": [domain.personal_data_view(document) for document in documents]}

    @rpc(expected_exceptions=AppError)
    def erase_personal_data(self, principal, body):
        """KVKK: erases the applicant's personal data from each of their applications in the admin's
        province, each write owing ``applicant_data_erased`` for the other services; audited
        (``kvkk_erasure``, with the reason). Nothing left to erase is NotFound."""
        national_id, reason = domain.personal_data_request(body, with_reason=True)
        documents = self.applications.applicant_applications(national_id, principal["province_code"])
        if not documents:
            raise NotFound("applicant")
        now = clock.now()
        self.record_personal_data_request(principal, domain.KVKK_ERASURE, national_id, documents, now, reason)
        erased = [document["_id"] for document in documents if self.applications.erase_applicant(
            document["_id"], national_id, domain.erasure_changes(document, principal, now))]
        if not erased:  # a concurrent erasure took them all
            raise NotFound("applicant")
        self.applications.purge_erased()
        self.publish_owed_events()
        return domain.erasure_receipt(erased, now)

    def record_personal_data_request(self, principal, action, national_id, documents, now, reason=None):
        """Before anything is handed out or erased: the request's record (the admin screen's list)
        and one audit entry per application."""
        numbers = [document["_id"] for document in documents]
        record = domain.personal_data_request_record(principal, action, national_id, numbers, now, reason)
        self.applications.record_personal_data_request(record)
        self.applications.record_reads(
            domain.kvkk_audit_entries(principal, numbers, action, now, reason, request_id=record["_id"]))

    @rpc(expected_exceptions=AppError)
    def list_personal_data_requests(self, principal):
        """KVKK: the province's export and erasure requests, newest first (at most 100)."""
        records = self.applications.personal_data_requests_of(principal["province_code"],
                                                              domain.PERSONAL_DATA_REQUESTS_SHOWN)
        return [domain.personal_data_request_view(record) for record in records]

    @rpc(expected_exceptions=AppError)
    def find_applications(self, principal, q):
        """The staff queue's search box: an application number, the applicant's national ID (routers
        and admins; audited, purpose ``search``) or words of subject and description, within the
        principal's province; newest first, at most 1000 numbers."""
        query = domain.search_query(principal, q)
        province_code = principal["province_code"]
        if query.matched_by == search.NUMBER:
            found = self.applications.number_in_province(query.value, province_code)
        elif query.matched_by == search.NATIONAL_ID:
            found = self.applications.applicant_numbers(query.value, province_code, domain.SEARCH_RESULTS_LIMIT)
            now = clock.now()
            self.applications.record_reads(
                [domain.audit_entry(principal, number, domain.SEARCH_PURPOSE, now) for number in found])
        else:
            found = self.applications.numbers_with_words(province_code, query.words, domain.SEARCH_RESULTS_LIMIT)
        return domain.search_answer(query, found)

    @rpc(expected_exceptions=AppError)
    def application_subjects(self, principal, application_nos):
        """``{application_no: subject | None}`` for the queue's rows (None: erased, or not the
        principal's province)."""
        numbers = domain.requested_numbers(application_nos)
        return domain.subjects_view(numbers, self.applications.subjects(numbers, principal["province_code"]))

    @rpc(expected_exceptions=AppError)
    def similar_applications(self, principal, application_no):
        """Likely duplicates of an application of the principal's province (docs/api.md#similar);
        the gateway keeps those the principal may see (routing's scope)."""
        application = self.applications.find_application(str(application_no))
        if application is None or application["province_code"] != principal["province_code"]:
            raise NotFound("application")
        candidates = self.applications.similarity_candidates(application, similarity.windows(application),
                                                             similarity.FIELDS)
        return similarity.similar(application, candidates)

    @rpc
    def get_catalog(self):
        """The forms' choices, and what a submission must prove (docs/identity.md)."""
        return dict(catalog.client_catalogue(), requirements=domain.requirements(settings()))
