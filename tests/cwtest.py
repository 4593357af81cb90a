"""Shared bits of the Python test drivers: PASS/FAIL lines, the closing
"N passed, N failed" line that tests/run.sh and CI read, and /proc helpers."""

import sys

counts = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    """Print one PASS/FAIL line and count it; returns ok."""
    if ok:
        counts["passed"] += 1
        print(f"PASS {name}")
    else:
        counts["failed"] += 1
        print(f"FAIL {name}: {str(detail)[:600]}")
    sys.stdout.flush()
    return ok


def summary():
    """Print the closing line; returns the exit status."""
    print(f"{counts['passed']} passed, {counts['failed']} failed")
    return 1 if counts["failed"] else 0


def children(pid):
    """Child pids of a process (its executors, for a codeworker process)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None
