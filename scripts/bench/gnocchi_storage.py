#!/root/gnocchi-peer/venv/bin/python
"""Gnocchi 4.7.1's side of `rondone-bench storage`: the same workloads, run
through Gnocchi's own drivers (no HTTP), so we can report Rondone/Gnocchi ratios.

Run with the peer's venv:  /root/gnocchi-peer/venv/bin/python scripts/bench/gnocchi_storage.py

What it measures (see docs/BENCHMARKS.md for the fairness caveats):

* ingest: W writer *processes* (Gnocchi's API runs as several uwsgi processes,
  and the GIL would serialise threads) each call the file incoming driver's
  `add_measures(metric_id, measures)` -- the call `POST /v1/metric/<id>/measures`
  makes -- R times with B points, for W in (1, 8, 64) and B in (1, 100, 10 000),
  with R chosen exactly as StorageBench.swift chooses it. Best of 3 timed runs
  after one warm-up, like the Swift harness. NOTE: Gnocchi's file incoming
  driver never fsyncs (write to a temp file, close, rename), so these numbers
  are for data that is NOT durable when acknowledged.
* processing: 1 000 metrics x 1 000 points (1 s apart, slow random walk with
  2 decimals) posted untimed, one batch per metric, then every sack processed
  with `chef.Chef.process_new_measures_for_sack` -- what metricd's
  MetricProcessor._run_job calls -- in this single process, with the real
  PostgreSQL indexer (own database) and the tooz coordinator on it, into the
  `high` archive policy with the default methods.
* bytes on disk per stored aggregate point, and per incoming measure.

Every figure is printed as `gnocchi <name> <value> <unit>`; other lines start
with `#`.
"""

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
import uuid

import numpy
from oslo_config import cfg

from gnocchi import archive_policy
from gnocchi import chef
from gnocchi import incoming
from gnocchi import indexer
from gnocchi import service
from gnocchi import storage
from gnocchi.cli import metricd

PG = ["psql", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-d", "postgres",
      "-qAt", "-v", "ON_ERROR_STOP=1"]
DATABASE = "gnocchi_bench"  # ours alone: the live peer uses "gnocchi"
SACKS = 128  # gnocchi-upgrade's default, as on the peer
EPOCH_2024 = 1_704_067_200  # first timestamp of the processing workload (s)


def out(name, value, unit):
    print("gnocchi %s %.6g %s" % (name, value, unit), flush=True)


def note(text):
    print("# " + text, flush=True)


class SplitMix64:
    """The same deterministic generator as the Swift benchmarks use."""

    MASK = (1 << 64) - 1

    def __init__(self, seed):
        self.state = seed & self.MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)

    def uuid(self):
        return uuid.UUID(int=(self.next() << 64) | self.next())


def write_config(root):
    data = os.path.join(root, "data")
    os.makedirs(data, exist_ok=True)
    path = os.path.join(root, "gnocchi.conf")
    with open(path, "w") as f:
        f.write(
            "[DEFAULT]\n"
            "debug = false\n"
            "[indexer]\n"
            "url = postgresql://postgres@127.0.0.1:5432/%s\n"
            "[storage]\ndriver = file\nfile_basepath = %s\n"
            "[incoming]\ndriver = file\nfile_basepath = %s\n"
            "[metricd]\nworkers = 1\n" % (DATABASE, data, data))
    return path, data


def measures_for(size, round_):
    """StorageBench.batchOf: timestamps round*size + i seconds, values i."""
    first = round_ * size
    return [incoming.Measure(numpy.datetime64((first + i) * 1_000_000_000, "ns"),
                             float(i))
            for i in range(size)]


# ---------------------------------------------------------------- ingest

def _writer(inc, metric_id, batches, start, end, times):
    start.wait()
    t0 = time.clock_gettime(time.CLOCK_MONOTONIC)
    for measures in batches:
        inc.add_measures(metric_id, measures)
    t1 = time.clock_gettime(time.CLOCK_MONOTONIC)
    times.put((t0, t1))
    end.wait()


