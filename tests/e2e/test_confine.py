#!/usr/bin/env python3
"""Proves from the outside that executors are confined (worker/cw_confine.c).

Usage: test_confine.py BUILD_BIN_DIR [--no-escape-build]

1. Reads a live executor's /proc entries while it runs a job: seccomp in
   filter mode, no_new_privs, non-dumpable, no root identity or capabilities
   (when the test runs as root), only descriptors 0-3, an empty environment,
   and the resource limits.
2. Checks that --insecure-no-sandbox really turns all of that off and says so
   on stderr, and that a normal build has no escape hook.
3. Configures and builds a TEST build with -DCW_ESCAPE_HOOK=ON in
   build-escape/ at the repository root (unless --no-escape-build), whose
   jobs can call __escape(kind) to make forbidden system calls from C, and
   checks that every kind ends as SECURITY_ERROR while the pool keeps
   serving; with --insecure-no-sandbox the same calls succeed, which shows
   the hook works and that the confinement is what stops it.
4. Prints the start-up cost of confinement: time from exec to READY for a
   bare executor, confined and not.

Prints one PASS/FAIL line per check and a closing "N passed, N failed" line;
exits 1 if anything failed.
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import time

BIN_DIR = os.path.abspath(sys.argv[1])
BIN = os.path.join(BIN_DIR, "codeworker")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ESCAPE_DIR = os.path.join(ROOT, "build-escape")
AS_ROOT = os.geteuid() == 0
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cwtest import check, summary  # noqa: E402

ESCAPES = ["open", "socket", "execve", "fork", "mprotect-exec", "setuid"]
LONG_JOB = {"jobId": "long", "code": "var t = Date.now(); while (Date.now() - t < 1500) {} output = 'ok'",
            "timeout": 10}




def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


def proc_limits(pid):
    """{"Max core file size": ("0", "0"), ...} from /proc/<pid>/limits."""
    out = {}
    with open(f"/proc/{pid}/limits") as f:
        next(f)
        for line in f:
            name = line[:26].strip()
            soft, hard = line[26:].split()[:2]
            out[name] = (soft, hard)
    return out


class Exec:
    """`codeworker exec --jobs -` fed one line at a time."""

    def __init__(self, binary, *extra):
        self.p = subprocess.Popen([binary, "exec", "--jobs", "-", "--executors", "1", *extra],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, bufsize=1)

    def send(self, job):
        self.p.stdin.write(json.dumps(job) + "\n")
        self.p.stdin.flush()

    def result(self):
        line = self.p.stdout.readline()
        return json.loads(line) if line else {}

    def run(self, job):
        self.send(job)
        return self.result()

    def executor(self, timeout=5.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            kids = children(self.p.pid)
            if kids:
                return kids[0]
            time.sleep(0.02)
        return None

    def close(self):
        self.p.stdin.close()
        try:
            self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        return self.p.stderr.read()


def test_live_executor():
    x = Exec(BIN)
    x.send(LONG_JOB)
    time.sleep(0.4)  # the executor is inside the job now
    pid = x.executor()
    if pid is None:
        check("executor process found", False, "no child of codeworker exec")
        x.close()
        return
    st = proc_status(pid)
    check("seccomp filter mode (Seccomp: 2)", st.get("Seccomp") == "2", st.get("Seccomp"))
    check("no_new_privs set (NoNewPrivs: 1)", st.get("NoNewPrivs") == "1", st.get("NoNewPrivs"))
    if AS_ROOT:
        uids, gids = st["Uid"].split(), st["Gid"].split()
        check("uid dropped: no real/effective/saved/fs uid 0", "0" not in uids, st["Uid"])
        check("gid dropped: no real/effective/saved/fs gid 0", "0" not in gids, st["Gid"])
        check("no supplementary groups", st.get("Groups", "") == "", st.get("Groups"))
        check("no capabilities (CapEff, CapPrm, CapAmb all 0)",
              all(int(st.get(k, "1"), 16) == 0 for k in ("CapEff", "CapPrm", "CapAmb")),
              {k: st.get(k) for k in ("CapEff", "CapPrm", "CapAmb")})
        # A non-dumpable process's /proc files belong to root, not to its uid.
        check("non-dumpable (its /proc files stay owned by root)",
              os.stat(f"/proc/{pid}/status").st_uid == 0 and uids[0] != "0")
        fds = sorted(int(f) for f in os.listdir(f"/proc/{pid}/fd"))
        check("only descriptors 0, 1, 2 and the channel (3) are open", fds == [0, 1, 2, 3], fds)
        # The log region (worker/cw_logring.c) is mapped, once, shared and not
        # executable; its descriptor was closed before confinement.
        with open(f"/proc/{pid}/maps") as f:
            maps = [l.split() for l in f if "codeworker-logs" in l]
        check("log region mapped once, rw-s, not executable, its descriptor closed",
              len(maps) == 1 and maps[0][1] == "rw-s", maps)
        with open(f"/proc/{pid}/environ", "rb") as f:
            env = f.read()
        check("environment is empty", env == b"", env[:200])
    else:
        print("# not root: identity, descriptor and environment checks need root to read /proc; skipped")
    lim = proc_limits(pid)
    check("RLIMIT_CORE 0", lim.get("Max core file size") == ("0", "0"), lim.get("Max core file size"))
    check("RLIMIT_FSIZE 0", lim.get("Max file size") == ("0", "0"), lim.get("Max file size"))
    check("RLIMIT_NOFILE 8", lim.get("Max open files") == ("8", "8"), lim.get("Max open files"))
    check("RLIMIT_NPROC 0", lim.get("Max processes") == ("0", "0"), lim.get("Max processes"))
    as_lim = lim.get("Max address space", ("unlimited",))[0]
    check("RLIMIT_AS set, above the largest memoryLimit (512 MiB) with headroom",
          as_lim.isdigit() and int(as_lim) >= 1 << 30, as_lim)
    # cw_confine_cpu_backstop: a soft RLIMIT_CPU armed per job (CPU used so
    # far + timeout + slack) behind the supervisor's wall-clock kill; no
    # hard limit, so it can be moved on for the next job.
    cpu = lim.get("Max cpu time", ("?", "?"))
    check("RLIMIT_CPU: a per-job soft limit, no hard limit",
          cpu[0].isdigit() and 0 < int(cpu[0]) <= 3600 and cpu[1] == "unlimited", cpu)
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        argv = f.read().split(b"\0")
    check("executor was not told to skip confinement", b"--insecure-no-sandbox" not in argv)
    r = x.result()
    check("the job under inspection still succeeds", r.get("resultCode") == "SUCCESS", r)
    r = x.run({"jobId": "date", "code": "output = new Date(2020, 1, 29, 12).getDate() + ':' + "
                                        "new Date(0).getTimezoneOffset()"})
    check("local-time Date works confined (zone loaded before the filter)",
          r.get("resultCode") == "SUCCESS" and str(r.get("output", "")).startswith("29:"), r)
    # ICU after the filter: zones never touched at start-up, their names,
    # normalization and locale case data all come from the linked-in data.
    for zone, want in (("Australia/Sydney", "-660 Mon Jan 15 2024 21:30:00 GMT+1100 (Australian Eastern "
                                            "Daylight Time) e\u0301 \u0130"),
                       ("Asia/Kolkata", "-330 Mon Jan 15 2024 16:00:00 GMT+0530 (India Standard Time) "
                                        "e\u0301 \u0130")):
        r = x.run({"jobId": "tz", "timeZone": zone,
                   "code": "var d = new Date('2024-01-15T10:30:00Z'); output = d.getTimezoneOffset() + ' ' + "
                           "String(d) + ' ' + '\\u00e9'.normalize('NFD') + ' ' + 'i'.toLocaleUpperCase('tr')"})
        check(f"ICU works confined: {zone}, normalize, locale case", r.get("output") == want, r)
    r = x.run({"jobId": "mem", "code": "var a = []; for (var i = 0; i < 2e6; i++) a.push('v' + i); "
                                       "output = a.length", "memoryLimit": 512, "timeout": 30})
    check("a large job within its limits is not stopped by RLIMIT_AS",
          r.get("resultCode") == "SUCCESS" and r.get("output") == 2000000, str(r)[:300])
    r = x.run({"jobId": "bomb", "code": "var a = []; for (;;) a.push({x: a.length, y: 'abc' + a.length});",
               "memoryLimit": 512, "timeout": 60})
    check("a 512 MB object bomb ends as MEMORY_LIMIT (allocator cap, not RLIMIT_AS)",
          r.get("resultCode") == "MEMORY_LIMIT", str(r)[:300])
    x.close()


def test_insecure_flag():
    x = Exec(BIN, "--insecure-no-sandbox")
    x.send(LONG_JOB)
    time.sleep(0.4)
    pid = x.executor()
    st = proc_status(pid) if pid else {}
    r = x.result()
    err = x.close()
    check("--insecure-no-sandbox: executor unconfined (Seccomp: 0)", st.get("Seccomp") == "0", st.get("Seccomp"))
    check("--insecure-no-sandbox: loud warning on stderr", "INSECURE" in err, err[:300])
    check("--insecure-no-sandbox: jobs still run", r.get("resultCode") == "SUCCESS", r)


def test_no_hook_in_normal_build():
    x = Exec(BIN)
    r = x.run({"jobId": "hook", "code": "output = typeof __escape"})
    x.close()
    check("normal build: no __escape global", r.get("output") == "undefined", r)
    with open(BIN, "rb") as f:
        data = f.read()
    check("normal build: binary has no escape hook",
          b"unknown escape kind" not in data and b"__wrap_duk_create_heap" not in data)


def build_escape():
    if not os.path.exists(os.path.join(ESCAPE_DIR, "build.ninja")):
        cfg = subprocess.run(["cmake", "-S", ROOT, "-B", ESCAPE_DIR, "-G", "Ninja",
                              "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DCW_WERROR=ON", "-DCW_TESTS=OFF",
                              "-DCW_ESCAPE_HOOK=ON"], capture_output=True, text=True)
        if cfg.returncode:
            return cfg.stdout[-1500:] + cfg.stderr[-1500:]
    b = subprocess.run(["ninja", "-C", ESCAPE_DIR, "codeworker"], capture_output=True, text=True)
    return None if b.returncode == 0 else b.stdout[-2000:] + b.stderr[-1000:]


def test_escape_hook():
    err = build_escape()
    check("escape-hook test build (build-escape/, -DCW_ESCAPE_HOOK=ON)", err is None, err)
    if err:
        return
    ebin = os.path.join(ESCAPE_DIR, "bin", "codeworker")
    x = Exec(ebin)
    r = x.run({"jobId": "warm", "code": "output = typeof __escape"})
    check("escape build: hook present", r.get("output") == "function", r)
    for kind in ESCAPES:
        r = x.run({"jobId": f"escape-{kind}", "code": f"output = __escape('{kind}')"})
        msg = (r.get("error") or {}).get("message", "")
        check(f"escape '{kind}' -> SECURITY_ERROR", r.get("resultCode") == "SECURITY_ERROR"
              and "forbidden system call" in msg and r.get("jobId") == f"escape-{kind}", str(r)[:300])
        r = x.run({"jobId": f"after-{kind}", "code": "output = input.a + 1", "inputData": {"a": 41}})
        check(f"pool keeps serving after '{kind}'", r.get("resultCode") == "SUCCESS" and r.get("output") == 42,
              str(r)[:300])
    x.close()
    # Control: unconfined, the same hook gets through.  (execve replaces the
    # executor, which then dies: not a useful control.)
    x = Exec(ebin, "--insecure-no-sandbox")
    for kind in ("open", "socket", "fork", "mprotect-exec"):
        r = x.run({"jobId": f"control-{kind}", "code": f"output = __escape('{kind}')"})
        check(f"control: unconfined, '{kind}' goes through", r.get("resultCode") == "SUCCESS"
              and "(ok)" in str(r.get("output")), str(r)[:300])
    x.close()


def time_to_ready(extra, n=40):
    """Median ms from spawning a bare executor to its READY frame."""
    times = []
    for _ in range(n):
        a, b = socket.socketpair()
        t0 = time.perf_counter()
        p = subprocess.Popen([BIN, "executor", "--fd", str(b.fileno()), *extra], pass_fds=(b.fileno(),),
                             stdin=subprocess.DEVNULL, env={})
        b.close()
        hdr = a.recv(8)
        times.append((time.perf_counter() - t0) * 1000)
        a.close()
        p.wait()
        if len(hdr) != 8:
            return None
    return statistics.median(times)


def test_startup_cost():
    confined = time_to_ready([])
    plain = time_to_ready(["--insecure-no-sandbox"])
    check("bare executor reaches READY, confined and not", confined is not None and plain is not None)
    if confined is not None and plain is not None:
        print(f"# executor exec -> READY, median of 40: confined {confined:.2f} ms, "
              f"unconfined {plain:.2f} ms, confinement {confined - plain:+.2f} ms")


def main():
    test_live_executor()
    test_insecure_flag()
    test_no_hook_in_normal_build()
    if "--no-escape-build" not in sys.argv:
        test_escape_hook()
    test_startup_cost()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
