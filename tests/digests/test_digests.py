"""Officials' digests: schedule, contents, formats, preferences, preview, admin view."""

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from app.core.jobs import worker
from app.digests import services
from app.digests.jobs import send_digests
from app.extensions import db
from app.models import DigestFrequency, DigestRecord, OutboxEmail, Petition, ReviewCase, Role, StateBody
from tests.digests.officials import make_officials
from tests.support import html_part, login, make_petition, make_user, open_link, page_text, post, text_part

ALMATY = timezone(timedelta(hours=5))
MONDAY = date(2026, 11, 23)


def at(day: date, hour: int, minute: int = 5) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ALMATY).astimezone(UTC)


@pytest.fixture(autouse=True)
def a_week_before(clock):
    """The data of these tests is made a week before the Monday they send on."""
    clock.set(at(MONDAY - timedelta(days=7), 12))


def run_at(clock, moment: datetime) -> dict:
    """The digest job, as the scheduler starts it at `moment`."""
    clock.set(moment)
    return send_digests()


def gov_case(title="Open case for the Government", due=None, queued=None):
    petition = make_petition(title=title, signatures=1)
    body_id = db.session.scalar(select(StateBody.id).where(StateBody.code == "GOV"))
    case = ReviewCase(petition_id=petition.id, body_id=body_id, due_on=due or date(2026, 12, 30),
                      queued_at=queued or at(MONDAY - timedelta(days=3), 12))
    db.session.add(case)
    db.session.commit()
    return case


@pytest.fixture
def officials(app):
    return make_officials()


def digests_to(email):
    return db.session.scalar(select(func.count()).select_from(OutboxEmail)
                             .where(OutboxEmail.to_address == email, OutboxEmail.template == "digest"))


def test_a_simulated_week(app, officials, clock):
    gov_case()
    for offset in range(7):
        day = MONDAY + timedelta(days=offset)
        assert run_at(clock, at(day, 8, 59))["due"] == 0  # before 09:00 Almaty
        run_at(clock, at(day, 9, 0))
        run_at(clock, at(day, 9, 5))  # a second scheduler, a retry: nothing more
        run_at(clock, at(day, 17, 0))
    assert digests_to("daily@gov.kz") == 7
    assert digests_to("weekly@gov.kz") == 1
    assert digests_to("off@gov.kz") == 0
    # Running any period again sends nothing more.
    for offset in range(7):
        run_at(clock, at(MONDAY + timedelta(days=offset), 10))
    assert digests_to("daily@gov.kz") == 7 and digests_to("weekly@gov.kz") == 1
    periods = db.session.scalars(select(DigestRecord.period).join(DigestRecord.user)
                                 .where(DigestRecord.user.has(email="weekly@gov.kz"))).all()
    assert periods == ["weekly:2026-W48"]


def test_nothing_new_and_nothing_open_sends_nothing(app, officials, clock):
    result = run_at(clock, at(MONDAY, 9))
    assert result["sent"] == 0 and result["empty"] == 2  # daily and weekly; "off" is not due
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0


def test_contents_are_the_right_petitions_of_the_body_overdue_first(app, client, officials, mailbox, clock):
    late = gov_case("An overdue case for the Government", due=MONDAY - timedelta(days=10))
    soon = gov_case("A case due soon for the Government", due=MONDAY + timedelta(days=20))
    fresh = gov_case("A freshly queued case", due=MONDAY + timedelta(days=40), queued=at(MONDAY, 8))
    health = make_petition(body="MIN-HEALTH", title="A case of the Ministry of Health")
    db.session.add(ReviewCase(petition_id=health.id, body_id=health.body_id, due_on=MONDAY))
    near = make_petition(title="Close to its threshold, the Government")
    db.session.execute(update(Petition).where(Petition.id == near.id).values(signature_count=12000))
    opened = make_petition(title="Opened yesterday for the Government")
    db.session.execute(update(Petition).where(Petition.id == opened.id).values(opened_at=at(MONDAY, 7)))
    far = make_petition(title="Far from its threshold, the Government", signatures=3)
    db.session.commit()

    run_at(clock, at(MONDAY, 9))
    worker.drain(app)
    [message] = mailbox.to("daily@gov.kz")
    text = text_part(message)
    for title in (late.petition.title, soon.petition.title, fresh.petition.title, near.title, opened.title):
        assert title in text
    assert "Ministry of Health" not in text and far.title not in text
    assert text.index(late.petition.title) < text.index(soon.petition.title)  # overdue first
    html = html_part(message)
    assert "<script" not in html and "http://localhost/kk/review/cases/" in html
    assert "/digest/preferences/" in text
    # Every link opens the right page for the official.
    login(client, "daily@gov.kz")
    import re

    for url in set(re.findall(r"http://localhost(/[^\s]+)", text)):
        assert client.get(url, follow_redirects=True).status_code == 200, url


def test_html_renders_in_chromium(app, officials, mailbox, browser, clock):
    gov_case(due=MONDAY - timedelta(days=2))
    run_at(clock, at(MONDAY, 9))
    worker.drain(app)
    [message] = mailbox.to("daily@gov.kz")
    page = browser.new_page()
    page.set_content(html_part(message))
    assert page.locator("a").count() >= 2
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "digest.png"), full_page=True)
    page.close()


def test_preference_link_works_without_logging_in(app, client, officials, mailbox, clock):
    daily = officials[0]
    gov_case()
    run_at(clock, at(MONDAY, 9))
    worker.drain(app)
    import re

    link = re.search(r"http://localhost(/kk/digest/preferences/\S+)", text_part(mailbox.to("daily@gov.kz")[0])).group(1)
    page, path = open_link(client, link)
    assert page.status_code == 200
    assert post(client, path, {"frequency": "off", "language": ""}, token_from=path).status_code == 302
    assert services.get_preferences(daily.id)[0] is DigestFrequency.OFF
    run_at(clock, at(MONDAY + timedelta(days=1), 9))
    assert digests_to("daily@gov.kz") == 1


