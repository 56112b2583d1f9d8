from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of the service. Each is a Django group of the same name (see migration 0002)."""

    MEDECIN = "Médecin", _("Médecin")
    BIOLOGISTE = "Biologiste", _("Biologiste")
    PHARMACIEN = "Pharmacien", _("Pharmacien")
    CONSEILLER = "Conseiller plateforme", _("Conseiller plateforme (Assurance Maladie)")
    ARS = "Agent ARS", _("Agent ARS")
    ADMIN = "Administrateur", _("Administrateur")
