"""Conseiller plateforme (Assurance Maladie, niveau 2): the work queue, a fiche with its calls,
recording a call, completing a phone number, closing a fiche."""

from copy import copy

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Role
from fiches import chains, selectors_tracing, services, services_tracing
from fiches.audit import audit_log
from fiches.forms import ContactForm, PatientZeroForm
from fiches.identity import departement_from_code_postal
from fiches.models import DomainError, OuiNon
from fiches.services import StaleVersion
from tracing import recherche, referentiel, saisie_rapide, submissions
from tracing.forms import (
    AppelForm,
    ApresAppelForm,
    ClotureForm,
    FileFiltreForm,
    MemePersonneForm,
    RappelForm,
    RecherchePlateformeForm,
    TelephoneForm,
)
from tracing.policy import departements_of, fiches_visible_to, get_fiche_for_user, role_required

conseiller_required = role_required(Role.CONSEILLER)


APRES_APPEL = "tracing.apres_appel"  # the agent's choice after a call, kept in the session
RAPPEL_PREFIX = "deplacer"  # the recall form's fields, apart from the call form's rappel_le


SEARCH_IDENTITY = ("nir", "nom", "prenom", "telephone")  # kept in the session, never in a URL


@conseiller_required
def file_appels(request):
    """The people to call, in the order they should be called; « Fiche suivante »; the planned
    recalls; a search for an inbound call-back."""
    data, prg = recherche.search_data(request, SEARCH_IDENTITY)
    if prg is not None:
        return prg
    departements = departements_of(request.user)
    visible = fiches_visible_to(request.user)
    form = FileFiltreForm(request.GET or None, departements=departements)
    filtres = form.cleaned_data if form.is_bound and form.is_valid() else {}
    try:
        numero = int(request.GET.get("page", "1"))
    except ValueError:
        numero = 1
    page = selectors_tracing.file_appels(
        visible,
        departement=filtres.get("departement", ""),
        statut=filtres.get("statut", ""),
        page=numero,
    )
    query = request.GET.copy()
    query.pop("page", None)
    rappels = selectors_tracing.rappels_planifies(visible)
    audit_log(
        actor=request.user, action="fiches.listed", request=request,
        data={"fiches": [f.pk for f in page.fiches], "rappels": [f.pk for f in rappels]},
    )  # fmt: skip
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "departements": departements,
        "rappels": rappels,
        "recherche": _recherche(request, visible, data),
        "now": timezone.now(),
    }
    return render(request, "tracing/plateforme/file.html", context)


def _recherche(request, visible, data):
    """The search form, and its results when it was sent (one audit row per search: what was
    searched by, how many were found, which)."""
    names = SEARCH_IDENTITY
    sent = recherche.PARAM in data
    form = RecherchePlateformeForm(data if sent else None)
    resultats = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        resultats = selectors_tracing.recherche_plateforme(visible, **data)
        audit_log(
            actor=request.user, action="fiche.searched", request=request,
            data={"criteres": [n for n in names if data[n]], "trouves": len(resultats),
                  "fiches": [f.pk for f in resultats]},
        )  # fmt: skip
    return {"form": form, "resultats": resultats}


@require_POST
@conseiller_required
def fiche_suivante(request):
    """« FICHE SUIVANTE »: the next person of the queue, reserved for this agent."""
    fiches = fiches_visible_to(request.user)
    fiche = services_tracing.fiche_suivante(fiches=fiches, user=request.user)
    if fiche is None:
        messages.info(request, _("Personne à appeler pour l'instant."))
        return redirect("tracing:plateforme_file")
    return redirect("tracing:plateforme_fiche", pk=fiche.pk)


@require_POST
@conseiller_required
def liberer(request, pk):
    """« Remettre dans la file »: the agent will not call this person now."""
    fiche = get_fiche_for_user(request.user, pk, write=True)
    services_tracing.fiche_liberer(fiche=fiche, user=request.user)
    messages.info(request, _("La fiche est remise dans la file."))
    return redirect("tracing:plateforme_file")


@conseiller_required
def contacts_rapides(request, pk):
    """SAISIE RAPIDE by the platform, on a patient zéro of its départements."""
    origine = get_fiche_for_user(request.user, pk, write=True)
    back = reverse("tracing:plateforme_fiche", args=[pk])
    return saisie_rapide.page(request, origine, back_url=back)


