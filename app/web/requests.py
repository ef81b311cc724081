"""Request helpers that do not belong to one domain."""

import os
import typing
from urllib.parse import urljoin, urlsplit

from flask import Blueprint, Response, abort, current_app, redirect, request, session, url_for
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import BaseConverter, ValidationError
from werkzeug.wsgi import wrap_file

from app.models.base import MAX_ID

MAX_PAGE = 10_000
# Characters no text field or filter may carry: C0 controls except tab and newlines.
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"} | {"\x7f"}


class IdConverter(BaseConverter):
    """`<id:name>`: a positive integer that fits the database's INTEGER columns, spelled
    one way only: ASCII digits without leading zeros. `/petitions/0001`, `/petitions/١`
    (Arabic-Indic one) or `/petitions/０١` are no address at all (404), so that a page has
    one address, one cache entry and one count in the logs; an absurd id is a 404 too,
    not a database overflow. Pages and the API share this converter."""

    regex = r"[1-9][0-9]{0,9}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


class LinkKeyConverter(BaseConverter):
    """`<linkkey:name>`: the shape of a petition's link key (secrets.token_urlsafe(16):
    22 URL-safe characters); anything else is no address."""

    regex = r"[A-Za-z0-9_-]{22}"
    part_isolating = True


def page_arg() -> int:
    """The `page` query parameter: 1 when absent; 400 when not a number or absurd."""
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        abort(400)
    return int(raw)


WORD_BREAKS = {"\x0b": "\n", "\x0c": "\n\n"}


def _word_breaks(value: str) -> str:
    for char, replacement in WORD_BREAKS.items():
        value = value.replace(char, replacement)
    return value


# Longer addresses (path and query) are refused whatever server runs the app (gunicorn's
# own limit on the request line is 4094 bytes): no page of ours has one.
MAX_ADDRESS_LENGTH = 4000


def screen_request() -> None:
    """before_request, for every route (matched or not): an address longer than
    MAX_ADDRESS_LENGTH is a 414; a NUL byte or another control character in the address
    (any path segment) or in any query or form value is a bad request (PostgreSQL cannot
    store NUL in text, nor look it up)."""
    if len(request.full_path) > MAX_ADDRESS_LENGTH:
        abort(414)
    if any(ch in _CONTROL for ch in request.path):
        abort(400)
    if any(ch in value for ch in WORD_BREAKS for value in request.form.values()):
        # Text pasted from Word carries vertical tabs (line breaks) and form feeds (page
        # breaks): keep the text, as line breaks.
        request.form = ImmutableMultiDict(
            [(key, _word_breaks(value)) for key, value in request.form.items(multi=True)])
    for values in (request.args, request.form):
        for value in values.values():
            if any(ch in _CONTROL for ch in value):
                abort(400)


def client_address() -> str:
    """The client's IP address (ProxyFix has already applied trusted X-Forwarded-For)."""
    return request.remote_addr or "unknown"


def safe_next_url(target: str | None) -> str | None:
    """Return `target` if it is a local path on this site, else None.

    Refuses absolute URLs to other hosts, scheme-relative `//host` and backslash tricks
    that browsers normalise into another host.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    joined = urlsplit(urljoin(request.host_url, target))
    if joined.netloc != urlsplit(request.host_url).netloc or joined.scheme not in ("http", "https"):
        return None
    return target


def absolute_url(endpoint: str, **values) -> str:
    """An absolute URL on PUBLIC_BASE_URL, with or without a request. A page's URL is
    in the current language unless `lang=` names another (an email: the recipient's).

    Links in email must never come from the request's Host header (a forged Host
    would otherwise put an attacker's domain into a password-reset email), and jobs
    build links with no request at all.
    """
    parts = urlsplit(current_app.config["PUBLIC_BASE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def share_url(endpoint: str, **values) -> str:
    """An absolute URL that names no language, for links people pass on: whoever opens
    it is sent on to the page in their own language."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    some = current_app.config["LANGUAGES"][0]
    url = absolute_url(endpoint, **values, lang=some)
    return base + url[len(base):].removeprefix(f"/{some}")


_LINK_TOKEN_MAX = 1000


def stash_link_token(kind: str, token: str, endpoint: str) -> Response:
    """The first GET of a link from an email: keep its token in this browser's session and
    redirect to the same page without it (as Django's password reset does), so the token
    leaves the address bar, the history, every later Referer header and access-log line."""
    if len(token) <= _LINK_TOKEN_MAX:
        session[f"link:{kind}"] = token
    return redirect(url_for(endpoint))


def add_emailed_link(bp: Blueprint, rule: str, kind: str, endpoint: str) -> None:
    """The route an emailed link opens, `<rule>/<token>` (endpoint `<endpoint>_link`): it
    stashes the token (see `stash_link_token`) and redirects to `endpoint`, which reads it
    with `link_token(kind)`."""
    def open_link(token: str) -> Response:
        return stash_link_token(kind, token, f"{bp.name}.{endpoint}")

    bp.add_url_rule(f"{rule}/<token>", f"{endpoint}_link", open_link)


def link_token(kind: str) -> str:
    """The token stashed by `stash_link_token`, or "" (which no token check accepts)."""
    token = session.get(f"link:{kind}")
    return token if isinstance(token, str) else ""


def forget_link_token(kind: str) -> None:
    session.pop(f"link:{kind}", None)


def zip_download(body: bytes | typing.BinaryIO, filename: str) -> Response:
    """A ZIP file for the browser to save as `filename`: bytes, or an open file (read from
    the start and closed once sent)."""
    if isinstance(body, bytes):
        response = Response(body, mimetype="application/zip")
    else:
        size = os.fstat(body.fileno()).st_size
        response = Response(wrap_file(request.environ, body), mimetype="application/zip", direct_passthrough=True)
        response.content_length = size
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
