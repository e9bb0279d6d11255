from django.urls import path

from commitments import official_views as views

app_name = "official"
urlpatterns = [
    path("", views.official_page, name="page"),
    path("disagreements/", views.disagreements_queue, name="queue"),
]
