"""An OpenID Connect provider for the tests, served on 127.0.0.1 by a thread: discovery,
the authorization endpoint (which signs in `person` at once, as a provider does for a
person already signed in there), the token endpoint (PKCE S256, client secret, codes
used once) and the signing keys. Knobs make it misbehave the ways a provider or an
attacker between us can: another issuer or audience in the token, an expired token, a
token signed with a key it does not publish, a claim left out, a code given twice."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from app.core import clock


@dataclass
class Knobs:
    issuer: str | None = None  # the "iss" the token says (None: the real one)
    audience: str | None = None  # the "aud" the token says (None: the client's id)
    lifetime: int = 300  # seconds from now to "exp" (negative: expired already)
    foreign_key: bool = False  # sign with a key the provider does not publish (same kid)
    tamper: bool = False  # change the payload after signing
    omit: tuple[str, ...] = ()  # claims left out
    wrong_nonce: bool = False
    reuse_codes: bool = False  # accept a code more than once (a broken provider)


@dataclass
class Provider:
    client_id: str = "dauys-test"
    client_secret: str = "test-secret-for-oidc"  # noqa: S105 (a test's)
    person: dict[str, Any] = field(default_factory=dict)
    knobs: Knobs = field(default_factory=Knobs)
    url: str = ""
    codes_exchanged: int = 0

    def __post_init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self._codes: dict[str, dict] = {}
        self.app = self._make_app()

    @property
    def discovery_url(self) -> str:
        return self.url + "/.well-known/openid-configuration"

    def _make_app(self) -> Flask:
        app = Flask("test-oidc-provider")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify({
                "issuer": self.url,
                "authorization_endpoint": self.url + "/authorize",
                "token_endpoint": self.url + "/token",
                "jwks_uri": self.url + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            })

        @app.get("/jwks")
        def jwks():
            return jsonify(KeySet([self.key]).as_dict(private=False))

        @app.get("/authorize")
        def authorize():
            args = request.args
            if args.get("client_id") != self.client_id or args.get("response_type") != "code":
                abort(400)
            if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
                abort(400)
            redirect_uri = args["redirect_uri"]
            if not self.person:
                return redirect(redirect_uri + "?" + urlencode({"error": "access_denied", "state": args.get("state", "")}))
            code = secrets.token_urlsafe(24)
            self._codes[code] = {"nonce": args.get("nonce"), "challenge": args["code_challenge"],
                                 "redirect_uri": redirect_uri, "person": dict(self.person)}
            return redirect(redirect_uri + "?" + urlencode({"code": code, "state": args.get("state", "")}))

        @app.post("/token")
        def token():
            form = request.form
            client_id, secret = form.get("client_id"), form.get("client_secret")
            if request.authorization:
                client_id, secret = request.authorization.username, request.authorization.password
            if client_id != self.client_id or secret != self.client_secret:
                return jsonify({"error": "invalid_client"}), 401
            code = form.get("code", "")
            grant = self._codes.get(code) if self.knobs.reuse_codes else self._codes.pop(code, None)
            if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
                return jsonify({"error": "invalid_grant"}), 400
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge != grant["challenge"]:
                return jsonify({"error": "invalid_grant", "error_description": "PKCE"}), 400
            self.codes_exchanged += 1
            return jsonify({"access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 300,
                            "id_token": self.id_token(grant)})

        return app

    def id_token(self, grant: dict) -> str:
        now = int(clock.timestamp())
        knobs = self.knobs
        claims = {"iss": knobs.issuer or self.url, "sub": "person-" + secrets.token_hex(4),
                  "aud": knobs.audience or self.client_id, "iat": now, "exp": now + knobs.lifetime,
                  "nonce": "someone-else" if knobs.wrong_nonce else grant["nonce"], **grant["person"]}
        for name in knobs.omit:
            claims.pop(name, None)
        key = self.other_key if knobs.foreign_key else self.key
        token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key)
        if knobs.tamper:
            header, payload, signature = token.split(".")
            claims["given_name"] = "Tampered"
            payload = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key).split(".")[1]
            token = ".".join((header, payload, signature))
        return token

    def start(self) -> None:
        from tests.support import ThreadedServer

        self._server = ThreadedServer(self.app)
        self.url = self._server.url

    def stop(self) -> None:
        self._server.stop()
