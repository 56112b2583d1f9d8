from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et référentiel des professionnels"

    def ready(self):
        # The project's own system checks (contactcovid/checks.py: no serving without a key).
        # « Sessions ouvertes »: a row at each sign-in, none left at sign-out.
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts import sessions  # noqa: F401
        from contactcovid import checks  # noqa: F401

        # django-otp's model, named in French where the admin lists permissions (issue 17 § 8).
        meta = TOTPDevice._meta
        meta.verbose_name = _("application d'authentification (TOTP)")
        meta.verbose_name_plural = _("applications d'authentification (TOTP)")
