from django.db import migrations, models


def first_rows(apps, schema_editor):
    """Generation 1 (every change) and 2 (the cost allocation's inputs): ``core.caching.ALL`` and ``COSTS``."""
    generations = apps.get_model("core", "DataGeneration").objects.using(schema_editor.connection.alias)
    for pk in (1, 2):
        generations.get_or_create(pk=pk, defaults={"value": 1})


class Migration(migrations.Migration):
    dependencies = [("core", "0006_outgoing_mail")]

    operations = [
        migrations.CreateModel(
            name="DataGeneration",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.BigIntegerField(default=0, verbose_name="generation")),
            ],
            options={"verbose_name": "datagenerering", "verbose_name_plural": "datagenereringar"},
        ),
        migrations.RunPython(first_rows, migrations.RunPython.noop),
    ]
