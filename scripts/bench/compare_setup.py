#!/usr/bin/env python3
"""Set-up and measuring helpers for scripts/bench/compare.sh (standard library only).

Nothing here is timed against the servers except `wait` (the processing backlog) and
`procs`/`sample` (CPU and memory of a set of processes); the load itself comes from wrk.

  policy URL NAME DEFINITION_JSON        create an archive policy (409 = already there)
  metrics URL POLICY COUNT IDS_FILE      create COUNT metrics (many per resource), append ids
  post URL IDS_FILE --points P --step S --start T
                                         post P points per metric (a seeded random walk)
  wait URL [--after FILE]                poll /v1/status until the backlog is empty
  count URL METRIC_ID                    points stored for one metric, every granularity
                                         and method of its archive policy
  read URL PATH [BODY]                   one request, the answer saved as JSON on stdout
  procs [--tree PID] [--pgid G]          CPU seconds, RSS and PSS (KiB) of those processes
  cpus NAME=PID…                         CPU seconds of each named process tree, one
                                         `NAME seconds` line each (children that ended
                                         and were reaped included)
  sample OUT [--tree PID] [--pgid G]     peak RSS/PSS every second until SIGTERM
"""

import argparse
import json
import os
import random
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

AUTH = {"Authorization": "basic YWRtaW46"}


def request(url, method, path, body=None, timeout=600):
    data = json.dumps(body).encode() if body is not None else None
    headers = dict(AUTH)
    if data is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url + path, method=method, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            raw = answer.read()
            return answer.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def parallel(jobs, threads):
    """Runs the callables in `jobs` on `threads` threads; re-raises the first failure."""
    jobs = list(jobs)
    lock = threading.Lock()
    failures = []

    def worker():
        while True:
            with lock:
                if not jobs or failures:
                    return
                job = jobs.pop()
            try:
                job()
            except Exception as error:  # reported once all threads stop
                with lock:
                    failures.append(error)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if failures:
        raise failures[0]


def cmd_policy(args):
    status, body = request(args.url, "POST", "/v1/archive_policy",
                           {"name": args.name, "back_window": 0,
                            "definition": json.loads(args.definition)})
    if status not in (201, 409):
        sys.exit("archive policy %s: %s %s" % (args.name, status, body))


def cmd_metrics(args):
    """COUNT metrics as the named metrics of resources (`per_resource` each): one request
    creates hundreds of metrics on both systems, where one POST per metric would make the
    set-up of 100 000 metrics take longer than the benchmark."""
    sizes = []
    left = args.count
    while left > 0:
        sizes.append(min(args.per_resource, left))
        left -= sizes[-1]
    ids = []
    lock = threading.Lock()

    def create(size):
        def job():
            body = {"id": str(uuid.uuid4()),
                    "metrics": {"m%d" % i: {"archive_policy_name": args.policy}
                                for i in range(size)}}
            status, answer = request(args.url, "POST", "/v1/resource/generic", body)
            if status != 201:
                raise RuntimeError("resource creation: %s %s" % (status, str(answer)[:300]))
            metrics = answer["metrics"]
            with lock:
                ids.extend(metrics[name] for name in sorted(metrics, key=lambda n: int(n[1:])))
        return job

    parallel([create(size) for size in sizes], args.threads)
    with open(args.ids_file, "a") as out:
        out.writelines(i + "\n" for i in ids)


def walk(seed, count):
    """A slow random walk with two decimals, the same for a given seed on every system."""
    rng = random.Random(seed)
    value = rng.randrange(10000)
    values = []
    for _ in range(count):
        value += rng.randrange(-50, 51)
        values.append(value / 100)
    return values


