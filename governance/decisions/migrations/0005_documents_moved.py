"""GeneratedDocument and DocumentTemplate now belong to the documents app (documents 0001): they leave this
app's state only; the tables stay until documents 0002 renames them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0004_digest_week_label"),
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="GeneratedDocument"),
                migrations.DeleteModel(name="DocumentTemplate"),
            ],
            database_operations=[],
        ),
    ]
