"""A small stand-in for the Ombudsman's website, served over real HTTP on localhost.

Decision statements (the seed files) are rendered into pages of the structure the harvester
expects (see decisions/harvest/lgo_site.py): listings by date window with a total and paging, decision
pages with their header of label/value pairs and numbered paragraphs (numbered once through the
statement, as the site publishes them), robots.txt, ETags for conditional requests. Faults can
be scheduled: statuses to answer first for a path, a listing whose markup changed, a request
that stalls until released.
"""

from __future__ import annotations

import html
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from hashlib import sha256
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from django.utils.text import slugify

from decisions.statements.parser import ParsedDecision, parse_decision


def render_decision_page(parsed: ParsedDecision) -> str:
    """A decision page: organisation and reference, label/value header, summary, headed sections."""
    out = [f"<h1>{html.escape(parsed.organisation)} ({html.escape(parsed.reference)})</h1>", '<dl class="meta">']
    category = " > ".join(part for part in (parsed.category, parsed.subcategory) if part)
    for label, value in (("Category", category), ("Decision", parsed.outcome),
                         ("Decision date", parsed.decision_date.strftime("%d %b %Y") if parsed.decision_date else "")):
        if value:
            out.append(f'<div><dt class="label">{label}:</dt> <dd class="value">{html.escape(value)}</dd></div>')
    out.append("</dl>")
    out.append("<p>The Ombudsman&#39;s final decision:</p>")
    out.append(f"<h2>Summary</h2><p>{html.escape(parsed.summary)}</p>")
    counter = [0]
    for section in parsed.sections:
        if section.heading:
            out.append(f"<h2>{html.escape(section.heading)}</h2>")
        out.append(_render_paragraphs(section.paragraphs, counter))
        for subsection in section.subsections:
            out.append(f"<h3>{html.escape(subsection.heading)}</h3>")
            out.append(_render_paragraphs(subsection.paragraphs, counter))
        out.append('<p><a href="#top">Back to top</a></p>')
    return _page(parsed.reference, '<article id="article">' + "\n".join(out) + "</article>")


def _render_paragraphs(paragraphs, counter: list[int]) -> str:
    """Numbered paragraphs as one <ol start=N> per run (numbered through the statement); deeper
    levels as lists inside the item before; unnumbered paragraphs as <p>."""
    out: list[str] = []
    open_list = False
    open_nested = ""
    for paragraph in paragraphs:
        text = html.escape(paragraph.text)
        if paragraph.level == 0 and paragraph.style == "numbered":
            if open_nested:
                out.append(f"</{open_nested}>")
                open_nested = ""
            if open_list:
                out.append("</li>")
            else:
                out.append(f'<ol start="{counter[0] + 1}">')
                open_list = True
            counter[0] += 1
            out.append(f"<li><p>{text}</p>")
        elif paragraph.level >= 1 and open_list:
            tag = "ol" if paragraph.style == "numbered" else "ul"
            if open_nested != tag:
                if open_nested:
                    out.append(f"</{open_nested}>")
                out.append('<ol type="a">' if tag == "ol" else "<ul>")
                open_nested = tag
            out.append(f"<li>{text}</li>")
        else:
            if open_nested:
                out.append(f"</{open_nested}>")
                open_nested = ""
            if open_list:
                out.append("</li></ol>")
                open_list = False
            out.append(f"<p>{text}</p>")
    if open_nested:
        out.append(f"</{open_nested}>")
    if open_list:
        out.append("</li></ol>")
    return "\n".join(out)


def _page(title: str, main: str) -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            "<script>var tracking = 1;</script></head><body>"
            "<header><nav><a href='/'>Home</a> <a href='/decisions'>Decisions</a></nav>"
            "<div class='cookie-banner'>We use cookies. <button>Accept</button></div></header>"
            f"<main>{main}</main><footer>© Local Government and Social Care Ombudsman</footer></body></html>")


@dataclass
class FakeDecision:
    reference: str
    decided: date
    path: str
    body: str

    @property
    def etag(self) -> str:
        return '"' + sha256(self.body.encode()).hexdigest()[:16] + '"'


