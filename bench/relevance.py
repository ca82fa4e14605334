"""Does search find what people mean? Precision of the first five results for topic searches,
and for searches in complainants' own words.

    python bench/relevance.py [FOLDER] [--worst N]

Imports FOLDER (default ../shared/devset: decision .txt files with a ``manifest.json`` naming
each file's category and subcategory) into a scratch database, then searches the archive's
own results page as a reader would, typing a topic the way the Ombudsman names it: every
subcategory with at least MIN_TOPIC_SIZE decisions in the folder (lower case; the catch-all
"Other" is no topic), plus the field's synonyms and abbreviations below. A result is right
when it is filed under the topic. Precision is right results among the first five, out of
min(5, the topic's size). Prints every search's precision, the mean, and the worst searches
with what came back.

Plain words: when FOLDER has ``plain_queries.json`` (searches written as complainants describe
their case, each with the subcategory slugs a useful first page shows), each is searched the same
way; a result is right when it is filed under one of its topics, out of min(5, those topics'
size). Printed: each search's precision, the mean, how many answered nothing, the worst.

The database is a scratch SQLite file, or PostgreSQL when DATABASE_URL is set (``make
relevance`` runs both, PostgreSQL in a throwaway cluster).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_FOLDER = ROOT.parent / "shared" / "devset"
MIN_TOPIC_SIZE = 3
TOP = 5
TARGET = 0.80

# The words of the field for a topic, as an adviser would type them: (search, subcategory).
# Only those whose subcategory has MIN_TOPIC_SIZE decisions in the folder are run.
FIELD_SEARCHES = (
    ("asb", "Antisocial behaviour"),
    ("anti-social behaviour", "Antisocial behaviour"),
    ("nuisance neighbours", "Antisocial behaviour"),
    ("sen", "Special educational needs"),
    ("ehcp", "Special educational needs"),
    ("ehc plan", "Special educational needs"),
    ("hb", "Housing benefit and council tax benefit"),
    ("housing benefit", "Housing benefit and council tax benefit"),
    ("care home fees", "Charging"),
    ("care charges", "Charging"),
    ("bins", "Refuse and recycling"),
    ("refuse collection", "Refuse and recycling"),
    ("missed bin collections", "Refuse and recycling"),
    ("pcn", "Parking and other penalties"),
    ("parking fine", "Parking and other penalties"),
    ("penalty charge notice", "Parking and other penalties"),
    ("special guardianship", "Friends and family carers"),
    ("kinship care", "Friends and family carers"),
    ("foster carers", "Fostering"),
    ("children in care", "Looked after children"),
    ("care home", "Residential care"),
    ("care needs assessment", "Assessment and care plan"),
    ("homeless", "Homelessness"),
    ("homelesness", "Homelessness"),  # misspelt: still found, or suggested
    ("school appeal", "School admissions"),
    ("planning permission", "Planning applications"),
    ("planning enforcement", "Enforcement"),
    ("building regulations", "Building control"),
    ("council tax arrears", "Council tax"),
    ("burial", "Cemeteries and crematoria"),
    ("footpath", "Rights of way"),
    ("taxi licence", "Licensing"),
    ("noise nuisance", "Noise"),
    ("procurement", "Commercial and contracts"),
    ("leisure centre", "Leisure and culture"),
    ("child protection plan", "Child protection"),
    ("disabled child", "Disabled children"),
    ("alternative provision", "Alternative provision"),
)


@dataclass
class Search:
    text: str
    topic: str
    kind: str  # "topic" (the subcategory's own name) or "field" (a synonym or abbreviation)
    size: int
    got: list[tuple[str, str]] = field(default_factory=list)  # (reference, subcategory) of the first five

    @property
    def right(self) -> int:
        if self.kind == "plain":
            return sum(1 for _, subcategory in self.got if not subcategory.startswith("other: "))
        return sum(1 for _, subcategory in self.got if subcategory == self.topic)

    @property
    def precision(self) -> float:
        return min(1.0, self.right / min(TOP, self.size)) if self.size else 0.0


def topics(manifest: list[dict]) -> Counter:
    return Counter(item["subcategory"] for item in manifest if item.get("subcategory") and item["subcategory"] != "Other")


def searches(manifest: list[dict]) -> list[Search]:
    sizes = topics(manifest)
    found = [Search(name.lower(), name, "topic", n) for name, n in sorted(sizes.items()) if n >= MIN_TOPIC_SIZE]
    found += [Search(text, topic, "field", sizes[topic]) for text, topic in FIELD_SEARCHES
              if sizes.get(topic, 0) >= MIN_TOPIC_SIZE]
    return found


PLAIN_TARGET = 0.85


def plain_searches(folder: Path, manifest: list[dict]) -> list[Search]:
    """The plain-words searches of the folder, each with its topics (as slugs) and their size."""
    from django.utils.text import slugify

    path = folder / "plain_queries.json"
    if not path.exists():
        return []
    sizes = Counter(slugify(item["subcategory"]) for item in manifest if item.get("subcategory"))
    found = []
    for item in json.loads(path.read_text(encoding="utf-8"))["queries"]:
        slugs = tuple(item["topics"])
        found.append(Search(item["q"], "|".join(slugs), "plain", sum(sizes[slug] for slug in slugs)))
    return found


def run(folder: Path, client) -> list[Search]:
    """Each search through the archive's results page (an imported folder is assumed)."""
    from django.utils.text import slugify

    manifest = json.loads((folder / "manifest.json").read_text())
    subcategory_of = {item["reference"]: item.get("subcategory") for item in manifest}
    done = searches(manifest) + plain_searches(folder, manifest)
    for search in done:
        response = client.get("/decisions/", {"q": search.text}, SERVER_NAME="localhost")
        if response.status_code == 302:  # a reference goes straight to its decision: not a topic search
            continue
        page = response.context["page"]
        search.got = [(d.reference, subcategory_of.get(d.reference) or "") for d in list(page.object_list)[:TOP]]
        if search.kind == "plain":  # right when filed under any of its topics
            wanted = set(search.topic.split("|"))
            search.got = [(ref, sub if slugify(sub) in wanted else f"other: {sub}") for ref, sub in search.got]
    return done


