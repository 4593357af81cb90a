#!/usr/bin/env python3
"""Checks the deployment files in deploy/ against the program they deploy.

Usage: test_deploy.py BUILD_BIN_DIR

Deployment files drift: a flag is renamed, a config key disappears, a port
changes in one manifest but not the next.  Everything here is checked
against the binary itself (its --help texts and `codeworker run -X list`),
not against a copy of its option table, so a change in the C code that the
deployment files did not follow fails this test:

* every command line (systemd ExecStart, the image's ENTRYPOINT, the
  Deployment's args) uses a command and flags the binary's --help lists, and
  the binary accepts it: it is run with `-X list` appended, with the config
  file it would read and the environment it would get, and must exit 0;
  the effective configuration it prints is what the other checks use;
* every CODEWORKER_* variable names a key of `codeworker run -X list`, and is
  not shadowed by the same key in the config file (the file ranks higher);
* deploy/codeworker.conf.example documents every key with its default and is
  accepted as is; the ConfigMap's file is accepted; kafka.* examples are
  librdkafka properties (when kcat is installed to list them);
* the -c path is where the ConfigMap is mounted (or the systemd credential);
* probe, scrape and EXPOSE ports equal the effective metrics.port, with a
  bind address reachable from outside the pod; the Dockerfile's HEALTHCHECK
  command is run against a live worker (librdkafka's mock cluster);
* grace periods exceed drain.timeout.ms; KEDA's topic, group and bootstrap
  servers equal the worker's; selectors match the pod labels;
* the hardening the unit and the manifests promise is there, including
  seccomp(2) in the unit's system-call allow-list (the executors install
  their own filter and cannot start without it);
* the image's build stage installs what CMakeLists.txt requires and its
  runtime stage every library the binary links (via dpkg -S);
* deploy/AGENT_PROMPT.md names every result code and allowed module.

Negative self-checks feed the checkers a manifest with `--no-such-flag`, an
unknown -X key, an unknown CODEWORKER_* variable and an unknown config key,
and require each to be reported.  Needs PyYAML (installed with pip when
missing, into BUILD_DIR/pydeps where the system refuses).  Prints one
PASS/FAIL line per check (SKIP lines for checks whose tool is missing) and a
closing "N passed, N failed" line; exits 1 if anything failed.
"""

import copy
import glob
import json
import math
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEPLOY = os.path.join(ROOT, "deploy")
K8S = os.path.join(DEPLOY, "k8s")
UNIT = os.path.join(DEPLOY, "systemd", "codeworker.service")
UNIT_ENV = os.path.join(DEPLOY, "systemd", "codeworker.env.example")
DOCKERFILE = os.path.join(DEPLOY, "container", "Dockerfile")
CONF_EXAMPLE = os.path.join(DEPLOY, "codeworker.conf.example")
AGENT_PROMPT = os.path.join(DEPLOY, "AGENT_PROMPT.md")
sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree

if len(sys.argv) < 2:
    print("usage: test_deploy.py BUILD_BIN_DIR", file=sys.stderr)
    sys.exit(2)
BIN_DIR = os.path.abspath(sys.argv[1])
BIN = os.path.join(BIN_DIR, "codeworker")
PYDEPS = os.path.join(os.path.dirname(BIN_DIR), "pydeps")
TMP = tempfile.mkdtemp(prefix="cw-deploy-")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cwtest import check, summary  # noqa: E402




def check_problems(name, problems):
    check(name, not problems, "; ".join(problems))


def skip(name, why):
    print(f"SKIP {name}: {why}")
    sys.stdout.flush()


def finish():
    shutil.rmtree(TMP, ignore_errors=True)
    sys.exit(summary())


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# ---- PyYAML -----------------------------------------------------------------

def load_yaml_module():
    if os.path.isdir(PYDEPS):
        sys.path.insert(0, PYDEPS)
    try:
        import yaml
        return yaml
    except ImportError:
        pass
    base = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "pyyaml"]
    errors = []
    for extra in ([], ["--target", PYDEPS]):
        try:
            p = subprocess.run(base + extra, capture_output=True, text=True, timeout=180)
        except (OSError, subprocess.TimeoutExpired) as e:
            errors.append(str(e))
            continue
        if p.returncode == 0:
            if extra and PYDEPS not in sys.path:
                sys.path.insert(0, PYDEPS)
            break
        errors.append(p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"rc={p.returncode}")
    import importlib
    importlib.invalidate_caches()
    try:
        import yaml
        return yaml
    except ImportError:
        check("PyYAML is available", False, "cannot install pyyaml with pip: " + "; ".join(errors))
        finish()


# ---- what the program says about itself ---------------------------------------

def clean_env(extra=None):
    """The caller's environment without CODEWORKER_* variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEWORKER_")}
    env.update(extra or {})
    return env


def run_bin(argv, env=None, timeout=30):
    return subprocess.run([BIN] + list(argv), capture_output=True, text=True, timeout=timeout,
                          env=clean_env(env), stdin=subprocess.DEVNULL)


def parse_help_flags(text):
    """{flag: takes_value} from a --help text: "-c, --config FILE  desc" takes a
    value (one space then a metavar), "--no-create-topics   desc" does not."""
    flags = {}
    for line in text.splitlines():
        if not line.lstrip().startswith("-"):
            continue
        for m in re.finditer(r"(?<![\w-])(--?[A-Za-z][\w-]*)(,?)(?=( \S|  |$)?)", line):
            flag, comma, after = m.group(1), m.group(2), m.group(3) or ""
            if comma:  # "-c, --config FILE": the short form shares the long one's metavar
                continue
            flags[flag] = after.startswith(" ") and after != "  "
        short = re.match(r"\s*(-[A-Za-z]), (--[\w-]+)", line)
        if short and short.group(2) in flags:
            flags[short.group(1)] = flags[short.group(2)]
    return flags


def parse_conf_dump(text):
    """`-X list` output into {key: value}."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([a-z][a-z0-9._-]*)\s+=\s?(.*?)\s*(?:#\s.*)?$", line)
        if m and not m.group(1).startswith("kafka."):
            out[m.group(1)] = m.group(2).strip()
        elif line.startswith("kafka."):
            k, _, v = line.partition(" = ")
            out[k.strip()] = v.strip()
    return out


