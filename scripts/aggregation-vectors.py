"""Prints Tests/RondoneTimeSeriesTests/AggregationGnocchiVectors.swift.

Run with the Python of a Gnocchi 4.7 install (numpy and gnocchi importable):
    python scripts/aggregation-vectors.py > Tests/RondoneTimeSeriesTests/AggregationGnocchiVectors.swift
Each vector is one call of Gnocchi's own grouping and aggregation; the expected values
are written as IEEE bit patterns so that the Swift test compares them bit for bit.
"""
import math
import random
import struct

import numpy
from gnocchi import carbonara

S = 10**9


def bits(x):
    return "0x%016X" % struct.unpack("<Q", struct.pack("<d", x))[0]


def literal(x):
    if math.isnan(x):
        return ".nan"
    if math.isinf(x):
        return ".infinity" if x > 0 else "-.infinity"
    if x != 0 and abs(x) < 2.2250738585072014e-308:
        return "Double(bitPattern: %s)" % bits(x)  # Swift warns on subnormal literals
    return repr(float(x))


def run(timestamps, values, granularity, method, start=None):
    serie = carbonara.TimeSerie.from_data(
        numpy.array(timestamps, dtype="datetime64[ns]"), numpy.array(values, dtype=float))
    g = numpy.timedelta64(granularity, "ns")
    grouped = serie.group_serie(g, None if start is None else numpy.datetime64(start, "ns"))
    out = carbonara.AggregatedTimeSerie.from_grouped_serie(
        grouped, carbonara.Aggregation(method, g, None))
    return [int(t) for t in out.ts["timestamps"].astype("int64")], list(out.ts["values"])


def resample(timestamps, values, granularity, method, sampling):
    agg = carbonara.AggregatedTimeSerie.from_data(
        carbonara.Aggregation(method, numpy.timedelta64(granularity, "ns"), None),
        numpy.array(timestamps, dtype="datetime64[ns]"), numpy.array(values, dtype=float))
    out = agg.resample(numpy.timedelta64(sampling, "ns"))
    return [int(t) for t in out.ts["timestamps"].astype("int64")], list(out.ts["values"])


vectors = []
inputs = {}


def add(name, timestamps, values, granularity, method, start=None, sampling=None, input=None):
    input = input or name
    if input not in inputs:
        inputs[input] = (timestamps, values)
    assert inputs[input] == (timestamps, values)
    if sampling is None:
        ets, evs = run(timestamps, values, granularity, method, start)
    else:
        ets, evs = resample(timestamps, values, granularity, method, sampling)
    vectors.append((name, input, granularity, method, start, sampling, ets, evs))


rng = random.Random(20240607)
base = 1_700_000_000 * S
methods = ["mean", "sum", "count", "first", "last", "min", "max", "median", "std",
           "1pct", "5pct", "25pct", "50pct", "75pct", "95pct", "99pct"]

# Irregular points over a few minutes, every method, with and without rate and start.
ts = sorted(rng.sample(range(base, base + 400 * S, S // 4), 120))
vs = [round(rng.uniform(-50, 150), 3) for _ in ts]
for m in methods:
    for prefix in ("", "rate:"):
        add("irregular %s%s 60s" % (prefix, m), ts, vs, 60 * S, prefix + m, input="irregular")
        add("irregular %s%s 7s start" % (prefix, m), ts, vs, 7 * S, prefix + m,
            start=base + 63 * S, input="irregular")

# Many points per period at a large offset: the percentile weights depend on it.
ts2 = [base + i * (S // 10) for i in range(1500)]
vs2 = [rng.choice([rng.random(), rng.randint(-3, 3), rng.uniform(-1e6, 1e6)]) for _ in ts2]
for m in ("median", "5pct", "33pct", "50pct", "95pct", "99pct", "mean", "std"):
    add("dense %s 60s" % m, ts2, vs2, 60 * S, m, input="dense")
    add("dense rate:%s 17s start" % m, ts2, vs2, 17 * S, "rate:" + m, start=base + 100 * S,
        input="dense")

# Special values.
nan, inf = float("nan"), float("inf")
t5 = [base + i * S for i in range(6)]
for m in ("min", "max", "median", "50pct", "mean", "sum", "std", "first", "last"):
    for label, special in [
            ("zeros", [0.0, -0.0, 1.0, -0.0, 0.0, 2.0]),
            ("negative zeros", [-0.0, 0.0, -1.0, 0.0, -0.0, -2.0]),
            ("nan", [nan, 2.0, 1.0, nan, nan, nan]),
            ("huge", [1e308, 1e308, 1e308, -1e308, 1e300, -1e300]),
            ("tiny", [1e-300, 3e-300, 5e-324, -1e-300, 2e-308, 7e-301]),
            ("inf", [inf, 1.0, -inf, inf, inf, 3.0])]:
        add("%s %s" % (label, m), t5, special, 3 * S, m, input=label)
add("single median huge", [base], [1e308], S, "median")
add("single std", [base], [4.0], S, "std")

# Grouping is a floating-point floor division: points a few hundred nanoseconds before a
# period end land in the next period; sub-256 ns granularities merge time stamps.
edge = [base - 1000, base - 300, base - 100, base - 1, base, base + 1]
for g in (S, 60 * S, 86400 * S):
    add("float grouping count %d" % g, edge, [1, 2, 3, 4, 5, 6], g, "count",
        input="float grouping")
add("float grouping 1ns", [base + 1, base + 2, base + 255, base + 300], [1, 2, 3, 4], 1, "count")
add("float grouping 3ns", [base + i for i in range(0, 2000, 7)], list(range(286)), 3, "sum")

# Resampling an aggregated series, as the `resample` query parameter does.
agg_ts = [base + i * 60 * S for i in range(200)]
agg_vs = [round(rng.uniform(0, 100), 2) for _ in agg_ts]
for m in ("mean", "max", "median", "95pct", "std", "rate:mean", "rate:last"):
    add("resample %s 3600s" % m, agg_ts, agg_vs, 60 * S, m, sampling=3600 * S,
        input="aggregated")

print("// swift-format-ignore-file\n// Generated by scripts/aggregation-vectors.py from Gnocchi 4.7.1's carbonara; do not edit.")
print("")
print("@testable import RondoneTimeSeries")
print("")
print("extension AggregationGnocchiTests {")
print("    static let inputs: [String: Series] = [")
for key, (t, v) in inputs.items():
    print('        "%s": Series(' % key)
    print("            timestamps: [%s] as [Int64]," % ", ".join(str(x) for x in t))
    print("            values: [%s] as [Double])," % ", ".join(literal(float(x)) for x in v))
print("    ]")
print("")
print("    static let vectors: [GnocchiVector] = [")
for (name, input, g, m, start, sampling, ets, evs) in vectors:
    print("        GnocchiVector(")
    print('            name: "%s", input: "%s", granularity: %d, aggregation: "%s",' % (name, input, g, m))
    print("            start: %s, resampledTo: %s," % (
        "nil" if start is None else str(start), "nil" if sampling is None else str(sampling)))
    print("            expectedTimestamps: [%s]," % ", ".join(str(x) for x in ets))
    print("            expectedBits: [%s]" % ", ".join(bits(x) for x in evs))
    print("        ),")
print("    ]")
print("}")
