"""Every write of the accounts app: sign-in with lockout, reset, creation, e-mail and password."""

import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from accounts import emails, second_factor, selectors
from accounts.models import (
    CourrierPostal,
    CreationAttempt,
    LieuExercice,
    Professionnel,
    SecurityEvent,
    User,
)
from accounts.roles import Role
from accounts.tokens import email_validation_token, password_reset_token

Action = SecurityEvent.Action

ROLE_OF_PROFESSION = {
    Professionnel.Profession.MEDECIN: Role.MEDECIN,
    Professionnel.Profession.BIOLOGISTE: Role.BIOLOGISTE,
    Professionnel.Profession.PHARMACIEN: Role.PHARMACIEN,
}


class AccountError(Exception):
    """A move the rules do not allow; the message is French and shown to the person."""


def record_event(*, user, action, ip=None, detail=""):
    return SecurityEvent.objects.create(user=user, action=action, ip=ip or None, detail=detail)


def _lockout_delay():
    return timedelta(minutes=settings.ACCOUNT_LOCKOUT_MINUTES)


def remaining_minutes(until):
    seconds = (until - timezone.now()).total_seconds()
    return max(1, math.ceil(seconds / 60))


# --- Sign-in and lockout ---------------------------------------------------------------------


def count_failure(user, *, action, ip, now) -> int:
    """One more wrong secret — a password, or the second factor's code — on the account's row,
    read under its lock: at ACCOUNT_LOCKOUT_ATTEMPTS the account is blocked for
    ACCOUNT_LOCKOUT_MINUTES. Returns the minutes it stays blocked, or 0 when not blocked."""
    user.echecs_connexion += 1
    record_event(user=user, action=action, ip=ip)
    if user.echecs_connexion >= settings.ACCOUNT_LOCKOUT_ATTEMPTS:
        user.bloque_jusqua = now + _lockout_delay()
        user.echecs_connexion = 0
        user.save(update_fields=["echecs_connexion", "bloque_jusqua"])
        record_event(user=user, action=Action.LOCKED, ip=ip)
        return remaining_minutes(user.bloque_jusqua)
    user.save(update_fields=["echecs_connexion", "bloque_jusqua"])
    return 0


@dataclass(frozen=True)
class SignInResult:
    user: User | None = None
    error: str = ""  # "", "invalid", "shared_email", "locked", "inactive"
    minutes: int = 0
    essais_restants: int | None = None  # after a wrong password: tries left before the block
    pending: User | None = None  # the right password, but the e-mail is not validated yet


def sign_in(*, identifier, password, ip=None):
    """Check a password against the account an identifier designates, under the lockout rule.

    The counter is per account (e-mail, AM and FINESS numbers count together) and lives on the
    account's row, read and written under a row lock: parallel attempts, from any number of app
    servers, are checked one at a time, and none is checked once the account is blocked. At the
    ACCOUNT_LOCKOUT_ATTEMPTS-th wrong password the account is blocked for ACCOUNT_LOCKOUT_MINUTES.
    """
    found = selectors.identify(identifier)
    if found.shared_email:
        return SignInResult(error="shared_email")
    if found.user is None or not password:
        # Hash anyway: an unknown identifier takes as long as a wrong password.
        User().set_password(password or "")
        if found.user is None and password:
            return _unknown_identifier_failure(identifier)
        return SignInResult(error="invalid")

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=found.user.pk)
        now = timezone.now()
        if user.bloque_jusqua is not None:
            if user.bloque_jusqua > now:
                return SignInResult(error="locked", minutes=remaining_minutes(user.bloque_jusqua))
            user.bloque_jusqua = None
            user.echecs_connexion = 0
        if not user.check_password(password):
            if minutes := count_failure(user, action=Action.SIGN_IN_FAILED, ip=ip, now=now):
                return SignInResult(error="locked", minutes=minutes)
            restants = settings.ACCOUNT_LOCKOUT_ATTEMPTS - user.echecs_connexion
            return SignInResult(error="invalid", essais_restants=restants)
        if not user.is_active:
            user.echecs_connexion = 0
            user.save(update_fields=["echecs_connexion", "bloque_jusqua"])
            pending = user if user.email_en_attente else None
            return SignInResult(error="inactive", pending=pending)
        second_step = second_factor.device_of(user) is not None
        if not second_step:
            # With a second factor, the counter goes on until the code too is right: a known
            # password must not reset the count of wrong codes.
            user.echecs_connexion = 0
        fields = ["echecs_connexion", "bloque_jusqua"]
        if user.doit_changer_mot_de_passe:
            # The temporary password of the postal letter works once: it is spent now, and the
            # session that follows is the only way to choose the new one.
            user.set_unusable_password()
            fields.append("password")
        user.save(update_fields=fields)
        detail = (
            "mot de passe vérifié, code de double authentification demandé" if second_step else ""
        )
        record_event(user=user, action=Action.SIGNED_IN, ip=ip, detail=detail)
    return SignInResult(user=user)


