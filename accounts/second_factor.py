"""The second factor of a password sign-in (issue 15): a TOTP application (django-otp's
TOTPDevice: RFC 6238, 30-second steps, one step of drift either way, a code used once), and
ten one-time recovery codes kept as digests.

A 6-digit code counts against the same per-account lockout as the password: the wrong ones add
to the account's counter, and the account is blocked at ACCOUNT_LOCKOUT_ATTEMPTS.
"""

import hashlib
import secrets
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import CodeSecours, SecurityEvent, User

Action = SecurityEvent.Action
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper


def device_of(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def required(user) -> bool:
    """Whether the account's role makes the second factor mandatory (settings)."""
    return any(user.has_role(role) for role in settings.DOUBLE_AUTHENTIFICATION_ROLES)


def pending_device(user) -> TOTPDevice:
    """The device being enrolled: the same secret until it is confirmed (a reload keeps the
    QR code the person may already have scanned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Application", confirmed=False)
    return device


def secret_text(device) -> str:
    """The secret in base32, by groups of four, for a manual entry."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device, *, title: str) -> str:
    """The otpauth:// URI as an inline SVG QR code, drawn here (no image service, no CDN)."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(scale=4, border=2, title=title, dark="#0c419a")


def _digest(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


def _new_codes(user) -> list[str]:
    codes = []
    for _ in range(settings.CODES_DE_SECOURS):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    CodeSecours.objects.filter(user=user).delete()
    CodeSecours.objects.bulk_create(CodeSecours(user=user, empreinte=_digest(c)) for c in codes)
    return codes


def confirm(*, user, code, ip=None) -> list[str] | None:
    """Enrolment: the first code from the application confirms the device; the recovery codes
    are returned once (only their digests are kept). None when the code is wrong."""
    from accounts.services import record_event

    device = pending_device(user)
    if not device.verify_token(code.strip()):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_codes(user)
        record_event(user=user, action=Action.SECOND_FACTOR_ENABLED, ip=ip)
    return codes


@dataclass(frozen=True)
class Verification:
    ok: bool
    locked_minutes: int = 0
    last_try: bool = False


def verify(*, user_pk, code, ip=None) -> Verification:
    """A sign-in's second step: the application's code, or a recovery code (used once), under
    the account's lockout (the same counter and delay as the password)."""
    from accounts.services import count_failure, record_event, remaining_minutes

    code = (code or "").strip()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_pk)
        now = timezone.now()
        if user.bloque_jusqua is not None and user.bloque_jusqua > now:
            return Verification(ok=False, locked_minutes=remaining_minutes(user.bloque_jusqua))
        device = device_of(user)
        if device is not None and code.isdigit() and device.verify_token(code):
            user.echecs_connexion = 0
            user.save(update_fields=["echecs_connexion"])
            record_event(user=user, action=Action.SIGNED_IN, ip=ip, detail="code vérifié")
            return Verification(ok=True)
        recovery = CodeSecours.objects.filter(
            user=user, empreinte=_digest(code), utilise_le__isnull=True
        ).first()
        if recovery is not None and not code.isdigit():
            recovery.utilise_le = now
            recovery.save(update_fields=["utilise_le"])
            user.echecs_connexion = 0
            user.save(update_fields=["echecs_connexion"])
            record_event(user=user, action=Action.RECOVERY_CODE_USED, ip=ip)
            return Verification(ok=True)
        if minutes := count_failure(user, action=Action.SECOND_FACTOR_FAILED, ip=ip, now=now):
            return Verification(ok=False, locked_minutes=minutes)
        last = user.echecs_connexion == settings.ACCOUNT_LOCKOUT_ATTEMPTS - 1
        return Verification(ok=False, last_try=last)
