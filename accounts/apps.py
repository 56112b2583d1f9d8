from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et référentiel des professionnels"

    def ready(self):
        # The project's own system checks (contactcovid/checks.py: no serving without a key).
        from contactcovid import checks  # noqa: F401
