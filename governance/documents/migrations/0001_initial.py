"""The generated documents and templates move here from the decisions app: the models enter this app's state
on the tables they already have (no database change). See decisions 0005 and documents 0002."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import governance.documents.models

KINDS = [
    ("memo", "Tjänsteutlåtande"),
    ("consultation_response", "Remissvar"),
    ("compilation", "Sammanställning av remissvar"),
    ("agreement", "Avtal med kostnadsbilaga"),
    ("notice", "Kallelse med föredragningslista"),
    ("minutes", "Protokoll"),
    ("extract", "Protokollsutdrag"),
]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("decisions", "0004_digest_week_label"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DocumentTemplate",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(choices=KINDS, max_length=30, verbose_name="dokument")),
                        ("file", models.FileField(upload_to=governance.documents.models.template_upload_path)),
                        ("sha256", models.CharField(max_length=64)),
                        ("original_name", models.CharField(max_length=200, verbose_name="filnamn")),
                        ("uploaded_by_name", models.CharField(max_length=300, verbose_name="uppladdad av")),
                        (
                            "uploaded_at",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="uppladdad"),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="används")),
                    ],
                    options={
                        "verbose_name": "dokumentmall",
                        "verbose_name_plural": "dokumentmallar",
                        "ordering": ["kind", "-uploaded_at"],
                        "db_table": "decisions_documenttemplate",
                    },
                ),
                migrations.CreateModel(
                    name="GeneratedDocument",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(choices=KINDS, max_length=30, verbose_name="dokument")),
                        (
                            "subject_key",
                            models.CharField(
                                help_text="e.g. case:12, response:3, consultation:1, agreement:2",
                                max_length=60,
                                verbose_name="avser",
                            ),
                        ),
                        ("version", models.PositiveIntegerField(verbose_name="version")),
                        ("request_key", models.UUIDField(unique=True)),
                        ("batch_key", models.UUIDField(blank=True, db_index=True, null=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "I kö"),
                                    ("running", "Skapas"),
                                    ("done", "Klar"),
                                    ("failed", "Misslyckades"),
                                ],
                                default="queued",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        ("error", models.TextField(blank=True, verbose_name="orsak")),
                        ("params", models.JSONField(blank=True, default=dict)),
                        ("template_name", models.CharField(blank=True, max_length=200)),
                        ("template_sha256", models.CharField(blank=True, max_length=64)),
                        (
                            "file",
                            models.FileField(blank=True, upload_to=governance.documents.models.generated_path),
                        ),
                        (
                            "pdf",
                            models.FileField(blank=True, upload_to=governance.documents.models.generated_path),
                        ),
                        ("pdf_note", models.CharField(blank=True, max_length=300)),
                        ("sha256", models.CharField(blank=True, max_length=64)),
                        ("created_by_name", models.CharField(max_length=300, verbose_name="skapad av")),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="skapad"),
                        ),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "case",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="decisions.adoptioncase",
                                verbose_name="ärende",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "genererat dokument",
                        "verbose_name_plural": "genererade dokument",
                        "ordering": ["-created_at", "-version"],
                        "db_table": "decisions_generateddocument",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("subject_key", "kind", "version"), name="one_version_number_per_subject"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
