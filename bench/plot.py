#!/usr/bin/env python3
"""Charts of the benchmarks' results: bench/results/<name>.json -> bench/results/<name>.svg.

    python3 bench/plot.py [NAME ...]          redraw the charts of these results (default: all)
    python3 bench/plot.py --record NAME --title TITLE [--command CMD] < RECORDS
                                              write results/NAME.json from a run, then draw it

Each bench script (ingest.sh, history.sh, suggest.sh; run.sh for generalize and generate)
calls --record at its end with one tab-separated record a line:

    rate     NAME VALUE UNIT ROLE     a rate (req/s, tps, rows/s, queries/s); ROLE is measured
                                      or reference (a reference run by the same script)
    latency  NAME P50 P99 P99.9       latency percentiles, each a number with a unit: 4.51ms
    ratio    MEASURED REFERENCE FLOOR a ratio of two rates, written on the chart; FLOOR or -
    count    NAME VALUE               any other figure of the run (kept in the JSON only)
    meta     NAME VALUE               settings of the run (seconds, connections, ...); the
                                      meta xlabel is drawn under the panels' series names

The chart (720x360): requests/s of foresightd beside its references, with the ratios written
above them (a log scale when the largest rate is over 20 times the smallest), and, when the run
measured latency, p50 / p99 / p99.9 grouped per scenario. Colours from the Okabe-Ito palette,
which stays distinct for colour-blind readers. Standard library only.
"""
import argparse
import datetime as dt
import json
import math
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")

W, H = 720, 360
ROLE_COLOURS = {"measured": "#0072B2", "reference": "#E69F00"}  # blue, orange (Okabe-Ito)
ROLE_LABELS = {"measured": "measured", "reference": "reference, same run"}
PERCENTILES = (("p50", "#56B4E9"), ("p99", "#0072B2"), ("p99.9", "#D55E00"))
LOG_ABOVE = 20  # a log scale when max / min of a panel's values is over this


def esc(s):
    return (str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


# ---- recording ----------------------------------------------------------------------------

def to_ms(text):
    """'4.51ms' -> 4.51; also us and s, and a bare number (taken as ms)."""
    m = re.fullmatch(r"\s*([0-9.]+)\s*(us|ms|s)?\s*", text)
    if not m:
        raise ValueError(f"not a latency: {text!r}")
    v = float(m.group(1))
    return {"us": v / 1000, "s": v * 1000}.get(m.group(2), v)


def number(text):
    v = float(text)
    return int(v) if v.is_integer() and "." not in text else v


def parse_records(lines):
    out = {"meta": {}, "rates": [], "latency_ms": [], "ratios": [], "counts": {}}
    for n, line in enumerate(lines, 1):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        f = line.split("\t")
        kind = f[0]
        try:
            if kind == "rate":
                _, name, value, unit, role = f
                if role not in ROLE_COLOURS:
                    raise ValueError(f"role {role!r}: measured or reference")
                out["rates"].append({"name": name, "value": float(value), "unit": unit,
                                     "role": role})
            elif kind == "latency":
                _, name, p50, p99, p999 = f
                out["latency_ms"].append({"name": name, "p50": to_ms(p50), "p99": to_ms(p99),
                                          "p99.9": to_ms(p999)})
            elif kind == "ratio":
                _, measured, reference, floor = f
                out["ratios"].append({"measured": measured, "reference": reference,
                                      "floor": None if floor in ("", "-") else float(floor)})
            elif kind == "count":
                _, name, value = f
                out["counts"][name] = number(value)
            elif kind == "meta":
                _, name, value = f
                out["meta"][name] = value
            else:
                raise ValueError(f"unknown record {kind!r}")
        except ValueError as e:
            raise SystemExit(f"plot.py: record line {n}: {e}: {line!r}")
    rate = {r["name"]: r["value"] for r in out["rates"]}
    for r in out["ratios"]:
        if r["measured"] not in rate or r["reference"] not in rate:
            raise SystemExit(f"plot.py: ratio of unknown rates: {r['measured']!r} / "
                             f"{r['reference']!r}")
        r["value"] = rate[r["measured"]] / rate[r["reference"]] if rate[r["reference"]] else None
    return out


def git_commit():
    try:
        r = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"],
                           capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", HERE, "status", "--porcelain",
                                "--untracked-files=no", "--", "."],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        commit = r.stdout.strip()
        return (commit + (" (bench/ with uncommitted changes)" if dirty else "")) or None
    except (OSError, subprocess.SubprocessError):
        return None


