"""The accountability figures with known cases, counted by hand: answered on time,
answered late, overdue across Nauryz and across New Year, and a case passed from one
body to another. Working days skip weekends and Kazakhstan's public holidays."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.accountability import figures as accountability
from app.extensions import db
from app.models import CaseState, ReviewCase, Role, StateBody
from app.review import services as review
from tests.support import make_petition, make_user, page_text

ALMATY = ZoneInfo("Asia/Almaty")


def at(y, m, d, hour=10):
    return datetime(y, m, d, hour, tzinfo=ALMATY)


def body(code):
    return db.session.scalar(select(StateBody).where(StateBody.code == code))


def case(title, *, queued, due, answered=None, code="MIN-HEALTH"):
    petition = make_petition(body=code, title=title, signatures=1)
    petition.threshold_reached_at = queued
    row = ReviewCase(petition_id=petition.id, body_id=body(code).id, queued_at=queued, due_on=due)
    if answered:
        row.state, row.answered_at, row.response_text = CaseState.ANSWERED, answered, "Жауап."
        row.acknowledged_at = answered
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def cases(app, clock):
    clock.set(at(2026, 11, 30))
    known = {
        # Feb 2 to 5 and 8 to 12 2027: 9 working days; answered before the due date.
        "on_time": case("Ауруханаға жаңа томограф керек", queued=at(2027, 2, 1, 9), due=date(2027, 2, 19),
                        answered=at(2027, 2, 12)),
        # 9 days and Monday 15 February: 10; due on the 10th.
        "late": case("Емхана кезектерін қысқарту туралы", queued=at(2027, 2, 1, 9), due=date(2027, 2, 10),
                     answered=at(2027, 2, 15)),
        # Due Friday 19 March 2027; Nauryz is 22-24 March (21 is a Sunday): on Friday 26
        # March the case is 2 working days late (25 and 26).
        "nauryz": case("Дәріханаларда дәрі жетіспейді", queued=at(2027, 3, 1), due=date(2027, 3, 19)),
        # Due Wednesday 30 December 2026; on Friday 8 January 2027 it is 4 working days
        # late: 31 December, 5 and 6 January, 8 January (1 and 4 January are New Year,
        # 7 January Orthodox Christmas).
        "new_year": case("Ауылдық амбулатория салу", queued=at(2026, 12, 1), due=date(2026, 12, 30)),
    }
    # Addressed to Health, passed to Education, answered there on time.
    petition = make_petition(body="MIN-HEALTH", title="Мектептерде медбике болуы керек", signatures=1)
    petition.threshold_reached_at = at(2026, 11, 30)
    moved = ReviewCase(petition_id=petition.id, body_id=body("MIN-HEALTH").id, queued_at=at(2026, 11, 30),
                       due_on=date(2026, 12, 30))
    db.session.add(moved)
    db.session.commit()
    review.reassign(make_user("moderator@example.kz", roles=(Role.MODERATOR,)), moved, "MIN-EDU",
                    "Мектеп медицинасы — Оқу-ағарту министрлігі.")
    db.session.commit()
    clock.set(at(2026, 12, 10))
    review.publish_response(make_user("official@edu.kz", roles=(Role.OFFICIAL,), body="MIN-EDU"), moved,
                            "Медбикелер 2027 жылдан бастап.")
    db.session.commit()
    known["moved"] = moved
    return known


def test_figures_on_26_march_2027(cases, clock, client):
    clock.set(at(2027, 3, 26, 12))
    health = accountability.for_body(body("MIN-HEALTH"), date(2027, 3, 26))
    assert health.addressed == 5          # the moved petition was addressed to Health
    assert health.reached_threshold == 5
    assert health.cases == 4              # the moved case is Education's now
    assert health.answered == 2 and health.answered_on_time == 1 and health.on_time_percent == 50.0
    assert sorted(health.days_to_respond) == [9, 10] and health.median_days == 9.5
    assert health.awaiting == 2
    assert [(o.case.id, o.days_late) for o in health.overdue][1] == (cases["nauryz"].id, 2)
    assert [o.case.id for o in health.overdue] == [cases["new_year"].id, cases["nauryz"].id]  # most late first

    education = accountability.for_body(body("MIN-EDU"), date(2027, 3, 26))
    assert (education.addressed, education.reached_threshold, education.cases) == (0, 0, 1)
    assert education.answered == education.answered_on_time == 1 and education.on_time_percent == 100.0
    # Queued Monday 30 November, answered Thursday 10 December 2026: 8 working days.
    assert education.days_to_respond == [8]

    national = {f.body.code: f for f in accountability.national(date(2027, 3, 26))}
    assert national["MIN-HEALTH"].answered == 2 and national["MIN-EDU"].answered == 1
    assert national["GOV"].cases == 0 and national["GOV"].on_time_percent is None

    page = page_text(client.get("/en/bodies/MIN-HEALTH"))
    assert "50 %" in page and "9.5" in page
    overdue = page[page.index("Overdue now</h2>"):page.index("Latest responses</h2>")]
    assert overdue.index("Ауылдық амбулатория салу") < overdue.index("Дәріханаларда дәрі жетіспейді")
    assert "March 19, 2027</td><td>2</td>" in overdue
    latest = page[page.index("Latest responses</h2>"):]
    assert "Емхана кезектерін қысқарту туралы" in latest and "late" in latest
    table = page_text(client.get("/en/accountability"))
    row = table[table.index("/en/bodies/MIN-HEALTH"):]
    row = row[:row.index("</tr>")]
    assert [cell.split("<")[0] for cell in row.split("<td>")[1:]] == ["5", "5", "2", "50 %", "9.5", ""]
    assert ">2</strong>" in row


def test_overdue_across_new_year(cases, clock):
    health = accountability.for_body(body("MIN-HEALTH"), date(2027, 1, 8))
    assert [(o.case.id, o.days_late) for o in health.overdue] == [(cases["new_year"].id, 4)]


def test_an_unknown_body_is_a_404_and_the_pages_are_public(client, app):
    assert client.get("/en/bodies/NO-SUCH-BODY").status_code == 404
    response = client.get("/ru/accountability")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"].startswith("public")
