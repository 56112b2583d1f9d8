from django.contrib import admin

from contactcovid.admin_audit import AuditedReadsAdmin
from fiches.admin import NoDeleteAdmin
from tracing.models import Affectation, Cluster, ThrottleWindow


@admin.register(Affectation)
class AffectationAdmin(NoDeleteAdmin):
    """Where each platform or ARS agent works; decides which fiches they see."""

    list_display = ["user", "caisse", "departements", "region"]
    list_select_related = ["user", "caisse"]
    raw_id_fields = ["user"]
    search_fields = ["user__username", "user__email", "departements", "region"]


@admin.register(Cluster)
class ClusterAdmin(AuditedReadsAdmin, NoDeleteAdmin):
    list_display = ["nom", "collectivite", "region", "departement", "statut", "created_at"]
    list_filter = ["statut", "collectivite", "region"]
    raw_id_fields = ["fiches", "created_by"]
    search_fields = ["nom"]


@admin.register(ThrottleWindow)
class ThrottleWindowAdmin(NoDeleteAdmin):
    list_display = ["user", "scope", "window_start", "hits"]
    raw_id_fields = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
