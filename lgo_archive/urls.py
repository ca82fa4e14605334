from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.http import require_safe

from decisions import views
from decisions.sitemaps import SITEMAPS

admin.site.site_header = "LGSCO decisions archive"
admin.site.site_title = "Archive admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    # GET and HEAD only, like every other public URL.
    path("sitemap.xml", require_safe(sitemap_views.index), {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap"}),
    path("sitemap-<section>.xml", require_safe(sitemap_views.sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    # Browsers ask for /favicon.ico whatever the page says: send them to the icon.
    path("favicon.ico", views.favicon),
    path("", include("decisions.urls")),
]
