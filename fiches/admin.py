from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fiches.audit import AuditLog


class NoDeleteAdminMixin:
    """Nothing traced is ever deleted: no delete button, no bulk delete action."""

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(AuditLog)
class AuditLogAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
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
        # "Qui a consulté cette fiche" links here with ?content_type=…&object_id=…
        if lookup in {"object_id", "content_type", "actor"}:
            return True
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
