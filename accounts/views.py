import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import forms, kept_form, psc, second_factor, selectors, services, sessions, visits
from accounts.middleware import LAST_SEEN, AccountStepsMiddleware
from accounts.models import User
from accounts.tokens import email_validation_token, password_reset_token
from contactcovid.forms import labelled

RESET_ADDRESS = "accounts.reset_address"
PSC_ID_TOKEN = "accounts.psc_id_token"  # noqa: S105 — a session key: the provider logout hint
PSC_NEXT = "accounts.psc_next"
CREATION_LIEU = "accounts.creation_lieu"
CREATION_KEY_OK = "accounts.creation_key_ok"
CREATION_DONE = "accounts.creation_done"


def _ip(request):
    return request.META.get("REMOTE_ADDR")


def _site_url(request):
    return request.build_absolute_uri("/")


SECOND_STEP = "accounts.second_step"  # the account whose password was right, awaiting its code
SECOND_STEP_SECONDS = 5 * 60


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = forms.SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if second_factor.device_of(user) is not None:
            # Not signed in yet: the code of the application comes first (accounts:code).
            self.request.session[SECOND_STEP] = {
                "user": user.pk, "at": time.time(), "next": self.get_success_url()}  # fmt: skip
            return redirect("accounts:code")
        previous = user.last_login  # before this sign-in stamps it
        response = super().form_valid(form)
        visits.remember_previous_sign_in(self.request, previous)
        return response

    def get_success_url(self):
        # A form kept when this account's session expired comes first (accounts.kept_form).
        if kept_form.pending(self.request, self.request.user):
            return reverse("accounts:reprendre")
        return super().get_success_url()


