"""What a digest holds (app/digests/compose.py): the window of "new", the order of
open cases, the near-threshold list, and a fixed number of queries per body."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.digests.compose import compose, recipients
from app.extensions import db
from app.models import CaseState, Petition, ReviewCase, Role, StateBody
from tests.support import make_petition, make_user

NOW = datetime(2027, 1, 6, 4, 0, tzinfo=UTC)  # Wednesday 6 January 2027, 09:00 in Almaty
SINCE = NOW - timedelta(days=1)


@pytest.fixture
def official(app, clock):
    clock.set(NOW - timedelta(days=10))
    return make_user("official@gov.kz", roles=(Role.OFFICIAL,), body="GOV")


def body_id(code: str) -> int:
    return db.session.scalar(select(StateBody.id).where(StateBody.code == code))


def case_for(title: str, *, body: str = "GOV", due: date, queued: datetime, state=CaseState.QUEUED) -> ReviewCase:
    petition = make_petition(title=title, body=body, signatures=1)
    case = ReviewCase(petition_id=petition.id, body_id=body_id(body), due_on=due, queued_at=queued, state=state)
    if state is CaseState.ANSWERED:
        case.answered_at, case.response_text = queued, "An answer."
    db.session.add(case)
    db.session.commit()
    return case


def opened(title: str, at: datetime, count: int = 0) -> Petition:
    petition = make_petition(title=title)
    db.session.execute(update(Petition).where(Petition.id == petition.id)
                       .values(opened_at=at, signature_count=count))
    db.session.commit()
    return petition


def digest_of(official):
    [digest] = compose([(r, SINCE) for r in recipients() if r.official.id == official.id], NOW)
    return digest


def test_new_means_after_the_previous_digest_and_up_to_this_one(official):
    case_for("Queued before the previous digest", due=date(2027, 2, 1), queued=SINCE - timedelta(minutes=1))
    case_for("Queued between the two digests", due=date(2027, 2, 2), queued=SINCE + timedelta(hours=3))
    case_for("Queued exactly at this digest", due=date(2027, 2, 3), queued=NOW)
    case_for("Queued after this digest", due=date(2027, 2, 4), queued=NOW + timedelta(minutes=1))
    opened("Opened exactly at the previous digest", SINCE)
    opened("Opened between the two digests", SINCE + timedelta(hours=1))
    opened("Opened after this digest", NOW + timedelta(seconds=1))
    digest = digest_of(official)
    assert [c.petition.title for c in digest.new_cases] == ["Queued between the two digests",
                                                            "Queued exactly at this digest"]
    assert [p.title for p in digest.newly_opened] == ["Opened between the two digests"]


def test_open_cases_overdue_first_in_working_days_across_new_year(official):
    # On Wednesday 6 January 2027: 1, 2 (Saturday), 4 (observed) and 7 January are not working days.
    case_for("Due on 31 December", due=date(2026, 12, 31), queued=SINCE - timedelta(days=60))
    case_for("Due on 8 January", due=date(2027, 1, 8), queued=SINCE - timedelta(days=50))
    case_for("Answered already", due=date(2026, 12, 1), queued=SINCE - timedelta(days=70), state=CaseState.ANSWERED)
    case_for("Another body's case", body="MIN-HEALTH", due=date(2026, 12, 1), queued=SINCE - timedelta(days=70))
    lines = digest_of(official).open_cases
    assert [(line.case.petition.title, line.working_days_left, line.overdue) for line in lines] == [
        ("Due on 31 December", -2, True),  # 5 and 6 January
        ("Due on 8 January", 1, False),    # the 7th is Orthodox Christmas
    ]


def test_near_threshold_is_75_per_cent_of_the_bodys_threshold_and_not_crossed(official):
    opened("At 11,249 of 15,000", SINCE - timedelta(days=5), count=11_249)
    opened("At 11,250 of 15,000", SINCE - timedelta(days=5), count=11_250)
    crossed = opened("Crossed already", SINCE - timedelta(days=5), count=16_000)
    db.session.execute(update(Petition).where(Petition.id == crossed.id).values(threshold_reached_at=SINCE))
    db.session.commit()
    assert [(p.title, pct) for p, pct in digest_of(official).near_threshold] == [("At 11,250 of 15,000", 75)]


def test_nothing_new_and_nothing_open_is_empty(official):
    case_for("Answered long ago", due=date(2026, 12, 1), queued=SINCE - timedelta(days=70), state=CaseState.ANSWERED)
    assert digest_of(official).is_empty


def test_query_count_does_not_grow_with_data(official, count_queries, clock):
    case_for("The first open case", due=date(2027, 2, 1), queued=SINCE - timedelta(days=3))
    with count_queries() as small:
        compose([(r, SINCE) for r in recipients()], NOW)
    for n in range(15):
        case_for(f"Another open case number {n:02d}", due=date(2027, 2, 1), queued=SINCE - timedelta(days=3))
        make_user(f"more{n}@gov.kz", roles=(Role.OFFICIAL,), body="GOV")
    with count_queries() as big:
        digests = compose([(r, SINCE) for r in recipients()], NOW)
    assert small.n == big.n
    assert len(digests) == 1 + 15
