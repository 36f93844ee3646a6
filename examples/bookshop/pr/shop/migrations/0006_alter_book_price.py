from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0005_remove_book_subtitle"),
    ]

    operations = [
        migrations.AlterField(
            model_name="book",
            name="price",
            field=models.BigIntegerField(),
        ),
    ]
