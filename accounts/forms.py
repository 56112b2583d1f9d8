import re

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from accounts import selectors, services
from accounts.services import SHARED_EMAIL_MESSAGE
from accounts.validators import RULES
from contactcovid.forms import SafeTextMixin
from fiches import identity

IDENTIFIER_LABEL = _("E-mail, N° d'Assurance Maladie ou N° FINESS")


class SignInForm(SafeTextMixin, forms.Form):
    """The guide's "Identification" box. Every refusal is one message at the top of the form."""

    username = forms.CharField(
        label=IDENTIFIER_LABEL,
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid": _("Identifiant ou mot de passe incorrect. Vérifiez votre saisie et réessayez."),
        "shared_email": SHARED_EMAIL_MESSAGE,
        "locked": _(
            "Votre compte est bloqué. Veuillez réessayer dans %(minutes)s min, ou débloquez-le "
            "dès maintenant avec « Mot de passe oublié » : choisir un nouveau mot de passe "
            "lève le blocage."
        ),
        "last_try": _(
            "Identifiant ou mot de passe incorrect. Attention : encore 1 essai avant le blocage "
            "du compte pendant %(minutes)s min (« Mot de passe oublié » le débloque)."
        ),
        "disabled": _("Ce compte est désactivé. Contactez l'assistance technique (3608, choix 2)."),
        "inactive": _(
            "Votre compte n'est pas encore actif : cliquez sur « Valider adresse e-mail » dans "
            "l'e-mail que nous venons de vous renvoyer."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            ip = self.request.META.get("REMOTE_ADDR") if self.request else None
            result = services.sign_in(identifier=username, password=password, ip=ip)
            if result.pending is not None and self.request is not None:
                services.email_validation_resend(
                    user=result.pending, site_url=self.request.build_absolute_uri("/")
                )
            if result.error:
                code = result.error
                if code == "inactive" and result.pending is None:
                    code = "disabled"
                minutes = result.minutes
                if code == "invalid" and result.essais_restants == 1:
                    code, minutes = "last_try", settings.ACCOUNT_LOCKOUT_MINUTES
                raise forms.ValidationError(
                    self.error_messages[code],
                    code=code,
                    params={"minutes": minutes},
                )
            self.user_cache = result.user
        return self.cleaned_data

    def get_user(self):
        return self.user_cache


class SecondFactorForm(SafeTextMixin, forms.Form):
    """The 6-digit code of the application (or, at sign-in, a recovery code)."""

    WRONG = _("Code incorrect. Vérifiez l'heure de votre téléphone et saisissez le code affiché.")
    LAST_TRY = _("Attention : encore 1 essai avant le blocage du compte.")

    code = forms.CharField(
        label=_("Code à 6 chiffres (ou code de secours)"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "inputmode": "text",
                "spellcheck": "false",
            }
        ),  # fmt: skip
    )

    def __init__(self, *args, enrolment=False, **kwargs):
        super().__init__(*args, **kwargs)
        if enrolment:
            self.fields["code"].label = _("Code à 6 chiffres affiché par l'application")
            self.fields["code"].widget.attrs["inputmode"] = "numeric"


class PasswordRulesMixin:
    """New-password fields with the guide's checklist, ticked as one types (password-rules.js)."""

    password_rules = RULES

    @staticmethod
    def new_password_field(label):
        # A refused form gives back what was typed, the passwords included (`render_value`):
        # the person corrects one rule instead of typing both again. The pages are never cached
        # (NoStoreMiddleware) and travel over HTTPS only.
        return forms.CharField(
            label=label,
            strip=False,
            widget=forms.PasswordInput(
                attrs={"autocomplete": "new-password", "data-password-rules": "regles-mdp"},
                render_value=True,
            ),
        )

    @staticmethod
    def confirmation_field(label):
        return forms.CharField(
            label=label,
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
        )

    def clean_password_pair(self, first, second, user=None):
        password1 = self.cleaned_data.get(first)
        password2 = self.cleaned_data.get(second)
        if password1 and password2 and password1 != password2:
            self.add_error(second, _("Les deux mots de passe ne sont pas identiques."))
            return None
        if password1:
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error(first, error)
                return None
        return password1


class EmailPairMixin:
    def clean_email_pair(self, first, second):
        email1 = self.cleaned_data.get(first)
        email2 = self.cleaned_data.get(second)
        if email1 and email2 and email1.lower() != email2.lower():
            self.add_error(second, _("Les deux adresses e-mail ne sont pas identiques."))
            return None
        return email1.lower() if email1 else None


class IdentifierForm(SafeTextMixin, forms.Form):
    identifiant = forms.CharField(label=IDENTIFIER_LABEL, max_length=254)


class SetPasswordForm(SafeTextMixin, PasswordRulesMixin, forms.Form):
    """A new password, twice (reset link, forced change after a temporary password)."""

    new_password1 = PasswordRulesMixin.new_password_field(_("Nouveau mot de passe"))
    new_password2 = PasswordRulesMixin.confirmation_field(_("Confirmer le nouveau mot de passe"))

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        self.cleaned_data["password"] = self.clean_password_pair(
            "new_password1", "new_password2", self.user
        )
        return self.cleaned_data


class LetterPasswordForm(EmailPairMixin, SetPasswordForm):
    """After the postal letter's temporary password: the holder chooses a password and types the
    e-mail the validation link goes to. Whoever asked for the letter typed an address too, but
    only the letter's holder decides which one the account gets."""

    field_order = ["email", "email_confirmation", "new_password1", "new_password2"]

    email = forms.EmailField(
        max_length=254,
        label=_("Votre adresse e-mail"),
        help_text=_("Le lien « Valider adresse e-mail » y sera envoyé."),
    )
    email_confirmation = forms.EmailField(max_length=254, label=_("Confirmer votre adresse e-mail"))

    def clean(self):
        super().clean()
        self.cleaned_data["new_email"] = self.clean_email_pair("email", "email_confirmation")
        return self.cleaned_data


class CurrentPasswordMixin(SafeTextMixin, forms.Form):
    """A change to the account's identifiers asks for its current password (self.user's),
    checked under the account's lockout (self.ip is the client's address, for the journal)."""

    ip = None

    current_password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_current_password(self):
        value = self.cleaned_data["current_password"]
        result = services.check_current_password(user=self.user, password=value, ip=self.ip)
        if result.error == "locked":
            raise forms.ValidationError(
                _("Votre compte est bloqué. Veuillez réessayer dans %(minutes)s min")
                % {"minutes": result.minutes}
            )
        if result.error:
            raise forms.ValidationError(_("Le mot de passe actuel est incorrect."))
        return value


class PasswordChangeForm(CurrentPasswordMixin, SetPasswordForm):
    field_order = ["current_password", "new_password1", "new_password2"]


class EmailChangeForm(EmailPairMixin, CurrentPasswordMixin):
    field_order = ["email", "email_confirmation", "current_password"]

    email = forms.EmailField(max_length=254, label=_("Nouvelle adresse e-mail"))
    email_confirmation = forms.EmailField(
        max_length=254, label=_("Confirmer la nouvelle adresse e-mail")
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        self.cleaned_data["new_email"] = self.clean_email_pair("email", "email_confirmation")
        return self.cleaned_data


class DeclareIdentifiantsForm(SafeTextMixin, EmailPairMixin, PasswordRulesMixin, forms.Form):
    """ "Mettez vos identifiants e-mail et mot de passe à jour"."""

    email = forms.EmailField(max_length=254, label=_("Nouvelle adresse e-mail"))
    email_confirmation = forms.EmailField(
        max_length=254, label=_("Confirmer nouvelle adresse e-mail")
    )
    new_password1 = PasswordRulesMixin.new_password_field(_("Votre mot de passe"))
    new_password2 = PasswordRulesMixin.confirmation_field(_("Confirmer votre mot de passe"))

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        self.cleaned_data["new_email"] = self.clean_email_pair("email", "email_confirmation")
        self.cleaned_data["password"] = self.clean_password_pair(
            "new_password1", "new_password2", self.user
        )
        return self.cleaned_data


class NumeroForm(SafeTextMixin, forms.Form):
    numero = forms.CharField(
        label=_("N° d'Assurance Maladie ou N° FINESS géographique"),
        max_length=20,
        help_text=_("9 chiffres, tels qu'ils figurent sur vos documents de l'Assurance Maladie."),
    )

    def clean_numero(self):
        value = selectors.normalize_identifier(self.cleaned_data["numero"])
        if not selectors.NUMERO_RE.match(value):
            raise forms.ValidationError(
                _("Le numéro doit comporter 9 caractères (chiffres, ou 2A/2B pour la Corse).")
            )
        return value


class SecurityKeyForm(SafeTextMixin, forms.Form):
    nir = forms.CharField(
        label=_("Numéro de Sécurité sociale (NIR)"),
        max_length=25,
        help_text=_("13 chiffres, ou 15 avec la clé. Exemple : 2 69 05 49 588 157"),
    )
    iban_fin = forms.CharField(
        label=_("Les 4 derniers caractères de votre IBAN professionnel"),
        max_length=4,
        min_length=4,
    )

    def clean_nir(self):
        """The 15-character NIR: as typed with its key (checked), or 13 with the key computed.

        The key is a function of the 13 characters, so accepting them alone weakens nothing.
        The messages are the fiches' own: one message per cause, on every screen.
        """
        nir = identity.normalize_nir(self.cleaned_data["nir"])
        return nir if len(nir) == 15 else nir + identity.nir_key(nir)

    def clean_iban_fin(self):
        value = self.cleaned_data["iban_fin"].strip().upper()
        if not re.fullmatch(r"[0-9A-Z]{4}", value):
            raise forms.ValidationError(
                _("Saisissez les 4 derniers caractères de votre IBAN (chiffres ou lettres).")
            )
        return value


CONDITIONS_LABEL = _(
    "J'accepte les conditions juridiques et j'autorise l'Assurance Maladie à utiliser mon adresse "
    "e-mail pour communiquer avec moi. Cette adresse n'est pas utilisée pour l'envoi "
    "d'informations générales."
)


class AccountCredentialsForm(SafeTextMixin, EmailPairMixin, PasswordRulesMixin, forms.Form):
    """ "Vos identifiants d'accès": e-mail, password, conditions (security-key mode)."""

    email = forms.EmailField(max_length=254, label=_("E-mail"))
    email_confirmation = forms.EmailField(max_length=254, label=_("Confirmer e-mail"))
    new_password1 = PasswordRulesMixin.new_password_field(_("Mot de passe"))
    new_password2 = PasswordRulesMixin.confirmation_field(_("Confirmer mot de passe"))
    conditions = forms.BooleanField(
        label=CONDITIONS_LABEL,
        error_messages={"required": _("Vous devez accepter les conditions juridiques.")},
    )

    def clean(self):
        email = self.clean_email_pair("email", "email_confirmation")
        self.cleaned_data["new_email"] = email
        if email and selectors.email_is_taken(email):
            self.add_error("email", services.EMAIL_TAKEN_MESSAGE)
        self.cleaned_data["password"] = self.clean_password_pair("new_password1", "new_password2")
        return self.cleaned_data


class PostalForm(SafeTextMixin, EmailPairMixin, forms.Form):
    email = forms.EmailField(max_length=254, label=_("E-mail"))
    email_confirmation = forms.EmailField(max_length=254, label=_("Confirmer e-mail"))
    conditions = forms.BooleanField(
        label=CONDITIONS_LABEL,
        error_messages={"required": _("Vous devez accepter les conditions juridiques.")},
    )

    def clean(self):
        email = self.clean_email_pair("email", "email_confirmation")
        self.cleaned_data["new_email"] = email
        if email and selectors.email_is_taken(email):
            self.add_error("email", services.EMAIL_TAKEN_MESSAGE)
        return self.cleaned_data
