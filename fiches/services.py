"""Every write on fiches. Each function is keyword-only, runs in one transaction, locks the row
it changes, saves with `update_fields` and writes the history row in the same transaction.
A refused move raises `DomainError` with a French message the screens show as is.
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fiches import identity, statuses
from fiches.audit import AuditLog, audit_log, client_ip
from fiches.models import (
    DERIVED_FIELDS,
    Beneficiaire,
    DomainError,
    Fiche,
    Nature,
    StatusChange,
)
from fiches.statuses import Statut
from jobs.mail import enqueue_email

# The fields a person may fill on a fiche (forms pick theirs from these). Never statut,
# declarant, medecin, brouillon or version: those are the server's.
EDITABLE_FIELDS = frozenset(
    {
        "nir", "nom", "prenom", "date_naissance", "telephone", "email", "voie", "code_postal",
        "commune", "meme_foyer", "situation", "symptomes", "argument_diagnostic",
        "collectivite", "voyage", "accompagnement_social", "prelevement_domicile", "soignant",
        "accord_identite", "information_patient", "destinataire_resultats", "precisions",
    }
)  # fmt: skip
IDENTITY_FROM_REFERENTIEL = ("nir", "nom", "prenom", "date_naissance")


class StaleVersion(DomainError):
    pass


STALE_MESSAGE = gettext_lazy(
    "Cette fiche a été modifiée par une autre personne pendant votre saisie. Rien n'a été "
    "enregistré : la fiche affichée est maintenant à jour ; vérifiez-la, puis enregistrez de "
    "nouveau votre saisie (conservée ci-dessous)."
)


# The edit form shows the person's input, not the fiche: they reload it to see the other change.
EDIT_STALE_MESSAGE = gettext_lazy(
    "Cette fiche a été modifiée par une autre personne pendant votre saisie. Vos modifications "
    "n'ont pas été enregistrées : rechargez la fiche pour voir la version à jour, puis reportez-y "
    "votre saisie (conservée ci-dessous)."
)


def check_version(locked, version: int | None) -> None:
    """Refuse a write prepared on an older state of the row (`locked`, under its lock): the
    second of two people editing at once gets `StaleVersion`, never a silent overwrite. `None`
    means a caller with no form behind it (demo, imports): no check."""
    if version is not None and locked.version != version:
        raise StaleVersion(STALE_MESSAGE)


def _check_fields(data: dict[str, Any]) -> None:
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise DomainError(_("Champs non modifiables : %s") % ", ".join(sorted(unknown)))


def beneficiaire_for_nir(nir: str) -> Beneficiaire | None:
    """The insured person with this NIR; 13 characters get their key, so that the lookup is
    always an exact match on the unique index (a prefix LIKE may not use it on PostgreSQL)."""
    if not nir:
        return None
    if len(nir) == 13:
        try:
            nir = nir + identity.nir_key(nir)
        except ValueError:
            return None
    return Beneficiaire.objects.filter(nir=nir).first()


def _apply_referentiel(fiche: Fiche) -> None:
    """A NIR known to the référentiel fixes the identity: the fiche takes it, whatever was typed."""
    beneficiaire = beneficiaire_for_nir(fiche.nir)
    fiche.beneficiaire = beneficiaire
    if beneficiaire is not None:
        fiche.nir = beneficiaire.nir
        fiche.nom = beneficiaire.nom
        fiche.prenom = beneficiaire.prenom
        if beneficiaire.date_naissance:
            fiche.date_naissance = beneficiaire.date_naissance


def _require_complete(fiche: Fiche, *, depuis_resultat: bool = False) -> None:
    """What a validated fiche must have (a draft may lack it). A patient zéro created from a
    laboratory's result (`depuis_resultat`) may lack the NIR and the doctor's attestation that
    the patient was informed: no doctor saw them yet; the platform completes both at its call."""
    missing = []
    if not fiche.nom:
        missing.append(("nom", _("Le nom est obligatoire.")))
    if not fiche.prenom:
        missing.append(("prenom", _("Le prénom est obligatoire.")))
    if fiche.is_patient_zero and not depuis_resultat:
        if not fiche.nir:
            missing.append(("nir", _("Le numéro de sécurité sociale est obligatoire.")))
        if not fiche.information_patient:
            missing.append(
                (
                    "information_patient",
                    _("Cochez cette case : l'information du patient est obligatoire."),
                )
            )
    elif not fiche.code_postal:
        missing.append(("code_postal", _("Le code postal est obligatoire.")))
    if missing:
        field, message = missing[0]
        raise DomainError(message, field=field)


def _record(fiche: Fiche, *, from_statut: str, to_statut: str, by, motif: str) -> StatusChange:
    return StatusChange.objects.create(
        fiche=fiche, from_statut=from_statut, to_statut=to_statut, by=by, motif=motif
    )


@transaction.atomic
def fiche_create(
    *,
    user,
    data: dict[str, Any],
    origine: Fiche | None = None,
    brouillon: bool = False,
    sans_medecin: bool = False,
    depuis_resultat: bool = False,
) -> Fiche:
    """Create a patient zéro (no `origine`) or a contact of `origine`.

    A patient zéro starts En attente de diagnostic, or Diagnostic confirmé when an argument du
    diagnostic is given and it is validated; a contact starts as Contact à trouver. A draft may
    lack mandatory fields; a validated fiche may not. The patient zéro's doctor is its declarant,
    unless `sans_medecin` (a call platform initiates it: no doctor follows that chain yet); a
    contact's doctor is its patient zéro's. A contact whose phone is known starts À contacter:
    the platforms call those first (`phone_known`). `depuis_resultat`: a laboratory's positive
    result for a person no fiche follows (`_require_complete`).
    """
    _check_fields(data)
    now = timezone.now()
    fiche = Fiche(**data, declarant=user, created_at=now, statut_depuis=now, brouillon=brouillon)
    if origine is None:
        fiche.nature = Nature.PATIENT_ZERO
        fiche.medecin = None if sans_medecin else user
        confirmed = fiche.argument_diagnostic and not brouillon
        fiche.statut = Statut.DIAGNOSTIC_CONFIRME if confirmed else Statut.EN_ATTENTE
        _apply_referentiel(fiche)
    else:
        origine = Fiche.objects.select_for_update().get(pk=origine.pk)
        if not origine.is_patient_zero:
            raise DomainError(_("Seul un patient zéro peut avoir des personnes contacts."))
        if origine.brouillon:
            raise DomainError(
                _("Validez la fiche du patient zéro avant d'ajouter ses personnes contacts.")
            )
        fiche.nature = Nature.CONTACT
        fiche.origine = origine
        fiche.medecin = origine.medecin
        fiche.statut = Statut.A_CONTACTER if fiche.telephone else Statut.CONTACT_A_TROUVER
    if not brouillon:
        _require_complete(fiche, depuis_resultat=depuis_resultat)
    fiche.set_identity_normalised()
    fiche.save()
    _record(fiche, from_statut="", to_statut=fiche.statut, by=user, motif=_("Création de la fiche"))
    audit_log(actor=user, action="fiche.created", obj=fiche, data={"statut": fiche.statut})
    return fiche


@transaction.atomic
def status_change(*, fiche: Fiche, user, to: str, motif: str = "") -> Fiche:
    """The only place a statut changes: the move must be in `statuses.TRANSITIONS`; "depuis"
    becomes now and a history row records from, to, who, when and why."""
    locked = Fiche.objects.select_for_update().get(pk=fiche.pk)
    if not statuses.is_allowed(locked.statut, to):
        raise DomainError(
            _("Passage de « %(from)s » à « %(to)s » non autorisé.")
            % {"from": Statut(locked.statut).label, "to": Statut(to).label}
        )
    if to == Statut.PATIENT_A_RAPPELER and not locked.rappel_le:
        # Only a call without an answer, with its recall planned, puts someone there
        # (fiches.services_tracing.appel_record): otherwise nobody would ever call them back.
        raise DomainError(_("Un patient à rappeler doit avoir un rappel planifié."))
    from_statut = locked.statut
    locked.statut = to
    locked.statut_depuis = timezone.now()
    locked.version = F("version") + 1
    locked.save(update_fields=["statut", "statut_depuis", "version"])
    locked.refresh_from_db(fields=["version"])
    _record(locked, from_statut=from_statut, to_statut=to, by=user, motif=motif)
    audit_log(
        actor=user,
        action="fiche.status_changed",
        obj=locked,
        # The reason may be free text: it stays in the history (purged with the identity),
        # never in the audit log, which is kept for good.
        data={"de": from_statut, "vers": to},
    )
    return locked


@transaction.atomic
def status_undo(*, fiche: Fiche, user, change: StatusChange, motif: str) -> Fiche:
    """The one way back against the transition table: the fiche's last move (`change`), undone
    to where it came from, when it is still the last one (nothing happened since). A history
    row records the way back, like any move. Used by a laboratory correcting a positive result
    it recorded by mistake (`services_tracing.resultat_corriger`)."""
    locked = Fiche.objects.select_for_update().get(pk=fiche.pk)
    last = StatusChange.objects.filter(fiche=locked).order_by("-at", "-id").first()
    if last is None or last.pk != change.pk or locked.statut != change.to_statut:
        raise DomainError(_("Un autre changement d'état a eu lieu depuis : rien n'est annulé."))
    if not change.from_statut:
        raise DomainError(_("La création d'une fiche ne s'annule pas."))
    # Back where it was, since when it was there (its place in the platforms' queue with it).
    before = (
        StatusChange.objects.filter(fiche=locked).exclude(pk=change.pk)
        .filter(at__lte=change.at).order_by("-at", "-id").first()
    )  # fmt: skip
    locked.statut = change.from_statut
    locked.statut_depuis = before.at if before is not None else locked.created_at
    locked.version = F("version") + 1
    locked.save(update_fields=["statut", "statut_depuis", "version"])
    locked.refresh_from_db(fields=["version"])
    _record(locked, from_statut=change.to_statut, to_statut=change.from_statut, by=user,
            motif=motif)  # fmt: skip
    audit_log(
        actor=user, action="fiche.status_changed", obj=locked,
        data={"de": change.to_statut, "vers": change.from_statut, "annule": change.pk},
    )  # fmt: skip
    return locked


@transaction.atomic
def fiche_update(
    *, fiche: Fiche, user, data: dict[str, Any], version: int, valider: bool = False
) -> Fiche:
    """Save what a person edited, unless someone else saved the fiche since they opened it
    (`version` differs): then nothing is written and `StaleVersion` says so.

    With `valider`, the fiche is then validated (see `fiche_validate`).
    """
    _check_fields(data)
    locked = Fiche.objects.select_for_update().get(pk=fiche.pk)
    if locked.purgee_le is not None:
        raise DomainError(
            _(
                "L'identité de cette fiche a été effacée (durée de conservation dépassée) : "
                "elle ne se modifie plus."
            )  # fmt: skip
        )
    if locked.version != version:
        raise StaleVersion(EDIT_STALE_MESSAGE)
    for name, value in data.items():
        setattr(locked, name, value)
    update_fields = [*data, *DERIVED_FIELDS, "version"]
    if locked.is_patient_zero:
        _apply_referentiel(locked)
        update_fields += ["beneficiaire", *IDENTITY_FROM_REFERENTIEL]
    if not locked.brouillon or valider:
        _require_complete(locked)
    locked.set_identity_normalised()
    locked.version = F("version") + 1
    locked.save(update_fields=sorted(set(update_fields)))
    locked.refresh_from_db(fields=["version"])
    audit_log(actor=user, action="fiche.updated", obj=locked, data={"champs": sorted(data)})
    locked = phone_known(fiche=locked, user=user)
    if valider:
        locked = fiche_validate(fiche=locked, user=user)
    return locked


def phone_known(*, fiche: Fiche, user) -> Fiche:
    """The rule, whoever writes the phone (the doctor's edit, the platform's completion): a
    Contact à trouver whose phone is now known becomes À contacter, the platforms' queue."""
    if fiche.statut == Statut.CONTACT_A_TROUVER and fiche.telephone:
        return status_change(fiche=fiche, user=user, to=Statut.A_CONTACTER,
                             motif=_("Téléphone renseigné"))  # fmt: skip
    return fiche


