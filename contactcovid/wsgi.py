import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcovid.settings")

application = get_wsgi_application()

from contactcovid.checks import require_production_settings  # noqa: E402 (needs the settings loaded)
from contactcovid.warmup import warm_then_freeze  # noqa: E402

require_production_settings()
warm_then_freeze()
