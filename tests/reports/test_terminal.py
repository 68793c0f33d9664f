"""Behaviour on a terminal, under a real pseudo-terminal: the progress bar is drawn on standard
error only there (not through a pipe, not in CI, not with --quiet), and the text report is
coloured only on a terminal and never with NO_COLOR.

ARCHLINT_BIN is the archlint binary."""

import os
import pty
import select
import subprocess
from pathlib import Path

ARCHLINT = os.environ["ARCHLINT_BIN"]
EXAMPLE = Path(__file__).resolve().parent.parent.parent / "examples" / "layered-shop"


def big_project(root: Path, files=3000):
    pkg = root / "big"
    for i in range(files // 100):
        sub = pkg / f"sub{i}"
        sub.mkdir(parents=True)
        (sub / "__init__.py").write_text("")
        for j in range(100):
            (sub / f"m{j}.py").write_text(f"import os\nfrom big.sub{(i + 1) % (files // 100)} import m{j}\n\ndef f{j}(x):\n    return x + {j}\n")
    (pkg / "__init__.py").write_text("")
    (root / ".importlinter").write_text(
        "[importlinter]\nroot_package = big\n\n[importlinter:contract:c]\nname = C\ntype = forbidden\n"
        "source_modules = big.sub0\nforbidden_modules = big.sub5\n"
    )
    return root


def env(**extra):
    e = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "VIRTUAL_ENV", "TERM")}
    e["ARCHLINT_NO_CACHE"] = "1"
    e["TERM"] = "xterm-256color"
    e.update(extra)
    return e


def run_in_pty(args, environ):
    """Run with stdout and stderr on a pseudo-terminal; return everything it wrote."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=environ, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            proc.kill()
            raise AssertionError("archlint hung under a pty")
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_progress_is_drawn_on_a_terminal(tmp_path):
    project = big_project(tmp_path)
    code, out = run_in_pty([ARCHLINT, "check", str(project)], env())
    assert code == 1, out
    assert "archlint" in out and ("discovering files" in out or "files (" in out), out[-3000:]
    # The bar is cleared before the report: the report follows a clear-line sequence.
    assert "\x1b[2K" in out or "\x1b[K" in out or "\r" in out
    assert "C BROKEN" in out.replace("\x1b[31;1m", "").replace("\x1b[0m", "")


def test_no_progress_through_a_pipe_in_ci_or_quiet(tmp_path):
    project = big_project(tmp_path)
    piped = subprocess.run([ARCHLINT, "check", str(project)], capture_output=True, text=True, env=env())
    assert piped.returncode == 1
    assert "discovering files" not in piped.stderr and "files (" not in piped.stderr
    assert "\r" not in piped.stderr and "\x1b" not in piped.stdout
    for environ, flags in ((env(CI="true"), []), (env(), ["--quiet"]), (env(TERM="dumb"), [])):
        code, out = run_in_pty([ARCHLINT, "check", *flags, str(project)], environ)
        assert code == 1
        assert "discovering files" not in out and "files (" not in out, (flags, out[:500])


def test_colour_only_on_a_terminal_and_never_with_no_color():
    code, out = run_in_pty([ARCHLINT, "check", "--quiet", "--no-deps", str(EXAMPLE)], env())
    assert code == 1
    assert "\x1b[31;1mBROKEN\x1b[0m" in out
    code, out = run_in_pty([ARCHLINT, "check", "--quiet", "--no-deps", str(EXAMPLE)], env(NO_COLOR="1"))
    assert code == 1
    assert "BROKEN" in out and "\x1b[31" not in out


MOCK = Path(__file__).resolve().parent.parent.parent / "target" / "release" / "examples" / "mock_index"
FIXTURES = Path(__file__).resolve().parent.parent.parent / "crates" / "archlint-index" / "tests" / "fixtures" / "index-json"


def test_online_fetches_show_their_own_bar():
    # The mock package index answers on loopback after 300 ms, so the fetch phase is visible.
    mock = subprocess.Popen([str(MOCK), str(FIXTURES), "300"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = mock.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        code, out = run_in_pty(
            [ARCHLINT, "deps", "check", str(EXAMPLE), "--online", "--index-url", url + "/simple/", "--no-cache"],
            env(PIP_CONFIG_FILE="/dev/null"),
        )
        assert code in (0, 1), out
        assert "fetching [" in out and "packages" in out, out[:2000]
        # Through a pipe: the same run draws nothing.
        piped = subprocess.run(
            [ARCHLINT, "deps", "check", str(EXAMPLE), "--online", "--index-url", url + "/simple/", "--no-cache"],
            capture_output=True, text=True, env=env(PIP_CONFIG_FILE="/dev/null"),
        )
        assert "fetching [" not in piped.stderr
    finally:
        mock.kill()
        mock.wait()
