"""flask counts ...: recount and repair, or fold recorded signatures now."""

from __future__ import annotations

import logging

import click
from flask.cli import AppGroup

log = logging.getLogger(__name__)


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
