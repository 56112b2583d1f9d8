"""A platform's search by surname and first name within its départements (issue 14: 525 ms at
10 M fiches, reading every fiche of the surname prefix), built without blocking writes."""

from django.db import migrations, models

from contactcovid.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("fiches", "0012_index_concurrently"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="fiche",
            index=models.Index(
                fields=["departement", "nom_normalise", "prenom_normalise"],
                name="fiche_departement_nom",
                opclasses=["varchar_ops", "varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ),
    ]