class Program:
    def __init__(self):
        top = run_bin(["--help"])
        self.top_help = top.stdout + top.stderr
        self.commands = set()
        in_cmds = False
        for line in self.top_help.splitlines():
            if line.strip().lower().startswith("commands"):
                in_cmds = True
                continue
            m = re.match(r"^\s{2,}([a-z][a-z-]*)\s{2,}\S", line)
            if in_cmds and m:
                self.commands.add(m.group(1))
            elif in_cmds and line.strip() and not m:
                in_cmds = False
        self.help = {}
        self.flags = {}
        for cmd in sorted(self.commands):
            p = run_bin([cmd, "--help"])
            self.help[cmd] = p.stdout + p.stderr
            self.flags[cmd] = parse_help_flags(self.help[cmd])
        p = run_bin(["run", "-X", "list"])
        self.list_rc = p.returncode
        self.defaults = parse_conf_dump(p.stdout)
        self.keys = [k for k in self.defaults if not k.startswith("kafka.")]
        self.env_names = {"CODEWORKER_" + k.upper().replace(".", "_"): k for k in self.keys}
        # Variables the run help names besides the per-key ones (CODEWORKER_CONFIG).
        self.env_special = set(re.findall(r"CODEWORKER_[A-Z][A-Z_]*", self.help.get("run", ""))) - set(self.env_names)


# ---- checkers (pure: they return a list of problems) ---------------------------

def config_arg(argv):
    """Index of the config path in argv (after -c/--config), or None."""
    for i, a in enumerate(argv):
        if a in ("-c", "--config") and i + 1 < len(argv):
            return i + 1
        if a.startswith("--config="):
            return i
    return None


def check_command_line(prog, argv, where):
    """Static check of one command line: codeworker COMMAND [flags...]."""
    problems = []
    if not argv or os.path.basename(argv[0]) != "codeworker":
        return [f"{where}: does not start codeworker: {argv[:2]}"]
    if len(argv) < 2 or argv[1] not in prog.commands:
        return [f"{where}: command {argv[1:2]} is not one `codeworker --help` lists ({sorted(prog.commands)})"]
    cmd, flags = argv[1], prog.flags.get(argv[1], {})
    i = 2
    while i < len(argv):
        a = argv[i]
        if a == "--":
            break
        if a.startswith("--"):
            name = a.split("=", 1)[0]
            if name not in flags:
                problems.append(f"{where}: {name} is not a flag of `codeworker {cmd}` (see its --help)")
            elif flags[name] and "=" not in a:
                i += 1
        elif a.startswith("-") and len(a) > 1:
            name = a[:2]
            if name not in flags:
                problems.append(f"{where}: {name} is not a flag of `codeworker {cmd}` (see its --help)")
            elif flags[name]:
                val = a[2:] if len(a) > 2 else (argv[i + 1] if i + 1 < len(argv) else None)
                if len(a) == 2:
                    i += 1
                if name == "-X" and val is not None and val != "list":
                    key = val.split("=", 1)[0]
                    if "=" not in val:
                        problems.append(f"{where}: -X {val}: expected key=value")
                    elif not key.startswith("kafka.") and key not in prog.keys:
                        problems.append(f"{where}: -X {key}: not a key of `codeworker run -X list`")
        i += 1
    return problems


def check_env_names(prog, names, where):
    return [f"{where}: {n} maps to no key of `codeworker run -X list`"
            for n in names if n.startswith("CODEWORKER_") and n not in prog.env_names and n not in prog.env_special]


def conf_file_keys(text, commented=False):
    """Keys set in a config file's text; with commented=True, also "# key = v" lines."""
    keys = {}
    for line in text.splitlines():
        s = line.strip()
        if commented and s.startswith("#"):
            s = s.lstrip("#").strip()
            if not re.match(r"^[a-z][a-z0-9._-]*\s*=", s):
                continue
        if not s or s.startswith("#") or "=" not in s:
            continue
        k, _, v = s.partition("=")
        keys[k.strip()] = v.strip()
    return keys


def effective_config(prog, argv, env, conf_path=None):
    """Run argv (codeworker run ...) with -X list appended; the config path in
    argv is replaced by conf_path.  Returns (problems, {key: value})."""
    argv = list(argv)
    ci = config_arg(argv)
    if ci is not None and conf_path:
        argv[ci] = ("--config=" + conf_path) if argv[ci].startswith("--config=") else conf_path
    p = run_bin(argv[1:] + ["-X", "list"], env=env)
    if p.returncode != 0:
        return [f"`{' '.join(shlex.quote(a) for a in argv)} -X list` exits {p.returncode}: "
                f"{(p.stderr.strip() or p.stdout.strip())[:300]}"], {}
    return [], parse_conf_dump(p.stdout)


def k8s_env(container):
    """(names, values) of a container's env; valueFrom gets a stand-in value."""
    names, values = [], {}
    limits = (container.get("resources") or {}).get("limits") or {}
    for e in container.get("env") or []:
        names.append(e["name"])
        if "value" in e:
            values[e["name"]] = str(e["value"])
            continue
        rf = (e.get("valueFrom") or {}).get("resourceFieldRef")
        if rf and rf.get("resource") == "limits.cpu" and "cpu" in limits:
            values[e["name"]] = str(math.ceil(cpu_quantity(limits["cpu"]) / cpu_quantity(rf.get("divisor", "1"))))
        else:
            values[e["name"]] = "stand-in"
    return names, values


def cpu_quantity(q):
    q = str(q)
    return float(q[:-1]) / 1000 if q.endswith("m") else float(q)


def k8s_subst(arg, values):
    return re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: values.get(m.group(1), m.group(0)), arg)


def docs_of(docs, kind):
    return [d for d in docs if isinstance(d, dict) and d.get("kind") == kind]


def labels_match(selector, labels):
    ml = (selector or {}).get("matchLabels", selector or {})
    return bool(ml) and all(labels.get(k) == v for k, v in ml.items())