def _unknown_identifier_failure(identifier) -> SignInResult:
    """A wrong sign-in on an identifier no account has answers as an account's would: counted in
    the database (`EssaiInconnu`, under a row lock), warned before the last try, then blocked
    for ACCOUNT_LOCKOUT_MINUTES."""
    from django.utils.crypto import salted_hmac

    from accounts.models import EssaiInconnu

    value = selectors.normalize_identifier(identifier)
    cle = salted_hmac("accounts.EssaiInconnu", value, algorithm="sha256").hexdigest()
    now = timezone.now()
    with transaction.atomic():
        EssaiInconnu.objects.get_or_create(cle=cle)
        essai = EssaiInconnu.objects.select_for_update().get(cle=cle)
        if essai.bloque_jusqua is not None and essai.bloque_jusqua > now:
            return SignInResult(error="locked", minutes=remaining_minutes(essai.bloque_jusqua))
        if essai.bloque_jusqua is not None:
            essai.bloque_jusqua, essai.echecs = None, 0
        essai.echecs += 1
        essai.dernier_essai = now
        if essai.echecs >= settings.ACCOUNT_LOCKOUT_ATTEMPTS:
            essai.bloque_jusqua, essai.echecs = now + _lockout_delay(), 0
            essai.save()
            return SignInResult(error="locked", minutes=remaining_minutes(essai.bloque_jusqua))
        essai.save()
    restants = settings.ACCOUNT_LOCKOUT_ATTEMPTS - essai.echecs
    return SignInResult(error="invalid", essais_restants=restants)


