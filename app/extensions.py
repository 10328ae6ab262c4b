"""Extension singletons, bound to the app in ``create_app``."""

from flask_appbuilder import AppBuilder, Model
from flask_appbuilder.utils.legacy import get_sqla_class
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

# FAB's declarative metadata, so Alembic autogenerate sees FAB's tables and ours.
db = get_sqla_class()(metadata=Model.metadata)
appbuilder = AppBuilder()
migrate = Migrate()
csrf = CSRFProtect()
