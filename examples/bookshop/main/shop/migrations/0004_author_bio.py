from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0003_book_published"),
    ]

    operations = [
        migrations.AddField(
            model_name="author",
            name="bio",
            field=models.TextField(blank=True, null=True),
        ),
    ]
