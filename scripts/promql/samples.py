"""The differential test's samples, remote-written identically to every URL given.

    samples.py --end UNIX_SECONDS URL [URL ...]

One hour of samples, 15 s apart, the last at END (a multiple of 15 s): gauges with
negative, zero and fractional values, counters with resets, an integer gauge for
count_values, a series with a 30-minute gap, an info metric for group_left, a name with
colons; every series has job and instance, several have more labels. The values come
from a seeded generator, so every run writes the same values (only the times move).
Requests hold 10 minutes of every series each and go out in time order, as Prometheus
refuses samples too far behind its head. Prints `wrote N samples to each of K servers`, or the refusal.
"""
import argparse
import base64
import math
import random

from remote_write import post, write_request

INTERVAL = 15
POINTS = 241  # 3600 s inclusive
SEED = 18


def gauge(rng, base, amplitude, noise, digits=3):
    phase = rng.uniform(0, 2 * math.pi)
    return [round(base + amplitude * math.sin(phase + i / 20) + rng.uniform(-noise, noise), digits)
            for i in range(POINTS)]


def counter(rng, max_step, resets):
    values, total = [], rng.randint(0, 1000)
    for i in range(POINTS):
        if i in resets:
            total = rng.randint(0, 3)
        else:
            total += rng.choice([0, rng.randint(0, max_step)])
        values.append(float(total))
    return values


def series():
    """[(labels, [value or None per point])], None where a series has no sample."""
    rng = random.Random(SEED)
    out = []
    for instance in ["host-a:9100", "host-b:9100"]:
        node = {"job": "node", "instance": instance}
        out.append(({"__name__": "node_temperature_celsius", "sensor": "cpu", **node}, gauge(rng, 30, 15, 3)))
        out.append(({"__name__": "node_temperature_celsius", "sensor": "board", **node}, gauge(rng, 2, 6, 2)))
        out.append(({"__name__": "node_load", **node},
                    [max(0.0, v) for v in gauge(rng, 1, 2, 0.5, 2)]))
        out.append(({"__name__": "node_balance", **node},
                    [float(rng.choice([-3, -1, 0, 0, 0, 1, 2, 3])) for _ in range(POINTS)]))
    for n, instance in enumerate(["app-1:8080", "app-2:8080"]):
        app = {"job": "app", "instance": instance}
        for code in ["200", "500"]:
            for method in ["get", "post"]:
                resets = {rng.randint(20, 220)} if code == "200" or n == 1 else set()
                out.append(({"__name__": "app_requests_total", "code": code, "method": method, **app},
                            counter(rng, 40 if code == "200" else 3, resets)))
        out.append(({"__name__": "app_errors_total", **app}, counter(rng, 1, {150 + 30 * n})))
        out.append(({"__name__": "app_queue_depth", **app}, [float(rng.randint(0, 5)) for _ in range(POINTS)]))
        out.append(({"__name__": "app_info", "version": ["1.2.3", "1.3.0"][n], **app}, [1.0] * POINTS))
    sparse = gauge(rng, 50, 10, 5)
    out.append(({"__name__": "app_sparse", "job": "app", "instance": "app-1:8080"},
                [v if i < 80 or i > 200 else None for i, v in enumerate(sparse)]))
    out.append(({"__name__": "app:requests:ratio", "job": "app", "instance": "app-1:8080"},
                [round(rng.random(), 4) for _ in range(POINTS)]))
    out.append(({"__name__": "batch_last_success_timestamp_seconds", "job": "batch", "instance": "batch-1:9091"},
                [float(1_700_000_000 + (i // 20) * 300) for i in range(POINTS)]))
    return out


def requests(end):
    """The remote write bodies, in time order: 40 points (10 minutes) of every series each."""
    start = end - (POINTS - 1) * INTERVAL
    data = series()
    bodies, count = [], 0
    for first in range(0, POINTS, 40):
        batch = []
        for labels, values in data:
            samples = [((start + i * INTERVAL) * 1000, values[i])
                       for i in range(first, min(first + 40, POINTS)) if values[i] is not None]
            if samples:
                batch.append((labels, samples))
                count += len(samples)
        bodies.append(write_request(batch))
    return bodies, count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--end", type=int, required=True)
    parser.add_argument("--user", default="admin:")
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args()
    assert args.end % INTERVAL == 0, "END must be a multiple of 15 s"
    auth = "Basic " + base64.b64encode(args.user.encode()).decode()
    bodies, count = requests(args.end)
    ok = True
    for url in args.urls:
        for body in bodies:
            status = post(url, body, auth)
            if status not in (200, 202, 204):
                print("%s: %s" % (url, status))
                ok = False
                break
    if ok:
        print("wrote %d samples to each of %d servers" % (count, len(args.urls)))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
