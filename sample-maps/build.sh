#!/usr/bin/env bash
# Rebuilds sample-maps/jingxian.gpkg from the two source files beside this script.
# (Built in a temporary file first: the app embeds the current jingxian.gpkg, so it must exist to compile.)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)/jingxian.gpkg
cargo run --quiet -- import sample-maps/jingxian-county.geojson --into "$tmp" --as boundary --name 泾县
cargo run --quiet -- import sample-maps/jingxian-divisions.csv --into "$tmp" --as divisions
mv "$tmp" sample-maps/jingxian.gpkg
cargo run --quiet -- info sample-maps/jingxian.gpkg