@transaction.atomic
def fiche_validate(*, fiche: Fiche, user) -> Fiche:
    """A draft becomes a validated fiche once complete. Validating with an argument du
    diagnostic confirms a waiting patient zéro, and promotes a contact (guide § 4)."""
    locked = Fiche.objects.select_for_update().get(pk=fiche.pk)
    _require_complete(locked)
    if locked.brouillon:
        locked.brouillon = False
        locked.version = F("version") + 1
        locked.save(update_fields=["brouillon", "version"])
        locked.refresh_from_db(fields=["version"])
    if locked.argument_diagnostic:
        if not locked.is_patient_zero:
            return fiche_promote(fiche=locked, user=user)
        if locked.statut == Statut.EN_ATTENTE:
            return status_change(
                fiche=locked, user=user, to=Statut.DIAGNOSTIC_CONFIRME, motif=_("Diagnostic reçu")
            )
    return locked


@transaction.atomic
def fiche_promote(*, fiche: Fiche, user) -> Fiche:
    """A contact tested positive becomes a patient zéro (status Diagnostic confirmé), keeps its
    `origine`, and may then have its own contacts (guide § 4)."""
    locked = Fiche.objects.select_for_update().get(pk=fiche.pk)
    if locked.is_patient_zero:
        raise DomainError(_("Cette fiche est déjà celle d'un patient zéro."))
    if not locked.argument_diagnostic:
        raise DomainError(
            _("Renseignez l'argument du diagnostic pour passer le contact en patient zéro."),
            field="argument_diagnostic",
        )
    if locked.brouillon:
        raise DomainError(_("Validez la fiche avant de la passer en patient zéro."))
    if locked.statut not in statuses.CONTACT_STATUSES:
        raise DomainError(
            _("Un contact à l'état « %s » ne peut pas devenir patient zéro.")
            % Statut(locked.statut).label
        )
    locked.nature = Nature.PATIENT_ZERO
    locked.version = F("version") + 1
    locked.save(update_fields=["nature", "version"])
    locked.refresh_from_db(fields=["version"])
    return status_change(
        fiche=locked,
        user=user,
        to=Statut.DIAGNOSTIC_CONFIRME,
        motif=_("Contact devenu patient zéro (%s)") % locked.get_argument_diagnostic_display(),
    )


