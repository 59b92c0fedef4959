"""Expected values for Rondone's archive-policy and processing tests, computed by
Gnocchi 4.7's own code. Run with the Python that has gnocchi installed:

    python archive_policy_vectors.py items      # Swift literals for ArchivePolicyItemTests
    python archive_policy_vectors.py e2e > ../../Tests/RondoneTimeSeriesTests/Fixtures/processing-e2e.json

The tests never run this; they hold its output.
"""
import collections
import json
import random
import sys

import numpy

from gnocchi import archive_policy, carbonara, storage

archive_policy.ArchivePolicy.DEFAULT_AGGREGATION_METHODS = (
    'mean', 'min', 'max', 'sum', 'std', 'count')

NONE = object()


def td(ns):
    return None if ns is None else numpy.timedelta64(ns, 'ns')


def item_ns(g, p, t):
    try:
        i = archive_policy.ArchivePolicyItem(granularity=td(g), points=p, timespan=td(t))
    except ValueError as e:
        return str(e)
    return (int(i.granularity.astype('int64')),
            i.points,
            None if i.timespan is None else int(i.timespan.astype('int64')))


def item_s(g, p, t):
    try:
        i = archive_policy.ArchivePolicyItem(granularity=g, points=p, timespan=t)
    except ValueError as e:
        return str(e)
    return (int(i.granularity.astype('int64')),
            i.points,
            None if i.timespan is None else int(i.timespan.astype('int64')))


def swift(v):
    if v is None:
        return "nil"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, tuple):
        return "(" + ", ".join(swift(x) for x in v) + ")"
    return repr(v)


