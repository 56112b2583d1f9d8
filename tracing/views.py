"""Screens. Thin: parse the request, ask the policy and a selector or a service, render."""

from copy import copy
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import visits
from accounts.roles import Role
from fiches import chains, selectors, selectors_tracing, services, services_tracing, statuses
from fiches.audit import audit_log
from fiches.forms import ContactForm, PatientZeroForm, RechercheForm, read_only_blocks
from fiches.models import DomainError
from fiches.pdf import formulaire_contact_pdf
from fiches.statuses import Statut
from tracing import recherche, referentiel, saisie_rapide, submissions
from tracing.forms import ClotureMedecinForm
from tracing.policy import fiches_visible_to, get_fiche_for_user, role_required

medecin_required = role_required(Role.MEDECIN)


def _home_of_role():
    """Each role's main page, served at the home URL itself (as the doctor's list is)."""
    from tracing import views_ars, views_laboratoire, views_pharmacie, views_plateforme

    return {
        Role.CONSEILLER: views_plateforme.file_appels,
        Role.BIOLOGISTE: views_laboratoire.recherche,
        Role.PHARMACIEN: views_pharmacie.recherche,
        Role.ARS: views_ars.collectivites,
    }


@login_required
def home(request):
    if request.user.has_role(Role.MEDECIN):
        return fiche_list(request)
    view = _home_of_role().get(request.user.role)
    if view is not None:
        return view(request)
    return render(request, "tracing/home.html")


def aide(request):
    """The guide's useful links and technical assistance (section 5); open to everyone."""
    return render(request, "tracing/aide.html")


SEARCH_IDENTITY = ("nir", "nom", "prenom")  # kept in the session, never in a URL


def _page_context(request, fiches, data):
    form = RechercheForm(data or None)
    recherche = selectors.Recherche()
    size = selectors.DEFAULT_PAGE_SIZE
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        brouillons = data["statut"] == RechercheForm.BROUILLONS
        recherche = selectors.Recherche(
            nir=data["nir"], nom=data["nom"], prenom=data["prenom"],
            statut="" if brouillons else data["statut"], brouillons=brouillons,
        )  # fmt: skip
        size = data["par_page"] or size
    page = selectors.fiche_page(
        selectors.search(fiches, recherche),
        size=size,
        apres=request.GET.get("apres", ""),
        avant=request.GET.get("avant", ""),
        nouveautes=_nouveautes(request),
    )
    query = request.GET.copy()
    query.pop("apres", None)
    query.pop("avant", None)
    return {"form": form, "page": page, "query": query.urlencode(), "par_page": size}


def _audit_list(request, action, fiches, form=None):
    """A list that shows names is a read of each fiche on it: one entry per page shown, with
    the fiches' numbers and what was searched by (never the values typed)."""
    data = {"fiches": [fiche.pk for fiche in fiches]}
    if form is not None and form.is_bound and form.is_valid():
        data["criteres"] = sorted(name for name, value in form.cleaned_data.items()
                                  if value and name != "par_page")  # fmt: skip
    audit_log(actor=request.user, action=action, data=data, request=request)


def _nouveautes(request):
    depuis = visits.previous_sign_in(request)
    if depuis is None:
        return None
    return selectors.Nouveautes(depuis=depuis, lecteur_id=request.user.pk)


@medecin_required
def fiche_list(request):
    """VOTRE LISTE CONTACT-COVID: every fiche the doctor sees, newest first, with what others
    did since the previous sign-in."""
    data, prg = recherche.search_data(request, SEARCH_IDENTITY)
    if prg is not None:
        return prg
    fiches = fiches_visible_to(request.user)
    context = _page_context(request, fiches, data)
    _audit_list(request, "fiches.listed", context["page"].fiches, context["form"])
    context["first_visit"] = not request.GET and not context["page"].fiches
    if (nouveautes := _nouveautes(request)) and not context["first_visit"]:
        context["depuis"] = nouveautes.depuis
        context["resume"] = nouveautes.resume(fiches)
    return render(request, "tracing/fiche_list.html", context)


def _form_action(request):
    return request.POST.get("action", "valider")


