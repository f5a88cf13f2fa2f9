#!/usr/bin/env python3
"""Issue 15: Wangge's partition against spopt's max-p heuristic and SKATER, on the SAME units, counts
and adjacency (BENCHMARKS.md, "Auto-partition").

For each data set the script computes the rook adjacency once (libpysal, with the shared boundary
lengths from shapely), gives it to spopt, and writes the units with their counts and neighbours as
GeoJSON for Wangge's `examples/partition_units.rs`, which runs the core's split → repair → improve on
them. Every method's regions are then measured by the same code here: share of regions within the
band, largest deviation from the band (households outside it / band max), mean and worst Polsby–Popper
of the dissolved regions (4πA/P²), regions that are not connected, and the seconds of the solve alone.

- max-p: threshold = the band's minimum (max-p has only a floor), attributes = unit centroids (so its
  objective asks for compact regions), top_n 2, construction iterations --maxp-iterations (spopt's
  default 99; on the 400-unit synthetic set 99 did not finish in 25 minutes, so BENCHMARKS.md says
  which was used).
- SKATER: n_clusters = the number of regions Wangge chose (its count from the band), attributes = unit
  centroids.

Data sets:
- georgia (libpysal, 159 counties, TotPop90, UTM metres) and sids2 (libpysal, 100 North Carolina counties,
  births 1974 BIR74, projected to UTM 17N): real polygons with real counts. The band is scaled to the
  data: its middle is the mean of 8 units, min = 0.75 × middle, max = 1.25 × middle (the 300–500 band's
  proportions).
- synthetic: a 1.8 km village as a lattice of 90 m units (20 × 20), households in hamlets and scattered;
  band 300–500.

Usage (from the repository root; the venv is not committed):

    python3 -m venv target/venv && target/venv/bin/pip install 'spopt==0.7.*' libpysal
    cargo build --release --no-default-features --example partition_units
    target/venv/bin/python bench/compare_spopt.py [--sets georgia,sids2,synthetic] [--json out.json]
"""

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
import warnings

import geopandas as gpd
import numpy as np
import shapely
from libpysal import examples
from libpysal.weights import W, Rook
from spopt.region import MaxPHeuristic, Skater

warnings.filterwarnings("ignore")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.environ.get("WANGGE_PARTITION_UNITS", os.path.join(ROOT, "target", "release", "examples", "partition_units"))


def scaled_band(total, n, units_per_region=8):
    middle = total * units_per_region / n
    return int(round(0.75 * middle)), int(round(1.25 * middle))


def real_set(name):
    if name == "georgia":
        gdf = gpd.read_file(examples.get_path("G_utm.shp"))
        gdf["count"] = gdf["TotPop90"].astype(int)
    elif name == "sids2":
        gdf = gpd.read_file(examples.get_path("sids2.shp"))
        gdf = gdf.set_crs(4326, allow_override=True).to_crs(32617)
        gdf["count"] = gdf["BIR74"].astype(int)
    else:
        raise SystemExit(f"unknown set {name}")
    gdf = gdf[["count", "geometry"]].reset_index(drop=True)
    band = scaled_band(int(gdf["count"].sum()), len(gdf))
    return gdf, band


