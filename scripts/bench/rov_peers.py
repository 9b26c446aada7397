"""Times peer ROV implementations on the same classification as `manrs-plus validate`.

Usage: rov_peers.py roa-checker|rov VRPS.json ROUTES.csv[.gz]
Inputs are parsed before the clock starts (as the issue measured them); the timed part is
building the tool's index and classifying every announcement. Prints: seconds valid invalid notfound
"""
import csv
import gzip
import json
import sys
import time
from ipaddress import ip_network


def load(vrps_path, routes_path):
    with open(vrps_path) as f:
        roas = json.load(f)["roas"]
    vrps = []
    for r in roas:
        asn = r["asn"]
        asn = int(asn[2:]) if isinstance(asn, str) and asn.startswith("AS") else int(asn)
        vrps.append((r["prefix"], asn, int(r["maxLength"])))
    opener = gzip.open if routes_path.endswith(".gz") else open
    with opener(routes_path, "rt") as f:
        rows = csv.reader(f)
        next(rows)
        routes = [(p, int(a)) for p, a in rows]
    return vrps, routes


def with_roa_checker(vrps, routes):
    from roa_checker import ROA, ROAChecker

    networks = [(ip_network(p), a, m) for p, a, m in vrps]
    route_networks = [(ip_network(p), a) for p, a in routes]
    start = time.perf_counter()
    checker = ROAChecker()
    for net, asn, max_length in networks:
        checker.insert(net, ROA(net, asn, max_length))
    counts = {"valid": 0, "invalid": 0, "notfound": 0}
    for net, asn in route_networks:
        outcome = checker.get_roa_outcome(net, asn)
        name = outcome.validity.name
        counts["valid" if name == "VALID" else "notfound" if name == "UNKNOWN" else "invalid"] += 1
    return time.perf_counter() - start, counts


def with_rov(vrps, routes):
    import radix
    from rov import ROV

    start = time.perf_counter()
    rov = ROV()
    rov.roas = {"rpki": radix.Radix()}
    tree = rov.roas["rpki"]
    for prefix, asn, max_length in vrps:
        node = tree.search_exact(prefix) or tree.add(prefix)
        node.data.setdefault(asn, []).append({"maxLength": max_length, "ta": ""})
    counts = {"valid": 0, "invalid": 0, "notfound": 0}
    for prefix, asn in routes:
        status = rov.check(prefix, asn)["rpki"]["status"]
        counts["valid" if status == "Valid" else "notfound" if status == "NotFound" else "invalid"] += 1
    return time.perf_counter() - start, counts


if __name__ == "__main__":
    tool, vrps_path, routes_path = sys.argv[1:4]
    vrps, routes = load(vrps_path, routes_path)
    seconds, counts = (with_roa_checker if tool == "roa-checker" else with_rov)(vrps, routes)
    print(f"{seconds:.2f} {counts['valid']} {counts['invalid']} {counts['notfound']}")
