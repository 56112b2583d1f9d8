from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et référentiel des professionnels"

    def ready(self):
        # The project's own system checks (contactcovid/checks.py: no serving without a key).
        # « Sessions ouvertes »: a row at each sign-in, none left at sign-out.
        from accounts import sessions  # noqa: F401
        from contactcovid import checks  # noqa: F401
