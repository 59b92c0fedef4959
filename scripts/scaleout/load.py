#!/usr/bin/env python3
"""Load and exact check for the scale-out fault test (scripts/scaleout-test.sh).

    load.py setup  --api URL
    load.py load   --apis URL,URL --metrics N --seconds S --state FILE [--threads T]
    load.py check  --api URL --state FILE [--timeout S]

`setup` creates the archive policy `scaleout` (1 s granularity, sum and count) once.
`load` creates N metrics and posts measures to the API nodes in turn for S seconds:
each thread owns some metrics and gives each one increasing time stamps, so every
measure is its own point. A request that is not acknowledged (any non-202 answer or a
broken connection) is sent again, same body, until it is: what is acknowledged is
then exactly what was sent. The state file gets, per metric, the count and the sum
acknowledged, and the answers that were not 202, by status.
`check` waits for the backlog to drain (`/v1/status`), then reads every metric's
`count` and `sum` aggregates and compares them with the state file, exactly. Exit 1 on
any difference, or on a 5xx other than 503 during the load.

Standard library only.
"""

import argparse
import base64
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse

AUTH = "Basic " + base64.b64encode(b"admin:").decode()
T0 = 1_700_000_000


def request(base, method, path, body=None, timeout=30):
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        headers = {"Authorization": AUTH}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read()
        return response.status, text
    finally:
        connection.close()


def setup(args):
    status, text = request(args.api, "POST", "/v1/archive_policy", {
        "name": "scaleout", "back_window": 0,
        "definition": [{"granularity": "1s", "points": 100000}],
        "aggregation_methods": ["sum", "count"]})
    if status not in (201, 409):
        sys.exit(f"cannot create the archive policy: {status} {text!r}")


def load(args):
    apis = args.apis.split(",")
    metrics = []
    for _ in range(args.metrics):
        status, text = request(apis[0], "POST", "/v1/metric", {"archive_policy_name": "scaleout"})
        if status != 201:
            sys.exit(f"cannot create a metric: {status} {text!r}")
        metrics.append(json.loads(text)["id"])
    acked = {m: [0, 0] for m in metrics}
    answers = {}
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds

    def worker(index):
        rng = random.Random(index)
        mine = metrics[index::args.threads]
        clock = {m: 0 for m in mine}
        turn = index
        while time.monotonic() < deadline:
            chosen = rng.sample(mine, min(len(mine), 5))
            body, sums = {}, {}
            for m in chosen:
                points = []
                for _ in range(20):
                    value = rng.randint(-1000, 1000)
                    points.append({"timestamp": T0 + clock[m], "value": value})
                    clock[m] += 1
                body[m] = points
                sums[m] = sum(p["value"] for p in points)
            pause = 0.05
            while True:
                api = apis[turn % len(apis)]
                turn += 1
                try:
                    status, _ = request(api, "POST", "/v1/batch/metrics/measures", body)
                except OSError:
                    status = "connection"
                if status == 202:
                    break
                with lock:
                    answers[str(status)] = answers.get(str(status), 0) + 1
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
            with lock:
                for m in chosen:
                    acked[m][0] += 20
                    acked[m][1] += sums[m]

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = sum(c for c, _ in acked.values())
    with open(args.state, "w") as f:
        json.dump({"acked": acked, "answers": answers}, f)
    print(f"load: {total} measures acknowledged in {args.seconds} s over {len(apis)} API nodes; "
          f"answers other than 202: {answers or 'none'}")


def check(args):
    with open(args.state) as f:
        state = json.load(f)
    deadline = time.monotonic() + args.timeout
    while True:
        status, text = request(args.api, "GET", "/v1/status")
        if status == 200 and json.loads(text)["storage"]["summary"]["measures"] == 0:
            break
        if time.monotonic() > deadline:
            if args.stuck_hook:
                import subprocess
                subprocess.run(args.stuck_hook, shell=True)
            sys.exit(f"check: the backlog did not drain within {args.timeout} s: {status} {text[:300]!r}")
        time.sleep(0.5)
    wrong = []
    for metric, (count, total) in state["acked"].items():
        got = {}
        for aggregation in ("count", "sum"):
            status, text = request(
                args.api, "GET", f"/v1/metric/{metric}/measures?aggregation={aggregation}&granularity=1")
            if status != 200:
                sys.exit(f"check: reading {metric} ({aggregation}): {status} {text[:300]!r}")
            got[aggregation] = sum(point[2] for point in json.loads(text))
        if got["count"] != count or got["sum"] != total:
            wrong.append(f"{metric}: acknowledged count {count} sum {total}, stored count {got['count']} sum {got['sum']}")
    bad = {k: v for k, v in state["answers"].items() if k.isdigit() and int(k) >= 500 and k != "503"}
    for line in wrong[:20]:
        print("check: " + line)
    if wrong or bad:
        sys.exit(f"check: {len(wrong)} of {len(state['acked'])} metrics differ; unexpected 5xx: {bad or 'none'}")
    acked = sum(c for c, _ in state["acked"].values())
    print(f"check: all {len(state['acked'])} metrics hold exactly the {acked} acknowledged measures (count and sum)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["setup", "load", "check"])
    parser.add_argument("--api")
    parser.add_argument("--apis")
    parser.add_argument("--metrics", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--state")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--stuck-hook", help="a shell command run when the backlog does not drain (diagnostics)")
    args = parser.parse_args()
    {"setup": setup, "load": load, "check": check}[args.command](args)


if __name__ == "__main__":
    main()
