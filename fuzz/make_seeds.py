#!/usr/bin/python3
"""Writes the seed inputs of the fuzz targets into fuzz/seeds/<target>/ from small real-world shaped
files (made with GDAL's OGR, as other tools would write them). Run from the repository root:
/usr/bin/python3 fuzz/make_seeds.py (Debian python3-gdal). The minimised corpus in fuzz/corpus/ grew from these."""
import os, sqlite3, struct, tempfile, json
from osgeo import ogr, osr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")

def put(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))

def srs(epsg):
    s = osr.SpatialReference(); s.ImportFromEPSG(epsg); return s

SQUARE = "POLYGON ((118.40 30.70, 118.41 30.70, 118.41 30.71, 118.40 30.71, 118.40 30.70), (118.402 30.702, 118.403 30.702, 118.403 30.703, 118.402 30.702))"
MULTI = "MULTIPOLYGON (((620000 3385000, 621000 3385000, 621000 3386000, 620000 3385000)), ((622000 3385000, 623000 3385000, 623000 3386000, 622000 3385000)))"
POINT = "POINT (118.4 30.7)"

# GeoJSON
put("geojson", "county.geojson", open(os.path.join(ROOT, "sample-maps", "jingxian-county.geojson"), "rb").read())
features = [
    {"type": "Feature", "properties": {"网格编码": "341823100001001", "name": "城南", "户数": 420, "kind": "基础网格"},
     "geometry": json.loads(ogr.CreateGeometryFromWkt(SQUARE).ExportToJson())},
    {"type": "Feature", "properties": {"code": "x", "households": 1.5, "notes": None, "flag": True, "list": [1, 2]},
     "geometry": {"type": "MultiPolygon", "coordinates": [[[[118.4, 30.7], [118.41, 30.7], [118.41, 30.71], [118.4, 30.7]]]]}},
    {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [118.4, 30.7, 12.0]}},
    {"type": "Feature", "properties": {}, "geometry": {"type": "GeometryCollection", "geometries": [{"type": "LineString", "coordinates": [[1, 2], [3, 4]]}]}},
    {"type": "Feature", "properties": {}, "geometry": None},
]
put("geojson", "grids.geojson", json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
put("geojson", "legacy_crs.geojson", json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4548"}},
    "features": [{"type": "Feature", "properties": {}, "geometry": json.loads(ogr.CreateGeometryFromWkt(MULTI).ExportToJson())}]}))
put("geojson", "bare_geometry.geojson", '{"type":"Polygon","coordinates":[[[118.4,30.7],[118.41,30.7],[118.41,30.71],[118.4,30.7]]]}')

# CSV
lines = open(os.path.join(ROOT, "sample-maps", "jingxian-divisions.csv"), encoding="utf-8").read().splitlines()[:12]
put("csv", "divisions.csv", "\n".join(lines) + "\n")
put("csv", "households.csv", "\ufefflon,lat,households,population\n118.40,30.70,3,9\n118.41,30.71,1,\n")
put("csv", "xy.csv", "x,y,户数\n620000.5,3385000.25,2\n")
put("csv", "gbk.csv", "经度,纬度,户数\n118.4,30.7,1\n".encode("gbk"))
put("csv", "grids_attrs.csv", 'code,name,parent_code,class\n341823100001,"城南, 居委会",341823100,城市\n')

# CRS WKT
for code in (4548, 4490, 4326, 3857, 32650, 4527, 4498):
    put("wkt", f"epsg{code}.prj", srs(code).ExportToWkt())
s = srs(4548); s.MorphToESRI(); put("wkt", "esri4548.prj", s.ExportToWkt())
put("wkt", "wkt2_4549.prj", srs(4549).ExportToWkt(["FORMAT=WKT2_2019"]))
put("wkt", "chinese_name.prj", 'PROJCS["CGCS2000 3度带 117E",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["central_meridian",117],PARAMETER["scale_factor",1],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1]]')
put("wkt", "tokyo.prj", open(os.path.join(ROOT, "tests", "fixtures", "libpysal", "tokyomet262.prj"), "rb").read())

# GeoPackage geometry blobs and bare WKB
def gp(wkb, srs_id=4548, envelope=None):
    flags = 1 | (2 if envelope else 0)
    out = b"GP" + bytes([0, flags]) + struct.pack("<i", srs_id)
    if envelope:
        out += struct.pack("<4d", *envelope)
    return out + wkb
for name, wkt in [("polygon_hole", SQUARE), ("multipolygon", MULTI), ("point", POINT),
                  ("collection", "GEOMETRYCOLLECTION (POINT (1 2), GEOMETRYCOLLECTION (LINESTRING (1 2, 3 4)))"),
                  ("multipoint", "MULTIPOINT ((1 2), (3 4))"), ("multiline", "MULTILINESTRING ((1 2, 3 4))")]:
    g = ogr.CreateGeometryFromWkt(wkt)
    put("gpkg_blob", name + ".gpb", gp(bytes(g.ExportToIsoWkb(ogr.wkbNDR))))
    put("gpkg_blob", name + "_be.wkb", bytes(g.ExportToIsoWkb(ogr.wkbXDR)))
z = ogr.CreateGeometryFromWkt("MULTIPOLYGON Z (((620000 3385000 1, 621000 3385000 1, 621000 3386000 1, 620000 3385000 1)))")
put("gpkg_blob", "multipolygon_z.gpb", gp(bytes(z.ExportToIsoWkb(ogr.wkbNDR)), envelope=(620000, 621000, 3385000, 3386000)))
con = sqlite3.connect(os.path.join(ROOT, "sample-maps", "jingxian.gpkg"))
for (i, (blob,)) in enumerate(con.execute("SELECT geom FROM divisions WHERE geom IS NOT NULL AND length(geom) < 4000 LIMIT 2")):
    put("gpkg_blob", f"sample_division{i}.gpb", bytes(blob))

# Shapefiles: .shp + .dbf + .prj joined (two u32 lengths, then the parts; see io::untrusted)
def shapefile(name, geoms, fields, epsg):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, name + ".shp")
        ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(path)
        layer = ds.CreateLayer(name, srs(epsg) if epsg else None, ogr.wkbUnknown, ["ENCODING=UTF-8"])
        for fname, ftype in fields:
            layer.CreateField(ogr.FieldDefn(fname, ftype))
        for wkt, values in geoms:
            f = ogr.Feature(layer.GetLayerDefn()); f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
            for k, v in values.items():
                f.SetField(k, v)
            layer.CreateFeature(f)
        ds = None
        parts = [open(os.path.join(d, name + ext), "rb").read() if os.path.exists(os.path.join(d, name + ext)) else b""
                 for ext in (".shp", ".dbf", ".prj")]
    out = struct.pack("<II", len(parts[0]), len(parts[1])) + parts[0] + parts[1] + parts[2]
    put("shapefile", name + ".bin", out)
shapefile("grids", [(MULTI, {"code": "341823100001001", "name": "城南", "hh": 3}),
                    ("POLYGON ((620000 3385000, 620000 3386000, 621000 3386000, 620000 3385000))", {"code": "2", "name": "b", "hh": 0})],
          [("code", ogr.OFTString), ("name", ogr.OFTString), ("hh", ogr.OFTInteger)], 4548)
shapefile("households", [(POINT, {"hh": 2, "pop": 5.5})], [("hh", ogr.OFTInteger), ("pop", ogr.OFTReal)], 4490)
shapefile("noprj", [(SQUARE, {"n": "x"})], [("n", ogr.OFTString)], None)
