"""Home, language switcher, state bodies, error pages, health."""

import pytest

from tests.support import page_text, post


def test_home_is_kazakh_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="kk">' in response.get_data(as_text=True)
    assert "Сіздің үніңіз — мемлекетке" in page_text(response)
    assert "15 000" in page_text(response)


@pytest.mark.parametrize(("headers", "cookie", "lands"), [
    ({}, None, "/kk/"),                                              # nothing known: the state language
    ({"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}, None, "/ru/"),  # the browser's
    ({"Accept-Language": "en-US,en;q=0.9"}, None, "/en/"),
    ({"Accept-Language": "de-DE,fr;q=0.8"}, None, "/kk/"),            # none of ours
    ({"Accept-Language": "en-US"}, "ru", "/ru/"),                    # the saved choice first
])
def test_an_address_without_a_language_goes_to_the_readers(client, headers, cookie, lands):
    client.language = None
    if cookie:
        client.set_cookie("lang", cookie)
    response = client.get("/", headers=headers)
    assert response.status_code == 302 and response.headers["Location"] == lands
    assert {"Cookie", "Accept-Language"} <= set(response.vary)


def test_old_links_keep_working(client):
    """Links in emails sent before the addresses had a language, and old bookmarks."""
    from tests.support import make_petition

    petition = make_petition()
    client.language = None
    response = client.get(f"/petitions/{petition.id}?utm=mail", headers={"Accept-Language": "ru"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ru/petitions/{petition.id}?utm=mail"
    assert petition.title in page_text(client.get(response.headers["Location"]))
    assert client.get("/petitions", headers={"Accept-Language": "ru"}).headers["Location"] == "/ru/petitions"
    # A form sent to an old address (a page open since before) keeps its method and body.
    sent = post(client, f"/petitions/{petition.id}/report", {"reason": "advertising"})
    assert sent.status_code == 307 and sent.headers["Location"] == f"/kk/petitions/{petition.id}/report"
    assert client.get("/moderation/").headers["Location"] == "/kk/moderation/"
    assert client.get("/no-such-page").status_code == 404
    assert client.get("/fr/petitions").status_code == 404


@pytest.mark.parametrize(("lang", "phrase"), [("ru", "Ваш голос — государству"), ("en", "Your voice to the state"),
                                              ("kk", "Сіздің үніңіз — мемлекетке")])
def test_the_address_decides_the_language(client, lang, phrase):
    response = client.get(f"/{lang}/")
    assert f'<html lang="{lang}">' in response.get_data(as_text=True)
    assert phrase in page_text(response)
    assert "Set-Cookie" not in response.headers


def test_switching_language_keeps_the_page(client):
    """Plain links for anyone not signed in: the same page, query and all."""
    html = client.get("/petitions?sort=newest&state=open").get_data(as_text=True)
    for code in ("ru", "en"):
        assert f'href="/{code}/petitions?sort=newest&amp;state=open" hreflang="{code}"' in html
    assert 'rel="alternate" hreflang="ru" href="http://localhost/ru/petitions?sort=newest&amp;state=open"' in html
    assert 'rel="alternate" hreflang="x-default" href="http://localhost/petitions?sort=newest&amp;state=open"' in html


def test_the_language_form_saves_the_choice_and_keeps_the_page(client):
    response = post(client, "/language", {"lang": "ru", "next": "/kk/bodies"})
    assert response.status_code == 303 and response.headers["Location"] == "/ru/bodies"
    # The next address without a language follows the saved choice.
    client.language = None
    assert client.get("/").headers["Location"] == "/ru/"


def test_logged_in_choice_is_saved_on_the_account(client, auth):
    from tests.support import make_user

    make_user("polyglot@example.kz")
    auth.login("polyglot@example.kz")
    post(client, "/language", {"lang": "ru", "next": "/kk/account"})
    other = client.application.test_client()
    post(other, "/login", {"email": "polyglot@example.kz", "password": "correct horse battery"})
    other.language = None  # another browser, an old link: the account's language
    assert "Моя учётная запись" in page_text(other.get("/account", follow_redirects=True))


@pytest.mark.parametrize("data", [{"lang": "fr"}, {"lang": ""}, {}])
def test_bad_language_is_400(client, data):
    assert post(client, "/language", data).status_code == 400


def test_language_without_csrf_is_400(client):
    client.get("/")
    response = client.post("/language", data={"lang": "ru"})
    assert response.status_code == 400


def test_language_next_must_be_local(client):
    response = post(client, "/language", {"lang": "ru", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/ru/"


def test_bodies_page_lists_thresholds(client):
    text = page_text(client.get("/bodies"))
    assert "Қазақстан Республикасының Үкіметі" in text
    assert "Қарағанды облысының әкімдігі" in text
    assert "11 313" in text  # 1 % of Karaganda Region's 1,131,287, rounded up
    assert "Ақмола облысының әкімдігі" in text and "5 000" in text  # population unknown: fallback
    assert "40 жұмыс күні" in text and "20 жұмыс күні" in text


@pytest.mark.parametrize("lang,title", [("kk", "Бет табылмады"), ("ru", "Страница не найдена"),
                                        ("en", "Page not found")])
def test_404_in_the_users_language(client, lang, title):
    client.set_cookie("lang", lang)
    client.language = None
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert title in page_text(response)


def test_405_page(client):
    response = client.put("/")
    assert response.status_code == 405
    assert "Әдіске рұқсат жоқ" in page_text(response)


def test_500_page_hides_the_error(client, app, monkeypatch):
    def boom():
        raise RuntimeError("secret internals")

    monkeypatch.setitem(app.view_functions, "accountability.bodies", boom)
    monkeypatch.setattr(app, "testing", False)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/bodies")
    assert response.status_code == 500
    text = page_text(response)
    assert "Бірдеңе дұрыс болмады" in text and "secret internals" not in text


def test_429_page(client, app):
    for _ in range(60):  # the search limit (the log-in form has a 429 page of its own)
        client.get("/petitions?q=су")
    response = client.get("/petitions?q=су")
    assert response.status_code == 429
    assert "Тым көп әрекет" in page_text(response)


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "redis": "ok"}


def test_pages_are_accessible_shapes(client):
    html = client.get("/register").get_data(as_text=True)
    # every input has a label tied to it
    import re

    for field_id in re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html):
        if field_id in ("csrf_token", "shown_at"):  # hidden inputs: nothing to label
            continue
        assert f'for="{field_id}"' in html, field_id
    assert 'class="skip-link"' in html
