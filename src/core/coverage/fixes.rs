//! Fixes for coverage findings, each computed as a preview (the new geometries) and never applied
//! silently: the caller shows it, applies it as an undoable edit, and re-checks. Only fixes with one
//! reasonable outcome are marked `safe` (what `wangge fix --all-safe` applies). The boundary is never
//! changed.

use geo::algorithm::bool_ops::FillRule;
use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{Area, BooleanOps, Coord, Geometry, Line, LineString, MultiPolygon, Polygon};

use super::precision::prepare;
use super::predicates::orient;
use super::{Checker, Detail, Finding, FindingKind, Report};

/// Gaps narrower than this (in CRS units, after scaling for degrees) are slivers that join a neighbour
/// safely; wider ones are missing grids a person must decide about.
pub const SAFE_SLIVER_WIDTH_M: f64 = 1.0;

#[derive(Clone, Debug, PartialEq)]
pub enum FixKind {
    /// Join a gap to the neighbour with the longest shared border.
    JoinGap { into: usize },
    /// Make a gap a grid of its own.
    NewGrid,
    /// Give an area claimed by several grids to one of them: the others lose what they share with it.
    GiveOverlapTo { item: usize },
    /// Insert, on both sides, the vertices each grid lacks where the other has one on their shared edge.
    InsertVertices,
    /// Clip grids to the boundary (each keeps what lies inside).
    ClipToBoundary { items: Vec<usize> },
    /// Rebuild an invalid polygon from its outline.
    Repair { item: usize },
    /// Delete a grid: a copy of another, one with nothing inside the boundary, one lying inside others,
    /// one with no polygon left.
    DeleteGrid { item: usize },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    pub kind: FixKind,
    /// New geometries of existing items (never empty: a grid that would lose everything is deleted).
    pub changes: Vec<(usize, MultiPolygon<f64>)>,
    /// Geometries of items to add (a gap made a new grid).
    pub new_items: Vec<MultiPolygon<f64>>,
    /// Items to delete.
    pub removed: Vec<usize>,
    /// True when the outcome is unambiguous and the re-check after it has strictly fewer findings and
    /// none of a kind more often than before (applied by `--all-safe`). [`fixes_for`] proposes; only
    /// [`checked_fixes_for`] and [`apply_safe_fixes`] prove it by trying.
    pub safe: bool,
}

impl Fix {
    fn change(kind: FixKind, changes: Vec<(usize, MultiPolygon<f64>)>, safe: bool) -> Fix {
        Fix { kind, changes, new_items: vec![], removed: vec![], safe }
    }

    fn delete(item: usize) -> Fix {
        Fix { kind: FixKind::DeleteGrid { item }, changes: vec![], new_items: vec![], removed: vec![item], safe: false }
    }
}

/// A geometry with no area worth keeping: what is left of a grid after a clip or a subtraction.
fn is_nothing(checker: &Checker, g: &MultiPolygon<f64>) -> bool {
    checker.significant(g.clone()).0.is_empty()
}

