#!/usr/bin/env python3
"""Suggestion quality: replays a chronological activity log through a real foresightd.

    ./foresight eval [--workload FILE] [--k 6] [--shape analytics|operations] [--no-llm]
    python3 bench/eval.py --foresightd build/foresightd [same options]
    python3 bench/eval.py --baselines-only --workload FILE      (no server: baselines only)

The first 30% of the log's queries (in time order) are history only, imported with
POST /api/v1/activity/import. Then, for each later query in time order, suggestions are asked
twice as its user, with an empty box and with the question's first word typed, and the rank of
the question among them is recorded by masked comparison (see mask()); then the query is logged
with its own created_at. Clicks and feedback are logged too (not scored). Four baselines are
computed over the same sequence (history = everything before the event): global, role and user
most-frequent masked question, and the back-off user -> role -> global.

Writes bench/results/eval-<name>.md and eval-<name>.svg. Standard library only. Exit status 0
even when a floor fails (it is a measurement); 1 if the harness itself fails.
"""
import argparse
import base64
import collections
import datetime as dt
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # importing workload.py must leave no __pycache__ in bench/

FLOORS = {"hit_empty": 1.10, "hit_first": 1.08, "mrr_empty": 1.00, "mrr_first": 1.00,
          "p99_ms": 10.0, "llm_saved": 0.40}
BUCKETS = [(0, 0, "0"), (1, 4, "1-4"), (5, 19, "5-19"), (20, 49, "20-49"), (50, 10 ** 9, "50+")]
BASELINES = ["global", "role", "user", "backoff"]
LABELS = {"foresight": "Foresight", "global": "global most-frequent",
          "role": "role most-frequent", "user": "user most-frequent",
          "backoff": "back-off user → role → global"}

# ------------------------------------------------------------------------------------------------
# Masking: what counts as "the same question"

_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_YEAR = re.compile(r"(?<![\w.,$])(?:19|20)\d\d(?![\w%]|[.,]\d)")
_QUARTER = re.compile(r"\b(?:q[1-4]|(?:first|second|third|fourth|1st|2nd|3rd|4th) quarter)\b")
_MONTH = re.compile(r"\b(?:" + _MONTHS + r")\b")
_NUMBER = re.compile(r"(?<![\w{.,])\d+(?:[.,]\d+)*(?:k|m|bn|x|%)?(?![\w}]|[.,]\d)")
_SPACE = re.compile(r"\s+")


def mask(text):
    """Lower case, whitespace collapsed, trailing ?.! stripped; then years -> {year}, quarters
    (q1-q4, "first quarter", ...) -> {quarter}, month names and 3-letter abbreviations ->
    {month}, any other number (1,000, 3.5, 10k, 5%, 2x) -> {n}. Digits inside a word stay
    (p1, sev2, 24h)."""
    t = _SPACE.sub(" ", text.lower()).strip()
    t = t.rstrip("?.! ")
    t = _YEAR.sub("{year}", t)
    t = _QUARTER.sub("{quarter}", t)
    t = _MONTH.sub("{month}", t)
    t = _NUMBER.sub("{n}", t)
    return t


def first_word(text):
    parts = text.strip().split(None, 1)
    return parts[0] if parts else ""


# ------------------------------------------------------------------------------------------------
# The log


class Event:
    __slots__ = ("no", "raw", "obj", "user", "role", "kind", "text", "mask", "created_at", "ts",
                 "history", "prior", "first_mask")


def load_workload(path):
    """(catalog or None, events in time order). Lines that are not activities are skipped."""
    catalog, events = None, []
    with open(path, encoding="utf-8") as f:
        for no, raw in enumerate(f, 1):
            raw = raw.strip()
            if not raw:
                continue
            obj = json.loads(raw)
            if "catalog" in obj and "activity_type" not in obj:
                catalog = obj["catalog"]
                continue
            if "activity_type" not in obj or "user_id" not in obj:
                continue
            e = Event()
            e.no, e.raw, e.obj = no, raw, obj
            e.user = obj["user_id"]
            meta = obj.get("metadata") or {}
            e.role = obj.get("role") or meta.get("role") or "analyst"
            e.kind = obj["activity_type"]
            e.text = obj.get("query_text") or ""
            e.created_at = obj.get("created_at")
            e.ts = parse_ts(e.created_at) if e.created_at else None
            e.mask = mask(e.text) if e.kind == "query" else ""
            e.first_mask = e.mask.split(" ", 1)[0] if e.mask else ""
            e.history = False
            e.prior = 0
            events.append(e)
    if any(e.ts is None for e in events):
        raise SystemExit("every activity needs a created_at")
    events.sort(key=lambda e: (e.ts, e.no))  # stable: the file's order breaks ties
    return catalog, events


def parse_ts(text):
    t = text.strip().replace("z", "Z")
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    d = dt.datetime.fromisoformat(t)
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    return d.astimezone(dt.timezone.utc)