def mean(done: list[Search], kind: str | None = None) -> float:
    chosen = [s for s in done if kind is None or s.kind == kind]
    return sum(s.precision for s in chosen) / len(chosen) if chosen else 0.0


def report(done: list[Search], vendor: str, worst: int) -> str:
    lines = [f"== relevance on {vendor}: precision of the first {TOP} (right / min({TOP}, topic size))"]
    for search in sorted(done, key=lambda s: (s.kind, s.text)):
        lines.append(f"  {search.precision:4.2f}  {search.kind:5}  {search.text!r:32} topic {search.topic!r} "
                     f"({search.size})")
    lines.append(f"\n== worst {worst}")
    for search in sorted(done, key=lambda s: (s.precision, s.text))[:worst]:
        got = ", ".join(f"{ref} [{sub or '?'}]" for ref, sub in search.got) or "nothing"
        lines.append(f"  {search.precision:4.2f} {search.text!r} (topic {search.topic!r}): {got}")
    named = [s for s in done if s.kind != "plain"]
    overall = mean(named)
    lines.append("")
    lines.append(f"relevance ({vendor}): mean precision@{TOP} {overall:.2f} over {len(named)} searches "
                 f"(topic names {mean(done, 'topic'):.2f}, words of the field {mean(done, 'field'):.2f}); "
                 f"target {TARGET:.2f} " + ("met" if overall >= TARGET else "NOT met"))
    plain = [s for s in done if s.kind == "plain"]
    if plain:
        nothing = sum(1 for s in plain if not s.got)
        plain_mean = mean(plain)
        met = plain_mean >= PLAIN_TARGET and not nothing
        lines.append(f"plain words ({vendor}): mean precision@{TOP} {plain_mean:.2f} over {len(plain)} searches, "
                     f"{nothing} answered nothing; target {PLAIN_TARGET:.2f} and none empty: "
                     + ("met" if met else "NOT met"))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    parser.add_argument("--worst", type=int, default=10)
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if not (folder / "manifest.json").exists():
        print(f"{folder} has no manifest.json", file=sys.stderr)
        return 2
    scratch = tempfile.mkdtemp(prefix="lgo-relevance-")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lgo_archive.settings")
    os.environ["DJANGO_SQLITE_PATH"] = str(Path(scratch) / "relevance.sqlite3")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from decisions.models import Decision

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        Decision.objects.all().delete()  # a scratch database: start from nothing
    call_command("import_decisions", str(folder), verbosity=0)
    setup_test_environment()  # so that each response carries the context its page was rendered from
    done = run(folder, Client())
    print(report(done, connection.vendor, args.worst))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
