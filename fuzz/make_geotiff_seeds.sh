#!/bin/sh
# Writes the seed inputs of the geotiff fuzz target into fuzz/seeds/geotiff/: small GeoTIFFs as GDAL
# writes them (strips and tiles, overviews, LZW/Deflate/JPEG, a GK zone and lon/lat), and two it
# refuses (palette, 16-bit). Run from the repository root: sh fuzz/make_geotiff_seeds.sh (needs gdal-bin).
set -eu
out=fuzz/seeds/geotiff
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
# A 32×32 RGB picture: a gradient with a red block.
python3 - "$tmp/rgb.ppm" "$tmp/grey.pgm" <<'PY'
import sys
w = h = 32
rgb = bytearray()
grey = bytearray()
for y in range(h):
    for x in range(w):
        red = 8 <= x < 16 and 8 <= y < 16
        rgb += bytes((255, 0, 0) if red else (x * 8, y * 8, 128))
        grey.append((x * 8) & 255)
open(sys.argv[1], "wb").write(b"P6\n%d %d\n255\n" % (w, h) + rgb)
open(sys.argv[2], "wb").write(b"P5\n%d %d\n255\n" % (w, h) + grey)
PY
gt="gdal_translate -q"
$gt -a_srs EPSG:4527 -a_ullr 39600000 3400000 39600032 3399968 "$tmp/rgb.ppm" "$out/gk_strips.tif"
$gt -a_srs EPSG:4490 -a_ullr 118.40 30.70 118.41 30.69 -co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=16 \
    -co COMPRESS=LZW "$tmp/rgb.ppm" "$out/lonlat_tiled_lzw.tif"
gdaladdo -q -r average "$out/lonlat_tiled_lzw.tif" 2 4
$gt -a_srs EPSG:4548 -a_ullr 600000 3400000 600032 3399968 -co TILED=YES -co BLOCKXSIZE=16 -co BLOCKYSIZE=16 \
    -co COMPRESS=JPEG -co PHOTOMETRIC=YCBCR "$tmp/rgb.ppm" "$out/gk_jpeg_ycbcr.tif"
$gt -a_srs EPSG:4490 -a_ullr 118.40 30.70 118.41 30.69 -co COMPRESS=DEFLATE -co PREDICTOR=2 \
    "$tmp/grey.pgm" "$out/grey_deflate.tif"
$gt -a_srs EPSG:4527 -a_ullr 39600000 3400000 39600032 3399968 -ot UInt16 "$tmp/grey.pgm" "$out/uint16_refused.tif"
$gt -a_srs EPSG:4527 -a_ullr 39600000 3400000 39600032 3399968 -co PROFILE=BASELINE "$tmp/rgb.ppm" "$tmp/plain.tif"
cp "$tmp/plain.tif" "$out/no_georeference.tif"
rm -f "$out"/*.aux.xml
ls -l "$out"
