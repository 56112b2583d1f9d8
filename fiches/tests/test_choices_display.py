"""get_<field>_display() answers as Django's, in the current language, known value or not."""

from django.db.models import Model
from django.utils import translation

from fiches.models import Fiche, StatusChange
from fiches.statuses import Statut


def test_each_status_shows_its_label_and_an_unknown_code_shows_itself():
    for statut in Statut:
        fiche = Fiche(statut=statut)
        assert fiche.get_statut_display() == Model._get_FIELD_display(
            fiche, Fiche._meta.get_field("statut")
        )
        assert fiche.get_statut_display() == str(statut.label)
    assert Fiche(statut="inconnu").get_statut_display() == "inconnu"
    assert StatusChange(from_statut="").get_from_statut_display() == ""


def test_the_label_follows_the_active_language():
    fiche = Fiche(statut=Statut.A_CONTACTER)
    with translation.override("fr"):
        french = fiche.get_statut_display()
    with translation.override("en"):
        other = fiche.get_statut_display()

    assert french == "À contacter"
    assert other == Model._get_FIELD_display(fiche, Fiche._meta.get_field("statut"))
