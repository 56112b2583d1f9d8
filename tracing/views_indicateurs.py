"""« Tableau de bord » (issue 13): the indicators of a perimeter (admin: the country or a
région; agent ARS: its région; conseiller: its départements), read from the daily rollup only,
and the doctor's small version over their own fiches."""

import csv
from datetime import timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.visits import previous_sign_in
from contactcovid.routers import lectures_differees
from fiches import selectors, selectors_indicateurs
from fiches.geography import region_name
from tracing import charts
from tracing import selectors as tracing_selectors
from tracing.forms import PeriodeForm
from tracing.policy import (
    fiches_visible_to,
    indicateurs_perimetre,
    regions_connues,
    role_required,
)

ROLES = (Role.MEDECIN, Role.CONSEILLER, Role.ARS, Role.ADMIN)
RESULTATS_JOURS = 7  # without a previous sign-in, the results of the last week


@role_required(*ROLES)
def tableau_de_bord(request):
    if request.user.has_role(Role.MEDECIN):
        return _medecin(request)
    form, tableau = _tableau(request)
    context = {"form": form, "tableau": tableau, "sans_perimetre": tableau is None}
    if tableau is not None:
        context |= {
            "graphiques": _graphiques(tableau),
            "clusters": _clusters_ouverts(tableau.perimetre),
            "export_query": request.GET.urlencode(),
        }
    return render(request, "tracing/indicateurs.html", context)


@role_required(Role.CONSEILLER, Role.ARS, Role.ADMIN)
def export_csv(request):
    form, tableau = _tableau(request, export=True)
    if tableau is None or (form.is_bound and not form.is_valid()):
        # Never the default period under the name of the one asked: the page says what is wrong.
        context = {"form": form, "tableau": None, "sans_perimetre": tableau is None}
        return render(request, "tracing/indicateurs.html", context,
                      status=400 if tableau is not None else 200)  # fmt: skip
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"indicateurs-{tableau.du:%Y%m%d}-{tableau.au:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # Excel opens UTF-8 with its BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow(EXPORT_COLUMNS)
    for ligne in [*tableau.jours, *tableau.zones_jours]:
        libelle = ligne.libelle or tableau.perimetre.libelle
        writer.writerow(_export_row(libelle, ligne))
    return response


EXPORT_COLUMNS = [
    "Jour", "Zone", "Patients zéro déclarés", "Contacts devenus patients zéro",
    "Nouveaux patients zéro", "Nouveaux contacts", "Contacts par patient zéro",
    "Contacts joints en 24 h", "Part des contacts joints en 24 h (%)",
    "Délai médian jusqu'au premier appel (min, à 15 min près le premier jour)",
    "Part des nouveaux patients zéro déjà contacts (%)", "File d'appels (dernier calcul du jour)",
    "Plus ancienne fiche en attente depuis",
]  # fmt: skip


def _number(value, digits=1):
    return "" if value is None else f"{value:.{digits}f}".replace(".", ",")


def _export_row(libelle, ligne):
    depuis = ligne.file_depuis
    return [
        f"{ligne.jour:%d/%m/%Y}", libelle, ligne.pz_declares, ligne.promotions,
        ligne.nouveaux_pz, ligne.contacts, _number(ligne.contacts_par_pz, 2), ligne.joints_24h,
        _number(ligne.part_24h), "" if ligne.delai_median is None else ligne.delai_median,
        _number(ligne.part_promotions), "" if ligne.file_taille is None else ligne.file_taille,
        timezone.localtime(depuis).strftime("%d/%m/%Y %H:%M") if depuis else "",
    ]  # fmt: skip


def _tableau(request, *, export=False):
    admin = request.user.has_role(Role.ADMIN)
    regions = [(code, region_name(code)) for code in regions_connues()] if admin else None
    form = PeriodeForm(request.GET, regions=regions)
    du, au, region = form.periode()
    perimetre = indicateurs_perimetre(request.user, region=region)
    if perimetre is None:
        return form, None
    with lectures_differees():  # figures a second behind are fine: the replica, if any
        return form, selectors_indicateurs.tableau(perimetre, du=du, au=au, export=export)


JOURS_MAX_PAR_JOUR = 92  # beyond, the charts show weeks (the CSV keeps the days)


def _clusters_ouverts(perimetre):
    with lectures_differees():
        return tracing_selectors.clusters_ouverts(perimetre)


def _graphiques(tableau):
    lignes = tableau.jours
    semaines = len(lignes) > JOURS_MAX_PAR_JOUR
    if semaines:
        lignes = selectors_indicateurs.par_semaine(lignes)
    jours = [ligne.jour for ligne in lignes]

    def values(attribute, scale=1.0):
        out = []
        for ligne in lignes:
            value = getattr(ligne, attribute)
            out.append(None if value is None else value * scale)
        return out

    serie = charts.Serie

    def chart(id, titre, *series, unite="", top=None):
        return charts.barres(id=id, titre=titre, jours=jours, series=list(series), unite=unite,
                             top=top, semaines=semaines)  # fmt: skip

    return [
        chart("nouveaux-pz", _("Nouveaux patients zéro"),
              serie(_("Déclarés"), "serie-1", values("pz_declares")),
              serie(_("Anciens contacts"), "serie-2", values("promotions"))),
        chart("nouveaux-contacts", _("Nouveaux contacts"),
              serie(_("Contacts"), "serie-1", values("contacts"))),
        chart("contacts-par-pz", _("Contacts par patient zéro"),
              serie(_("Contacts par patient zéro"), "serie-1", values("contacts_par_pz"))),
        chart("joints-24h", _("Contacts joints en 24 h (%)"),
              serie(_("Joints en 24 h"), "serie-3", values("part_24h")), unite="%", top=100),
        chart("delai-median", _("Délai médian jusqu'au premier appel (heures)"),
              serie(_("Délai médian"), "serie-1", values("delai_median", 1 / 60)), unite="h"),
        chart("part-promotions", _("Nouveaux patients zéro déjà connus comme contacts (%)"),
              serie(_("Part"), "serie-2", values("part_promotions")), unite="%", top=100),
        chart("file", _("File d'appels (au dernier calcul du jour)"),
              serie(_("Fiches en attente"), "serie-4", values("file_taille"))),
    ]  # fmt: skip


def _medecin(request):
    depuis = previous_sign_in(request)
    depuis_connexion = depuis is not None
    if depuis is None:
        depuis = timezone.now() - timedelta(days=RESULTATS_JOURS)
    resume = selectors.resume_medecin(fiches_visible_to(request.user), depuis=depuis)
    context = {"resume": resume, "depuis_connexion": depuis_connexion}
    return render(request, "tracing/indicateurs_medecin.html", context)
