"""flask users ...: accounts and staff roles from the command line."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup
from sqlalchemy import select

from app.accounts import names, two_factor
from app.accounts.passwords import MAX_LENGTH, MIN_LENGTH, hash_password, is_common
from app.accounts.services import email_taken, find_by_email, normalize_email
from app.admin.services import RoleError, grant_role, revoke_role
from app.core import clock
from app.core.database import unit_of_work
from app.extensions import db
from app.models import Role, User, UserRole
from app.moderation.accounts import SuspensionError, reactivate

log = logging.getLogger(__name__)


users = AppGroup("users", help="Manage accounts and staff roles.")


def _get_user(email: str):
    user = find_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with email {email}")
    return user


def _role(value: str):
    try:
        return Role(value)
    except ValueError:
        raise click.BadParameter(f"one of {', '.join(r.value for r in Role)}") from None


@users.command("create")
@click.option("--email", required=True)
@click.option("--surname", required=True)
@click.option("--given-name", required=True)
@click.option("--patronymic", default=None)
@click.option("--role", "role_name", default="citizen", show_default=True)
@click.option("--body", "body_code", default=None, help="State body code, for officials.")
@click.option("--language", default="kk", type=click.Choice(["kk", "ru", "en"]))
def users_create(email, surname, given_name, patronymic, role_name, body_code, language):
    """Create a verified account. The password is read from a prompt, or from stdin
    when stdin is not a terminal."""
    role = _role(role_name)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="--email") from None
    if email_taken(email):
        raise click.ClickException(f"an account with email {email} exists")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH or is_common(password):
        raise click.ClickException(
            f"password must be {MIN_LENGTH}-{MAX_LENGTH} characters and not a common one"
        )
    for hint, part in (("--surname", surname), ("--given-name", given_name), ("--patronymic", patronymic)):
        if part is not None and not (names.well_formed(names.clean(part)) and len(names.clean(part)) <= names.MAX_LENGTH):
            raise click.BadParameter(f"letters (at most {names.MAX_LENGTH}), with a space, hyphen or apostrophe "
                                     "between parts", param_hint=hint)
    # A refusal (click.ClickException) rolls the account back too.
    with unit_of_work():
        user = User(email=normalize_email(email), surname=names.clean(surname), given_name=names.clean(given_name),
                    patronymic=names.clean(patronymic) or None,
                    password_hash=hash_password(password), language=language,
                    email_verified_at=clock.now())
        db.session.add(user)
        db.session.flush()
        if role is not Role.CITIZEN:
            with _refused_as("grant", role.value):
                grant_role(None, user, role, body_code, channel="cli")
    click.echo(f"created {user.email} ({role.value})")


@contextmanager
def _refused_as(verb: str, role_name: str) -> Iterator[None]:
    """A role change the rules refuse becomes the command's error (exit 1); the unit of
    work around it rolls back."""
    try:
        yield
    except RoleError as exc:
        raise click.ClickException(f"cannot {verb} {role_name}: {exc.code}") from None


@users.command("grant")
@click.argument("email")
@click.argument("role_name")
@click.option("--body", "body_code", default=None)
def users_grant(email, role_name, body_code):
    """Grant a staff role (official needs --body)."""
    with unit_of_work():
        user = _get_user(email)
        with _refused_as("grant", role_name):
            grant_role(None, user, _role(role_name), body_code, channel="cli")
    click.echo(f"granted {role_name} to {user.email}")


@users.command("revoke")
@click.argument("email")
@click.argument("role_name")
def users_revoke(email, role_name):
    """Revoke a staff role."""
    with unit_of_work():
        user = _get_user(email)
        with _refused_as("revoke", role_name):
            revoke_role(None, user, _role(role_name), channel="cli")
    click.echo(f"revoked {role_name} from {user.email}")


@users.command("reset-second-factor")
@click.argument("email")
def users_reset_second_factor(email):
    """Clear an account's second factor (a lost phone and lost recovery codes), e.g. for
    the last administrator; its sessions end and it enrols again at the next log-in."""
    with unit_of_work():
        user = _get_user(email)
        if not user.has_second_factor:
            raise click.ClickException(f"{user.email} has no second factor")
        two_factor.reset(None, user, channel="cli")
    click.echo(f"second factor reset for {user.email}; they set it up again at their next log-in")


@users.command("reactivate")
@click.argument("email")
@click.option("--note", required=True, help="Why (kept in the audit log).")
def users_reactivate(email, note):
    """Reactivate a suspended account (e.g. an administrator suspended by another)."""
    with unit_of_work():
        user = _get_user(email)
        try:
            reactivate(None, user, note, channel="cli")
        except SuspensionError as exc:
            raise click.ClickException(f"cannot reactivate {user.email}: {exc.code}") from None
    click.echo(f"reactivated {user.email}")


@users.command("list")
@click.option("--role", "role_name", default=None, help="Only users holding this role.")
def users_list(role_name):
    """List accounts with their roles."""
    query = select(User).order_by(User.id)
    if role_name:
        query = query.join(UserRole).where(UserRole.role == _role(role_name))
    for user in db.session.scalars(query):
        roles = ",".join(
            sorted(f"{r.role.value}:{r.body.code}" if r.body else r.role.value for r in user.roles)
        ) or "citizen"
        verified = "verified" if user.is_verified else "unverified"
        click.echo(f"{user.id}\t{user.email}\t{user.full_name}\t{roles}\t{verified}")
