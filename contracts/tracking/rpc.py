"""Tracking's RPC interface, as the gateway sees it.

``get_application_status(application_no, tracking_code, language=None) -> StatusView``
    raises NotFound, the same for an unknown number and a wrong code.
``get_statistics(principal, query) -> Statistics``
    ``query``: ``{province?, unit_id?, from?, to?}`` (contracts/tracking/requests.py); raises
    ValidationFailed, NotFound (another province; for a unit officer another unit), NotAllowed.
``list_public_requests(query) -> [PublicRequest]``
    ``query``: ``{province_code, application_nos?, categories?, start, end, statuses?, limit?}``
    (contracts/tracking/requests.py); newest first; no personal data; raises ValidationFailed.
"""
from typing import Optional, TypedDict


class TimelineEntry(TypedDict):
    at: str
    status: str
    text: str


class PublicFacts(TypedDict):
    """What anyone may know of an application (``domain.public_facts``)."""
    application_no: str
    status: str  # received, routed, returned, answered
    category: str
    province: str
    district: str
    received_at: str
    due_at: str
    updated_at: str


class Deadline(TypedDict):
    due_at: str
    days_left: Optional[int]  # calendar days from today (Turkey's date), negative once past; None once answered


class Deadlines(TypedDict, total=False):
    answer: Deadline  # Açık Kapı's answer target (the same time as due_at)
    statutory: Deadline  # the law's limit (Law 3071: 30 days, or as configured per kind); not on older records


class StatusView(PublicFacts):
    kind: str
    timeline: list[TimelineEntry]
    deadlines: Deadlines


class Rating(TypedDict):
    """The applicant's rating of one answer (``give_feedback``'s answer, and in the status view)."""
    score: int  # 1 to 5
    comment: Optional[str]  # None: none given, or erased with the applicant's personal data
    given_at: str


class ObjectionAnswer(TypedDict):
    text: str
    outcome: str
    answered_at: str
    verification_code: Optional[str]
    feedback: Optional[Rating]


class Objection(TypedDict):
    text: Optional[str]  # the applicant's words; None once their personal data was erased
    filed_at: str
    answer: Optional[ObjectionAnswer]  # the unit's answer to the objection, once given


class StatsUnit(TypedDict):
    unit_id: str
    name: str
    total: int
    answered: int
    overdue: int
    escalated: int


class Satisfaction(TypedDict):
    count: int
    mean: Optional[float]  # two decimals; None when no rating
    distribution: dict[str, int]  # "1".."5" → ratings with that score


class SatisfactionUnit(Satisfaction):
    unit_id: str
    name: str


class StatsAnswered(TypedDict):
    count: int
    on_time: int
    on_time_share: Optional[float]  # of the answered: answered_at <= due_at; None when none answered
    median_hours: Optional[float]  # from receipt to answer
    p90_hours: Optional[float]


class OverdueUnit(TypedDict):
    unit_id: str
    name: str


class OverdueEntry(TypedDict):
    application_no: str
    unit: Optional[OverdueUnit]
    due_at: str
    overdue_hours: float


class OverdueList(TypedDict):
    count: int
    items: list[OverdueEntry]  # most overdue first, at most domain.OVERDUE_LIST_LIMIT


# Functional form: "from" is a Python keyword. The period's first and last day (Turkey's time).
Statistics = TypedDict("Statistics", {
    "province_code": str,
    "unit_id": Optional[str],
    "from": str,
    "to": str,
    "generated_at": str,
    "total": int,
    "by_status": dict[str, int],
    "by_kind": dict[str, int],
    "by_channel": dict[str, int],
    "by_unit": list[StatsUnit],
    "answered": StatsAnswered,
    "escalated": int,  # past the statutory limit unanswered (answered since or not)
    "overdue": OverdueList,
    "satisfaction": Satisfaction,  # the applicants' ratings of the period's answers, in the scope
    "satisfaction_by_unit": list[SatisfactionUnit],  # per answering unit, most rated first
})


class PublicRequest(PublicFacts):
    """An application as anyone may see it (Open311): no applicant, no text, no answer."""
    unit: Optional[str]  # the unit's name, once routed
