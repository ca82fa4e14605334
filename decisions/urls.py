from django.urls import path

from decisions import views

app_name = "decisions"

urlpatterns = [
    path("", views.home, name="home"),
    path("decisions/", views.decision_list, name="list"),
    path("decisions/<str:reference>/", views.decision_detail, name="detail"),
    path("councils/", views.council_index, name="councils"),
    path("councils/<slug:slug>/", views.council_detail, name="council"),
    path("categories/<slug:slug>/", views.category_detail, name="category"),
    path("categories/<slug:slug>/<slug:subslug>/", views.category_detail, name="subcategory"),
]
