from django.contrib.auth.backends import ModelBackend

from accounts import second_factor, services


class IdentifierBackend(ModelBackend):
    """Sign in with an e-mail (when no other account shares it), or the AM or FINESS number of
    one of the professional's practice places, under the per-account lockout.

    The mapping identifier → account is accounts.selectors.identify; the lockout is
    accounts.services.sign_in. The sign-in page calls the service itself to tell why a sign-in
    failed; this backend serves every other `authenticate()` (the admin's sign-in page).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        ip = request.META.get("REMOTE_ADDR") if request is not None else None
        result = services.sign_in(identifier=username, password=password, ip=ip)
        if result.user is not None and second_factor.device_of(result.user) is not None:
            return None  # a password alone never opens an account with a second factor
        return result.user
