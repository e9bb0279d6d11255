from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = "Commitments, progress and evidence"

    def ready(self):
        from django.db.models.signals import post_migrate, post_save

        from cities.models import City, CityQuerySet
        from commitments import caching
        from commitments.scores import stored_scores
        from commitments.services import refresh_scores_after_migrating, store_new_city_scores

        # City.objects.with_scores() reads the scores this app computes and stores.
        CityQuerySet.annotate_scores = stored_scores
        caching.connect()
        post_save.connect(store_new_city_scores, sender=City, dispatch_uid="new-city-scores")
        post_migrate.connect(refresh_scores_after_migrating, sender=self, dispatch_uid="scores")