@require_POST
@conseiller_required
def meme_personne(request, pk):
    """« Même personne »: link a probable duplicate, so that one call records for both."""
    fiche = get_fiche_for_user(request.user, pk, write=True)
    form = MemePersonneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez la fiche à lier."))
        return redirect("tracing:plateforme_fiche", pk=fiche.pk)
    autre = get_fiche_for_user(request.user, form.cleaned_data["autre"], write=True)
    try:
        services_tracing.meme_personne_lier(
            fiche=fiche, autre=autre, user=request.user, request=request
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Fiches liées : une même personne. Un appel enregistré sur l'une l'est sur l'autre."),
        )
    return redirect("tracing:plateforme_fiche", pk=fiche.pk)


def _fiche_action(request, pk, *, form, name, write, success):
    """One of the small versioned forms of the agent's fiche page (recall, phone, closing):
    `write(fiche, data)` calls the service; a refusal shows the page again, as it is now, with
    what was typed and the reason next to it."""
    fiche = get_fiche_for_user(request.user, pk, write=True)
    if form.is_valid():
        try:
            write(fiche, form.cleaned_data)
        except DomainError as error:
            return _refused(request, fiche, form, error, name)
        messages.success(request, success)
        return redirect("tracing:plateforme_fiche", pk=fiche.pk)
    return _fiche_page(request, fiche, status=400, **{name: form})


@require_POST
@conseiller_required
def rappel(request, pk):
    """Move a planned recall."""
    return _fiche_action(
        request, pk, form=RappelForm(request.POST, prefix=RAPPEL_PREFIX), name="rappel_form",
        success=_("Rappel déplacé."),
        write=lambda fiche, data: services_tracing.rappel_deplacer(
            fiche=fiche, user=request.user, rappel_le=data["rappel_le"],
            version=data["version"], request=request,
        ),
    )  # fmt: skip


def _consentement(fiche):
    """What the agent may tell a contact about the patient zéro, at a glance."""
    if fiche.is_patient_zero or fiche.origine is None:
        return None
    return fiche.origine.accord_identite == OuiNon.OUI


def _fiche_page(request, fiche, *, status=200, **forms):
    services_tracing.reservation_renew(fiche=fiche, user=request.user)
    appels = list(fiche.appels.select_related("by"))
    quatorzaines = [a.fin_quatorzaine for a in appels if a.fin_quatorzaine]
    context = {
        "fiche": fiche,
        "consentement": _consentement(fiche),
        "reservee_par_un_autre": fiche.reservee_par_un_autre(request.user),
        "reservee_pour_moi": fiche.reservee_par_id == request.user.pk
        and fiche.reservee_jusqua is not None
        and not fiche.reservee_par_un_autre(request.user),
        "appels": appels,
        "fin_quatorzaine": quatorzaines[-1] if quatorzaines else None,
        "doublons": selectors_tracing.doublons_probables(fiche, fiches_visible_to(request.user)),
        "chaine": chains.chain_of(fiche, fiches_visible_to(request.user))
        if fiche.is_patient_zero
        else None,
        "fiche_url": "tracing:plateforme_fiche",
        "rappel_form": forms.get("rappel_form") or RappelForm(prefix=RAPPEL_PREFIX),
        "apres_form": ApresAppelForm(
            initial={"apres": request.session.get(APRES_APPEL, ApresAppelForm.SUIVANTE)}
        ),
        "historique": fiche.historique.select_related("by"),
        "contacts": list(
            fiches_visible_to(request.user)
            .filter(origine=fiche)
            .only("id", "nom", "prenom", "statut", "telephone")[:100]
        )
        if fiche.is_patient_zero
        else [],
        "appel_form": forms.get("appel_form") or AppelForm(),
        "telephone_form": forms.get("telephone_form") or TelephoneForm(),
        "cloture_form": forms.get("cloture_form") or ClotureForm(),
    }
    return render(request, "tracing/plateforme/fiche.html", context, status=status)


@conseiller_required
def fiche_detail(request, pk):
    fiche = get_fiche_for_user(request.user, pk)
    audit_log(actor=request.user, action="fiche.viewed", obj=fiche, request=request)
    return _fiche_page(request, fiche)


def _show_error(form, error: DomainError):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _refused(request, fiche, form, error: DomainError, name):
    """The form again, with what was typed and the reason next to it, on the fiche as it is now
    (another agent may have changed it: the page shows their change, the hidden version too)."""
    _show_error(form, error)
    fresh = get_fiche_for_user(request.user, fiche.pk)
    return _fiche_page(request, fresh, status=409 if isinstance(error, StaleVersion) else 400,
                       **{name: form})  # fmt: skip