def check_current_password(*, user, password, ip=None):
    """The current password asked before changing identifiers counts against the same lockout as
    signing in: a session left open must not become a way to guess the password. Returns
    SignInResult(user=…) when right, error "invalid" or "locked" otherwise."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        now = timezone.now()
        if locked.bloque_jusqua is not None and locked.bloque_jusqua > now:
            return SignInResult(error="locked", minutes=remaining_minutes(locked.bloque_jusqua))
        if locked.check_password(password or ""):
            if locked.echecs_connexion:
                locked.echecs_connexion = 0
                locked.save(update_fields=["echecs_connexion"])
            return SignInResult(user=locked)
        locked.echecs_connexion += 1
        record_event(user=locked, action=Action.SIGN_IN_FAILED, ip=ip, detail="mot de passe actuel")
        if locked.echecs_connexion >= settings.ACCOUNT_LOCKOUT_ATTEMPTS:
            locked.bloque_jusqua = now + _lockout_delay()
            locked.echecs_connexion = 0
            locked.save(update_fields=["echecs_connexion", "bloque_jusqua"])
            record_event(user=locked, action=Action.LOCKED, ip=ip)
            return SignInResult(error="locked", minutes=remaining_minutes(locked.bloque_jusqua))
        locked.save(update_fields=["echecs_connexion"])
        return SignInResult(error="invalid")


def unlock(*, user, by=None):
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.bloque_jusqua = None
        user.echecs_connexion = 0
        user.save(update_fields=["echecs_connexion", "bloque_jusqua"])
        detail = f"par {by.username}" if by is not None else ""
        record_event(user=user, action=Action.UNLOCKED, detail=detail)
    return user


# --- Links -----------------------------------------------------------------------------------


def _link(site_url, name, user, token):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return site_url.rstrip("/") + reverse(name, kwargs={"uidb64": uid, "token": token})


def _send_validation(*, user, site_url):
    link = _link(site_url, "accounts:valider_email", user, email_validation_token.make_token(user))
    emails.send(
        "valider-email",
        to=user.email_en_attente,
        context={"user": user, "link": link, "hours": settings.PASSWORD_RESET_TIMEOUT // 3600},
    )


# --- Password reset --------------------------------------------------------------------------


RESET_EMAIL_INTERVAL = 60  # seconds between two reset e-mails to one account


@dataclass(frozen=True)
class ResetConfirmation:
    """What « Mot de passe oublié » answers, the same whether an account exists or not."""

    address: str = ""  # the typed e-mail (it reveals nothing the person did not type)


def password_reset_request(*, identifier, site_url, ip=None) -> ResetConfirmation:
    """« Mot de passe oublié »: a job looks the identifier up and sends the link if it is an
    account's (`password_reset_send`). The request itself does the same work for every
    identifier — one lookup, one job enqueued — so that neither its answer nor its duration
    tells whether an account exists. An e-mail shared by several professionals is said at once
    (the guide asks for their number instead)."""
    found = selectors.identify(identifier)
    if found.shared_email:
        raise AccountError(SHARED_EMAIL_MESSAGE)
    value = selectors.normalize_identifier(identifier)
    from accounts.tasks import send_password_reset

    send_password_reset.enqueue(value, site_url, ip)
    # A number: no address at all, not even masked (it would tell a stranger who typed someone
    # else's number the shape of that professional's e-mail).
    return ResetConfirmation(address=value if "@" in value else "")


def password_reset_send(*, identifier, site_url, ip=None) -> bool:
    """The job of « Mot de passe oublié »: the reset link to the account an identifier
    designates, at most one e-mail a RESET_EMAIL_INTERVAL (the previous link is still on its
    way); nothing for an unknown, inactive or address-less one. True when an e-mail left."""
    found = selectors.identify(identifier)
    user = found.user
    if found.shared_email or user is None or not user.is_active or not user.email:
        return False
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        now = timezone.now()
        last = user.reinitialisation_envoyee_le
        if last is not None and now - last < timedelta(seconds=RESET_EMAIL_INTERVAL):
            return False
        user.reinitialisation_envoyee_le = now
        user.save(update_fields=["reinitialisation_envoyee_le"])
        # The stamp and the e-mail commit together: no stamp without its e-mail on its way.
        token = password_reset_token.make_token(user)
        emails.send(
            "reinitialisation",
            to=user.email,
            context={
                "user": user,
                "link": _link(site_url, "accounts:reset_confirm", user, token),
                "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
            },
        )
        record_event(user=user, action=Action.RESET_REQUESTED, ip=ip)
    return True


def password_reset_complete(*, user, password, ip=None):
    """Set the new password; the account's other sessions end (their auth hash no longer
    matches) and a lockout is lifted: the person proved they own the mailbox."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(password)
        user.bloque_jusqua = None
        user.echecs_connexion = 0
        user.doit_changer_mot_de_passe = False
        user.save(
            update_fields=[
                "password",
                "bloque_jusqua",
                "echecs_connexion",
                "doit_changer_mot_de_passe",
            ]
        )
        record_event(user=user, action=Action.PASSWORD_RESET, ip=ip)
    return user


