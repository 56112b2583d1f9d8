"""Reads of the accounts app. `identify` is the one place that maps an identifier to an account."""

import re
from dataclasses import dataclass

from django.db.models import Prefetch

from accounts.models import LieuExercice, Professionnel, SecurityEvent, User

NUMERO_RE = re.compile(r"^[0-9][0-9AB][0-9]{7}$")


def normalize_identifier(identifier):
    """E-mails compare case-insensitively; AM/FINESS numbers are typed with or without spaces."""
    value = (identifier or "").strip()
    if "@" in value:
        return value.lower()
    return re.sub(r"[\s.-]", "", value).upper()


def is_email(identifier):
    return "@" in (identifier or "")


@dataclass(frozen=True)
class Identification:
    user: User | None
    by_email: bool = False
    shared_email: bool = False


def identify(identifier):
    """The account an identifier designates, if any.

    - an e-mail designates an account only when no other account uses it (shared_email otherwise);
    - the AM or FINESS number of any practice place designates its professional's account.
    """
    value = normalize_identifier(identifier)
    if not value:
        return Identification(user=None)
    if is_email(value):
        candidates = list(User.objects.filter(email__iexact=value)[:2])
        if len(candidates) > 1:
            return Identification(user=None, by_email=True, shared_email=True)
        return Identification(user=candidates[0] if candidates else None, by_email=True)
    if not NUMERO_RE.match(value):
        return Identification(user=None)
    user = User.objects.filter(professionnel__lieux__numero=value).first()
    return Identification(user=user)


def lieu_for_numero(numero):
    value = normalize_identifier(numero)
    return (
        LieuExercice.objects.select_related("professionnel", "caisse").filter(numero=value).first()
    )


def lieu_by_pk(pk):
    return LieuExercice.objects.select_related("professionnel", "caisse").filter(pk=pk).first()


def email_is_shared(user):
    if not user.email:
        return False
    return User.objects.filter(email__iexact=user.email).exclude(pk=user.pk).exists()


def email_is_taken(email, *, exclude=None):
    queryset = User.objects.filter(email__iexact=email)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.exists()


def professionnel_with_lieux(user):
    """The référentiel entry of an account with its practice places and their caisses."""
    if user.professionnel_id is None:
        return None
    return (
        Professionnel.objects.prefetch_related(
            Prefetch("lieux", queryset=LieuExercice.objects.select_related("caisse"))
        )
        .filter(pk=user.professionnel_id)
        .first()
    )


def last_events(user, *, limit=10):
    return list(SecurityEvent.objects.filter(user=user)[:limit])


def mask_email(email):
    """s****@d***.fr: enough to recognise one's address, not to learn someone else's."""
    local, _, domain = email.partition("@")
    name, dot, tld = domain.rpartition(".")
    if not dot:
        name, tld = domain, ""
    masked_domain = f"{name[:1]}***" + (f".{tld}" if tld else "")
    return f"{local[:1]}****@{masked_domain}"
