"""Account pages, one module per part: registration (register, confirm the address),
log-in (password, second step, log-out, reset), settings (the account page, password,
email, sessions, name, consent), the second factor, one's own data, and signing in with the state's identity provider. Routes parse
the form, call a service and show its refusal or its result; the request's unit of
work (app.web.transaction) commits or rolls back."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

# Imported for their routes, which register on `bp`.
from app.accounts.routes import login, own_data, registration, second_factor, settings, state_idp  # noqa: E402, F401,I001