def synthetic_set(seed=15):
    rng = random.Random(seed)
    cell, side = 90.0, 20
    cells = [shapely.box(i * cell, j * cell, (i + 1) * cell, (j + 1) * cell) for j in range(side) for i in range(side)]
    counts = np.zeros(len(cells), dtype=int)
    extent = cell * side
    points = []
    for _ in range(14):
        cx, cy = rng.uniform(150, extent - 150), rng.uniform(150, extent - 150)
        spread = rng.uniform(40, 160)
        for _ in range(rng.randint(150, 700)):
            x = cx + (rng.random() + rng.random() + rng.random() - 1.5) * spread
            y = cy + (rng.random() + rng.random() + rng.random() - 1.5) * spread
            points.append((x, y))
    for _ in range(400):
        points.append((rng.uniform(0, extent), rng.uniform(0, extent)))
    for x, y in points:
        i, j = int(x // cell), int(y // cell)
        if 0 <= i < side and 0 <= j < side:
            counts[j * side + i] += 1
    gdf = gpd.GeoDataFrame({"count": counts}, geometry=cells)
    return gdf, (300, 500)


def adjacency(gdf):
    """Rook neighbours with their shared boundary length; pairs that only touch at a point dropped."""
    rook = Rook.from_dataframe(gdf, use_index=False, silence_warnings=True)
    geoms = list(gdf.geometry)
    shared = {}
    for i, ns in rook.neighbors.items():
        for j in ns:
            if i < j:
                length = geoms[i].boundary.intersection(geoms[j].boundary).length
                if length > 0:
                    shared[(i, j)] = length
    neighbours = {i: [] for i in range(len(geoms))}
    for (i, j), length in shared.items():
        neighbours[i].append((j, length))
        neighbours[j].append((i, length))
    w = W({i: [j for j, _ in ns] for i, ns in neighbours.items()}, silence_warnings=True)
    return w, neighbours


def disconnected_regions(labels, neighbours):
    """Regions whose units are not connected through the adjacency all methods were given."""
    members = {}
    for i, r in enumerate(labels):
        members.setdefault(r, []).append(i)
    bad = 0
    for r, units in members.items():
        seen, stack = {units[0]}, [units[0]]
        while stack:
            x = stack.pop()
            for y, _ in neighbours[x]:
                if labels[y] == r and y not in seen:
                    seen.add(y)
                    stack.append(y)
        bad += len(seen) != len(units)
    return bad


def measure(gdf, labels, band, seconds, neighbours):
    lo, hi = band
    frame = gdf.assign(region=labels)
    sums = frame.groupby("region")["count"].sum()
    within = sum(1 for s in sums if lo <= s <= hi)
    deviation = max(((lo - s) if s < lo else (s - hi) if s > hi else 0) / hi for s in sums)
    shapes = frame.dissolve(by="region")
    pp = [4 * math.pi * g.area / g.length**2 if g.length > 0 else 0.0 for g in shapes.geometry]
    disconnected = disconnected_regions(list(labels), neighbours)
    return {
        "regions": len(sums),
        "within": within,
        "within_share": within / len(sums),
        "max_deviation": deviation,
        "pp_mean": float(np.mean(pp)),
        "pp_worst": float(np.min(pp)),
        "disconnected": disconnected,
        "seconds": seconds,
        "min": int(sums.min()),
        "max": int(sums.max()),
    }


def run_wangge(gdf, neighbours, band, seed=1):
    features = []
    for i, geom in enumerate(gdf.geometry):
        features.append({
            "type": "Feature",
            "geometry": shapely.geometry.mapping(geom),
            "properties": {"count": int(gdf["count"].iloc[i]), "neighbours": [[j, l] for j, l in neighbours[i]]},
        })
    with tempfile.NamedTemporaryFile("w", suffix=".geojson", delete=False) as f:
        json.dump({"type": "FeatureCollection", "features": features}, f)
        path = f.name
    try:
        out = subprocess.run([EXAMPLE, path, f"{band[0]}..{band[1]}", "auto", str(seed)],
                             check=True, capture_output=True, text=True)
    finally:
        os.unlink(path)
    result = json.loads(out.stdout)
    return result["labels"], result["seconds"]


def run_maxp(gdf, w, band, iterations, seed=1):
    np.random.seed(seed)
    random.seed(seed)
    frame = gdf.copy()
    c = frame.geometry.centroid
    frame["cx"], frame["cy"] = c.x, c.y
    model = MaxPHeuristic(frame, w, ["cx", "cy"], "count", band[0], top_n=2,
                          max_iterations_construction=iterations)
    started = time.perf_counter()
    model.solve()
    return list(model.labels_), time.perf_counter() - started


def run_skater(gdf, w, k, seed=1):
    np.random.seed(seed)
    random.seed(seed)
    frame = gdf.copy()
    c = frame.geometry.centroid
    frame["cx"], frame["cy"] = c.x, c.y
    model = Skater(frame, w, ["cx", "cy"], n_clusters=k, islands="ignore")
    started = time.perf_counter()
    model.solve()
    return list(model.labels_), time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default="georgia,sids2,synthetic")
    parser.add_argument("--json")
    parser.add_argument("--maxp-iterations", type=int, default=99,
                        help="max-p's construction iterations (spopt's default 99; fewer on the synthetic set)")
    args = parser.parse_args()
    if not os.path.exists(EXAMPLE):
        sys.exit(f"{EXAMPLE} missing: cargo build --release --no-default-features --example partition_units")
    results = {}
    for name in args.sets.split(","):
        gdf, band = synthetic_set() if name == "synthetic" else real_set(name)
        w, neighbours = adjacency(gdf)
        labels, seconds = run_wangge(gdf, neighbours, band)
        wangge = measure(gdf, labels, band, seconds, neighbours)
        labels, seconds = run_maxp(gdf, w, band, args.maxp_iterations)
        maxp = measure(gdf, labels, band, seconds, neighbours)
        labels, seconds = run_skater(gdf, w, wangge["regions"])
        skater = measure(gdf, labels, band, seconds, neighbours)
        results[name] = {"units": len(gdf), "households": int(gdf["count"].sum()), "band": band,
                         "wangge": wangge, "max-p": maxp, "skater": skater}
        print(f"\n{name}: {len(gdf)} units, {int(gdf['count'].sum())} counted, band {band[0]}–{band[1]}")
        print("| method | regions | within band | max deviation | PP mean | PP worst | not connected | min–max | seconds |")
        print("|---|---|---|---|---|---|---|---|---|")
        for method, r in (("Wangge", wangge), ("max-p", maxp), ("SKATER", skater)):
            print(f"| {method} | {r['regions']} | {r['within']} ({r['within_share']:.0%}) | {r['max_deviation']:.2f} "
                  f"| {r['pp_mean']:.3f} | {r['pp_worst']:.3f} | {r['disconnected']} | {r['min']}–{r['max']} "
                  f"| {r['seconds']:.3f} |")
        print(f"max-p / Wangge time: {maxp['seconds'] / max(wangge['seconds'], 1e-9):.0f}×; "
              f"SKATER / Wangge: {skater['seconds'] / max(wangge['seconds'], 1e-9):.0f}×")
        sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
