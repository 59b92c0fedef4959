"""Data for the console test, stored through Rondone's REST API (urllib only): an archive
policy, a resource type, resources with metrics, a metric with N measures, and a resource
with many metrics for the many-series check; then waits until metricd processed it all."""

import base64
import json
import math
import time
import urllib.error
import urllib.request

ADMIN = "Basic " + base64.b64encode(b"admin:").decode()
POLICY = "console-test"
TYPE = "console_host"
N_POINTS = 120
HOSTS = [f"web{i:02d}" for i in range(1, 21)] + [f"db{i:02d}" for i in range(1, 11)]


class API:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def call(self, method, path, body=None, expect=(200, 201, 202, 204)):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", ADMIN)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        if status not in expect:
            raise RuntimeError(f"{method} {path}: {status} {text[:300]}")
        return json.loads(text) if text else None


def iso(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(seconds))


def seed(url, series):
    """Returns what the checks need: the N-point metric's id, resource ids, the many-metric
    resource's metric ids."""
    api = API(url)
    api.call("POST", "/v1/archive_policy", {
        "name": POLICY, "aggregation_methods": ["mean", "max", "min"],
        "definition": [{"granularity": "1s", "points": 3600}, {"granularity": "1m", "points": 1440}],
    })
    api.call("POST", "/v1/resource_type", {"name": TYPE, "attributes": {
        "host": {"type": "string", "required": False}, "rack": {"type": "string", "required": False}}})
    start = (int(time.time()) // 3600 - 1) * 3600  # an hour boundary, in the past
    resources = {}
    for i, host in enumerate(HOSTS):
        body = {"id": f"console-{host}", "host": host, "rack": f"r{i % 3}", "user_id": "console",
                "project_id": "console", "metrics": {"cpu": {"archive_policy_name": POLICY}}}
        resource = api.call("POST", f"/v1/resource/{TYPE}", body)
        resources[host] = resource
    # Two revisions of one resource for its history.
    api.call("PATCH", f"/v1/resource/{TYPE}/console-web01", {"rack": "r9"})
    metric = resources["web01"]["metrics"]["cpu"]
    measures = [{"timestamp": iso(start + k), "value": round(50 + 40 * math.sin(k / 10), 6)}
                for k in range(N_POINTS)]
    api.call("POST", f"/v1/metric/{metric}/measures", measures)
    batch = {}
    for host, resource in resources.items():
        if host != "web01":
            batch[resource["metrics"]["cpu"]] = [{"timestamp": iso(start + k * 60), "value": k + len(host)}
                                                 for k in range(5)]
    api.call("POST", "/v1/batch/metrics/measures", batch)
    # Many series: one resource with `series` metrics created by the batch call.
    many = api.call("POST", "/v1/resource/generic", {"id": "console-many", "user_id": "console",
                                                    "project_id": "console"})
    for first in range(0, series, 2000):
        names = {f"m{j:05d}": {"archive_policy_name": POLICY,
                               "measures": [{"timestamp": iso(start + k * 60), "value": (j * 7 + k * 13) % 100}
                                            for k in range(6)]}
                 for j in range(first, min(series, first + 2000))}
        api.call("POST", "/v1/batch/resources/metrics/measures?create_metrics=true", {many["id"]: names})
    many = api.call("GET", "/v1/resource/generic/console-many")
    wait_processed(api)
    return {"metric": metric, "start": start, "resources": resources,
            "many": sorted(many["metrics"].values())}


def wait_processed(api, limit=900):
    deadline = time.time() + limit
    while time.time() < deadline:
        status = api.call("GET", "/v1/status")
        if status["storage"]["summary"]["measures"] == 0:
            return
        time.sleep(0.5)
    raise RuntimeError("measures still waiting after %d s" % limit)
