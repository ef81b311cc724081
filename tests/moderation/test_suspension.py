"""Moderators suspend and reactivate accounts (#12, item 6): audited; a suspended
account cannot log in, sign or create; staff are an administrator's to suspend."""

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Role, Signature, User
from tests.support import login, make_petition, make_user, page_text, post, translated


@pytest.fixture
def moderator_client(app):
    make_user("mod@example.kz", roles=(Role.MODERATOR,))
    client = app.test_client()
    login(client, "mod@example.kz")
    return client


def reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def suspend(client, user, reason="Registered 300 accounts from one network to sign one petition."):
    url = f"/moderation/accounts/{user.id}"
    return post(client, f"{url}/suspend", {"suspend-reason": reason}, token_from=url)


def test_a_suspended_account_cannot_log_in_sign_or_create_and_it_is_audited(app, moderator_client):
    suspect = make_user("suspect@example.kz", password="steppe-wind-2026")
    petition = make_petition(state="open", title="Қалалық саябақтарды сақтау туралы")
    their_browser = app.test_client()
    login(their_browser, "suspect@example.kz", "steppe-wind-2026")
    assert their_browser.get("/account").status_code == 200

    assert suspend(moderator_client, suspect).status_code == 302
    user = reload(suspect)
    assert not user.active and user.suspended_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.suspend"))
    assert entry.target_id == suspect.id and entry.actor.email == "mod@example.kz" and "300 accounts" in entry.reason

    # Their open session ended; signing and creating need a log-in they cannot get.
    assert their_browser.get("/account").status_code == 302
    signing = post(their_browser, f"/petitions/{petition.id}/sign", {"notify": "y"}, token_from="/login")
    assert signing.status_code == 302 and "/login" in signing.headers["Location"]
    assert their_browser.get("/petitions/new/form").status_code == 302
    refused = login(their_browser, "suspect@example.kz", "steppe-wind-2026")
    assert refused.status_code == 403
    assert "300 accounts" in page_text(refused)
    # A wrong password learns nothing about the suspension.
    wrong = login(app.test_client(), "suspect@example.kz", "wrong-password-9")
    assert wrong.status_code == 401 and "300 accounts" not in page_text(wrong)
    assert db.session.scalar(select(func.count()).select_from(Signature).where(Signature.user_id == suspect.id)) == 0

    url = f"/moderation/accounts/{suspect.id}"
    assert post(moderator_client, f"{url}/reactivate", {"reactivate-note": "Cleared after review."},
                token_from=url).status_code == 302
    assert reload(suspect).active
    assert login(their_browser, "suspect@example.kz", "steppe-wind-2026").status_code == 302
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == suspect.id,
                                                                 AuditEntry.target_type == "user")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["user.suspend", "user.reactivate"]


@pytest.mark.parametrize(("data", "message"), [
    ({"suspend-reason": ""}, _l("Write why the account is suspended.")),
    ({"suspend-reason": "x" * 501}, _l("At most 500 characters.")),
])
def test_a_suspension_needs_a_reason(moderator_client, data, message):
    target = make_user("target@example.kz")
    url = f"/moderation/accounts/{target.id}"
    response = post(moderator_client, f"{url}/suspend", data, token_from=url)
    assert response.status_code == 422
    assert translated(message, "kk") in page_text(response)
    assert reload(target).active


def test_moderators_cannot_suspend_staff_or_themselves_but_an_admin_can_suspend_staff(app, moderator_client):
    colleague = make_user("colleague@example.kz", roles=(Role.MODERATOR,))
    response = suspend(moderator_client, colleague)
    assert response.status_code == 403
    assert translated(_l("Only an administrator can suspend or reactivate a member of staff."), "kk") \
        in page_text(response)
    me = db.session.scalar(select(User).where(User.email == "mod@example.kz"))
    assert suspend(moderator_client, me).status_code == 403
    assert reload(colleague).active and reload(me).active
    admin = app.test_client()
    make_user("boss@example.kz", roles=(Role.ADMIN,))
    login(admin, "boss@example.kz")
    assert suspend(admin, colleague).status_code == 302
    assert not reload(colleague).active
    assert suspend(admin, colleague).status_code == 409  # already suspended


def test_the_account_page_is_linked_from_the_petition_and_is_staff_only(app, moderator_client):
    author = make_user("author@example.kz")
    petition = make_petition(author, state="pending_moderation", title="Жаңа мектеп салу туралы өтініш")
    html = moderator_client.get(f"/moderation/petitions/{petition.id}").get_data(as_text=True)
    assert f"/kk/moderation/accounts/{author.id}" in html
    page = moderator_client.get(f"/moderation/accounts/{author.id}")
    assert page.status_code == 200 and "Жаңа мектеп салу туралы өтініш" in page_text(page)
    citizen = app.test_client()
    make_user("nosy@example.kz")
    login(citizen, "nosy@example.kz")
    assert citizen.get(f"/moderation/accounts/{author.id}").status_code == 403
    assert moderator_client.get("/moderation/accounts/999999").status_code == 404


def test_the_last_administrator_cannot_be_suspended_and_the_command_line_reactivates(app, runner):
    boss = make_user("boss@example.kz", roles=(Role.ADMIN,))
    other = make_user("other.admin@example.kz", roles=(Role.ADMIN,))
    client = app.test_client()
    login(client, "boss@example.kz")
    assert suspend(client, other).status_code == 302  # another admin remains: boss
    assert not reload(other).active
    # boss is now the last active administrator: nobody can suspend them (nor themselves).
    assert suspend(client, boss).status_code == 403
    result = runner.invoke(args=["users", "reactivate", "other.admin@example.kz", "--note", "suspended by mistake"])
    assert result.exit_code == 0, result.output
    assert reload(other).active
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.reactivate"))
    assert entry.channel == "cli" and entry.reason == "suspended by mistake"
    again = runner.invoke(args=["users", "reactivate", "other.admin@example.kz", "--note", "x"])
    assert again.exit_code != 0 and "not_suspended" in again.output


def test_a_suspension_refused_after_its_first_write_leaves_nothing_behind(app, moderator_client, monkeypatch):
    """The account is already marked suspended and its sessions ended when the refusal
    comes: the request answers 409 and its transaction takes all of it back."""
    from app.moderation import accounts

    suspect = make_user("half-suspended@example.kz", password="steppe-wind-2026")
    their_browser = app.test_client()
    login(their_browser, "half-suspended@example.kz", "steppe-wind-2026")

    def refuse_after_the_write(*args, **kwargs):
        raise accounts.SuspensionError("already")

    monkeypatch.setattr(accounts, "record", refuse_after_the_write)
    response = suspend(moderator_client, suspect)
    assert response.status_code == 409
    assert translated(_l("This account is already suspended."), "kk") in page_text(response)
    user = reload(suspect)
    assert user.active and user.suspended_at is None and user.suspension_reason is None
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "user.suspend")) == 0
    assert their_browser.get("/account").status_code == 200  # still logged in
