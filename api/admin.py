"""Admin of the laboratories' API clients: an administrator creates one for a laboratory's FINESS
and reads its secret once, on the page that follows; later, renews it or revokes the client.
Nothing is deleted (what a client sent stays attributed to it)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import LieuExercice, Professionnel
from api import services
from api.models import ClientAPI, LotFHIR, ResultatRecu
from contactcovid.forms import SafeTextMixin
from fiches.admin import NoDeleteAdmin
from fiches.models import DomainError


class ClientAPICreationForm(SafeTextMixin, forms.ModelForm):
    laboratoire = forms.ModelChoiceField(
        label=_("Laboratoire (N° FINESS)"),
        queryset=LieuExercice.objects.filter(
            type_numero=LieuExercice.TypeNumero.FINESS,
            professionnel__profession=Professionnel.Profession.BIOLOGISTE,
        ).select_related("professionnel"),
        help_text=_("Le client ne pourra envoyer que les résultats de ce FINESS."),
    )

    class Meta:
        model = ClientAPI
        fields = ["laboratoire", "nom"]
        help_texts = {"nom": _("Le système du laboratoire, tel que l'équipe le nomme (SIL…).")}


@admin.register(ClientAPI)
class ClientAPIAdmin(NoDeleteAdmin):
    list_display = ["nom", "finess_du_laboratoire", "client_id", "actif", "cree_le", "revoque_le"]
    list_filter = ["actif"]
    list_select_related = ["laboratoire"]
    search_fields = ["client_id", "nom", "laboratoire__numero"]
    readonly_fields = ["client_id", "nom", "laboratoire", "compte", "actif", "cree_le",
                       "cree_par", "revoque_le", "gerer"]  # fmt: skip
    exclude = ["secret_hash"]

    @admin.display(description=_("N° FINESS"))
    def finess_du_laboratoire(self, obj):
        return obj.laboratoire.numero

    @admin.display(description=_("Secret et révocation"))
    def gerer(self, obj):
        if not obj.actif:
            return _("Client révoqué.")
        return format_html(
            '<a class="button" href="{}">{}</a> &nbsp; <a class="button" href="{}">{}</a>',
            reverse("admin:api_clientapi_secret", args=[obj.pk]), _("Renouveler le secret"),
            reverse("admin:api_clientapi_revoquer", args=[obj.pk]), _("Révoquer le client"),
        )  # fmt: skip

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ClientAPICreationForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_exclude(self, request, obj=None):
        return ["secret_hash"] if obj is not None else None

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["laboratoire", "nom"]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        # The change page shows the client; every change goes through the two actions.
        return super().has_change_permission(request, obj) and obj is None

    def add_view(self, request, form_url="", extra_context=None):
        if request.method != "POST":
            return super().add_view(request, form_url, extra_context)
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ClientAPICreationForm(request.POST)
        if form.is_valid():
            try:
                client, secret = services.client_create(
                    laboratoire=form.cleaned_data["laboratoire"],
                    nom=form.cleaned_data["nom"], by=request.user,
                )  # fmt: skip
            except DomainError as error:
                form.add_error("laboratoire", error.message)
            else:
                return self._secret_page(request, client, secret, created=True)
        return super().add_view(request, form_url, extra_context)

    def _secret_page(self, request, client, secret, *, created):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Secret du client API"),
            "client": client,
            "secret": secret,
            "created": created,
            "token_url": request.build_absolute_uri(reverse("api:token")),
            "bundle_url": request.build_absolute_uri(reverse("api:bundle")),
        }
        return render(request, "admin/api/clientapi/secret.html", context)

    def get_urls(self):
        own = [
            path("<int:pk>/secret/", self.admin_site.admin_view(self.secret_view),
                 name="api_clientapi_secret"),
            path("<int:pk>/revoquer/", self.admin_site.admin_view(self.revoquer_view),
                 name="api_clientapi_revoquer"),
        ]  # fmt: skip
        return own + super().get_urls()

    def _confirm(self, request, client, *, action, title, text):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "client": client,
            "text": text,
            "action": action,
        }
        return render(request, "admin/api/clientapi/confirmer.html", context)

    def secret_view(self, request, pk):
        if not self.has_view_permission(request) or not request.user.has_perm(
            "api.change_clientapi"
        ):
            raise PermissionDenied
        client = get_object_or_404(ClientAPI, pk=pk, actif=True)
        if request.method == "POST":
            secret = services.client_secret_renew(client=client, by=request.user)
            return self._secret_page(request, client, secret, created=False)
        return self._confirm(
            request, client, action=_("Renouveler le secret"),
            title=_("Renouveler le secret du client API"),
            text=_("L'ancien secret et les jetons obtenus avec lui cessent de fonctionner "
                   "immédiatement : le laboratoire devra configurer le nouveau."),
        )  # fmt: skip

    def revoquer_view(self, request, pk):
        if not request.user.has_perm("api.change_clientapi"):
            raise PermissionDenied
        client = get_object_or_404(ClientAPI, pk=pk, actif=True)
        if request.method == "POST":
            services.client_revoke(client=client, by=request.user)
            messages.success(request, _("Client API révoqué : ses jetons ne fonctionnent plus."))
            return self.response_post_save_change(request, client)
        return self._confirm(
            request, client, action=_("Révoquer le client"),
            title=_("Révoquer le client API"),
            text=_("Le système du laboratoire ne pourra plus envoyer de résultats avec ce client. "
                   "Ce qu'il a envoyé reste enregistré."),
        )  # fmt: skip


@admin.register(LotFHIR)
class LotFHIRAdmin(NoDeleteAdmin):
    list_display = ["id", "client", "etat", "entrees", "statut_http", "recu_le", "termine_le"]
    list_filter = ["etat"]
    list_select_related = ["client__laboratoire"]
    exclude = ["contenu", "reponse"]
    readonly_fields = ["client", "etat", "entrees", "statut_http", "recu_le", "pris_le",
                       "tentatives", "termine_le"]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ResultatRecu)
class ResultatRecuAdmin(NoDeleteAdmin):
    list_display = ["identifiant", "finess", "resultat", "effet", "fiche_id", "recu_le"]
    list_filter = ["effet", "resultat"]
    search_fields = ["=identifiant", "=finess"]
    readonly_fields = ["client", "finess", "identifiant_systeme", "identifiant", "empreinte",
                       "resultat", "effet", "fiche", "recu_le"]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(Q(identifiant=term) | Q(finess=term)), False
