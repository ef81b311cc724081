"""Production refuses unsafe configuration; cookies are secure there."""

import pytest

from app import create_app
from config import ConfigError

GOOD = {
    "SECRET_KEY": "x" * 40,
    "IIN_HMAC_KEY": "y" * 40,
    "FINGERPRINT_HMAC_KEY": "z" * 40,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db.example/dauys",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
    "PAGE_CACHE_REDIS_URL": "redis://127.0.0.1:6380/0",
}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "IIN_HMAC_KEY", "FINGERPRINT_HMAC_KEY", "SQLALCHEMY_DATABASE_URI",
                                     "REDIS_URL"])
def test_production_refuses_to_start_without(missing, tmp_path):
    settings = dict(GOOD, **{missing: None})
    with pytest.raises(ConfigError):
        create_app("production", **settings)


def test_production_page_cache_needs_a_redis_of_its_own():
    """A full page cache must never evict a rate limit or a queued job: not the same
    server as REDIS_URL, not even under another database number."""
    with pytest.raises(ConfigError, match="PAGE_CACHE_REDIS_URL to a Redis of its own"):
        create_app("production", **dict(GOOD, PAGE_CACHE_REDIS_URL=None))
    with pytest.raises(ConfigError, match="another Redis server"):
        create_app("production", **dict(GOOD, PAGE_CACHE_REDIS_URL="redis://127.0.0.1:6379/3"))
    assert not create_app("production", **dict(GOOD, PAGE_CACHE_REDIS_URL=None, PAGE_CACHE=False)).config["PAGE_CACHE"]


def test_production_refuses_a_short_secret():
    with pytest.raises(ConfigError):
        create_app("production", **dict(GOOD, SECRET_KEY="short"))


def test_production_cookies_are_secure():
    app = create_app("production", **GOOD)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_unknown_threshold_profile_is_refused():
    with pytest.raises(ConfigError):
        create_app("production", **dict(GOOD, THRESHOLD_PROFILE="law-2030"))
    with pytest.raises(ConfigError):
        create_app("development", THRESHOLD_PROFILE="")


def test_production_refuses_benchmark_endpoints():
    with pytest.raises(ConfigError):
        create_app("production", **dict(GOOD, BENCHMARK_ENDPOINTS=True))


def test_benchmark_endpoint_exists_only_when_enabled():
    assert "bench.insert_one" not in create_app("development").view_functions
    assert "bench.insert_one" in create_app("development", BENCHMARK_ENDPOINTS=True).view_functions


def test_a_process_without_dauys_config_is_production_and_refuses_without_secrets():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items()
           if k not in ("DAUYS_CONFIG", "SECRET_KEY", "IIN_HMAC_KEY", "FINGERPRINT_HMAC_KEY", "DATABASE_URL",
                         "REDIS_URL")}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=Path(__file__).resolve().parents[1],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "Production refuses to start without: SECRET_KEY, IIN_HMAC_KEY, FINGERPRINT_HMAC_KEY, DATABASE_URL, REDIS_URL" in result.stderr


def test_demo_data_is_refused_in_production():
    app = create_app("production", **dict(GOOD, SQLALCHEMY_DATABASE_URI="sqlite://"))
    with app.app_context():  # this app's, not the test suite's
        result = app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code != 0
    assert "seed --demo refuses to run in production" in result.output


BOOLEAN_MESSAGE = "SMTP_VERIFY_CERTIFICATE='ture' is not a boolean: use one of 1, true, yes, on (on) or 0, false, no, off (off)"


def test_a_boolean_variable_with_an_unknown_word_stops_the_app(monkeypatch):
    monkeypatch.setenv("SMTP_VERIFY_CERTIFICATE", "ture")
    with pytest.raises(ConfigError) as refused:
        create_app("development")
    assert str(refused.value) == BOOLEAN_MESSAGE


@pytest.mark.parametrize("word", ["true", "False", " on ", "0", "YES", "no", ""])
def test_boolean_variables_take_the_known_words(monkeypatch, word):
    for name in ("SMTP_VERIFY_CERTIFICATE", "RATELIMIT_ENABLED", "PAGE_CACHE", "SMTP_STARTTLS"):
        monkeypatch.setenv(name, word)
    create_app("development")


def test_a_process_with_an_unknown_boolean_word_exits_with_the_message():
    import os
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, DAUYS_CONFIG="development", SMTP_VERIFY_CERTIFICATE="ture")
    result = subprocess.run([str(root / ".venv" / "bin" / "flask"), "--app", "wsgi", "routes"], cwd=root,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert BOOLEAN_MESSAGE in result.stderr


def test_production_identity_settings_are_checked():
    with pytest.raises(ConfigError, match="OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"):
        create_app("production", **dict(GOOD, OIDC_DISCOVERY_URL="https://idp.example.kz/.well-known/openid-configuration"))
    with pytest.raises(ConfigError, match="nobody could register"):
        create_app("production", **dict(GOOD, SELF_DECLARED_IDENTITY=False))
    app = create_app("production", **dict(GOOD, SELF_DECLARED_IDENTITY=False, OIDC_CLIENT_ID="dauys",
                                          OIDC_CLIENT_SECRET="s" * 32,
                                          OIDC_DISCOVERY_URL="https://idp.example.kz/.well-known/openid-configuration"))
    assert app.config["SELF_DECLARED_IDENTITY"] is False


def test_production_law_2024_needs_eds():
    with pytest.raises(ConfigError, match="law-2024 counts only signatures made with an EDS"):
        create_app("production", **dict(GOOD, THRESHOLD_PROFILE="law-2024"))


def test_production_eds_needs_its_evidence_key_and_the_operator_s_bundle_key(tmp_path):
    anchors = tmp_path / "anchors.pem"
    anchors.write_text("")
    with pytest.raises(ConfigError, match="set EDS_EVIDENCE_KEY"):
        create_app("production", **dict(GOOD, EDS_TRUST_ANCHORS=str(anchors)))
    sealed = dict(GOOD, EDS_TRUST_ANCHORS=str(anchors), EDS_EVIDENCE_KEY="k" * 44)
    with pytest.raises(ConfigError, match="set EDS_BUNDLE_KEY and EDS_BUNDLE_CERT"):
        create_app("production", **sealed)
    with pytest.raises(ConfigError, match="set EDS_BUNDLE_KEY and EDS_BUNDLE_CERT"):
        create_app("production", **dict(sealed, EDS_BUNDLE_KEY=str(tmp_path / "key.pem")))
    app = create_app("production", **dict(sealed, EDS_BUNDLE_KEY=str(tmp_path / "key.pem"),
                                          EDS_BUNDLE_CERT=str(tmp_path / "cert.pem")))
    assert app.config["EDS_BUNDLE_CERT"].endswith("cert.pem")
