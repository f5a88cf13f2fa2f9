//! Fixes for coverage findings, each computed as a preview (the new geometries) and never applied
//! silently: the caller shows it, applies it as an undoable edit, and re-checks. Only fixes with one
//! reasonable outcome are marked `safe` (what `wangge fix --all-safe` applies). The boundary is never
//! changed.

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{Area, BooleanOps, Coord, Geometry, Line, LineString, MultiPolygon, Polygon};

use super::predicates::orient;
use super::snap::prepare;
use super::{Checker, Detail, Finding, FindingKind};

/// Gaps narrower than this (in CRS units, after scaling for degrees) are slivers that join a neighbour
/// safely; wider ones are missing grids a person must decide about.
pub const SAFE_SLIVER_WIDTH_M: f64 = 1.0;

#[derive(Clone, Debug, PartialEq)]
pub enum FixKind {
    /// Join a gap to the neighbour with the longest shared border.
    JoinGap { into: usize },
    /// Make a gap a grid of its own.
    NewGrid,
    /// Subtract an overlap from one of the two grids.
    SubtractOverlap { from: usize },
    /// Insert, on both sides, the vertices each grid lacks where the other has one on their shared edge.
    InsertVertices,
    /// Clip a grid to the boundary.
    ClipToBoundary { item: usize },
    /// Rebuild an invalid polygon from its outline.
    Repair { item: usize },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    pub kind: FixKind,
    /// New geometries of existing items.
    pub changes: Vec<(usize, MultiPolygon<f64>)>,
    /// Geometries of items to add (a gap made a new grid).
    pub new_items: Vec<MultiPolygon<f64>>,
    /// True when the outcome is unambiguous (applied by `--all-safe`).
    pub safe: bool,
}

/// The fixes a finding offers, computed against the checker's current geometry.
pub fn fixes_for(checker: &Checker, finding: &Finding) -> Vec<Fix> {
    let p = checker.options().precision;
    let geometry = |g: &Geometry<f64>| match g {
        Geometry::MultiPolygon(mp) => Some(mp.clone()),
        Geometry::Polygon(p) => Some(MultiPolygon(vec![p.clone()])),
        _ => None,
    };
    let item = |i: usize| checker.geometry(i).cloned().unwrap_or(MultiPolygon(Vec::new()));
    let mut out = Vec::new();
    match (&finding.kind, &finding.detail) {
        (FindingKind::Gap, _) => {
            let Some(gap) = geometry(&finding.geometry) else { return out };
            if let Some((into, _)) = longest_border(checker, &gap, &finding.items) {
                let joined = prepare(item(into).union(&gap), p);
                let sliver = finding.width.is_some_and(|w| w < SAFE_SLIVER_WIDTH_M);
                out.push(Fix {
                    kind: FixKind::JoinGap { into },
                    changes: vec![(into, joined)],
                    new_items: vec![],
                    safe: sliver,
                });
            }
            out.push(Fix { kind: FixKind::NewGrid, changes: vec![], new_items: vec![prepare(gap, p)], safe: false });
        }
        (FindingKind::Overlap, _) => {
            for &from in &finding.items {
                let Some(&other) = finding.items.iter().find(|&&o| o != from) else { continue };
                let rest = prepare(item(from).difference(&item(other)), p);
                out.push(Fix {
                    kind: FixKind::SubtractOverlap { from },
                    changes: vec![(from, rest)],
                    new_items: vec![],
                    safe: false,
                });
            }
        }
        (FindingKind::EdgeMismatch, Detail::EdgeMismatch { .. }) if finding.items.len() == 2 => {
            let (a, b) = (finding.items[0], finding.items[1]);
            let (ga, gb) = (item(a), item(b));
            let (na, added_a) = insert_vertices(&ga, &gb);
            let (nb, added_b) = insert_vertices(&gb, &ga);
            if added_a + added_b > 0 {
                let changes: Vec<(usize, MultiPolygon<f64>)> =
                    [(a, na, added_a), (b, nb, added_b)].into_iter().filter(|c| c.2 > 0).map(|c| (c.0, c.1)).collect();
                out.push(Fix { kind: FixKind::InsertVertices, changes, new_items: vec![], safe: true });
            }
        }
        (FindingKind::Outside, _) => {
            if let Some(boundary) = checker.boundary() {
                for &i in &finding.items {
                    let clipped = prepare(item(i).intersection(boundary), p);
                    out.push(Fix {
                        kind: FixKind::ClipToBoundary { item: i },
                        changes: vec![(i, clipped)],
                        new_items: vec![],
                        safe: true,
                    });
                }
            }
        }
        (FindingKind::Invalid, _) => {
            let i = finding.items[0];
            let repaired = prepare(geo::unary_union(&item(i).0), p);
            if !repaired.0.is_empty() {
                // One polygon keeps the grid's meaning; several parts need a person to decide.
                let safe = repaired.0.len() == 1 && repaired.0[0].unsigned_area() > 0.0;
                out.push(Fix {
                    kind: FixKind::Repair { item: i },
                    changes: vec![(i, repaired)],
                    new_items: vec![],
                    safe,
                });
            }
        }
        _ => {}
    }
    out
}