def password_change(*, user, password, ip=None):
    """Change the password of a signed-in person (current password checked by the form)."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(password)
        locked.doit_changer_mot_de_passe = False
        locked.save(update_fields=["password", "doit_changer_mot_de_passe"])
        record_event(user=locked, action=Action.PASSWORD_CHANGED, ip=ip)
    user.password = locked.password
    user.doit_changer_mot_de_passe = False
    return user


def password_choose_after_letter(*, user, password, email, site_url, ip=None):
    """The holder of the postal letter chooses their password and the account's e-mail, which
    gets its "Valider adresse e-mail" link. The address typed when the letter was asked for is
    replaced: anyone who knows a public AM or FINESS number could have typed theirs."""
    if selectors.email_is_taken(email, exclude=user):
        raise AccountError(EMAIL_TAKEN_MESSAGE)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.email_en_attente = email
        locked.save(update_fields=["email_en_attente"])
        _letters_done(locked, utilise_le=timezone.now())
        user.email_en_attente = email
        user = password_change(user=user, password=password, ip=ip)
        _send_validation(user=user, site_url=site_url)
    return user


# --- E-mail ----------------------------------------------------------------------------------

SHARED_EMAIL_MESSAGE = _(
    "Cette adresse e-mail est partagée avec d'autres professionnels de santé : elle ne peut pas "
    "servir d'identifiant. Identifiez-vous avec votre N° d'Assurance Maladie ou votre N° FINESS."
)
EMAIL_TAKEN_MESSAGE = _(
    "Cette adresse e-mail est déjà utilisée par un autre compte. Choisissez une adresse e-mail "
    "personnelle."
)


def email_change_request(*, user, email, site_url, ip=None):
    """Ask to change the address: a link to validate it goes to the new address, a notice to the
    old one. The address changes only when the link is followed."""
    if selectors.email_is_taken(email, exclude=user):
        raise AccountError(EMAIL_TAKEN_MESSAGE)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.email_en_attente = email
        locked.save(update_fields=["email_en_attente"])
        _letters_done(locked, utilise_le=timezone.now())
        record_event(user=locked, action=Action.EMAIL_CHANGE_REQUESTED, ip=ip)
        _send_validation(user=locked, site_url=site_url)
        if locked.email:
            emails.send(
                "changement-email-notice",
                to=locked.email,
                context={"user": locked, "new_email": selectors.mask_email(email)},
            )
    return locked


def declare_identifiants(*, user, email, password, site_url, ip=None):
    """A professional whose e-mail is shared declares a personal one and a password."""
    if selectors.email_is_taken(email, exclude=user):
        raise AccountError(EMAIL_TAKEN_MESSAGE)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(password)
        locked.email_en_attente = email
        locked.save(update_fields=["password", "email_en_attente"])
        record_event(user=locked, action=Action.PASSWORD_CHANGED, ip=ip)
        record_event(user=locked, action=Action.EMAIL_CHANGE_REQUESTED, ip=ip)
        _send_validation(user=locked, site_url=site_url)
    return locked


def email_validate(*, user, ip=None):
    """Follow a "Valider adresse e-mail" link: the pending address becomes the account's, and a
    new account starts working."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.email_en_attente:
            raise AccountError(_("Ce lien a déjà été utilisé."))
        if selectors.email_is_taken(locked.email_en_attente, exclude=locked):
            raise AccountError(EMAIL_TAKEN_MESSAGE)
        created = not locked.is_active
        changed = bool(locked.email) and locked.email.lower() != locked.email_en_attente.lower()
        locked.email = locked.email_en_attente
        locked.email_en_attente = ""
        locked.is_active = True
        locked.save(update_fields=["email", "email_en_attente", "is_active"])
        record_event(
            user=locked,
            action=Action.EMAIL_CHANGED if changed and not created else Action.EMAIL_VALIDATED,
            ip=ip,
        )
    return locked


def email_validation_resend(*, user, site_url):
    """A new "Valider adresse e-mail" link for an account not yet validated (asked by signing in
    with the right password: the old link may have expired)."""
    if user.is_active or not user.email_en_attente:
        return
    _send_validation(user=user, site_url=site_url)


def welcome_seen(*, user):
    User.objects.filter(pk=user.pk).update(bienvenue_vue=True)
    user.bienvenue_vue = True