@pytest.mark.parametrize("kind", ["tampered", "expired", "other-purpose", "id-out-of-range", "id-not-a-number"])
def test_bad_preference_links_change_nothing(app, client, officials, kind, monkeypatch):
    daily = officials[0]
    link = services.preferences_link(daily.id, "kk").replace("http://localhost", "")
    if kind == "tampered":
        link = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
    elif kind == "expired":
        monkeypatch.setitem(app.config, "DIGEST_LINK_MAX_AGE", -1)
    else:
        from app.accounts import tokens

        purpose, user_id = {"other-purpose": (tokens.Purpose.RESET_PASSWORD, daily.id),
                            "id-out-of-range": (tokens.Purpose.DIGEST_PREFERENCES, 2**63),
                            "id-not-a-number": (tokens.Purpose.DIGEST_PREFERENCES, True)}[kind]
        link = "/kk/digest/preferences/" + tokens.make_token(purpose, user_id, "digest")
    response, path = open_link(client, link)
    assert response.status_code == 400
    assert "Ештеңе өзгертілмеді" in page_text(response) or "Nothing was changed" in page_text(response)
    assert post(client, path, {"frequency": "off"}, token_from="/login").status_code == 400
    assert services.get_preferences(daily.id)[0] is DigestFrequency.DAILY


def test_bad_preference_values_are_422(app, client, officials):
    login(client, "daily@gov.kz")
    assert post(client, "/account/digest", {"frequency": "hourly"}, token_from="/account/digest").status_code == 422
    assert post(client, "/account/digest", {"frequency": "daily", "language": "fr"},
                token_from="/account/digest").status_code == 422
    assert post(client, "/account/digest", {"frequency": "weekly", "language": "ru"},
                token_from="/account/digest").status_code == 302
    assert services.get_preferences(officials[0].id) == (DigestFrequency.WEEKLY, "ru")


def test_digest_in_the_officials_language(app, officials, mailbox, clock):
    services.set_preferences(officials[0].id, DigestFrequency.DAILY, "ru")
    db.session.commit()
    gov_case()
    run_at(clock, at(MONDAY, 9))
    worker.drain(app)
    [message] = mailbox.to("daily@gov.kz")
    assert message["Content-Language"] == "ru"
    assert "Здравствуйте" in text_part(message)


def test_preview_and_admin_view(app, client, officials, clock):
    gov_case(title="A case shown in the preview")
    login(client, "daily@gov.kz")
    response = client.get("/review/digest")
    assert response.status_code == 200 and "A case shown in the preview" in page_text(response)
    assert 'src="/kk/review/digest/email"' in response.get_data(as_text=True)
    email = client.get("/review/digest/email")  # the framed email, under a policy of its own
    assert email.status_code == 200 and "A case shown in the preview" in page_text(email)
    csp = email.headers["Content-Security-Policy"]
    assert "sandbox" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert email.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert db.session.scalar(select(func.count()).select_from(DigestRecord)) == 0  # a preview records nothing
    run_at(clock, at(MONDAY, 9))
    admin = app.test_client()
    make_user("admin@example.kz", roles=(Role.ADMIN,))
    login(admin, "admin@example.kz")
    text = page_text(admin.get("/admin/digests"))
    assert "daily@gov.kz" in text and "daily:2026-11-23" in text


def test_an_event_after_the_digests_time_waits_for_the_next_digest(app, officials, mailbox, clock):
    """A digest reports what happened after the previous one and up to its own time:
    a petition opened at 09:30 is news in Tuesday's digest, not in Monday's 09:05 one
    (a digest job that started late, or a clock a few minutes apart)."""
    gov_case()
    later = make_petition(title="Opened at half past nine on Monday")
    db.session.execute(update(Petition).where(Petition.id == later.id).values(opened_at=at(MONDAY, 9, 30)))
    db.session.commit()
    run_at(clock, at(MONDAY, 9, 5))
    worker.drain(app)
    [monday] = mailbox.to("daily@gov.kz")
    assert "Open case for the Government" in text_part(monday) and later.title not in text_part(monday)
    run_at(clock, at(MONDAY + timedelta(days=1), 9))
    worker.drain(app)
    tuesday = mailbox.to("daily@gov.kz")[-1]
    assert later.title in text_part(tuesday)


def test_one_officials_failure_costs_that_digest_only(app, officials, mailbox, clock, monkeypatch, caplog):
    gov_case()
    second = make_user("second@gov.kz", roles=(Role.OFFICIAL,), body="GOV")
    real_queue = services.queue_email

    def failing_for_weekly(to, *args, **kwargs):
        if to == "weekly@gov.kz":
            raise RuntimeError("template broke for this one")
        return real_queue(to, *args, **kwargs)

    monkeypatch.setattr(services, "queue_email", failing_for_weekly)
    result = run_at(clock, at(MONDAY, 9))
    assert result["sent"] == 2 and result["failed"] == 1
    assert digests_to("daily@gov.kz") == 1 and digests_to(second.email) == 1 and digests_to("weekly@gov.kz") == 0
    assert "digest for official" in caplog.text and "template broke for this one" in caplog.text
    # Nothing of the failed digest stayed: the next run sends it.
    monkeypatch.setattr(services, "queue_email", real_queue)
    result = run_at(clock, at(MONDAY, 9, 10))
    assert result["sent"] == 1 and result["already"] == 2
    assert digests_to("weekly@gov.kz") == 1 and digests_to("daily@gov.kz") == 1
