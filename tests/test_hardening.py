"""Inputs that used to be able to hurt: control characters, absurd ids and pages,
markup in petition titles reaching email, drafts reaching moderators."""

import pytest

from app.core.jobs import worker
from app.extensions import db
from app.models import PetitionState, Role
from tests.support import html_part, login, make_petition, make_user, post


@pytest.mark.parametrize("url", ["/petitions?body=%00", "/petitions?region=a%01b", "/petitions?q=%00",
                                 "/petitions/new?idea=%00abc"])
def test_control_characters_in_queries_are_400(client, url):
    make_user("nul@example.kz")
    login(client, "nul@example.kz")
    assert client.get(url).status_code == 400


def test_nul_in_a_form_is_400_and_creates_nothing(client):
    from tests.accounts.test_registration import form, user_count

    before = user_count()
    response = post(client, "/register", form(given_name="Nul\x00Byte"), token_from="/register")
    assert response.status_code == 400
    assert user_count() == before


@pytest.mark.parametrize("url", ["/petitions/99999999999999999999", "/petitions/0", "/petitions/-1"])
def test_absurd_ids_are_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["99999999999999999999", "0", "-3", "x"])
def test_absurd_pages_are_400(client, page):
    assert client.get(f"/petitions?page={page}").status_code == 400


def test_moderators_never_see_drafts(client):
    draft = make_petition(state="draft")
    make_user("mod@example.kz", roles=(Role.MODERATOR,))
    login(client, "mod@example.kz")
    assert client.get(f"/moderation/petitions/{draft.id}").status_code == 404
    response = post(client, f"/moderation/petitions/{draft.id}/metadata",
                    {"meta-category": "health", "meta-body": "GOV", "meta-note": "x"})
    assert response.status_code == 404


def test_metadata_cannot_change_on_a_closed_petition(client):
    closed = make_petition(state="closed")
    make_user("mod@example.kz", roles=(Role.MODERATOR,))
    login(client, "mod@example.kz")
    response = post(client, f"/moderation/petitions/{closed.id}/metadata",
                    {"meta-category": "health", "meta-body": "MIN-HEALTH", "meta-note": "x"})
    assert response.status_code == 409


def test_markup_in_a_title_is_escaped_in_email(app, client, mailbox):
    author = make_user("markup@example.kz")
    petition = make_petition(author, state="pending_moderation", title="<img src=x onerror=alert(1)> petition")
    make_user("mod@example.kz", roles=(Role.MODERATOR,))
    login(client, "mod@example.kz")
    post(client, f"/moderation/petitions/{petition.id}/approve")
    worker.drain(app)
    [message] = mailbox.to("markup@example.kz")
    html = html_part(message)
    assert "<img src=x" not in html and "&lt;img src=x" in html
    db.session.expire_all()
    assert db.session.get(type(petition), petition.id).state is PetitionState.OPEN
