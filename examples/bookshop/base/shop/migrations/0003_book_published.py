from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0002_book_subtitle"),
    ]

    operations = [
        migrations.AddField(
            model_name="book",
            name="published",
            field=models.DateField(null=True),
        ),
    ]
