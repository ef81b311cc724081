"""#23's journey in Chromium: a citizen signs in through the state's identity provider (the
OpenID Connect server the tests start), opens a petition, signs it with an EDS (NCALayer
stood in for on 127.0.0.1, speaking its protocol, with a key of the tests' certification
authority), sees the signature counted, downloads the receipt, and `openssl cms -verify`
against the tests' CA accepts it."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import pytest

from app.core import clock as app_clock
from app.extensions import db
from app.models import IdentityLevel, Signature, User
from tests.browser.conftest import Reader
from tests.eds_ca import Person
from tests.ncalayer import FakeNCALayer
from tests.support import make_petition, settle

pytestmark = pytest.mark.browser


@pytest.fixture
def ncalayer(app, oidc, eds, monkeypatch, live_server):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", live_server)
    layer = FakeNCALayer(eds.issue(Person(oidc.person["iin"], surname="САПАРОВА", given_name="АЙГЕРІМ")))
    layer.start()
    monkeypatch.setitem(app.config, "EDS_NCALAYER_URL", layer.url)
    yield layer
    layer.stop()


def test_sign_in_with_the_state_sign_with_an_eds_and_check_the_receipt(page, ncalayer, eds, tmp_path):
    reader = Reader(page, "en")
    t = reader.t
    petition = make_petition(state="open", title="Аулаларға көбірек ағаш отырғызу керек", signatures=2)

    reader.goto("/login")
    page.get_by_role("link", name=t("Sign in with %(provider)s", provider="eGov")).click()
    assert page.get_by_role("heading", level=1).inner_text() == t("Finish your account")
    assert "Сапарова Айгерім Қайратқызы" in page.locator("dl.facts").inner_text()
    page.get_by_label(t("Region of residence")).select_option("KZ-75")
    page.get_by_label(t("I have read the privacy notice and agree to Dauys processing my personal data, my IIN "
                        "included, to run my account and count my signatures.")).check()
    page.get_by_role("button", name=t("Create account")).click()
    assert page.get_by_role("heading", level=1).inner_text() == t("My account")
    assert t("confirmed through %(provider)s", provider="eGov") in page.locator("dl.facts").inner_text()

    reader.goto(f"/petitions/{petition.id}")
    page.get_by_role("link", name=t("Sign with an EDS")).click()
    assert f"Petition number: {petition.id}" in page.get_by_test_id("statement").inner_text()
    page.get_by_role("button", name=t("Sign with NCALayer")).click()
    page.wait_for_url(f"**/petitions/{petition.id}/signed")
    assert page.get_by_role("heading", level=1).inner_text() == t("Thank you for signing")
    assert ncalayer.requests and ncalayer.requests[0]["args"]["format"] == "cms"

    settle()
    reader.goto(f"/petitions/{petition.id}")
    assert page.get_by_test_id("signature-count").inner_text() == "3"
    db.session.rollback()
    user = db.session.query(User).filter_by(email="aigerim@example.kz").one()
    signature = db.session.query(Signature).filter_by(user_id=user.id).one()
    assert signature.assurance is IdentityLevel.EDS and user.identity_level is IdentityLevel.EDS

    page.goto(reader.url(f"/petitions/{petition.id}/signed"))
    with page.expect_download() as download:
        page.get_by_role("link", name=t("Download the receipt (ZIP)")).click()
    receipt = tmp_path / "receipt.zip"
    download.value.save_as(receipt)
    zipfile.ZipFile(receipt).extractall(tmp_path)
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    ca = tmp_path / "tests-ca.pem"
    ca.write_bytes(eds.pem)
    at = str(int(app_clock.now().timestamp()))  # the tests' time (a lane starts it years ahead)
    checked = subprocess.run(["openssl", "cms", "-verify", "-inform", "DER", "-in", "signature.p7s", "-CAfile",
                              str(ca), "-purpose", "any", "-attime", at, "-out", "checked.txt"],
                             cwd=tmp_path, capture_output=True, text=True)
    assert checked.returncode == 0 and "Verification successful" in checked.stderr, checked.stderr
    assert (tmp_path / "checked.txt").read_bytes() == (tmp_path / "statement.txt").read_bytes()


def test_without_ncalayer_the_page_says_so(page, ncalayer, oidc, app, monkeypatch):
    from tests.support import free_port

    monkeypatch.setitem(app.config, "EDS_NCALAYER_URL", f"ws://127.0.0.1:{free_port()}/")
    reader = Reader(page, "en")
    petition = make_petition(state="open")
    reader.goto("/login")
    page.get_by_role("link", name=reader.t("Sign in with %(provider)s", provider="eGov")).click()
    page.get_by_label(reader.t("Region of residence")).select_option("KZ-75")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name=reader.t("Create account")).click()
    page.goto(reader.url(f"/petitions/{petition.id}/sign/eds"))
    page.get_by_role("button", name=reader.t("Sign with NCALayer")).click()
    # "Connecting to NCALayer…" shows first; the refusal replaces it once the socket fails.
    message = reader.t("NCALayer is not running on this computer. Start it (or install it from pki.gov.kz) and press "
                       "the button again.")
    status = page.locator("#eds-status")
    status.filter(has_text=message).wait_for()
    assert message == status.inner_text()
