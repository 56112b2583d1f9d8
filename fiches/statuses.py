"""The guide's eight statuses and the one table of moves allowed between them.

`TRANSITIONS[from]` is the set of statuses a fiche in `from` may move to; every change goes
through `fiches.services.status_change`, which checks it here. The lifecycle (DOMAIN.md):

- (new patient zéro) → En attente de diagnostic: the doctor starts the fiche; or Diagnostic
  confirmé when it is created validated with an argument du diagnostic.
- En attente de diagnostic → Diagnostic confirmé (RT-PCR positive, or probable), or Clôturé
  (negative result).
- (new contact) → Contact à trouver: named by a patient zéro.
- Contact à trouver → À contacter: a phone number is known.
- À contacter, Patient à rappeler → Appel réalisé (the call got through), or Patient à rappeler
  (no answer: a recall is set).
- Contact à trouver, À contacter, Patient à rappeler → Contact non avéré (wrong number, or not
  actually a contact).
- every contact status → Diagnostic confirmé: promotion, the contact tests positive and becomes
  a patient zéro (`fiches.services.fiche_promote`).
- Diagnostic confirmé → Appel réalisé: the platform called the patient zéro.
- every status → Clôturé: follow-up over (with a reason).

Clôturé is final.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Statut(models.TextChoices):
    EN_ATTENTE = "en_attente", _("En attente de diagnostic")
    DIAGNOSTIC_CONFIRME = "diagnostic_confirme", _("Diagnostic confirmé")
    CONTACT_A_TROUVER = "contact_a_trouver", _("Contact à trouver")
    A_CONTACTER = "a_contacter", _("À contacter")
    PATIENT_A_RAPPELER = "patient_a_rappeler", _("Patient à rappeler")
    CONTACT_NON_AVERE = "contact_non_avere", _("Contact non avéré")
    APPEL_REALISE = "appel_realise", _("Appel réalisé")
    CLOTURE = "cloture", _("Clôturé")


S = Statut

# The statuses a contact can be in before it is closed: each may be promoted.
CONTACT_STATUSES = frozenset(
    {S.CONTACT_A_TROUVER, S.A_CONTACTER, S.PATIENT_A_RAPPELER, S.CONTACT_NON_AVERE,
     S.APPEL_REALISE}
)  # fmt: skip

TRANSITIONS: dict[str, frozenset[str]] = {
    S.EN_ATTENTE: frozenset({S.DIAGNOSTIC_CONFIRME, S.CLOTURE}),
    S.DIAGNOSTIC_CONFIRME: frozenset({S.APPEL_REALISE, S.CLOTURE}),
    S.CONTACT_A_TROUVER: frozenset(
        {S.A_CONTACTER, S.CONTACT_NON_AVERE, S.DIAGNOSTIC_CONFIRME, S.CLOTURE}
    ),
    S.A_CONTACTER: frozenset(
        {S.APPEL_REALISE, S.PATIENT_A_RAPPELER, S.CONTACT_NON_AVERE, S.DIAGNOSTIC_CONFIRME,
         S.CLOTURE}
    ),
    S.PATIENT_A_RAPPELER: frozenset(
        {S.APPEL_REALISE, S.PATIENT_A_RAPPELER, S.CONTACT_NON_AVERE, S.DIAGNOSTIC_CONFIRME,
         S.CLOTURE}
    ),
    S.CONTACT_NON_AVERE: frozenset({S.DIAGNOSTIC_CONFIRME, S.CLOTURE}),
    S.APPEL_REALISE: frozenset({S.DIAGNOSTIC_CONFIRME, S.CLOTURE}),
    S.CLOTURE: frozenset(),
}  # fmt: skip

# Statuses a fiche is created in (no history row precedes them).
INITIAL_PATIENT_ZERO = frozenset({S.EN_ATTENTE, S.DIAGNOSTIC_CONFIRME})
INITIAL_CONTACT = frozenset({S.CONTACT_A_TROUVER})


def is_allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())
