//! Wangge's partition of GIVEN units, for `bench/compare_spopt.py` (BENCHMARKS.md, issue 15): the same
//! polygons and counts that spopt's max-p and SKATER get, instead of the units `wangge partition` cuts
//! itself. Reads a GeoJSON FeatureCollection of unit polygons (planar coordinates in metres) whose
//! properties hold `count` (households) and `neighbours` (`[[index, shared boundary in m], …]`, the
//! rook adjacency the script computed once for all three methods), builds the core's atom graph from
//! them and partitions it with the core's own split → repair → improve. Prints one JSON object: the
//! region of each unit and the seconds taken (graph and partition; not reading or writing).
//!
//! `cargo run --release --no-default-features --example partition_units -- UNITS.geojson MIN..MAX [GRIDS] [SEED]`

use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use wangge::core::partition::{Band, Graph, Shared, partition_graph};

/// Area and perimeter of a GeoJSON Polygon's or MultiPolygon's rings (shoelace; holes subtract).
fn measure(geometry: &Value) -> anyhow::Result<(f64, f64)> {
    let kind = geometry["type"].as_str().unwrap_or_default();
    let polygons: Vec<&Value> = match kind {
        "Polygon" => vec![&geometry["coordinates"]],
        "MultiPolygon" => {
            geometry["coordinates"].as_array().context("MultiPolygon without coordinates")?.iter().collect()
        }
        other => bail!("a unit must be a Polygon or MultiPolygon, not {other:?}"),
    };
    let (mut area, mut perimeter) = (0.0, 0.0);
    for polygon in polygons {
        for (i, ring) in polygon.as_array().context("a polygon without rings")?.iter().enumerate() {
            let points: Vec<(f64, f64)> = ring
                .as_array()
                .context("a ring without positions")?
                .iter()
                .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                .collect();
            let Some(&(ox, oy)) = points.first() else { continue };
            let mut twice = 0.0;
            for w in points.windows(2) {
                twice += (w[0].0 - ox) * (w[1].1 - oy) - (w[1].0 - ox) * (w[0].1 - oy);
                perimeter += (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1);
            }
            area += if i == 0 { twice.abs() / 2.0 } else { -twice.abs() / 2.0 };
        }
    }
    Ok((area, perimeter))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(path), Some(band)) = (args.first(), args.get(1)) else {
        bail!("usage: partition_units UNITS.geojson MIN..MAX [GRIDS] [SEED]");
    };
    let (min, max) = band.split_once("..").context("the band is MIN..MAX")?;
    let band = Band { min: min.trim().parse()?, max: max.trim().parse()? };
    let grids: Option<usize> = match args.get(2).map(String::as_str) {
        None | Some("auto") => None,
        Some(n) => Some(n.parse()?),
    };
    let seed: u64 = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(1);
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let doc: Value = serde_json::from_str(&text)?;
    let features = doc["features"].as_array().context("not a FeatureCollection")?;
    let mut weight = Vec::with_capacity(features.len());
    let mut area = Vec::with_capacity(features.len());
    let mut perimeter = Vec::with_capacity(features.len());
    let mut shared = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let (a, p) = measure(&f["geometry"]).with_context(|| format!("unit {i}"))?;
        area.push(a);
        perimeter.push(p);
        let count = f["properties"]["count"].as_f64().with_context(|| format!("unit {i} has no count"))?;
        weight.push(count.max(0.0).round() as u64);
        for n in f["properties"]["neighbours"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let (Some(j), Some(length)) = (n.get(0).and_then(Value::as_u64), n.get(1).and_then(Value::as_f64)) else {
                bail!("unit {i}: a neighbour is [index, shared length]");
            };
            if (j as usize) > i {
                shared.push(((i, j as usize), Shared { length_m: length, along_m: 0.0 }));
            }
        }
    }
    let started = Instant::now();
    let graph = Graph::from_atoms(weight, area, perimeter, shared);
    let mut reasons = Vec::new();
    let (part, parts) = partition_graph(&graph, band, grids, seed, &mut reasons);
    let seconds = started.elapsed().as_secs_f64();
    println!("{}", json!({"labels": part, "regions": parts, "seconds": seconds, "reasons": format!("{reasons:?}")}));
    Ok(())
}
