from django.urls import path

from budget.views import pages

app_name = "budget"
urlpatterns = [
    path("budget/", pages.BudgetHomeView.as_view(), name="home"),
    path("<slug:slug>/budget/", pages.BudgetDashboardView.as_view(), name="dashboard"),
    path(
        "<slug:slug>/budget/enveloppes/<str:kind>/",
        pages.EnvelopeAmendView.as_view(),
        name="amend_envelope",
    ),
    path("<slug:slug>/delegations/", pages.DelegationsView.as_view(), name="delegations"),
    path("dossiers/<int:pk>/proposition/", pages.ProposalView.as_view(), name="proposal"),
    path("dossiers/<int:pk>/decision/", pages.DecisionView.as_view(), name="decision"),
]