def iso(d):
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def split_history(events, share):
    queries = [e for e in events if e.kind == "query"]
    n_hist = int(len(queries) * share)
    cut = queries[n_hist].ts if n_hist < len(queries) else None
    cut_no = queries[n_hist].no if n_hist < len(queries) else None
    for e in events:
        e.history = cut is None or (e.ts, e.no) < (cut, cut_no)
    prior = collections.Counter()
    for e in events:
        if e.kind == "query":
            e.prior = prior[e.user]
            prior[e.user] += 1
    return n_hist


# ------------------------------------------------------------------------------------------------
# Baselines


class FreqRank:
    """Masked questions by frequency, ties by recency; top-k in O(k + max count)."""

    __slots__ = ("count", "buckets", "max")

    def __init__(self):
        self.count, self.buckets, self.max = {}, {}, 0

    def add(self, m):
        c = self.count.get(m, 0)
        if c:
            b = self.buckets[c]
            del b[m]
            if not b:
                del self.buckets[c]
        c += 1
        self.count[m] = c
        self.buckets.setdefault(c, {})[m] = None
        if c > self.max:
            self.max = c

    def top(self, k, out, seen):
        """Appends up to k masks not in `seen` to out (and to seen)."""
        if len(out) >= k:
            return
        for c in range(self.max, 0, -1):
            b = self.buckets.get(c)
            if not b:
                continue
            for m in reversed(b):
                if m in seen:
                    continue
                seen.add(m)
                out.append(m)
                if len(out) >= k:
                    return


class Baselines:
    def __init__(self):
        d = collections.defaultdict
        self.glob, self.role, self.user = FreqRank(), d(FreqRank), d(FreqRank)
        self.glob_w, self.role_w, self.user_w = d(FreqRank), d(FreqRank), d(FreqRank)

    def lists(self, e, k, typed):
        if typed is None:
            g, r, u = self.glob, self.role.get(e.role), self.user.get(e.user)
        else:
            g = self.glob_w.get(typed)
            r = self.role_w.get((e.role, typed))
            u = self.user_w.get((e.user, typed))
        out = {}
        for name, src in (("global", g), ("role", r), ("user", u)):
            lst = []
            if src:
                src.top(k, lst, set())
            out[name] = lst
        lst, seen = [], set()
        for src in (u, r, g):
            if src:
                src.top(k, lst, seen)
        out["backoff"] = lst
        return out

    def add(self, e):
        m, w = e.mask, e.first_mask
        self.glob.add(m)
        self.role[e.role].add(m)
        self.user[e.user].add(m)
        self.glob_w[w].add(m)
        self.role_w[(e.role, w)].add(m)
        self.user_w[(e.user, w)].add(m)


def rank_of(target, masks):
    for i, m in enumerate(masks):
        if m == target:
            return i + 1
    return 0


def run_baselines(events, k):
    """ranks[name][mode] = list of ranks (0: miss), one per scored (replayed) query."""
    b = Baselines()
    ranks = {n: {"empty": [], "first": []} for n in BASELINES}
    for e in events:
        if e.kind != "query":
            continue
        if not e.history:
            for mode, typed in (("empty", None), ("first", e.first_mask)):
                lists = b.lists(e, k, typed)
                for n in BASELINES:
                    ranks[n][mode].append(rank_of(e.mask, lists[n]))
        b.add(e)
    return ranks


# ------------------------------------------------------------------------------------------------
# The server side


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint_token(user, secret, ttl=7 * 86400):
    """An HS256 JWT with the claims foresightd checks (core/jwt.cpp: sub, iat, exp)."""
    now = int(time.time())
    head = b64url(b'{"alg":"HS256","typ":"JWT"}')
    body = b64url(json.dumps({"sub": user, "iat": now, "exp": now + ttl},
                             separators=(",", ":")).encode())
    signing = f"{head}.{body}".encode()
    sig = hmac.new(secret.encode(), signing, hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(sig)}"