# --- Account creation ------------------------------------------------------------------------


def security_key_check(*, professionnel, nir, iban_fin):
    """Check NIR + last 4 IBAN characters against the référentiel.

    Guessing is throttled per professional, on its row under a lock: after
    ACCOUNT_LOCKOUT_ATTEMPTS wrong keys, the key is refused for ACCOUNT_LOCKOUT_MINUTES.
    """
    with transaction.atomic():
        pro = Professionnel.objects.select_for_update().get(pk=professionnel.pk)
        now = timezone.now()
        if pro.cle_bloquee_jusqua and pro.cle_bloquee_jusqua > now:
            raise AccountError(
                _(
                    "Trop d'essais de clé de sécurité. Veuillez réessayer dans %(minutes)s min "
                    "ou recevoir un mot de passe provisoire par courrier postal."
                )
                % {"minutes": remaining_minutes(pro.cle_bloquee_jusqua)}
            )
        good = bool(pro.nir) and hmac.compare_digest(pro.nir, nir)
        good = good and hmac.compare_digest(pro.iban_fin.upper(), iban_fin.upper())
        if good:
            pro.cle_echecs = 0
            pro.cle_bloquee_jusqua = None
        else:
            pro.cle_echecs += 1
            if pro.cle_echecs >= settings.ACCOUNT_LOCKOUT_ATTEMPTS:
                pro.cle_echecs = 0
                pro.cle_bloquee_jusqua = now + _lockout_delay()
        pro.save(update_fields=["cle_echecs", "cle_bloquee_jusqua"])
    if not good:
        raise AccountError(
            _(
                "Le NIR ou les 4 derniers caractères de l'IBAN ne correspondent pas à nos "
                "informations."
            )
        )


def _new_account(*, professionnel, email):
    if hasattr(professionnel, "compte"):
        raise AccountError(ACCOUNT_EXISTS_MESSAGE)
    if selectors.email_is_taken(email):
        raise AccountError(EMAIL_TAKEN_MESSAGE)
    return _account_of(professionnel, email=email)


def _account_of(professionnel, *, email=""):
    """A new, unsaved account for a professional of the référentiel, named as they are."""
    return User(
        username=f"ps-{professionnel.pk}-{secrets.token_hex(3)}",
        civilite=professionnel.civilite,
        first_name=professionnel.prenom,
        last_name=professionnel.nom or professionnel.raison_sociale,
        email=email,
        professionnel=professionnel,
    )


ACCOUNT_EXISTS_MESSAGE = _(
    "Un compte existe déjà pour ce professionnel. Connectez-vous, ou utilisez « Mot de passe "
    "oublié »."
)


def _add_role(user, professionnel):
    role = ROLE_OF_PROFESSION.get(professionnel.profession)
    if role is not None:
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])


def account_create_with_key(*, professionnel, email, password, site_url, ip=None):
    """Security-key mode: the account exists at once but works only once its e-mail address is
    validated by the link sent to it. Not for establishments (FINESS only)."""
    if professionnel.is_etablissement:
        raise AccountError(_("La clé de sécurité n'est pas disponible pour les établissements."))
    with transaction.atomic():
        locked = Professionnel.objects.select_for_update().get(pk=professionnel.pk)
        pending = pending_letter_account(locked)
        if pending is not None:
            # Under the account's own lock (the letter's holder takes it to choose a password):
            # still unused, or the letter won.
            pending = User.objects.select_for_update().get(pk=pending.pk)
            if pending.last_login is not None or not pending.doit_changer_mot_de_passe:
                raise AccountError(ACCOUNT_EXISTS_MESSAGE)
            # The letter is on its way but unused: the security key wins, the letter's
            # temporary password stops working and its PDF is emptied.
            if selectors.email_is_taken(email, exclude=pending):
                raise AccountError(EMAIL_TAKEN_MESSAGE)
            _letters_done(pending, annule_le=timezone.now())
            user = pending
            user.email = email
            user.doit_changer_mot_de_passe = False
            detail = "clé de sécurité (le courrier demandé est annulé)"
        else:
            user = _new_account(professionnel=locked, email=email)
            detail = "clé de sécurité"
        user.is_active = False
        user.email_en_attente = email
        user.set_password(password)
        if pending is not None:
            user.save(update_fields=["email", "doit_changer_mot_de_passe", "is_active",
                                     "email_en_attente", "password"])  # fmt: skip
        else:
            user.save()
        _add_role(user, locked)
        record_event(user=user, action=Action.CREATED, ip=ip, detail=detail)
        _send_validation(user=user, site_url=site_url)
    return user


