"""Entry point for gunicorn (`wsgi:app`) and the flask command (`--app wsgi`).

DAUYS_CONFIG picks the configuration: production (the default: a process started
without it refuses to run without its secrets instead of using the development keys of
this public repository), development (`make run` sets it), testing.
"""

import os

from app import create_app

app = create_app(os.environ.get("DAUYS_CONFIG", "production"))