def _show_domain_error(form, error: DomainError):
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@medecin_required
def patient_zero_create(request):
    """AJOUTER UN PATIENT ZÉRO: VALIDER, or Enregistrer en brouillon (mandatory fields may wait)."""
    if request.method != "POST":
        return render(request, "tracing/fiche_form.html", _create_context(PatientZeroForm()))
    action = _form_action(request)
    if not referentiel.lookup_allowed(request):
        form = PatientZeroForm(request.POST, lookup_referentiel=False)
        return render(request, "tracing/fiche_form.html", _create_context(form), status=429)
    if action == "chercher_nir":
        # Known NIR: the form comes back with the référentiel's identity, read-only.
        form = PatientZeroForm(initial=request.POST.dict())
        referentiel.audit_lookup(request, form)
        # A mistyped NIR gets its own message next to the field (form.nir_error).
        if not form.nir_error and form.beneficiaire is None:
            messages.info(request, _("Ce NIR n'est pas connu de l'Assurance Maladie."))
        return render(request, "tracing/fiche_form.html", _create_context(form))
    brouillon = action == "brouillon"
    form = PatientZeroForm(request.POST, brouillon=brouillon)
    referentiel.audit_lookup(request, form)
    if form.is_valid():

        def create():
            data = form.domain_data()
            fiche = services.fiche_create(user=request.user, data=data, brouillon=brouillon)
            return reverse("tracing:fiche", args=[fiche.pk])

        try:
            url = submissions.once(request, create)
        except submissions.Duplicate as duplicate:
            return submissions.already_landed(request, duplicate)
        except DomainError as error:
            _show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Brouillon enregistré.") if brouillon else _("Fiche patient zéro créée."),
            )
            return redirect(url)
    return render(request, "tracing/fiche_form.html", _create_context(form))


def _create_context(form, origine=None):
    return {
        "form": form,
        "origine": origine,
        "title": _("Ajouter un contact") if origine else _("Ajouter un patient zéro"),
        "cancel_url": reverse("tracing:fiche", args=[origine.pk])
        if origine
        else reverse("tracing:home"),
        "can_draft": origine is None,
        "can_lookup": origine is None,
    }


@medecin_required
def contact_create(request, pk):
    """AJOUTER UN CONTACT of a patient zéro: it starts as Contact à trouver."""
    origine = get_fiche_for_user(request.user, pk, write=True)
    if not origine.is_patient_zero:
        return redirect("tracing:fiche", pk=origine.pk)
    form = ContactForm(request.POST or None, origine=origine)
    if request.method == "POST" and form.is_valid():

        def create():
            services.fiche_create(user=request.user, data=form.domain_data(), origine=origine)
            return reverse("tracing:fiche", args=[origine.pk])

        try:
            url = submissions.once(request, create)
        except submissions.Duplicate as duplicate:
            return submissions.already_landed(request, duplicate)
        except DomainError as error:
            _show_domain_error(form, error)
        else:
            messages.success(request, _("Personne contact ajoutée."))
            return redirect(url)
    return render(request, "tracing/fiche_form.html", _create_context(form, origine))


@medecin_required
def contacts_rapides(request, pk):
    """SAISIE RAPIDE: several contacts of one patient zéro at once."""
    origine = get_fiche_for_user(request.user, pk, write=True)
    return saisie_rapide.page(request, origine, back_url=reverse("tracing:fiche", args=[pk]))


@medecin_required
def fiche_detail(request, pk):
    """FICHE PATIENT ZÉRO (with its PERSONNES CONTACTS), or a contact's fiche."""
    fiche = get_fiche_for_user(request.user, pk)
    data, prg = recherche.search_data(request, SEARCH_IDENTITY)
    if prg is not None:
        return prg
    audit_log(actor=request.user, action="fiche.viewed", obj=fiche, request=request)
    context = {
        "fiche": fiche,
        "historique": fiche.historique.select_related("by"),
        "can_close": not fiche.brouillon and statuses.is_allowed(fiche.statut, Statut.CLOTURE),
        "blocs": read_only_blocks(fiche),
        "suivi": selectors_tracing.suivi(fiche),
    }
    if fiche.is_patient_zero:
        contacts = selectors.contacts_of(fiche, fiches_visible_to(request.user))
        context.update(_page_context(request, contacts, data))
        context["chaine"] = chains.chain_of(fiche, fiches_visible_to(request.user))
        context["fiche_url"] = "tracing:fiche"
        _audit_list(request, "fiches.listed", context["page"].fiches, context["form"])
    return render(request, "tracing/fiche_detail.html", context)


@medecin_required
def fiche_update(request, pk):
    """MODIFIER: VALIDER saves and validates (a contact with an argument du diagnostic becomes
    a patient zéro); a draft may be saved again as a draft."""
    fiche = get_fiche_for_user(request.user, pk, write=True)
    form_class = PatientZeroForm if fiche.is_patient_zero else _contact_form_of(fiche)
    if request.method != "POST":
        audit_log(
            actor=request.user, action="fiche.viewed", obj=fiche, data={"page": "modifier"},
            request=request,
        )  # fmt: skip
        form = form_class(instance=fiche, initial={"version": fiche.version})
        return render(request, "tracing/fiche_form.html", _update_context(form, fiche))
    action = _form_action(request)
    brouillon = action == "brouillon" and fiche.brouillon
    if _posted_version(request) != fiche.version:
        return _stale_edit(request, fiche)
    if form_class is PatientZeroForm and not referentiel.lookup_allowed(
        request, known_nir=fiche.nir
    ):
        form = form_class(request.POST, instance=copy(fiche), lookup_referentiel=False)
        return render(request, "tracing/fiche_form.html", _update_context(form, fiche), status=429)
    form = form_class(request.POST, instance=copy(fiche), brouillon=brouillon)
    if form_class is PatientZeroForm:
        referentiel.audit_lookup(request, form)
    if form.is_valid():
        was_contact = not fiche.is_patient_zero
        try:
            updated = services.fiche_update(
                fiche=fiche,
                user=request.user,
                data=form.domain_data(),
                version=form.cleaned_data["version"] or 0,
                valider=not brouillon,
            )
        except DomainError as error:
            _show_domain_error(form, error)
        else:
            if was_contact and updated.is_patient_zero:
                messages.success(
                    request,
                    _("La fiche passe de patient contact à patient zéro (Diagnostic confirmé)."),
                )
            else:
                messages.success(request, _("Fiche enregistrée."))
            return redirect("tracing:fiche", pk=fiche.pk)
    return render(request, "tracing/fiche_form.html", _update_context(form, fiche))


