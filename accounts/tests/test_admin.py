import pytest
from django.urls import reverse

from accounts.models import SecurityEvent
from tests.factories import LieuExerciceFactory


@pytest.mark.parametrize(
    "model", ["user", "professionnel", "caisse", "securityevent", "courrierpostal"]
)
def test_admin_lists_the_accounts_models(admin_client, docteur, model):
    response = admin_client.get(reverse(f"admin:accounts_{model}_changelist"))

    assert response.status_code == 200


def test_admin_opens_an_account_and_a_professional_with_its_practice_places(admin_client, docteur):
    user_page = admin_client.get(reverse("admin:accounts_user_change", args=[docteur.pk]))
    pro_page = admin_client.get(
        reverse("admin:accounts_professionnel_change", args=[docteur.professionnel_id])
    )

    assert user_page.status_code == 200
    assert "Compte bloqué jusqu" in user_page.content.decode()
    assert "931234561" in pro_page.content.decode()


def test_admin_cannot_delete_the_referentiel_nor_the_security_journal(admin_client, docteur):
    lieu = LieuExerciceFactory()
    event = SecurityEvent.objects.create(user=docteur, action=SecurityEvent.Action.SIGNED_IN)

    pro = admin_client.get(
        reverse("admin:accounts_professionnel_delete", args=[lieu.professionnel_id])
    )
    journal = admin_client.get(reverse("admin:accounts_securityevent_delete", args=[event.pk]))

    assert pro.status_code == 403
    assert journal.status_code == 403
    with pytest.raises(PermissionError):
        event.delete()