def check_deployment(prog, docs, entrypoint, image_uid):
    """The Deployment against the binary, its ConfigMap and the image.
    Returns (problems, facts) with facts = {effective, pod_labels, ...}."""
    problems, facts = [], {}
    deps = docs_of(docs, "Deployment")
    if len(deps) != 1:
        return [f"expected one Deployment, found {len(deps)}"], facts
    dep = deps[0]
    pod = dep["spec"]["template"]
    spec = pod["spec"]
    facts["name"] = dep["metadata"]["name"]
    facts["pod_labels"] = pod["metadata"].get("labels") or {}
    if not labels_match(dep["spec"].get("selector"), facts["pod_labels"]):
        problems.append("the Deployment's selector does not match its pod labels")
    cs = [c for c in spec.get("containers", []) if "codeworker" in c.get("image", "")]
    if len(cs) != 1:
        return problems + ["expected one codeworker container"], facts
    c = cs[0]
    facts["image"] = c["image"]
    argv = list(c.get("command") or entrypoint) + list(c.get("args") or [])
    names, values = k8s_env(c)
    argv = [k8s_subst(a, values) for a in argv]
    problems += check_command_line(prog, argv, "deployment.yaml")
    problems += check_env_names(prog, names, "deployment.yaml env")

    # the config file: -c path -> volume mount -> ConfigMap key
    conf_text = None
    ci = config_arg(argv)
    if ci is None:
        problems.append("the container is not given a config file with -c")
    else:
        path = argv[ci].split("=", 1)[1] if argv[ci].startswith("--config=") else argv[ci]
        vols = {v["name"]: v for v in spec.get("volumes") or []}
        for vm in c.get("volumeMounts") or []:
            mp = vm["mountPath"].rstrip("/")
            rel = vm.get("subPath") or (path[len(mp) + 1:] if path.startswith(mp + "/") else None)
            if vm.get("subPath") and path != mp:
                continue
            if rel is None:
                continue
            cmv = (vols.get(vm["name"]) or {}).get("configMap")
            if not cmv:
                continue
            items = cmv.get("items")
            key = next((it["key"] for it in items if it["path"] == rel), None) if items else rel
            cms = [d for d in docs_of(docs, "ConfigMap") if d["metadata"]["name"] == cmv["name"]]
            if not cms:
                problems.append(f"volume {vm['name']} mounts ConfigMap {cmv['name']}, which is not in deploy/k8s")
            elif key is None or key not in (cms[0].get("data") or {}):
                problems.append(f"-c {path}: ConfigMap {cmv['name']} has no key for {rel}")
            else:
                conf_text = cms[0]["data"][key]
            break
        else:
            problems.append(f"-c {path}: no volume mount of a ConfigMap provides this path")
    conf_path = None
    if conf_text is not None:
        conf_path = os.path.join(TMP, "configmap.conf")
        with open(conf_path, "w") as f:
            f.write(conf_text)
        shadowed = [n for n in names if prog.env_names.get(n) in conf_file_keys(conf_text)]
        if shadowed:
            problems.append(f"{', '.join(shadowed)} set in env but the config file sets the same key, "
                            "and the file ranks above the environment")
    # the program's verdict and effective configuration
    env = {n: values[n] for n in names}
    p, eff = effective_config(prog, argv, env, conf_path)
    problems += p
    facts["effective"] = eff
    if not eff:
        return problems, facts

    # metrics endpoint: probes, annotations, bind address
    mport = eff.get("metrics.port")
    ports = {p.get("name"): p["containerPort"] for p in c.get("ports") or []}
    facts["container_ports"] = ports
    if eff.get("metrics.bind") not in ("0.0.0.0", "::"):
        problems.append(f"metrics.bind is {eff.get('metrics.bind')}: probes and scrapers cannot reach it")
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        hg = (c.get(probe) or {}).get("httpGet")
        if not hg:
            if probe != "startupProbe":
                problems.append(f"{probe} is not an httpGet probe")
            continue
        port = ports.get(hg["port"], hg["port"])
        if str(port) != mport:
            problems.append(f"{probe} uses port {hg['port']} ({port}), metrics.port is {mport}")
        if hg.get("path") != "/healthz":
            problems.append(f"{probe} path is {hg.get('path')}, not /healthz")
    ann = pod["metadata"].get("annotations") or {}
    if ann.get("prometheus.io/scrape") != "true" or str(ann.get("prometheus.io/port")) != mport \
            or ann.get("prometheus.io/path", "/metrics") != "/metrics":
        problems.append(f"pod prometheus.io annotations {ann} do not point at /metrics on {mport}")
    grace = spec.get("terminationGracePeriodSeconds", 30)
    if grace * 1000 <= int(eff.get("drain.timeout.ms", 0)):
        problems.append(f"terminationGracePeriodSeconds {grace} s does not exceed drain.timeout.ms "
                        f"{eff.get('drain.timeout.ms')}")

    # hardening
    psc, csc = spec.get("securityContext") or {}, c.get("securityContext") or {}
    if not (csc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True):
        problems.append("runAsNonRoot is not true")
    if csc.get("readOnlyRootFilesystem") is not True:
        problems.append("readOnlyRootFilesystem is not true")
    if csc.get("allowPrivilegeEscalation") is not False:
        problems.append("allowPrivilegeEscalation is not false")
    if csc.get("privileged"):
        problems.append("the container is privileged")
    if "ALL" not in ((csc.get("capabilities") or {}).get("drop") or []):
        problems.append("capabilities do not drop ALL")
    if (csc.get("capabilities") or {}).get("add"):
        problems.append("capabilities are added")
    if ((csc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")) != "RuntimeDefault":
        problems.append("seccompProfile is not RuntimeDefault")
    uid = csc.get("runAsUser", psc.get("runAsUser"))
    if image_uid is not None and uid is not None and int(uid) != image_uid:
        problems.append(f"runAsUser {uid} differs from the image's USER {image_uid}")
    if spec.get("automountServiceAccountToken") is not False:
        problems.append("automountServiceAccountToken is not false")
    if spec.get("enableServiceLinks") is not False:
        problems.append("enableServiceLinks is not false: a Service such as codeworker-metrics would inject "
                        "CODEWORKER_METRICS_PORT=tcp://..., which the worker reads as metrics.port")
    res = c.get("resources") or {}
    for part in ("requests", "limits"):
        for r in ("cpu", "memory"):
            if r not in (res.get(part) or {}):
                problems.append(f"resources.{part}.{r} is not set")
    if int(eff.get("executors", 0)) < 1:
        problems.append("no executors")
    return problems, facts


def check_k8s_others(prog, docs, facts):
    """Service, PDB, KEDA and ServiceMonitor against the Deployment's facts."""
    problems = []
    eff, labels = facts.get("effective") or {}, facts.get("pod_labels") or {}
    mport = eff.get("metrics.port")
    services = docs_of(docs, "Service")
    for s in services:
        if not labels_match(s["spec"].get("selector"), labels):
            problems.append(f"Service {s['metadata']['name']} does not select the worker pods")
        for p in s["spec"].get("ports") or []:
            tp = p.get("targetPort", p["port"])
            tp = facts.get("container_ports", {}).get(tp, tp)
            if str(tp) != mport:
                problems.append(f"Service {s['metadata']['name']} port {p.get('name')} targets {tp}, "
                                f"metrics.port is {mport}")
        ann = s["metadata"].get("annotations") or {}
        if "prometheus.io/port" in ann and str(ann["prometheus.io/port"]) != mport:
            problems.append(f"Service {s['metadata']['name']} prometheus.io/port is {ann['prometheus.io/port']}")
    for pdb in docs_of(docs, "PodDisruptionBudget"):
        if not labels_match(pdb["spec"].get("selector"), labels):
            problems.append("the PodDisruptionBudget does not select the worker pods")
        if "maxUnavailable" not in pdb["spec"] and "minAvailable" not in pdb["spec"]:
            problems.append("the PodDisruptionBudget sets neither maxUnavailable nor minAvailable")
    sos = docs_of(docs, "ScaledObject")
    if not sos:
        problems.append("no KEDA ScaledObject")
    for so in sos:
        spec = so["spec"]
        tgt = spec.get("scaleTargetRef") or {}
        if tgt.get("name") != facts.get("name") or tgt.get("kind", "Deployment") != "Deployment":
            problems.append(f"ScaledObject targets {tgt}, not Deployment {facts.get('name')}")
        kafka = [t for t in spec.get("triggers") or [] if t.get("type") == "kafka"]
        if not kafka:
            problems.append("the ScaledObject has no kafka trigger")
        for t in kafka:
            md = t.get("metadata") or {}
            if md.get("topic") != eff.get("jobs.topic"):
                problems.append(f"KEDA topic {md.get('topic')} is not jobs.topic {eff.get('jobs.topic')}")
            if md.get("consumerGroup") != eff.get("group"):
                problems.append(f"KEDA consumerGroup {md.get('consumerGroup')} is not group {eff.get('group')}")
            ks = sorted(x.strip() for x in str(md.get("bootstrapServers", "")).split(","))
            ws = sorted(x.strip() for x in str(eff.get("brokers", "")).split(","))
            if ks != ws:
                problems.append(f"KEDA bootstrapServers {ks} are not the worker's brokers {ws}")
            try:
                if int(md.get("lagThreshold")) < 1:
                    raise ValueError
            except (TypeError, ValueError):
                problems.append(f"KEDA lagThreshold {md.get('lagThreshold')!r} is not a positive integer")
            if md.get("offsetResetPolicy", "latest") != "earliest":
                problems.append("KEDA offsetResetPolicy must be earliest, as the worker's auto.offset.reset")
        mx = spec.get("maxReplicaCount")
        if mx is not None and eff.get("topics.create") == "true" and int(mx) > int(eff.get("topics.partitions", 0)):
            problems.append(f"maxReplicaCount {mx} exceeds topics.partitions {eff.get('topics.partitions')}: "
                            "the extra workers would get no partition")
    for sm in docs_of(docs, "ServiceMonitor"):
        sel = sm["spec"].get("selector")
        svc = [s for s in services if labels_match(sel, s["metadata"].get("labels") or {})]
        if not svc:
            problems.append("the ServiceMonitor selects no Service")
        for ep in sm["spec"].get("endpoints") or []:
            if svc and ep.get("port") not in [p.get("name") for s in svc for p in s["spec"].get("ports") or []]:
                problems.append(f"ServiceMonitor endpoint port {ep.get('port')} is no Service port name")
            if ep.get("path", "/metrics") != "/metrics":
                problems.append(f"ServiceMonitor path {ep.get('path')}")
    return problems


# ---- Dockerfile -----------------------------------------------------------------

def parse_dockerfile(text):
    """[(stage, INSTRUCTION, rest)] with continuation lines joined."""
    out, stage, buf = [], None, ""
    args = {}
    for raw in text.splitlines():
        line = raw.rstrip()
        if not buf and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if buf and line.lstrip().startswith("#"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        instr, _, rest = buf.strip().partition(" ")
        instr, rest, buf = instr.upper(), rest.strip(), ""
        if instr == "ARG" and stage is None:
            k, _, v = rest.partition("=")
            args[k] = v
        if instr == "FROM":
            m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", rest, re.I)
            image = re.sub(r"\$\{?(\w+)\}?", lambda mm: args.get(mm.group(1), mm.group(0)), m.group(1))
            stage = m.group(2) or image
            out.append((stage, "FROM", image))
            continue
        out.append((stage, instr, rest))
    return out


def apt_packages(run_text):
    pkgs = []
    for m in re.finditer(r"apt-get\s+install\s+([^&;|]*)", run_text):
        pkgs += [t for t in m.group(1).split() if not t.startswith("-")]
    return pkgs


def canon(path):
    """The path with its directory resolved (/lib -> /usr/lib on merged-/usr
    systems) but not its last component, so that dpkg -S finds the symlink a
    package ships (libev.so belongs to libev-dev, libev.so.4 to libev4)."""
    return os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))


def dpkg_owner(path):
    try:
        p = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    if p.returncode != 0 or ":" not in p.stdout:
        return None
    return p.stdout.split(":")[0].split(",")[0].strip()


def needed_libraries(binary):
    """{soname: resolved path} of the binary's direct DT_NEEDED entries."""
    p = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True, timeout=30)
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", p.stdout)
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, timeout=30).stdout
    paths = dict(re.findall(r"^\s*(\S+) => (\S+)", ldd, re.M))
    for p in re.findall(r"^\s*(/\S+) \(0x", ldd, re.M):  # the dynamic loader
        paths.setdefault(os.path.basename(p), p)
    return {n: paths.get(n) for n in needed}


