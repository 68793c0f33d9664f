"""Generate a virtualenv with N synthetic distributions (default 500) and a project using them.

    python3 bench/gen_env.py 500 bench/work/deps

creates bench/work/deps/venv (a real virtualenv: pip list and pip show see every distribution)
and bench/work/deps/project (pyproject.toml with declared dependencies and a dependency and
license policy, plus modules importing them). The metadata mixes what real environments hold:
License-Expression, short License fields, classifiers only, unknown and ambiguous licenses,
Requires-Dist with markers and extras, top_level.txt or RECORD only, long descriptions.
"""

import os
import random
import subprocess
import sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 500
OUT = sys.argv[2] if len(sys.argv) > 2 else "bench/work/deps"
rng = random.Random(42)

EXPRESSIONS = ["MIT", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause", "MIT OR Apache-2.0", "ISC", "PSF-2.0",
               "MPL-2.0", "LGPL-3.0-or-later", "Apache-2.0 WITH LLVM-exception"]
FIELDS = ["MIT", "MIT License", "Apache 2.0", "Apache License, Version 2.0", "BSD-3-Clause", "New BSD",
          "PSF", "ISC License", "MPL 2.0", "GPLv3+"]
CLASSIFIERS = ["MIT License", "Apache Software License", "BSD License",
               "Python Software Foundation License", "ISC License (ISCL)",
               "Mozilla Public License 2.0 (MPL 2.0)", "GNU Lesser General Public License v3 (LGPLv3)"]
WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor".split()


def name_of(i):
    return f"synth-{WORDS[i % len(WORDS)]}-{i}"


def main():
    venv = os.path.join(OUT, "venv")
    if os.path.exists(os.path.join(venv, "installed.txt")):
        write_project(os.path.join(OUT, "project"))
        return
    if not os.path.exists(os.path.join(venv, "bin", "python")):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    site = subprocess.run([os.path.join(venv, "bin", "python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    licenses = {}
    for i in range(N):
        name = name_of(i)
        version = f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
        mod = name.replace("-", "_")
        info = os.path.join(site, f"{mod}-{version}.dist-info")
        os.makedirs(info, exist_ok=True)
        headers = ["Metadata-Version: 2.4" if i % 10 < 4 else "Metadata-Version: 2.1",
                   f"Name: {name}", f"Version: {version}", f"Summary: synthetic package {i}",
                   "Requires-Python: >=3.8"]
        kind = i % 10
        if kind < 4:
            lic = rng.choice(EXPRESSIONS)
            headers.append(f"License-Expression: {lic}")
        elif kind < 7:
            lic = rng.choice(FIELDS)
            headers.append(f"License: {lic}")
        elif kind < 9:
            lic = rng.choice(CLASSIFIERS)
            headers.append(f"Classifier: License :: OSI Approved :: {lic}")
        else:
            lic = "BSD" if i % 20 == 9 else "UNKNOWN"
            headers.append(f"License: {lic}")
        licenses[name] = lic
        headers += ["Classifier: Programming Language :: Python :: 3", "Classifier: Operating System :: OS Independent"]
        for dep in rng.sample(range(i), min(i, rng.randint(0, 4))):
            marker = rng.choice(["", "", "", "; python_version >= \"3.8\"", "; sys_platform == \"win32\"",
                                 "; extra == \"test\""])
            headers.append(f"Requires-Dist: {name_of(dep)}>=0.1{marker}")
        headers.append("Provides-Extra: test")
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(300, 1200)))
        with open(os.path.join(info, "METADATA"), "w") as f:
            f.write("\n".join(headers) + "\n\n" + body + "\n")
        with open(os.path.join(info, "INSTALLER"), "w") as f:
            f.write("pip\n")
        files = [f"{mod}/__init__.py"] + [f"{mod}/m{j}.py" for j in range(rng.randint(5, 80))]
        record = "".join(f"{p},sha256=abc,{rng.randint(100, 9000)}\n" for p in files)
        record += f"{mod}-{version}.dist-info/METADATA,,\n{mod}-{version}.dist-info/RECORD,,\n"
        with open(os.path.join(info, "RECORD"), "w") as f:
            f.write(record)
        if i % 2 == 0:
            with open(os.path.join(info, "top_level.txt"), "w") as f:
                f.write(mod + "\n")
        with open(os.path.join(info, "WHEEL"), "w") as f:
            f.write("Wheel-Version: 1.0\nGenerator: synth\nRoot-Is-Purelib: true\nTag: py3-none-any\n")

    project = write_project(os.path.join(OUT, "project"))
    with open(os.path.join(venv, "installed.txt"), "w") as f:
        f.write(f"{N} synthetic distributions\n")
    print(f"{N} distributions in {site}; project in {project}")


def write_project(project):
    """The project: 60 declared distributions, 50 of them imported (10 unused); three installed
    distributions imported without being declared (only installed as others' requirements) and
    one import nothing provides — the findings deptry and `tach check-external` report too."""
    os.makedirs(os.path.join(project, "app"), exist_ok=True)
    declared = list(range(N - 60, N))
    deps = ",\n    ".join(f'"{name_of(i)}>=0"' for i in declared)
    approved = ", ".join(f'"{name_of(i)}"' for i in range(N))
    with open(os.path.join(project, "pyproject.toml"), "w") as f:
        f.write(f"""[project]
name = "bench-app"
version = "1.0"
dependencies = [
    {deps}
]

[tool.archlint.dependencies]
approved = [{approved}]
forbidden = ["{name_of(3)}"]
unapproved = "error"

[tool.archlint.licenses]
allow = ["MIT", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause", "ISC", "PSF-2.0"]
review = ["MPL-2.0", "LGPL-3.0-only", "LGPL-3.0-or-later"]
deny = ["GPL-3.0-or-later"]
""")
    # `tach check-external` reads the package layout from tach.toml.
    with open(os.path.join(project, "tach.toml"), "w") as f:
        f.write('source_roots = ["."]\n\n[[modules]]\npath = "app"\ndepends_on = []\n')
    with open(os.path.join(project, "app", "__init__.py"), "w") as f:
        f.write("")
    imported = declared[:50] + [10, 11, 12]
    for k, i in enumerate(imported):
        with open(os.path.join(project, "app", f"mod{k}.py"), "w") as f:
            f.write(f"import os\nimport {name_of(i).replace('-', '_')}\nfrom app import mod{max(k - 1, 0)}\n")
    with open(os.path.join(project, "app", "extra.py"), "w") as f:
        f.write("import json\nimport nowhere_to_be_found\n")
    for stale in range(len(imported), 60):
        path = os.path.join(project, "app", f"mod{stale}.py")
        if os.path.exists(path):
            os.remove(path)
    return project


if __name__ == "__main__":
    main()
