"""Agenda items link to what their paper was made from generically (``source_type`` + ``source_id``) instead of
foreign keys into decisions. The recommendation wins where an item had both (only the adoption summary set a
link, and it set the recommendation)."""

import django.db.models.deletion
from django.db import migrations, models

LINKS = (("recommendation", "recommendation_id"), ("adoptioncase", "case_id"))


def copy_links(apps, schema_editor):
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, field in LINKS:
        items = AgendaItem.objects.filter(**{f"{field}__isnull": False}, source_type__isnull=True)
        if not items.exists():
            continue
        content_type, _created = ContentType.objects.get_or_create(app_label="decisions", model=model)
        for item in items:
            item.source_type = content_type
            item.source_id = getattr(item, field)
            item.save(update_fields=["source_type", "source_id"])


def copy_links_back(apps, schema_editor):
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    for model, field in LINKS:
        for item in AgendaItem.objects.filter(source_type__app_label="decisions", source_type__model=model):
            setattr(item, field, item.source_id)
            item.save(update_fields=[field])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("meetings", "0004_validity_mixin"),
    ]

    operations = [
        migrations.AddField(
            model_name="agendaitem",
            name="source_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="agendaitem",
            name="source_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="underlag från",
            ),
        ),
        migrations.RunPython(copy_links, copy_links_back),
        migrations.RemoveField(model_name="agendaitem", name="case"),
        migrations.RemoveField(model_name="agendaitem", name="recommendation"),
    ]
