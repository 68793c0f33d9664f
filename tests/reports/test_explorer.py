"""`archlint serve`, the explorer, in headless Chromium: the page loads from the local server,
a package can be opened, a broken contract shows its chain, the page follows file changes, and
the server is read-only and loopback-only. A screenshot is saved under target/test-output/.

ARCHLINT_BIN is the archlint binary; CHROMIUM the browser (default: `chromium` on PATH)."""

import http.client
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from test_html import EXAMPLE, OUTPUT, ARCHLINT, chromium

import pytest


def browse(url, *extra):
    # No proxy: the page talks to the archlint server on loopback, and to nothing else.
    args = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        "--virtual-time-budget=5000", *extra,
    ]
    if not any(a.startswith("--screenshot") for a in extra):
        args.append("--dump-dom")
    args.append(url)
    out = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "shop"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".archlint_cache"))
    proc = subprocess.Popen(
        [ARCHLINT, "serve", str(root), "--port", "0", "--no-deps"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()
        assert "serving http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.split("serving ", 1)[1].split(" ", 1)[0]
        yield root, url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def test_the_page_shows_packages_and_a_package_can_be_opened(served):
    _, url = served
    dom = browse(url)
    assert "archlint explorer" in dom
    assert 'href="#package=shop"' in dom
    assert "Shop layers" in dom  # the contracts list
    dom = browse(url + "#package=shop")
    assert '<h2 class="view" id="title">shop</h2>' in dom
    between = dom.split('id="between"', 1)[1].split("</table>", 1)[0]
    # shop.services imports shop.api: a part-to-part import of the package.
    assert 'href="#package=shop.services"' in between and 'href="#package=shop.api"' in between
    dom = browse(url + "#package=shop.domain.models")
    imports = dom.split('id="imports"', 1)[1].split("</table>", 1)[0]
    assert "shop.services.orders" in imports and "<td class=\"n\">12</td>" in imports


def test_a_broken_contract_shows_its_chain_and_a_screenshot_is_saved(served):
    _, url = served
    dom = browse(url + "#contract=layers")
    assert '<span class="broken" id="status">broken</span>' in dom
    assert "shop.domain.models" in dom and "shop.services.orders" in dom
    assert "shop/domain/models.py:12" in dom
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT / "explorer.png"
    shot.unlink(missing_ok=True)
    browse(url + "#contract=layers", f"--screenshot={shot}", "--window-size=1280,900")
    assert shot.stat().st_size > 10_000


def test_the_page_follows_file_changes(served):
    root, url = served
    first = get_json(url + "api/version")["version"]
    path = root / "shop" / "infra" / "repository.py"
    path.write_text(path.read_text() + "\nimport shop.api.views\n")
    deadline = time.time() + 30
    while get_json(url + "api/version")["version"] == first:
        assert time.time() < deadline, "the explorer did not refresh"
        time.sleep(0.1)
    module = get_json(url + "api/package?name=shop.infra.repository")
    assert "shop.api.views" in [i["module"] for i in module["imports"]]
    dom = browse(url + "#package=shop.infra.repository")
    assert "shop.api.views" in dom.split('id="imports"', 1)[1].split("</table>", 1)[0]


def test_the_server_is_read_only_and_checks_the_host(served):
    _, url = served
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("POST", "/api/state", body="{}")
    assert conn.getresponse().status == 405
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/api/state", headers={"Host": "attacker.example"})
    assert conn.getresponse().status == 421
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/../../etc/passwd")
    assert conn.getresponse().status == 404
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/api/package?name=no.such.module")
    assert conn.getresponse().status == 404
