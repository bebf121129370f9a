import datetime

from django.db import migrations


def create_default_policy(apps, schema_editor):
    RmSelectionPolicy = apps.get_model("managers", "RmSelectionPolicy")
    RmSelectionPolicy.objects.get_or_create(
        effective_from=datetime.date(2000, 1, 1),
        defaults={
            "min_years_experience": 3,
            "min_communication_score": 4,
            "default_capacity": 50,
            "training_valid_months": 12,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("managers", "0001_initial")]

    operations = [migrations.RunPython(create_default_policy, migrations.RunPython.noop)]
