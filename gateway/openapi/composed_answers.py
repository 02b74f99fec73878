"""The answers the gateway composes itself (not one service's TypedDict), for the document."""
import typing

from contracts.intake import rpc as intake_rpc
from contracts.notification import rpc as notification_rpc
from contracts.routing import rpc as routing_rpc
from contracts.tracking import rpc as tracking_rpc


class TokenAnswer(typing.TypedDict):
    access_token: str
    token_type: str
    expires_in: int
    role: str
    province: str
    unit_id: typing.Optional[str]


class StaffSession(routing_rpc.StaffProfile):
    """Routing's profile of the officer and when the token presented stops working."""
    expires_at: str


class StaffQueueEntry(routing_rpc.QueueEntry):
    subject: typing.Optional[str]  # intake's; None when erased (or intake did not answer in time)


class QueueSearch(typing.TypedDict):
    q: str
    matched_by: str  # number, national_id or words


class StaffQueuePage(typing.TypedDict):
    """Routing's page (of what intake's search found, with ``q``), each entry with its subject."""
    items: list[StaffQueueEntry]
    total: int
    page: int
    page_size: int
    counts: routing_rpc.QueueCounts
    search: typing.Optional[QueueSearch]  # None without q


class PersonalDataRequestEntry(intake_rpc.PersonalDataRequest):
    by_name: str  # the admin's display name (the username where routing has none)


class StaffRecord(routing_rpc.Record):
    """Routing's record, intake's part (the applicant: an audited read) and the SMS states."""
    applicant: dict
    subject: str
    description: str
    language: str
    entered_by: typing.Optional[str]
    client: typing.Optional[str]  # the Open311 client app that sent it
    privacy_notice_version: typing.Optional[str]  # the privacy notice acknowledged; None: not recorded
    # how the applicant was identified: {checked_by: population_registry | desk_officer | not_checked,
    # checked_at, officer (at a desk)}; None for applications older than the check
    identity: typing.Optional[dict]
    phone_verified: bool  # a one-time code proved the phone
    sms: typing.Optional[list[notification_rpc.MessageView]]  # None: notification is away


class UnitName(typing.TypedDict):
    name: str


class PublicAnswer(typing.TypedDict):
    text: str
    outcome: str
    answered_at: str
    verification_code: typing.Optional[str]  # under which anyone can verify it (GET /api/v1/verify/{code})
    feedback: typing.Optional[tracking_rpc.Rating]  # the applicant's rating, once given


class ConsideredWith(typing.TypedDict):
    count: int
    text: str


class PublicStatusView(tracking_rpc.StatusView, total=False):
    """Tracking's view with the keys it adds only when they apply."""
    unit: UnitName  # once routed
    answer: PublicAnswer  # once answered
    objection_until: str  # while an objection may be filed
    objection: tracking_rpc.Objection  # once objected to
    considered_with: ConsideredWith  # part of an incident: how many others were considered with it
    notice: str  # the SMS could not be sent: where to read the result
    notice_email: str  # with the notice: the address the same notice went to by e-mail, masked


class PublicAccessLogRead(typing.TypedDict):
    at: str
    role: str  # desk, router, unit or admin
    role_text: str
    unit: str  # the unit's name (routing's), or the office for the governorship's own officers
    purpose: str


class PublicAccessLog(typing.TypedDict):
    """Intake's audited reads, each unit named by routing; never an officer's name."""
    application_no: str
    language: str
    reads: list[PublicAccessLogRead]


class SimilarEntry(intake_rpc.SimilarApplication):
    queue_entry: routing_rpc.QueueEntry  # routing's, as the caller sees it


class SimilarApplications(typing.TypedDict):
    application_no: str
    similar: list[SimilarEntry]  # only those the caller may see


class VerificationKeys(typing.TypedDict):
    keys: list[routing_rpc.VerificationKey]


class MessageAnswer(typing.TypedDict):
    message: str  # Turkish / English


class DeliveryReportAnswer(typing.TypedDict):
    received: bool  # the report is with the broker (published with confirms); notification applies it


class Health(typing.TypedDict):
    status: str


class Readiness(typing.TypedDict):
    status: str
    checks: dict[str, str]


class PersonalDataExport(typing.TypedDict):
    national_id: str
    applications: list[dict]
