"""The web console in headless Chromium (see scripts/console-test.sh): one line per check,
then `N passed, M failed`; exit status 1 when a check failed."""

import argparse
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver import ActionChains
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.dirname(__file__))
import seed  # noqa: E402

passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}{': ' + detail if detail else ''}")
    sys.stdout.flush()


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1400,1000", "--hide-scrollbars", "--force-device-scale-factor=1"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)


class Console:
    def __init__(self, driver, url, shots):
        self.driver = driver
        self.url = url
        self.shots = shots

    def wait(self, condition, timeout=30):
        return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(lambda d: condition())

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def attr(self, css, name):
        return self.js("const e = document.querySelector(arguments[0]); return e && e.getAttribute(arguments[1]);", css, name)

    def text(self, css):
        return self.js("const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", css)

    def errors(self, allow=()):
        """Browser console entries at SEVERE (errors, CSP violations, failed loads) since the last
        call, but those naming one of `allow` (a request the check made fail on purpose)."""
        logs = self.driver.get_log("browser")
        return [e["message"] for e in logs if e["level"] == "SEVERE" and not any(a in e["message"] for a in allow)]

    def go(self, fragment):
        self.js("location.hash = arguments[0];", fragment)

    def shot(self, name):
        if self.shots:
            os.makedirs(self.shots, exist_ok=True)
            self.driver.save_screenshot(os.path.join(self.shots, name + ".png"))

    def page_loads(self, name, fragment, ready, shot=None):
        """Goes to `fragment`, waits for `ready()`, checks that the browser logged no error."""
        self.go(fragment)
        try:
            self.wait(ready)
            time.sleep(0.3)
            errors = self.errors()
            check(f"page {name} loads with no console error", not errors, "; ".join(errors)[:600])
        except TimeoutException:
            check(f"page {name} loads with no console error", False,
                  f"not ready; errors: {self.errors()}; page: {(self.text('main') or '')[:300]}")
        if shot:
            self.shot(shot)

    def submit_ops(self, operations, granularity="", search="", resource_type=""):
        self.js("""
            document.getElementById('tab-ops').click();
            document.getElementById('operations').value = arguments[0];
            document.getElementById('ops-granularity').value = arguments[1];
            document.getElementById('ops-search').value = arguments[2];
            document.getElementById('ops-resource-type').value = arguments[3];
            document.getElementById('query-status').textContent = '';
            document.getElementById('ops-form').requestSubmit();""", operations, granularity, search, resource_type)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--series", type=int, default=10000)
    parser.add_argument("--shots", default="")
    args = parser.parse_args()

    began = time.time()
    data = seed.seed(args.url, args.series)
    print(f"seeded: {len(data['resources'])} resources, {seed.N_POINTS} points on one metric, "
          f"{len(data['many'])} metrics on console-many ({time.time() - began:.0f} s)")
    driver = browser()
    c = Console(driver, args.url, args.shots)
    try:
        run(c, data, args)
    finally:
        driver.quit()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def run(c, data, args):
    n = seed.N_POINTS
    c.driver.get(c.url + "/ui")
    c.wait(lambda: c.js("return document.getElementById('sign-in').open"))
    check("/ui redirects to /ui/ and asks for credentials", c.driver.current_url.endswith("/ui/"), c.driver.current_url)
    c.find("#sign-in-form input[name=user]").send_keys("admin")
    c.find("#sign-in-submit").click()
    c.wait(lambda: not c.js("return document.getElementById('sign-in').open"))
    check("signing in as admin closes the dialog", "admin" in (c.text("#who") or ""), c.text("#who"))
    check("no console error before and at sign-in", not c.errors(), str(c.errors()))

    # Pages.
    c.page_loads("query", "#/query", lambda: c.find("#promql-form"))
    c.page_loads("policies", "#/policies",
                 lambda: seed.POLICY in (c.text("#archive-policies") or "") and "default" in (c.text("#archive-policy-rules") or ""),
                 "policies")
    c.page_loads("status", "#/status",
                 lambda: c.find("#backlog-measures") and int(c.attr("#self-metric-cards", "data-families") or 0) > 0,
                 "status")
    families = int(c.attr("#self-metric-cards", "data-families") or 0)
    cards = c.js("return document.querySelectorAll('#self-metric-cards .card').length")
    check("status shows the backlog and the server's own metrics",
          (c.text("#backlog-measures") or "").startswith("0") and families >= 3 and cards > 0,
          f"backlog {c.text('#backlog-measures')!r}, {families} families, {cards} cards")
    c.page_loads("resources (generic)", "#/resources", lambda: int(c.attr("#resource-list", "data-rows") or 0) > 0)
    c.page_loads("resources of a type", f"#/resources/{seed.TYPE}",
                 lambda: int(c.attr("#resource-list", "data-rows") or 0) == len(seed.HOSTS), "resources")
    check("the resource list shows every resource of the type",
          int(c.attr("#resource-list", "data-rows") or 0) == len(seed.HOSTS), c.attr("#resource-list", "data-rows"))

    # A search narrows the list: the filter string, then the JSON syntax.
    c.js("document.getElementById('resource-filter').value = arguments[0];"
         "document.getElementById('resource-search').requestSubmit();", 'host like "web%"')
    try:
        c.wait(lambda: c.attr("#resource-list", "data-rows") == "20")
        check("a search (filter string) narrows the resource list to 20 of 30", True)
    except TimeoutException:
        check("a search (filter string) narrows the resource list to 20 of 30", False, c.attr("#resource-list", "data-rows"))
    c.shot("resources-search")
    c.js("document.getElementById('resource-filter').value = arguments[0];"
         "document.getElementById('resource-search').requestSubmit();", '{"=": {"rack": "r1"}}')
    try:
        c.wait(lambda: c.attr("#resource-list", "data-rows") == "10")
        check("a search (JSON) narrows the resource list to 10", True)
    except TimeoutException:
        check("a search (JSON) narrows the resource list to 10", False, c.attr("#resource-list", "data-rows"))
    c.js("document.getElementById('resource-filter').value = arguments[0];"
         "document.getElementById('resource-search').requestSubmit();", 'host = ')
    try:
        c.wait(lambda: c.text("#resources-error .error"))
        check("a bad search filter shows the API's error", "400" in c.text("#resources-error .error"), c.text("#resources-error .error"))
    except TimeoutException:
        check("a bad search filter shows the API's error", False)
    c.errors(allow=["/v1/search/resource"])

    c.page_loads("a resource (attributes, metrics, history)", f"#/resources/{seed.TYPE}/console-web01",
                 lambda: "History (2 revisions)" in (c.text("#resource-history") or "") and "cpu" in (c.text("#resource-metrics") or ""),
                 "resource")

    # A metric with N stored points at 1 s draws N points.
    c.page_loads("a metric", f"#/metric/{data['metric']}",
                 lambda: c.attr("#metric-chart", "data-points") == str(n), "metric")
    points, drawn = c.attr("#metric-chart", "data-points"), c.attr("#metric-chart", "data-drawn-points")
    check(f"the metric's chart draws its {n} points (1 s)", points == str(n) and drawn == str(n), f"points {points}, drawn {drawn}")
    check(f"the measures table has {n} rows", c.attr("#metric-table", "data-rows") == str(n), c.attr("#metric-table", "data-rows"))
    c.js("document.querySelector('#granularities button[data-granularity=\"60\"]').click()")
    try:
        c.wait(lambda: c.attr("#metric-chart", "data-points") == "2")
        check("the 1 min granularity draws its 2 points", True)
    except TimeoutException:
        check("the 1 min granularity draws its 2 points", False, c.attr("#metric-chart", "data-points"))
    check("no console error on the metric page", not c.errors(), str(c.errors()))

    # Query page: operations language.
    c.go("#/query")
    c.wait(lambda: c.find("#ops-form"))
    c.submit_ops(f"(metric {data['metric']} mean)", "1")
    try:
        c.wait(lambda: c.attr("#query-chart", "data-points") == str(n))
        check(f"an operations query of the metric charts its {n} points", c.attr("#query-chart", "data-drawn-points") == str(n))
    except TimeoutException:
        check(f"an operations query of the metric charts its {n} points", False,
              f"{c.attr('#query-chart', 'data-points')} {c.text('#query-error')}")
    check("the table view has a row per point", c.attr("#query-table", "data-rows") == str(n), c.attr("#query-table", "data-rows"))
    # Hover shows values, drag zooms, reset goes back, the legend toggles.
    plot = c.find("#query-chart canvas.overlay")
    ActionChains(c.driver).move_to_element_with_offset(plot, 0, 0).perform()
    time.sleep(0.2)
    tip = c.js("const t = document.querySelector('#query-chart .tip'); return t.hidden ? '' : t.innerText;")
    check("hovering the chart shows the values under the pointer", "mean" in tip and ":" in tip, repr(tip[:200]))
    width = plot.size["width"]
    ActionChains(c.driver).move_to_element_with_offset(plot, -width // 6, 0).click_and_hold() \
        .move_by_offset(width // 5, 0).release().perform()
    time.sleep(0.3)
    zoomed = int(c.attr("#query-chart", "data-points") or 0)
    check("dragging across the chart zooms in", 0 < zoomed < n, f"{zoomed} points in view")
    c.shot("query-operations")
    c.js("document.querySelector('#query-chart .bar button').click()")
    time.sleep(0.2)
    check("reset zoom shows every point again", c.attr("#query-chart", "data-points") == str(n), c.attr("#query-chart", "data-points"))
    c.js("document.querySelector('#query-chart .legend .vrow').click()")
    time.sleep(0.2)
    check("a legend row hides its series", c.attr("#query-chart", "data-series") == "0", c.attr("#query-chart", "data-series"))
    check("no console error on the query page", not c.errors(), str(c.errors()))

    # Over the resources a search finds, grouped.
    c.submit_ops("(aggregate mean (metric cpu mean))", "60", 'host like "db%"', seed.TYPE)
    try:
        # The previous query also ended in "1 series": wait for this one's points.
        c.wait(lambda: c.text("#query-status").startswith("1 series") and c.attr("#query-chart", "data-points") == "5")
        check("an operations query over searched resources charts their aggregate", True)
    except TimeoutException:
        check("an operations query over searched resources charts their aggregate", False,
              f"{c.text('#query-status')} {c.text('#query-error')}")

    # A bad query shows its error.
    c.submit_ops("(metric nope", "")
    try:
        c.wait(lambda: c.text("#query-error .error"))
        message = c.text("#query-error .error")
        check("a bad operations query shows the API's error", "400" in message and "operations" in message.lower(), message)
    except TimeoutException:
        check("a bad operations query shows the API's error", False)
    c.shot("query-error")
    c.errors(allow=["/v1/aggregates"])

    # PromQL, when the server answers the Prometheus query API.
    promql_check(c)

    # Credentials the server refuses (keystone headers to a basic-mode server): the dialog says so.
    c.js("document.getElementById('sign-out').click()")
    c.wait(lambda: c.js("return document.getElementById('sign-in').open"))
    c.js("""const f = document.getElementById('sign-in-form');
            f.querySelector('input[value=keystone]').click();
            f.elements.userId.value = 'u1'; f.elements.projectId.value = 'p1';""")
    c.find("#sign-in-submit").click()
    try:
        c.wait(lambda: c.js("return !document.getElementById('sign-in-error').hidden"))
        check("refused credentials keep the sign-in dialog open with the 401",
              "401" in c.text("#sign-in-error") and c.js("return document.getElementById('sign-in').open"), c.text("#sign-in-error"))
    except TimeoutException:
        check("refused credentials keep the sign-in dialog open with the 401", False)
    c.shot("sign-in-refused")
    c.errors(allow=["/v1/resource_type"])
    c.js("document.getElementById('sign-in-form').querySelector('input[value=basic]').click()")
    c.find("#sign-in-form input[name=user]").clear()
    c.find("#sign-in-form input[name=user]").send_keys("admin")
    c.find("#sign-in-submit").click()
    c.wait(lambda: not c.js("return document.getElementById('sign-in').open"))

    # Many series: a resource's metrics listed and charted without stalling the page.
    many = data["many"]
    if many:
        count = len(many)
        c.page_loads(f"a resource with {count} metrics", "#/resources/generic/console-many",
                     lambda: c.attr("#resource-metric-list", "data-rows") == str(count))
        began = time.time()
        c.js("document.getElementById('resource-chart-all').click()")
        try:
            c.wait(lambda: c.attr("#resource-chart", "data-series") == str(count), timeout=300)
            took = time.time() - began
            ping = time.time()
            c.js("return performance.now()")
            answered = time.time() - ping
            c.js("const p = document.querySelector('#resource-chart .legend .vport'); p.scrollTop = p.scrollHeight;")
            time.sleep(0.3)
            last = c.js("const rows = document.querySelectorAll('#resource-chart .legend .vrow'); return rows.length ? rows[rows.length - 1].innerText : '';")
            info = c.text("#resource-chart .bar span")
            check(f"{count} series are charted and listed (read and drawn in {took:.1f} s; {info})",
                  c.attr("#resource-chart .legend", "data-rows") == str(count) and last.strip() == f"m{count - 1:05d} mean",
                  f"legend rows {c.attr('#resource-chart .legend', 'data-rows')}, last {last!r}")
            dom_rows = c.js("return document.querySelectorAll('#resource-chart .legend .vrow').length")
            check(f"the legend of {count} series keeps only the rows in view in the page ({dom_rows})", dom_rows < 100)
            check(f"the page answers at once after drawing them ({answered * 1000:.0f} ms)", answered < 2)
            c.js("document.getElementById('resource-chart').scrollIntoView()")
            c.shot("many-series")
        except TimeoutException:
            check(f"{count} series are charted and listed", False,
                  f"{c.text('#resource-chart-status')} {c.text('#resource-error')}")
        check("no console error with many series", not c.errors(), str(c.errors()))


def promql_check(c):
    """The PromQL path, when the server has /prometheus/api/v1/ (issue 18's query API)."""
    c.go("#/query")
    c.wait(lambda: c.find("#promql-form"))
    status = c.js("""return fetch('/prometheus/api/v1/query?query=1', {headers: {Authorization: 'Basic ' + btoa('admin:')}})
                     .then(r => r.status).catch(() => 0);""")
    c.errors(allow=["/prometheus/api/v1/"])
    if status != 200:
        print(f"skip PromQL checks: /prometheus/api/v1/query answers {status}")
        return
    def promql(query, instant=False):
        c.js("""
            document.getElementById('tab-promql').click();
            document.getElementById('promql').value = arguments[0];
            document.getElementById('promql-instant').checked = arguments[1];
            document.getElementById('promql-range').value = '86400';
            document.getElementById('query-status').textContent = '';
            document.getElementById('promql-form').requestSubmit();""", query, instant)
    promql('cpu{resource_type="%s", aggregation="mean"}' % seed.TYPE)
    try:
        c.wait(lambda: (c.text("#query-status") or "").endswith("ms") or c.text("#query-error .error"))
        series = int(c.attr("#query-chart", "data-series") or 0)
        check("a PromQL range query charts the type's cpu series", series == len(seed.HOSTS) and not c.text("#query-error .error"),
              f"{series} series; {c.text('#query-error')}")
        c.shot("query-promql")
    except TimeoutException:
        check("a PromQL range query charts the type's cpu series", False, c.text("#query-status"))
    check("no console error on a PromQL query", not c.errors(), str(c.errors()))
    promql("sum(rate(cpu[5m]")
    try:
        c.wait(lambda: c.text("#query-error .error"))
        message = c.text("#query-error .error")
        check("a bad PromQL query shows Prometheus's error", "bad_data" in message, message)
    except TimeoutException:
        check("a bad PromQL query shows Prometheus's error", False)
    c.errors(allow=["/prometheus/api/v1/"])


if __name__ == "__main__":
    sys.exit(main())
