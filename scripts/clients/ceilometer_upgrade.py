"""Runs Ceilometer's own resource type bootstrap (`ceilometer-upgrade`) against a server.

    python ceilometer_upgrade.py URL CEILOMETER_DIR

CEILOMETER_DIR holds the unpacked `ceilometer` wheel (the caller downloads it with
`pip download --no-deps`; no Ceilometer code is kept in this repository). Its module
`ceilometer.gnocchi_client` is imported for real and its `upgrade_resource_types` runs
unchanged; only how it obtains a client is replaced (a gnocchiclient on basic auth as
`admin` instead of a Keystone session), and the two modules it needs only for that
(`oslo_log`, `ceilometer.keystone_client`) are stand-ins. Exits non-zero on failure;
prints the resource types it leaves, one per line, with their attribute names.
"""
import sys
import types

url, ceilometer_dir = sys.argv[1], sys.argv[2]
sys.path.insert(0, ceilometer_dir)

import gnocchiclient.auth  # noqa: E402
from gnocchiclient import client  # noqa: E402
from keystoneauth1 import session  # noqa: E402

# Stand-ins for what gnocchi_client imports only to build its Keystone session.
oslo_log = types.ModuleType("oslo_log")
oslo_log.log = types.SimpleNamespace(getLogger=lambda name: types.SimpleNamespace(
    info=print, debug=lambda *a, **k: None, warning=print, error=print))
sys.modules["oslo_log"] = oslo_log
sys.modules["ceilometer.keystone_client"] = types.ModuleType("ceilometer.keystone_client")
import ceilometer  # noqa: E402,F401

ceilometer.keystone_client = sys.modules["ceilometer.keystone_client"]
from ceilometer import gnocchi_client  # noqa: E402


def basic_client(conf, request_timeout=None):
    auth = gnocchiclient.auth.GnocchiBasicPlugin("admin", url)
    return client.Client("1", session.Session(auth=auth))


gnocchi_client.get_gnocchiclient = basic_client
gnocchi_client.upgrade_resource_types(None)
g = basic_client(None)
for rt in sorted(g.resource_type.list(), key=lambda t: t["name"]):
    print(rt["name"], " ".join(sorted(rt["attributes"])))
