"""sitemap.xml: every published decision, organisation and category page."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Q
from django.urls import reverse

from decisions.models import Category, Council, Decision


class DecisionSitemap(Sitemap):
    limit = 10_000  # URLs per sitemap file; the index lists the files
    changefreq = "yearly"

    def items(self):
        return Decision.objects.published().only("reference", "updated_at").order_by("pk")

    def lastmod(self, decision):
        return decision.updated_at


class CouncilSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Council.objects.filter(decisions__is_published=True).distinct().only("slug").order_by("pk")


class CategorySitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        published = Q(decisions__is_published=True) | Q(subcategory_decisions__is_published=True)
        return Category.objects.filter(published).distinct().select_related("parent").order_by("pk")


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["decisions:home", "decisions:list", "decisions:councils"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"pages": PageSitemap, "decisions": DecisionSitemap, "councils": CouncilSitemap,
            "categories": CategorySitemap}
