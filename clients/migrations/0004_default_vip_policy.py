import datetime
from decimal import Decimal

from django.db import migrations


def create_default_policy(apps, schema_editor):
    VipPolicy = apps.get_model("clients", "VipPolicy")
    VipPolicy.objects.get_or_create(
        version="2026.1",
        defaults={
            "effective_from": datetime.date(2000, 1, 1),
            "personal_asset_threshold": Decimal("1000000.00"),
            "corporate_asset_threshold": Decimal("5000000.00"),
            "min_trades": 5,
            "activity_months": 3,
            "min_relationship_years": 1,
            "grace_days": 90,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_client_total_assets")]

    operations = [migrations.RunPython(create_default_policy, migrations.RunPython.noop)]
