from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import Caisse, CourrierPostal, LieuExercice, Professionnel, SecurityEvent, User
from contactcovid.admin_scale import AtScaleAdmin
from fiches.audit import audit_log

ACTIONS_PERMISSION = {"add": _("Ajouter"), "change": _("Modifier"), "delete": _("Supprimer"),
                      "view": _("Voir")}  # fmt: skip


def libelle_permission(permission) -> str:
    """« Fiches patients zéro et contacts | fiche | Voir » rather than Django's stored English
    (« fiches | fiche | Can view fiche »): the app's and the model's French names."""
    model = permission.content_type.model_class()
    if model is None:
        return str(permission)
    action = ACTIONS_PERMISSION.get(permission.codename.split("_", 1)[0], permission.name)
    app = apps.get_app_config(model._meta.app_label).verbose_name
    return f"{app} | {model._meta.verbose_name} | {action}"


class PermissionsEnFrancaisMixin:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions") and field is not None:
            field.label_from_instance = libelle_permission
        return field


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PermissionsEnFrancaisMixin, BaseGroupAdmin):
    pass


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(PermissionsEnFrancaisMixin, BaseUserAdmin):
    list_display = [
        "username",
        "email",
        "civilite",
        "first_name",
        "last_name",
        "is_active",
        "bloque_jusqua",
    ]
    list_filter = ["groups", "is_active", "is_staff"]
    search_fields = ["username", "email", "last_name", "professionnel__lieux__numero"]
    raw_id_fields = ["professionnel"]
    readonly_fields = ["echecs_connexion", "bloque_jusqua"]
    actions = ["debloquer"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (
            _("Professionnel"),
            {"fields": ["civilite", "professionnel", "email_en_attente", "bienvenue_vue"]},
        ),
        (
            _("Sécurité"),
            {"fields": ["echecs_connexion", "bloque_jusqua", "doit_changer_mot_de_passe"]},
        ),
    ]

    @admin.action(description=_("Débloquer les comptes sélectionnés"))
    def debloquer(self, request, queryset):
        for user in queryset:
            services.unlock(user=user, by=request.user)
        messages.success(request, _("%(n)d compte(s) débloqué(s).") % {"n": queryset.count()})


class LieuExerciceInline(admin.StackedInline):
    model = LieuExercice
    extra = 0
    can_delete = False


@admin.register(Professionnel)
class ProfessionnelAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["__str__", "profession", "specialite", "numeros", "a_un_compte"]
    list_filter = ["profession"]
    search_fields = ["nom", "raison_sociale", "lieux__numero"]
    inlines = [LieuExerciceInline]
    exclude = ["cle_echecs", "cle_bloquee_jusqua"]

    @admin.display(description=_("N° AM / FINESS"))
    def numeros(self, obj):
        return ", ".join(lieu.numero for lieu in obj.lieux.all())

    @admin.display(description=_("compte"), boolean=True)
    def a_un_compte(self, obj):
        return hasattr(obj, "compte")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lieux").select_related("compte")


@admin.register(Caisse)
class CaisseAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["nom", "ville", "telephone"]
    search_fields = ["nom"]


@admin.register(SecurityEvent)
class SecurityEventAdmin(AtScaleAdmin, admin.ModelAdmin):
    # Millions of sign-ins a year: a capped count, no date hierarchy (a DISTINCT over the dates).
    list_display = ["created_at", "user", "action", "ip", "detail"]
    list_select_related = ["user"]
    list_filter = ["action"]
    search_fields = ["user__username", "user__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CourrierPostal)
class CourrierPostalAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["created_at", "destinataire", "lieu", "envoye_le", "telecharger"]
    list_select_related = ["lieu__professionnel"]
    fields = ["user", "lieu", "created_at", "envoye_le", "telecharger"]
    readonly_fields = ["user", "lieu", "created_at", "telecharger"]
    actions = ["marquer_poste"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("destinataire"))
    def destinataire(self, obj):
        return obj.lieu.professionnel

    @admin.display(description=_("courrier PDF"))
    def telecharger(self, obj):
        url = reverse("admin:accounts_courrierpostal_pdf", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Télécharger le PDF"))

    @admin.action(description=_("Marquer comme posté"))
    def marquer_poste(self, request, queryset):
        from django.utils import timezone

        # Printed and posted: the PDF (a temporary password in clear) is no longer kept.
        queryset.filter(envoye_le__isnull=True).update(envoye_le=timezone.now(), pdf=b"")

    def get_urls(self):
        return [
            path(
                "<int:pk>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="accounts_courrierpostal_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request, pk):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        courrier = get_object_or_404(CourrierPostal, pk=pk)
        if not courrier.pdf:
            messages.info(request, _("Ce courrier a été posté, utilisé ou annulé : son PDF "
                                     "n'est plus conservé."))  # fmt: skip
            return redirect("admin:accounts_courrierpostal_changelist")
        # The letter holds a temporary password: who downloaded it is kept (issue 12).
        audit_log(actor=request.user, action="admin.letter_downloaded", obj=courrier,
                  request=request)  # fmt: skip
        response = HttpResponse(bytes(courrier.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="courrier-{courrier.pk}.pdf"'
        return response
