"""The PromQL benchmark's data (scripts/bench/promql.sh), remote-written identically to
every URL given, and the check that two servers answer the benchmark's queries alike.

    promql_load.py write --end UNIX_SECONDS --set day|wide|many URL [URL ...]
    promql_load.py check --end UNIX_SECONDS --reference URL --candidate URL QUERY_KIND...

Sets (one sample a minute, on the minute grid, the last at END):
  day   `bench_day{job="day", instance="host-<0..9>", cpu="<0..9>"}`: 100 counters over
        one day (1 440 samples each);
  wide  `bench_wide{job="wide", instance="w-<00..99>", disk="<00..99>"}`: 10 000 gauges
        over the last hour (60 samples each);
  many  `bench_many{job="many", instance="n-<000..899>", id="<00..99>"}`: 90 000 series
        with one sample at END (with day and wide: 100 100 series in all).
Requests go out in time order (Prometheus refuses a sample more than an hour behind the
newest it holds): the day an hour at a time, then its last hour with the wide set in
chunks of 500 series, then the many set in chunks of 5 000 series. The values come from a
seeded generator; only the times move between runs.

`check` asks both servers the benchmark's queries (the `day`, `wide`, `many` kinds) and
compares the answers as scripts/promql/differential.py does (the same label sets once
Rondone's own labels are removed, the same timestamps, values within 1e-9 relative);
prints one line per query, exits 1 on a difference.
"""
import argparse
import base64
import json
import os
import random
import sys
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "promql"))
from remote_write import time_series, field, snappy_literal_block  # noqa: E402
import differential  # noqa: E402

DAY = 1440


def post(url, body, auth):
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
        "X-Prometheus-Remote-Write-Version": "0.1.0", "Authorization": auth})
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return "%d %s" % (error.code, error.read()[:300].decode(errors="replace"))


def body(series):
    return snappy_literal_block(b"".join(field(1, time_series(l, s)) for l, s in series))


def day_series():
    rng = random.Random(18)
    out = []
    for host in range(10):
        for cpu in range(10):
            total, values = float(rng.randint(0, 10000)), []
            for _ in range(DAY):
                total += rng.randint(0, 600)
                values.append(total)
            out.append(({"__name__": "bench_day", "job": "day", "instance": "host-%d" % host, "cpu": str(cpu)}, values))
    return out


def wide_series():
    rng = random.Random(19)
    return [({"__name__": "bench_wide", "job": "wide", "instance": "w-%02d" % i, "disk": "%02d" % d},
             [round(rng.uniform(0, 100), 2) for _ in range(60)]) for i in range(100) for d in range(100)]


def requests(end, which):
    """Yields (description, body) in time order."""
    ms = lambda minute_from_end: (end - minute_from_end * 60) * 1000  # noqa: E731
    if which == "day":
        data = day_series()
        # points 0..DAY-1, point i at end - (DAY-1-i) minutes; all but the last hour, by hour
        for first in range(0, DAY - 60, 60):
            yield "day %d" % first, body([(labels, [(ms(DAY - 1 - i), values[i]) for i in range(first, first + 60)])
                                          for labels, values in data])
    elif which == "wide":
        data = day_series()
        yield "day last hour", body([(labels, [(ms(DAY - 1 - i), values[i]) for i in range(DAY - 60, DAY)])
                                     for labels, values in data])
        wide = wide_series()
        for first in range(0, len(wide), 500):
            yield "wide %d" % first, body([(labels, [(ms(59 - i), v) for i, v in enumerate(values)])
                                           for labels, values in wide[first:first + 500]])
    elif which == "many":
        rng = random.Random(20)
        many = [({"__name__": "bench_many", "job": "many", "instance": "n-%03d" % i, "id": "%02d" % d},
                 [(ms(0), float(rng.randint(0, 1000)))]) for i in range(900) for d in range(100)]
        for first in range(0, len(many), 5000):
            yield "many %d" % first, body(many[first:first + 5000])


