from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = "Commitments, progress and evidence"

    def ready(self):
        from cities.models import CityQuerySet
        from commitments import caching
        from commitments.scores import annotate_scores

        # City.objects.with_scores() reads the scoring rules that live in this app.
        CityQuerySet.annotate_scores = annotate_scores
        caching.connect()
