"""Retention (décret n° 2020-551, loi n° 2020-546 art. 11): identifying data are kept three
months after their collection, then purged; what statistics need stays.

`purge()` runs every day (jobs.periodic, `retention_purge`). For each fiche collected more than
`RETENTION_DAYS` ago (90 by default) and not purged yet, it empties nom, prénom, NIR, date de
naissance (the year is kept), téléphone, e-mail, voie, code postal (the département is kept),
commune, précisions and the link to the beneficiary; its calls lose their notes, its status
history its free-text reasons. Nature, département, statuts and their dates, collectivité,
situation, clusters, calls, samples and masks (their dates and outcomes) stay, as does the
fiche's number: the audit log's rows, which never hold an identity, still point to it.

It works in batches of `batch` fiches, oldest first, each batch its own short transaction whose
rows are taken with `FOR UPDATE SKIP LOCKED` (a fiche being edited right now is skipped and taken
the next day): writers are never held up for long, and a run cut short resumes where it stopped
(the partial index `fiche_a_purger` holds only what is left). Idempotent: a purged fiche is
never read again.

The same run forgets what else identifies people once it is of no use: expired sessions (they
hold the laboratories' « found » lists and kept forms), e-mails sent or abandoned (their bodies
and the contact-form PDFs), postal letters' PDFs, contacts imports (their lines) after a day, the
account-creation tries, and the security events' addresses after `SECURITY_EVENT_IP_DAYS`.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F
from django.db.models.functions import ExtractYear
from django.utils import timezone

from fiches.models import Fiche, StatusChange
from fiches.models_tracing import Appel, CorrectionResultat

logger = logging.getLogger(__name__)

PURGED_VALUES = {
    "nir": "", "nom": "", "prenom": "", "nom_normalise": "", "prenom_normalise": "",
    "date_naissance": None, "telephone": "", "email": "", "voie": "", "code_postal": "",
    "commune": "", "precisions": "", "beneficiaire": None, "reservee_par": None,
    "reservee_jusqua": None,
}  # fmt: skip


@dataclass
class PurgeReport:
    fiches: int = 0
    batches: int = 0
    others: dict = field(default_factory=dict)

    def __str__(self):
        others = ", ".join(f"{name} : {count}" for name, count in self.others.items())
        return f"{self.fiches} fiches purgées en {self.batches} lots ; {others}"


def purge(*, now=None, batch: int = 1000, max_batches: int | None = None) -> PurgeReport:
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_DAYS)
    report = PurgeReport()
    while max_batches is None or report.batches < max_batches:
        done = _purge_batch(cutoff=cutoff, now=now, size=batch)
        if not done:
            break
        report.fiches += done
        report.batches += 1
    report.others = _forget_the_rest(now=now, cutoff=cutoff)
    logger.info("Rétention : %s", report)
    return report


def _purge_batch(*, cutoff, now, size) -> int:
    with transaction.atomic():
        ids = list(
            Fiche.objects.filter(purgee_le__isnull=True, created_at__lt=cutoff)
            .order_by("created_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:size]
        )
        if not ids:
            return 0
        Fiche.objects.filter(pk__in=ids).update(
            annee_naissance=ExtractYear("date_naissance"),
            purgee_le=now,
            version=F("version") + 1,
            **PURGED_VALUES,
        )
        Appel.objects.filter(fiche_id__in=ids).exclude(note="").update(note="")
        StatusChange.objects.filter(fiche_id__in=ids).exclude(motif="").update(motif="")
        CorrectionResultat.objects.filter(prelevement__fiche_id__in=ids).exclude(motif="").update(
            motif=""
        )
    return len(ids)


def _forget_the_rest(*, now, cutoff) -> dict:
    from accounts.models import (
        CourrierPostal,
        CreationAttempt,
        EssaiInconnu,
        SecurityEvent,
        SessionOuverte,
    )
    from jobs.models import OutgoingEmail
    from tracing.models import ImportContacts

    ip_cutoff = now - timedelta(days=settings.SECURITY_EVENT_IP_DAYS)
    counts = {
        "sessions expirées": Session.objects.filter(expire_date__lt=now).delete()[0],
        # No session outlives SESSION_COOKIE_AGE: an older row is of a session gone.
        "sessions ouvertes oubliées": SessionOuverte.objects.filter(
            ouverte_le__lt=now - timedelta(seconds=settings.SESSION_COOKIE_AGE)
        ).delete()[0],
        "e-mails anciens": OutgoingEmail.objects.filter(created_at__lt=cutoff)
        .exclude(status=OutgoingEmail.Status.PENDING)
        .delete()[0],
        "courriers vidés": CourrierPostal.objects.filter(created_at__lt=cutoff)
        .exclude(pdf=b"")
        .update(pdf=b"", annule_le=now),
        # An import's lines hold identities: once done or abandoned, a day is enough.
        "imports de contacts": ImportContacts.objects.filter(created_at__lt=now - timedelta(days=1))
        .exclude(etat=ImportContacts.Etat.EN_COURS)
        .delete()[0],
        "tentatives de création": CreationAttempt.objects.filter(
            at__lt=now - timedelta(days=1)
        ).delete()[0],
        "essais sur des identifiants inconnus": EssaiInconnu.objects.filter(
            dernier_essai__lt=now - timedelta(days=1)
        ).delete()[0],
        "adresses IP des évènements de sécurité": SecurityEvent.objects.filter(
            created_at__lt=ip_cutoff, ip__isnull=False
        ).update(ip=None),
    }
    return counts
