"""Entry point for gunicorn (`wsgi:app`) and the flask command (`--app wsgi`).

DAUYS_CONFIG picks the configuration: development (default), testing, production.
"""

import os

from app import create_app

app = create_app(os.environ.get("DAUYS_CONFIG", "development"))