def record(name, title, command, lines, results_dir):
    data = {"benchmark": name, "title": title,
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "cores": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "command": command, "scripts_commit": git_commit()}
    data.update(parse_records(lines))
    os.makedirs(results_dir, exist_ok=True)
    path = os.path.join(results_dir, f"{name}.json")
    with open(path, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
    return data


# ---- drawing ------------------------------------------------------------------------------

def fmt_rate(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}"


def fmt_ms(v):
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def fmt_tick(v):
    if v >= 1e6:
        return f"{v / 1e6:g}M"
    if v >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def fmt_ratio(v):
    return "?" if v is None else f"{v:.2f}x" if v < 10 else f"{v:.1f}x"


class Scale:
    """Maps values to a panel's height: linear from 0 with 1-2-5 ticks, or log10 by decades."""

    def __init__(self, values, height):
        values = [v for v in values if v is not None and v > 0] or [1.0]
        lo, hi = min(values), max(values)
        self.height = height
        self.log = hi / lo > LOG_ABOVE
        if self.log:
            self.lo = 10.0 ** math.floor(math.log10(lo))
            top = hi * 1.35  # headroom for the value labels
            mag = 10.0 ** math.floor(math.log10(top))
            self.hi = next(m * mag for m in (1, 2, 5, 10) if m * mag >= top)
            d0, d1 = round(math.log10(self.lo)), math.floor(math.log10(self.hi) + 1e-9)
            self.ticks = [10.0 ** d for d in range(d0, d1 + 1)]
            if self.hi >= self.ticks[-1] * 4.9:  # a 5x top gets its own line; 2x would crowd
                self.ticks.append(self.hi)
        else:
            target = hi * 1.15
            raw = target / 5
            mag = 10 ** math.floor(math.log10(raw))
            step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
            self.lo, self.hi = 0.0, math.ceil(target / step) * step
            self.ticks = [i * step for i in range(int(round(self.hi / step)) + 1)]

    def __call__(self, v):
        """Height in pixels of a bar of value v."""
        if self.log:
            v = max(v, self.lo)
            return self.height * math.log10(v / self.lo) / math.log10(self.hi / self.lo)
        return self.height * v / self.hi


def wrap(text, width=16):
    lines, cur = [], ""
    for word in text.split():
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    lines.append(cur)
    return lines[:3]


def axes(out, x0, y0, pw, ph, scale, ylabel, fmt):
    for t in scale.ticks:
        y = y0 + ph - scale(t)
        out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + pw}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
                   f'{esc(fmt(t))}</text>')
    out.append(f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y0 + ph}" stroke="#111"/>')
    out.append(f'<line x1="{x0}" y1="{y0 + ph}" x2="{x0 + pw}" y2="{y0 + ph}" stroke="#111"/>')
    yl, xl = y0 + ph / 2, x0 - 46
    out.append(f'<text x="{xl}" y="{yl}" text-anchor="middle" font-size="12" '
               f'transform="rotate(-90 {xl} {yl})">{esc(ylabel)}</text>')


def xlabel(out, data, x0, pw):
    """The meta record xlabel, if the run gave one, under a panel's series names."""
    label = data.get("meta", {}).get("xlabel")
    if label:
        out.append(f'<text x="{x0 + pw / 2}" y="{H - 30}" text-anchor="middle" font-size="12">'
                   f'{esc(label)}</text>')


def legend(out, x, y, items):
    for label, colour in items:
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{x + 17}" y="{y}" font-size="11">{esc(label)}</text>')
        x += 30 + 6.2 * len(label)


def rates_panel(out, data, x0, y0, pw, ph):
    rates = data["rates"]
    units = []
    for r in rates:
        if r["unit"] not in units:
            units.append(r["unit"])
    scale = Scale([r["value"] for r in rates], ph)
    title = "throughput" + (" (log scale)" if scale.log else "")
    out.append(f'<text x="{x0 + pw / 2}" y="{y0 - 34}" text-anchor="middle" font-size="13" '
               f'font-weight="bold">{esc(title)}</text>')
    for i, r in enumerate(data["ratios"][:2]):
        floor = "" if r["floor"] is None else f" (floor {r['floor']:g}x)"
        out.append(f'<text x="{x0 + pw / 2}" y="{y0 - 19 + 13 * i}" text-anchor="middle" '
                   f'font-size="11" fill="#111">{esc(r["measured"])} = '
                   f'<tspan font-weight="bold">{fmt_ratio(r["value"])}</tspan> '
                   f'{esc(r["reference"])}{esc(floor)}</text>')
    axes(out, x0, y0, pw, ph, scale, "per second (" + ", ".join(units) + ")", fmt_tick)
    gw = pw / max(1, len(rates))
    bw = min(64.0, gw * 0.6)
    for i, r in enumerate(rates):
        cx = x0 + gw * i + gw / 2
        bh = scale(r["value"])
        out.append(f'<rect class="bar rate" data-name="{esc(r["name"])}" '
                   f'data-value="{r["value"]:g}" x="{cx - bw / 2:.2f}" y="{y0 + ph - bh:.3f}" '
                   f'width="{bw:.2f}" height="{bh:.3f}" fill="{ROLE_COLOURS[r["role"]]}"/>')
        out.append(f'<text class="value" x="{cx:.1f}" y="{y0 + ph - bh - 5:.1f}" '
                   f'text-anchor="middle" font-size="11">{fmt_rate(r["value"])} '
                   f'{esc(r["unit"])}</text>')
        for j, line in enumerate(wrap(r["name"], max(10, int(gw / 6.5)))):
            out.append(f'<text class="label" x="{cx:.1f}" y="{y0 + ph + 15 + 12 * j}" '
                       f'text-anchor="middle" font-size="11">{esc(line)}</text>')
    xlabel(out, data, x0, pw)
    roles = [role for role in ROLE_COLOURS if any(r["role"] == role for r in rates)]
    legend(out, x0, H - 10, [(ROLE_LABELS[role], ROLE_COLOURS[role]) for role in roles])


