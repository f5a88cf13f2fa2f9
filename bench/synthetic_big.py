#!/usr/bin/env python3
"""The bench's synthetic coverage (bench/compare_geos.py `synthetic`, same generator, same numbers) written
feature by feature, so that a 1000 x 1000 (1,000,000 grids) file can be made without holding it in Python.

    python3 bench/synthetic_big.py target/bench-data/synthetic-1m.geojson 1000 1000
"""
import json
import random
import sys


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
    with open(path, "w") as f:
        f.write('{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4548"}}, "features": [')
        first = True
        for j in range(ny):
            for i in range(nx):
                h0, h1, v0, v1 = hor[j][i], hor[j + 1][i], ver[j][i], ver[j][i + 1]
                ring = [corner[j][i], h0[0], h0[1], corner[j][i + 1], v1[0], v1[1], corner[j + 1][i + 1],
                        h1[1], h1[0], corner[j + 1][i], v0[1], v0[0], corner[j][i]]
                feature = {"type": "Feature", "properties": {"code": f"{j:03d}{i:03d}"},
                           "geometry": {"type": "Polygon", "coordinates": [ring]}}
                f.write(("" if first else ", ") + json.dumps(feature))
                first = False
        f.write("]}")


if __name__ == "__main__":
    synthetic(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