def debian_base_packages():
    """Packages every Debian image holds: the Essential and required ones and
    everything they depend on, computed from this system's dpkg database."""
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${Essential}\t${Priority}\t${Pre-Depends}, "
                              "${Depends}\n"], capture_output=True, text=True, timeout=60).stdout
    except OSError:
        return set()
    deps, todo = {}, []
    for line in out.splitlines():
        name, essential, prio, rest = (line.split("\t") + ["", "", ""])[:4]
        deps[name] = [re.split(r"[\s(:]", alt.strip())[0] for d in rest.split(",") if d.strip()
                      for alt in d.split("|")[:1]]
        if essential == "yes" or prio == "required":
            todo.append(name)
    base = set()
    while todo:
        n = todo.pop()
        if n in base:
            continue
        base.add(n)
        todo += [d for d in deps.get(n, []) if d and d not in base]
    return base


def cmake_requirements():
    """Debian packages the build stage needs, derived from CMakeLists.txt."""
    text = re.sub(r"#[^\n]*", "", read(os.path.join(ROOT, "CMakeLists.txt")))
    reqs = {}  # what -> acceptable packages
    for mod in re.findall(r"pkg_check_modules\(\s*\w+\s+REQUIRED\s+(?:IMPORTED_TARGET\s+)?([\w.+-]+)", text):
        pkg = None
        try:
            d = subprocess.run(["pkg-config", "--variable=pcfiledir", mod], capture_output=True, text=True,
                               timeout=30).stdout.strip()
            pkg = dpkg_owner(os.path.join(d, mod + ".pc")) if d else None
        except OSError:
            pass
        reqs[f"pkg-config module {mod}"] = {pkg} if pkg else {"lib" + mod + "-dev", mod + "-dev"}
    ldcache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, timeout=30).stdout
    for lib in re.findall(r"find_library\(\s*\w+\s+(\w+)", text):
        m = re.search(r"^\s*lib%s\.so \(.*\) => (\S+)$" % re.escape(lib), ldcache, re.M)
        pkg = dpkg_owner(canon(m.group(1))) if m else None
        reqs[f"library {lib}"] = {pkg or f"lib{lib}-dev"}
    m = re.search(r'CW_DUKTAPE_DIR\s+"([^"]+)"', text)
    if m:
        pkg = dpkg_owner(os.path.join(m.group(1), "duktape.c"))
        reqs["Duktape amalgamation"] = {pkg or "duktape-dev"}
    for prog, pkgs in (("node", {"nodejs"}), ("npm", {"npm"}), ("cargo", {"cargo", "cargo-web"}),
                       ("rustc", {"rustc", "rustc-web"})):
        if re.search(r"find_program\([^)]*\b%s\b" % prog, text) or re.search(r"\b%s\b\s+(build|ci)\b" % prog, text):
            reqs[f"program {prog}"] = pkgs
    if "Python3" in text:
        reqs["Python 3"] = {"python3"}
    reqs["CMake"] = {"cmake"}
    if "Ninja" in read(DOCKERFILE):
        reqs["Ninja"] = {"ninja-build"}
    return reqs