def items():
    S = 1_000_000_000
    ns_cases = [
        (S, 10, None), (S, None, 10 * S), (None, 10, 10 * S), (S, 10, 10 * S),
        (S, 10, 11 * S), (0, 10, None), (-S, 10, None), (S, 0, None), (S, -1, None),
        (S, None, None), (None, 10, None), (None, None, 10 * S), (None, None, None),
        (2 * S, None, S), (2 * S, None, 3 * S), (S // 2, None, 1_200_000_000),
        (None, 3, 10 * S), (None, 7, S), (3, None, 10), (None, 2_000_000_000, S),
        (60 * S, None, 7 * 86400 * S), (7, 3, 21), (None, 1, 1), (1, None, 2**62),
    ]
    sec_cases = [
        (0.5, None, 1.2), (0.1, 3, 0.3), (0.1, 3, None), (1.0, 10, 10.0), (1e-9, 5, None),
        (1e-10, 5, None), (2.5, None, 10.0), (None, 3, 10.0), (0.3, None, 1.0),
        (1.0000000001, 2, None), (-0.5, 2, None),
    ]
    print("// (granularity ns, points, timespan ns) -> (granularity ns, points, timespan ns) or message")
    for c in ns_cases:
        print("(%s, %s)," % (swift(c), swift(item_ns(*c))))
    print("// seconds")
    for c in sec_cases:
        print("(%s, %s)," % (swift(c), swift(item_s(*c))))
    for defn in ([(10, 1.0), (20, 1.0)], [(10, 60.0), (10, 0.5), (3, 0.5), (5, 60.0)], [(1, 1e-9), (2, 1e-9)]):
        try:
            archive_policy.ArchivePolicy('x', 0, [archive_policy.ArchivePolicyItem(points=p, granularity=g) for p, g in defn])
        except ValueError as e:
            print("// dup", defn, "->", swift(str(e)))
    for methods in (['mean', '-max'], ['-mean', '+rate:last', '+95pct'], ['*', '-mean', '-rate:mean'],
                    [], ['last'], ['foo', "bar's", '-x', 'mean']):
        try:
            r = archive_policy.ArchivePolicy('x', 0, [(1, 1.0)], methods).aggregation_methods
            print("// methods", methods, "->", sorted(r) if len(r) < 20 else len(r))
        except ValueError as e:
            print("// methods", methods, "->", swift(str(e)))


class MemoryStorage(storage.StorageDriver):
    """A WRITE_FULL driver keeping everything in dicts."""
    WRITE_FULL = True
    MAP_METHOD = staticmethod(lambda f, args: [f(*a) for a in args])

    def __init__(self):
        super().__init__(None)
        self.unaggregated = {}
        self.splits = collections.defaultdict(dict)

    def _get_or_create_unaggregated_timeseries_unbatched(self, metric, version=3):
        return self.unaggregated.get(metric.id)

    def _store_unaggregated_timeseries_unbatched(self, metric, data, version=3):
        self.unaggregated[metric.id] = data

    def _get_splits_unbatched(self, metric, key, aggregation, version=3):
        return self.splits[aggregation].get(key)

    def _store_metric_splits_unbatched(self, metric, key, aggregation, data, offset, version=3):
        self.splits[aggregation][key] = data

    def _list_split_keys_unbatched(self, metric, aggregations, version=3):
        return {a: set(self.splits[a].keys()) for a in aggregations}

    def _delete_metric_splits_unbatched(self, metric, key, aggregation, version=3):
        del self.splits[aggregation][key]


class Metric:
    def __init__(self, policy):
        self.id = policy.name
        self.archive_policy = policy


def e2e():
    rng = random.Random(20240101)
    base = 1704067200 * 10**9
    policies = [
        dict(name="a", back_window=0, methods=["mean", "last", "std", "rate:sum", "max", "count"],
             definition=[dict(granularity=1.0, points=5400), dict(granularity=60.0, points=240)]),
        dict(name="b", back_window=2, methods=["first", "median", "95pct", "sum", "rate:mean", "min"],
             definition=[dict(granularity=0.5, timespan=1800.0), dict(granularity=10.0, points=720)]),
        dict(name="c", back_window=0, methods=["last", "count"],
             definition=[dict(granularity=5.0, points=100)]),
    ]
    batches = []
    now = base
    for k in range(9):
        now += rng.randint(25, 55) * 60 * 10**9 + rng.randint(0, 10**9)
        ts, vs = [], []
        for _ in range(rng.randint(40, 160)):
            ts.append(now - rng.randint(0, 20 * 60 * 1000) * 10**6)
            vs.append(rng.randint(-40, 40) / 2)
        for _ in range(rng.randint(3, 10)):  # duplicates inside the batch
            i = rng.randrange(len(ts))
            ts.append(ts[i])
            vs.append(rng.randint(-40, 40) / 2)
        for _ in range(rng.randint(0, 6)):  # too old for any back window
            ts.append(now - rng.randint(3 * 3600, 5 * 3600) * 10**9)
            vs.append(rng.randint(-40, 40) / 2)
        if batches and k % 3 == 0:  # repeat some time stamps of the previous batch
            prev = batches[-1]
            for i in rng.sample(range(len(prev[0])), 5):
                ts.append(prev[0][i])
                vs.append(rng.randint(-40, 40) / 2)
        order = list(range(len(ts)))
        rng.shuffle(order)
        batches.append(([ts[i] for i in order], [vs[i] for i in order]))

    out = {"batches": [{"timestamps": t, "values": v} for t, v in batches], "policies": []}
    for spec in policies:
        policy = archive_policy.ArchivePolicy(
            spec["name"], spec["back_window"], spec["definition"], spec["methods"])
        driver = MemoryStorage()
        metric = Metric(policy)
        buffers = []
        for t, v in batches:
            measures = carbonara.make_timeseries(numpy.array(t, dtype='datetime64[ns]'), v)
            raw = driver.get_raw_measures({metric: measures})
            new_boundts, to_delete, to_update = [], {}, {}
            driver.execute_data_processing(
                numpy.sort(measures, order='timestamps'), metric, new_boundts, raw, to_delete, to_update)
            driver.store_data_backend(new_boundts, to_delete, to_update)
            b = carbonara.BoundTimeSerie.unserialize(driver.unaggregated[metric.id], None, 0)
            buffers.append({"timestamps": [int(x) for x in b.timestamps.astype('int64')],
                            "values": [float(x) for x in b.values]})
        aggregates = []
        for agg in sorted(driver.splits, key=lambda a: (a.granularity, a.method)):
            for key in sorted(driver.splits[agg]):
                s = carbonara.AggregatedTimeSerie.unserialize(driver.splits[agg][key], key, agg)
                aggregates.append({
                    "method": agg.method,
                    "granularity": int(agg.granularity.astype('int64')),
                    "key": int(key.key.astype('datetime64[ns]').astype('int64')),
                    "timestamps": [int(x) for x in s.timestamps.astype('int64')],
                    "values": [float(x) for x in s.values],
                })
        out["policies"].append(dict(spec, buffers=buffers, splits=aggregates))
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    {"items": items, "e2e": e2e}[sys.argv[1]]()
