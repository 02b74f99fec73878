from datetime import UTC, date, datetime, timedelta

import pytest

from common.clock import TURKEY
from contracts.intake.catalog import KINDS
from services.intake.periods import (
    AnswerPeriod,
    due_at,
    is_working_day,
    parse_answer_periods,
    parse_statutory_periods,
)

SEVEN_CALENDAR_DAYS = AnswerPeriod(7, working_days=False)


def turkish(*fields):
    return datetime(*fields, tzinfo=TURKEY)


def working(days):
    return AnswerPeriod(days, working_days=True)


# --- parsing -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [None, "", "   "])
def test_no_setting_gives_every_kind_seven_calendar_days(text):
    assert parse_answer_periods(text) == {kind: SEVEN_CALENDAR_DAYS for kind in KINDS}


def test_setting_names_calendar_and_working_days():
    assert parse_answer_periods("complaint=7,request=10w,suggestion=5w") == {
        "complaint": AnswerPeriod(7, working_days=False),
        "request": AnswerPeriod(10, working_days=True),
        "suggestion": AnswerPeriod(5, working_days=True),
    }


def test_kinds_the_setting_leaves_out_keep_the_default():
    periods = parse_answer_periods("request=10w")
    assert periods["request"] == working(10)
    assert periods["complaint"] == periods["suggestion"] == SEVEN_CALENDAR_DAYS


def test_spaces_around_entries_are_allowed():
    assert parse_answer_periods(" complaint = 3 , request= 2w ")["request"] == working(2)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("complaint", "not kind=days"),
        ("=7", "not kind=days"),
        ("complaint=7,,request=5", "not kind=days"),
        ("complaint=7,", "not kind=days"),
        ("complaint=7;request=5", "is not a number of days"),
        ("appeal=7", "unknown kind 'appeal'"),
        ("Complaint=7", "unknown kind 'Complaint'"),
        ("complaint=", "is not a number of days"),
        ("complaint=w", "is not a number of days"),
        ("complaint=7d", "is not a number of days"),
        ("complaint=7W", "is not a number of days"),
        ("complaint=7 w", "is not a number of days"),
        ("complaint=1.5", "is not a number of days"),
        ("complaint=-1", "is not a number of days"),
        ("complaint=٧", "is not a number of days"),
        ("complaint=0", "must be 1 to 366 days, not 0"),
        ("complaint=367w", "must be 1 to 366 days, not 367"),
        ("complaint=7,complaint=5w", "names 'complaint' twice"),
    ],
)
def test_malformed_setting_is_refused_naming_the_problem(text, problem):
    with pytest.raises(ValueError, match="ANSWER_PERIODS") as refusal:
        parse_answer_periods(text)
    assert problem in str(refusal.value)


# --- calendar days -----------------------------------------------------------------------------

def test_calendar_days_ignore_weekends_and_holidays():
    assert due_at(turkish(2026, 3, 17, 10, 15), SEVEN_CALENDAR_DAYS) == turkish(2026, 3, 24, 10, 15)
    assert due_at(turkish(2026, 5, 26, 9, 0), AnswerPeriod(3)) == turkish(2026, 5, 29, 9, 0)


def test_calendar_days_from_a_utc_receipt_are_shown_in_turkish_time():
    due = due_at(datetime(2026, 11, 28, 14, 4, 5, tzinfo=UTC), SEVEN_CALENDAR_DAYS)
    assert due.isoformat() == "2026-12-05T17:04:05+03:00"


# --- working days ------------------------------------------------------------------------------

def test_working_days_skip_the_weekend():
    friday = turkish(2026, 3, 6, 16, 30)
    assert due_at(friday, working(1)) == turkish(2026, 3, 9, 16, 30)
    assert due_at(friday, working(5)) == turkish(2026, 3, 13, 16, 30)
    assert due_at(turkish(2026, 3, 4, 8, 0), working(3)) == turkish(2026, 3, 9, 8, 0)


