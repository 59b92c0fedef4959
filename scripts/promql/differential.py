"""Runs every query of a list against a reference Prometheus and a candidate, compares.

    differential.py --reference URL --candidate URL --end UNIX_SECONDS \
        [--queries queries.txt] [--expected expected-differences.tsv] [--verbose]

URLs are API roots (`http://host:port` for Prometheus, `http://host:port/prometheus` for
Rondone); `/api/v1/query` and `/api/v1/query_range` are appended. END is the last
sample's time (samples.py). Each query runs six times: as an instant query at each of
four times (the last sample, between two samples, after the last one, 5 minutes into the
data) and as a range query with two of four (start, end, step), picked by the query's
position, so the list as a whole covers every window and step. GET and form POST alternate. `{R}` in a query stands for Rondone's own labels (for `without` and
`ignoring`, where they would otherwise split groups; Prometheus ignores absent labels).

Two answers are identical when both succeed with the same result type, the same label
sets once Rondone's own labels are removed, the same timestamps, and values equal within
1e-9 relative (NaN equals NaN, infinities by sign); order counts for instant queries of
sort, sort_desc, topk and bottomk (as the sequence of values, ties being unordered), the
rest compare as sets. Both refusing with the same errorType is identical too; a query
written `! query` in the list must be refused (the reference answering it is a
difference). After three connection failures in a row the candidate is taken for dead.

Prints each difference with the query and a short diff, then `N identical of M`;
differences listed in the expected file (query TAB reason) are printed as expected and
do not fail. Exit status 1 when any unexpected difference remains.
"""
import argparse
import base64
import json
import math
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

RONDONE_LABELS = ["resource_id", "resource_type", "project_id", "user_id", "metric_id", "aggregation",
                  "gnocchi_name"]
HERE = os.path.dirname(os.path.abspath(__file__))
ORDERED = re.compile(r"^\s*(sort|sort_desc|topk|bottomk)\s*\(")


def instant_times(end):
    start = end - 3600
    return [end, start + 1807.5, end + 100, start + 310]


def ranges(end):
    start = end - 3600
    return [(start, end, 60), (end - 1200, end + 60, 37), (start + 600, start + 1500, 15),
            (start, end + 300, 300)]


def load_queries(path):
    """[(query, error expected)]: a line starting with `! ` must be refused by both."""
    queries = []
    for line in open(path):
        line = line.strip()
        if line and not line.startswith("#"):
            refused = line.startswith("! ")
            query = (line[2:] if refused else line).replace("{R}", ", ".join(RONDONE_LABELS))
            queries.append((query, refused))
    return queries


def load_expected(path):
    expected = {}
    if path and os.path.exists(path):
        for line in open(path):
            if line.strip() and not line.startswith("#"):
                query, _, reason = line.rstrip("\n").partition("\t")
                expected[query.replace("{R}", ", ".join(RONDONE_LABELS))] = reason.strip()
    return expected


class Server:
    def __init__(self, root, user):
        self.root = root.rstrip("/")
        self.auth = "Basic " + base64.b64encode(user.encode()).decode()

    def call(self, endpoint, params, post):
        data = urllib.parse.urlencode(params).encode()
        url = self.root + "/api/v1/" + endpoint
        if post:
            request = urllib.request.Request(url, data=data, method="POST")
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        else:
            request = urllib.request.Request(url + "?" + data.decode())
        request.add_header("Authorization", self.auth)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        except OSError as error:
            return {"status": "error", "errorType": "connection", "error": str(error), "http": None}
        try:
            answer = json.loads(body)
        except ValueError:
            answer = {"status": "error", "errorType": "not JSON", "error": body[:200].decode(errors="replace")}
        answer["http"] = status
        return answer


def number(text):
    return float(text)  # Go's formatting: NaN, +Inf, -Inf, decimal or exponent


