from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator


class EmailValidationTokenGenerator(PasswordResetTokenGenerator):
    """Link of "Valider adresse e-mail": valid once (validation clears the pending address) and
    for PASSWORD_RESET_TIMEOUT seconds."""

    key_salt = "accounts.tokens.EmailValidationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email}{user.email_en_attente}{user.is_active}{timestamp}"


email_validation_token = EmailValidationTokenGenerator()
# Django's reset token: valid once (it hashes the password and last login), for
# PASSWORD_RESET_TIMEOUT seconds.
password_reset_token = default_token_generator
