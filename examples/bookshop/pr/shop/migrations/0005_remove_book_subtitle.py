from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0004_book_stock"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="book",
            name="subtitle",
        ),
    ]
