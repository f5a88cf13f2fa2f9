#!/bin/bash
# Peak memory (max RSS, /usr/bin/time -v) and time of check, import, export and code on the synthetic
# coverage, beside ogr2ogr on the same files; see BENCHMARKS.md, "Streaming I/O and memory". Run from the
# repository root after making target/bench-data/synthetic-$N.geojson with bench/synthetic_big.py.
# usage: bench/stream_memory.sh BIN TAG N(100k|1m)
BIN=$1; TAG=$2; N=$3
D=${D:-target/bench-data}; W=${TMPDIR:-/tmp}/stream-run-$TAG-$N; rm -rf $W; mkdir -p $W
G=$D/synthetic-$N.geojson
m() { local name=$1; shift; /usr/bin/time -v "$@" >/dev/null 2>$W/$name.time; local rc=$?
  printf "%-22s rc=%s %8s s %8.0f MiB\n" "$name" $rc "$(grep 'Elapsed' $W/$name.time | awk '{print $NF}')" "$(echo "$(grep 'Maximum resident' $W/$name.time | awk '{print $NF}')/1024" | bc -l)"; }
m check-geojson $BIN check $G --lang en
m import $BIN import $G --into $W/p.gpkg --as grids --lang en
m check-gpkg $BIN check $W/p.gpkg --lang en
m export-geojson $BIN export $W/p.gpkg --to $W/x.geojson
m export-shp $BIN export $W/p.gpkg --to $W/x.shp
m export-csv $BIN export $W/p.gpkg --to $W/x.csv
cp $W/p.gpkg $W/c.gpkg
m code $BIN code $W/c.gpkg
m ogr-import ogr2ogr -f GPKG $W/ogr.gpkg $G
m ogr-export ogr2ogr -f GeoJSON $W/ogr.geojson $W/p.gpkg grids
m ogr-export-shp ogr2ogr -f "ESRI Shapefile" $W/ogr.shp $W/p.gpkg grids