# --- Second factor (issue 15) -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def code(request):
    """The second step of a password sign-in: the 6-digit code of the application, or a
    recovery code. Wrong codes count against the account's lockout."""
    step = request.session.get(SECOND_STEP)
    if not step or time.time() - step["at"] > SECOND_STEP_SECONDS:
        request.session.pop(SECOND_STEP, None)
        if step:
            messages.info(request, _("Le délai de saisie du code est dépassé : reconnectez-vous."))
        return redirect("accounts:login")
    form = forms.SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        result = second_factor.verify(user_pk=step["user"], code=form.cleaned_data["code"],
                                      ip=_ip(request))  # fmt: skip
        if result.ok:
            request.session.pop(SECOND_STEP)
            user = User.objects.get(pk=step["user"])
            previous = user.last_login
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            visits.remember_previous_sign_in(request, previous)
            return redirect(step["next"] or settings.LOGIN_REDIRECT_URL)
        if result.locked_minutes:
            request.session.pop(SECOND_STEP)
            messages.error(request, forms.SignInForm.error_messages["locked"]
                           % {"minutes": result.locked_minutes})  # fmt: skip
            return redirect("accounts:login")
        form.add_error("code", forms.SecondFactorForm.WRONG)
        if result.last_try:
            form.add_error("code", forms.SecondFactorForm.LAST_TRY)
        status = 400
    return render(request, "accounts/code.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def double_authentification(request):
    """Gestion de compte → double authentification: scan the QR code (or type the secret),
    confirm with a first code, then read the recovery codes, shown this once."""
    device = second_factor.pending_device(request.user)
    form = forms.SecondFactorForm(request.POST or None, enrolment=True)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.confirm(user=request.user, code=form.cleaned_data["code"],
                                      ip=_ip(request))  # fmt: skip
        if codes is not None:
            return render(request, "accounts/account_double_auth_codes.html",
                          {"codes": codes, "section": "securite"})  # fmt: skip
        form.add_error("code", forms.SecondFactorForm.WRONG)
    context = {
        "form": form,
        "section": "securite",
        "active": second_factor.device_of(request.user) is not None,
        "required": second_factor.required(request.user),
        "qr": second_factor.qr_svg(device, title=_("QR code à scanner avec votre application")),
        "secret": second_factor.secret_text(device),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "accounts/account_double_auth.html", context, status=status)


# --- Pro Santé Connect (issue 15) -------------------------------------------------------------


def _psc_refused(request, refused: psc.Refused):
    services.psc_refused(reason=refused.reason, identifiant=refused.identifiant, ip=_ip(request))
    messages.error(request, refused.message)
    return redirect("accounts:login")


@require_GET
def psc_start(request):
    """« Se connecter (or Créer mon compte) avec Pro Santé Connect »: off to the provider."""
    if not psc.enabled():
        raise Http404
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    request.session[PSC_NEXT] = next_url
    try:
        return psc.start(request, request.build_absolute_uri(reverse("accounts:psc_retour")))
    except psc.Refused as refused:
        return _psc_refused(request, refused)


@require_GET
def psc_retour(request):
    """The provider's answer: checked (psc.finish), then the account signed in — found, or
    created now for a professional of the référentiel — with a new session key."""
    if not psc.enabled():
        raise Http404
    try:
        identity = psc.finish(request)
        user = services.psc_sign_in(identifiant=identity.identifiant, ip=_ip(request))
    except psc.Refused as refused:
        return _psc_refused(request, refused)
    except services.AccountError as error:
        messages.error(request, str(error))
        return redirect("accounts:login")
    previous = user.last_login
    next_url = request.session.pop(PSC_NEXT, "")
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    request.session[PSC_ID_TOKEN] = identity.id_token
    visits.remember_previous_sign_in(request, previous)
    if kept_form.pending(request, user):
        return redirect("accounts:reprendre")
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


class SignOutView(auth_views.LogoutView):
    """Déconnexion; a Pro Santé Connect session also ends at the provider (RP-initiated
    logout), which sends the browser back to the sign-in page."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get(PSC_ID_TOKEN, "")
        response = super().post(request, *args, **kwargs)
        back = request.build_absolute_uri(reverse("accounts:login"))
        if id_token and (url := psc.logout_url(id_token, back)):
            return redirect(url)
        return response


@login_required
@require_http_methods(["GET", "POST"])
def reprendre(request):
    """ "Reprendre ma saisie": what was typed when the session expired, to send again to its
    page (which re-validates it as this account), or to abandon."""
    kept = kept_form.pending(request, request.user)
    if request.method == "POST" or kept is None:
        kept_form.discard(request)
        if request.method == "POST":
            messages.info(request, _("Saisie abandonnée."))
        return redirect("tracing:home")
    context = {"kept": kept, "typed": labelled(kept["fields"]), "fields": kept["fields"]}
    return render(request, "accounts/reprendre.html", context)


@login_required
@require_POST
def rester_connecte(request):
    """ "Rester connecté": activity that resets the idle timeout (the middleware notes it)."""
    request.session[LAST_SEEN] = time.time()
    return HttpResponse(status=204)


# --- Password reset --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def password_forgotten(request):
    form = forms.IdentifierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmation = services.password_reset_request(
                identifier=form.cleaned_data["identifiant"],
                site_url=_site_url(request),
                ip=_ip(request),
            )
        except services.AccountError as error:
            form.add_error("identifiant", str(error))
        else:
            request.session[RESET_ADDRESS] = confirmation.address
            return redirect("accounts:reset_sent")
    return render(request, "accounts/password_forgotten.html", {"form": form})


def password_reset_sent(request):
    address = request.session.get(RESET_ADDRESS)
    if address is None:
        return redirect("accounts:password_forgotten")
    return render(request, "accounts/password_reset_sent.html", {"address": address})


def _user_from_link(uidb64, token, generator):
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None
    return user if generator.check_token(user, token) else None


LINK_TOKEN = "accounts.lien"  # noqa: S105 (a session key, not a secret)
SWAPPED = "lien"  # what stands in a link's URL for its token once it is in the session


def _link_user(request, url_name, uidb64, token, generator):
    """(user, None) for a valid link, or (None, a response). On GET, a valid token is moved into
    the session and the browser redirected to the same URL with `SWAPPED` in its place: the
    token leaves the address bar, the history, the Referer and the access logs of the pages that
    follow (Django's own reset view does the same)."""
    if token == SWAPPED:
        token = request.session.get(f"{LINK_TOKEN}:{url_name}:{uidb64}", "")
    elif request.method == "GET":
        if _user_from_link(uidb64, token, generator) is None:
            return None, render(request, "accounts/link_invalid.html", status=400)
        request.session[f"{LINK_TOKEN}:{url_name}:{uidb64}"] = token
        return None, redirect(f"accounts:{url_name}", uidb64=uidb64, token=SWAPPED)
    user = _user_from_link(uidb64, token, generator)
    if user is None:
        return None, render(request, "accounts/link_invalid.html", status=400)
    return user, None


def _forget_link(request, url_name, uidb64):
    request.session.pop(f"{LINK_TOKEN}:{url_name}:{uidb64}", None)


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request, uidb64, token):
    user, answer = _link_user(request, "reset_confirm", uidb64, token, password_reset_token)
    if answer is not None:
        return answer
    form = forms.SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_complete(
            user=user, password=form.cleaned_data["password"], ip=_ip(request)
        )
        _forget_link(request, "reset_confirm", uidb64)
        messages.success(
            request,
            _(
                "Votre nouveau mot de passe est pris en compte. "
                "Vous pouvez à présent vous connecter."
            ),
        )
        return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})