def _contact_form_of(fiche):
    """The contact form, knowing the household address of the fiche's patient zéro."""
    return partial(ContactForm, origine=fiche.origine)


def _posted_version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


def _stale_edit(request, fiche):
    """Someone saved the fiche (or promoted the contact) since this form was shown: nothing is
    written; the form comes back as the person filled it (a contact's form stays a contact's
    form even if the fiche became a patient zéro meanwhile), with the stale message."""
    if request.POST.get("formulaire") == "contact":
        posted_class = _contact_form_of(fiche)
    else:
        posted_class = PatientZeroForm
    if posted_class is PatientZeroForm:
        form = posted_class(request.POST, instance=copy(fiche), lookup_referentiel=False)
    else:
        form = posted_class(request.POST, instance=copy(fiche))
    form.is_valid()
    form.add_error(None, services.EDIT_STALE_MESSAGE)
    return render(request, "tracing/fiche_form.html", _update_context(form, fiche), status=409)


@medecin_required
def fiche_cloturer(request, pk):
    """CLÔTURER, with a confirmation step: a negative result for a patient zéro waiting for its
    diagnosis, or another reason; through the one status service, with the fiche's version."""
    fiche = get_fiche_for_user(request.user, pk, write=True)
    negatif = fiche.is_patient_zero and fiche.statut == Statut.EN_ATTENTE
    form = ClotureMedecinForm(request.POST or None, negatif_possible=negatif)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services_tracing.fiche_close(
                fiche=fiche, user=request.user, motif=form.motif_text(),
                version=form.cleaned_data["version"], request=request,
            )  # fmt: skip
        except DomainError as error:
            _show_domain_error(form, error)
            fiche = get_fiche_for_user(request.user, pk)
            status = 409
        else:
            messages.success(request, _("Fiche clôturée (%s).") % form.motif_text())
            return redirect("tracing:fiche", pk=fiche.pk)
    elif request.method == "POST":
        status = 400
    if not statuses.is_allowed(fiche.statut, Statut.CLOTURE) and status == 200:
        messages.info(request, _("Cette fiche ne peut pas être clôturée."))
        return redirect("tracing:fiche", pk=fiche.pk)
    context = {"fiche": fiche, "form": form}
    return render(request, "tracing/fiche_cloture.html", context, status=status)


def _update_context(form, fiche):
    return {
        "form": form,
        "fiche": fiche,
        "origine": fiche.origine if not fiche.is_patient_zero else None,
        "title": _("Modifier la fiche"),
        "cancel_url": reverse("tracing:fiche", args=[fiche.pk]),
        "can_draft": fiche.brouillon,
        "can_lookup": False,
    }


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@medecin_required
def formulaire_contact(request, pk):
    fiche = get_fiche_for_user(request.user, pk)
    audit_log(
        actor=request.user, action="fiche.viewed", obj=fiche, data={"format": "pdf"},
        request=request,
    )  # fmt: skip
    pdf = formulaire_contact_pdf(fiche=fiche, medecin=request.user)
    return _pdf_response(pdf, "formulaire-de-contact.pdf")


@medecin_required
def formulaire_contact_vierge(request):
    pdf = formulaire_contact_pdf(fiche=None, medecin=request.user)
    return _pdf_response(pdf, "formulaire-de-contact.pdf")


@require_POST
@medecin_required
def formulaire_contact_envoyer(request, pk):
    """Teleconsultation: the form goes to the patient's e-mail, as a PDF attachment."""
    fiche = get_fiche_for_user(request.user, pk, write=True)
    try:
        services.formulaire_contact_send(
            fiche=fiche,
            user=request.user,
            pdf=formulaire_contact_pdf(fiche=fiche, medecin=request.user),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Le formulaire de contact va être envoyé à %s.") % fiche.email)
    return redirect("tracing:fiche", pk=fiche.pk)
