#!/usr/bin/env python3
"""Regular-expression benchmark: the same jobs on two codeworker builds (for
example one with Duktape's own RegExp and one with the regress engine) and,
optionally, on Node.  Each job times its own loop with Date.now() and
returns the milliseconds; the table prints the median of --runs runs.

Usage: bench_regex.py [--runs N] [--node NODE] LABEL=BIN_DIR [LABEL=BIN_DIR ...]
"""

import argparse
import json
import os
import statistics
import subprocess
import tempfile

# ES5 only, so a build without the new engine runs them too.
TEXT = r"""
var words = ['alpha', 'beta', 'gamma', 'delta', 'mail', 'user', 'example', 'data', 'report', 'value'];
var parts = [], i = 0, len = 0;
while (len < 1048576) {
  var w = words[i % 10], p;
  if (i % 17 === 0) p = w + i + '@' + words[(i * 7) % 10] + '.com';
  else if (i % 23 === 0) p = 'https://www.' + w + '.org/path/' + i + '?q=' + w;
  else if (i % 19 === 0) p = '20' + (10 + i % 15) + '-0' + (1 + i % 9) + '-1' + (i % 10);
  else p = w + (i % 3 === 0 ? ',' : '');
  parts.push(p); len += p.length + 1; i++;
}
var text = parts.join(' ');
"""

JOBS = [
    ("simple literal: /needle/.test on 100 chars, 200k times",
     "var s = new Array(20).join('abcde') + 'needle'; var n = 0; var t0 = Date.now();"
     " for (var i = 0; i < 200000; i++) if (/needle/.test(s)) n++; output = Date.now() - t0;"),
    ("character class: replace(/[^a-z0-9]+/g) over 1 MB",
     TEXT + "var t0 = Date.now(); var r = text.replace(/[^a-z0-9]+/g, '-'); output = Date.now() - t0;"),
    ("email extraction: match(/g) over 1 MB",
     TEXT + "var t0 = Date.now(); var m = text.match(/[\\w.+-]+@[\\w-]+\\.[\\w.-]+/g); output = Date.now() - t0;"),
    ("URL extraction: match(/https?:\\/\\/\\S+/g) over 1 MB",
     TEXT + "var t0 = Date.now(); var m = text.match(/https?:\\/\\/[^\\s]+/g); output = Date.now() - t0;"),
    ("date extraction: exec loop with 3 groups over 1 MB",
     TEXT + "var re = /(\\d{4})-(\\d{2})-(\\d{2})/g, m, n = 0; var t0 = Date.now();"
     " while ((m = re.exec(text)) !== null) n += m[1].length; output = Date.now() - t0;"),
    ("split(/\\s+/) over 1 MB",
     TEXT + "var t0 = Date.now(); var a = text.split(/\\s+/); output = Date.now() - t0;"),
    ("replace loop: 100k short strings, replace(/\\s+/g, ' ')",
     "var s = '  some   text with   spaces  '; var t0 = Date.now(); var n = 0;"
     " for (var i = 0; i < 100000; i++) n += s.replace(/\\s+/g, ' ').length; output = Date.now() - t0;"),
    ("split loop: 100k CSV lines, split(/,/)",
     "var s = 'a,bb,ccc,dddd,eeeee'; var t0 = Date.now(); var n = 0;"
     " for (var i = 0; i < 100000; i++) n += s.split(/,/).length; output = Date.now() - t0;"),
]


def run_cw(bindir, code):
    with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False) as f:
        f.write(code)
    try:
        p = subprocess.run([os.path.join(bindir, "codeworker"), "exec", f.name, "--timeout", "120",
                            "--memory-limit", "512"], capture_output=True, text=True)
        r = json.loads(p.stdout)
        return r["output"] if r["resultCode"] == "SUCCESS" else None
    finally:
        os.unlink(f.name)


def run_node(node, code):
    p = subprocess.run([node, "-e", "var input = {}, output;\n" + code + "\nconsole.log(output)"],
                       capture_output=True, text=True)
    return float(p.stdout.strip()) if p.returncode == 0 else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--node")
    ap.add_argument("builds", nargs="+")
    a = ap.parse_args()
    builds = [b.split("=", 1) for b in a.builds]
    cols = [l for l, _ in builds] + (["node"] if a.node else [])
    print("| job | " + " | ".join(f"{c} (ms)" for c in cols) + " |")
    print("|---|" + "---|" * len(cols))
    for name, code in JOBS:
        row = []
        for _, d in builds:
            v = [run_cw(d, code) for _ in range(a.runs)]
            row.append("error" if None in v else f"{statistics.median(v):.0f}")
        if a.node:
            v = [run_node(a.node, code) for _ in range(a.runs)]
            row.append("error" if None in v else f"{statistics.median(v):.0f}")
        print(f"| {name} | " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
