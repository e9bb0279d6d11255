from django.urls import path

from commitments import advocate_views as views
from commitments import converters  # noqa: F401 (registers <state:> and <action:>)

app_name = "advocate"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("submissions/", views.submissions, name="submissions"),
    path("cities/<state:state>/<slug:slug>/", views.workspace, name="workspace"),
    path("cities/<state:state>/<slug:slug>/pledge/", views.pledge_outreach, name="pledge"),
    path("cities/<state:state>/<slug:slug>/actions/<action:code>/", views.action_row, name="row"),
    path(
        "cities/<state:state>/<slug:slug>/actions/<action:code>/propose/",
        views.propose,
        name="propose",
    ),
]
