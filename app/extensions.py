"""Unbound extension objects; `create_app()` binds them."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.models.base import Base
from app.web.requests import client_address

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
# Storage is set in create_app() from the same Redis the jobs use.
limiter = Limiter(key_func=client_address, default_limits=[])
