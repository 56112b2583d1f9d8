"""What is traced: one `Fiche` per person (a patient zéro or one of their contacts), the history
of its statuses, and the beneficiaries' référentiel (the insured persons the Assurance Maladie
knows).

Fiches are never deleted (the guide: « Une fois créée, il n'est pas possible de supprimer une
fiche »): the model and its querysets refuse. Writes go through `fiches.services`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fiches import identity
from fiches.choices_display import ChoicesDisplay
from fiches.statuses import Statut


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is French and shown as is."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class DeletionForbidden(DomainError):
    pass


NO_DELETE_MESSAGE = _("Une fiche ne peut jamais être supprimée (guide Contact COVID, § 3).")


class UndeletableQuerySet(models.QuerySet):
    def delete(self):
        raise DeletionForbidden(NO_DELETE_MESSAGE)

    delete.queryset_only = True


class Nature(models.TextChoices):
    PATIENT_ZERO = "patient_zero", _("Patient zéro")
    CONTACT = "contact", _("Contact")


class Situation(models.TextChoices):
    HOSPITALISE = "hospitalise", _("Hospitalisé")
    DOMICILE = "domicile", _("À domicile")
    ISOLEMENT = "isolement", _("Déjà en isolement (quatorzaine)")


class Symptomes(models.TextChoices):
    OUI = "oui", _("Oui")
    NON = "non", _("Non")
    NE_SAIT_PAS = "ne_sait_pas", _("Ne sait pas")


class ArgumentDiagnostic(models.TextChoices):
    RT_PCR = "rt_pcr", _("Confirmé RT-PCR")
    PROBABLE = "probable", _("Probable (symptômes + scanner)")


class Collectivite(models.TextChoices):
    NON = "non", _("Non")
    RASSEMBLEMENT = (
        "rassemblement",
        _(
            "Supérieur à 11 personnes dans un même lieu "
            "(rassemblement, fête, réunion, congrès, etc.)"
        ),
    )
    CRECHE = "creche", _("Crèches (à l'exception des micro-crèches)")
    SCOLAIRE = "scolaire", _("Milieu scolaire : écoles, collèges et lycées")
    ETABLISSEMENT_SANTE = "etablissement_sante", _("Établissement de santé")
    EHPAD = "ehpad", _("EHPAD")
    EMS_HANDICAP = "ems_handicap", _("EMS de personnes handicapées")
    PENITENTIAIRE = "penitentiaire", _("Établissement pénitentiaire")


class OuiNon(models.TextChoices):
    OUI = "oui", _("Oui")
    NON = "non", _("Non")


class DestinataireResultats(models.TextChoices):
    MEDECIN_DESIGNE = "medecin_designe", _("Je suis le médecin désigné qui reçoit les résultats")
    AUTRE_MEDECIN = "autre_medecin", _("Le patient a désigné un autre médecin")
    AUCUN = "aucun", _("Le patient n'a pas désigné un médecin pour recevoir les résultats")


INFORMATION_PATIENT_TEXT = _(
    "J'ai informé mon patient, ou le titulaire de l'autorité parentale, du système d'information "
    "visant à identifier les personnes infectées et leurs contacts mis en place aux seules fins "
    "de lutter contre l'épidémie de Covid-19. J'accepte les conditions de transmission "
    "conformément à la réglementation en vigueur."
)
ACCOMPAGNEMENT_SOCIAL_NOTE = _(
    "Précision sur le besoin d'accompagnement social : difficultés d'isolement, habitat trop "
    "petit, etc."
)


class Beneficiaire(models.Model):
    """An insured person of the Assurance Maladie (référentiel, read-only for professionals).

    A patient zéro whose NIR is found here gets NIR, nom, prénom and date de naissance from it,
    and they cannot be changed on the fiche (guide § 3).
    """

    class Sexe(models.TextChoices):
        HOMME = "M", _("Homme")
        FEMME = "F", _("Femme")

    nir = models.CharField(_("NIR"), max_length=15, unique=True)
    nom = models.CharField(_("nom"), max_length=100)
    prenom = models.CharField(_("prénom"), max_length=100)
    date_naissance = models.DateField(_("date de naissance"), null=True, blank=True)
    sexe = models.CharField(_("sexe"), max_length=1, choices=Sexe, blank=True)
    regime = models.CharField(_("régime"), max_length=200, blank=True)
    caisse = models.CharField(_("caisse"), max_length=200, blank=True)
    adresse = models.CharField(_("adresse"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("bénéficiaire")
        verbose_name_plural = _("bénéficiaires (référentiel)")
        ordering = ["nom", "prenom"]

    def __str__(self):
        return f"{self.prenom} {self.nom.upper()} ({identity.format_nir(self.nir)})"


class Fiche(ChoicesDisplay, models.Model):
    """One person traced: a patient zéro, or a contact named by a patient zéro (`origine`).

    A promoted contact becomes a patient zéro and keeps `origine`, the patient zéro it came from.
    `medecin` is the doctor responsible for the chain (the patient zéro's declaring doctor),
    stored so that "the fiches a doctor sees" is one indexed column, not an OR over a join.
    """

    nature = models.CharField(_("nature"), max_length=12, choices=Nature)
    origine = models.ForeignKey(
        "self",
        verbose_name=_("patient zéro d'origine"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        db_index=False,  # covered by fiche_origine_created
    )
    beneficiaire = models.ForeignKey(
        Beneficiaire,
        verbose_name=_("bénéficiaire du référentiel"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # 1. Informations du patient / de la personne contact
    nir = models.CharField(_("Numéro de sécurité sociale"), max_length=15, blank=True)
    nom = models.CharField(_("Nom"), max_length=100, blank=True)
    prenom = models.CharField(_("Prénom"), max_length=100, blank=True)
    nom_normalise = models.CharField(
        max_length=identity.NAME_SEARCH_LENGTH, blank=True, editable=False
    )
    prenom_normalise = models.CharField(
        max_length=identity.NAME_SEARCH_LENGTH, blank=True, editable=False
    )
    date_naissance = models.DateField(_("Date de naissance"), null=True, blank=True)
    telephone = models.CharField(_("Téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("E-mail"), blank=True)
    voie = models.CharField(_("Voie"), max_length=200, blank=True)
    code_postal = models.CharField(_("Code postal"), max_length=5, blank=True)
    departement = models.CharField(_("département"), max_length=3, blank=True, editable=False)
    commune = models.CharField(_("Commune"), max_length=100, blank=True)
    meme_foyer = models.BooleanField(_("Même foyer"), default=False)

    # 2. Contextes infections/symptômes
    situation = models.CharField(
        _("Situation du patient"), max_length=12, choices=Situation, blank=True
    )
    symptomes = models.CharField(
        _("Le patient présente-t-il des symptômes évocateurs du COVID-19 ?"),
        max_length=12,
        choices=Symptomes,
        blank=True,
    )
    argument_diagnostic = models.CharField(
        _("Argument du diagnostic"), max_length=10, choices=ArgumentDiagnostic, blank=True
    )

    # 3. Éléments environnementaux
    collectivite = models.CharField(
        _("Le patient peut-il exposer ou avoir exposé une collectivité ?"),
        max_length=20,
        choices=Collectivite,
        default=Collectivite.NON,
    )
    voyage = models.BooleanField(
        _("Voyage dans les 14 jours en dehors de la région ou pays de résidence"), default=False
    )
    accompagnement_social = models.BooleanField(
        _("Besoin d'accompagnement social"), default=False, help_text=ACCOMPAGNEMENT_SOCIAL_NOTE
    )
    prelevement_domicile = models.BooleanField(_("Prélèvement à domicile demandé"), default=False)
    soignant = models.BooleanField(
        _("Soignant (au contact de patients ou de personnes fragiles)"), default=False
    )

    # 4. Patient zéro: communication de son identité
    accord_identite = models.CharField(
        _(
            "Mon patient accepte-t-il que son identité soit communiquée aux personnes "
            "contacts désignées ?"
        ),
        max_length=3,
        choices=OuiNon,
        blank=True,
    )
    information_patient = models.BooleanField(INFORMATION_PATIENT_TEXT, default=False)

    # Contact: destinataire du résultat
    destinataire_resultats = models.CharField(
        _("Souhaitez-vous recevoir les résultats ?"),
        max_length=16,
        choices=DestinataireResultats,
        blank=True,
    )
    precisions = models.TextField(_("Précisions"), blank=True)

    # Server-owned
    declarant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déclarant"),
        on_delete=models.PROTECT,
        related_name="fiches_declarees",
        db_index=False,  # covered by fiche_declarant_created
    )
    medecin = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("médecin responsable"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fiches_suivies",
        db_index=False,  # covered by fiche_medecin_created
    )
    created_at = models.DateTimeField(_("création"), default=timezone.now, editable=False)
    statut = models.CharField(_("état"), max_length=20, choices=Statut, editable=False)
    statut_depuis = models.DateTimeField(_("depuis"), default=timezone.now, editable=False)
    brouillon = models.BooleanField(_("brouillon"), default=False, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Patient à rappeler: when the platform calls again (set by fiches.services_tracing).
    rappel_le = models.DateTimeField(_("à rappeler le"), null=True, blank=True, editable=False)
    # « Fiche suivante »: the agent who has this person on the phone, until when (a timeout
    # frees it; recording the call frees it at once). Set by fiches.services_tracing only.
    reservee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("en cours de traitement par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,  # read with the fiche, never searched by
    )
    reservee_jusqua = models.DateTimeField(
        _("réservée jusqu'à"), null=True, blank=True, editable=False
    )
    # « Même personne »: fiches of one person named by several patients zéro share this number
    # (the smallest id among them); one call is then recorded on each. Nothing is merged.
    personne = models.BigIntegerField(_("même personne que"), null=True, blank=True, editable=False)
    # Retention (décret 2020-551): three months after collection the identity is purged; what
    # statistics need stays (fiches.retention).
    purgee_le = models.DateTimeField(_("identité purgée le"), null=True, blank=True, editable=False)
    annee_naissance = models.PositiveSmallIntegerField(
        _("année de naissance"), null=True, blank=True, editable=False
    )

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("fiche")
        verbose_name_plural = _("fiches")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Fiches by creation time: the indicators' rollup (a day at a time), the admin list.
            models.Index(fields=["created_at", "id"], name="fiche_created"),
            # The doctor's list, newest first, paged by (created_at, id).
            models.Index(fields=["medecin", "-created_at", "-id"], name="fiche_medecin_created"),
            models.Index(fields=["declarant", "-created_at"], name="fiche_declarant_created"),
            # Exact NIR and prefix of its digits (LIKE 'x%' needs the pattern opclass on PG).
            models.Index(
                fields=["nir"], name="fiche_nir_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["nom_normalise"], name="fiche_nom_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["prenom_normalise"],
                name="fiche_prenom_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["statut", "-created_at"], name="fiche_statut_created"),
            # A doctor's searches (the list is always within one doctor's fiches): a name prefix,
            # with the statut checked in the index; or a statut, in the list's order.
            models.Index(
                fields=["medecin", "nom_normalise", "statut"],
                name="fiche_medecin_nom",
                opclasses=["int8_ops", "varchar_pattern_ops", "varchar_ops"],
            ),
            models.Index(
                fields=["medecin", "prenom_normalise", "statut"],
                name="fiche_medecin_prenom",
                opclasses=["int8_ops", "varchar_pattern_ops", "varchar_ops"],
            ),
            models.Index(
                fields=["medecin", "statut", "-created_at", "-id"], name="fiche_medecin_statut"
            ),
            models.Index(fields=["origine", "-created_at"], name="fiche_origine_created"),
            # A platform's search by name, within its départements (a surname prefix and a
            # first-name prefix read together: 525 ms → a few ms at 10 M fiches).
            models.Index(
                fields=["departement", "nom_normalise", "prenom_normalise"],
                name="fiche_departement_nom",
                opclasses=["varchar_ops", "varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            # The platforms' recalls, due or planned, by time (a small part of the table).
            models.Index(
                fields=["departement", "rappel_le", "id"],
                name="fiche_rappels",
                condition=models.Q(rappel_le__isnull=False),
            ),
            # An inbound call-back: the platform finds the person by phone (E.164, exact).
            models.Index(
                fields=["telephone"], name="fiche_telephone", condition=~models.Q(telephone="")
            ),
            # The daily purge: the fiches whose identity is still there, oldest first (after
            # the first run, only the last three months: a small index).
            models.Index(
                fields=["created_at", "id"],
                name="fiche_a_purger",
                condition=models.Q(purgee_le__isnull=True),
            ),
            # « Même personne »: the fiches linked as one person.
            models.Index(
                fields=["personne"],
                name="fiche_personne",
                condition=models.Q(personne__isnull=False),
            ),
            # Probable duplicates: the same nom with the same prénom and date de naissance.
            models.Index(
                fields=["nom_normalise", "prenom_normalise", "date_naissance"],
                name="fiche_identite",
            ),
            # "Depuis votre dernière connexion": a doctor's fiches whose status moved since.
            models.Index(fields=["medecin", "statut_depuis"], name="fiche_medecin_depuis"),
            # The "Brouillons" filter: a doctor's drafts, in the list's order (few rows).
            models.Index(
                fields=["medecin", "-created_at", "-id"],
                name="fiche_medecin_brouillons",
                condition=models.Q(brouillon=True),
            ),
            # The platforms' work queue: one département, the statuses to call, oldest first.
            models.Index(
                fields=["departement", "statut", "statut_depuis", "id"], name="fiche_file_appels"
            ),
            # The ARS's collectivity cases, in the order they are grouped: only the fiches that
            # exposed a collectivité, a small part of the table.
            models.Index(
                fields=["collectivite", "departement", "-created_at", "-id"],
                name="fiche_collectivite_cases",
                condition=~models.Q(collectivite="non"),
            ),
        ]

    def __str__(self):
        return self.nom_complet or str(_("Fiche sans nom"))

    def delete(self, *args, **kwargs):
        raise DeletionForbidden(NO_DELETE_MESSAGE)

    @property
    def nom_complet(self):
        return " ".join(part for part in [self.prenom, self.nom.upper()] if part)

    @property
    def nom_liste(self):
        """How the guide's lists name a person: first name and the start of the surname."""
        return " ".join(part for part in [self.prenom, self.nom[:2].upper()] if part)

    def reservee_par_un_autre(self, user, now=None) -> bool:
        """Reserved for someone other than `user` right now (« en cours de traitement par … »)."""
        now = now or timezone.now()
        return bool(
            self.reservee_par_id
            and self.reservee_par_id != user.pk
            and self.reservee_jusqua
            and self.reservee_jusqua > now
        )

    @property
    def is_patient_zero(self):
        return self.nature == Nature.PATIENT_ZERO

    @property
    def nir_affiche(self):
        return identity.format_nir(self.nir)

    @property
    def nir_masque(self):
        return identity.mask_nir(self.nir)

    @property
    def telephone_affiche(self):
        return identity.format_phone(self.telephone)

    @property
    def adresse(self):
        ville = " ".join(part for part in [self.code_postal, self.commune] if part)
        return ", ".join(part for part in [self.voie, ville] if part)

    @property
    def sexe(self):
        if self.nir[:1] in ("1", "3", "7"):
            return Beneficiaire.Sexe.HOMME.label
        if self.nir[:1] in ("2", "4", "8"):
            return Beneficiaire.Sexe.FEMME.label
        return ""

    def set_identity_normalised(self):
        """Derived columns kept in step with what they come from (called by the services)."""
        self.nom_normalise = identity.normalize_name(self.nom)
        self.prenom_normalise = identity.normalize_name(self.prenom)
        self.departement = identity.departement_from_code_postal(self.code_postal)


DERIVED_FIELDS = ["nom_normalise", "prenom_normalise", "departement"]


class StatusChange(ChoicesDisplay, models.Model):
    """One change of status of a fiche: from, to, who, when, why (append-only)."""

    fiche = models.ForeignKey(
        Fiche, on_delete=models.PROTECT, related_name="historique", verbose_name=_("fiche")
    )
    from_statut = models.CharField(_("ancien état"), max_length=20, choices=Statut, blank=True)
    to_statut = models.CharField(_("nouvel état"), max_length=20, choices=Statut)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("par"),
    )
    at = models.DateTimeField(_("le"), default=timezone.now)
    motif = models.CharField(_("motif"), max_length=300, blank=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        verbose_name = _("changement d'état")
        verbose_name_plural = _("historique des états")
        ordering = ["fiche", "at", "id"]
        indexes = [
            # The indicators' rollup: the calls that got through and the promotions, by time.
            models.Index(fields=["to_statut", "at"], name="statuschange_vers_le"),
        ]

    def __str__(self):
        return f"{self.get_from_statut_display() or '—'} → {self.get_to_statut_display()}"

    def delete(self, *args, **kwargs):
        raise DeletionForbidden(_("L'historique des états ne peut pas être supprimé."))


from fiches.audit import AuditLog  # noqa: E402, F401 (the audit log is a model of this app)
from fiches.models_indicateurs import IndicateurJour, IndicateursEtat  # noqa: E402, F401
from fiches.models_tracing import (  # noqa: E402, F401 (calls, samples, masks: issue 5)
    Appel,
    DelivranceMasques,
    Prelevement,
)
