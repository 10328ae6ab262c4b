"""WSGI entry for production servers: ``waitress-serve --call app:create_app`` or gunicorn
``'app.wsgi:application'`` with SECRET_KEY and DATABASE_URL in the environment."""

from app import create_app

application = create_app()
