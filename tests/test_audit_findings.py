"""Findings of the security audit (issue 11, item 7), each with a test that failed
before its fix."""


import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from app.extensions import db
from app.models import Petition, PetitionState, Role, StateBody, ThresholdRule, User
from tests.support import csrf_token, login, make_petition, make_user, page_text, post, reauth


@pytest.mark.parametrize("percent", ["sNaN", "NaN", "Infinity", "-Infinity", "1e999999"])
def test_a_percentage_that_is_not_a_number_is_refused(client, app, percent):
    make_user("admin@example.kz", roles=(Role.ADMIN,))
    login(client, "admin@example.kz")
    body = db.session.scalar(select(StateBody).where(StateBody.code == "AKIMAT-KZ-11"))
    url = f"/admin/bodies/{body.id}"
    response = post(client, url, {"rule": "population_percent", "percent": percent, "fallback": "1000",
                                  "review_period_days": "20", "note": "x", **reauth("admin@example.kz")},
                    token_from=url)
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(StateBody, body.id).threshold_rule is ThresholdRule.PROFILE


def test_a_moderator_cannot_decide_on_their_own_petition(client, app):
    moderator = make_user("moderator@example.kz", roles=(Role.MODERATOR,))
    petition = make_petition(moderator, state="pending_moderation", title="A moderator's own petition about parks")
    login(client, "moderator@example.kz")
    client.language = "en"
    url = f"/moderation/petitions/{petition.id}"
    response = post(client, f"{url}/approve", {}, token_from=url)
    assert response.status_code == 403
    assert "another moderator must decide on it" in page_text(response)
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).state is PetitionState.PENDING_MODERATION
    other = app.test_client()
    make_user("colleague@example.kz", roles=(Role.MODERATOR,))
    login(other, "colleague@example.kz")
    assert post(other, f"{url}/approve", {}, token_from=url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).state is PetitionState.OPEN


def test_text_pasted_from_word_keeps_its_line_breaks(client, app):
    make_user("author@example.kz", region="KZ-75")
    login(client, "author@example.kz")
    details = "Бірінші абзац.\x0bЕкінші жол.\x0cКелесі бет."
    response = post(client, "/petitions/new/form", {
        "title": "Word-тан көшірілген мәтін туралы петиция", "summary": "Қысқаша\x0bмазмұны.",
        "details": details, "body": "GOV", "category": "other", "language": "kk"},
        token_from="/petitions/new/form")
    assert response.status_code == 302
    petition = db.session.scalar(select(Petition))
    assert petition.details == "Бірінші абзац.\nЕкінші жол.\n\nКелесі бет."
    assert petition.summary == "Қысқаша\nмазмұны."
    # Other control characters are still a bad request, and nothing is written.
    bad = post(client, "/petitions/new/form", {"title": "A title with a NUL\x00 inside it", "summary": "s",
                                               "details": "d", "body": "GOV", "category": "other", "language": "kk"},
               token_from="/petitions/new/form")
    assert bad.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Petition)) == 1


def test_a_weaker_password_hash_is_upgraded_at_log_in(client, app):
    user = make_user("old@example.kz")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("correct horse battery")
    user.password_hash = weak
    db.session.commit()
    login(client, "old@example.kz")
    db.session.expire_all()
    upgraded = db.session.get(User, user.id).password_hash
    assert upgraded != weak and "m=8192" not in upgraded
    assert not PasswordHasher().check_needs_rehash(upgraded)
    other = app.test_client()
    login(other, "old@example.kz")  # the same password still opens the account
    assert other.get("/account").status_code == 200


# --- session 4: the rest of item 7 ----------------------------------------------------


def _postgres_only(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("a race between two transactions needs PostgreSQL; SQLite serialises writers")


def _at_once(app, *calls):
    """Run each call in its own thread and app context, released together."""
    import threading

    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = call()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_the_same_role_granted_twice_at_the_same_moment_is_one_grant_and_no_500(app):
    _postgres_only(app)
    from app.admin.services import RoleError, grant_role
    from app.models import AuditEntry

    target_id = make_user("twice@example.kz").id

    def grant():
        user = db.session.get(User, target_id)
        try:
            grant_role(None, user, Role.MODERATOR, channel="cli")
            db.session.commit()
            return "granted"
        except RoleError as exc:
            db.session.rollback()
            return exc.code

    outcomes = [r for _ in range(5) for r in _at_once(app, grant, grant)]
    assert outcomes.count("granted") == 1 and set(outcomes) == {"granted", "already_held"}
    db.session.expire_all()
    assert [r.role for r in db.session.get(User, target_id).roles] == [Role.MODERATOR]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "role.grant", AuditEntry.target_id == target_id)) == 1


def test_a_reset_link_used_twice_at_the_same_moment_changes_the_password_once(app, mailbox):
    _postgres_only(app)
    from app.accounts.passwords import verify_password
    from tests.support import link_in, open_link

    make_user("racer@example.kz", password="old-steppe-2026")
    requester = app.test_client()
    post(requester, "/reset", {"email": "racer@example.kz"})
    link = link_in(mailbox.to("racer@example.kz")[0], "/reset/")
    browsers, paths = [], []
    for _ in range(2):
        browser = app.test_client()
        _, path = open_link(browser, link)
        browsers.append(browser)
        paths.append(path)
    tokens = [csrf_token(b, p) for b, p in zip(browsers, paths, strict=True)]

    def submit(i, password):
        return lambda: browsers[i].post(paths[i], data={"csrf_token": tokens[i], "password": password,
                                                        "confirm": password}).status_code

    statuses = _at_once(app, submit(0, "first-steppe-2027"), submit(1, "second-steppe-2027"))
    assert sorted(statuses) == [302, 400]
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "racer@example.kz"))
    winner = "first-steppe-2027" if statuses[0] == 302 else "second-steppe-2027"
    assert verify_password(user.password_hash, winner)


