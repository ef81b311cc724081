"""Public pages that any cache can serve, and a shared cache inside the application.

A page marked `@public` (home, the list, a petition, /bodies) is the same for every
reader who is not signed in. Answered to such a reader (no session, no remember-me
cookie) it is `Cache-Control: public, max-age=N, stale-while-revalidate=M` with an ETag,
and a request that sends the ETag back gets 304. Everything else, and every page of a
signed-in reader, is `private, no-store`: no cache in between ever keeps a page with
someone's session, flash message or CSRF token in it.

The shared cache keeps those public answers in Redis for N + M seconds, keyed by path
(which names the language) and query, so that one machine without a CDN holds a surge:
a fresh copy (at most N seconds old) is served as it is, with its `Age`; a stale one
while a single request renders its replacement. It is a thin layer rather than
Flask-Caching because what it must decide is about HTTP, not about functions: whether
the request is anonymous, whether the response is public, the ETag and 304 answered from
the cache, stale-while-revalidate with one renderer. A Redis outage only turns it off.

The count on a cached page trails the real one by at most N seconds plus the
aggregation period (COUNT_AGGREGATE_SECONDS); while a replacement is being rendered, a
copy up to N + M seconds old may be served.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import redis
from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user

from app.core import clock, redis_client

log = logging.getLogger(__name__)
KEY = "dauys:page:"
# Response headers worth keeping with a cached page.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Link", "Content-Disposition", "Access-Control-Allow-Origin")


def public(view: Callable) -> Callable:
    """Mark a view whose page is the same for every reader who is not signed in."""
    view.public_page = True  # type: ignore[attr-defined]
    return view


def init_app(app: Flask) -> None:
    app.before_request(_from_cache)
    app.after_request(_cache_headers)


def _is_public_view() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(view is not None and getattr(view, "public_page", False))


def _sends_identity() -> bool:
    """The request carries a session or remember-me cookie: its page may be personal."""
    cookies = request.cookies
    return (current_app.config["SESSION_COOKIE_NAME"] in cookies
            or current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies)


def _cacheable_request() -> bool:
    return (current_app.config["PAGE_CACHE"] and request.method in ("GET", "HEAD") and _is_public_view()
            and not _sends_identity())


def _key() -> str:
    query = "&".join(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)))
    return f"{KEY}{request.path}?{query}"


def _from_cache():
    """before_request: answer an anonymous reader of a public page from the shared
    cache when it has a fresh copy (or a stale one while another request renders)."""
    if not _cacheable_request():
        return None
    config = current_app.config
    max_age, stale = config["CACHE_MAX_AGE"], config["CACHE_STALE_SECONDS"]
    try:
        r = redis_client.page_cache()
        entry = r.hgetall(_key())
        if not entry:
            return None
        meta = json.loads(entry[b"meta"])
        age = max(0, int(clock.timestamp() - meta["stored_at"]))
        if age > max_age + stale:
            return None
        if age > max_age and r.set(_key() + ":renderer", 1, nx=True, ex=max(5, max_age)):
            return None  # this request renders the replacement; the others get the stale copy
    except (redis.RedisError, KeyError, ValueError) as exc:
        log.warning("page cache unavailable (%s): rendering", exc)
        return None
    response = Response(entry[b"body"], status=meta["status"], headers=meta["headers"])
    response.headers["Age"] = str(age)
    _public_headers(response)
    g.page_from_cache = True
    return response.make_conditional(request)


def _public_headers(response: Response) -> None:
    config = current_app.config
    response.headers["Cache-Control"] = (f"public, max-age={config['CACHE_MAX_AGE']}, "
                                         f"stale-while-revalidate={config['CACHE_STALE_SECONDS']}, "
                                         f"stale-if-error={config['CACHE_STALE_IF_ERROR_SECONDS']}")


# Where a copy served while the database is down says so (base.html has it in <main>).
STALE_MARK = b"<!--dauys:stale-->"


def stale_copy(notice: Callable[[int], str]) -> Response | None:
    """While the database is down: the shared cache's copy of this public page, however
    old (within CACHE_STALE_IF_ERROR_SECONDS; pages with a query are kept only for
    CACHE_STALE_SECONDS), for an anonymous reader; None when there is none. `notice(age_seconds)` is the HTML put in the page's STALE_MARK to say it may be
    out of date. The answer is never to be stored as fresh by a cache in between."""
    if not _cacheable_request():
        return None
    try:
        entry = redis_client.page_cache().hgetall(_key())
        if not entry:
            return None
        meta = json.loads(entry[b"meta"])
    except (redis.RedisError, KeyError, ValueError):
        return None
    age = max(0, int(clock.timestamp() - meta["stored_at"]))
    if age > current_app.config["CACHE_STALE_IF_ERROR_SECONDS"]:
        return None
    body = entry[b"body"]
    if STALE_MARK in body:
        body = body.replace(STALE_MARK, notice(age).encode(), 1)
    response = Response(body, status=meta["status"], headers=[h for h in meta["headers"] if h[0] != "ETag"])
    response.headers["Age"] = str(age)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Warning"] = '110 - "Response is Stale"'
    g.page_from_cache = True
    return response


def _shareable(response: Response) -> bool:
    """Nothing personal can be in it: a public page, rendered for nobody in particular,
    that sets no cookie."""
    return (request.method in ("GET", "HEAD") and response.status_code == 200 and _is_public_view()
            and not current_user.is_authenticated and not session and not session.modified
            and "Set-Cookie" not in response.headers)


def _cache_headers(response: Response) -> Response:
    """after_request: public with a validator, or private and never stored."""
    if g.get("page_from_cache") or g.get("database_unavailable") or request.endpoint == "static":
        return response
    if not _shareable(response):
        response.headers["Cache-Control"] = "private, no-store"
        return response
    _public_headers(response)
    response.add_etag()
    if current_app.config["PAGE_CACHE"] and not _sends_identity() and request.method == "GET":
        _store(response)
    return response.make_conditional(request)


def _store(response: Response) -> None:
    config = current_app.config
    meta = {"status": response.status_code, "stored_at": clock.timestamp(),
            "headers": [(k, v) for k, v in response.headers.items() if k in KEPT_HEADERS or k == "ETag"]}
    key = _key()
    # A page without a query is kept for the outage's stale copy too: one copy per page.
    # With a query, only as long as it may be served fresh or stale-while-revalidate, so
    # made-up queries cannot fill Redis with day-long copies.
    keep = config["CACHE_STALE_SECONDS"]
    if not request.query_string:
        keep = max(keep, config["CACHE_STALE_IF_ERROR_SECONDS"])
    try:
        r = redis_client.page_cache()
        with r.pipeline() as pipe:
            pipe.hset(key, mapping={"body": response.get_data(), "meta": json.dumps(meta)})
            pipe.expire(key, config["CACHE_MAX_AGE"] + keep)
            pipe.delete(key + ":renderer")
            pipe.execute()
    except redis.RedisError as exc:
        log.warning("page cache unavailable (%s): not stored", exc)