def queries(end, kind):
    """(name, path, params) of the benchmark's queries of one kind."""
    day = {"start": end - (DAY - 1) * 60, "end": end, "step": 60}
    hour = {"start": end - 59 * 60, "end": end, "step": 60}
    if kind == "day":
        return [("range bench_day 1d", "query_range", dict(query="bench_day", **day)),
                ("range rate(bench_day[5m]) 1d", "query_range", dict(query="rate(bench_day[5m])", **day))]
    if kind == "wide":
        return [("instant sum by (instance) (bench_wide)", "query", {"query": "sum by (instance) (bench_wide)", "time": end}),
                ("range sum by (instance) (bench_wide) 1h", "query_range", dict(query="sum by (instance) (bench_wide)", **hour)),
                ("instant count(bench_wide)", "query", {"query": "count(bench_wide)", "time": end})]
    if kind == "many":
        return [("instant count(bench_many)", "query", {"query": "count(bench_many)", "time": end}),
                ("label/__name__/values", "label/__name__/values", {}),
                ("label/instance/values", "label/instance/values", {})]
    raise SystemExit("unknown kind " + kind)


def get(base, path, params):
    url = "%s/api/v1/%s?%s" % (base, path, urllib.parse.urlencode(params))
    request = urllib.request.Request(url, headers={"Authorization": "Basic " + base64.b64encode(b"admin:").decode()})
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return {"status": "error", "http": error.code, "error": error.read()[:300].decode(errors="replace")}


def check(args):
    ok = True
    for kind in args.kinds:
        for name, path, params in queries(args.end, kind):
            ref, cand = get(args.reference, path, params), get(args.candidate, path, params)
            if ref.get("status") != "success" or cand.get("status") != "success":
                print("FAIL %s: %s / %s" % (name, str(ref)[:200], str(cand)[:200]))
                ok = False
                continue
            if path.startswith("label/"):
                same = sorted(ref["data"]) == sorted(cand["data"])
                print("%s %s: %d values / %d values" % ("ok" if same else "FAIL", name, len(ref["data"]), len(cand["data"])))
                ok &= same
                continue
            points = path == "query_range"
            r, _ = differential.by_labels(ref["data"]["result"], points)
            c, dup = differential.by_labels(cand["data"]["result"], points)
            problems = []
            if set(r) != set(c) or dup:
                problems.append("label sets differ: %d vs %d series (%d duplicates)" % (len(r), len(c), len(dup)))
            else:
                for key in r:
                    problems += differential.compare_points(key, r[key], c[key])
            n = sum(len(v) for v in r.values())
            extra = ""
            if not points and len(r) == 1:
                extra = " = %s" % list(r.values())[0][0][1]
            print("%s %s: %d series, %d points%s%s" % ("FAIL" if problems else "ok", name, len(r), n, extra,
                                                       "; " + "; ".join(problems[:3]) if problems else ""))
            ok &= not problems
    raise SystemExit(0 if ok else 1)


def write(args):
    auth = "Basic " + base64.b64encode(b"admin:").decode()
    count = 0
    for what, payload in requests(args.end, args.set):
        for url in args.urls:
            status = post(url, payload, auth)
            if status not in (200, 202, 204):
                print("%s, %s: %s" % (url, what, status))
                raise SystemExit(1)
        count += 1
    print("wrote %d requests of set %s to each of %d servers" % (count, args.set, len(args.urls)))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write")
    w.add_argument("--end", type=int, required=True)
    w.add_argument("--set", choices=["day", "wide", "many"], required=True)
    w.add_argument("urls", nargs="+")
    c = sub.add_parser("check")
    c.add_argument("--end", type=int, required=True)
    c.add_argument("--reference", required=True)
    c.add_argument("--candidate", required=True)
    c.add_argument("kinds", nargs="+")
    q = sub.add_parser("urls")
    q.add_argument("--end", type=int, required=True)
    q.add_argument("kind")
    args = parser.parse_args()
    if args.command == "write":
        write(args)
    elif args.command == "check":
        check(args)
    else:  # the benchmark's query strings, one `name<TAB>path?params` a line, for wrk
        for name, path, params in queries(args.end, args.kind):
            if name.startswith("instant count"):
                continue  # checks only
            print("%s\t%s%s" % (name, path, "?" + urllib.parse.urlencode(params) if params else ""))


if __name__ == "__main__":
    main()
