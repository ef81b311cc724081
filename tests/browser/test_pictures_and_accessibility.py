"""The petition's chart and map render in Chromium (screenshots kept in test-artifacts/),
and axe-core finds no accessibility violation on the petition, accountability, body and
open-data pages, in each language."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def answered(answered_petition):
    return answered_petition("Ауылдарға жедел жәрдем көліктері керек", ["KZ-71", "KZ-71", "KZ-10", "KZ-61", "KZ-27"],
                             "2027 жылы 40 жаңа көлік сатып алынады.")


def violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in results.response["violations"]]


def test_chart_and_map_render(page, answered):
    page.goto(f"/en/petitions/{answered.id}")
    chart, region_map = page.locator("svg.chart-svg"), page.locator("svg.map-svg")
    assert chart.is_visible() and region_map.is_visible()
    assert chart.bounding_box()["width"] > 300 and region_map.bounding_box()["height"] > 100
    assert page.locator("svg.map-svg rect.tile").count() == 20
    assert page.locator("svg.map-svg rect.tile.shade-0").count() == 20 - 5  # the author in Almaty and four more
    line = page.locator("path.chart-line").get_attribute("d")
    assert line.count("L") >= 5
    ARTIFACTS.mkdir(exist_ok=True)
    chart.screenshot(path=str(ARTIFACTS / "chart.png"))
    region_map.screenshot(path=str(ARTIFACTS / "map.png"))


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_axe_finds_nothing(page, answered, language):
    for path in (f"/petitions/{answered.id}", "/accountability", "/bodies/MIN-HEALTH", "/open-data", "/petitions",
                 "/"):
        page.goto(f"/{language}{path}")
        found = violations(page)
        assert not found, f"/{language}{path}: {found}"


def test_share_box_and_poster(page, answered):
    page.goto(f"/en/petitions/{answered.id}")
    assert page.get_by_role("button", name="Copy the link").is_visible()  # share.js, progressively
    assert not page.locator(".poster").is_visible()
    page.emulate_media(media="print")
    assert page.locator(".poster").is_visible() and not page.locator(".site-header").is_visible()
    assert page.locator(".poster img").evaluate("img => img.complete && img.naturalWidth > 0")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "poster.png"), full_page=True)
