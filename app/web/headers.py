"""Security headers on every answer, from one small after_request hook (rather than
Flask-Talisman: the policy is a handful of fixed headers, and its HTTPS redirect and
session-cookie handling are already nginx's and Flask's).

The Content-Security-Policy allows no inline script or style at all: the templates
carry none (scripts are files under /static; pictures are SVG with presentation
attributes, not style attributes), so no nonce is needed. The page that signs with an
EDS may also connect to NCALayer on the person's own computer (`eds_page_policy`). A response that sets its own
Content-Security-Policy keeps it (the officials' digest preview: an email's HTML, which
needs inline styles, in a sandboxed frame that runs nothing)."""

from __future__ import annotations

from flask import Flask, Response, current_app

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])


def eds_page_policy(ncalayer_url: str) -> str:
    """The policy of the EDS signing page: the usual one, and NCALayer's local WebSocket."""
    return CSP.replace("connect-src 'self'", f"connect-src 'self' {ncalayer_url}")


PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    app.after_request(_secure)


def _secure(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("ENV_NAME") == "production":
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response
