"""The integrity pages in Chromium, in each language: the dashboard with a wave on it,
the invalidation filter and its preview, a run's page, the runs, the administrator's
limits; axe-core finds no violation on any. A moderator removes the wave by the buttons
and the public page says so."""

import re

import pytest

from app.core.jobs import worker
from app.extensions import db
from app.fraud.fingerprints import fingerprints
from app.models import Role
from app.petitions import services
from tests.browser.test_pictures_and_accessibility import violations
from tests.support import make_petition, make_user, settle

pytestmark = pytest.mark.browser


def test_a_moderator_sees_a_wave_removes_it_and_every_page_passes_axe(app, reader):
    page, t = reader.page, reader.t
    moderator = make_user(f"axe-mod-{reader.language}@example.kz", roles=(Role.MODERATOR, Role.ADMIN),
                          language=reader.language)
    petition = make_petition(state="open", title="Мектеп асханаларындағы тамақ сапасын жақсарту керек")
    for i in range(120):
        services.sign(petition, make_user(commit=False), show_name=False, notify=False,
                      meta={"ip": f"10.44.55.{i % 200 + 1}", "user_agent": "python-requests/2.32"})
    db.session.commit()
    settle()
    network = fingerprints("10.44.55.1", None)["network_hmac"].hex()

    reader.log_in(moderator.email)
    reader.goto("/moderation/integrity")
    assert network[:12] in page.content()
    assert not violations(page), violations(page)

    page.get_by_role("link", name=t("Build a filter")).first.click()
    page.wait_for_load_state()
    assert "120" in page.get_by_test_id("preview-count").inner_text()
    assert not violations(page), violations(page)
    page.get_by_label(t("Public reason (shown on the petition page)")).select_option("automated")
    page.get_by_label(t("Internal note: what you found (kept in the audit log)")).fill("One network, one script.")
    page.get_by_role("button", name=re.compile("120")).click()
    page.wait_for_load_state()
    assert not violations(page), violations(page)
    worker.drain(app)
    settle()
    page.get_by_role("link", name=t("Refresh")).click()
    page.wait_for_load_state()
    assert not violations(page), violations(page)

    reader.goto("/moderation/integrity/runs")
    assert not violations(page), violations(page)
    reader.goto("/admin/limits")
    assert not violations(page), violations(page)
    reader.goto("/admin/regions")
    assert not violations(page), violations(page)
    page.get_by_role("link", name=reader.t("Regions")).first.click()
    page.locator("table a").first.click()
    page.get_by_role("button", name=reader.t("Save")).click()
    assert not violations(page), violations(page)
    reader.goto(f"/petitions/{petition.id}")
    assert "120" in page.get_by_test_id("integrity-note").inner_text()
    assert page.locator("line.chart-step").count() == 1
    assert not violations(page), violations(page)
