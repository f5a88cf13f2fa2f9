#!/usr/bin/env python3
"""Coverage check speed: Wangge against shapely/GEOS on the same files, in the same run, as ratios.

    pip install shapely==2.2.0 libpysal   # GEOS 3.14; libpysal finds the TAZ example
    python3 bench/compare_geos.py                 # builds wangge --release, makes the data, prints a table
    python3 bench/compare_geos.py --single-core   # both sides pinned to CPU 0 (`taskset -c 0`)
    python3 bench/compare_geos.py --taz PATH/taz.shp   # TAZ from a given file

Data (written to target/bench-data/, not committed):
  * synthetic-100k.geojson: 100,000 grids (316 x 317 jittered lattice, 12 vertices each, EPSG:4548, mm);
  * us-counties.geojson: the 3,231 US counties of npm us-atlas 3.0.1 (counties-10m), decoded with
    npm topojson-client 3.1.0 — a real coverage, some of it made invalid by the TopoJSON quantisation.
For each: shapely.coverage_is_valid(geoms) (GEOS, edge matching only) versus `wangge check --json`
(validity + overlaps + gaps + edge matching), timed after loading; best of 9 rounds, the two sides alternating. Peak memory of
`wangge check` by /usr/bin/time.
  * taz.shp: libpysal's `taz` example (4,109 traffic analysis zones, 347k vertices), from --taz, else
    from libpysal's data folder (`libpysal.examples.load_example("taz")` downloads it once); left out,
    with a note, when neither has it.
With --single-core, this script pins itself to CPU 0 (GEOS runs in this process) and runs wangge under
`taskset -c 0`, so Wangge's worker threads share that one core: the comparison is one core against one.
The phases of Wangge's check (timings_ms.phases of the best run) are printed below the table.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import shapely

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "target", "bench-data")
# WANGGE_BIN: another build to compare (an A/B in one run), else target/release/wangge.
WANGGE = os.environ.get("WANGGE_BIN") or os.path.join(ROOT, "target", "release", "wangge")
# The check alone, repeated in one process (examples/check_loop.rs), as GEOS is timed.
CHECK_LOOP = os.environ.get("CHECK_LOOP_BIN") or os.path.join(ROOT, "target", "release", "examples", "check_loop")
RUNS = 9


# The synthetic coverage is written feature by feature by synthetic_big.py (one generator for 100k and 1M).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from synthetic_big import synthetic  # noqa: E402


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


def find_taz(given):
    """The TAZ shapefile: the given path, else a copy already unpacked in target/bench-data/taz, else
    libpysal's copy (its first use downloads it from GitHub), else PySAL 1.14.4's source archive from PyPI,
    which ships `pysal/examples/taz` (the same 4,109 zones; BSD-3-Clause), else None."""
    if given:
        return given
    unpacked = os.path.join(DATA, "taz", "taz.shp")
    if os.path.exists(unpacked):
        return unpacked
    try:
        from libpysal import examples
        example = examples.load_example("taz")
        found = next((f for f in example.get_file_list() if f.endswith(".shp")), None)
        if found:
            return found
    except (Exception, SystemExit) as e:  # no libpysal, or no GitHub for its first download (it exits)
        print(f"TAZ: libpysal has no copy ({e}); trying PyPI's PySAL 1.14.4", file=sys.stderr)
    try:
        import tarfile
        work = os.path.join(DATA, "pypi")
        os.makedirs(work, exist_ok=True)
        archive = os.path.join(work, "PySAL-1.14.4.tar.gz")
        if not os.path.exists(archive):
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                            "-d", work, "pysal==1.14.4"], check=True)
        os.makedirs(os.path.dirname(unpacked), exist_ok=True)
        with tarfile.open(archive) as tar:
            for ext in ("shp", "shx", "dbf"):
                member = tar.extractfile(f"PySAL-1.14.4/pysal/examples/taz/taz.{ext}")
                with open(os.path.join(os.path.dirname(unpacked), f"taz.{ext}"), "wb") as out:
                    out.write(member.read())
        return unpacked
    except Exception as e:
        print(f"TAZ left out: {e}", file=sys.stderr)
        return None


def load_geoms(path):
    if path.endswith(".shp"):
        # libpysal's reader finds each record by the .shx, as GDAL and Wangge do (pyshp walks the .shp
        # and stops at the bytes TAZ has between records 105 and 106).
        import warnings
        from libpysal.io import open as pysal_open
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            reader = pysal_open(path)
            try:
                return [shapely.geometry.shape(s.__geo_interface__) for s in reader]
            finally:
                reader.close()
    with open(path) as f:
        fc = json.load(f)
    return [shapely.geometry.shape(feat["geometry"]) for feat in fc["features"]]


def geos_once(geoms):
    t = time.perf_counter()
    valid = shapely.coverage_is_valid(geoms)
    return (time.perf_counter() - t) * 1000.0, bool(valid)


def wangge_once(path, extra, pin):
    proc = subprocess.run(pin + ["/usr/bin/time", "-f", "%M", WANGGE, "check", path, "--json"] + extra,
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"wangge check failed: {proc.stderr}")
    run = json.loads(proc.stdout)
    return run["timings_ms"]["check"], run, int(proc.stderr.strip().splitlines()[-1]) / 1024.0


def wangge_warm_once(path, extra, pin):
    """The check as GEOS is timed: in a process that has read the file and checked it before (the
    check_loop example, best of 3 checks in one process)."""
    proc = subprocess.run(pin + [CHECK_LOOP, path, "3", "--json"] + extra, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"check_loop failed: {proc.stderr}")
    return json.loads(proc.stdout)["check"]


def compare(path, extra, pin):
    """GEOS and Wangge in turn, RUNS rounds (the machine's speed drifts over seconds: alternating
    exposes both sides to the same drift); the best time of each side. Wangge twice: `wangge check`
    (a fresh process, its memory touched for the first time) and warm (check_loop)."""
    geoms = load_geoms(path)
    geos_best, ours_best, warm_best, valid, report, rss = float("inf"), float("inf"), float("inf"), None, None, None
    for _ in range(RUNS):
        ms, valid = geos_once(geoms)
        geos_best = min(geos_best, ms)
        ms, run, rss = wangge_once(path, extra, pin)
        if ms < ours_best:
            ours_best, report = ms, run
        warm_best = min(warm_best, wangge_warm_once(path, extra, pin))
    return geos_best, valid, len(geoms), ours_best, warm_best, report, rss


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--single-core", action="store_true", help="pin both sides to CPU 0")
    parser.add_argument("--taz", help="path of libpysal's taz.shp")
    parser.add_argument("--no-build", action="store_true", help="use target/release/wangge as it is")
    args = parser.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "wangge", "--example", "check_loop"],
                       cwd=ROOT, check=True)
    pin = []
    if args.single_core:
        os.sched_setaffinity(0, {0})
        pin = ["taskset", "-c", "0"]
    os.makedirs(DATA, exist_ok=True)
    sets = [("synthetic 100,000 grids", os.path.join(DATA, "synthetic-100k.geojson"), synthetic, []),
            ("US counties (us-atlas, 3,231)", os.path.join(DATA, "us-counties.geojson"), us_counties, ["--planar"])]
    taz = find_taz(args.taz)
    if taz:
        sets.append(("TAZ (libpysal, 4,109)", taz, None, ["--planar"]))
    cores = "1 core (taskset -c 0)" if args.single_core else f"{os.cpu_count()} cores"
    print(f"GEOS {'.'.join(map(str, shapely.geos_version))} (shapely {shapely.__version__}); {cores}\n")
    print("| coverage | polygons | GEOS coverage_is_valid | Wangge full check (`wangge check`) | ratio "
          "| Wangge warm (in-process) | ratio | Wangge peak RSS | findings |")
    print("|---|---|---|---|---|---|---|---|---|")
    phases = []
    for name, path, make, extra in sets:
        if not os.path.exists(path):
            make(path)
        geos_ms, valid, n, ours_ms, warm_ms, report, rss = compare(path, extra, pin)
        phases.append((name, report["timings_ms"].get("phases", {})))
        kinds = {}
        for issue in report["issues"]:
            kinds[issue["kind"]] = kinds.get(issue["kind"], 0) + 1
        summary = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "none"
        print(f"| {name} | {n} | {geos_ms:.0f} ms (valid: {valid}) | {ours_ms:.0f} ms (ok: {report['ok']}) "
              f"| {ours_ms / geos_ms:.2f} | {warm_ms:.0f} ms | {warm_ms / geos_ms:.2f} | {rss:.0f} MiB | {summary} |")
    print("\nWangge's phases (ms, best run):\n")
    for name, times in phases:
        print(f"* {name}: " + ", ".join(f"{k} {v:.1f}" for k, v in times.items()))


if __name__ == "__main__":
    main()
