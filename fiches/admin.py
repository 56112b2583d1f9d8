"""Django admin for fiches and the beneficiaries' référentiel. No fiche is ever deleted: no
delete permission, no bulk delete action. Statuses are read-only here (only
`fiches.services.status_change` moves them)."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from contactcovid.admin_audit import AuditedReadsAdmin
from fiches.audit import AuditLog
from fiches.models import Beneficiaire, Fiche, StatusChange
from fiches.models_tracing import Appel, DelivranceMasques, Prelevement


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
class FicheAdmin(AuditedReadsAdmin, NoDeleteAdmin):
    list_display = ["__str__", "nature", "statut", "brouillon", "declarant", "created_at"]
    list_filter = ["nature", "statut", "brouillon"]
    search_fields = ["=nir"]
    show_full_result_count = False
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


@admin.register(AuditLog)
class AuditLogAdmin(NoDeleteAdmin):
    """The audit log, read-only. Filter by fiche with ?content_type=…&object_id=…"""

    list_display = [
        "created_at",
        "actor",
        "actor_role",
        "action",
        "content_type",
        "object_id",
        "ip",
    ]
    list_filter = ["action", "actor_role", "content_type"]
    search_fields = ["=object_id", "actor__username", "actor__email", "=ip"]
    search_help_text = _("N° de l'objet (fiche), identifiant ou e-mail de l'auteur, adresse IP")
    date_hierarchy = "created_at"
    list_select_related = ["actor", "content_type"]
    show_full_result_count = False  # no COUNT(*) over millions of entries on each page

    def lookup_allowed(self, lookup, value, request=None):
        if lookup in {"object_id", "content_type", "actor"}:
            return True
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _ReadOnlyHistoryAdmin(AuditedReadsAdmin, NoDeleteAdmin):
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