def test_a_reset_link_is_spent_once_used(client, app, mailbox):
    from app.accounts.passwords import verify_password
    from tests.support import link_in, open_link

    make_user("once@example.kz", password="old-steppe-2026")
    post(client, "/reset", {"email": "once@example.kz"})
    link = link_in(mailbox.to("once@example.kz")[0], "/reset/")
    thief = app.test_client()
    _, path = open_link(client, link)
    _, thief_path = open_link(thief, link)
    assert post(client, path, {"password": "mine-steppe-2027", "confirm": "mine-steppe-2027"},
                token_from=path).status_code == 302
    assert post(thief, thief_path, {"password": "thief-steppe-27", "confirm": "thief-steppe-27"},
                token_from="/login").status_code == 400
    db.session.expire_all()
    assert verify_password(db.session.scalar(select(User.password_hash).where(User.email == "once@example.kz")),
                           "mine-steppe-2027")


def test_search_and_petition_creation_are_rate_limited(client, app):
    client.language = "en"
    for _ in range(60):
        assert client.get("/petitions?q=water").status_code == 200
    limited = client.get("/petitions?q=roads")
    assert limited.status_code == 429
    assert "Too many" in page_text(limited) or "try again later" in page_text(limited).lower()
    assert client.get("/petitions").status_code == 200  # browsing without a search is not limited
    api = app.test_client()
    for _ in range(60):
        api.get("/api/v1/petitions?q=water")
    answer = api.get("/api/v1/petitions?q=water")
    assert answer.status_code == 429 and answer.is_json

    author = app.test_client()
    make_user("prolific@example.kz")
    login(author, "prolific@example.kz")
    data = {"title": "A petition about parks and squares", "summary": "Parks for everyone in every town.",
            "details": "More parks, please.", "body": "GOV", "category": "environment", "language": "kk"}
    statuses = [post(author, "/petitions/new/form", data, token_from="/petitions/new/form").status_code
                for _ in range(11)]
    assert statuses[:10] == [302] * 10 and statuses[10] == 429
    assert db.session.scalar(select(func.count()).select_from(Petition)) == 10


def test_database_error_details_never_reach_the_log(caplog):
    """What PostgreSQL says about a failed row (DETAIL, CONTEXT) is blanked in every log
    record, in the message and in the traceback."""
    import logging

    from app.core.logredact import install

    install()
    caplog.set_level(logging.INFO)
    detail = ('duplicate key value violates unique constraint "uq_users_email"\n'
              "DETAIL:  Key (email)=(secret.person@example.kz) already exists.")
    try:
        raise RuntimeError(detail)
    except RuntimeError as exc:
        logging.getLogger("app.web.errors").exception("unhandled error on POST /kk/register")
        logging.getLogger("rq.worker").error("job failed: %s", exc)
    assert "secret.person@example.kz" not in caplog.text
    assert 'uq_users_email' in caplog.text  # the constraint's name stays: it says what went wrong


def test_a_real_postgresql_unique_violation_is_logged_without_the_row(app, caplog):
    _postgres_only(app)
    import logging

    from sqlalchemy.exc import IntegrityError

    make_user("dup@example.kz")
    caplog.set_level(logging.INFO)
    try:
        db.session.add(User(email="dup@example.kz", given_name="Copy", surname="Cat", password_hash="x", language="kk"))
        db.session.flush()
    except IntegrityError:
        logging.getLogger("app.web.errors").exception("unhandled error")
        db.session.rollback()
    assert "uq_users_email" in caplog.text and "dup@example.kz" not in caplog.text


def test_delivered_email_bodies_are_purged_after_the_retention_period(app, clock, mailbox):
    from app.mail.jobs import purge_bodies
    from app.models import OutboxEmail

    make_user("purge@example.kz")
    post(app.test_client(), "/reset", {"email": "purge@example.kz"})
    assert len(mailbox.to("purge@example.kz")) == 1  # delivered
    days = app.config["MAIL_BODY_RETENTION_DAYS"]
    clock.advance(days=days, hours=-1)
    assert purge_bodies() == 0
    clock.advance(hours=2)
    assert purge_bodies() == 1
    assert purge_bodies() == 0  # idempotent
    row = db.session.scalar(select(OutboxEmail))
    assert row.text_body == "" and row.html_body == "" and row.to_address == "purge@example.kz"


@pytest.mark.parametrize("page", ["²", "³", "①", "١٢"])
def test_a_page_number_in_other_digits_is_a_400_not_a_500(client, page):
    """str.isdigit() accepts superscripts and circled digits that int() refuses."""
    assert client.get(f"/petitions?page={page}").status_code == 400
    assert client.get(f"/api/v1/petitions?page={page}").status_code == 400


def test_log_redaction_covers_exceptions_as_messages_and_multi_line_rows(caplog):
    import logging

    from app.core.logredact import install

    install()
    caplog.set_level(logging.INFO)
    error = RuntimeError("new row violates check constraint\nDETAIL:  Failing row contains (7, Aigerim\n"
                         "Serikova, hidden.person@example.kz).\n[SQL: INSERT INTO users ...]")
    logging.getLogger("rq.worker").error(error)
    assert "hidden.person@example.kz" not in caplog.text and "Serikova" not in caplog.text
    assert "[SQL: INSERT INTO users" in caplog.text
