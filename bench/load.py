"""A bounded load from this process against a server on loopback: a mix of real pages.

    python bench/load.py http://127.0.0.1:8765 urls.txt --seconds 30 --concurrency 8

First each distinct URL is requested once (unless --no-warmup), so that the figures are the
server's steady state; what a first visitor waits is measured by bench/latency.py ("first
request"). Then each thread keeps one HTTP/1.1 connection and requests URLs from the list in
a shuffled cycle until the time is up. Prints JSON: requests, errors (non-2xx/3xx or failures),
requests per second and latency percentiles. Only loopback addresses are accepted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import threading
import time
from urllib.parse import urlsplit

LOOPBACK = ("127.", "localhost", "[::1]", "::1")


def worker(host: str, port: int, urls: list[str], deadline: float, seed: int, out: list, errors: list,
           once: bool = False) -> None:
    rng = random.Random(seed)
    order = urls[:]
    if not once:
        rng.shuffle(order)
    connection = http.client.HTTPConnection(host, port, timeout=30)
    index = 0
    while time.monotonic() < deadline and not (once and index >= len(order)):
        url = order[index % len(order)]
        index += 1
        started = time.perf_counter()
        try:
            connection.request("GET", url, headers={"Host": "localhost"})
            response = connection.getresponse()
            response.read()
            if response.status >= 400:
                errors.append(f"{response.status} {url}")
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"{type(error).__name__} {url}")
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
        out.append((time.perf_counter() - started) * 1000)
    connection.close()


def run(base: str, urls: list[str], seconds: float, concurrency: int, warmup: bool = True,
        each_once: bool = False) -> dict:
    parts = urlsplit(base)
    if not (parts.hostname or "").startswith(LOOPBACK) and parts.hostname not in ("localhost", "::1"):
        raise SystemExit("load tests target this machine's loopback addresses only")
    timings: list[float] = []
    errors: list[str] = []
    if warmup:
        worker(parts.hostname, parts.port or 80, sorted(set(urls)), float("inf"), 0, [], errors, once=True)
    deadline = time.monotonic() + seconds
    # each_once: the threads share the list out, so no URL is asked twice (distinct searches).
    threads = [threading.Thread(target=worker, args=(parts.hostname, parts.port or 80,
                                                     urls[n::concurrency] if each_once else urls, deadline, n,
                                                     timings, errors, each_once)) for n in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    timings.sort()

    def percentile(p):
        return round(timings[min(len(timings) - 1, int(len(timings) * p))], 1) if timings else None

    return {"requests": len(timings), "errors": len(errors), "error_samples": errors[:5],
            "seconds": round(elapsed, 1), "rps": round(len(timings) / elapsed, 1),
            "p50_ms": percentile(0.5), "p95_ms": percentile(0.95), "concurrency": concurrency, "warmed_up": warmup,
            "each_url_once": each_once}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("urls")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--no-warmup", dest="warmup", action="store_false",
                        help="start timing at once, with whatever the server has cached")
    parser.add_argument("--each-once", action="store_true",
                        help="ask each URL at most once (the threads share the list out), as distinct searches")
    args = parser.parse_args()
    with open(args.urls, encoding="utf-8") as handle:
        urls = [line.strip() for line in handle if line.strip()]
    print(json.dumps(run(args.base, urls, args.seconds, args.concurrency, args.warmup, args.each_once)))


if __name__ == "__main__":
    main()
