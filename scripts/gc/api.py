#!/usr/bin/env python3
"""HTTP side of scripts/gc-test.sh: fills a data directory through the API, dumps what
every metric reads, compares two dumps. Standard library only.

    api.py populate URL STATE      policies, metrics, measures (processed), deletions,
                                   a shortened policy; STATE records the metric ids
    api.py dump URL STATE OUT      every live metric's measures, deleted ones' statuses
    api.py compare A B             exits 1 when the dumps differ
"""
import base64
import http.client
import json
import sys
import urllib.parse

AUTH = "Basic " + base64.b64encode(b"admin:").decode()
START = 1_700_000_000 // 3600 * 3600  # an hour boundary, in seconds


class Client:
    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)

    def request(self, method, path, body=None, expect=(200, 201, 202, 204)):
        headers = {"Authorization": AUTH}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        if expect and response.status not in expect:
            sys.exit(f"{method} {path}: {response.status} {text}")
        if response.status >= 300 or not text:
            return response.status, text
        return response.status, json.loads(text)


def iso(seconds):
    import datetime
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def populate(base, state_path):
    client = Client(base)
    for name in ("gc-long", "gc-short"):
        client.request("POST", "/v1/archive_policy", {
            "name": name, "aggregation_methods": ["mean", "max"],
            "definition": [{"granularity": "1s", "timespan": "4h"}, {"granularity": "60s", "timespan": "1d"}]})
    metrics = {}
    for role, policy in (("live1", "gc-long"), ("live2", "gc-long"), ("shortened", "gc-short"),
                         ("deleted1", "gc-long"), ("deleted2", "gc-long"), ("unknown", "gc-long")):
        _, metric = client.request("POST", "/v1/metric", {"archive_policy_name": policy, "name": role})
        metrics[role] = metric["id"]
    # 5 hours at one measure every 30 s, posted an hour at a time and processed each time,
    # as metricd would have as they came.
    for hour in range(5):
        for role, metric in metrics.items():
            measures = [{"timestamp": iso(START + hour * 3600 + i * 30), "value": (i * 7 + hour) % 101}
                        for i in range(120)]
            client.request("POST", f"/v1/metric/{metric}/measures", measures)
            client.request("GET", f"/v1/metric/{metric}/measures?refresh=true")
    for role in ("deleted1", "deleted2"):
        client.request("DELETE", f"/v1/metric/{metrics[role]}")
    # The shortened policy keeps one hour at 1 s now; nothing more is posted, so
    # processing never prunes what lies before.
    client.request("PATCH", "/v1/archive_policy/gc-short", {
        "definition": [{"granularity": "1s", "timespan": "1h"}, {"granularity": "60s", "timespan": "1d"}]})
    json.dump(metrics, open(state_path, "w"))


def dump(base, state_path, out):
    client = Client(base)
    metrics = json.load(open(state_path))
    result = {}
    for role, metric in sorted(metrics.items()):
        if role == "unknown":  # its index row is removed behind the server's back
            continue
        status, _ = client.request("GET", f"/v1/metric/{metric}", expect=None)
        if status != 200:
            result[role] = status
            continue
        for method in ("mean", "max"):
            for granularity in (1, 60):
                _, body = client.request(
                    "GET", f"/v1/metric/{metric}/measures?aggregation={method}&granularity={granularity}")
                result[f"{role} {method} {granularity}"] = body
    json.dump(result, open(out, "w"), sort_keys=True)
    points = sum(len(v) for v in result.values() if isinstance(v, list))
    print(f"dumped {len(result)} series, {points} points")


def compare(a, b):
    left, right = json.load(open(a)), json.load(open(b))
    if left != right:
        for key in sorted(set(left) | set(right)):
            if left.get(key) != right.get(key):
                print(f"differs: {key}")
        sys.exit(1)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "populate":
        populate(sys.argv[2], sys.argv[3])
    elif command == "dump":
        dump(sys.argv[2], sys.argv[3], sys.argv[4])
    elif command == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
