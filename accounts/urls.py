from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.SignInView.as_view(), name="login"),
    path("deconnexion/", views.SignOutView.as_view(), name="logout"),
    path("connexion/code/", views.code, name="code"),
    path("securite/sessions/fermer/", views.fermer_autres_sessions, name="fermer_sessions"),
    path(
        "securite/double-authentification/",
        views.double_authentification,
        name="double_authentification",
    ),  # fmt: skip
    path("pro-sante-connect/", views.psc_start, name="psc"),
    path("pro-sante-connect/retour/", views.psc_retour, name="psc_retour"),
    path("reprendre/", views.reprendre, name="reprendre"),
    path("rester-connecte/", views.rester_connecte, name="rester_connecte"),
    path("mot-de-passe-oublie/", views.password_forgotten, name="password_forgotten"),
    path("mot-de-passe-oublie/envoye/", views.password_reset_sent, name="reset_sent"),
    path("reinitialiser/<uidb64>/<token>/", views.password_reset_confirm, name="reset_confirm"),
    path("valider-email/<uidb64>/<token>/", views.email_validate, name="valider_email"),
    path("bienvenue/", views.welcome, name="bienvenue"),
    path("identifiants/", views.declare_identifiants, name="declarer_identifiants"),
    path("nouveau-mot-de-passe/", views.new_password, name="nouveau_mot_de_passe"),
    path("", views.account_informations, name="informations"),
    path("securite/", views.account_security, name="securite"),
    path("securite/email/", views.account_email, name="changer_email"),
    path("securite/mot-de-passe/", views.account_password, name="changer_mot_de_passe"),
    path("parametres/", views.account_settings, name="parametres"),
    path("creer/", views.create_start, name="create_start"),
    path("creer/cle-de-securite/", views.create_key, name="create_key"),
    path("creer/identifiants/", views.create_credentials, name="create_credentials"),
    path("creer/courrier/", views.create_postal, name="create_postal"),
    path("creer/confirmation/", views.create_done, name="create_done"),
]
