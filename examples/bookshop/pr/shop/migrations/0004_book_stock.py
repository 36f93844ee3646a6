from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0003_book_published"),
    ]

    operations = [
        migrations.AddField(
            model_name="book",
            name="stock",
            field=models.IntegerField(default=0),
        ),
    ]