class Client:
    """One keep-alive HTTP/1.1 connection; reconnects once on a dropped connection."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def request(self, method, path, body=None, token=None, content_type="application/json",
                headers=None, timeout=60):
        if isinstance(body, (dict, list)):
            body = json.dumps(body, separators=(",", ":")).encode()
        elif isinstance(body, str):
            body = body.encode()
        h = {"Content-Type": content_type} if body is not None else {}
        if token:
            h["Authorization"] = "Bearer " + token
        if headers:
            h.update(headers)
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            try:
                t0 = time.perf_counter()
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                elapsed = (time.perf_counter() - t0) * 1000.0
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                return r.status, data, elapsed
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest, http.client.BadStatusLine):
                self.close()
                if attempt:
                    raise
        raise RuntimeError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def jbody(data):
    try:
        return json.loads(data)
    except ValueError:
        return {}


class Harness:
    """foresightd, the mock LLM and a temporary directory; stopped and removed by close()."""

    def __init__(self, args):
        self.args = args
        self.work = tempfile.mkdtemp(prefix="foresight-eval-")
        os.chmod(self.work, 0o755)  # the embedded PostgreSQL runs as postgres when we are root
        self.server = None
        self.mock = None
        self.port = None
        self.mock_port = None
        self.secret = secrets.token_hex(32)
        self.notes = []  # anything else the report must say
        self.serve_args = []

    # -- processes -------------------------------------------------------------------------------

    def start_mock(self):
        cmd = [sys.executable, os.path.join(HERE, "mock_llm.py"), "--port", "0",
               "--delay-ms", str(self.args.mock_delay_ms)]
        self.mock = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        line = self.mock.stdout.readline()
        m = re.match(r"port (\d+)", line or "")
        if not m:
            raise RuntimeError("mock LLM did not start")
        self.mock_port = int(m.group(1))

    def mock_stats(self):
        if not self.mock_port:
            return {}
        c = Client(self.mock_port)
        try:
            status, data, _ = c.request("GET", "/stats")
            return jbody(data) if status == 200 else {}
        finally:
            c.close()

    def start_server(self):
        fsd = self.args.foresightd
        data_dir = os.path.join(self.work, "data")
        base = [fsd, "serve", "--bind", "127.0.0.1", "--port", "0", "--data-dir", data_dir,
                "--log-requests", "false", "--pbkdf2-iterations", "1000",
                "--jwt-secret", self.secret]
        if self.mock_port:
            base += ["--llm-base-url", f"http://127.0.0.1:{self.mock_port}/v1",
                     "--llm-api-key", "x"]
        cmd = base + ["--replay-clock"] + self.args.serve_arg
        log_path = os.path.join(self.work, "server.log")
        with open(log_path, "w") as log:
            # A session of its own: Ctrl-C reaches the harness, which then stops the server.
            self.server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                           start_new_session=True)
        self.port = self.wait_listening(log_path)
        if not self.port:
            self.server = None
            raise RuntimeError("foresightd did not start (it needs --replay-clock and "
                               "/api/v1/activity/import; rebuild?):\n" +
                               open(log_path).read()[-3000:])
        self.serve_args = cmd[1:]

    def wait_listening(self, log_path):
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.server.poll() is not None:
                return None
            try:
                text = open(log_path).read()
            except OSError:
                text = ""
            m = re.search(r'"msg":"listening".*?"port":(\d+)', text)
            if m:
                return int(m.group(1))
            time.sleep(0.1)
        raise RuntimeError("foresightd did not listen within 120 s")

    def add_admin(self, admin_id):
        data_dir = os.path.join(self.work, "data")
        cmd = [self.args.foresightd, "user", "add", "--id", admin_id, "--role", "admin",
               "--password-stdin", "--admin", "--data-dir", data_dir,
               "--pbkdf2-iterations", "1000"]
        r = subprocess.run(cmd, capture_output=True, text=True,
                           input=secrets.token_hex(12) + "\n")
        if r.returncode != 0:
            raise RuntimeError("foresightd user add failed: " + r.stderr + r.stdout)

    def infer_catalog(self, path):
        cmd = [self.args.foresightd, "catalog", "infer", path]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("the workload has no catalog line and `foresightd catalog infer` "
                               "failed: " + (r.stderr or r.stdout)[-2000:])
        return json.loads(r.stdout)

    def close(self):
        if self.server is not None and self.server.poll() is None:
            try:
                self.server.send_signal(signal.SIGTERM)
                self.server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        if self.mock is not None and self.mock.poll() is None:
            self.mock.terminate()
            try:
                self.mock.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.mock.kill()
        if self.args.keep:
            print(f"kept {self.work}", file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)


def check(status, data, what, ok=(200, 201)):
    if status not in ok:
        raise RuntimeError(f"{what}: HTTP {status}: {data[:500]!r}")
    return jbody(data)


def log_body(e):
    """The /activity/log body for one workload line (the server sets user and role)."""
    o = e.obj
    body = {"activity_type": e.kind}
    for key in ("query_text", "suggestion_clicked", "feedback_rating", "response_data"):
        if o.get(key) is not None:
            body[key] = o[key]
    meta = {k: v for k, v in (o.get("metadata") or {}).items()
            if k not in ("role", "department", "goals", "activity_id")}
    body["metadata"] = meta
    body["created_at"] = iso(e.ts)
    return body


def run_server(args, catalog, events, path, k):
    h = Harness(args)
    out = {"notes": h.notes}
    try:
        t_setup = time.perf_counter()
        if not args.no_llm:
            h.start_mock()
        h.start_server()
        out["serve_args"] = h.serve_args
        admin = "eval-admin"
        h.add_admin(admin)
        tokens = {admin: mint_token(admin, h.secret)}
        c = Client(h.port)

        # The catalog.
        if catalog is None:
            catalog = h.infer_catalog(path)
            h.notes.append("catalog inferred with `foresightd catalog infer`")
        conn_ids = {(e.obj.get("metadata") or {}).get("connection_id") for e in events}
        conn_id = catalog.get("connection_id") or next(
            (x for x in conn_ids if x), None) or "default"
        out["connection_id"] = conn_id
        body = {key: v for key, v in catalog.items() if key != "connection_id"}
        body.setdefault("name", conn_id)
        st, data, _ = c.request("PUT", f"/api/v1/connections/{urllib.parse.quote(conn_id)}",
                                body, tokens[admin])
        check(st, data, "PUT catalog")

        # The users.
        roles = {}
        for e in events:
            roles.setdefault(e.user, e.role)
        refused = []
        for user, role in roles.items():
            st, data, _ = c.request("POST", "/api/v1/users", {
                "id": user, "password": secrets.token_hex(8), "role": role}, tokens[admin])
            if st in (200, 201, 409):
                tokens[user] = mint_token(user, h.secret)
            else:
                refused.append(f"{user}: HTTP {st} {data[:120]!r}")
        if refused:
            h.notes.append(f"{len(refused)} users could not be created and their activities "
                           f"were skipped (scored as misses): {'; '.join(refused[:3])}")
        out["setup_s"] = time.perf_counter() - t_setup

        # History: imported in chunks (or logged one by one if there is no import route).
        t0 = time.perf_counter()
        history = [e for e in events if e.history]
        out["import"] = import_history(c, h, history, tokens, admin)
        out["import_s"] = time.perf_counter() - t0
        time.sleep(args.settle_s)  # learners save every second (--pattern-flush-ms)

        stats0 = admin_stats(c, tokens[admin])
        llm0 = h.mock_stats().get("chat_completions", 0)

        # The replay.
        out["load_before"] = os.getloadavg()
        t0 = time.perf_counter()
        replay = replay_events(c, h, [e for e in events if not e.history], tokens, conn_id, k,
                               args)
        out.update(replay)
        out["replay_s"] = time.perf_counter() - t0
        out["load_after"] = os.getloadavg()
        time.sleep(0.5)
        stats1 = admin_stats(c, tokens[admin])
        out["stats0"], out["stats1"] = stats0, stats1
        out["llm_calls"] = h.mock_stats().get("chat_completions", 0) - llm0
        out["llm_configured"] = not args.no_llm
        c.close()
    finally:
        h.close()
    return out


def admin_stats(c, token):
    st, data, _ = c.request("GET", "/api/v1/activity/stats", token=token)
    return jbody(data) if st == 200 else {}


def import_history(c, h, history, tokens, admin, chunk=5000):
    res = {"lines": len(history), "imported": 0, "duplicates": 0, "rejected": 0, "errors": []}
    known = [e for e in history if e.user in tokens]
    res["rejected"] = len(history) - len(known)  # users that could not be created
    for i in range(0, len(known), chunk):
        part = known[i:i + chunk]
        body = ("\n".join(e.raw for e in part) + "\n").encode()
        st, data, _ = c.request("POST", "/api/v1/activity/import", body, tokens[admin],
                                content_type="application/x-ndjson", timeout=600)
        r = check(st, data, "import")
        for key in ("imported", "duplicates", "rejected"):
            res[key] += int(r.get(key, 0))
        res["errors"] += r.get("errors", [])[:5]
    if res["rejected"]:
        h.notes.append(f"import rejected {res['rejected']} of {res['lines']} history lines "
                       f"(first errors: {json.dumps(res['errors'][:3])[:400]})")
    return res


def replay_events(c, h, events, tokens, conn_id, k, args):
    base = f"/api/v1/connections/{urllib.parse.quote(conn_id)}/suggestions/personalized"
    ranks = {"empty": [], "first": []}
    lat = {"empty": [], "first": []}
    sources = collections.Counter()
    errors = collections.Counter()
    error_samples = []
    n_requests = 0
    shown = time.perf_counter()
    total_q = sum(1 for e in events if e.kind == "query")
    done_q = 0
    for e in events:
        tok = tokens.get(e.user)
        if tok is None:
            if e.kind == "query":
                ranks["empty"].append(0)
                ranks["first"].append(0)
                done_q += 1
            continue
        if e.kind == "query":
            for mode, partial in (("empty", ""), ("first", first_word(e.text))):
                params = {"partial_query": partial, "max_suggestions": str(k),
                          "as_of": iso(e.ts)}
                path = base + "?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
                st, data, ms = c.request("POST", path, token=tok)
                n_requests += 1
                lat[mode].append(ms)
                if st != 200:
                    errors[f"suggest HTTP {st}"] += 1
                    if len(error_samples) < 5:
                        error_samples.append(f"suggest line {e.no}: {st} {data[:200]!r}")
                    ranks[mode].append(0)
                    continue
                r = jbody(data)
                sources[r.get("source", "?")] += 1
                texts = [s.get("text", "") for s in r.get("suggestions", [])][:k]
                ranks[mode].append(rank_of(e.mask, [mask(t) for t in texts]))
            done_q += 1
        st, data, _ = c.request("POST", "/api/v1/activity/log", log_body(e), tok,
                                headers={"Idempotency-Key": f"eval-{e.no}"})
        if st != 200:
            errors[f"log HTTP {st}"] += 1
            if len(error_samples) < 5:
                error_samples.append(f"log line {e.no}: {st} {data[:200]!r}")
        if args.progress and time.perf_counter() - shown > 10:
            shown = time.perf_counter()
            print(f"  replayed {done_q}/{total_q} questions", file=sys.stderr, flush=True)
    return {"ranks": ranks, "latency": lat, "sources": dict(sources), "errors": dict(errors),
            "error_samples": error_samples, "suggest_requests": n_requests}


# ------------------------------------------------------------------------------------------------
# Figures


def hit(ranks):
    return sum(1 for r in ranks if r) / len(ranks) if ranks else 0.0


def mrr(ranks):
    return sum(1.0 / r for r in ranks if r) / len(ranks) if ranks else 0.0


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    i = min(len(s) - 1, max(0, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[i]


def fmt_ratio(x):
    return "n/a" if x is None else f"{x:.2f}x"


def summarise(rankers, scored, k):
    """Table rows and the floor checks."""
    rows = {}
    for name, ranks in rankers.items():
        rows[name] = {"hit_empty": hit(ranks["empty"]), "mrr_empty": mrr(ranks["empty"]),
                      "hit_first": hit(ranks["first"]), "mrr_first": mrr(ranks["first"])}
    best = {}
    for key in ("hit_empty", "mrr_empty", "hit_first", "mrr_first"):
        name = max(BASELINES, key=lambda n: rows[n][key])
        best[key] = (name, rows[name][key])
    return rows, best


def bucket_of(prior):
    for lo, hi, label in BUCKETS:
        if lo <= prior <= hi:
            return label
    return BUCKETS[-1][2]


def by_bucket(ranks, scored):
    out = collections.OrderedDict((label, []) for _, _, label in BUCKETS)
    for r, e in zip(ranks, scored):
        out[bucket_of(e.prior)].append(r)
    return out


def svg_plot(title, panels, k):
    """panels: [(subtitle, [(bucket, n, foresight_hit, baseline_hit)], baseline_label)]."""
    W, H = 960, 430
    pw, ph = 380, 280
    x0s, y0 = [70, 550], 70
    colors = ("#2563eb", "#9ca3af")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'viewBox="0 0 {W} {H}" font-family="Helvetica, Arial, sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">'
           f'{esc(title)}</text>']
    for (subtitle, groups, base_label), x0 in zip(panels, x0s):
        out.append(f'<text x="{x0 + pw / 2}" y="{y0 - 16}" text-anchor="middle" '
                   f'font-size="13">{esc(subtitle)}</text>')
        for i in range(6):
            v = i / 5
            y = y0 + ph - v * ph
            out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + pw}" y2="{y:.1f}" '
                       f'stroke="#e5e7eb"/>')
            out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{v:.1f}</text>')
        out.append(f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y0 + ph}" stroke="#111"/>')
        out.append(f'<line x1="{x0}" y1="{y0 + ph}" x2="{x0 + pw}" y2="{y0 + ph}" '
                   f'stroke="#111"/>')
        out.append(f'<text x="{x0 - 44}" y="{y0 + ph / 2}" text-anchor="middle" '
                   f'transform="rotate(-90 {x0 - 44} {y0 + ph / 2})">hit@{k}</text>')
        gw = pw / max(1, len(groups))
        bw = gw * 0.32
        for gi, (label, n, fv, bv) in enumerate(groups):
            gx = x0 + gi * gw + gw / 2
            for bi, (v, col) in enumerate(((fv, colors[0]), (bv, colors[1]))):
                bx = gx - bw + bi * bw
                if v is None:
                    continue
                bh = v * ph
                out.append(f'<rect x="{bx:.1f}" y="{y0 + ph - bh:.1f}" width="{bw - 2:.1f}" '
                           f'height="{bh:.1f}" fill="{col}"/>')
                out.append(f'<text x="{bx + bw / 2 - 1:.1f}" y="{y0 + ph - bh - 4:.1f}" '
                           f'text-anchor="middle" font-size="10">{v:.2f}</text>')
            out.append(f'<text x="{gx:.1f}" y="{y0 + ph + 16}" text-anchor="middle">'
                       f'{esc(label)}</text>')
            out.append(f'<text x="{gx:.1f}" y="{y0 + ph + 30}" text-anchor="middle" '
                       f'fill="#6b7280" font-size="10">n={n}</text>')
        out.append(f'<text x="{x0 + pw / 2}" y="{y0 + ph + 48}" text-anchor="middle">'
                   f'prior questions of the user</text>')
        ly = y0 + ph + 66
        out.append(f'<rect x="{x0}" y="{ly - 10}" width="12" height="12" fill="{colors[0]}"/>'
                   f'<text x="{x0 + 18}" y="{ly}">Foresight</text>')
        out.append(f'<rect x="{x0 + 110}" y="{ly - 10}" width="12" height="12" '
                   f'fill="{colors[1]}"/><text x="{x0 + 128}" y="{ly}">'
                   f'{esc(base_label)} (best baseline)</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def esc(s):
    return (str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def git_commit():
    try:
        r = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                           capture_output=True, text=True)
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return r.stdout.strip() + (" (with uncommitted changes)" if dirty else "")
    except OSError:
        return "?"


def report(args, name, workload_desc, events, scored, base_ranks, server, k, runtime_s):
    """Prints the results and writes bench/results/eval-<name>.{md,svg}."""
    rankers = dict(base_ranks)
    if server:
        rankers = {"foresight": server["ranks"], **base_ranks}
    rows, best = summarise(rankers, scored, k)
    lines = []
    p = lines.append
    p(f"## Suggestion quality: {name}")
    p("")
    p(f"{dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, commit "
      f"{git_commit()}, `{' '.join(args.command_line)}`")
    p("")
    p(workload_desc)
    p("")
    p(f"| ranker | hit@{k} empty | MRR empty | hit@{k} first word | MRR first word |")
    p("|---|---|---|---|---|")
    for n in rankers:
        r = rows[n]
        label = f"**{LABELS[n]}**" if n == "foresight" else LABELS[n]
        cells = []
        for key in ("hit_empty", "mrr_empty", "hit_first", "mrr_first"):
            v = f"{r[key]:.3f}"
            if n != "foresight" and best[key][0] == n:
                v = f"*{v}*"
            cells.append(v)
        p(f"| {label} | " + " | ".join(cells) + " |")
    p("")
    p("(*italic*: the best baseline for that column.)")
    p("")
    checks = []
    if server:
        f = rows["foresight"]
        for key, floor, what in (("hit_empty", FLOORS["hit_empty"], f"hit@{k}, empty box"),
                                 ("hit_first", FLOORS["hit_first"], f"hit@{k}, first word"),
                                 ("mrr_empty", FLOORS["mrr_empty"], "MRR, empty box"),
                                 ("mrr_first", FLOORS["mrr_first"], "MRR, first word")):
            bname, bval = best[key]
            ratio = f[key] / bval if bval else None
            ok = ratio is not None and ratio >= floor
            checks.append((f"{what}: Foresight / best baseline ({LABELS[bname]})",
                           f"{f[key]:.3f} / {bval:.3f} = {fmt_ratio(ratio)}", f"≥ {floor:.2f}x",
                           ok))
        lat_all = server["latency"]["empty"] + server["latency"]["first"]
        p99 = pct(lat_all, 99)
        checks.append(("suggestion latency p99 (client side, both modes)",
                       f"{p99:.2f} ms", f"< {FLOORS['p99_ms']:.0f} ms", p99 < FLOORS["p99_ms"]))
        reqs = server["suggest_requests"]
        if server["llm_configured"]:
            saved = 1 - server["llm_calls"] / reqs if reqs else 0
            checks.append(("LLM calls saved (1 - calls / suggestion requests)",
                           f"{saved * 100:.1f}% ({server['llm_calls']} calls, {reqs} requests)",
                           f"≥ {FLOORS['llm_saved'] * 100:.0f}%", saved >= FLOORS["llm_saved"]))
        p("| floor | measured | needed | |")
        p("|---|---|---|---|")
        for what, val, need, ok in checks:
            p(f"| {what} | {val} | {need} | **{'PASS' if ok else 'FAIL'}** |")
        p("")
        src = server["sources"]
        total_src = sum(src.values()) or 1
        s0, s1 = server["stats0"].get("cache", {}), server["stats1"].get("cache", {})
        hits = s1.get("hits_since_start", 0) - s0.get("hits_since_start", 0)
        misses = s1.get("misses_since_start", 0) - s0.get("misses_since_start", 0)
        llm1 = server["stats1"].get("llm", {})
        llm0 = server["stats0"].get("llm", {})
        p("| measure | value |")
        p("|---|---|")
        p(f"| suggestion requests | {reqs} ({len(scored)} questions x 2) |")
        p("| latency p50 / p90 / p99 / max, empty box | " + " / ".join(
            f"{pct(server['latency']['empty'], q):.2f}" for q in (50, 90, 99, 100)) + " ms |")
        p("| latency p50 / p90 / p99 / max, first word | " + " / ".join(
            f"{pct(server['latency']['first'], q):.2f}" for q in (50, 90, 99, 100)) + " ms |")
        p(f"| answers by source | " + ", ".join(
            f"{k_}: {v} ({v * 100 / total_src:.1f}%)" for k_, v in sorted(src.items())) + " |")
        p(f"| cache hit share (server counters, replay only) | "
          f"{hits * 100 / (hits + misses) if hits + misses else 0:.1f}% ({hits} hits, "
          f"{misses} misses) |")
        if server["llm_configured"]:
            p(f"| LLM calls received by the mock | {server['llm_calls']} "
              f"({server['llm_calls'] / reqs * 100 if reqs else 0:.1f}% of requests; mock "
              f"delay {args.mock_delay_ms:g} ms) |")
            p(f"| LLM per the server (calls / errors / refused / budget refusals) | "
              f"{llm1.get('calls', 0) - llm0.get('calls', 0)} / "
              f"{llm1.get('errors', 0) - llm0.get('errors', 0)} / "
              f"{llm1.get('refused', 0) - llm0.get('refused', 0)} / "
              f"{llm1.get('budget_refusals', 0) - llm0.get('budget_refusals', 0)} |")
        else:
            p("| LLM | none (--no-llm) |")
        imp = server["import"]
        p(f"| history | {imp['lines']} lines through /activity/import: "
          f"{imp['imported']} imported, {imp['duplicates']} duplicates, {imp['rejected']} "
          f"rejected, {server['import_s']:.1f} s |")
        p(f"| errors during the replay | {sum(server['errors'].values())} "
          f"{json.dumps(server['errors']) if server['errors'] else ''} |")
        p(f"| machine | {os.cpu_count()} CPUs; load average (1, 5, 15 min) before the replay "
          f"{' '.join(f'{x:.2f}' for x in server['load_before'])}, after "
          f"{' '.join(f'{x:.2f}' for x in server['load_after'])} |")
        p(f"| time | set-up {server['setup_s']:.1f} s, history {server['import_s']:.1f} s, "
          f"replay {server['replay_s']:.1f} s, total {runtime_s:.0f} s |")
        p("")
        for s in server["error_samples"]:
            p(f"- {s}")
        for n_ in server["notes"]:
            p(f"- {n_}")
        if server["error_samples"] or server["notes"]:
            p("")
    # By history.
    ranked_names = ["foresight"] if server else []
    panels = []
    p(f"hit@{k} by the user's prior questions (history included):")
    p("")
    head = "| prior questions | questions |"
    sep = "|---|---|"
    for mode, label in (("empty", "empty box"), ("first", "first word")):
        bname = best[f"hit_{mode}"][0]
        if server:
            head += f" Foresight, {label} |"
            sep += "---|"
        head += f" {LABELS[bname]}, {label} |"
        sep += "---|"
    p(head)
    p(sep)
    per = {}
    for mode in ("empty", "first"):
        bname = best[f"hit_{mode}"][0]
        per[mode] = (by_bucket(rankers[bname][mode], scored),
                     by_bucket(rankers["foresight"][mode], scored) if server else None, bname)
    for _, _, label in BUCKETS:
        n = len(per["empty"][0][label])
        row = f"| {label} | {n} |"
        for mode in ("empty", "first"):
            b, f, _ = per[mode]
            if server:
                row += f" {hit(f[label]):.3f} |" if n else " - |"
            row += f" {hit(b[label]):.3f} |" if n else " - |"
        p(row)
    p("")
    for mode, label in (("empty", "empty box"), ("first", "first word typed")):
        b, f, bname = per[mode]
        groups = []
        for _, _, bl in BUCKETS:
            n = len(b[bl])
            groups.append((bl, n, (hit(f[bl]) if n else None) if server else None,
                           hit(b[bl]) if n else None))
        panels.append((label, groups, LABELS[bname]))
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    if not args.no_write:
        os.makedirs(args.results_dir, exist_ok=True)
        md = os.path.join(args.results_dir, f"eval-{name}.md")
        svg = os.path.join(args.results_dir, f"eval-{name}.svg")
        with open(svg, "w") as f_:
            f_.write(svg_plot(f"hit@{k} by amount of user history: {name}", panels, k))
        with open(md, "w") as f_:
            f_.write(text + f"\n![hit@{k} by history](eval-{name}.svg)\n")
        show = (lambda x: os.path.relpath(x, ROOT) if x.startswith(ROOT + os.sep) else x)
        print(f"wrote {show(md)} and {show(svg)}")


# ------------------------------------------------------------------------------------------------


def interrupt(signum, frame):
    raise KeyboardInterrupt()


def main(argv=None):
    ap = argparse.ArgumentParser(description="replay an activity log through foresightd and "
                                             "compare its suggestions with four baselines")
    ap.add_argument("--workload", help="NDJSON activity log (default: generate one)")
    ap.add_argument("--shape", choices=["analytics", "operations"], default="analytics",
                    help="the generated workload's shape when there is no --workload")
    ap.add_argument("--seed", type=int, default=1, help="the generated workload's seed")
    ap.add_argument("--k", type=int, default=6, help="suggestions asked for and scored (1-12)")
    ap.add_argument("--no-llm", action="store_true", help="run foresightd without an LLM")
    ap.add_argument("--name", help="results name (default: the shape, or the file's name)")
    ap.add_argument("--history-share", type=float, default=0.30,
                    help="share of the queries that is history only (default 0.30)")
    ap.add_argument("--foresightd", default=os.path.join(ROOT, "build", "foresightd"))
    ap.add_argument("--serve-arg", action="append", default=[],
                    help="extra option for foresightd serve (repeatable, e.g. "
                         "--serve-arg=--pattern-min-users=3)")
    ap.add_argument("--mock-delay-ms", type=float, default=0.0,
                    help="the mock LLM's answer delay (default 0)")
    ap.add_argument("--settle-s", type=float, default=2.0,
                    help="wait after the history import, for the learners (default 2)")
    ap.add_argument("--baselines-only", action="store_true", help="no server: baselines only")
    ap.add_argument("--results-dir", default=os.path.join(HERE, "results"))
    ap.add_argument("--no-write", action="store_true", help="print only; write no files")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--quiet", dest="progress", action="store_false")
    args = ap.parse_args(argv)
    given = list(argv if argv is not None else sys.argv[1:])
    shown = []
    while given:  # ./foresight passes --foresightd PATH; the report shows the user's command
        a = given.pop(0)
        if a == "--foresightd" and given:
            given.pop(0)
        elif not a.startswith("--foresightd="):
            shown.append(a)
    args.command_line = ["./foresight eval"] + shown
    if not 1 <= args.k <= 12:
        ap.error("--k must be from 1 to 12 (the server's max_suggestions)")

    # SIGTERM and SIGINT become KeyboardInterrupt: the finally blocks stop the server.
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)  # also when started in the background
    t_start = time.perf_counter()
    tmp_workload = None
    try:
        path = args.workload
        if not path:
            import workload
            tmp_workload = tempfile.NamedTemporaryFile("w", suffix=".ndjson",
                                                       prefix=f"eval-{args.shape}-", delete=False)
            print(f"==> generating the {args.shape} workload (seed {args.seed})", file=sys.stderr)
            with tmp_workload:
                saved = sys.stdout
                sys.stdout = tmp_workload
                try:
                    workload.main(["--shape", args.shape, "--seed", str(args.seed)])
                finally:
                    sys.stdout = saved
            path = tmp_workload.name
        name = args.name or (args.shape if not args.workload else
                             re.sub(r"[^A-Za-z0-9_.-]", "_",
                                    os.path.splitext(os.path.basename(args.workload))[0]))
        catalog, events = load_workload(path)
        n_hist = split_history(events, args.history_share)
        queries = [e for e in events if e.kind == "query"]
        scored = [e for e in queries if not e.history]
        users = len({e.user for e in events})
        kinds = collections.Counter(e.kind for e in events)
        desc = (f"Workload: {'generated `' + args.shape + '` (seed ' + str(args.seed) + ')' if not args.workload else '`' + args.workload + '`'}: "
                f"{users} users, {len(queries)} questions "
                f"({kinds.get('suggestion_click', 0)} clicks, {kinds.get('feedback', 0)} "
                f"feedback, {kinds.get('chat', 0)} chats), "
                f"{events[0].created_at} to {events[-1].created_at}; the first {n_hist} "
                f"questions ({args.history_share:.0%}) are history only, the other "
                f"{len(scored)} are scored. A hit: the question, masked, is one of the {args.k} "
                f"suggestions, masked.")
        print(f"==> {len(events)} activities, {len(queries)} questions, {len(scored)} scored",
              file=sys.stderr)
        base_ranks = run_baselines(events, args.k)
        server = None
        if not args.baselines_only:
            if not os.access(args.foresightd, os.X_OK):
                raise SystemExit(f"{args.foresightd} not found; run ./foresight build")
            print("==> starting foresightd and replaying", file=sys.stderr)
            server = run_server(args, catalog, events, path, args.k)
        report(args, name, desc, events, scored, base_ranks, server, args.k,
               time.perf_counter() - t_start)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (RuntimeError, OSError) as e:
        print(f"eval failed: {e}", file=sys.stderr)
        return 1
    finally:
        if tmp_workload is not None:
            os.unlink(tmp_workload.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
