from django.urls import path

from tracing import views

app_name = "tracing"

urlpatterns = [
    path("", views.home, name="home"),
    path("aide/", views.aide, name="aide"),
    path("fiches/nouveau-patient-zero/", views.patient_zero_create, name="patient_zero_create"),
    path("fiches/<int:pk>/", views.fiche_detail, name="fiche"),
    path("fiches/<int:pk>/modifier/", views.fiche_update, name="fiche_update"),
    path("fiches/<int:pk>/ajouter-contact/", views.contact_create, name="contact_create"),
    path(
        "fiches/<int:pk>/formulaire-de-contact.pdf",
        views.formulaire_contact,
        name="formulaire_contact",
    ),
    path(
        "fiches/<int:pk>/formulaire-de-contact/envoyer/",
        views.formulaire_contact_envoyer,
        name="formulaire_contact_envoyer",
    ),
    path(
        "fiches/formulaire-de-contact.pdf",
        views.formulaire_contact_vierge,
        name="formulaire_contact_vierge",
    ),
]