def bench_ingest(inc, writers, batch, rounds, metric_ids, runs):
    """Best measures/s over `runs` timed runs (after one warm-up) of `writers`
    processes each adding `rounds` batches of `batch` points."""
    ctx = multiprocessing.get_context("fork")
    best = None
    for run in range(runs + 1):
        for m in metric_ids:  # a fresh incoming store for every run (untimed)
            shutil.rmtree(inc._build_measure_path(m), ignore_errors=True)
        start = ctx.Barrier(writers + 1)
        end = ctx.Barrier(writers + 1)
        times = ctx.Queue()
        procs = []
        for w in range(writers):
            # Measures are built before the clock starts: the API's JSON
            # parsing is not part of what we compare.
            batches = [measures_for(batch, r) for r in range(rounds)]
            p = ctx.Process(target=_writer, args=(inc, metric_ids[w], batches,
                                                  start, end, times))
            p.start()
            procs.append(p)
        start.wait()
        spans = [times.get() for _ in range(writers)]
        end.wait()
        for p in procs:
            p.join()
            if p.exitcode != 0:
                raise SystemExit("writer failed with exit code %s" % p.exitcode)
        seconds = max(t1 for _, t1 in spans) - min(t0 for t0, _ in spans)
        if run > 0:
            best = seconds if best is None else min(best, seconds)
    return writers * rounds * batch / best


