"""The guide's password rules, enforced by the server (AUTH_PASSWORD_VALIDATORS)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The checklist shown next to every new-password field: every rule the server applies
# (AUTH_PASSWORD_VALIDATORS), no other. static/js/password-rules.js ticks the first four as one
# types; the last is checked against Django's list of 20,000 common passwords on saving.
RULES = [
    ("length", _("Au moins 8 caractères")),
    ("case", _("Des majuscules et des minuscules")),
    ("digit", _("Au moins un chiffre")),
    ("special", _("Au moins un caractère spécial (ponctuation, espace, dollar, dièse…)")),
    ("common", _("Pas un mot de passe courant, comme « Password1! » (vérifié à l'enregistrement)")),
]


class ComplexityValidator:
    """Upper and lower case, a digit and a special character (the length is Django's
    MinimumLengthValidator, next to it in AUTH_PASSWORD_VALIDATORS)."""

    def validate(self, password, user=None):
        errors = []
        if not (any(c.islower() for c in password) and any(c.isupper() for c in password)):
            errors.append(
                ValidationError(
                    _("Le mot de passe doit contenir des majuscules et des minuscules."),
                    code="password_case",
                )
            )
        if not any(c.isdigit() for c in password):
            errors.append(
                ValidationError(
                    _("Le mot de passe doit contenir au moins un chiffre."), code="password_digit"
                )
            )
        if all(c.isalnum() for c in password):
            errors.append(
                ValidationError(
                    _("Le mot de passe doit contenir au moins un caractère spécial."),
                    code="password_special",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return _(
            "Votre mot de passe doit avoir des majuscules et des minuscules, au moins un chiffre "
            "et au moins un caractère spécial."
        )
