"""schemathesis against the running app: every operation of the OpenAPI document,
generated valid and invalid inputs, every check (no server error, every status, header
and body as documented, invalid input refused), and the stateful phase (sequences of
calls that follow the links between operations)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import make_petition, make_user, settle, sign_as

pytestmark = pytest.mark.slow


def test_schemathesis_finds_nothing(app, live_server, tmp_path):
    # Something to find: petitions in several states, signatures, a body with figures.
    for n in range(3):
        petition = make_petition(title=f"Саябақ салу керек, нөмір {n}", signatures=2)
    sign_as(petition, make_user("one@example.kz"), notify=False)
    make_petition(state="closed", title="Жабық петиция туралы")
    make_petition(state="rejected", title="Қабылданбаған петиция туралы")
    settle()
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [str(st), "run", f"{live_server}/api/v1/openapi.json", "--url", f"{live_server}/api/v1",
         "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful", "--max-examples", os.environ.get("SCHEMATHESIS_EXAMPLES", "25"),
         "--seed", "20261123", "--generation-deterministic", "--no-color"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Stateful" in result.stdout and "Scenarios:" in result.stdout  # the stateful phase ran
