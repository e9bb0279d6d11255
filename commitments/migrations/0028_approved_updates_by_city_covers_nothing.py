"""The index of a city's approved updates no longer covers their action and status: the city's
score over time, which read them from it, now reads its score periods."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cities', '0008_city_sort_indexes'),
        ('commitments', '0027_score_period_ends'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='progressupdate',
            name='approved_updates_by_city',
        ),
        migrations.AddIndex(
            model_name='progressupdate',
            index=models.Index(models.F('city'), models.OrderBy(models.F('happened_on'), descending=True), models.OrderBy(models.F('reviewed_at'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('review_state', 'approved')), name='approved_updates_by_city'),
        ),
    ]