def run_ingest(inc, scale, runs, writer_counts, batch_sizes):
    note("ingest: file incoming driver add_measures, writer processes, "
         "NOT fsynced (Gnocchi's file driver never fsyncs)")
    random = SplitMix64(42)
    for writers in writer_counts:
        for batch in batch_sizes:
            metric_ids = [random.uuid() for _ in range(writers)]
            rounds = max(2, min(200, 400_000 // (writers * batch))) * scale
            rate = bench_ingest(inc, writers, batch, rounds, metric_ids, runs)
            out("ingest.w%d.b%d" % (writers, batch), rate, "measures/s")
            for m in metric_ids:
                shutil.rmtree(inc._build_measure_path(m), ignore_errors=True)


# ------------------------------------------------------------ processing

def disk_usage(paths):
    """(apparent bytes, allocated bytes, files) of every file under `paths`."""
    apparent = allocated = files = 0
    for top in paths:
        for dirpath, _, names in os.walk(top):
            for name in names:
                st = os.lstat(os.path.join(dirpath, name))
                apparent += st.st_size
                allocated += st.st_blocks * 512
                files += 1
    return apparent, allocated, files


def random_walk(random, count):
    """A slow random walk with 2 decimals: start in [0, 100), steps of
    -0.50 .. +0.50 in hundredths."""
    cents = random.next() % 10_000
    values = numpy.empty(count)
    for i in range(count):
        values[i] = cents / 100.0
        cents += random.next() % 101 - 50
    return values


def reset_database():
    subprocess.run(PG + ["-c", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % DATABASE],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(PG + ["-c", "CREATE DATABASE %s" % DATABASE],
                   check=True, stdout=subprocess.DEVNULL)


def drop_database():
    subprocess.run(PG + ["-c", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % DATABASE],
                   check=False, stdout=subprocess.DEVNULL)


def run_processing(conf, inc, data, metric_count, points):
    reset_database()
    index = indexer.get_driver(conf)
    index.upgrade()  # what gnocchi-upgrade does
    store = storage.get_driver(conf)
    store.upgrade()
    policy = archive_policy.DEFAULT_ARCHIVE_POLICIES["high"]
    index.create_archive_policy(policy)
    ap = index.get_archive_policy("high")
    note("processing: policy high %s methods %s" % (
        [(str(d.granularity), str(d.timespan)) for d in ap.definition],
        sorted(ap.aggregation_methods)))

    random = SplitMix64(7)
    creator = "h-gbench"
    metric_ids = [random.uuid() for _ in range(metric_count)]
    for m in metric_ids:
        index.create_metric(m, creator, archive_policy_name="high")
    stamps = (numpy.arange(points, dtype="int64") + EPOCH_2024) * 1_000_000_000
    for m in metric_ids:  # untimed: one batch per metric
        values = random_walk(random, points)
        inc.add_measures(m, (incoming.Measure(numpy.datetime64(t, "ns"), v)
                             for t, v in zip(stamps.tolist(), values.tolist())))
    pending = inc.measures_report(details=False)["summary"]
    note("processing: pending %s" % pending)
    sack_dirs = [inc._sack_path(s) for s in inc.iter_sacks()]
    in_apparent, in_allocated, in_files = disk_usage(sack_dirs)
    total = metric_count * points
    out("incoming.bytes_per_measure.apparent", in_apparent / total, "bytes")
    out("incoming.bytes_per_measure.allocated", in_allocated / total, "bytes")

    coord = metricd.get_coordinator_and_start(
        str(uuid.uuid4()), conf.coordination_url)
    cook = chef.Chef(coord, inc, index, store)
    t0 = time.perf_counter()
    processed = 0
    for sack in inc.iter_sacks():
        processed += cook.process_new_measures_for_sack(
            sack, blocking=True, sync=True)
        inc.finish_sack_processing(sack)
    seconds = time.perf_counter() - t0
    coord.stop()
    if processed != metric_count:
        raise SystemExit("processed %d metrics, expected %d" % (processed, metric_count))
    left = inc.measures_report(details=False)["summary"]
    if left["measures"] != 0:
        raise SystemExit("measures left unprocessed: %s" % left)
    out("process.measures_per_s", total / seconds, "measures/s")
    out("process.metrics_per_s", metric_count / seconds, "metrics/s")
    note("processing: %.3f s for %d metrics x %d points, one process "
         "(metricd runs one such worker per core by default)" % (
             seconds, metric_count, points))
    for key, value in sorted(store.statistics.items()):
        note("storage statistics: %s = %s" % (key, value))

    # Count what is stored, reading it back through the storage driver.
    metrics = index.list_metrics(attribute_filter={"in": {"id": metric_ids}})
    stored = nan = 0
    for metric in metrics:
        got = store.get_aggregated_measures(
            {metric: metric.archive_policy.aggregations})[metric]
        for ts in got.values():
            stored += len(ts)
            nan += int(numpy.isnan(ts.values).sum())
    note("processing: %d aggregate points stored (%d of them NaN), %d per metric"
         % (stored, nan, stored // metric_count))
    out("process.stored_points_per_metric", stored / metric_count, "points")

    excluded = set(os.path.basename(p) for p in sack_dirs) | {"tmp"}
    tops = [os.path.join(data, n) for n in os.listdir(data) if n not in excluded]
    apparent, allocated, files = disk_usage(tops)
    agg_apparent = agg_allocated = agg_files = 0
    for top in tops:
        for dirpath, dirnames, _ in os.walk(top):
            for d in dirnames:
                if d.startswith("agg_"):
                    a, b, c = disk_usage([os.path.join(dirpath, d)])
                    agg_apparent += a
                    agg_allocated += b
                    agg_files += c
    note("storage: %d files (%d aggregate split files), %d bytes apparent, "
         "%d bytes allocated" % (files, agg_files, apparent, allocated))
    out("disk.aggregate.bytes_per_point.apparent", agg_apparent / stored, "bytes")
    out("disk.aggregate.bytes_per_point.allocated", agg_allocated / stored, "bytes")
    out("disk.storage.bytes_per_point.apparent", apparent / stored, "bytes")
    out("disk.storage.bytes_per_point.allocated", allocated / stored, "bytes")
    index.disconnect()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1,
                        help="multiplies the ingest rounds, like rondone-bench's scale")
    parser.add_argument("--runs", type=int, default=3,
                        help="timed ingest runs per row (best is reported)")
    ints = lambda text: [int(x) for x in text.split(",")]  # noqa: E731
    parser.add_argument("--writers", type=ints, default=[1, 8, 64])
    parser.add_argument("--batches", type=ints, default=[1, 100, 10_000])
    parser.add_argument("--metrics", type=int, default=1000)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-processing", action="store_true")
    parser.add_argument("--root", default="/work/gnocchi-bench-%d" % os.getpid(),
                        help="scratch directory (removed at the end)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch directory and database")
    args = parser.parse_args()

    os.makedirs(args.root, exist_ok=True)
    try:
        conf_path, data = write_config(args.root)
        conf = service.prepare_service(
            args=[], conf=cfg.ConfigOpts(), default_config_files=[conf_path],
            skip_log_opts=True)
        inc = incoming.get_driver(conf)
        inc.upgrade(SACKS)
        note("gnocchi %s, %s, %d sacks, parallel_operations %d, python %s" % (
            __import__("gnocchi").__version__, inc, inc.NUM_SACKS,
            conf.parallel_operations, sys.version.split()[0]))
        if not args.skip_ingest:
            run_ingest(inc, args.scale, args.runs, args.writers, args.batches)
        if not args.skip_processing:
            run_processing(conf, inc, data, args.metrics, args.points)
    finally:
        if not args.keep:
            shutil.rmtree(args.root, ignore_errors=True)
            if not args.skip_processing:
                drop_database()


if __name__ == "__main__":
    main()
