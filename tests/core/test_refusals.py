"""One refusal contract (app.core.refusals): every refusal a person can meet derives from
Refusal, and every code a domain raises has a message in its table, in each language."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_babel import force_locale

import app as app_package
from app.core.refusals import Refusal

# Exceptions that are not refusals: failures of ours or of the set-up, never shown to a
# person as the answer to what they asked.
NOT_REFUSALS = {
    "app.core.jobs.queue.JobConfigError",     # a job that names no function: start-up fails
    "app.mail.jobs.DeliveryDeferred",         # the SMTP server said "later": the job retries
    "app.models.audit.AppendOnlyError",       # code that tries to edit the audit log: a bug
    "app.bodies.thresholds.UnknownProfile",   # THRESHOLD_PROFILE not known: start-up fails
    "app.eds.evidence.EvidenceKeyError",      # no configured key opens kept evidence: the operator's
    "app.eds.algorithms.Unsupported",         # an algorithm we do not check: verify.py turns it into
                                              # EdsError("algorithm"); bundles.py into a failure line
}


def _app_exceptions() -> dict[str, type]:
    found = {}
    for info in pkgutil.walk_packages(app_package.__path__, "app."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, BaseException)
                    and value.__module__ == info.name):
                found[f"{info.name}.{value.__qualname__}"] = value
    return found


def test_every_refusal_derives_from_the_one_base():
    exceptions = _app_exceptions()
    assert len(exceptions) > len(NOT_REFUSALS)
    others = {name for name, cls in exceptions.items() if not issubclass(cls, Refusal)}
    assert others == NOT_REFUSALS


def _refusal_classes() -> list[type[Refusal]]:
    return sorted((cls for cls in _app_exceptions().values() if issubclass(cls, Refusal) and cls.messages),
                  key=lambda cls: cls.__qualname__)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_message_in_each_table_renders(app, language):
    classes = _refusal_classes()
    assert classes, "no domain has a message table"
    with app.test_request_context(), force_locale(language):
        for cls in classes:
            for key in cls.messages:
                field, code = key if isinstance(key, tuple) else (None, key)
                refusal = cls.__new__(cls)
                Refusal.__init__(refusal, code, field)
                try:
                    text = refusal.message()
                except (KeyError, TypeError, AttributeError):
                    # A message built from the refusal's details is checked where it is raised.
                    continue
                assert text and text.strip(), (cls.__qualname__, key)
