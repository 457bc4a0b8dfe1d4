#!/usr/bin/env python3
"""Apply insta's pending inline snapshots (tests/**/.*.pending-snap) to the test sources,
for machines without cargo-insta: run the tests with INSTA_UPDATE=always INSTA_FORCE_PASS=1,
then this script, then read the diff (`git diff tests/`) before committing.

Each pending entry names the line of the assertion; the first `@r"…"`/`@r#"…"#` (or `@"…"`)
literal at or after that line is replaced by the new snapshot, indented like the statement
(as insta writes them).
"""
import glob
import json
import os
import re
import sys


def literal(snapshot: str, indent: str) -> str:
    body = "\n".join((indent + line) if line else "" for line in snapshot.split("\n"))
    hashes = "#"
    while f'"{hashes}' in snapshot:
        hashes += "#"
    return f'@r{hashes}"\n{body}\n{indent}"{hashes}'


def apply(source: str, entries: list) -> None:
    with open(source) as f:
        lines = f.read().split("\n")
    text = "\n".join(lines)
    # Last line first, so earlier offsets stay valid.
    for entry in sorted(entries, key=lambda e: e["line"], reverse=True):
        start = sum(len(l) + 1 for l in lines[: entry["line"] - 1])
        m = re.compile(r'@(r(#*))?"').search(text, start)
        if not m:
            sys.exit(f"{source}:{entry['line']}: no inline snapshot found")
        if m.group(1):
            end = text.index('"' + m.group(2), m.end()) + 1 + len(m.group(2))
        else:
            # A plain literal: its closing quote is the first one not escaped.
            end = m.end()
            while text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            end += 1
        line_start = text.rfind("\n", 0, m.start()) + 1
        indent = re.match(r"\s*", text[line_start:]).group(0)
        text = text[: m.start()] + literal(entry["new"]["snapshot"], indent) + text[end:]
    with open(source, "w") as f:
        f.write(text)


def main() -> None:
    for pending in glob.glob("tests/**/.*.pending-snap", recursive=True):
        latest = {}
        with open(pending) as f:
            for raw in f:
                entry = json.loads(raw)
                # Assertions that matched are listed too, without a new snapshot.
                if entry.get("new"):
                    latest[entry["line"]] = entry
        source = os.path.join(os.path.dirname(pending), os.path.basename(pending)[1:-len(".pending-snap")])
        apply(source, list(latest.values()))
        os.remove(pending)
        print(f"applied {len(latest)} snapshot(s) to {source}")


if __name__ == "__main__":
    main()
