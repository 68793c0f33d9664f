"""The HTML report opened in a real browser: headless Chromium (Debian's package, installed by the
test command) loads the page from disk with the network off, the rendered DOM is checked, and a
screenshot is saved under target/test-output/.

ARCHLINT_BIN is the archlint binary; CHROMIUM the browser (default: `chromium` on PATH)."""

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

ARCHLINT = os.environ["ARCHLINT_BIN"]
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXAMPLE = ROOT / "examples" / "layered-shop"
OUTPUT = ROOT / "target" / "test-output"


def chromium():
    browser = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "chromium is not installed (scripts/test.sh installs Debian's package)"
    return browser


def browse(url, *extra):
    # --no-sandbox: the test may run as root in a container. The proxy settings make any
    # network request fail, so a page that needed one would render incompletely.
    args = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
        "--virtual-time-budget=2000", *extra, url,
    ]
    out = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


class Dom(HTMLParser):
    """Elements with their attributes and text, enough to query the rendered page."""

    def __init__(self):
        super().__init__()
        self.elements = []
        self.stack = []

    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, "attrs": dict(attrs), "text": "", "parents": list(self.stack)}
        self.elements.append(el)
        if tag not in ("meta", "input", "br", "link", "img", "hr", "wbr"):
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        self.elements.append({"tag": tag, "attrs": dict(attrs), "text": "", "parents": list(self.stack)})

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i]["tag"] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        for el in self.stack:
            el["text"] += data

    def select(self, tag, cls=None, **attrs):
        found = []
        for el in self.elements:
            if el["tag"] != tag:
                continue
            classes = el["attrs"].get("class", "").split()
            if cls and not all(c in classes for c in cls.split()):
                continue
            if any(el["attrs"].get(k.replace("_", "-")) != v for k, v in attrs.items()):
                continue
            found.append(el)
        return found


def report(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["ARCHLINT_NO_CACHE"] = "1"
    out = subprocess.run(
        [ARCHLINT, "check", str(EXAMPLE), "--format", "html,json", "--output-dir", str(tmp_path)],
        capture_output=True, text=True, env=env,
    )
    assert out.returncode == 1, out.stderr
    page = tmp_path / "archlint.html"
    assert page.is_file()
    return page


def test_rendered_report_shows_graph_contracts_and_violations(tmp_path):
    page = report(tmp_path)
    dom = Dom()
    dom.feed(browse(page.as_uri(), "--dump-dom"))

    # The graph is there, drawn as SVG with every package of the example.
    svg = dom.select("svg", id="graph")
    assert len(svg) == 1
    nodes = {el["attrs"]["data-name"] for el in dom.select("g", "node")}
    assert {"shop.api", "shop.services", "shop.domain", "shop.infra"} <= nodes
    assert "requests" in nodes and "sqlalchemy" in nodes  # forbidden externals are drawn

    # Every broken contract is listed with its chain and file:line.
    broken = dom.select("article", "contract broken")
    names = {el["attrs"]["data-contract"] for el in broken}
    assert names == {"layers", "plugins", "pure-domain", "models"}
    assert not dom.select("article", "contract kept")
    chain_text = " ".join(el["text"] for el in dom.select("ol", "chain"))
    assert "shop.domain.models → shop.services.orders shop/domain/models.py:12" in " ".join(chain_text.split())

    # The violation is highlighted: the domain → services import is a red edge, its nodes marked.
    bad = dom.select("path", "edge violation", data_from="shop.domain", data_to="shop.services")
    assert len(bad) == 1, [e["attrs"] for e in dom.select("path", "edge")]
    assert "breaks a contract" in bad[0]["text"]
    ok = dom.select("path", "edge", data_from="shop.api", data_to="shop.services")
    assert ok and "violation" not in ok[0]["attrs"]["class"]
    assert {"shop.domain", "shop.services"} <= {el["attrs"]["data-name"] for el in dom.select("g", "node violation")}

    # Status and dependency tables.
    assert dom.select("span", "badge fail", id="status")
    leftpad = dom.select("tr", "error", data_package="leftpad")
    assert leftpad and "GPL-3.0-only" in leftpad[0]["text"] and "license-denied" in leftpad[0]["text"]
    # The page's script ran (it attaches the filter to the table) and nothing was fetched.
    assert dom.select("input", id="filter")


def test_screenshot(tmp_path):
    page = report(tmp_path)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT / "html-report.png"
    if shot.exists():
        shot.unlink()
    browse(page.as_uri(), f"--screenshot={shot}", "--window-size=1280,2400")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # A blank page compresses to a few kilobytes; the report does not.
    assert len(data) > 50_000, len(data)
