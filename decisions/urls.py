from django.urls import path
from django.views.decorators.http import require_safe

from decisions import alert_views, api, views
from decisions.feeds import DecisionFeed

app_name = "decisions"

urlpatterns = [
    path("", views.home, name="home"),
    path("decisions/", views.decision_list, name="list"),
    path("decisions/export.csv", views.export_csv, name="export_csv"),
    path("decisions/export.json", views.export_json, name="export_json"),
    path("decisions/feed.atom", require_safe(DecisionFeed()), name="feed"),
    path("decisions/<str:reference>/", views.decision_detail, name="detail"),
    path("alerts/new/", alert_views.subscribe, name="alert_subscribe"),
    path("alerts/sent/", alert_views.sent, name="alert_sent"),
    path("alerts/confirm/<str:token>/", alert_views.confirm, name="alert_confirm"),
    path("alerts/manage/<str:token>/", alert_views.manage, name="alert_manage"),
    path("alerts/unsubscribe/<str:token>/", alert_views.unsubscribe, name="alert_unsubscribe"),
    path("councils/", views.council_index, name="councils"),
    path("councils/compare/", views.compare_organisations, name="compare"),
    path("councils/<slug:slug>/", views.council_detail, name="council"),
    path("categories/<slug:slug>/", views.category_detail, name="category"),
    path("categories/<slug:slug>/<slug:subslug>/", views.category_detail, name="subcategory"),
    path("api/", api.index, name="api"),
    path("api/decisions/", api.decision_list, name="api_decisions"),
    path("api/decisions/<str:reference>/", api.decision_detail, name="api_decision"),
    path("api/councils/", api.council_list, name="api_councils"),
    path("api/categories/", api.category_list, name="api_categories"),
    path("api/remedies/", api.remedies, name="api_remedies"),
    path("remedies/", views.remedy_explorer, name="remedies"),
    path("about/", views.about, name="about"),
    path("help/search/", views.help_search, name="help_search"),
    path("help/terms/", views.help_terms, name="help_terms"),
    path("api/docs/", views.api_docs, name="api_docs"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("healthz", views.healthz, name="healthz"),
]
