"""Flask commands, one module per group. Commands own their transaction through
app.core.database.unit_of_work."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from app.cli.counts import counts
    from app.cli.evidence import evidence
    from app.cli.processes import run_all, scheduler, worker
    from app.cli.seed import seed
    from app.cli.users import users

    for command in (seed, users, worker, scheduler, run_all, counts, evidence):
        app.cli.add_command(command)
