#!/usr/bin/env python3
"""Fills a deployment for the measurement of `rondone backup` of a deployment
(docs/OPERATIONS.md, "Backing up a deployment"): METRICS metrics of archive policy
`low` (through 8 connections), POINTS measures each (5 minutes apart, one split per
aggregation method), posted 500 metrics per batch request; then waits until metricd has
processed everything. Standard library only.

    backup_shared_load.py URL [METRICS [POINTS]]
"""

import base64
import http.client
import json
import sys
import threading
import time
import urllib.parse

AUTH = "Basic " + base64.b64encode(b"admin:").decode()
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z


def call(connection, method, path, body=None):
    headers = {"Authorization": AUTH}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    text = response.read()
    if response.status >= 300:
        raise SystemExit(f"{method} {path}: {response.status} {text[:200]!r}")
    return json.loads(text) if text else None


def main():
    url = urllib.parse.urlsplit(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    points = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    connect = lambda: http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    ids = []
    lock = threading.Lock()

    def create(number):
        connection = connect()
        for _ in range(number):
            metric = call(connection, "POST", "/v1/metric", {"archive_policy_name": "low"})["id"]
            with lock:
                ids.append(metric)

    started = time.time()
    threads = [threading.Thread(target=create, args=(count // 8 + (i < count % 8),)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"{count} metrics created in {time.time() - started:.1f} s")
    connection = connect()
    started = time.time()
    values = [{"timestamp": T0 + 300 * i, "value": float(i % 97)} for i in range(points)]
    for start in range(0, count, 500):
        call(connection, "POST", "/v1/batch/metrics/measures", {m: values for m in ids[start:start + 500]})
    print(f"{count * points} measures posted in {time.time() - started:.1f} s")
    while True:
        status = call(connection, "GET", "/v1/status?details=false")
        if status["storage"]["summary"]["measures"] == 0:
            break
        time.sleep(1)
    print(f"processed {time.time() - started:.1f} s after the first post")


if __name__ == "__main__":
    main()