def test_receipt_on_a_saturday_counts_from_monday():
    saturday = turkish(2026, 3, 7, 11, 0)
    assert due_at(saturday, working(1)) == turkish(2026, 3, 9, 11, 0)
    assert due_at(saturday, working(5)) == turkish(2026, 3, 13, 11, 0)
    assert due_at(turkish(2026, 3, 8, 23, 59), working(1)) == turkish(2026, 3, 9, 23, 59)


def test_ramazan_bayrami_2026_is_not_worked_but_its_eve_is():
    assert [is_working_day(date(2026, 3, day)) for day in range(19, 24)] == [
        True, False, False, False, True,
    ]
    assert due_at(turkish(2026, 3, 18, 10, 0), working(1)) == turkish(2026, 3, 19, 10, 0)
    assert due_at(turkish(2026, 3, 18, 10, 0), working(2)) == turkish(2026, 3, 23, 10, 0)
    assert due_at(turkish(2026, 3, 19, 14, 0), working(1)) == turkish(2026, 3, 23, 14, 0)


def test_kurban_bayrami_2026_is_not_worked_but_its_eve_is():
    assert [is_working_day(date(2026, 5, day)) for day in range(26, 32)] == [
        True, False, False, False, False, False,
    ]
    assert due_at(turkish(2026, 5, 25, 9, 30), working(1)) == turkish(2026, 5, 26, 9, 30)
    assert due_at(turkish(2026, 5, 25, 9, 30), working(5)) == turkish(2026, 6, 4, 9, 30)
    assert due_at(turkish(2026, 5, 26, 14, 0), working(3)) == turkish(2026, 6, 3, 14, 0)


def test_working_days_across_new_year():
    assert not is_working_day(date(2026, 1, 1))
    assert due_at(turkish(2025, 12, 31, 9, 0), working(1)) == turkish(2026, 1, 2, 9, 0)
    assert due_at(turkish(2025, 12, 30, 9, 0), working(3)) == turkish(2026, 1, 5, 9, 0)


def test_other_public_holidays_are_skipped():
    # 19 May 2026 (Tuesday) and 29 October 2026 (Thursday; the 28th is a half-day eve)
    assert due_at(turkish(2026, 5, 18, 12, 0), working(1)) == turkish(2026, 5, 20, 12, 0)
    assert due_at(turkish(2026, 10, 27, 12, 0), working(2)) == turkish(2026, 10, 30, 12, 0)


def test_day_of_receipt_is_the_turkish_calendar_day():
    # 21:30 UTC on Wednesday is 00:30 on Thursday in Turkey
    due = due_at(datetime(2026, 3, 18, 21, 30, tzinfo=UTC), working(1))
    assert due == turkish(2026, 3, 23, 0, 30)


@pytest.mark.parametrize("period", [SEVEN_CALENDAR_DAYS, working(1), working(10)])
def test_due_time_is_in_turkish_time_at_plus_three(period):
    utc_receipt = datetime(2026, 3, 19, 11, 0, tzinfo=UTC)
    for received in (turkish(2026, 3, 19, 14, 0), utc_receipt):
        due = due_at(received, period)
        assert due.utcoffset() == timedelta(hours=3)
        assert due.isoformat().endswith("T14:00:00+03:00")


def test_naive_receipt_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at(datetime(2026, 3, 19, 14, 0), working(1))


# --- the statutory limit (issue 22: the legal clock) -------------------------------------------

@pytest.mark.parametrize("text", [None, "", "  "])
def test_no_setting_gives_every_kind_the_thirty_days_of_law_3071(text):
    assert parse_statutory_periods(text) == {kind: AnswerPeriod(30) for kind in KINDS}


def test_a_kind_may_have_the_fifteen_working_days_of_law_4982():
    periods = parse_statutory_periods("request=15w")

    assert periods["request"] == working(15) and periods["complaint"] == AnswerPeriod(30)
    # from Monday 2 March 2026: three weeks of working days, but Friday 20 March is Ramazan Bayramı
    assert due_at(turkish(2026, 3, 2, 10, 15), periods["request"]) == turkish(2026, 3, 24, 10, 15)


def test_a_malformed_statutory_setting_is_refused_naming_it():
    with pytest.raises(ValueError, match="STATUTORY_PERIODS names unknown kind 'petition'"):
        parse_statutory_periods("petition=30")