@require_POST
@conseiller_required
def appel(request, pk):
    """Record a call; the fiche's status follows its outcome. Then the next fiche (reserved in
    the same transaction) or the queue: the same submission posted again lands there too."""
    fiche = get_fiche_for_user(request.user, pk, write=True)
    form = AppelForm(request.POST)
    if form.is_valid():
        recorded = []

        def record():
            recorded.append(
                services_tracing.appel_record(
                    fiche=fiche,
                    user=request.user,
                    request=request,
                    scope=fiches_visible_to(request.user),
                    **form.cleaned_data,
                )  # fmt: skip
            )
            return _apres_appel(request, fiche)

        try:
            url = submissions.once(request, record)
        except submissions.Duplicate as duplicate:
            return submissions.already_landed(request, duplicate)
        except DomainError as error:
            return _refused(request, fiche, form, error, "appel_form")
        else:
            message = _("Appel enregistré.")
            if recorded[0].fin_quatorzaine:
                message += " " + _("Fin de la quatorzaine : %s.") % recorded[
                    0
                ].fin_quatorzaine.strftime("%d/%m/%Y")
            messages.success(request, message)
            if url == reverse("tracing:plateforme_file") and _choix_apres(request) == "suivante":
                messages.info(request, _("Personne d'autre à appeler pour l'instant."))
            return redirect(url)
    return _fiche_page(request, fiche, status=400, appel_form=form)


def _choix_apres(request):
    """The agent's choice after a call: posted now, else kept from their previous calls."""
    choix = ApresAppelForm(request.POST)
    apres = choix.cleaned_data["apres"] if choix.is_valid() else ""
    if apres:
        request.session[APRES_APPEL] = apres
    return request.session.get(APRES_APPEL, ApresAppelForm.SUIVANTE)


def _apres_appel(request, fiche):
    """Where the agent goes once the call is recorded: the next fiche (reserved for them), or
    the queue."""
    if _choix_apres(request) == ApresAppelForm.FILE:
        return reverse("tracing:plateforme_file")
    suivante = services_tracing.fiche_suivante(
        fiches=fiches_visible_to(request.user).exclude(pk=fiche.pk), user=request.user
    )
    if suivante is None:
        return reverse("tracing:plateforme_file")
    return reverse("tracing:plateforme_fiche", args=[suivante.pk])


@require_POST
@conseiller_required
def telephone(request, pk):
    """Complete the phone number: a Contact à trouver becomes À contacter."""
    return _fiche_action(
        request, pk, form=TelephoneForm(request.POST), name="telephone_form",
        success=_("Téléphone enregistré."),
        write=lambda fiche, data: services_tracing.telephone_complete(
            fiche=fiche, user=request.user, telephone=data["telephone"],
            version=data["version"], request=request,
        ),
    )  # fmt: skip


@require_POST
@conseiller_required
def cloturer(request, pk):
    return _fiche_action(
        request, pk, form=ClotureForm(request.POST), name="cloture_form",
        success=_("Fiche clôturée."),
        write=lambda fiche, data: services_tracing.fiche_close(
            fiche=fiche, user=request.user, motif=data["motif"], version=data["version"],
            request=request,
        ),
    )  # fmt: skip


def _form_context(form, *, title, cancel_url, origine=None, fiche=None):
    return {
        "form": form,
        "fiche": fiche,
        "origine": origine,
        "title": title,
        "cancel_url": cancel_url,
        "can_draft": False,
        "can_lookup": False,
    }


