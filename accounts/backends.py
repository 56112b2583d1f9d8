from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class IdentifierBackend(ModelBackend):
    """Sign in with an e-mail address that belongs to one account only.

    The AM and FINESS numbers of the practice places, and the account lockout, come with the
    accounts issue; this backend is the single place that maps an identifier to an account.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user_model = get_user_model()
        candidates = list(user_model.objects.filter(email__iexact=username.strip())[:2])
        if len(candidates) != 1:
            # Run the hasher anyway so that timing does not tell whether the identifier exists.
            user_model().set_password(password)
            return None
        user = candidates[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
