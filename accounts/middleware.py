"""Session lifetime and the steps an account must take before using the service."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import kept_form, second_factor, selectors

LAST_SEEN = "accounts.last_seen"
SIGNED_IN_AT = "accounts.signed_in_at"
LAST_SEEN_PRECISION = 60  # seconds


class SessionExpiryMiddleware:
    """End a session after SESSION_IDLE_TIMEOUT seconds idle, and SESSION_COOKIE_AGE in all.

    Both times live in the session (in the database), so any app server enforces them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT, now)
            last_seen = session.get(LAST_SEEN, now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT
            too_old = now - signed_in_at > settings.SESSION_COOKIE_AGE
            if idle or too_old:
                user_id = request.user.pk
                logout(request)
                if kept_form.keep(request, user_id=user_id, path=request.path):
                    messages.info(
                        request,
                        _(
                            "Votre session a expiré. Votre saisie n'a pas été enregistrée, mais "
                            "elle est conservée : reconnectez-vous pour la retrouver."
                        ),
                    )
                    return redirect(settings.LOGIN_URL)
                messages.info(
                    request,
                    _("Votre session a expiré. Veuillez vous reconnecter."),
                )
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            kept = request.session.get(kept_form.SESSION_KEY)
            if kept and request.method == "POST" and request.path == kept.get("path"):
                kept_form.discard(request)  # sent again: the page's own view takes it from here
            if now - last_seen >= LAST_SEEN_PRECISION or LAST_SEEN not in session:
                # Written at most once a minute: not a session UPDATE on every request.
                session[LAST_SEEN] = now
        return self.get_response(request)


class AccountStepsMiddleware:
    """Send a signed-in professional through the steps the guide requires, in order: choose a
    password (after a temporary one), the one-time welcome window, then declaring a personal
    e-mail when theirs is shared with other professionals."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            step = self.next_step(user)
            if step and request.path != reverse(step) and not self.always_open(request.path):
                return redirect(step)
        return self.get_response(request)

    def always_open(self, path):
        prefixes = [reverse("accounts:logout"), "/compte/valider-email/", "/compte/reinitialiser/"]
        return any(path.startswith(prefix) for prefix in prefixes)

    @staticmethod
    def next_step(user):
        if user.doit_changer_mot_de_passe:
            return "accounts:nouveau_mot_de_passe"
        if (
            user.has_usable_password()
            and second_factor.required(user)
            and second_factor.device_of(user) is None
        ):
            return "accounts:double_authentification"
        if user.professionnel_id is None:
            return None
        if not user.bienvenue_vue:
            return "accounts:bienvenue"
        if not user.email_en_attente and selectors.email_is_shared(user):
            return "accounts:declarer_identifiants"
        return None