/// The fixes a finding offers, computed against the checker's current geometry; `safe` is a proposal
/// (see [`checked_fixes_for`]).
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
                out.push(Fix::change(FixKind::JoinGap { into }, vec![(into, joined)], sliver));
            }
            out.push(Fix {
                kind: FixKind::NewGrid,
                changes: vec![],
                new_items: vec![prepare(gap, p)],
                removed: vec![],
                safe: false,
            });
        }
        (FindingKind::Overlap, _) => {
            let mut covered: Vec<usize> = Vec::new();
            for &keep in &finding.items {
                let kept = item(keep);
                let mut changes = Vec::new();
                let mut empties = false;
                for &other in finding.items.iter().filter(|&&o| o != keep) {
                    let rest = prepare(item(other).difference(&kept), p);
                    if is_nothing(checker, &rest) {
                        // The other grid lies inside this one: giving the area away would leave it
                        // empty; deleting it is offered instead.
                        empties = true;
                        if !covered.contains(&other) {
                            covered.push(other);
                        }
                    } else {
                        changes.push((other, rest));
                    }
                }
                if !empties && !changes.is_empty() {
                    out.push(Fix::change(FixKind::GiveOverlapTo { item: keep }, changes, false));
                }
            }
            // A grid lying inside the others first; then any grid of the group, which may be the
            // mistake (an outline imported as a grid).
            out.extend(covered.iter().map(|&i| Fix::delete(i)));
            out.extend(finding.items.iter().filter(|i| !covered.contains(i)).map(|&i| Fix::delete(i)));
        }
        (FindingKind::Duplicate, _) => out.extend(finding.items.iter().map(|&i| Fix::delete(i))),
        (FindingKind::EdgeMismatch, Detail::EdgeMismatch { .. }) if finding.items.len() == 2 => {
            let (a, b) = (finding.items[0], finding.items[1]);
            let (ga, gb) = (item(a), item(b));
            let (na, added_a) = insert_vertices(&ga, &gb);
            let (nb, added_b) = insert_vertices(&gb, &ga);
            if added_a + added_b > 0 {
                let changes: Vec<(usize, MultiPolygon<f64>)> =
                    [(a, na, added_a), (b, nb, added_b)].into_iter().filter(|c| c.2 > 0).map(|c| (c.0, c.1)).collect();
                out.push(Fix::change(FixKind::InsertVertices, changes, true));
            }
        }
        (FindingKind::Outside, _) => {
            if let Some(boundary) = checker.boundary() {
                let mut changes = Vec::new();
                for &i in &finding.items {
                    let clipped = prepare(item(i).intersection(boundary), p);
                    if is_nothing(checker, &clipped) {
                        // Nothing of it lies inside: a clip would leave an empty grid.
                        out.push(Fix::delete(i));
                    } else {
                        changes.push((i, clipped));
                    }
                }
                if !changes.is_empty() {
                    let items = changes.iter().map(|c| c.0).collect();
                    // Clipping only some of the grids that share the outside part leaves it there.
                    let safe = out.is_empty();
                    out.insert(0, Fix::change(FixKind::ClipToBoundary { items }, changes, safe));
                }
            }
        }
        (FindingKind::Invalid, _) => {
            let i = finding.items[0];
            // Every loop of the rings counts, whatever its direction (a bow tie keeps both halves).
            let repaired = prepare(item(i).union_with_fill_rule(&MultiPolygon(vec![]), FillRule::NonZero), p);
            if is_nothing(checker, &repaired) {
                out.push(Fix::delete(i));
            } else {
                // One polygon keeps the grid's meaning; several parts need a person to decide.
                let safe = repaired.0.len() == 1 && repaired.0[0].unsigned_area() > 0.0;
                out.push(Fix::change(FixKind::Repair { item: i }, vec![(i, repaired)], safe));
            }
        }
        _ => {}
    }
    out
}

/// Whether `after` is a strict improvement on `before`: fewer findings, and no kind more often.
pub fn improves(before: &Report, after: &Report) -> bool {
    after.findings.len() < before.findings.len() && FindingKind::ALL.iter().all(|&k| after.count(k) <= before.count(k))
}

/// Applies a fix to the checker; returns what undoes it (items added by the fix are not undone).
fn apply(checker: &mut Checker, fix: &Fix) -> Vec<(usize, MultiPolygon<f64>)> {
    let mut undo = Vec::new();
    for (i, _) in &fix.changes {
        undo.extend(checker.geometry(*i).map(|g| (*i, g.clone())));
    }
    for &i in &fix.removed {
        undo.extend(checker.geometry(i).map(|g| (i, g.clone())));
    }
    let mut changes = fix.changes.clone();
    let n = checker.len();
    changes.extend(fix.new_items.iter().cloned().enumerate().map(|(k, g)| (n + k, g)));
    checker.update(changes);
    if !fix.removed.is_empty() {
        checker.remove(&fix.removed);
    }
    undo
}

