#!/usr/bin/env python3
"""Data for scripts/readers-test.sh, through Rondone's HTTP API (standard library only).

    data.py populate URL STATE SACKS  policies (percentiles and rate: methods, so packs spell
                                 names out), metrics, three rounds of measures each
                                 processed in turn (buffers and packs rewritten: the log
                                 holds superseded records; retention drops old splits),
                                 a deleted metric; STATE (JSON) keeps the ids
    data.py waiting URL STATE    against `serve --workers 0`: measures left waiting, an
                                 and a refresh (a consumed record) with
                                 measures posted after it
"""

import base64
import http.client
import json
import sys
import time
import urllib.parse
import uuid

AUTH = "Basic " + base64.b64encode(b"admin:").decode()
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
POLICIES = [
    {"name": "readers-pct", "back_window": 0,
     "definition": [{"granularity": "1s", "timespan": "2h"}, {"granularity": "1m", "timespan": "1d"}],
     "aggregation_methods": ["mean", "max", "95pct", "rate:mean", "rate:95pct", "std"]},
    {"name": "readers-plain", "back_window": 0,
     "definition": [{"granularity": "10s", "timespan": "1d"}],
     "aggregation_methods": ["min", "count", "last", "sum", "median"]},
]


class API:
    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)

    def call(self, method, path, body=None, expect=(200, 201, 202, 204)):
        headers = {"Authorization": AUTH}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        text = response.read()
        if response.status not in expect:
            raise SystemExit(f"{method} {path}: {response.status} {text[:300]!r}")
        return json.loads(text) if text else None

    def drain(self, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.call("GET", "/v1/status?details=false")["storage"]["summary"]["measures"] == 0:
                return
            time.sleep(0.2)
        raise SystemExit("the backlog did not drain")


def measures(metric_number, first, last, step):
    """Points every `step` s in [first, last) s after T0, values of varied shapes."""
    points = []
    for t in range(first, last, step):
        if metric_number % 3 == 0:
            value = round(((t * 7919) % 1000) / 10.0, 1)  # decimal gauge
        elif metric_number % 3 == 1:
            value = float(t * 3 + metric_number)  # counter
        else:
            value = ((t * 2654435761) % 1000003) / 7.0 - 50000  # long doubles
        points.append({"timestamp": T0 + t, "value": value})
    return points


def populate(api, state_path, sacks):
    for policy in POLICIES:
        api.call("POST", "/v1/archive_policy", policy)
    metrics = []
    for i in range(12):
        policy = POLICIES[i % 2]["name"] if i < 10 else "low"
        metrics.append(api.call("POST", "/v1/metric", {"archive_policy_name": policy, "name": f"r{i}"})["id"])
    doomed = api.call("POST", "/v1/metric", {"archive_policy_name": "readers-pct"})["id"]
    # Three rounds, each processed before the next: every round rewrites the buffers and
    # the packs of the last split (superseded records), and the 2 h retention of 1 s
    # drops the first splits once the third round reaches past it.
    for round_number, (first, last) in enumerate([(0, 3600), (3600, 7600), (7600, 11000)]):
        body = {m: measures(n, first + n, last, 3 + n % 4) for n, m in enumerate(metrics)}
        if round_number == 0:
            body[doomed] = measures(0, 0, 3600, 5)
        api.call("POST", "/v1/batch/metrics/measures", body)
        api.drain()
        if round_number == 0:
            api.call("DELETE", f"/v1/metric/{doomed}")
    with open(state_path, "w") as handle:
        json.dump({"metrics": metrics, "deleted": doomed, "sacks": int(sacks)}, handle)


def waiting(api, state_path):
    with open(state_path) as handle:
        state = json.load(handle)
    metrics = state["metrics"]
    for n, m in enumerate(metrics[:6]):
        api.call("POST", f"/v1/metric/{m}/measures", measures(n, 11000, 11300, 7))
        api.call("POST", f"/v1/metric/{m}/measures", measures(n, 11300, 11400, 11))
    # A refresh processes metric 7's waiting measures in the API and appends a consumed
    # record; the measures posted after it wait behind that record. A companion metric in
    # the same sack (`serve --sacks 4`) waits from before it, so the segment holding the
    # consumed record is not reclaimed.
    refreshed = metrics[7]
    sacks = state["sacks"]
    sack = uuid.UUID(refreshed).int % sacks
    companion = next((m for m in metrics[:7] + metrics[8:] if uuid.UUID(m).int % sacks == sack), None)
    while companion is None:
        created = api.call("POST", "/v1/metric", {"archive_policy_name": "low"})["id"]
        companion = created if uuid.UUID(created).int % sacks == sack else None
    api.call("POST", f"/v1/metric/{companion}/measures", measures(1, 11000, 11100, 9))
    api.call("POST", f"/v1/metric/{refreshed}/measures", measures(7, 11000, 11200, 5))
    api.call("GET", f"/v1/metric/{refreshed}/measures?refresh=true&aggregation=count")
    api.call("POST", f"/v1/metric/{refreshed}/measures", measures(7, 11200, 11300, 5))


if __name__ == "__main__":
    {"populate": populate, "waiting": waiting}[sys.argv[1]](API(sys.argv[2]), *sys.argv[3:])
