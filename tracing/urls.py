from django.urls import path

from tracing import (
    views,
    views_ars,
    views_imports,
    views_indicateurs,
    views_laboratoire,
    views_pharmacie,
    views_plateforme,
)

app_name = "tracing"

urlpatterns = [
    path("", views.home, name="home"),
    path("aide/", views.aide, name="aide"),
    path("tableau-de-bord/", views_indicateurs.tableau_de_bord, name="indicateurs"),
    path(
        "tableau-de-bord/indicateurs.csv", views_indicateurs.export_csv, name="indicateurs_export"
    ),
    path("fiches/nouveau-patient-zero/", views.patient_zero_create, name="patient_zero_create"),
    path("fiches/<int:pk>/", views.fiche_detail, name="fiche"),
    path("fiches/<int:pk>/modifier/", views.fiche_update, name="fiche_update"),
    path("fiches/<int:pk>/ajouter-contact/", views.contact_create, name="contact_create"),
    path("fiches/<int:pk>/saisie-rapide/", views.contacts_rapides, name="contacts_rapides"),
    # Import of a list of contacts (doctor and conseiller)
    path("fiches/<int:pk>/importer/", views_imports.importer, name="import_contacts"),
    path("imports/modele.csv", views_imports.modele, name="import_modele"),
    path("imports/<int:pk>/", views_imports.apercu, name="import_apercu"),
    path("imports/<int:pk>/confirmer/", views_imports.confirmer, name="import_confirmer"),
    path("fiches/<int:pk>/cloturer/", views.fiche_cloturer, name="fiche_cloturer"),
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
    # Conseiller plateforme
    path("plateforme/", views_plateforme.file_appels, name="plateforme_file"),
    path("plateforme/fiches/<int:pk>/", views_plateforme.fiche_detail, name="plateforme_fiche"),
    path("plateforme/fiches/<int:pk>/appel/", views_plateforme.appel, name="plateforme_appel"),
    path("plateforme/suivante/", views_plateforme.fiche_suivante, name="plateforme_suivante"),
    path(
        "plateforme/fiches/<int:pk>/saisie-rapide/",
        views_plateforme.contacts_rapides,
        name="plateforme_contacts_rapides",
    ),
    path(
        "plateforme/fiches/<int:pk>/liberer/", views_plateforme.liberer, name="plateforme_liberer"
    ),
    path("plateforme/fiches/<int:pk>/rappel/", views_plateforme.rappel, name="plateforme_rappel"),
    path(
        "plateforme/fiches/<int:pk>/meme-personne/",
        views_plateforme.meme_personne,
        name="plateforme_meme_personne",
    ),
    path(
        "plateforme/fiches/<int:pk>/telephone/",
        views_plateforme.telephone,
        name="plateforme_telephone",
    ),
    path(
        "plateforme/fiches/<int:pk>/cloturer/",
        views_plateforme.cloturer,
        name="plateforme_cloturer",
    ),
    path(
        "plateforme/fiches/<int:pk>/completer/",
        views_plateforme.fiche_enrich,
        name="plateforme_completer",
    ),
    path(
        "plateforme/nouveau-patient-zero/",
        views_plateforme.patient_zero_create,
        name="plateforme_patient_zero_create",
    ),
    path(
        "plateforme/fiches/<int:pk>/ajouter-contact/",
        views_plateforme.contact_create,
        name="plateforme_contact_create",
    ),
    # Biologiste
    path("laboratoire/", views_laboratoire.recherche, name="laboratoire_recherche"),
    path(
        "laboratoire/personnes/<int:pk>/",
        views_laboratoire.personne,
        name="laboratoire_personne",
    ),
    path(
        "laboratoire/personnes/<int:pk>/prelevement/",
        views_laboratoire.prelevement,
        name="laboratoire_prelevement",
    ),
    path(
        "laboratoire/personnes/<int:pk>/prelevements/<int:prelevement_pk>/resultat/",
        views_laboratoire.resultat,
        name="laboratoire_resultat",
    ),
    path(
        "laboratoire/personnes/<int:pk>/prelevements/<int:prelevement_pk>/correction/",
        views_laboratoire.correction,
        name="laboratoire_correction",
    ),
    # Pharmacien
    path("pharmacie/", views_pharmacie.recherche, name="pharmacie_recherche"),
    path("pharmacie/personnes/<int:pk>/", views_pharmacie.personne, name="pharmacie_personne"),
    path(
        "pharmacie/personnes/<int:pk>/masques/",
        views_pharmacie.masques,
        name="pharmacie_masques",
    ),
    # Agent ARS
    path("ars/", views_ars.collectivites, name="ars_collectivites"),
    path("ars/export.csv", views_ars.export_csv, name="ars_export"),
    path("ars/fiches/<int:pk>/", views_ars.fiche_detail, name="ars_fiche"),
    path("ars/clusters/", views_ars.clusters, name="ars_clusters"),
    path("ars/clusters/<int:pk>/", views_ars.cluster_detail, name="ars_cluster"),
    path("ars/clusters/<int:pk>/lier/", views_ars.cluster_lier, name="ars_cluster_lier"),
    path(
        "ars/clusters/<int:pk>/importer/",
        views_imports.importer_cluster,
        name="ars_cluster_import",
    ),
]
