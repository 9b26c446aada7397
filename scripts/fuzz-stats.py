#!/usr/bin/env python3
# Reads schemathesis NDJSON reports (scripts/fuzz.sh writes one per role) and prints how many
# requests each run sent, and per operation the statuses it got: which operations the fuzzer
# reached past 404 (an unknown id) and 422 (a refused body), and which it did not.
#   scripts/fuzz-stats.py [--operations] REPORT.ndjson...
import collections, json, os, sys

document = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "openapi.json")))
templates = sorted(document["paths"], key=lambda t: t.count("{"))  # a literal segment beats a parameter

def operation(method, uri):
    path = "/" + uri.split("://", 1)[-1].split("/", 1)[-1].split("?")[0]
    segments = path.split("/")
    for template in templates:
        parts = template.split("/")
        if len(parts) == len(segments) and all(p.startswith("{") or p == s for p, s in zip(parts, segments)):
            # Methods the document does not list are schemathesis's probes for 405.
            return f"{method} {template}" if method.lower() in document["paths"][template] else "undocumented methods"
    return "undocumented paths"

def statuses(path):
    """Per operation label, a Counter of the response statuses (None for no response)."""
    result = collections.defaultdict(collections.Counter)
    for line in open(path):
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished: continue
        for interaction in (finished["recorder"].get("interactions") or {}).values():
            response = interaction.get("response")
            request = interaction["request"]
            result[operation(request["method"], request["uri"])][response["status_code"] if response else None] += 1
    return result

args = [a for a in sys.argv[1:] if not a.startswith("--")]
for path in args:
    counts = statuses(path)
    total = sum(sum(c.values()) for c in counts.values())
    print(f"{path}: {total} requests over {len(counts)} operations")
    if "--operations" in sys.argv:
        for label in sorted(counts):
            c = counts[label]
            print(f"  {label}: {sum(c.values())} ({', '.join(f'{s}: {n}' for s, n in sorted(c.items(), key=lambda i: str(i[0])))})")
