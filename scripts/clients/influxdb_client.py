"""Drives Rondone's InfluxDB endpoint with the stock `influxdb` client (PyPI), unchanged,
then checks through Gnocchi's REST API what was stored.

    python influxdb_client.py http://127.0.0.1:PORT

Writes every field type (integer, float, boolean, string: skipped as Gnocchi does),
tags that need escaping (space, comma, equals sign, slash), explicit times in several
precisions, and a resource tag chosen by header. Prints one `ok …` line per check and
exits non-zero at the first mismatch.
"""
import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

from influxdb import InfluxDBClient

URL = sys.argv[1].rstrip("/")
HOST, PORT = urllib.parse.urlparse(URL).hostname, urllib.parse.urlparse(URL).port
AUTH = "Basic " + base64.b64encode(b"admin:").decode()
DB = "influxcli"


def rest(path):
    request = urllib.request.Request(URL + path, headers={"Authorization": AUTH})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def measures(resource, metric):
    quote = lambda text: urllib.parse.quote(text, safe="")
    return rest("/v1/resource/%s/%s/metric/%s/measures?refresh=true&granularity=300"
                % (DB, quote(resource), quote(metric)))


def check(name, got, expected):
    if got != expected:
        print("FAIL %s: expected %r, got %r" % (name, expected, got))
        sys.exit(1)
    print("ok   %s" % name)


client = InfluxDBClient(host=HOST, port=PORT, path="v1/influxdb", username="admin", password="",
                        database=DB)
check("ping answers a version", bool(client.ping()), True)
client.create_database(DB)
client.create_database(DB)  # idempotent
check("database is a resource type", rest("/v1/resource_type/" + DB)[0], 200)

tags = {"host": "node 1", "dev": "sd/a,1", "mount": "a=b c"}
fields = [{"reads": 12, "util": 0.5, "busy": True, "label": "text \"quoted\""},
          {"reads": -3, "util": 1.25e2, "busy": False, "label": "x"}]
check("write_points, precision s", client.write_points(
    [{"measurement": "disk io", "tags": tags, "time": 1420070400, "fields": fields[0]},
     {"measurement": "disk io", "tags": tags, "time": 1420070700, "fields": fields[1]}],
    time_precision="s"), True)
check("write_points, precision ms", client.write_points(
    [{"measurement": "net", "tags": {"host": "node 1"}, "time": 1420070400000, "fields": {"rx": 7}}],
    time_precision="ms"), True)
check("write_points, precision u", client.write_points(
    [{"measurement": "net", "tags": {"host": "node 1"}, "time": 1420070700000000, "fields": {"rx": 8}}],
    time_precision="u"), True)
check("write_points, ISO time (ns)", client.write_points(
    [{"measurement": "net", "tags": {"host": "node 1"}, "time": "2015-01-01T00:10:00Z",
      "fields": {"rx": 9.5}}]), True)
check("write, line protocol, resource tag header", InfluxDBClient(
    host=HOST, port=PORT, path="v1/influxdb", username="admin", password="", database=DB,
    headers={"X-Gnocchi-InfluxDB-Tag-Resource-ID": "rack"}).write(
        ["temp,rack=r\\ 7,host=node\\ 1 celsius=21.5 1420070400"], protocol="line",
        params={"db": DB, "precision": "s"}), True)

suffix = "@dev=sd_a,1,mount=a=b c"
check("integer field stored", measures("node 1", "disk io.reads" + suffix),
      (200, [["2015-01-01T00:00:00+00:00", 300.0, 12.0], ["2015-01-01T00:05:00+00:00", 300.0, -3.0]]))
check("float field stored", measures("node 1", "disk io.util" + suffix),
      (200, [["2015-01-01T00:00:00+00:00", 300.0, 0.5], ["2015-01-01T00:05:00+00:00", 300.0, 125.0]]))
check("boolean field stored as 1/0", measures("node 1", "disk io.busy" + suffix),
      (200, [["2015-01-01T00:00:00+00:00", 300.0, 1.0], ["2015-01-01T00:05:00+00:00", 300.0, 0.0]]))
check("string field skipped", measures("node 1", "disk io.label" + suffix)[0], 404)
check("precisions ms, u, n", measures("node 1", "net.rx"),
      (200, [["2015-01-01T00:00:00+00:00", 300.0, 7.0], ["2015-01-01T00:05:00+00:00", 300.0, 8.0],
             ["2015-01-01T00:10:00+00:00", 300.0, 9.5]]))
check("resource from the header's tag", measures("r 7", "temp.celsius@host=node 1"),
      (200, [["2015-01-01T00:00:00+00:00", 300.0, 21.5]]))
status, resource = rest("/v1/resource/%s/%s" % (DB, urllib.parse.quote("node 1", safe="")))
check("resource original id", (status, resource["original_resource_id"], resource["type"]),
      (200, "node 1", DB))
try:
    InfluxDBClient(host=HOST, port=PORT, path="v1/influxdb", username="admin", password="",
                   database="nope").write_points([{"measurement": "m", "tags": {"host": "h"},
                                                   "fields": {"v": 1}}])
    check("unknown database refused", "accepted", "refused")
except Exception as error:  # InfluxDBClientError
    check("unknown database refused (404)", getattr(error, "code", None), 404)
print("influxdb client: all checks passed")
