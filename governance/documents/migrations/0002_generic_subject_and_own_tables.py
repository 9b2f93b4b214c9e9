"""A generated document's subject becomes generic (``subject_type`` + ``subject_id``, copied from ``case`` and
``subject_key``), its status a state machine, and both tables take this app's names. The content types move
from decisions to documents, so audit rows and permissions keep pointing at the same models."""

import django.db.models.deletion
import django_fsm
from django.db import migrations, models

MOVED = ("generateddocument", "documenttemplate")
#: subject_key prefix -> (app_label, model) of the subject.
SUBJECTS = {
    "case": ("decisions", "adoptioncase"),
    "response": ("decisions", "consultationresponse"),
    "consultation": ("decisions", "consultationround"),
    "agreement": ("agreements", "agreement"),
}


def content_types_move(apps, schema_editor, source="decisions", target="documents"):
    """Rename the content types, keeping their ids (audit rows and permissions point at them). A target row
    made meanwhile (``post_migrate`` of a partial run) is dropped first, unless audit rows already use it."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEvent = apps.get_model("core", "AuditEvent")
    for model in MOVED:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=target, model=model).first()
        if new is not None:
            if AuditEvent.objects.filter(content_type=new).exists():
                continue
            new.delete()
        old.app_label = target
        old.save(update_fields=["app_label"])


def content_types_back(apps, schema_editor):
    content_types_move(apps, schema_editor, source="documents", target="decisions")


def subjects_copy(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    GeneratedDocument = apps.get_model("documents", "GeneratedDocument")
    types = {}
    for document in GeneratedDocument.objects.all().iterator():
        prefix, _sep, number = document.subject_key.partition(":")
        if document.case_id is not None:
            prefix, number = "case", str(document.case_id)
        if prefix not in SUBJECTS or not number.isdigit():
            continue
        if prefix not in types:
            app_label, model = SUBJECTS[prefix]
            types[prefix], _created = ContentType.objects.get_or_create(app_label=app_label, model=model)
        GeneratedDocument.objects.filter(pk=document.pk).update(
            subject_type=types[prefix], subject_id=int(number)
        )


def subjects_back(apps, schema_editor):
    GeneratedDocument = apps.get_model("documents", "GeneratedDocument")
    for document in GeneratedDocument.objects.filter(subject_type__model="adoptioncase").iterator():
        GeneratedDocument.objects.filter(pk=document.pk).update(case_id=document.subject_id)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("documents", "0001_initial"),
        ("decisions", "0005_documents_moved"),
    ]

    operations = [
        migrations.AddField(
            model_name="generateddocument",
            name="subject_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="avser typ",
            ),
        ),
        migrations.AddField(
            model_name="generateddocument",
            name="subject_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(subjects_copy, subjects_back),
        migrations.RemoveField(model_name="generateddocument", name="case"),
        migrations.AddIndex(
            model_name="generateddocument",
            index=models.Index(fields=["subject_type", "subject_id"], name="document_subject_idx"),
        ),
        migrations.AlterField(
            model_name="generateddocument",
            name="status",
            field=django_fsm.FSMField(
                choices=[("queued", "I kö"), ("running", "Skapas"), ("done", "Klar"), ("failed", "Misslyckades")],
                default="queued",
                max_length=10,
                protected=True,
                verbose_name="status",
            ),
        ),
        migrations.AlterModelTable(name="generateddocument", table=None),
        migrations.AlterModelTable(name="documenttemplate", table=None),
        migrations.RunPython(content_types_move, content_types_back),
    ]
