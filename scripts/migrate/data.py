#!/usr/bin/env python3
"""Data for the migration test (scripts/migrate-test.sh), through Rondone's HTTP API.

    data.py populate URL     policies, a rule, a custom type (later changed), resources
                             with history, attached and standalone metrics, measures;
                             one metric and one resource deleted; waits for the backlog
    data.py waiting URL      more measures for half the metrics (run against a server
                             started with --workers 0: they stay waiting)
    data.py dump URL FILE [SKIP-POLICY]
                             waits for the backlog to drain, then writes everything the
                             API shows: policies, rules, types, every resource revision,
                             metrics, every aggregate of every metric (JSON), but the
                             aggregates of metrics of SKIP-POLICY (still being written)
    data.py compare A B      exit 1, printing the differences, unless the dumps are equal
    data.py count FILE KIND  how many resources / revisions / metrics a dump holds
    data.py revise URL       changes a resource with history (its new history row must
                             take a revision number after the moved ones)

Standard library only.
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


class API:
    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port
        self.connection = None

    def call(self, method, path, body=None, expect=(200, 201, 202, 204), content_type="application/json"):
        for attempt in range(3):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            headers = {"Authorization": AUTH}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = content_type
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                text = response.read()
            except (ConnectionError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
                continue
            if response.status not in expect:
                raise SystemExit(f"{method} {path}: {response.status} {text[:300]!r}")
            return json.loads(text) if text else None

    def drain(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            status = self.call("GET", "/v1/status?details=false")
            if status["storage"]["summary"]["measures"] == 0:
                return
            time.sleep(0.2)
        raise SystemExit("the backlog did not drain")


def measures(first, count, scale):
    return [{"timestamp": T0 + first + i, "value": round(scale * ((i * 7919) % 1000) / 10.0, 1)}
            for i in range(count)]


def populate(api):
    api.call("POST", "/v1/archive_policy", {
        "name": "migrate", "back_window": 1,
        "definition": [{"granularity": "1s", "timespan": "1h"}, {"granularity": "1m", "timespan": "1d"}],
        "aggregation_methods": ["mean", "max", "count", "sum", "rate:mean"]})
    api.call("POST", "/v1/archive_policy_rule",
             {"name": "disks", "metric_pattern": "disk.*", "archive_policy_name": "migrate"})
    api.call("POST", "/v1/resource_type", {"name": "host", "attributes": {
        "hostname": {"type": "string", "required": True, "max_length": 64},
        "cores": {"type": "number", "required": False, "min": 1, "max": 256},
        "up": {"type": "bool", "required": False}}})
    metrics = []
    for i in range(40):
        resource = api.call("POST", "/v1/resource/host", {
            "id": str(uuid.UUID(int=0x1000 + i)) if i % 10 else f"host-{i}",
            "user_id": f"user{i % 3}", "project_id": f"project{i % 4}",
            "started_at": "2026-01-01T00:00:00", "hostname": f"h{i}.example.org", "cores": 4,
            "metrics": {"cpu": {"archive_policy_name": "migrate"}, "disk.io": {}}})
        metrics += list(resource["metrics"].values())
        for change in range(i % 4):  # 0 to 3 history rows
            api.call("PATCH", f"/v1/resource/host/{resource['id']}",
                     {"cores": 8 + change, "up": change % 2 == 0})
    for i in range(20):
        body = {"id": str(uuid.UUID(int=0x2000 + i)), "metrics": {"m": {"archive_policy_name": "low"}}}
        if i == 5:
            body.update(started_at="2026-01-01T00:00:00", ended_at="2026-06-01T00:00:00")
        resource = api.call("POST", "/v1/resource/generic", body)
        metrics += list(resource["metrics"].values())
    for i in range(20):
        metric = api.call("POST", "/v1/metric", {"archive_policy_name": "medium" if i % 2 else "migrate",
                                                 "name": f"standalone{i}", "unit": "ms"})
        metrics.append(metric["id"])
    # A new attribute after the fact: every row, history rows too, gets its fill.
    api.call("PATCH", "/v1/resource_type/host",
             [{"op": "add", "path": "/attributes/rack", "value": {"type": "string", "required": False,
                                                                  "options": {"fill": "r1"}}}],
             content_type="application/json-patch+json")
    for start in range(0, len(metrics), 10):
        api.call("POST", "/v1/batch/metrics/measures",
                 {m: measures(0, 300, 1 + n % 5) for n, m in enumerate(metrics[start:start + 10])})
    api.call("DELETE", f"/v1/metric/{metrics[-1]}")
    api.call("DELETE", f"/v1/resource/generic/{uuid.UUID(int=0x2000 + 19)}")
    api.drain()


def waiting(api):
    listed = api.call("GET", "/v1/metric?limit=1000&sort=id:asc")
    ids = [m["id"] for m in listed][::2]
    for start in range(0, len(ids), 10):
        api.call("POST", "/v1/batch/metrics/measures",
                 {m: measures(290, 60, 2) for m in ids[start:start + 10]})
    status = api.call("GET", "/v1/status?details=false")
    if status["storage"]["summary"]["measures"] == 0:
        raise SystemExit("no measure is waiting: was the server started with --workers 0?")


def dump(api, skip_policy=None):
    api.drain()
    out = {
        "archive_policies": sorted(api.call("GET", "/v1/archive_policy"), key=lambda p: p["name"]),
        "rules": api.call("GET", "/v1/archive_policy_rule"),
        "resource_types": sorted(api.call("GET", "/v1/resource_type"), key=lambda t: t["name"]),
        "resources": api.call("GET", "/v1/resource/generic?details=true&limit=1000&sort=id:asc"),
        "revisions": api.call(
            "GET", "/v1/resource/generic?history=true&details=true&limit=1000&sort=id:asc&sort=revision:asc"),
        "metrics": api.call("GET", "/v1/metric?limit=1000&sort=id:asc"),
        "measures": {},
    }
    for metric in out["metrics"]:
        policy = metric["archive_policy"]
        if policy["name"] == skip_policy:
            continue
        for method in sorted(policy["aggregation_methods"]):
            for item in policy["definition"]:
                path = (f"/v1/metric/{metric['id']}/measures?aggregation={urllib.parse.quote(method)}"
                        f"&granularity={item['granularity']}&start=2025-12-31T00:00:00")
                out["measures"][f"{metric['id']} {method} {item['granularity']}"] = api.call("GET", path)
    return out


def revise(api):
    host = str(uuid.UUID(int=0x1000 + 3))  # three history rows
    api.call("PATCH", f"/v1/resource/host/{host}", {"cores": 99}, expect=(200,))
    history = api.call("GET", f"/v1/resource/host/{host}/history")
    if len(history) != 5 or history[-1]["cores"] != 99:
        raise SystemExit(f"after a change, the history of {host} is {history}")


def compare(a, b):
    differences = []
    for key in sorted(set(a) | set(b)):
        left, right = a.get(key), b.get(key)
        if isinstance(left, dict) and isinstance(right, dict):
            for sub in sorted(set(left) | set(right)):
                if left.get(sub) != right.get(sub):
                    differences.append(f"{key}[{sub}]: {str(left.get(sub))[:200]} != {str(right.get(sub))[:200]}")
        elif left != right:
            if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
                for n, (x, y) in enumerate(zip(left, right)):
                    if x != y:
                        differences.append(f"{key}[{n}]: {str(x)[:300]} != {str(y)[:300]}")
            else:
                differences.append(f"{key}: {str(left)[:300]} != {str(right)[:300]}")
    return differences


def main():
    command = sys.argv[1]
    if command == "populate":
        populate(API(sys.argv[2]))
    elif command == "waiting":
        waiting(API(sys.argv[2]))
    elif command == "dump":
        result = dump(API(sys.argv[2]), sys.argv[4] if len(sys.argv) > 4 else None)
        with open(sys.argv[3], "w") as f:
            json.dump(result, f, sort_keys=True, indent=1)
        points = sum(len(v) for v in result["measures"].values())
        print(f"dump: {len(result['resources'])} resources, {len(result['revisions'])} revisions, "
              f"{len(result['metrics'])} metrics, {len(result['measures'])} series, {points} points")
    elif command == "compare":
        with open(sys.argv[2]) as f:
            a = json.load(f)
        with open(sys.argv[3]) as f:
            b = json.load(f)
        differences = compare(a, b)
        for line in differences[:40]:
            print(line)
        if differences:
            print(f"{len(differences)} differences")
            sys.exit(1)
    elif command == "revise":
        revise(API(sys.argv[2]))
    elif command == "count":
        with open(sys.argv[2]) as f:
            print(len(json.load(f)[sys.argv[3]]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
