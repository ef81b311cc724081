"""Flask commands: seed, users, worker, scheduler, run-all. Commands commit."""

from __future__ import annotations

import itertools
import logging
import os
import signal
import subprocess
import sys
import time

import click
import redis
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from app import clock, queue
from app.accounts import names, two_factor
from app.accounts.passwords import MAX_LENGTH, MIN_LENGTH, hash_password, is_common
from app.accounts.services import email_taken, find_by_email, normalize_email
from app.admin.services import RoleError, grant_role, revoke_role
from app.extensions import db
from app.models import Role, User, UserRole
from app.moderation.accounts import SuspensionError, reactivate
from app.queue import Scheduler, shutdown_embedded
from app.reference.seed import seed_reference

log = logging.getLogger(__name__)


def register(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(users)
    app.cli.add_command(worker)
    app.cli.add_command(scheduler)
    app.cli.add_command(run_all)
    app.cli.add_command(counts)


@click.command()
@click.option("--demo", is_flag=True, help="Also create demo accounts, one per role.")
@with_appcontext
def seed(demo: bool) -> None:
    """Load regions and state bodies (idempotent); with --demo, demo data too (never in
    production: demo accounts have known roles and printed passwords)."""
    if demo and current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("seed --demo refuses to run in production (DAUYS_CONFIG=production)")
    added = seed_reference()
    db.session.commit()
    click.echo(f"regions added: {added['regions']}, state bodies added: {added['bodies']}, "
               f"populations updated from the reference file: {added['populations']}")
    if demo:
        # Demo code (and the job code it drives) is loaded only when asked for: every
        # process, the web's too, loads this module to register the commands.
        from app.reference.demo import seed_demo

        created = seed_demo()
        db.session.commit()
        if not created:
            click.echo("demo accounts already exist; passwords were shown when they were made")
        for email, role, password in created:
            click.echo(f"demo {role:<9} {email:<28} password: {password}")
        if created:
            click.echo("staff accounts set up their second factor at their first log-in: the page shows a QR "
                       "code and its key for any authenticator app (RFC 6238)")


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
    user = User(email=normalize_email(email), surname=names.clean(surname), given_name=names.clean(given_name),
                patronymic=names.clean(patronymic) or None,
                password_hash=hash_password(password), language=language,
                email_verified_at=clock.now())
    db.session.add(user)
    db.session.flush()
    if role is not Role.CITIZEN:
        try:
            grant_role(None, user, role, body_code, channel="cli")
        except RoleError as exc:
            db.session.rollback()
            raise click.ClickException(f"cannot grant {role.value}: {exc.code}") from None
    db.session.commit()
    click.echo(f"created {user.email} ({role.value})")


@users.command("grant")
@click.argument("email")
@click.argument("role_name")
@click.option("--body", "body_code", default=None)
def users_grant(email, role_name, body_code):
    """Grant a staff role (official needs --body)."""
    user = _get_user(email)
    try:
        grant_role(None, user, _role(role_name), body_code, channel="cli")
    except RoleError as exc:
        db.session.rollback()
        raise click.ClickException(f"cannot grant {role_name}: {exc.code}") from None
    db.session.commit()
    click.echo(f"granted {role_name} to {user.email}")


@users.command("revoke")
@click.argument("email")
@click.argument("role_name")
def users_revoke(email, role_name):
    """Revoke a staff role."""
    user = _get_user(email)
    try:
        revoke_role(None, user, _role(role_name), channel="cli")
    except RoleError as exc:
        db.session.rollback()
        raise click.ClickException(f"cannot revoke {role_name}: {exc.code}") from None
    db.session.commit()
    click.echo(f"revoked {role_name} from {user.email}")


@users.command("reset-second-factor")
@click.argument("email")
def users_reset_second_factor(email):
    """Clear an account's second factor (a lost phone and lost recovery codes), e.g. for
    the last administrator; its sessions end and it enrols again at the next log-in."""
    user = _get_user(email)
    if not user.has_second_factor:
        raise click.ClickException(f"{user.email} has no second factor")
    two_factor.reset(None, user, channel="cli")
    db.session.commit()
    click.echo(f"second factor reset for {user.email}; they set it up again at their next log-in")


@users.command("reactivate")
@click.argument("email")
@click.option("--note", required=True, help="Why (kept in the audit log).")
def users_reactivate(email, note):
    """Reactivate a suspended account (e.g. an administrator suspended by another)."""
    user = _get_user(email)
    try:
        reactivate(None, user, note, channel="cli")
    except SuspensionError as exc:
        db.session.rollback()
        raise click.ClickException(f"cannot reactivate {user.email}: {exc.code}") from None
    db.session.commit()
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


@click.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--name", default=None, help="Worker name (default: host and pid).")
@click.option("--queue", "queues", multiple=True, help="Only these queues (repeatable); default: all, in priority order.")
@click.option("--no-fork", is_flag=True,
              help="Run jobs in this process instead of a forked child each (for the counts queue: a short "
                   "job every second, where forking costs more than the job).")
@with_appcontext
def worker(burst: bool, name: str | None, queues: tuple[str, ...], no_fork: bool) -> None:
    """Run an RQ worker for this app's queues."""
    unknown = set(queues) - set(current_app.config["RQ_QUEUES"])
    if unknown:
        raise click.BadParameter(f"unknown queue(s): {', '.join(sorted(unknown))}", param_hint="--queue")
    _check_jobs()
    app = current_app._get_current_object()
    for attempt in itertools.count():
        # RQ's worker leaves when it loses Redis outside its wait for a job (a restart of
        # Redis): a new one takes over, here, without anybody restarting the process.
        w = None
        try:
            w = queue.make_worker(app, name=f"{name}-{attempt}" if name and attempt else name,
                                  queues=queues or None, simple=no_fork)
            w.work(burst=burst, with_scheduler=True, logging_level=app.config["LOG_LEVEL"])
        except redis.RedisError as exc:
            log.warning("worker lost Redis (%s); starting again", exc)
        if burst or (w is not None and w._shutdown_requested_date is not None):  # asked to stop (SIGTERM, Ctrl+C)
            return
        time.sleep(2)


def _check_jobs() -> None:
    """Refuse to start with a periodic job that names no function."""
    try:
        queue.periodic_jobs(current_app._get_current_object())
    except queue.JobConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@with_appcontext
def scheduler() -> None:
    """Enqueue periodic jobs. Safe to run more than one: one is effective."""
    try:
        s = Scheduler(current_app._get_current_object())
    except queue.JobConfigError as exc:
        raise click.ClickException(str(exc)) from None
    signal.signal(signal.SIGTERM, lambda *_: s.stop())
    try:
        s.run()
    except KeyboardInterrupt:
        s.stop()


@click.command("run-all")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def run_all(host: str, port: int) -> None:
    """Development: web server, worker and scheduler in one terminal (Ctrl+C stops
    all three). They share this process's Redis, embedded or not."""
    env = dict(os.environ)
    env["REDIS_URL"] = current_app.config["REDIS_URL_RESOLVED"]
    flask = [sys.executable, "-m", "flask", "--app", os.environ.get("FLASK_APP", "wsgi")]
    children = [
        subprocess.Popen([*flask, "worker"], env=env),
        subprocess.Popen([*flask, "scheduler"], env=env),
        subprocess.Popen([*flask, "run", "--host", host, "--port", str(port)], env=env),
    ]
    click.echo(f"Dauys is running on http://{host}:{port}/ (Ctrl+C to stop)")

    def _stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        shutdown_embedded()


counts = AppGroup("counts", help="Signature counts.")


@counts.command("reconcile")
def counts_reconcile():
    """Recount every petition from its signatures; repair and report drift."""
    from app.review.jobs import reconcile_counts  # job code: never loaded by the web process

    drifted = reconcile_counts()
    click.echo(f"{drifted} petition(s) drifted and were repaired" if drifted else "no drift")


@counts.command("aggregate")
def counts_aggregate():
    """Fold recorded signatures into the counts now (the scheduler does it every second)."""
    from app.review.jobs import aggregate_counts  # job code: never loaded by the web process

    click.echo(f"{aggregate_counts()} signature(s) folded")
