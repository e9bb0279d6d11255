"""Following by email (`commitments.follow_views`): forms and signed links, in each language,
apart from the public pages (which only read, are cached and can be read as of a past day)."""

from django.urls import path

from commitments import follow_views

app_name = "follow"
urlpatterns = [
    path("", follow_views.follow, name="follow"),
    path("confirm/<str:token>/", follow_views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", follow_views.unsubscribe, name="unsubscribe"),
]
