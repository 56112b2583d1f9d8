"""« Sessions ouvertes » in Gestion de compte (issue 15, 4): the account's signed-in sessions,
this one marked, the others ended on request; a signed-out or expired one leaves the list."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from accounts.models import SecurityEvent, SessionOuverte
from fiches import retention

PASSWORD = "Cabinet-2020!x"
LOGIN, SECURITY = "/compte/connexion/", "/compte/securite/"


def signed_in(user, agent):
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_list_shows_each_session_and_ending_the_others_signs_them_out(docteur):
    docteur.set_password(PASSWORD)
    docteur.save()
    office = signed_in(docteur, "Firefox au cabinet")
    phone = signed_in(docteur, "Chrome sur le téléphone")

    html = office.get(SECURITY).content.decode()
    assert html.count("ouverte le") == 2
    assert "<strong>Cette session</strong>" in html and "Chrome sur le téléphone" in html

    done = office.post("/compte/securite/sessions/fermer/", follow=True)

    assert "Autres sessions fermées : 1." in done.content.decode()
    assert not phone.get("/").wsgi_request.user.is_authenticated
    assert office.get("/").wsgi_request.user == docteur
    assert docteur.security_events.filter(
        action=SecurityEvent.Action.OTHER_SESSIONS_ENDED).exists()  # fmt: skip
    assert SessionOuverte.objects.filter(user=docteur).count() == 1


def test_a_signed_out_session_leaves_the_list_and_an_old_row_is_forgotten(docteur):
    docteur.set_password(PASSWORD)
    docteur.save()
    office = signed_in(docteur, "Firefox")
    phone = signed_in(docteur, "Chrome")

    phone.post("/compte/deconnexion/")

    assert SessionOuverte.objects.filter(user=docteur).count() == 1
    assert office.get(SECURITY).content.decode().count("ouverte le") == 1
    SessionOuverte.objects.update(ouverte_le=timezone.now() - timedelta(days=2))
    retention.purge()
    assert not SessionOuverte.objects.exists()


def test_the_current_session_stays_listed_after_its_key_changes(docteur):
    docteur.set_password(PASSWORD)
    docteur.save()
    office = signed_in(docteur, "Firefox")
    session = office.session
    session.cycle_key()  # as a password change does
    session.save()
    office.cookies["sessionid"] = session.session_key

    html = office.get(SECURITY).content.decode()

    assert "<strong>Cette session</strong>" in html
    assert SessionOuverte.objects.get(user=docteur).cle == session.session_key