def _letters_done(user, **when):
    """The account's pending letters are used (or cancelled): their PDF, which holds the
    temporary password in clear, is emptied."""
    CourrierPostal.objects.filter(
        user=user, utilise_le__isnull=True, annule_le__isnull=True
    ).update(pdf=b"", **when)


def temporary_password():
    """12 characters that pass every password rule."""
    # No look-alikes (l, I, O, 0, 1): it is read on paper and typed by hand.
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789#$%&*+=?@"
    while True:
        value = "".join(secrets.choice(alphabet) for _ in range(12))
        if (
            any(c.islower() for c in value)
            and any(c.isupper() for c in value)
            and any(c.isdigit() for c in value)
            and any(not c.isalnum() for c in value)
        ):
            return value


def account_create_postal(*, lieu, email, ip=None):
    """Postal mode: a temporary password goes by post to the practice place, as an A4 PDF letter
    in the outbox; it works once, then the person chooses their own password.

    The typed e-mail stays pending until then: whoever typed it has not yet proved anything, and
    an address of the account would let them reset its password without the letter.
    """
    from accounts.letters import temporary_password_letter

    professionnel = lieu.professionnel
    password = temporary_password()
    with transaction.atomic():
        Professionnel.objects.select_for_update().get(pk=professionnel.pk)
        if pending_letter_account(professionnel) is not None:
            raise AccountError(LETTER_PENDING_MESSAGE)
        user = _new_account(professionnel=professionnel, email=email)
        user.email = ""
        user.email_en_attente = email
        user.doit_changer_mot_de_passe = True
        user.set_password(password)
        user.save()
        _add_role(user, professionnel)
        record_event(user=user, action=Action.CREATED, ip=ip, detail="courrier postal")
        courrier = CourrierPostal.objects.create(
            user=user,
            lieu=lieu,
            pdf=temporary_password_letter(lieu=lieu, password=password),
        )
    return courrier


CREATION_WINDOW = timedelta(hours=1)
CREATION_REFUSED_MESSAGE = _(
    "Trop de tentatives de création de compte depuis votre connexion ou pour ce numéro. "
    "Réessayez dans une heure, ou appelez l'assistance (3608, choix 2)."
)


def creation_attempt(*, numero, ip, now=None) -> None:
    """Count one « Créer mon compte » try; refuse it past ACCOUNT_CREATION_PER_IP tries from one
    address, or ACCOUNT_CREATION_PER_NUMBER tries for one number, in the last hour (the answer
    tells whether a number is known: no enumeration). A refused try is not counted."""
    now = now or timezone.now()
    since = now - CREATION_WINDOW
    recent = CreationAttempt.objects.filter(at__gt=since)
    too_many = (ip and recent.filter(ip=ip).count() >= settings.ACCOUNT_CREATION_PER_IP) or (
        recent.filter(numero=numero).count() >= settings.ACCOUNT_CREATION_PER_NUMBER
    )
    if too_many:
        raise AccountError(CREATION_REFUSED_MESSAGE)
    CreationAttempt.objects.create(ip=ip or None, numero=numero, at=now)


def pending_letter_account(professionnel):
    """The account a postal letter is on its way for, not used yet (its temporary password never
    chosen), or None. Such an account does not block creating one with the security key: the
    first completed wins (README « Accounts »)."""
    user = getattr(professionnel, "compte", None)
    if user is None or not user.doit_changer_mot_de_passe or user.last_login is not None:
        return None
    if not user.courriers.filter(utilise_le__isnull=True, annule_le__isnull=True).exists():
        return None
    return user


