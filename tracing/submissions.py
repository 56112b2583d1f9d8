"""A form submitted twice lands once.

Each render of a form that creates something carries a random token (`token(request)`, a hidden
`soumission` field). `once(request, write)` records the token in the transaction of the write:
the same token posted again, even in parallel (the unique index makes the second wait for the
first, then fail), writes nothing and leads where the first submission led (`Duplicate.url`).
A write refused by validation rolls back with its token: the corrected form may be sent again.
"""

import uuid
from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from tracing.models import Submission

FIELD = "soumission"
KEPT = timedelta(days=1)


class Duplicate(Exception):  # noqa: N818 (a repeated submission, not an error)
    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


def _posted(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


def token(request) -> str:
    """The token for the form being rendered: the posted one when the form comes back (so its
    corrected resubmission is still protected), else a new one."""
    return str(_posted(request) or uuid.uuid4())


def once(request, write: Callable[[], str]) -> str:
    """Run `write` (it returns the URL to go to next) unless this submission already landed,
    in which case raise `Duplicate` with the first one's URL. A post without a token (an old
    tab) is written as before."""
    posted = _posted(request)
    if posted is None:
        with transaction.atomic():
            return write()
    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = Submission.objects.create(token=posted, user=request.user)
        except IntegrityError:
            first = Submission.objects.filter(token=posted, user=request.user).first()
            raise Duplicate(first.url if first else "") from None
        url = write()
        submission.url = url
        submission.save(update_fields=["url"])
    return url


def already_landed(request, duplicate: Duplicate):
    """Where a repeated submission goes: where the first one went, saying so."""
    messages.info(
        request, _("Ce formulaire avait déjà été envoyé : il n'a été enregistré qu'une fois.")
    )
    return redirect(duplicate.url or "tracing:home")


def prune(*, now=None) -> int:
    """Tokens older than a day protect nothing any more."""
    now = now or timezone.now()
    deleted, _ = Submission.objects.filter(created_at__lt=now - KEPT).delete()
    return deleted