# --- E-mail validation -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def email_validate(request, uidb64, token):
    """GET shows a button, POST validates: mail scanners that open links validate nothing."""
    user, answer = _link_user(request, "valider_email", uidb64, token, email_validation_token)
    if answer is not None:
        return answer
    if request.method == "POST":
        _forget_link(request, "valider_email", uidb64)
        try:
            services.email_validate(user=user, ip=_ip(request))
        except services.AccountError as error:
            messages.error(request, str(error))
            return redirect("accounts:login")
        messages.success(request, _("Votre adresse e-mail est validée."))
        if request.user.is_authenticated:
            return redirect("accounts:securite")
        return redirect("accounts:login")
    return render(request, "accounts/email_validate.html", {"email": user.email_en_attente})


# --- First sign-in ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def welcome(request):
    if request.method == "POST":
        services.welcome_seen(user=request.user)
        return redirect("tracing:home")
    return render(request, "accounts/welcome.html")


def _is_current_step(user, step):
    """The first-sign-in pages change identifiers without the current password: they are open
    only while the account is at that step (accounts.middleware.AccountStepsMiddleware)."""
    return AccountStepsMiddleware.next_step(user) == step


@login_required
@require_http_methods(["GET", "POST"])
def declare_identifiants(request):
    if not _is_current_step(request.user, "accounts:declarer_identifiants"):
        return redirect("tracing:home")
    form = forms.DeclareIdentifiantsForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.declare_identifiants(
                user=request.user,
                email=form.cleaned_data["new_email"],
                password=form.cleaned_data["password"],
                site_url=_site_url(request),
                ip=_ip(request),
            )
        except services.AccountError as error:
            form.add_error("email", str(error))
        else:
            update_session_auth_hash(request, user)
            messages.success(
                request,
                _("Un e-mail va vous être envoyé à %(email)s pour valider votre adresse e-mail.")
                % {"email": user.email_en_attente},
            )
            return redirect("tracing:home")
    return render(request, "accounts/declare_identifiants.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def new_password(request):
    """After a temporary password (postal letter): choose one's own, and one's e-mail."""
    if not _is_current_step(request.user, "accounts:nouveau_mot_de_passe"):
        return redirect("tracing:home")
    form = forms.LetterPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_choose_after_letter(
                user=request.user,
                password=form.cleaned_data["password"],
                email=form.cleaned_data["new_email"],
                site_url=_site_url(request),
                ip=_ip(request),
            )
        except services.AccountError as error:
            form.add_error("email", str(error))
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Votre mot de passe est enregistré."))
            messages.info(
                request,
                _("Un e-mail va vous être envoyé à %(email)s pour valider votre adresse e-mail.")
                % {"email": user.email_en_attente},
            )
            return redirect("tracing:home")
    return render(request, "accounts/new_password.html", {"form": form})


# --- Gestion de compte -----------------------------------------------------------------------


@login_required
def account_informations(request):
    professionnel = selectors.professionnel_with_lieux(request.user)
    return render(
        request,
        "accounts/account_informations.html",
        {"professionnel": professionnel, "section": "informations"},
    )


@login_required
def account_security(request):
    user = request.user
    numeros = []
    if user.professionnel_id:
        numeros = [lieu.numero for lieu in selectors.professionnel_with_lieux(user).lieux.all()]
    return render(
        request,
        "accounts/account_security.html",
        {
            "numeros": numeros,
            "events": selectors.last_events(user),
            "section": "securite",
            "double_auth": second_factor.device_of(user) is not None,
            "sessions": sessions.of(request),
        },
    )


@login_required
@require_POST
def fermer_autres_sessions(request):
    """« Fermer les autres sessions »: this account signed out everywhere but here."""
    ended = sessions.end_others(request, ip=_ip(request))
    messages.success(request, _("Autres sessions fermées : %(n)s.") % {"n": ended})
    return redirect("accounts:securite")


@login_required
def account_settings(request):
    return render(request, "accounts/account_settings.html", {"section": "parametres"})


@login_required
@require_http_methods(["GET", "POST"])
def account_email(request):
    form = forms.EmailChangeForm(request.user, request.POST or None)
    form.ip = _ip(request)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.email_change_request(
                user=request.user,
                email=form.cleaned_data["new_email"],
                site_url=_site_url(request),
                ip=_ip(request),
            )
        except services.AccountError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _(
                    "Un e-mail va vous être envoyé à %(email)s : cliquez sur le lien « Valider "
                    "adresse e-mail » pour terminer la modification."
                )
                % {"email": user.email_en_attente},
            )
            return redirect("accounts:securite")
    return render(request, "accounts/account_email.html", {"form": form, "section": "securite"})