def cmd_post(args):
    ids = [line.strip() for line in open(args.ids_file) if line.strip()]
    per_request = max(1, args.chunk // args.points)  # metrics per request
    jobs = []

    def post(first, chunk):
        def job():
            if args.points > args.chunk:  # one metric per request, cut in time
                for metric_index, metric in chunk:
                    values = walk(metric_index, args.points)
                    for lo in range(0, args.points, args.chunk):
                        body = {metric: [{"timestamp": args.start + i * args.step, "value": values[i]}
                                         for i in range(lo, min(args.points, lo + args.chunk))]}
                        send(body)
            else:
                body = {}
                for metric_index, metric in chunk:
                    values = walk(metric_index, args.points)
                    body[metric] = [{"timestamp": args.start + i * args.step, "value": v}
                                    for i, v in enumerate(values)]
                send(body)
        return job

    def send(body):
        status, answer = request(args.url, "POST", "/v1/batch/metrics/measures", body)
        if status != 202:
            raise RuntimeError("batch measures: %s %s" % (status, str(answer)[:300]))

    indexed = list(enumerate(ids))
    for lo in range(0, len(indexed), per_request):
        jobs.append(post(lo, indexed[lo:lo + per_request]))
    parallel(jobs, args.threads)


def backlog(url):
    status, answer = request(url, "GET", "/v1/status?details=false", timeout=120)
    if status != 200:
        raise RuntimeError("status: %s %s" % (status, answer))
    summary = answer["storage"]["summary"]
    return summary["metrics"], summary["measures"]


def cmd_wait(args):
    """Polls the backlog until it is empty or the timeout; prints `time remaining`: the
    epoch time the empty backlog was seen (or the timeout struck) and the measures still
    waiting then. With --after FILE it starts polling only once FILE exists (the script
    creates it when the ingest ends), so a poller started before the ingest sees the end
    of the processing without a start-up delay of its own and costs the servers nothing
    while they ingest. Gnocchi's file driver counts batches (one file per metric and
    request), not measures: `per_unit` turns its count into measures."""
    if args.after:
        while not os.path.exists(args.after):
            time.sleep(0.02)
    deadline = time.time() + args.timeout
    while True:
        _, measures = backlog(args.url)
        now = time.time()
        if measures == 0 or now > deadline:
            print("%.3f %d" % (now, measures * args.per_unit))
            return
        time.sleep(args.interval)


def cmd_count(args):
    status, metric = request(args.url, "GET", "/v1/metric/" + args.metric)
    if status != 200:
        sys.exit("metric: %s %s" % (status, metric))
    policy = metric["archive_policy"]
    total = 0
    for method in policy["aggregation_methods"]:
        for definition in policy["definition"]:
            granularity = definition["granularity"]
            if isinstance(granularity, str):  # Gnocchi answers "0:01:00", Rondone too
                h, m, s = granularity.split(":")
                granularity = int(h) * 3600 + int(m) * 60 + float(s)
            status, points = request(args.url, "GET", "/v1/metric/%s/measures?aggregation=%s&granularity=%s"
                                     % (args.metric, method, granularity))
            if status != 200:
                sys.exit("measures: %s %s" % (status, str(points)[:300]))
            total += len(points)
    print(total)


def cmd_read(args):
    body = json.loads(args.body) if args.body else None
    status, answer = request(args.url, "POST" if body is not None else "GET", args.path, body)
    if status != 200:
        sys.exit("%s: %s %s" % (args.path, status, str(answer)[:300]))
    json.dump(answer, sys.stdout)


def processes(trees, pgids):
    """pid → (ppid, pgid) of every process, and the chosen ones: the trees under the given
    pids and every member of the given process groups."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry)] = (int(fields[1]), int(fields[2]), fields)
    children = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    chosen = {pid for pid, (_, pgid, _) in table.items() if pgid in pgids}
    frontier = [pid for pid in trees if pid in table]
    seen = set()
    while frontier:
        pid = frontier.pop()
        if pid not in seen:
            seen.add(pid)
            frontier.extend(children.get(pid, []))
    chosen |= seen
    return {pid: table[pid][2] for pid in chosen}


def measure(trees, pgids):
    tick = os.sysconf("SC_CLK_TCK")
    cpu = rss = pss = 0
    chosen = processes(trees, pgids)
    for pid, fields in chosen.items():
        cpu += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return cpu, rss, pss, len(chosen)


def cmd_procs(args):
    cpu, rss, pss, count = measure(set(args.tree), set(args.pgid))
    print("%.2f %d %d %d" % (cpu, rss, pss, count))


def cmd_cpus(args):
    """utime + stime + cutime + cstime summed over each tree: a live process's cutime and
    cstime hold exactly its descendants that ended and were waited for (PostgreSQL's
    postmaster reaps the backends and workers that come and go), so the sum over the live
    tree is the whole tree's CPU since it started."""
    tick = os.sysconf("SC_CLK_TCK")
    for spec in args.named:
        name, pid = spec.split("=", 1)
        chosen = processes({int(pid)}, set())
        ticks = sum(int(f[11]) + int(f[12]) + int(f[13]) + int(f[14]) for f in chosen.values())
        print("%s %.2f" % (name, ticks / tick))


def cmd_sample(args):
    peak = {"rss": 0, "pss": 0, "processes": 0}
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    while running[0]:
        _, rss, pss, count = measure(set(args.tree), set(args.pgid))
        if rss > peak["rss"]:
            peak["rss"], peak["processes"] = rss, count
        peak["pss"] = max(peak["pss"], pss)
        with open(args.out, "w") as out:
            json.dump(peak, out)
        time.sleep(args.interval)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("policy")
    p.add_argument("url"), p.add_argument("name"), p.add_argument("definition")
    p = sub.add_parser("metrics")
    p.add_argument("url"), p.add_argument("policy"), p.add_argument("count", type=int), p.add_argument("ids_file")
    p.add_argument("--per-resource", type=int, default=500)
    p.add_argument("--threads", type=int, default=4)
    p = sub.add_parser("post")
    p.add_argument("url"), p.add_argument("ids_file")
    p.add_argument("--points", type=int, required=True)
    p.add_argument("--step", type=int, default=1)
    p.add_argument("--start", type=int, required=True)
    p.add_argument("--chunk", type=int, default=20000, help="measures per request")
    p.add_argument("--threads", type=int, default=4)
    p = sub.add_parser("wait")
    p.add_argument("url")
    p.add_argument("--after", help="start polling once this file exists")
    p.add_argument("--per-unit", type=int, default=1)
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--interval", type=float, default=0.1)
    p = sub.add_parser("count")
    p.add_argument("url"), p.add_argument("metric")
    p = sub.add_parser("read")
    p.add_argument("url"), p.add_argument("path"), p.add_argument("body", nargs="?")
    p = sub.add_parser("cpus")
    p.add_argument("named", nargs="+", metavar="NAME=PID")
    for name in ("procs", "sample"):
        p = sub.add_parser(name)
        if name == "sample":
            p.add_argument("out")
            p.add_argument("--interval", type=float, default=1.0)
        p.add_argument("--tree", type=int, action="append", default=[])
        p.add_argument("--pgid", type=int, action="append", default=[])
    args = parser.parse_args()
    globals()["cmd_" + args.command](args)


if __name__ == "__main__":
    main()
