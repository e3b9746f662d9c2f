#!/usr/bin/env python3
"""Tests of bench/plot.py: results records in, a well-formed SVG out, with one bar per measured
series, heights proportional to the values (or to their logarithms on a log scale), and the
labels a reader needs. Standard library only; runs from any directory:

    python3 bench/plot_test.py
"""
import io
import math
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import plot  # noqa: E402

NS = "{http://www.w3.org/2000/svg}"

INGEST = """\
meta\tseconds\t10
rate\tforesightd\t6916.2\treq/s\tmeasured
rate\tpgbench single-row INSERT\t5380.5\ttps\treference
rate\tCOPY\t38583\trows/s\treference
latency\tforesightd\t8.49ms\t24.62ms\t37.15ms
ratio\tforesightd\tpgbench single-row INSERT\t4
ratio\tforesightd\tCOPY\t0.5
count\tacknowledged\t69430
count\tmissing\t0
"""

SUGGEST = """\
rate\tnginx static JSON\t80000\treq/s\treference
rate\tcache hits\t64000\treq/s\tmeasured
rate\tpattern path\t12000\treq/s\tmeasured
latency\tnginx static JSON\t0.50ms\t4.00ms\t9.00ms
latency\tcache hits\t0.80ms\t2.00ms\t3000us
latency\tpattern path\t4.00ms\t12.00ms\t0.02s
ratio\tcache hits\tnginx static JSON\t0.6
ratio\tpattern path\tnginx static JSON\t-
"""

WIDE = """\
rate\tgeneraliser\t1276572\tqueries/s\tmeasured
rate\tstd::regex chain\t38395\tqueries/s\treference
ratio\tgeneraliser\tstd::regex chain\t-
"""


def chart(records, title="a title"):
    """Records -> (results data, parsed SVG root, SVG text), through a temporary directory."""
    with tempfile.TemporaryDirectory() as d:
        data = plot.record("t", title, "bench/run.sh build t", io.StringIO(records), d)
        path = plot.draw("t", d, data)
        with open(path) as f:
            text = f.read()
    return data, ET.fromstring(text), text


def bars(root, kind):
    return [r for r in root.iter(NS + "rect") if f"bar {kind}" in r.get("class", "")]


def texts(root):
    return ["".join(t.itertext()) for t in root.iter(NS + "text")]


class RecordTest(unittest.TestCase):
    def test_json_holds_the_run(self):
        data, _, _ = chart(INGEST)
        self.assertEqual([r["name"] for r in data["rates"]],
                         ["foresightd", "pgbench single-row INSERT", "COPY"])
        self.assertEqual(data["latency_ms"][0], {"name": "foresightd", "p50": 8.49,
                                                 "p99": 24.62, "p99.9": 37.15})
        self.assertAlmostEqual(data["ratios"][0]["value"], 6916.2 / 5380.5)
        self.assertEqual(data["ratios"][0]["floor"], 4)
        self.assertEqual(data["counts"], {"acknowledged": 69430, "missing": 0})
        self.assertEqual(data["meta"], {"seconds": "10"})
        self.assertEqual(data["command"], "bench/run.sh build t")
        self.assertTrue(data["date"].endswith("Z"))
        self.assertIsInstance(data["cores"], int)
        self.assertEqual(len(data["load_average"]), 3)

    def test_latency_units(self):
        data, _, _ = chart(SUGGEST)
        self.assertEqual(data["latency_ms"][1]["p99.9"], 3.0)
        self.assertEqual(data["latency_ms"][2]["p99.9"], 20.0)

    def test_bad_records_are_refused(self):
        for bad in ("rate\tx\t1\treq/s\tbaseline\n", "latency\tx\t1ms\t2\n",
                    "ratio\ta\tb\t-\n", "speed\tx\t1\n", "rate\tx\tfast\treq/s\tmeasured\n"):
            with self.subTest(bad=bad), self.assertRaises(SystemExit):
                chart(bad)


