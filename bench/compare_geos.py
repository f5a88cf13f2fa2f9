#!/usr/bin/env python3
"""Coverage check speed: Wangge against shapely/GEOS on the same files, in the same run, as ratios.

    pip install shapely==2.2.0        # GEOS 3.14
    python3 bench/compare_geos.py     # builds wangge --release, makes the data, prints a Markdown table

Data (written to target/bench-data/, not committed):
  * synthetic-100k.geojson: 100,000 grids (316 x 317 jittered lattice, 12 vertices each, EPSG:4548, mm);
  * us-counties.geojson: the 3,231 US counties of npm us-atlas 3.0.1 (counties-10m), decoded with
    npm topojson-client 3.1.0 — a real coverage, some of it made invalid by the TopoJSON quantisation.
For each: shapely.coverage_is_valid(geoms) (GEOS, edge matching only) versus `wangge check --json`
(validity + overlaps + gaps + edge matching), timed after loading; best of 5 runs each. Peak memory of
`wangge check` by /usr/bin/time.
"""
import json
import os
import random
import subprocess
import sys
import time

import shapely

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "target", "bench-data")
WANGGE = os.path.join(ROOT, "target", "release", "wangge")
RUNS = 5


def synthetic(path, nx=316, ny=317, cell=100.0, x0=620000.0, y0=3385000.0):
    rnd = random.Random(20261126)
    mm = lambda v: round(v * 1000.0) / 1000.0
    corner = [[(mm(x0 + (i + (0 if i in (0, nx) or j in (0, ny) else (rnd.random() - 0.5) * 0.4)) * cell),
                mm(y0 + (j + (0 if i in (0, nx) or j in (0, ny) else (rnd.random() - 0.5) * 0.4)) * cell))
               for i in range(nx + 1)] for j in range(ny + 1)]

    def edge(a, b, straight):
        out = []
        for t in (1 / 3, 2 / 3):
            k = 0.0 if straight else (rnd.random() - 0.5) * 0.08
            out.append((mm(a[0] + (b[0] - a[0]) * t - (b[1] - a[1]) * k), mm(a[1] + (b[1] - a[1]) * t + (b[0] - a[0]) * k)))
        return out

    hor = [[edge(corner[j][i], corner[j][i + 1], j in (0, ny)) for i in range(nx)] for j in range(ny + 1)]
    ver = [[edge(corner[j][i], corner[j + 1][i], i in (0, nx)) for i in range(nx + 1)] for j in range(ny)]
    features = []
    for j in range(ny):
        for i in range(nx):
            h0, h1, v0, v1 = hor[j][i], hor[j + 1][i], ver[j][i], ver[j][i + 1]
            ring = [corner[j][i], h0[0], h0[1], corner[j][i + 1], v1[0], v1[1], corner[j + 1][i + 1],
                    h1[1], h1[0], corner[j + 1][i], v0[1], v0[0], corner[j][i]]
            features.append({"type": "Feature", "properties": {"code": f"{j:03d}{i:03d}"},
                             "geometry": {"type": "Polygon", "coordinates": [ring]}})
    with open(path, "w") as f:
        json.dump({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4548"}},
                   "features": features}, f)


def us_counties(path):
    work = os.path.join(DATA, "npm")
    os.makedirs(work, exist_ok=True)
    if not os.path.exists(os.path.join(work, "node_modules", "topojson-client")):
        subprocess.run(["npm", "install", "--silent", "--prefix", work, "us-atlas@3.0.1", "topojson-client@3.1.0"], check=True)
    script = (
        "const t=require('topojson-client');const us=require('us-atlas/counties-10m.json');"
        "const fc=t.feature(us, us.objects.counties);"
        "fc.features=fc.features.filter(f=>f.geometry);"
        "process.stdout.write(JSON.stringify(fc));"
    )
    out = subprocess.run(["node", "-e", script], cwd=work, check=True, capture_output=True,
                         env=dict(os.environ, NODE_PATH=os.path.join(work, "node_modules"))).stdout
    with open(path, "wb") as f:
        f.write(out)


def geos_time(path):
    with open(path) as f:
        fc = json.load(f)
    geoms = [shapely.geometry.shape(feat["geometry"]) for feat in fc["features"]]
    best, valid = float("inf"), None
    for _ in range(RUNS):
        t = time.perf_counter()
        valid = shapely.coverage_is_valid(geoms)
        best = min(best, time.perf_counter() - t)
    return best * 1000.0, bool(valid), len(geoms)


def wangge_time(path, extra):
    best, report, rss = float("inf"), None, None
    for _ in range(RUNS):
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", WANGGE, "check", path, "--json"] + extra,
                              capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            sys.exit(f"wangge check failed: {proc.stderr}")
        report = json.loads(proc.stdout)
        best = min(best, report["timings_ms"]["check"])
        rss = int(proc.stderr.strip().splitlines()[-1]) / 1024.0
    return best, report, rss


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    os.makedirs(DATA, exist_ok=True)
    sets = [("synthetic 100,000 grids", os.path.join(DATA, "synthetic-100k.geojson"), synthetic, []),
            ("US counties (us-atlas, 3,231)", os.path.join(DATA, "us-counties.geojson"), us_counties, ["--planar"])]
    print(f"GEOS {'.'.join(map(str, shapely.geos_version))} (shapely {shapely.__version__}); {os.cpu_count()} cores\n")
    print("| coverage | polygons | GEOS coverage_is_valid | Wangge full check | ratio | Wangge peak RSS | findings |")
    print("|---|---|---|---|---|---|---|")
    for name, path, make, extra in sets:
        if not os.path.exists(path):
            make(path)
        geos_ms, valid, n = geos_time(path)
        ours_ms, report, rss = wangge_time(path, extra)
        kinds = {}
        for issue in report["issues"]:
            kinds[issue["kind"]] = kinds.get(issue["kind"], 0) + 1
        summary = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "none"
        print(f"| {name} | {n} | {geos_ms:.0f} ms (valid: {valid}) | {ours_ms:.0f} ms (ok: {report['ok']}) "
              f"| {ours_ms / geos_ms:.2f} | {rss:.0f} MiB | {summary} |")


if __name__ == "__main__":
    main()
