"""« Saisie rapide » (issue 13): several contacts of a patient zéro in one table, for the doctor
and the conseiller. Each line is checked like the single form; nothing is saved while a line is
in error (one transaction), and every line comes back as typed with its message."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fiches import services
from fiches.forms import SAISIE_RAPIDE_MAX, ContactsRapidesFormSet
from fiches.models import DomainError
from tracing import submissions


def page(request, origine, *, back_url):
    if not origine.is_patient_zero or origine.brouillon:
        messages.info(request, _("Les contacts s'ajoutent à un patient zéro validé."))
        return redirect(back_url)
    try:
        lignes = min(max(int(request.GET.get("lignes", 5)), 1), SAISIE_RAPIDE_MAX)
    except ValueError:
        lignes = 5
    # A subclass per request: the number of empty lines is this page's, never shared.
    formset_class = type("ContactsRapides", (ContactsRapidesFormSet,), {"extra": lignes})
    formset = formset_class(request.POST or None, origine=origine, prefix="contacts")
    status = 200
    if request.method == "POST":
        if formset.is_valid() and formset.filled():
            rows = [form.domain_data() for form in formset.filled()]

            def create():
                services.contacts_create(user=request.user, origine=origine, rows=rows)
                return back_url

            try:
                url = submissions.once(request, create)
            except submissions.Duplicate as duplicate:
                return submissions.already_landed(request, duplicate)
            except DomainError as error:
                formset.non_form_errors().append(error.message)
                status = 400
            else:
                messages.success(
                    request,
                    ngettext("%d personne contact ajoutée.", "%d personnes contacts ajoutées.",
                             len(rows)) % len(rows),
                )  # fmt: skip
                return redirect(url)
        else:
            status = 400
            if formset.is_valid():
                formset.non_form_errors().append(_("Remplissez au moins une ligne."))
    context = {"formset": formset, "origine": origine, "back_url": back_url,
               "max": SAISIE_RAPIDE_MAX}  # fmt: skip
    return render(request, "tracing/saisie_rapide.html", context, status=status)