@transaction.atomic
def contacts_create(*, user, origine: Fiche, rows: list[dict[str, Any]]) -> list[Fiche]:
    """« Saisie rapide »: several contacts of one patient zéro, all or none (one transaction:
    a refused line refuses the lot, and the page gives every line back)."""
    return [fiche_create(user=user, data=data, origine=origine) for data in rows]


BULK_BATCH = 1000


@transaction.atomic
def contacts_import(*, user, origine: Fiche, rows: list[dict[str, Any]], source: str) -> list[int]:
    """An imported list of contacts (a school class, an EHPAD's staff), already checked line by
    line: the same fiches `fiche_create` makes (statut, doctor, derived columns, history row,
    audit entry), written in bulk — a few statements per thousand lines — in one transaction."""
    for data in rows:
        _check_fields(data)
    origine = Fiche.objects.select_for_update().get(pk=origine.pk)
    if not origine.is_patient_zero or origine.brouillon:
        raise DomainError(_("Les contacts s'ajoutent à un patient zéro validé."))
    now = timezone.now()
    fiches = []
    for data in rows:
        fiche = Fiche(**data, declarant=user, created_at=now, statut_depuis=now,
                      nature=Nature.CONTACT, origine=origine, medecin=origine.medecin)  # fmt: skip
        fiche.statut = Statut.A_CONTACTER if fiche.telephone else Statut.CONTACT_A_TROUVER
        _require_complete(fiche)
        fiche.set_identity_normalised()
        fiches.append(fiche)
    created = Fiche.objects.bulk_create(fiches, batch_size=BULK_BATCH)
    motif = _("Création de la fiche (import %s)") % source
    StatusChange.objects.bulk_create(
        [StatusChange(fiche=f, from_statut="", to_statut=f.statut, by=user, at=now, motif=motif)
         for f in created],
        batch_size=BULK_BATCH,
    )  # fmt: skip
    role = getattr(user, "role", None)
    content_type = ContentType.objects.get_for_model(Fiche)
    ip = client_ip(None)
    AuditLog.objects.bulk_create(
        [AuditLog(actor=user, actor_role=role.value if role else "", action="fiche.created",
                  content_type=content_type, object_id=f.pk, ip=ip,
                  data={"statut": f.statut, "import": True})
         for f in created],
        batch_size=BULK_BATCH,
    )  # fmt: skip
    return [f.pk for f in created]


@transaction.atomic
def formulaire_contact_send(*, fiche: Fiche, user, pdf: bytes) -> None:
    """E-mail the contact form to the patient zéro (teleconsultation, guide § 4 step 2).

    Enqueued: a worker delivers it, retrying while the SMTP server is down (jobs.mail)."""
    if not fiche.email:
        raise DomainError(
            _("Renseignez l'e-mail du patient pour lui envoyer le formulaire."), field="email"
        )
    context = {"fiche": fiche, "medecin": user}
    enqueue_email(
        to=fiche.email,
        subject=render_to_string("fiches/email/formulaire-contact-subject.txt", context),
        text=render_to_string("fiches/email/formulaire-contact-body.txt", context),
        html=render_to_string("fiches/email/formulaire-contact-body.html", context),
        attachment=("formulaire-de-contact.pdf", pdf, "application/pdf"),
    )
    # Who sent a patient's data out (to the fiche's own address; the log keeps no identity).
    audit_log(actor=user, action="fiche.form_sent", obj=fiche)
