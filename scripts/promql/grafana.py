"""Replays the calls Grafana 12's Prometheus data source makes, in its order, and checks
each answer's shape and values; the data calls are also made to a reference Prometheus
holding the same samples and must answer the same (Rondone's own labels removed).

    grafana.py --candidate URL --reference URL --end UNIX_SECONDS [--rondone]

URLs are the roots Grafana would be given (`/api/v1/...` is appended). The order: the
health check (`POST query` with `query=1+1&time=4`, then `status/buildinfo` for the
Prometheus-or-Mimir heuristics), the metric list (`label/__name__/values?limit=40000`),
the label browser (`labels` and `label/job/values` with `match[]`, `series`), `metadata`,
the alerting ruler (`rules`), a panel's exemplars (`query_exemplars`, form POST, times as
float seconds with milliseconds, as Grafana's backend formats them) and its data
(`query_range`, form POST, start and end aligned to the step). Then errors: a bad query
is 400 `bad_data`; with --rondone, histogram_quantile is 501 (Prometheus evaluates it).
Prints `ok   grafana: …` or `FAIL grafana: …` per check.
"""
import argparse
import json
import time

from differential import RONDONE_LABELS, Server, diff, label_key

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   grafana: %s" % name)
    else:
        failed += 1
        print("FAIL grafana: %s: %s" % (name, detail))


def brief(answer):
    return json.dumps(answer)[:400]


def stripped_names(values):
    return sorted(v for v in values if v not in RONDONE_LABELS)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidate", required=True)
    parser.add_argument("--reference", required=True)
    parser.add_argument("--end", type=int, required=True)
    parser.add_argument("--rondone", action="store_true")
    args = parser.parse_args()
    cand, ref = Server(args.candidate, "admin:"), Server(args.reference, "admin:")
    start, end = args.end - 3600, args.end
    both = lambda endpoint, params, post=False: (cand.call(endpoint, params, post), ref.call(endpoint, params, post))

    # Save & test: the health check, then the heuristics.
    answer = cand.call("query", {"query": "1+1", "time": "4"}, True)
    answer.pop("http", None)
    check("POST query 1+1 at 4 is the scalar [4, \"2\"]",
          answer == {"status": "success", "data": {"resultType": "scalar", "result": [4, "2"]}}, brief(answer))
    answer = cand.call("status/buildinfo", {}, False)
    data = answer.get("data") or {}
    check("status/buildinfo has data.version and no features (Prometheus, not Mimir)",
          answer.get("http") == 200 and isinstance(data.get("version"), str) and data["version"]
          and "features" not in data, brief(answer))

    # The metrics list and the label browser.
    c, r = both("label/__name__/values", {"limit": "40000", "start": start, "end": end})
    check("label/__name__/values?limit=40000: every metric name, sorted",
          c.get("status") == "success" and c.get("data") == sorted(c["data"])
          and set(r["data"]) <= set(c["data"]), "%s vs %s" % (brief(c), brief(r)))
    params = {"match[]": "node_temperature_celsius", "start": start, "end": end}
    c, r = both("labels", params)
    check("labels with match[]: the series' label names",
          c.get("status") == "success" and stripped_names(c["data"]) == r["data"], "%s vs %s" % (brief(c), brief(r)))
    params = {"match[]": '{__name__=~"node_load|app_info"}', "start": start, "end": end}
    c, r = both("label/job/values", params)
    check("label/job/values with match[]", c.get("status") == "success" and c["data"] == r["data"] == ["app", "node"],
          "%s vs %s" % (brief(c), brief(r)))
    params = {"match[]": 'app_requests_total{code="500"}', "start": start, "end": end}
    c, r = both("series", params)
    check("series with match[], start, end: the same label sets",
          c.get("status") == "success" and len(r["data"]) == 4
          and sorted(map(label_key, c["data"])) == sorted(map(label_key, r["data"])),
          "%s vs %s" % (brief(c), brief(r)))
    answer = cand.call("metadata", {}, False)
    check("metadata: a success with an object", answer.get("status") == "success"
          and isinstance(answer.get("data"), dict), brief(answer))
    answer = cand.call("rules", {}, False)
    check("rules: a success without groups", answer.get("status") == "success"
          and answer.get("data") == {"groups": []}, brief(answer))

    # A panel: its exemplars, then its data.
    answer = cand.call("query_exemplars", {"query": "rate(app_requests_total[5m])", "start": "%d.123" % start,
                                          "end": "%d.456" % end}, True)
    check("POST query_exemplars (float seconds): a success without exemplars",
          answer.get("status") == "success" and not answer.get("data"), brief(answer))
    step = 60
    params = {"query": "sum by (code) (rate(app_requests_total[5m]))", "start": start // step * step,
              "end": end // step * step, "step": step, "timeout": "30s"}
    c, r = both("query_range", params, True)
    lines = diff(params["query"], False, r, c)
    check("POST query_range, start/end aligned to the step: a matrix equal to Prometheus's",
          not lines and c.get("data", {}).get("resultType") == "matrix" and len(c["data"]["result"]) == 2
          and all(len(s["values"]) >= 55 for s in c["data"]["result"]), "; ".join(lines) or brief(c))

    # The other forms of times and durations Prometheus takes (promtool, curl users).
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(end - 3))
    params = {"query": "node_load", "time": stamp}
    c, r = both("query", params)
    lines = diff(params["query"], True, r, c)
    check("query at an RFC 3339 time: the same as Prometheus", not lines and len(c["data"]["result"]) == 2,
          "; ".join(lines) or brief(c))
    params = {"query": "avg_over_time(node_load[2m])", "start": stamp, "end": end, "step": "1m30s"}
    c, r = both("query_range", params)
    lines = diff(params["query"], False, r, c)
    check("query_range with an RFC 3339 start and a step of 1m30s: the same as Prometheus",
          not lines and c["data"]["result"], "; ".join(lines) or brief(c))

    # Errors.
    answer = cand.call("query", {"query": "sum(", "time": end}, True)
    check("a bad query: 400 bad_data", answer.get("http") == 400 and answer.get("status") == "error"
          and answer.get("errorType") == "bad_data" and answer.get("error"), brief(answer))
    answer = cand.call("query_range", {"query": "up", "start": end, "end": start, "step": 60}, False)
    check("end before start: 400 bad_data", answer.get("http") == 400 and answer.get("errorType") == "bad_data",
          brief(answer))
    answer = cand.call("query", {"query": "1", "time": "yesterday"}, False)
    check("a bad time: 400 bad_data", answer.get("http") == 400 and answer.get("errorType") == "bad_data",
          brief(answer))
    if args.rondone:
        answer = cand.call("query", {"query": "histogram_quantile(0.9, rate(app_requests_total[5m]))",
                                     "time": end}, False)
        check("histogram_quantile: 501 naming it", answer.get("http") == 501 and answer.get("status") == "error"
              and "histogram_quantile" in (answer.get("error") or ""), brief(answer))
    print("grafana: %d passed, %d failed" % (passed, failed))
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
