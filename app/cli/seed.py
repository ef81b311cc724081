"""flask seed: regions and state bodies, and with --demo the demo accounts and petitions."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from app.core.database import unit_of_work
from app.reference.seed import seed_reference

log = logging.getLogger(__name__)


@click.command()
@click.option("--demo", is_flag=True, help="Also create demo accounts, one per role.")
@with_appcontext
def seed(demo: bool) -> None:
    """Load regions, districts and state bodies (idempotent); with --demo, demo data too (never in
    production: demo accounts have known roles and printed passwords)."""
    if demo and current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("seed --demo refuses to run in production (DAUYS_CONFIG=production)")
    with unit_of_work():
        added = seed_reference()
    click.echo(f"regions added: {added['regions']}, districts added: {added['districts']}, "
               f"state bodies added: {added['bodies']}, "
               f"populations updated from the reference file: {added['populations']}")
    if demo:
        # Demo code (and the job code it drives) is loaded only when asked for: every
        # process, the web's too, loads this module to register the commands.
        from app.reference.demo import seed_demo

        with unit_of_work():
            created = seed_demo()
        if not created:
            click.echo("demo accounts already exist; passwords were shown when they were made")
        for email, role, password in created:
            click.echo(f"demo {role:<9} {email:<28} password: {password}")
        if created:
            click.echo("staff accounts set up their second factor at their first log-in: the page shows a QR "
                       "code and its key for any authenticator app (RFC 6238)")