/// Tries a fix and undoes it: whether it improves the report.
fn try_fix(checker: &mut Checker, fix: &Fix, before: &Report) -> bool {
    if !fix.new_items.is_empty() {
        return false;
    }
    let undo = apply(checker, fix);
    let better = improves(before, &checker.report());
    checker.update(undo);
    better
}

/// The fixes a finding offers, each proposed safe fix tried on the checker (and undone): it stays
/// safe only if the re-check after it has strictly fewer findings and no kind more often.
pub fn checked_fixes_for(checker: &mut Checker, finding: &Finding) -> Vec<Fix> {
    let mut fixes = fixes_for(checker, finding);
    if fixes.iter().any(|f| f.safe) {
        let before = checker.report();
        for fix in fixes.iter_mut().filter(|f| f.safe) {
            fix.safe = try_fix(checker, fix, &before);
        }
    }
    fixes
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
/// sees), at most `limit` times: a proposed safe fix whose re-check is not a strict improvement is
/// undone and not counted. Returns the fixes applied, in order.
pub fn apply_safe_fixes(checker: &mut Checker, limit: usize) -> Vec<(Finding, Fix)> {
    let mut applied = Vec::new();
    let mut tried: Vec<Finding> = Vec::new();
    let mut report = checker.report();
    'search: while applied.len() < limit {
        let next = report.findings.iter().filter(|f| !tried.contains(f)).find_map(|f| {
            let safe: Vec<Fix> =
                fixes_for(checker, f).into_iter().filter(|fix| fix.safe && fix.new_items.is_empty()).collect();
            (!safe.is_empty()).then(|| (f.clone(), safe))
        });
        let Some((finding, fixes)) = next else { break };
        tried.push(finding.clone());
        for fix in fixes {
            let undo = apply(checker, &fix);
            let after = checker.report();
            if improves(&report, &after) {
                report = after;
                applied.push((finding, fix));
                continue 'search;
            }
            checker.update(undo);
        }
    }
    applied
}

#[cfg(test)]
mod tests {
    use geo::{MultiPolygon, polygon};