class ChartTest(unittest.TestCase):
    def test_well_formed_and_sized(self):
        _, root, _ = chart(INGEST)
        self.assertEqual(root.tag, NS + "svg")
        self.assertEqual((root.get("width"), root.get("height")), ("720", "360"))

    def test_one_bar_per_rate_heights_proportional(self):
        data, root, _ = chart(INGEST)
        rects = bars(root, "rate")
        self.assertEqual([r.get("data-name") for r in rects],
                         [r["name"] for r in data["rates"]])
        values = [r["value"] for r in data["rates"]]
        heights = [float(r.get("height")) for r in rects]
        self.assertTrue(all(h > 0 for h in heights))
        per_unit = heights[0] / values[0]
        for h, v in zip(heights, values):
            self.assertAlmostEqual(h / v, per_unit, delta=per_unit * 1e-3)
        # All bars stand on the same axis.
        bottoms = {round(float(r.get("y")) + float(r.get("height")), 1) for r in rects}
        self.assertEqual(len(bottoms), 1)
        # Measured and reference bars are told apart.
        self.assertNotEqual(rects[0].get("fill"), rects[1].get("fill"))
        self.assertEqual(rects[1].get("fill"), rects[2].get("fill"))

    def test_latency_bars_grouped_and_proportional(self):
        data, root, _ = chart(SUGGEST)
        rects = bars(root, "latency")
        self.assertEqual(len(rects), 3 * len(data["latency_ms"]))
        want = [(s["name"], p, s[p]) for s in data["latency_ms"] for p in ("p50", "p99", "p99.9")]
        got = [(r.get("data-name"), r.get("data-percentile"), float(r.get("data-value")))
               for r in rects]
        self.assertEqual(got, want)
        # SUGGEST's latencies span 40x: a log scale, heights proportional to log(v / lowest tick).
        self.assertTrue(any("latency percentiles (log scale)" in t for t in texts(root)))
        heights = [float(r.get("height")) for r in rects]
        values = [v for _, _, v in want]
        k = (heights[0] - heights[1]) / math.log10(values[0] / values[1])
        for (h, v) in zip(heights, values):
            self.assertAlmostEqual(h - heights[0], k * math.log10(v / values[0]), delta=0.01)
        # Each scenario's three percentiles side by side, left to right.
        xs = [float(r.get("x")) for r in rects]
        self.assertEqual(xs, sorted(xs))

    def test_linear_latency_heights_proportional(self):
        _, root, _ = chart(INGEST)
        rects = bars(root, "latency")
        self.assertEqual(len(rects), 3)
        ratios = [float(r.get("height")) / float(r.get("data-value")) for r in rects]
        self.assertAlmostEqual(min(ratios), max(ratios), delta=ratios[0] * 1e-3)

    def test_log_scale_when_rates_are_far_apart(self):
        _, root, _ = chart(WIDE)
        t = texts(root)
        self.assertTrue(any("throughput (log scale)" in s for s in t))
        rects = bars(root, "rate")
        self.assertEqual(len(rects), 2)
        h = [float(r.get("height")) for r in rects]
        self.assertGreater(h[0], h[1])
        self.assertLess(h[0] / h[1], 1276572 / 38395)  # not linear
        # Ticks are decades: 10k, 100k, 1M.
        for tick in ("10k", "100k", "1M"):
            self.assertIn(tick, t)
        self.assertEqual(bars(root, "latency"), [])  # no latency measured, no latency panel
        self.assertFalse(any("latency" in s for s in t))

    def test_labels(self):
        _, root, text = chart(INGEST, title="ingest: POST /api/v1/activity/log")
        t = texts(root)
        joined = "\n".join(t)
        self.assertEqual(t[0], "ingest: POST /api/v1/activity/log")
        for want in ("6,916 req/s", "5,380 tps", "38,583 rows/s",  # value labels with units
                     "8.49", "24.6", "37.1",
                     "foresightd", "COPY", "INSERT",  # series names (wrapped)
                     "per second (req/s, tps, rows/s)", "latency (ms)",  # axis labels
                     "measured", "reference, same run", "p50", "p99", "p99.9",  # legends
                     "foresightd = 1.29x pgbench single-row INSERT (floor 4x)",  # ratios
                     "foresightd = 0.18x COPY (floor 0.5x)", f"{os.cpu_count()} cores, load ",
                     "references measured by the same script in the same run"):
            self.assertIn(want, joined)
        self.assertNotIn("nan", joined.lower())

    def test_names_are_escaped(self):
        _, root, _ = chart("rate\ta <b> & \"c\"\t10\treq/s\tmeasured\n")
        self.assertIn('a <b> & "c"', "\n".join(texts(root)))


class CommandLineTest(unittest.TestCase):
    def test_record_and_redraw_from_another_directory(self):
        with tempfile.TemporaryDirectory() as d:
            script = os.path.join(HERE, "plot.py")
            r = subprocess.run([sys.executable, script, "--record", "ingest", "--title", "t",
                                "--command", "c", "--results-dir", d], input=INGEST, text=True,
                               capture_output=True, cwd=d)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(os.path.exists(os.path.join(d, "ingest.json")))
            ET.parse(os.path.join(d, "ingest.svg"))
            os.remove(os.path.join(d, "ingest.svg"))
            r = subprocess.run([sys.executable, script, "--results-dir", d], text=True,
                               capture_output=True, cwd="/")
            self.assertEqual(r.returncode, 0, r.stderr)
            ET.parse(os.path.join(d, "ingest.svg"))


if __name__ == "__main__":
    unittest.main()
