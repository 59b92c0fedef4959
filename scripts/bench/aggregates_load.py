"""Loads the cross-resource aggregation workload into a Gnocchi-compatible server.

    python3 aggregates_load.py URL [--resources 10000] [--groups 100] [--points 60]

Creates the archive policy `bench` (1-minute granularity, one day, `mean` only), then
RESOURCES generic resources `bench-NNNNN`, spread over GROUPS projects, each with a
metric `cpu` in that policy, then POINTS one-minute measures per metric through
`/v1/batch/resources/metrics/measures` (100 resources per request), and waits until
the server's backlog is empty. Standard library only; 8 threads. Prints the seconds
each phase took.
"""
import argparse
import json
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

AUTH = {"Authorization": "basic YWRtaW46", "Content-Type": "application/json"}
BASE = 1704067200  # 2024-01-01T00:00:00Z


def call(url, method="GET", body=None, ok=(200, 201, 202, 204, 409)):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=AUTH)
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        if error.code in ok:
            return error.code, error.read()
        raise RuntimeError("%s %s: %s %s" % (method, url, error.code, error.read()[:300]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--resources", type=int, default=10000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--points", type=int, default=60)
    args = parser.parse_args()
    url = args.url.rstrip("/")
    call(url + "/v1/archive_policy", "POST", {
        "name": "bench", "aggregation_methods": ["mean"],
        "definition": [{"granularity": "1 minute", "timespan": "1 day"}]})
    projects = [str(uuid.uuid5(uuid.NAMESPACE_URL, "bench-project-%d" % i)) for i in range(args.groups)]
    names = ["bench-%05d" % i for i in range(args.resources)]

    started = time.time()

    def create(index):
        call(url + "/v1/resource/generic", "POST", {
            "id": names[index], "project_id": projects[index % args.groups],
            "metrics": {"cpu": {"archive_policy_name": "bench"}}})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(create, range(args.resources)))
    print("resources created: %.1f s" % (time.time() - started), flush=True)

    started = time.time()

    def post(start):
        body = {}
        for index in range(start, min(start + 100, args.resources)):
            body[names[index]] = {"cpu": [
                {"timestamp": BASE + 60 * p, "value": float((index * 7 + p) % 100)}
                for p in range(args.points)]}
        call(url + "/v1/batch/resources/metrics/measures", "POST", body)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(post, range(0, args.resources, 100)))
    print("measures posted: %.1f s" % (time.time() - started), flush=True)
    started = time.time()
    while True:
        _, body = call(url + "/v1/status")
        if json.loads(body)["storage"]["summary"]["measures"] == 0:
            break
        time.sleep(1)
    print("backlog processed: %.1f s" % (time.time() - started), flush=True)


if __name__ == "__main__":
    main()