    use super::*;
    use crate::core::coverage::{CoverageOptions, InvalidProblem, Village};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)]])
    }

    struct Case {
        name: &'static str,
        items: Vec<MultiPolygon<f64>>,
        boundary: Option<MultiPolygon<f64>>,
        villages: Vec<Village>,
        /// The finding kind looked at, and the fixes (kind, safe) it must offer, in order.
        kind: FindingKind,
        expected: Vec<(FixKind, bool)>,
    }

    fn case(name: &'static str, items: Vec<MultiPolygon<f64>>, boundary: Option<MultiPolygon<f64>>) -> Case {
        Case { name, items, boundary, villages: vec![], kind: FindingKind::Note, expected: vec![] }
    }

    impl Case {
        fn expect(mut self, kind: FindingKind, expected: Vec<(FixKind, bool)>) -> Case {
            self.kind = kind;
            self.expected = expected;
            self
        }

        fn checker(&self, items: Vec<MultiPolygon<f64>>) -> Checker {
            Checker::new(items, self.boundary.clone(), self.villages.clone(), CoverageOptions::planar())
        }

        /// The report of a fresh check of the items after the fix.
        fn after(&self, fix: &Fix) -> Report {
            let mut items = self.items.clone();
            for (i, g) in &fix.changes {
                items[*i] = g.clone();
            }
            items.extend(fix.new_items.iter().cloned());
            let items: Vec<_> =
                items.into_iter().enumerate().filter(|(i, _)| !fix.removed.contains(i)).map(|(_, g)| g).collect();
            self.checker(items).report()
        }
    }

    fn bow_tie() -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 100., y: 100.), (x: 100., y: 0.), (x: 0., y: 100.)]])
    }

    /// A square whose ring runs twice through one corner region: valid after a union into one polygon.
    fn doubled_back() -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: 0., y: 0.), (x: 100., y: 0.), (x: 100., y: 100.), (x: 0., y: 100.), (x: 0., y: 50.),
            (x: 0., y: 60.), (x: 0., y: 40.)
        ]])
    }

    fn cases() -> Vec<Case> {
        let area = rect(0.0, 0.0, 200.0, 100.0);
        let mut village_case = case("grid across two villages", vec![rect(0.0, 0.0, 200.0, 100.0)], None);
        village_case.villages = vec![
            Village { code: "341823100001".into(), polygon: rect(0.0, 0.0, 100.0, 100.0) },
            Village { code: "341823100002".into(), polygon: rect(100.0, 0.0, 200.0, 100.0) },
        ];
        let mut no_village = case("grid in no village", vec![rect(0.0, 0.0, 100.0, 100.0)], None);
        no_village.villages = vec![Village { code: "341823100001".into(), polygon: rect(300.0, 0.0, 400.0, 100.0) }];
        vec![
            case("sliver between two grids", vec![rect(0.0, 0.0, 99.5, 100.0), rect(100.0, 0.0, 200.0, 100.0)], Some(area.clone()))
                .expect(FindingKind::Gap, vec![(FixKind::JoinGap { into: 0 }, true), (FixKind::NewGrid, false)]),
            case("a missing grid", vec![rect(0.0, 0.0, 100.0, 100.0)], Some(area.clone()))
                .expect(FindingKind::Gap, vec![(FixKind::JoinGap { into: 0 }, false), (FixKind::NewGrid, false)]),
            case("two grids overlapping", vec![rect(0.0, 0.0, 120.0, 100.0), rect(100.0, 0.0, 200.0, 100.0)], Some(area.clone()))
                .expect(
                    FindingKind::Overlap,
                    vec![
                        (FixKind::GiveOverlapTo { item: 0 }, false),
                        (FixKind::GiveOverlapTo { item: 1 }, false),
                        (FixKind::DeleteGrid { item: 0 }, false),
                        (FixKind::DeleteGrid { item: 1 }, false),
                    ],
                ),
            case("a grid inside another", vec![rect(0.0, 0.0, 200.0, 100.0), rect(20.0, 20.0, 60.0, 60.0)], None)
                .expect(
                    FindingKind::Overlap,
                    vec![
                        (FixKind::GiveOverlapTo { item: 1 }, false),
                        (FixKind::DeleteGrid { item: 1 }, false),
                        (FixKind::DeleteGrid { item: 0 }, false),
                    ],
                ),
            case("copies of a grid", vec![rect(0.0, 0.0, 100.0, 100.0), rect(0.0, 0.0, 100.0, 100.0)], None).expect(
                FindingKind::Duplicate,
                vec![(FixKind::DeleteGrid { item: 0 }, false), (FixKind::DeleteGrid { item: 1 }, false)],
            ),
            case("a grid partly outside", vec![rect(0.0, 0.0, 100.0, 120.0), rect(100.0, 0.0, 200.0, 100.0)], Some(area.clone()))
                .expect(FindingKind::Outside, vec![(FixKind::ClipToBoundary { items: vec![0] }, true)]),
            case(
                "two grids sharing an outside part",
                vec![rect(0.0, 0.0, 100.0, 120.0), rect(100.0, 0.0, 200.0, 120.0)],
                Some(area.clone()),
            )
            .expect(FindingKind::Outside, vec![(FixKind::ClipToBoundary { items: vec![0, 1] }, true)]),
            case(
                "a grid wholly outside",
                vec![rect(0.0, 0.0, 100.0, 100.0), rect(100.0, 0.0, 200.0, 100.0), rect(300.0, 0.0, 400.0, 100.0)],
                Some(area.clone()),
            )
            .expect(FindingKind::Outside, vec![(FixKind::DeleteGrid { item: 2 }, false)]),
            case(
                "a vertex on the neighbour's edge",
                vec![
                    MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 100., y: 0.), (x: 100., y: 50.), (x: 100., y: 100.), (x: 0., y: 100.)]]),
                    rect(100.0, 0.0, 200.0, 100.0),
                ],
                Some(area.clone()),
            )
            .expect(FindingKind::EdgeMismatch, vec![(FixKind::InsertVertices, true)]),
            case("a bow tie", vec![bow_tie()], None)
                .expect(FindingKind::Invalid, vec![(FixKind::Repair { item: 0 }, false)]),
            case("a ring that doubles back", vec![doubled_back()], None)
                .expect(FindingKind::Invalid, vec![(FixKind::Repair { item: 0 }, true)]),
            case("a grid with no polygon", vec![rect(0.0, 0.0, 100.0, 100.0), MultiPolygon(vec![])], None)
                .expect(FindingKind::Invalid, vec![(FixKind::DeleteGrid { item: 1 }, false)]),
            village_case.expect(FindingKind::VillageCrossing, vec![]),
            no_village.expect(FindingKind::NoVillage, vec![]),
            case("a grid in two parts", vec![MultiPolygon(vec![rect(0.0, 0.0, 10.0, 10.0).0[0].clone(), rect(20.0, 0.0, 30.0, 10.0).0[0].clone()])], None)
                .expect(FindingKind::Note, vec![]),
        ]
    }

    /// Every fix kind on every finding kind: what each finding offers, and that a fix marked safe
    /// leaves strictly fewer findings and no kind more often — on a fresh check, not only on the
    /// incremental one it was proven on — while no fix ever leaves a grid empty.
    #[test]
    fn every_fix_on_every_finding_kind() {
        let mut kinds_seen = std::collections::BTreeSet::new();
        let mut fixes_seen = std::collections::HashSet::new();
        for case in cases() {
            let mut checker = case.checker(case.items.clone());
            let before = checker.report();
            let finding = before
                .findings
                .iter()
                .find(|f| f.kind == case.kind)
                .unwrap_or_else(|| panic!("{}: no {:?} in {:?}", case.name, case.kind, before.findings));
            kinds_seen.insert(case.kind);
            let fixes = checked_fixes_for(&mut checker, finding);
            assert_eq!(checker.report(), before, "{}: trying the fixes changed the checker", case.name);
            let offered: Vec<(FixKind, bool)> = fixes.iter().map(|f| (f.kind.clone(), f.safe)).collect();
            assert_eq!(offered, case.expected, "{}", case.name);
            for fix in &fixes {
                fixes_seen.insert(std::mem::discriminant(&fix.kind));
                for (i, g) in &fix.changes {
                    assert!(
                        !g.0.is_empty() && g.unsigned_area() > 0.0,
                        "{}: {:?} empties grid {i}",
                        case.name,
                        fix.kind
                    );
                }
                let after = case.after(fix);
                let empty = after
                    .findings
                    .iter()
                    .any(|f| matches!(&f.detail, Detail::Invalid(r) if r.problem == InvalidProblem::NoPolygon));
                assert!(!empty, "{}: {:?} leaves an empty grid", case.name, fix.kind);
                if fix.safe {
                    assert!(improves(&before, &after), "{}: safe {:?} gives {:?}", case.name, fix.kind, after.findings);
                }
            }
            // The safe ones are what --all-safe applies, and it ends better than it started.
            let mut checker = case.checker(case.items.clone());
            let applied = apply_safe_fixes(&mut checker, 10);
            assert_eq!(applied.len(), fixes.iter().filter(|f| f.safe).count().min(1), "{}", case.name);
            if !applied.is_empty() {
                assert!(improves(&before, &checker.report()), "{}", case.name);
            }
        }
        assert_eq!(kinds_seen.len(), FindingKind::ALL.len(), "a finding kind has no case: {kinds_seen:?}");
        assert_eq!(fixes_seen.len(), 7, "a fix kind is never offered");
    }
}
