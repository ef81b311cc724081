"""Account services (app.accounts.services): log-in upgrades old password hashes; a reset
link changes the password once."""

from argon2 import PasswordHasher
from sqlalchemy import select

from app.extensions import db
from app.models import User
from tests.support import at_once, csrf_token, login, make_user, post, postgres_only


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


def test_a_reset_link_used_twice_at_the_same_moment_changes_the_password_once(app, mailbox):
    postgres_only(app)
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

    statuses = at_once(app, submit(0, "first-steppe-2027"), submit(1, "second-steppe-2027"))
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

