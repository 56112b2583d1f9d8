"""Django admin for fiches and the beneficiaries' référentiel. No fiche is ever deleted: no
delete permission, no bulk delete action. Statuses are read-only here (only
`fiches.services.status_change` moves them)."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from contactcovid.admin_audit import AuditedReadsAdmin
from contactcovid.admin_scale import AtScaleAdmin
from fiches.audit import ACTIONS, AuditLog
from fiches.models import Beneficiaire, Fiche, StatusChange
from fiches.models_tracing import Appel, CorrectionResultat, DelivranceMasques, Prelevement


class NoDeleteAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = ["at", "from_statut", "to_statut", "by", "motif"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Fiche)
class FicheAdmin(AtScaleAdmin, AuditedReadsAdmin, NoDeleteAdmin):
    # Newest first, read backwards from the index fiche_created (created_at, id); each filter
    # is a fixed list of choices (no DISTINCT over the table).
    list_display = ["__str__", "nature", "statut", "brouillon", "declarant", "created_at"]
    list_filter = ["nature", "statut", "brouillon"]
    search_fields = ["nir"]
    search_help_text = _("NIR complet (15 caractères) ou ses 13 premiers, espaces admis")
    list_select_related = ["declarant"]
    raw_id_fields = ["origine", "beneficiaire", "declarant", "medecin"]
    readonly_fields = ["qui_a_consulte", "nature", "statut", "statut_depuis", "brouillon",
                       "version", "created_at", "declarant", "medecin", "origine", "departement",
                       "rappel_le"]  # fmt: skip
    inlines = [StatusChangeInline]

    @admin.display(description=_("Journal d'audit"))
    def qui_a_consulte(self, obj):
        """The audit log of this fiche: who viewed, looked up or changed it."""
        if obj is None or obj.pk is None:
            return "—"
        content_type = ContentType.objects.get_for_model(Fiche)
        url = reverse("admin:fiches_auditlog_changelist")
        return format_html(
            '<a href="{}?content_type={}&amp;object_id={}">{}</a>',
            url,
            content_type.pk,
            obj.pk,
            _("Qui a consulté cette fiche"),
        )

    def get_search_results(self, request, queryset, search_term):
        """A NIR, exactly as the index holds it (Django's `=nir` compares UPPER(nir): a
        sequential scan over millions of fiches); 13 characters find the 15 with their key."""
        compact = "".join(search_term.split()).upper()
        if not compact:
            return queryset, False
        if len(compact) == 15:
            return queryset.filter(nir=compact), False
        if len(compact) == 13:
            return queryset.filter(nir__startswith=compact), False
        return queryset.none(), False

    def has_add_permission(self, request):
        return False  # fiches are created through the services, by the professionals

    def has_change_permission(self, request, obj=None):
        # Read-only here: a change must go through fiches.services (version, département,
        # normalised names, history and audit), which the admin form would bypass.
        return False


@admin.register(Beneficiaire)
class BeneficiaireAdmin(AuditedReadsAdmin, NoDeleteAdmin):
    list_display = ["nir", "nom", "prenom", "date_naissance", "regime", "caisse"]
    search_fields = ["=nir", "nom"]


class ActionFilter(admin.SimpleListFilter):
    """The journal's actions, from the fixed list (Django's filter on a plain field would run
    a DISTINCT over every entry on each page)."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return sorted(ACTIONS.items(), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class RoleFilter(admin.SimpleListFilter):
    title = _("rôle")
    parameter_name = "actor_role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        return queryset.filter(actor_role=self.value()) if self.value() else queryset


@admin.register(AuditLog)
class AuditLogAdmin(AtScaleAdmin, NoDeleteAdmin):
    """The audit log, read-only. Filter by fiche with ?content_type=…&object_id=…

    At scale: newest first from the created_at index, fixed-choice filters, no date hierarchy
    (its DISTINCT over the dates spilled to disk at 4 M entries), a capped count; a search is
    an object's number (index audit_object_idx with the filters) or an author's identifiant or
    e-mail, exactly (index audit_actor_idx)."""

    list_display = [
        "created_at",
        "actor",
        "actor_role",
        "libelle_action",
        "content_type",
        "object_id",
        "ip",
    ]
    list_filter = [ActionFilter, RoleFilter, "content_type"]
    search_fields = ["object_id"]
    search_help_text = _("N° de l'objet (fiche), ou identifiant ou e-mail exact de l'auteur")
    list_select_related = ["actor", "content_type"]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isdigit():  # a fiche's number, unless the list is already on another kind
            if "content_type" not in request.GET:
                queryset = queryset.filter(content_type=ContentType.objects.get_for_model(Fiche))
            return queryset.filter(object_id=int(term)), False
        from django.contrib.auth import get_user_model

        actors = get_user_model().objects.filter(
            models.Q(username__iexact=term) | models.Q(email__iexact=term)
        )
        return queryset.filter(actor__in=list(actors.values_list("pk", flat=True)[:10])), False

    @admin.display(description=_("action"), ordering="action")
    def libelle_action(self, entry):
        """The action in words (« Fiche consultée »); the code stays in the data."""
        return ACTIONS.get(entry.action, entry.action)

    def lookup_allowed(self, lookup, value, request=None):
        if lookup in {"object_id", "content_type", "actor"}:
            return True
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _ReadOnlyHistoryAdmin(AtScaleAdmin, AuditedReadsAdmin, NoDeleteAdmin):
    """Calls, samples and mask deliveries are events written by the services: read-only."""

    list_select_related = ["fiche", "by"]
    raw_id_fields = ["fiche", "by"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Appel)
class AppelAdmin(_ReadOnlyHistoryAdmin):
    list_display = ["at", "fiche", "issue", "rappel_le", "by"]
    list_filter = ["issue"]


@admin.register(Prelevement)
class PrelevementAdmin(_ReadOnlyHistoryAdmin):
    list_display = ["date", "fiche", "lieu", "resultat", "by"]
    list_filter = ["resultat"]


@admin.register(DelivranceMasques)
class DelivranceMasquesAdmin(_ReadOnlyHistoryAdmin):
    list_display = ["date", "fiche", "nombre", "by"]


@admin.register(CorrectionResultat)
class CorrectionResultatAdmin(AtScaleAdmin, AuditedReadsAdmin, NoDeleteAdmin):
    """Results corrected by their laboratory (issue 17 § 6): read-only."""

    list_display = ["at", "prelevement", "avant", "apres", "promotion_annulee", "by"]
    list_filter = ["apres", "promotion_annulee"]
    list_select_related = ["prelevement", "by"]
    raw_id_fields = ["prelevement", "by"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