def check_dockerfile(prog, text):
    """Returns (problems, facts)."""
    problems, facts = [], {}
    ins = parse_dockerfile(text)
    froms = [(s, r) for s, i, r in ins if i == "FROM"]
    facts["stages"] = [s for s, _ in froms]
    if len(froms) < 2:
        problems.append("not a multi-stage build")
    for s, image in froms:
        if "bookworm-slim" not in image:
            problems.append(f"stage {s} is based on {image}, not Debian 12 slim")
    final = froms[-1][0] if froms else None
    build = [s for s, _ in froms[:-1]]
    runs = {s: " ".join(r for st, i, r in ins if st == s and i == "RUN") for s, _ in froms}
    build_pkgs = set(p for s in build for p in apt_packages(runs[s]))
    run_pkgs = set(apt_packages(runs.get(final, "")))
    for what, pkgs in cmake_requirements().items():
        if not (pkgs & build_pkgs):
            problems.append(f"build stage installs none of {sorted(pkgs)} ({what}, CMakeLists.txt)")
    for opt in re.findall(r"-D(CW_\w+)=", " ".join(runs[s] for s in build)):
        if not re.search(r"option\(%s\b" % opt, read(os.path.join(ROOT, "CMakeLists.txt"))):
            problems.append(f"-D{opt}: no such option in CMakeLists.txt")
    facts["runtime_packages"] = run_pkgs
    dev = [p for p in run_pkgs if p.endswith("-dev") or p in ("build-essential", "gcc", "cmake", "nodejs", "npm")]
    if dev:
        problems.append(f"runtime stage installs build tools: {dev}")
    users = [r for s, i, r in ins if s == final and i == "USER"]
    uid = None
    if not users:
        problems.append("runtime stage has no USER")
    else:
        u = users[-1].split(":")[0]
        if not u.isdigit():
            problems.append(f"USER {users[-1]} is not numeric (Kubernetes cannot verify runAsNonRoot)")
        elif int(u) == 0:
            problems.append("USER is root")
        else:
            uid = int(u)
    facts["uid"] = uid
    env = {}
    for s, i, r in ins:
        if s == final and i == "ENV":
            for m in re.finditer(r"(\w+)=(\"[^\"]*\"|\S+)", r):
                env[m.group(1)] = m.group(2).strip('"')
    facts["env"] = env
    problems += check_env_names(prog, env, "Dockerfile ENV")
    eps = [r for s, i, r in ins if s == final and i == "ENTRYPOINT"]
    cmds = [r for s, i, r in ins if s == final and i == "CMD"]
    try:
        ep = json.loads(eps[-1]) if eps else []
        cmd = json.loads(cmds[-1]) if cmds else []
    except ValueError as e:
        return problems + [f"ENTRYPOINT/CMD is not in exec (JSON) form: {e}"], facts
    facts["entrypoint"] = ep
    problems += check_command_line(prog, ep + cmd, "Dockerfile ENTRYPOINT")
    exposed = [t.split("/")[0] for s, i, r in ins if s == final and i == "EXPOSE" for t in r.split()]
    facts["expose"] = exposed
    hcs = [r for s, i, r in ins if s == final and i == "HEALTHCHECK"]
    facts["healthcheck"] = None
    if hcs and hcs[-1].strip().upper() != "NONE":
        m = re.search(r"\bCMD\s+(.*)$", hcs[-1])
        try:
            facts["healthcheck"] = json.loads(m.group(1)) if m and m.group(1).startswith("[") else \
                ["sh", "-c", m.group(1)] if m else None
        except ValueError as e:
            problems.append(f"HEALTHCHECK CMD is not valid JSON: {e}")
    return problems, facts


# ---- systemd --------------------------------------------------------------------

