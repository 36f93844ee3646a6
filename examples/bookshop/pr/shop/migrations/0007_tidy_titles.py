from django.db import migrations


def tidy_titles(apps, schema_editor):
    Book = apps.get_model("shop", "Book")
    for book in Book.objects.all():
        book.title = book.title.strip().title()
        book.save(update_fields=["title"])


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0006_alter_book_price"),
    ]

    operations = [
        migrations.RunPython(tidy_titles, migrations.RunPython.noop),
    ]
