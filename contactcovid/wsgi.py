import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcovid.settings")

application = get_wsgi_application()

from contactcovid.checks import require_secret_key  # noqa: E402 (needs the settings loaded)

require_secret_key()