/// The neighbour (among `candidates`) sharing the longest border with `gap`, and that length.
fn longest_border(checker: &Checker, gap: &MultiPolygon<f64>, candidates: &[usize]) -> Option<(usize, f64)> {
    let tolerance = checker.options().precision.max(1e-9);
    let mut best: Option<(usize, f64)> = None;
    for &c in candidates {
        let Some(g) = checker.geometry(c) else { continue };
        let mut shared = 0.0;
        for polygon in &gap.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                for line in ring.lines() {
                    let mid = Coord { x: (line.start.x + line.end.x) / 2.0, y: (line.start.y + line.end.y) / 2.0 };
                    if on_boundary(g, mid, tolerance) {
                        shared += line_length(line);
                    }
                }
            }
        }
        if shared > 0.0 && best.is_none_or(|(_, b)| shared > b) {
            best = Some((c, shared));
        }
    }
    best
}

fn line_length(l: Line<f64>) -> f64 {
    (l.end.x - l.start.x).hypot(l.end.y - l.start.y)
}

fn on_boundary(g: &MultiPolygon<f64>, p: Coord<f64>, tolerance: f64) -> bool {
    g.0.iter().any(|polygon| {
        polygon.coordinate_position(&p) == CoordPos::OnBoundary
            || std::iter::once(polygon.exterior()).chain(polygon.interiors()).any(|ring| {
                ring.lines()
                    .any(|l| geo::Distance::distance(&geo::Euclidean, &Geometry::Line(l), &geo::Point(p)) <= tolerance)
            })
    })
}

/// Inserts into `target`'s rings every vertex of `other` that lies inside one of `target`'s segments.
fn insert_vertices(target: &MultiPolygon<f64>, other: &MultiPolygon<f64>) -> (MultiPolygon<f64>, usize) {
    let vertices: Vec<Coord<f64>> = other
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()).flat_map(|r| r.0.iter().copied()))
        .collect();
    let mut added = 0;
    let fix_ring = |ring: &LineString<f64>, added: &mut usize| -> LineString<f64> {
        let mut out = Vec::with_capacity(ring.0.len());
        for w in ring.0.windows(2) {
            let (a, b) = (w[0], w[1]);
            out.push(a);
            let mut on: Vec<Coord<f64>> =
                vertices.iter().copied().filter(|&v| v != a && v != b && strictly_between(a, b, v)).collect();
            let along = |v: &Coord<f64>| (v.x - a.x) * (b.x - a.x) + (v.y - a.y) * (b.y - a.y);
            on.sort_by(|p, q| along(p).total_cmp(&along(q)));
            on.dedup();
            *added += on.len();
            out.extend(on);
        }
        out.extend(ring.0.last().copied());
        LineString(out)
    };
    let polygons = target
        .0
        .iter()
        .map(|p| {
            let exterior = fix_ring(p.exterior(), &mut added);
            let interiors = p.interiors().iter().map(|r| fix_ring(r, &mut added)).collect();
            Polygon::new(exterior, interiors)
        })
        .collect();
    (MultiPolygon(polygons), added)
}

/// `v` lies exactly on segment a–b, strictly between its ends.
fn strictly_between(a: Coord<f64>, b: Coord<f64>, v: Coord<f64>) -> bool {
    orient(a, b, v) == geo::algorithm::kernels::Orientation::Collinear
        && v.x >= a.x.min(b.x)
        && v.x <= a.x.max(b.x)
        && v.y >= a.y.min(b.y)
        && v.y <= a.y.max(b.y)
}

/// Applies every safe fix, one at a time with a re-check after each (a fix changes what the next one
/// sees), at most `limit` times. Returns the fixes applied, in order.
pub fn apply_safe_fixes(checker: &mut Checker, limit: usize) -> Vec<(Finding, Fix)> {
    let mut applied = Vec::new();
    let mut tried: Vec<Finding> = Vec::new();
    while applied.len() < limit {
        let report = checker.report();
        let next = report
            .findings
            .iter()
            .filter(|f| !tried.contains(f))
            .find_map(|f| fixes_for(checker, f).into_iter().find(|fix| fix.safe).map(|fix| (f.clone(), fix)));
        let Some((finding, fix)) = next else { break };
        tried.push(finding.clone());
        let mut changes = fix.changes.clone();
        let n = checker.len();
        changes.extend(fix.new_items.iter().cloned().enumerate().map(|(k, g)| (n + k, g)));
        checker.update(changes);
        applied.push((finding, fix));
    }
    applied
}
