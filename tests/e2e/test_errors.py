#!/usr/bin/env python3
"""Error messages as Node 24 words them, through `codeworker exec --jobs`.

Each case catches an error and outputs its name, message and class checks;
the answers were recorded from Node 24 in tests/e2e/data/errors_expected.json
(the job text is stored beside each answer).  Cases cover every Duktape
message cw_errmsg.c maps onto V8's template, and errors a job constructs
itself with an engine-like message, which must come through untouched.

Usage: test_errors.py BUILD_BIN_DIR
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cwtest import check, summary  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    binary = os.path.join(sys.argv[1], "codeworker")
    cases = json.load(open(os.path.join(HERE, "data", "errors_expected.json")))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for k, v in cases.items():
            f.write(json.dumps({"jobId": k, "code": v["code"], "timeout": 10}) + "\n")
        path = f.name
    try:
        p = subprocess.run([binary, "exec", "--jobs", path, "--executors", "1"],
                           capture_output=True, text=True, timeout=300)
    finally:
        os.unlink(path)
    res = {}
    for line in p.stdout.splitlines():
        if line.strip():
            r = json.loads(line)
            res[r["jobId"]] = r
    for k, v in cases.items():
        r = res.get(k, {})
        want = v["node"].get("output")
        check(f"errors {k}", r.get("success") and r.get("output") == want,
              f"node {json.dumps(want)} codeworker {json.dumps(r.get('output'))} {r.get('error')}")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
