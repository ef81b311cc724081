"""flask evidence ...: a petition's EDS evidence bundle, made and checked."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

evidence = AppGroup("evidence", help="EDS signatures' evidence bundles.")


@evidence.command("verify")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--anchors", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="PEM file of the roots to trust (the NCA RK's); default: the bundle's own copy.")
@click.option("--operator", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="PEM file of the operator's certificate, as it publishes it; default: the bundle's own copy.")
def evidence_verify(bundle: Path, anchors: Path | None, operator: Path | None):
    """Check a bundle offline, without the database: the operator's signature of the
    manifest, every file against the manifest, every signature and its time-mark; print the
    count and each failure. Exits 1 when anything fails or the recount differs from the
    manifest."""
    from app.eds import bundles

    report = bundles.check(bundle, anchors.read_bytes() if anchors else None,
                           operator.read_bytes() if operator else None)
    if report.signed_by:
        click.echo(f"manifest signed by {report.signed_by}")
    for failure in report.failures:
        click.echo(f"FAILED {failure}")
    click.echo(f"{report.counted} valid EDS signature(s) counted"
               + (f", {report.invalidated} more valid but removed by the moderators (listed, not counted)"
                  if report.invalidated else ""))
    if report.claimed is not None and report.claimed != report.counted:
        click.echo(f"the manifest says {report.claimed}")
    if not anchors:
        click.echo("checked against the bundle's own trust anchors: pass --anchors with the NCA RK's roots "
                   "to trust them rather than the bundle")
    if not operator:
        click.echo("the manifest's signer checked against the bundle's own operator.pem: pass --operator with "
                   "the operator's published certificate to trust it rather than the bundle")
    sys.exit(0 if report.ok else 1)


@evidence.command("bundle")
@click.argument("petition_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def evidence_bundle(petition_id: int, output: Path):
    """Write a petition's bundle (what its addressee's officials download)."""
    from app.eds import bundles
    from app.extensions import db
    from app.models import Petition

    petition = db.session.get(Petition, petition_id)
    if petition is None:
        raise click.ClickException(f"no petition {petition_id}")
    with bundles.build(petition) as built, output.open("wb") as target:
        shutil.copyfileobj(built, target)
    click.echo(f"{output}: the EDS signatures of petition {petition_id}")
