"""Nothing public before moderation (#22): a petition collecting sponsors or waiting for
moderation is a 404 by its number to anyone who counts ids (pages, API, CSV, QR code),
and reachable by its author, its sponsors, moderators and whoever holds its link."""

import re

import pytest

from app.extensions import db
from app.models import Role
from tests.support import CONFIRMED, login, make_petition, make_user, page_text, post, sign_as

NOT_YET_PUBLIC = ["collecting_sponsors", "pending_moderation"]


def by_number(petition) -> list[str]:
    return [f"/kk/petitions/{petition.id}", f"/api/v1/petitions/{petition.id}", f"/api/v1/petitions/{petition.id}/count",
            f"/kk/petitions/{petition.id}/regions.csv", f"/kk/petitions/{petition.id}/qr.svg"]


@pytest.mark.parametrize("state", NOT_YET_PUBLIC)
def test_by_number_it_is_no_page_to_a_reader_a_citizen_or_the_api(app, state):
    petition = make_petition(state=state, title="Әлі жария емес петицияның атауы", signatures=1)
    anonymous, citizen = app.test_client(), app.test_client()
    make_user("counter@example.kz")
    login(citizen, "counter@example.kz")
    for browser in (anonymous, citizen):
        for url in by_number(petition):
            response = browser.get(url)
            assert response.status_code == 404, (url, response.status_code)
            assert "Әлі жария емес" not in response.get_data(as_text=True)
    # Nor is it in any list, feed or download.
    for url in ("/kk/petitions?state=all", "/api/v1/petitions?state=all", "/kk/petitions/export.csv?state=all",
                "/kk/feeds/petitions.atom"):
        assert "Әлі жария емес" not in anonymous.get(url).get_data(as_text=True), url


@pytest.mark.parametrize("state", NOT_YET_PUBLIC)
def test_its_author_moderators_and_sponsors_reach_it_by_number(app, state):
    author = make_user("author@example.kz")
    petition = make_petition(author, state=state, title="Әлі жария емес петицияның атауы", signatures=1)
    make_user("moderator@example.kz", roles=(Role.MODERATOR,))
    make_user("admin@example.kz", roles=(Role.ADMIN,))
    for email in ("author@example.kz", "moderator@example.kz", "admin@example.kz"):
        browser = app.test_client()
        login(browser, email)
        response = browser.get(f"/kk/petitions/{petition.id}")
        assert response.status_code == 200 and "Әлі жария емес" in page_text(response), email
        assert response.headers["Cache-Control"] == "private, no-store"
    if state == "collecting_sponsors":
        sponsor = make_user("sponsor@example.kz")
        sign_as(petition, sponsor)
        browser = app.test_client()
        login(browser, "sponsor@example.kz")
        assert browser.get(f"/kk/petitions/{petition.id}").status_code == 200


@pytest.mark.parametrize("state", NOT_YET_PUBLIC)
def test_whoever_holds_the_link_reads_it_and_nobody_keeps_it(app, client, state):
    petition = make_petition(state=state, title="Әлі жария емес петицияның атауы", signatures=1)
    link = f"/kk/petitions/{petition.id}/link/{petition.link_key}"
    response = client.get(link)
    assert response.status_code == 200 and "Әлі жария емес" in page_text(response)
    assert response.headers["Cache-Control"] == "private, no-store" and "ETag" not in response.headers
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in response.headers
    wrong = petition.link_key[:-1] + ("A" if petition.link_key[-1] != "A" else "B")
    for bad in (f"/kk/petitions/{petition.id}/link/{wrong}", f"/kk/petitions/{petition.id}/link/short",
                f"/kk/petitions/{petition.id + 1}/link/{petition.link_key}"):
        assert client.get(bad).status_code == 404, bad


def test_a_sponsor_comes_through_the_link_logs_in_and_sponsors(app, client):
    author = make_user("author@example.kz")
    petition = make_petition(author, state="collecting_sponsors", title="Демеушілер жинап жатқан петиция", signatures=1)
    link = f"/kk/petitions/{petition.id}/link/{petition.link_key}"
    page = client.get(link)
    login_link = re.search(r'href="(/kk/login\?next=[^"]+)"', page.get_data(as_text=True)).group(1)
    assert "link" in login_link  # back to the link, not to the page by number
    make_user("sponsor@example.kz")
    assert post(client, login_link, {"email": "sponsor@example.kz", "password": "correct horse battery"},
                token_from=login_link).headers["Location"].endswith(link)
    form = client.get(link).get_data(as_text=True)
    assert f'name="link" value="{petition.link_key}"' in form
    # Without the key (a script counting ids), nothing is signed and nothing is shown.
    assert post(client, f"/kk/petitions/{petition.id}/sign", {"notify": "y"}, token_from=link).status_code == 404
    signed = post(client, f"/kk/petitions/{petition.id}/sign", {"notify": "y", "link": petition.link_key},
                  token_from=link)
    assert signed.status_code == 302
    thanks = client.get(signed.headers["Location"])
    assert thanks.status_code == 200 and f"/petitions/{petition.id}/link/{petition.link_key}" in page_text(thanks)


def test_once_open_the_link_leads_to_the_public_page(app, client):
    petition = make_petition(state="open", title="Ашылған петиция сілтемесі", signatures=1)
    response = client.get(f"/kk/petitions/{petition.id}/link/{petition.link_key}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/kk/petitions/{petition.id}")
    draft = make_petition(state="draft")
    assert client.get(f"/kk/petitions/{draft.id}/link/{draft.link_key}").status_code == 404  # a draft is its author's


def test_the_author_is_given_the_link_to_share_on_the_page_and_by_email(app, client, mailbox):
    from sqlalchemy import select

    from app.models import Petition

    make_user("author@example.kz", region="KZ-75")
    login(client, "author@example.kz")
    post(client, "/petitions/new/form", {"title": "Аулаға балалар алаңын салу керек", "summary": "Қысқаша.",
                                         "details": "Толығырақ.", "body": "GOV", "category": "other",
                                         "language": "kk"}, token_from="/petitions/new/form")
    petition = db.session.scalar(select(Petition))
    page = post(client, f"/petitions/{petition.id}/submit", CONFIRMED, token_from=f"/petitions/{petition.id}",
                follow_redirects=True)
    link = f"http://localhost/petitions/{petition.id}/link/{petition.link_key}"
    assert f'value="{link}"' in page.get_data(as_text=True)
    mailbox.deliver()
    [email] = mailbox.to("author@example.kz")
    assert f"/kk/petitions/{petition.id}/link/{petition.link_key}" in email.get_body(("plain",)).get_content()
