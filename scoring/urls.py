from django.urls import path

from scoring.views import grid, ranking, workspace

app_name = "scoring"
urlpatterns = [
    path("", workspace.DashboardView.as_view(), name="dashboard"),
    path("dossiers/<int:pk>/", workspace.WorkspaceView.as_view(), name="dossier"),
    path("dossiers/<int:pk>/mon-evaluation/", workspace.ReviewView.as_view(), name="review"),
    path("dossiers/<int:pk>/relecteurs/", workspace.AssignView.as_view(), name="assign"),
    path(
        "dossiers/<int:pk>/relecteurs/<int:user_id>/retirer/",
        workspace.UnassignView.as_view(),
        name="unassign",
    ),
    path("dossiers/<int:pk>/conflit/", workspace.ConflictView.as_view(), name="conflict"),
    path("dossiers/<int:pk>/commentaires/", workspace.CommentView.as_view(), name="comment"),
    path(
        "dossiers/<int:pk>/depots/<int:a>/<int:b>/",
        workspace.SnapshotDiffView.as_view(),
        name="diff",
    ),
    path("campagnes/<slug:slug>/classement/", ranking.RankingView.as_view(), name="ranking"),
    path("campagnes/<slug:slug>/grille/", grid.GridView.as_view(), name="grid"),
]
