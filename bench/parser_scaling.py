"""Does the parser's time grow linearly with its input? Prints ms per KB at growing sizes.

    .venv/bin/python bench/parser_scaling.py

Each input is a seed statement whose body is repeated k times (and a few hostile shapes).
Linear means the 'ms per KB' column stays flat as the size grows.
"""

import contextlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from decisions.statements.parser import ParseError, parse_decision  # noqa: E402


def timed(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        with contextlib.suppress(ParseError):
            parse_decision(text)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    seed = (ROOT / "fixtures" / "001_d4f4acd28a890d02.txt").read_text(encoding="utf-8")
    head, body = seed.split("The complaint", 1)
    body = "The complaint" + body.split("Final decision")[0]
    title = "Kent County Council (19 012 345)\n\nSummary: x\n\n"
    shapes = {
        "statement body repeated": lambda k: head + body * k + "Final decision\n\n  1. Done.\n",
        "one huge line": lambda k: title + "The complaint\n\n  1. " + "word, " * (2000 * k) + "\n",
        "deeply indented items": lambda k: title + "The complaint\n\n" + "".join(
            " " * (i % 40) + "1. item text here.\n" for i in range(300 * k)),
        "thousands of headings": lambda k: title + "".join(f"Heading {i}\n\nText {i}.\n\n" for i in range(200 * k)),
    }
    print(f"{'input':28s} {'k':>4s} {'KB':>8s} {'ms':>9s} {'ms per KB':>10s}")
    for name, make in shapes.items():
        for k in (1, 4, 16, 64):
            text = make(k)
            ms = timed(text)
            kb = len(text.encode()) / 1024
            print(f"{name:28s} {k:4d} {kb:8.0f} {ms:9.1f} {ms / kb:10.3f}")


if __name__ == "__main__":
    main()
