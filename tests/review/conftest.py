import pytest

from tests.support import restore_threshold, set_fixed_threshold


@pytest.fixture
def small_threshold(app):
    """The Ministry of Health needs 3 signatures in these tests."""
    body, saved = set_fixed_threshold("MIN-HEALTH", 3)
    yield body
    restore_threshold(body, saved)