def close(a, b):
    x, y = number(a), number(b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    return abs(x - y) <= 1e-9 * max(abs(x), abs(y))


def millis(t):
    return round(float(t) * 1000)


def label_key(metric):
    return tuple(sorted((k, v) for k, v in metric.items() if k not in RONDONE_LABELS))


def show(key):
    return "{" + ", ".join('%s="%s"' % kv for kv in key) + "}"


def by_labels(result, points):
    """{label key: [(ms, value)]}, plus the keys seen twice."""
    out, duplicates = {}, []
    for series in result:
        key = label_key(series.get("metric", {}))
        if key in out:
            duplicates.append(key)
        values = series.get("values", []) if points else [series.get("value")]
        out[key] = [(millis(t), v) for t, v in values]
    return out, duplicates


def compare_points(key, ref, cand):
    if [t for t, _ in ref] != [t for t, _ in cand]:
        only_ref = sorted(set(t / 1000 for t, _ in ref) - set(t / 1000 for t, _ in cand))
        only_cand = sorted(set(t / 1000 for t, _ in cand) - set(t / 1000 for t, _ in ref))
        return ["%s: timestamps differ (%d vs %d points; only reference %s, only candidate %s)"
                % (show(key), len(ref), len(cand), only_ref[:3], only_cand[:3])]
    for (t, a), (_, b) in zip(ref, cand):
        if not close(a, b):
            return ["%s @%.3f: %s vs %s" % (show(key), t / 1000, a, b)]
    return []


def diff(query, instant, ref, cand, refused=False):
    """The differences between two answers, as short lines (empty when identical)."""
    if refused and ref.get("status") == "success":
        return ["the reference answered a query listed as refused"]
    if ref.get("status") != "success" or cand.get("status") != "success":
        if ref.get("status") == cand.get("status") == "error" and ref.get("errorType") == cand.get("errorType"):
            return []
        return ["reference %s: %s / candidate %s: %s" % (
            ref.get("http"), ref.get("error") or "success", cand.get("http"), cand.get("error") or "success")]
    rd, cd = ref["data"], cand["data"]
    if rd.get("resultType") != cd.get("resultType"):
        return ["resultType %s vs %s" % (rd.get("resultType"), cd.get("resultType"))]
    kind = rd["resultType"]
    if kind in ("scalar", "string"):
        r, c = rd["result"], cd["result"]
        if millis(r[0]) != millis(c[0]) or not (r[1] == c[1] if kind == "string" else close(r[1], c[1])):
            return ["%s vs %s" % (r, c)]
        return []
    ref_series, _ = by_labels(rd["result"], kind == "matrix")
    cand_series, duplicates = by_labels(cd["result"], kind == "matrix")
    lines = ["candidate has %s twice" % show(k) for k in duplicates[:2]]
    missing = [k for k in ref_series if k not in cand_series]
    extra = [k for k in cand_series if k not in ref_series]
    if missing or extra:
        lines.append("%d series vs %d" % (len(ref_series), len(cand_series)))
        lines += ["only reference: %s" % show(k) for k in missing[:3]]
        lines += ["only candidate: %s" % show(k) for k in extra[:3]]
    for key in ref_series:
        if key in cand_series:
            lines += compare_points(key, ref_series[key], cand_series[key])
    if not lines and instant and ORDERED.match(query):
        rv = [s["value"][1] for s in rd["result"]]
        cv = [s["value"][1] for s in cd["result"]]
        if not all(close(a, b) for a, b in zip(rv, cv)):
            lines.append("order differs: %s vs %s" % (rv[:6], cv[:6]))
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reference", required=True)
    parser.add_argument("--candidate", required=True)
    parser.add_argument("--end", type=int, required=True)
    parser.add_argument("--queries", default=os.path.join(HERE, "queries.txt"))
    parser.add_argument("--expected", default=os.path.join(HERE, "expected-differences.tsv"))
    parser.add_argument("--user", default="admin:")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    reference, candidate = Server(args.reference, args.user), Server(args.candidate, args.user)
    expected = load_expected(args.expected)
    times, windows = instant_times(args.end), ranges(args.end)
    identical = total = unexpected = unreachable = 0
    differing = set()
    for n, (query, refused) in enumerate(load_queries(args.queries)):
        if unreachable >= 3:
            print("the candidate stopped answering: no more queries (%d identical of %d so far)" % (identical, total))
            break
        cases = [("query", {"query": query, "time": t}, True) for t in times]
        for start, end, step in (windows[n % 4], windows[(n + 1) % 4]):
            cases.append(("query_range", {"query": query, "start": start, "end": end, "step": step}, False))
        for c, (endpoint, params, instant) in enumerate(cases):
            post = (n + c) % 2 == 1
            ref = reference.call(endpoint, params, post)
            cand = candidate.call(endpoint, params, post)
            lines = diff(query, instant, ref, cand, refused)
            total += 1
            unreachable = unreachable + 1 if cand.get("errorType") == "connection" else 0
            what = "%s %s" % (endpoint, " ".join("%s=%s" % kv for kv in params.items() if kv[0] != "query"))
            if not lines:
                identical += 1
                if args.verbose:
                    print("same %s   [%s]%s" % (query, what, "" if ref.get("status") == "success"
                                                 else " both refused: %s" % ref.get("error")))
                continue
            differing.add(query)
            if query in expected:
                print("expected difference %s   [%s]: %s" % (query, what, expected[query]))
            else:
                unexpected += 1
                print("DIFF %s   [%s]" % (query, what))
            for line in lines[:6]:
                print("     " + line)
    for query in expected:
        if query not in differing:
            print("note: listed as an expected difference but identical: %s" % query)
    print("%d identical of %d" % (identical, total))
    sys.exit(1 if unexpected else 0)


if __name__ == "__main__":
    main()