@login_required
@require_http_methods(["GET", "POST"])
def account_password(request):
    form = forms.PasswordChangeForm(request.user, request.POST or None)
    form.ip = _ip(request)
    if request.method == "POST" and form.is_valid():
        user = services.password_change(
            user=request.user, password=form.cleaned_data["password"], ip=_ip(request)
        )
        # This session stays; every other session of the account ends.
        update_session_auth_hash(request, user)
        messages.success(request, _("Votre mot de passe est modifié."))
        return redirect("accounts:securite")
    return render(request, "accounts/account_password.html", {"form": form, "section": "securite"})


# --- Account creation ------------------------------------------------------------------------


def _creation_lieu(request):
    pk = request.session.get(CREATION_LIEU)
    if pk is None:
        return None
    lieu = selectors.lieu_by_pk(pk)
    if lieu is None or not services.creation_open(lieu.professionnel):
        return None
    return lieu


@require_http_methods(["GET", "POST"])
def create_start(request):
    form = forms.NumeroForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        numero = form.cleaned_data["numero"]
        try:
            services.creation_attempt(numero=numero, ip=_ip(request))
            lieu = services.lieu_for_creation(numero=numero)
        except services.AccountError as error:
            form.add_error("numero", str(error))
            if str(error) == str(services.CREATION_REFUSED_MESSAGE):
                status = 429
        else:
            request.session[CREATION_LIEU] = lieu.pk
            request.session.pop(CREATION_KEY_OK, None)
            if lieu.professionnel.is_etablissement:
                return redirect("accounts:create_postal")
            return redirect("accounts:create_key")
    return render(request, "accounts/create_start.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def create_key(request):
    lieu = _creation_lieu(request)
    if lieu is None:
        return redirect("accounts:create_start")
    if lieu.professionnel.is_etablissement:
        return redirect("accounts:create_postal")
    form = forms.SecurityKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.security_key_check(
                professionnel=lieu.professionnel,
                nir=form.cleaned_data["nir"],
                iban_fin=form.cleaned_data["iban_fin"],
            )
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            request.session[CREATION_KEY_OK] = lieu.professionnel_id
            return redirect("accounts:create_credentials")
    return render(request, "accounts/create_key.html", {"form": form, "lieu": lieu})


@require_http_methods(["GET", "POST"])
def create_credentials(request):
    lieu = _creation_lieu(request)
    if lieu is None or request.session.get(CREATION_KEY_OK) != lieu.professionnel_id:
        return redirect("accounts:create_start")
    form = forms.AccountCredentialsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_create_with_key(
                professionnel=lieu.professionnel,
                email=form.cleaned_data["new_email"],
                password=form.cleaned_data["password"],
                site_url=_site_url(request),
                ip=_ip(request),
            )
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            for key in (CREATION_LIEU, CREATION_KEY_OK):
                request.session.pop(key, None)
            request.session[CREATION_DONE] = {"mode": "cle", "email": user.email}
            return redirect("accounts:create_done")
    return render(request, "accounts/create_credentials.html", {"form": form, "lieu": lieu})


@require_http_methods(["GET", "POST"])
def create_postal(request):
    lieu = _creation_lieu(request)
    if lieu is None:
        return redirect("accounts:create_start")
    form = forms.PostalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            courrier = services.account_create_postal(
                lieu=lieu, email=form.cleaned_data["new_email"], ip=_ip(request)
            )
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            for key in (CREATION_LIEU, CREATION_KEY_OK):
                request.session.pop(key, None)
            request.session[CREATION_DONE] = {
                "mode": "courrier",
                "adresse": f"{courrier.lieu.adresse}, {courrier.lieu.code_postal} "
                f"{courrier.lieu.ville}",
            }
            return redirect("accounts:create_done")
    return render(
        request,
        "accounts/create_postal.html",
        {"form": form, "lieu": lieu, "etablissement": lieu.professionnel.is_etablissement},
    )


def create_done(request):
    done = request.session.get(CREATION_DONE)
    if done is None:
        return redirect("accounts:create_start")
    return render(request, "accounts/create_done.html", {"done": done})