@conseiller_required
def patient_zero_create(request):
    """The platform initiates a patient zéro (guide § 2, "initiation et enrichissement
    progressif"): the doctor's form and service, in one of its own départements."""
    departements = departements_of(request.user)
    form = PatientZeroForm(request.POST or None)
    if request.method == "POST":
        if not referentiel.lookup_allowed(request):
            form = PatientZeroForm(request.POST, lookup_referentiel=False)
            context = _form_context(form, title=_("Ajouter un patient zéro"),
                                    cancel_url=reverse("tracing:plateforme_file"))  # fmt: skip
            return render(request, "tracing/fiche_form.html", context, status=429)
        referentiel.audit_lookup(request, form)
        if form.is_valid():
            departement = departement_from_code_postal(form.cleaned_data["code_postal"])
            if departement not in departements:
                form.add_error(
                    "code_postal",
                    _("Indiquez un code postal d'un département de votre caisse (%(d)s).")
                    % {"d": ", ".join(departements) or "—"},
                )
            else:

                def create():
                    fiche = services.fiche_create(
                        user=request.user, data=form.domain_data(), sans_medecin=True
                    )
                    return reverse("tracing:plateforme_fiche", args=[fiche.pk])

                try:
                    url = submissions.once(request, create)
                except submissions.Duplicate as duplicate:
                    return submissions.already_landed(request, duplicate)
                except DomainError as error:
                    _show_error(form, error)
                else:
                    messages.success(request, _("Fiche patient zéro créée."))
                    return redirect(url)
    context = _form_context(
        form, title=_("Ajouter un patient zéro"), cancel_url=reverse("tracing:plateforme_file")
    )
    return render(request, "tracing/fiche_form.html", context, status=400 if form.errors else 200)


@conseiller_required
def contact_create(request, pk):
    """The platform adds a contact to a patient zéro of its départements (the doctor's form and
    service; the contact's doctor is the patient zéro's)."""
    origine = get_fiche_for_user(request.user, pk, write=True)
    if not origine.is_patient_zero:
        return redirect("tracing:plateforme_fiche", pk=origine.pk)
    form = ContactForm(request.POST or None, origine=origine)
    if request.method == "POST" and form.is_valid():

        def create():
            services.fiche_create(user=request.user, data=form.domain_data(), origine=origine)
            return reverse("tracing:plateforme_fiche", args=[origine.pk])

        try:
            url = submissions.once(request, create)
        except submissions.Duplicate as duplicate:
            return submissions.already_landed(request, duplicate)
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Personne contact ajoutée."))
            return redirect(url)
    cancel = reverse("tracing:plateforme_fiche", args=[origine.pk])
    context = _form_context(form, title=_("Ajouter un contact"), cancel_url=cancel, origine=origine)
    return render(request, "tracing/fiche_form.html", context, status=400 if form.errors else 200)


@conseiller_required
def fiche_enrich(request, pk):
    """COMPLÉTER LA FICHE: the doctor's form; the fiche's version guards against an edit made
    meanwhile."""
    fiche = get_fiche_for_user(request.user, pk, write=True)
    form_class = PatientZeroForm if fiche.is_patient_zero else ContactForm
    confirmation = None
    confirmed = {
        name: request.POST[name][:10]
        for name in (services_tracing.TRANSFERT, services_tracing.CONSENTEMENT)
        if request.POST.get(name)
    }
    if request.method == "POST":
        lookup = form_class is PatientZeroForm
        if lookup and not referentiel.lookup_allowed(request, known_nir=fiche.nir):
            form = form_class(request.POST, instance=copy(fiche), lookup_referentiel=False)
            context = _form_context(
                form, title=_("Compléter la fiche"),
                cancel_url=reverse("tracing:plateforme_fiche", args=[fiche.pk]), fiche=fiche,
            )  # fmt: skip
            return render(request, "tracing/fiche_form.html", context, status=429)
        form = form_class(request.POST, instance=copy(fiche))
        if lookup:
            referentiel.audit_lookup(request, form)
        if form.is_valid():
            try:
                services_tracing.fiche_enrich(
                    fiche=fiche, user=request.user, data=form.domain_data(),
                    version=form.cleaned_data["version"] or 0,
                    departements=departements_of(request.user), confirmed=confirmed,
                    request=request,
                )  # fmt: skip
            except services_tracing.ConfirmationNeeded as needed:
                confirmation = {"name": needed.confirmation, "message": needed.message,
                                "value": needed.value}  # fmt: skip
            except DomainError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("Fiche enregistrée."))
                return redirect("tracing:plateforme_fiche", pk=fiche.pk)
    else:
        audit_log(
            actor=request.user, action="fiche.viewed", obj=fiche, data={"page": "completer"},
            request=request,
        )  # fmt: skip
        form = form_class(instance=fiche, initial={"version": fiche.version})
    context = _form_context(
        form,
        title=_("Compléter la fiche"),
        cancel_url=reverse("tracing:plateforme_fiche", args=[fiche.pk]),
        fiche=fiche,
        origine=fiche.origine if not fiche.is_patient_zero else None,
    )
    context.update(confirmation=confirmation, confirmed=sorted(confirmed.items()))
    return render(request, "tracing/fiche_form.html", context, status=400 if form.errors else 200)
