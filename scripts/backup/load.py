"""Writers and checks for scripts/backup-test.sh (stdlib only).

  load.py setup URL STATE            an archive policy and 8 metrics (ids into STATE)
  load.py write URL STATE STOPFILE   4 writers post batches until STOPFILE exists; every
                                     acknowledged (202) batch is appended to STATE.acks
                                     with the time its 202 arrived
  load.py check URL STATE BEFORE     every batch acknowledged before BEFORE (a time, or
                                     "all") reads back with ?refresh=true; prints counts
"""
import base64, datetime, http.client, json, sys, threading, time, urllib.parse

AUTH = "Basic " + base64.b64encode(b"admin:").decode()
BASE = 1_700_000_000


def request(url, method, path, body=None):
    parts = urllib.parse.urlparse(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Authorization": AUTH}
    if body is not None:
        body = json.dumps(body)
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def setup(url, state):
    status, _ = request(url, "POST", "/v1/archive_policy", {
        "name": "backup-test", "aggregation_methods": ["mean"],
        "definition": [{"granularity": "1s", "points": 1000000}]})
    assert status == 201, status
    metrics = []
    for number in range(8):
        status, data = request(url, "POST", "/v1/metric", {"archive_policy_name": "backup-test", "name": f"m{number}"})
        assert status == 201, (status, data)
        metrics.append(json.loads(data)["id"])
    json.dump(metrics, open(state, "w"))


def iso(second):
    return datetime.datetime.fromtimestamp(BASE + second, datetime.timezone.utc).isoformat()


def write(url, state, stop):
    import os
    metrics = json.load(open(state))
    acks = open(state + ".acks", "a")
    lock = threading.Lock()

    def writer(mine):
        parts = urllib.parse.urlparse(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        counters = {metric: 0 for metric in mine}
        while not os.path.exists(stop):
            for metric in mine:
                first = counters[metric]
                body = json.dumps([{"timestamp": iso(first + k), "value": float(first + k)} for k in range(10)])
                try:
                    connection.request("POST", f"/v1/metric/{metric}/measures", body=body,
                                       headers={"Authorization": AUTH, "Content-Type": "application/json"})
                    response = connection.getresponse()
                    response.read()
                except Exception:
                    connection.close()
                    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                    continue
                if response.status == 202:
                    with lock:
                        acks.write(json.dumps([metric, first, 10, time.time()]) + "\n")
                        acks.flush()
                counters[metric] = first + 10
            time.sleep(0.005)

    threads = [threading.Thread(target=writer, args=(metrics[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def check(url, state, before):
    limit = float("inf") if before == "all" else float(before)
    expected = {}
    for line in open(state + ".acks"):
        metric, first, count, acked = json.loads(line)
        if acked < limit:
            expected.setdefault(metric, set()).update(range(first, first + count))
    missing = 0
    total = 0
    for metric, seconds in expected.items():
        status, data = request(url, "GET", f"/v1/metric/{metric}/measures?refresh=true&granularity=1&aggregation=mean")
        assert status == 200, (status, data)
        stored = {}
        for timestamp, _, value in json.loads(data):
            second = round(datetime.datetime.fromisoformat(timestamp).timestamp()) - BASE
            stored[second] = value
        for second in seconds:
            total += 1
            if stored.get(second) != float(second):
                missing += 1
    print(f"{total} measures checked, {missing} missing")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "setup":
        setup(sys.argv[2], sys.argv[3])
    elif command == "write":
        write(sys.argv[2], sys.argv[3], sys.argv[4])
    elif command == "check":
        check(sys.argv[2], sys.argv[3], sys.argv[4])