@dataclass
class FakeSite:
    """The site's content and its scheduled faults; the handler reads it, tests change it."""

    decisions: dict[str, FakeDecision] = field(default_factory=dict)
    robots: str = "User-agent: *\nAllow: /\n"
    faults: dict[str, list[tuple[int, dict]]] = field(default_factory=lambda: defaultdict(list))
    listing_markup_changed: bool = False
    stall_after: int | None = None  # decision pages answered before the next one stalls
    release: threading.Event = field(default_factory=threading.Event)
    stalled: threading.Event = field(default_factory=threading.Event)
    requests: list[tuple[str, dict, float]] = field(default_factory=list)  # path, headers, time.monotonic()
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, text: str) -> FakeDecision:
        parsed = parse_decision(text)
        path = "/decisions/{}/{}/{}".format(slugify(parsed.category) or "other", slugify(parsed.subcategory) or "other",
                                            parsed.reference.replace(" ", "-"))
        decision = FakeDecision(parsed.reference, parsed.decision_date, path, render_decision_page(parsed))
        self.decisions[path] = decision
        return decision

    def replace(self, path: str, body: str) -> None:
        self.decisions[path].body = body

    def paths_requested(self, prefix: str = "") -> list[str]:
        return [path for path, _, _ in self.requests if path.startswith(prefix)]

    def decision_requests(self) -> list[tuple[str, dict, float]]:
        return [request for request in self.requests if request[0].startswith("/decisions/")]

    def listing(self, query: dict) -> str:
        start, end = date.fromisoformat(query["fd"][0]), date.fromisoformat(query["td"][0])
        page = int(query.get("page", ["1"])[0])
        found = sorted((d for d in self.decisions.values() if start <= d.decided <= end),
                       key=lambda d: (d.decided, d.reference), reverse=True)
        shown = found[(page - 1) * 10: page * 10]
        if self.listing_markup_changed:
            items = "".join(f"<div class='result' data-ref='{d.reference}'>{d.reference}</div>" for d in shown)
        else:
            items = "".join(f"<li><a href='{d.path}'>{html.escape(d.reference)}</a> decided {d.decided}</li>"
                            for d in shown)
        pages = "".join(f"<a href='?fd={start}&td={end}&page={n}'>{n}</a> " for n in range(1, (len(found) + 9) // 10 + 1))
        return _page("Decisions", f"<p>Your search has {len(found):,} results</p><ul>{items}</ul><nav>{pages}</nav>")


class _Handler(BaseHTTPRequestHandler):
    site: FakeSite

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):  # noqa: N802 - the standard library's name
        site = self.server.site
        url = urlparse(self.path)
        with site.lock:
            site.requests.append((url.path, dict(self.headers), time.monotonic()))
            fault = site.faults[url.path].pop(0) if site.faults.get(url.path) else None
        if fault:
            status, headers = fault
            return self.answer(status, "<p>Temporarily unavailable</p>", headers)
        if url.path == "/robots.txt":
            return self.answer(200, site.robots, {"Content-Type": "text/plain"})
        if url.path == "/Decisions/SearchResults":
            return self.answer(200, site.listing(parse_qs(url.query)))
        decision = site.decisions.get(url.path)
        if decision is None:
            return self.answer(404, "<p>Not found</p>")
        with site.lock:
            served = sum(1 for path, _, _ in site.requests if path.startswith("/decisions/"))
        if site.stall_after is not None and served > site.stall_after:
            site.stalled.set()
            site.release.wait(timeout=60)
        if self.headers.get("If-None-Match") == decision.etag:
            return self.answer(304, "", {"ETag": decision.etag})
        return self.answer(200, decision.body, {"ETag": decision.etag,
                                                "Last-Modified": format_datetime(_noon(decision.decided), usegmt=True)})

    def answer(self, status: int, body: str, headers: dict | None = None):
        data = body.encode()
        self.send_response(status)
        headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if status != 304:
            self.wfile.write(data)


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


class FakeSiteServer:
    """Serves a FakeSite on a free localhost port in a background thread."""

    def __init__(self, site: FakeSite):
        self.site = site
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.site = site
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeSiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.site.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
