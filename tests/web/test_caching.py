"""Public pages any cache can serve; personal and staff pages that none may keep; the
shared cache inside the application (app/caching.py)."""

import re

import pytest
import redis

from app.core import redis_client
from app.models import Role
from tests.support import login, make_petition, make_user, page_text, post, settle, sign_as

PUBLIC_PAGES = ["/", "/petitions", "/petitions?sort=newest&state=open", "/bodies", "/petitions/{id}",
                "/accountability", "/bodies/GOV", "/open-data", "/petitions/export.csv", "/accountability.csv",
                "/petitions/{id}/regions.csv", "/petitions/{id}/qr.svg", "/feeds/petitions.atom",
                "/feeds/bodies/GOV/responses.atom"]
PUBLIC = "public, max-age=10, stale-while-revalidate=30, stale-if-error=86400"


@pytest.fixture
def petition(app):
    return make_petition(title="A petition the whole country reads", signatures=1)


@pytest.fixture
def page_cache(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE", True)
    monkeypatch.setitem(app.config, "CACHE_MAX_AGE", 10)
    monkeypatch.setitem(app.config, "CACHE_STALE_SECONDS", 30)


def count_on(response) -> str:
    return re.search(r'data-testid="signature-count">([^<]+)<', response.get_data(as_text=True)).group(1)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_an_anonymous_public_page_is_public_with_a_validator(client, petition, path, language):
    client.language = language
    response = client.get(path.format(id=petition.id))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == PUBLIC
    etag = response.headers["ETag"]
    again = client.get(path.format(id=petition.id), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert "csrf_token" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_signed_in_reader_gets_the_same_pages_private(client, petition, path):
    make_user("reader@example.kz")
    login(client, "reader@example.kz")
    response = client.get(path.format(id=petition.id))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in response.headers


@pytest.mark.parametrize(("role", "path"), [
    (None, "/account"), (Role.MODERATOR, "/moderation/"), (Role.OFFICIAL, "/review/"), (Role.ADMIN, "/admin/users"),
    (None, "/login"), (None, "/register"), (None, "/petitions/new"),
])
def test_personal_and_staff_pages_are_never_stored(client, role, path):
    if path not in ("/login", "/register"):
        make_user("staff@example.kz", roles=(role,) if role else (), body="GOV" if role is Role.OFFICIAL else None)
        login(client, "staff@example.kz")
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_reader_with_a_flash_message_gets_a_private_page(client, petition, auth):
    make_user("leaving@example.kz")
    login(client, "leaving@example.kz")
    auth.logout()  # "You have logged out." waits in the session for the next page
    response = client.get(f"/petitions/{petition.id}")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_no_one_gets_a_cached_page_with_someone_elses_session(app, petition, page_cache):
    signed_in = app.test_client()
    make_user("aigerim@example.kz")
    login(signed_in, "aigerim@example.kz")
    mine = signed_in.get(f"/petitions/{petition.id}")
    assert mine.headers["Cache-Control"] == "private, no-store"
    stranger = app.test_client().get(f"/petitions/{petition.id}")
    text = page_text(stranger)
    assert "Set-Cookie" not in stranger.headers and "csrf_token" not in stranger.get_data(as_text=True)
    assert "aigerim" not in text.lower()
    # And the signed-in reader, after the anonymous copy is cached, still gets their own page.
    again = signed_in.get(f"/petitions/{petition.id}")
    assert "Age" not in again.headers and again.headers["Cache-Control"] == "private, no-store"
    assert 'name="csrf_token"' in again.get_data(as_text=True)


def test_the_count_on_a_cached_page_catches_up_within_max_age(app, petition, page_cache, clock):
    reader = app.test_client()
    assert count_on(reader.get(f"/petitions/{petition.id}")) == "1"
    sign_as(petition, make_user())
    settle()
    cached = reader.get(f"/petitions/{petition.id}")
    assert count_on(cached) == "1" and cached.headers["Age"] == "0"  # served from the shared cache
    clock.advance(seconds=10)
    assert count_on(reader.get(f"/petitions/{petition.id}")) == "1"  # still within max-age
    clock.advance(seconds=1)
    fresh = reader.get(f"/petitions/{petition.id}")
    assert count_on(fresh) == "2" and "Age" not in fresh.headers
    assert fresh.headers["Cache-Control"] == PUBLIC


def test_a_stale_copy_is_served_while_one_request_renders_the_next(app, petition, page_cache, clock):
    reader = app.test_client()
    reader.get(f"/petitions/{petition.id}")
    sign_as(petition, make_user())
    settle()
    clock.advance(seconds=15)  # stale, within stale-while-revalidate
    redis_client.page_cache(app).set(f"dauys:page:/kk/petitions/{petition.id}?:renderer", 1)  # another is rendering
    stale = reader.get(f"/petitions/{petition.id}")
    assert count_on(stale) == "1" and stale.headers["Age"] == "15"
    clock.advance(seconds=30)  # past stale-while-revalidate: nobody gets it any more
    assert count_on(reader.get(f"/petitions/{petition.id}")) == "2"


def test_cache_keys_hold_the_language_and_the_query(app, petition, page_cache):
    reader = app.test_client()
    kk = reader.get("/kk/petitions?sort=newest")
    ru = reader.get("/ru/petitions?sort=newest")
    assert '<html lang="ru">' in ru.get_data(as_text=True) and '<html lang="kk">' in kk.get_data(as_text=True)
    assert ru.headers.get("Age") is None  # not the Kazakh copy
    assert reader.get("/kk/petitions?state=open&sort=newest").headers.get("Age") is None
    assert reader.get("/kk/petitions?sort=newest").headers["Age"] == "0"


def test_a_cached_copy_answers_a_conditional_request(app, petition, page_cache):
    reader = app.test_client()
    etag = reader.get("/bodies").headers["ETag"]
    again = reader.get("/bodies", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["Age"] == "0"


def test_pages_are_served_while_redis_is_down(app, petition, page_cache, monkeypatch):
    monkeypatch.setitem(app.extensions, "redis", redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2))
    response = app.test_client().get(f"/petitions/{petition.id}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == PUBLIC


def test_signing_from_a_cached_page_works(app, petition, page_cache):
    """The cached page has no form: the reader logs in (a private page) and signs there."""
    reader = app.test_client()
    page = reader.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert "/login?next=" in page
    make_user("late@example.kz")
    login(reader, "late@example.kz")
    response = post(reader, f"/petitions/{petition.id}/sign", {}, token_from=f"/petitions/{petition.id}")
    assert response.status_code == 302


def test_a_cached_api_answer_keeps_its_headers(client, petition, page_cache):
    first = client.get(f"/api/v1/petitions/{petition.id}/count")
    second = client.get(f"/api/v1/petitions/{petition.id}/count")
    assert "Age" in second.headers  # served from the shared cache
    for response in (first, second):
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.mimetype == "application/json" and response.headers["Cache-Control"] == PUBLIC
    assert second.get_json() == first.get_json()
    client.get("/en/petitions/export.csv")
    csv_again = client.get("/en/petitions/export.csv")
    assert "Age" in csv_again.headers and csv_again.headers["Content-Disposition"].startswith("attachment")


@pytest.fixture
def small_page_cache(app, page_cache, monkeypatch):
    """The page cache on a Redis of its own with a small maxmemory (as production runs it)."""
    from tests.chaos.services import PrivateRedis

    server = PrivateRedis("--maxmemory", "3mb", "--maxmemory-policy", "allkeys-lru")
    server.start()
    monkeypatch.setitem(app.extensions, "redis_page_cache", redis.Redis.from_url(server.url))
    yield redis.Redis.from_url(server.url)
    server.close()


def test_made_up_addresses_fill_only_the_bounded_page_cache(app, client, petition, small_page_cache):
    """Made-up spellings of an id are no page at all; made-up queries are pages, kept in
    the cache's own Redis, which stays within its bound by evicting pages: the rate-limit
    counters and the queued jobs live in the other Redis and are never evicted."""
    from rq import Queue

    from app.core.jobs import queue

    main = redis_client.connection(app)
    job = queue.enqueue("app.moderation.jobs.run_invalidation", 999999, app=app)  # waits; never run here
    # Counters of the log-in throttle (a wrong password; they last LOGIN_FAILURE_WINDOW_SECONDS).
    make_user("counted@example.kz")
    guesser = app.test_client()
    assert post(guesser, "/login", {"email": "counted@example.kz", "password": "wrong guess here"},
                token_from="/login").status_code == 401
    counters = {k: main.get(k) for k in main.keys("dauys:login-fail:*")}
    assert counters and job.id in Queue("default", connection=main).job_ids
    assert client.get("/kk/petitions?q=көл").status_code == 200
    kept = small_page_cache.dbsize()  # the search's page
    # Spellings: 404, nothing kept.
    for spelling in ("0" + str(petition.id), "٠" + str(petition.id), str(petition.id).translate(
            str.maketrans("0123456789", "０１２３４５６７８９"))):
        assert client.get(f"/kk/petitions/{spelling}").status_code == 404
    assert small_page_cache.dbsize() == kept
    # Queries: far more pages than 3 MB holds.
    body_size = len(client.get("/kk/?made-up=0").get_data())
    pages = 1 + (6 * 1024 * 1024) // body_size
    for n in range(1, pages):
        assert client.get(f"/kk/?made-up={n}").status_code == 200
    memory = small_page_cache.info("memory")
    assert memory["used_memory"] <= memory["maxmemory"] == 3 * 1024 * 1024
    assert small_page_cache.info("stats")["evicted_keys"] > 0
    assert 0 < small_page_cache.dbsize() < pages
    assert client.get(f"/kk/?made-up={pages - 1}").headers.get("Age") is not None  # the newest is served from it
    assert {k: main.get(k) for k in main.keys("dauys:login-fail:*")} == counters
    assert job.id in Queue("default", connection=main).job_ids
