"""WSGI entry point (gunicorn lgo_archive.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lgo_archive.settings")
application = get_wsgi_application()