def creation_open(professionnel) -> bool:
    """No account yet, or only one waiting for its postal letter."""
    return not hasattr(professionnel, "compte") or pending_letter_account(professionnel) is not None


def lieu_for_creation(*, numero):
    lieu = selectors.lieu_for_numero(numero)
    if lieu is None:
        raise AccountError(
            _(
                "Ce numéro n'est pas connu de nos référentiels. Vérifiez votre N° d'Assurance "
                "Maladie ou votre N° FINESS."
            )
        )
    if not creation_open(lieu.professionnel):
        raise AccountError(ACCOUNT_EXISTS_MESSAGE)
    if lieu.professionnel.is_etablissement and hasattr(lieu.professionnel, "compte"):
        raise AccountError(LETTER_PENDING_MESSAGE)
    return lieu


LETTER_PENDING_MESSAGE = _(
    "Un courrier avec un mot de passe provisoire a déjà été demandé pour ce numéro : il arrive "
    "par la poste à l'adresse du lieu d'exercice."
)


# --- Pro Santé Connect (issue 15) ------------------------------------------------------------

PSC_UNKNOWN_MESSAGE = _(
    "Pro Santé Connect vous a bien identifié, mais votre numéro n'est pas dans le référentiel "
    "des professionnels de santé de ce service : aucun compte n'a été créé. Contactez "
    "l'assistance technique (3608, choix 2)."
)
PSC_INACTIVE_MESSAGE = _(
    "Votre compte n'est pas actif : validez d'abord votre adresse e-mail, ou contactez "
    "l'assistance technique (3608, choix 2)."
)


def professionnel_for_psc(identifiant: str) -> Professionnel | None:
    """The référentiel's professional of an RPPS (11 digits) or AM number (9 digits)."""
    if len(identifiant) == 11:
        return Professionnel.objects.filter(rpps=identifiant).first()
    lieu = LieuExercice.objects.select_related("professionnel").filter(numero=identifiant).first()
    return lieu.professionnel if lieu else None


def psc_refused(*, reason, identifiant="", ip=None):
    """A refused Pro Santé Connect answer, in the security journal (the account, when the
    identifier is known; never a token)."""
    professionnel = professionnel_for_psc(identifiant) if identifiant else None
    user = getattr(professionnel, "compte", None) if professionnel else None
    record_event(user=user, action=Action.PSC_REFUSED, ip=ip, detail=reason[:200])


def psc_sign_in(*, identifiant, ip=None) -> User:
    """The account of the professional Pro Santé Connect identified: theirs, or created now —
    strong authentication is the proof of identity, so no security key and no letter: the
    account is usable at once (guide § 1). Raises AccountError for an unknown professional
    (nothing created) or an account that is not active; both are in the security journal."""
    professionnel = professionnel_for_psc(identifiant)
    if professionnel is None:
        detail = f"professionnel inconnu du référentiel (n° {identifiant})"
        record_event(user=None, action=Action.PSC_REFUSED, ip=ip, detail=detail)
        raise AccountError(PSC_UNKNOWN_MESSAGE)
    with transaction.atomic():
        locked = Professionnel.objects.select_for_update().get(pk=professionnel.pk)
        user = User.objects.filter(professionnel=locked).first()
        if user is None:
            user = _account_of(locked)
            user.set_unusable_password()
            user.save()
            _add_role(user, locked)
            record_event(user=user, action=Action.CREATED, ip=ip, detail="Pro Santé Connect")
        elif user.is_active:
            record_event(user=user, action=Action.PSC_SIGNED_IN, ip=ip)
            return user
    if not user.is_active:
        record_event(user=user, action=Action.PSC_REFUSED, ip=ip, detail="compte inactif")
        raise AccountError(PSC_INACTIVE_MESSAGE)
    record_event(user=user, action=Action.PSC_SIGNED_IN, ip=ip)
    return user