def parse_unit(text):
    """{section: [(key, value)]} keeping repeated keys in order."""
    out, sec, buf = {}, None, ""
    for raw in text.splitlines():
        line = raw.strip()
        if not buf and (not line or line[0] in "#;"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        line, buf = buf + line, ""
        if line.startswith("[") and line.endswith("]"):
            sec = line[1:-1]
            out.setdefault(sec, [])
            continue
        k, _, v = line.partition("=")
        out.setdefault(sec, []).append((k.strip(), v.strip()))
    return out


def unit_values(unit, sec, key):
    return [v for k, v in unit.get(sec, []) if k == key]


def unit_seconds(v):
    total, found = 0.0, False
    for num, unit in re.findall(r"(\d+(?:\.\d+)?)\s*(ms|min|s|h|m)?", v):
        found = True
        total += float(num) * {"ms": 0.001, "s": 1, "min": 60, "m": 60, "h": 3600, "": 1}[unit or ""]
    return total if found else None


def check_unit(prog, text, conf_example, env_example):
    """Returns (problems, facts)."""
    problems, facts = [], {}
    u = parse_unit(text)
    svc = lambda k: unit_values(u, "Service", k)  # noqa: E731
    one = lambda k: (svc(k) or [None])[-1]  # noqa: E731
    starts = svc("ExecStart")
    if len(starts) != 1:
        return [f"expected one ExecStart, found {len(starts)}"], facts
    argv = shlex.split(starts[0].lstrip("@-:+!"))
    problems += check_command_line(prog, argv, "ExecStart")
    # the config path: a plain path or a credential (%d/NAME + LoadCredential=NAME:SOURCE)
    ci = config_arg(argv)
    if ci is None:
        problems.append("ExecStart passes no config file with -c")
    else:
        path = argv[ci]
        if path.startswith("%d/"):
            name = path[3:]
            creds = dict(v.split(":", 1) for v in svc("LoadCredential") if ":" in v)
            if name not in creds:
                problems.append(f"-c {path}: no LoadCredential={name}:... provides it")
            else:
                facts["config_source"] = creds[name]
        elif "%" in path:
            problems.append(f"-c {path}: unsupported specifier")
        else:
            facts["config_source"] = path
    if facts.get("config_source") and not facts["config_source"].startswith("/etc/codeworker/"):
        problems.append(f"config file comes from {facts['config_source']}, expected /etc/codeworker/")
    envfiles = svc("EnvironmentFile")
    if not envfiles:
        problems.append("no EnvironmentFile=")
    env_names = [ln.split("=", 1)[0].strip() for ln in env_example.splitlines()
                 if ln.strip() and not ln.lstrip().startswith("#") and "=" in ln]
    commented = [m.group(1) for m in re.finditer(r"^#\s*(CODEWORKER_\w+)=", env_example, re.M)]
    problems += check_env_names(prog, env_names + commented, "codeworker.env.example")
    shadowed = [n for n in env_names if prog.env_names.get(n) in conf_file_keys(conf_example)]
    if shadowed:
        problems.append(f"codeworker.env.example sets {shadowed}, which the config example also sets "
                        "(the file wins)")
    # run it as systemd would: credential copy of the config, the env file
    cred = os.path.join(TMP, "credentials")
    os.makedirs(cred, exist_ok=True)
    name = argv[ci][3:] if ci is not None and argv[ci].startswith("%d/") else "codeworker.conf"
    with open(os.path.join(cred, name), "w") as f:
        f.write(conf_example)
    run_argv = [a.replace("%d", cred) for a in argv]
    env = {ln.split("=", 1)[0].strip(): ln.split("=", 1)[1].strip() for ln in env_example.splitlines()
           if ln.strip() and not ln.lstrip().startswith("#") and "=" in ln}
    p, eff = effective_config(prog, run_argv, env)
    problems += p
    facts["effective"] = eff

    want = {
        "NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes", "PrivateDevices": "yes",
        "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes",
        "ProtectControlGroups": "yes", "RestrictNamespaces": "yes", "LockPersonality": "yes",
        "MemoryDenyWriteExecute": "yes", "Restart": "on-failure", "KillSignal": "SIGTERM",
        "KillMode": "mixed", "OOMPolicy": "continue",
    }
    for k, v in want.items():
        if one(k) != v:
            problems.append(f"{k}={one(k)}, want {v}")
    if one("DynamicUser") != "yes" and not one("User"):
        problems.append("neither DynamicUser=yes nor a dedicated User=")
    if one("User") == "root":
        problems.append("User=root")
    if one("ProtectHome") not in ("yes", "read-only", "tmpfs"):
        problems.append(f"ProtectHome={one('ProtectHome')}")
    if one("ProtectProc") in ("invisible", "ptraceable", "noaccess"):
        problems.append(f"ProtectProc={one('ProtectProc')}: the supervisor could not read "
                        "/proc/<executor>/status (executors are non-dumpable) and would refuse every executor")
    if one("CapabilityBoundingSet") != "":
        problems.append(f"CapabilityBoundingSet={one('CapabilityBoundingSet')}, want empty")
    fams = set(" ".join(svc("RestrictAddressFamilies")).split())
    if fams != {"AF_UNIX", "AF_INET", "AF_INET6"}:
        problems.append(f"RestrictAddressFamilies={sorted(fams)}")
    # system calls: the allow-list must hold @system-service and seccomp(2)
    allow, deny = set(), set()
    for v in svc("SystemCallFilter"):
        (deny if v.startswith("~") else allow).update(v.lstrip("~").split())
    if "@system-service" not in allow:
        problems.append("SystemCallFilter does not allow @system-service")
    links_seccomp = any(n.startswith("libseccomp") for n in needed_libraries(BIN))
    if links_seccomp and allow and ("seccomp" not in allow or "seccomp" in deny):
        problems.append("SystemCallFilter does not allow seccomp(2): the executors install their own "
                        "filter and would all fail to start")
    ts = unit_seconds(one("TimeoutStopSec") or "")
    drain = int(eff.get("drain.timeout.ms", 0)) / 1000.0 if eff else None
    if ts is None:
        problems.append("no TimeoutStopSec=")
    elif drain is not None and ts <= drain:
        problems.append(f"TimeoutStopSec {ts:g} s does not exceed drain.timeout.ms {drain:g} s")
    facts["argv"] = argv
    return problems, facts


def systemd_analyze(text):
    """systemd-analyze verify and security --offline on a copy whose ExecStart
    points at the binary under test.  Returns None when the tool is missing."""
    if not shutil.which("systemd-analyze"):
        return None
    d = os.path.join(TMP, "unit")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "codeworker.service")
    with open(path, "w") as f:
        f.write(re.sub(r"^(ExecStart=[-@:+!]*)\S+", lambda m: m.group(1) + BIN, text, flags=re.M))
    v = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True, timeout=60)
    s = subprocess.run(["systemd-analyze", "security", "--offline=true", path], capture_output=True,
                       text=True, timeout=60)
    m = re.search(r"exposure level for \S+: ([\d.]+)", s.stdout + s.stderr)
    return v.returncode, (v.stdout + v.stderr).strip(), float(m.group(1)) if m else None


# ---- config example -------------------------------------------------------------

def check_conf_example(prog, text):
    problems = []
    active = conf_file_keys(text)
    documented = conf_file_keys(text, commented=True)
    missing = [k for k in prog.keys if k not in documented]
    if missing:
        problems.append(f"keys of `-X list` missing from the example: {missing}")
    for k in active:
        if not k.startswith("kafka.") and k not in prog.keys:
            problems.append(f"{k} is not a key of `codeworker run -X list`")
    for k, v in active.items():
        if re.search(r"\s#", v):
            problems.append(f"{k}: the value '{v}' holds a trailing comment, which would be part of the value")
        elif k in prog.defaults and v != prog.defaults[k]:
            problems.append(f"{k} = {v}, but its default is {prog.defaults[k]}")
    for para in re.split(r"\n\s*\n", text):
        lines = [ln.strip() for ln in para.splitlines() if ln.strip()]
        keys = [ln for ln in lines if not ln.startswith("#") and "=" in ln]
        if keys and not any(ln.startswith("#") for ln in lines):
            problems.append(f"no comment explains {keys[0].split('=')[0].strip()}")
    return problems


def kafka_properties():
    """librdkafka's property names from `kcat -X list`, or None."""
    if not shutil.which("kcat"):
        return None
    p = subprocess.run(["kcat", "-X", "list"], capture_output=True, text=True, timeout=30)
    names = set(re.findall(r"^([a-z][a-z0-9._]+)\s+\|", p.stdout + p.stderr, re.M))
    return names or None


# ---- live HEALTHCHECK -------------------------------------------------------------

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_healthcheck(cmd, port, mport):
    cmd = [a.replace(f"/{mport}", f"/{port}").replace(f":{mport}", f":{port}") for a in cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=20).returncode


