"""The start of each city's current score period, indexed: what changed through today reads
the cities whose current period began after a day from it."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cities', '0008_city_sort_indexes'),
        ('commitments', '0028_approved_updates_by_city_covers_nothing'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='scoreperiod',
            index=models.Index(condition=models.Q(('public_until', None)), fields=['city', 'public_from'], name='current_score_period_start'),
        ),
    ]