def latency_panel(out, data, x0, y0, pw, ph):
    lat = data["latency_ms"]
    scale = Scale([s[p] for s in lat for p, _ in PERCENTILES], ph)
    title = "latency percentiles" + (" (log scale)" if scale.log else "")
    out.append(f'<text x="{x0 + pw / 2}" y="{y0 - 34}" text-anchor="middle" font-size="13" '
               f'font-weight="bold">{esc(title)}</text>')
    axes(out, x0, y0, pw, ph, scale, "latency (ms)", fmt_tick)
    gw = pw / max(1, len(lat))
    bw = min(30.0, gw * 0.8 / len(PERCENTILES))
    for i, s in enumerate(lat):
        cx = x0 + gw * i + gw / 2
        for j, (p, colour) in enumerate(PERCENTILES):
            bx = cx - bw * len(PERCENTILES) / 2 + bw * j
            bh = scale(s[p])
            out.append(f'<rect class="bar latency" data-name="{esc(s["name"])}" '
                       f'data-percentile="{p}" data-value="{s[p]:g}" x="{bx:.2f}" '
                       f'y="{y0 + ph - bh:.3f}" width="{bw - 1.5:.2f}" height="{bh:.3f}" '
                       f'fill="{colour}"/>')
            out.append(f'<text class="value" x="{bx + (bw - 1.5) / 2:.1f}" '
                       f'y="{y0 + ph - bh - 4:.1f}" text-anchor="middle" font-size="9">'
                       f'{fmt_ms(s[p])}</text>')
        for j, line in enumerate(wrap(s["name"], max(10, int(gw / 6.5)))):
            out.append(f'<text class="label" x="{cx:.1f}" y="{y0 + ph + 15 + 12 * j}" '
                       f'text-anchor="middle" font-size="11">{esc(line)}</text>')
    xlabel(out, data, x0, pw)
    legend(out, x0, H - 10, [(p, c) for p, c in PERCENTILES])


def svg_chart(data):
    """The chart of one results file, as SVG text."""
    date = data.get("date", "")[:16].replace("T", " ")
    same_run = ("references measured by the same script in the same run"
                if any(r["role"] == "reference" for r in data["rates"])
                else "every figure from one run of the script")
    load = data.get("load_average")
    load = f", load {load[0]:.1f} at the end" if load else ""
    sub = f"{date} UTC, {data.get('cores', '?')} cores{load}; {same_run}"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'viewBox="0 0 {W} {H}" font-family="Helvetica, Arial, sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">'
           f'{esc(data.get("title") or data["benchmark"])}</text>',
           f'<text x="{W / 2}" y="40" text-anchor="middle" font-size="11" fill="#4b5563">'
           f'{esc(sub)}</text>']
    y0, ph = 104, 176
    if data.get("latency_ms"):
        rates_panel(out, data, 72, y0, 262, ph)
        latency_panel(out, data, 438, y0, 262, ph)
    else:
        rates_panel(out, data, 90, y0, 590, ph)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def draw(name, results_dir=RESULTS, data=None):
    if data is None:
        with open(os.path.join(results_dir, f"{name}.json")) as f:
            data = json.load(f)
    path = os.path.join(results_dir, f"{name}.svg")
    with open(path, "w") as f:
        f.write(svg_chart(data))
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", help="results to redraw (default: every results/*.json)")
    ap.add_argument("--record", metavar="NAME", help="read records from stdin into NAME.json")
    ap.add_argument("--title", help="the chart's title (with --record)")
    ap.add_argument("--command", default="", help="the command line of the run (with --record)")
    ap.add_argument("--results-dir", default=RESULTS)
    args = ap.parse_args(argv)
    show = lambda p: os.path.relpath(p, os.getcwd())  # noqa: E731
    if args.record:
        data = record(args.record, args.title or args.record, args.command, sys.stdin,
                      args.results_dir)
        svg = draw(args.record, args.results_dir, data)
        print(f"==> wrote {show(os.path.join(args.results_dir, args.record + '.json'))} "
              f"and {show(svg)}")
        return 0
    names = args.names or sorted(f[:-5] for f in os.listdir(args.results_dir)
                                 if f.endswith(".json"))
    for name in names:
        print(f"wrote {show(draw(name, args.results_dir))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