def live_healthcheck(cmd, mport):
    """(rc against a live worker, rc with nothing listening) or an error string."""
    port = free_port()
    log = open(os.path.join(TMP, "worker.log"), "w+")
    w = subprocess.Popen([BIN, "run", "--brokers", "mock", "--executors", "1", "--metrics-port", str(port),
                          "--jobs-topic", "deploy-test.jobs"], stdout=log, stderr=subprocess.STDOUT,
                         env=clean_env(), stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            log.seek(0)
            if '"worker started"' in log.read() or w.poll() is not None:
                break
            time.sleep(0.2)
        if w.poll() is not None:
            log.seek(0)
            return f"the worker exited {w.returncode}: {log.read()[-300:]}"
        time.sleep(0.5)
        up = run_healthcheck(cmd, port, mport)
    finally:
        # SIGTERM to the worker alone, as systemd (KillMode=mixed) and a
        # container runtime send it; then SIGKILL to its process group (the
        # worker and its executors) if it has not drained by then.
        try:
            w.send_signal(signal.SIGTERM)
            w.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(w.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        w.wait()
        log.close()
    down = run_healthcheck(cmd, free_port(), mport)
    return up, down


# ---- main --------------------------------------------------------------------------

def main():
    if not os.access(BIN, os.X_OK):
        check("the binary exists", False, f"{BIN} is not executable")
        finish()
    yaml = load_yaml_module()
    check("PyYAML is available", True)

    prog = Program()
    check("the binary describes itself (--help of each command, run -X list)",
          prog.list_rc == 0 and "run" in prog.commands and len(prog.keys) > 10 and "-X" in prog.flags["run"],
          f"commands {sorted(prog.commands)}, {len(prog.keys)} keys, rc {prog.list_rc}")

    # -- negative self-checks: the checkers must notice a wrong name --------------------
    example = read(CONF_EXAMPLE)
    expected = [
        ("an unknown flag", "--no-such-flag",
         check_command_line(prog, ["codeworker", "run", "-c", "x.conf", "--no-such-flag"], "fake")),
        ("an unknown -X key", "no.such.key",
         check_command_line(prog, ["codeworker", "run", "-X", "no.such.key=1"], "fake")),
        ("an unknown command", "no-such-command", check_command_line(prog, ["codeworker", "no-such-command"], "fake")),
        ("an unknown CODEWORKER_* variable", "CODEWORKER_NO_SUCH_KEY",
         check_env_names(prog, ["CODEWORKER_EXECUTORS", "CODEWORKER_NO_SUCH_KEY"], "fake")),
        ("an unknown config key", "no.such.key",
         check_conf_example(prog, example + "\n# explained\nno.such.key = 1\n")),
        ("a trailing comment in a config value", "trailing comment",
         check_conf_example(prog, example.replace("group = codeworker", "group = codeworker  # the group"))),
    ]
    for what, needle, probs in expected:
        check(f"self-check: the checker reports {what}", any(needle in x for x in probs), f"reported: {probs}")
    p = run_bin(["run", "--no-such-flag", "-X", "list"])
    check("self-check: the binary rejects --no-such-flag", p.returncode != 0, f"exit {p.returncode}")
    bad = os.path.join(TMP, "bad.conf")
    with open(bad, "w") as f:
        f.write("no.such.key = 1\n")
    p = run_bin(["run", "-c", bad, "-X", "list"])
    check("self-check: the binary rejects an unknown config key", p.returncode == 2, f"exit {p.returncode}")

    # -- config example -----------------------------------------------------------------
    check_problems("codeworker.conf.example documents every key at its default", check_conf_example(prog, example))
    p = run_bin(["run", "-c", CONF_EXAMPLE, "-X", "list"])
    check("codeworker.conf.example is accepted (run -c FILE -X list exits 0)", p.returncode == 0,
          (p.stderr or p.stdout).strip()[:300])
    same = parse_conf_dump(p.stdout) == prog.defaults if p.returncode == 0 else False
    check("codeworker.conf.example changes no setting from the defaults", same,
          "its -X list differs from the defaults")
    kafka_examples = {k: v for k, v in conf_file_keys(example, commented=True).items() if k.startswith("kafka.")}
    check("codeworker.conf.example shows kafka.* SASL_SSL settings, commented out",
          re.search(r"^#\s*kafka\.security\.protocol\s*=\s*SASL_SSL\s*$", example, re.M) is not None
          and "kafka.sasl.password" in kafka_examples
          and not any(k.startswith("kafka.") for k in conf_file_keys(example)),
          f"{sorted(kafka_examples)}")
    kx = os.path.join(TMP, "kafka.conf")
    with open(kx, "w") as f:
        f.write("".join(f"{k} = {v}\n" for k, v in kafka_examples.items()))
    p = run_bin(["run", "-c", kx, "-X", "list"])
    check("the kafka.* examples are accepted by the binary", p.returncode == 0, (p.stderr or "").strip()[:300])
    props = kafka_properties()
    if props is None:
        skip("the kafka.* examples are librdkafka properties", "kcat is not installed")
    else:
        unknown = [k for k in kafka_examples if k[len("kafka."):] not in props]
        check("the kafka.* examples are librdkafka properties (kcat -X list)", not unknown, f"unknown: {unknown}")

    # -- Dockerfile -------------------------------------------------------------------------
    dprobs, dfacts = check_dockerfile(prog, read(DOCKERFILE))
    check_problems("Dockerfile: stages, packages, USER, ENV names, ENTRYPOINT flags", dprobs)
    ep = dfacts.get("entrypoint") or ["codeworker", "run"]
    p, img_eff = effective_config(prog, ep, dfacts.get("env"))
    check_problems("Dockerfile: the entrypoint with the image's ENV is accepted", p)
    mport_img = img_eff.get("metrics.port")
    check("Dockerfile: EXPOSE is the metrics port and metrics.bind reaches it",
          dfacts.get("expose") == [mport_img] and img_eff.get("metrics.bind") in ("0.0.0.0", "::"),
          f"EXPOSE {dfacts.get('expose')}, metrics {img_eff.get('metrics.bind')}:{mport_img}")
    needed = needed_libraries(BIN)
    base = debian_base_packages()
    missing = []
    for so, path in needed.items():
        pkg = (dpkg_owner(path) or dpkg_owner(canon(path))) if path else None
        if pkg is None:
            missing.append(f"{so} (no Debian package found)")
        elif pkg not in base and pkg not in dfacts.get("runtime_packages", set()):
            missing.append(f"{so} from {pkg}")
    check("Dockerfile: the runtime stage installs every library the binary links",
          not missing and bool(needed), f"missing: {missing}")
    hc = dfacts.get("healthcheck")
    if not hc:
        check("Dockerfile: HEALTHCHECK is defined", False, "none")
    else:
        joined = " ".join(hc)
        check("Dockerfile: HEALTHCHECK asks /healthz on the metrics port",
              "/healthz" in joined and re.search(rf"\b{mport_img}\b", joined) is not None, joined)
        live = live_healthcheck(hc, mport_img)
        if isinstance(live, str):
            check("Dockerfile: HEALTHCHECK passes against a live worker", False, live)
        else:
            check("Dockerfile: HEALTHCHECK passes against a live worker (mock cluster)", live[0] == 0,
                  f"exit {live[0]}")
            check("Dockerfile: HEALTHCHECK fails with nothing listening", live[1] != 0, f"exit {live[1]}")

    # -- systemd ------------------------------------------------------------------------------
    unit_text = read(UNIT)
    uprobs, ufacts = check_unit(prog, unit_text, example, read(UNIT_ENV))
    check_problems("systemd unit: ExecStart, config credential, env file, hardening, stop timeout", uprobs)
    sa = systemd_analyze(unit_text)
    if sa is None:
        skip("systemd unit: systemd-analyze verify", "systemd-analyze is not installed")
    else:
        check("systemd unit: systemd-analyze verify is clean", sa[0] == 0 and not sa[1], sa[1][:300])
        check("systemd unit: systemd-analyze security exposure at most 2.0",
              sa[2] is not None and sa[2] <= 2.0, f"exposure {sa[2]}")

    # -- Kubernetes -----------------------------------------------------------------------------
    docs, parse_errors = [], []
    files = sorted(glob.glob(os.path.join(K8S, "*.yaml")) + glob.glob(os.path.join(K8S, "*.yml")))
    by_file = {}
    for path in files:
        try:
            ds = [d for d in yaml.safe_load_all(read(path)) if d is not None]
        except yaml.YAMLError as e:
            parse_errors.append(f"{os.path.basename(path)}: {e}")
            continue
        by_file[os.path.basename(path)] = ds
        for d in ds:
            if not isinstance(d, dict) or "apiVersion" not in d or "kind" not in d:
                parse_errors.append(f"{os.path.basename(path)}: a document without apiVersion/kind")
            elif d["kind"] != "Kustomization" and not (d.get("metadata") or {}).get("name"):
                parse_errors.append(f"{os.path.basename(path)}: {d['kind']} without metadata.name")
            else:
                docs.append(d)
    check("k8s: every manifest parses as YAML with apiVersion, kind and name", bool(files) and not parse_errors,
          "; ".join(parse_errors) or "no manifests")
    kust = docs_of(docs, "Kustomization")
    kprobs = []
    if len(kust) != 1:
        kprobs.append("no kustomization.yaml")
    else:
        res = kust[0].get("resources") or []
        ktext = read(os.path.join(K8S, "kustomization.yaml"))
        for r in res:
            if not os.path.exists(os.path.join(K8S, r)):
                kprobs.append(f"resource {r} does not exist")
        for name in by_file:
            if name != "kustomization.yaml" and name not in res and not re.search(rf"#.*\b{re.escape(name)}", ktext):
                kprobs.append(f"{name} is neither a resource nor mentioned in kustomization.yaml")
    deployment_docs = [d for d in docs if d.get("kind") != "Kustomization"]
    dep_probs, facts = check_deployment(prog, deployment_docs, ep, dfacts.get("uid"))
    if kust and facts.get("image"):
        repo = facts["image"].rsplit(":", 1)[0]
        if repo not in [i.get("name") for i in kust[0].get("images") or []]:
            kprobs.append(f"kustomization images[] does not name the container image {repo}")
    check_problems("k8s: kustomization resources and image", kprobs)
    check_problems("k8s: Deployment flags, env, config mount, probes, scrape port, grace period, hardening",
                   dep_probs)
    check_problems("k8s: Service, PodDisruptionBudget, KEDA ScaledObject, ServiceMonitor agree with the worker",
                   check_k8s_others(prog, deployment_docs, facts))

    # negative self-checks on manifests: the same checkers must catch a wrong manifest
    fake = copy.deepcopy(deployment_docs)
    for d in docs_of(fake, "Deployment"):
        d["spec"]["template"]["spec"]["containers"][0].setdefault("args", []).append("--no-such-flag")
    fp, _ = check_deployment(prog, fake, ep, dfacts.get("uid"))
    check("self-check: a Deployment with --no-such-flag is reported",
          any("--no-such-flag" in x for x in fp), f"reported: {fp}")
    fake = copy.deepcopy(deployment_docs)
    for d in docs_of(fake, "Deployment"):
        d["spec"]["template"]["spec"]["containers"][0].setdefault("env", []).append(
            {"name": "CODEWORKER_NO_SUCH_KEY", "value": "1"})
    fp, _ = check_deployment(prog, fake, ep, dfacts.get("uid"))
    check("self-check: a Deployment with CODEWORKER_NO_SUCH_KEY is reported",
          any("CODEWORKER_NO_SUCH_KEY" in x for x in fp), f"reported: {fp}")
    fake = copy.deepcopy(deployment_docs)
    for d in docs_of(fake, "ScaledObject"):
        d["spec"]["triggers"][0]["metadata"]["topic"] = "some.other.topic"
    check("self-check: a KEDA trigger on another topic is reported",
          any("topic" in x for x in check_k8s_others(prog, fake, facts)), "nothing reported")
    fake_unit = re.sub(r"^ExecStart=(.*)$", r"ExecStart=\1 --no-such-flag", unit_text, flags=re.M)
    fp, _ = check_unit(prog, fake_unit, example, read(UNIT_ENV))
    check("self-check: a unit with --no-such-flag is reported", any("--no-such-flag" in x for x in fp),
          f"reported: {fp}")
    fake_unit = re.sub(r"^SystemCallFilter=@system-service.*$", "SystemCallFilter=@system-service",
                       unit_text, flags=re.M)
    fp, _ = check_unit(prog, fake_unit, example, read(UNIT_ENV))
    check("self-check: a unit whose allow-list lacks seccomp(2) is reported", any("seccomp" in x for x in fp),
          f"reported: {fp}")

    # -- cross-file consistency ---------------------------------------------------------
    eff_k8s = facts.get("effective") or {}
    eff_unit = ufacts.get("effective") or {}
    check("systemd unit and ConfigMap agree on topics and group",
          all(eff_k8s.get(k) == eff_unit.get(k) for k in ("jobs.topic", "results.topic", "dlq.topic", "group"))
          and bool(eff_k8s), f"k8s {eff_k8s.get('jobs.topic')}/{eff_k8s.get('group')}, "
                             f"unit {eff_unit.get('jobs.topic')}/{eff_unit.get('group')}")

    # -- the agent prompt -------------------------------------------------------------------
    if os.path.exists(AGENT_PROMPT):
        text = read(AGENT_PROMPT)
        codes = re.findall(r'X\(CW_RES_\w+,\s*"(\w+)"\)', read(os.path.join(ROOT, "common", "cw_result.h")))
        missing = [c for c in codes if c != "SUCCESS" and c not in text]
        check("AGENT_PROMPT.md tells the agent how to react to every result code (common/cw_result.h)",
              bool(codes) and not missing, f"missing: {missing}")
        mods = [m for m in prog.defaults.get("modules.allowed", "").split(",") if m]
        missing = [m for m in mods if m not in text]
        check("AGENT_PROMPT.md names every module of modules.allowed", not missing, f"missing: {missing}")
    else:
        check("AGENT_PROMPT.md exists", False, "missing")
    finish()


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
