//! The editing tools as state machines, driven by clicks in map coordinates with no window: snapping,
//! avoid-overlap, fill, split, merge and topological vertex editing — each result checked by the
//! coverage checker and undone through the history.

use std::collections::BTreeSet;

use geo::{Area, Coord, MultiPolygon, polygon};
use wangge::core::coverage::{Checker, CoverageOptions, FindingKind, Report};
use wangge::core::edit::{EditFailure, History, SpatialIndex, StepKind};
use wangge::core::tools::{Notice, Tool, ToolContext, ToolEvent, ToolKey, ToolKind, ToolOutcome};
use wangge::core::{Grid, GridId, Project};
use wangge::io::crs::crs_from_epsg;

const X0: f64 = 620_000.0;
const Y0: f64 = 3_385_000.0;

fn at(x: f64, y: f64) -> Coord<f64> {
    Coord { x: X0 + x, y: Y0 + y }
}

/// A 30 m × 10 m township (in a real GK zone) with one 10 m × 10 m grid at its west end.
fn township() -> Project {
    let mut p = Project::new("t", crs_from_epsg(4548).unwrap());
    let o = at(0.0, 0.0);
    p.boundary = MultiPolygon(vec![polygon![
        (x: o.x, y: o.y), (x: o.x + 30.0, y: o.y), (x: o.x + 30.0, y: o.y + 10.0), (x: o.x, y: o.y + 10.0)
    ]]);
    p.add_grid(Grid::new(MultiPolygon(vec![polygon![
        (x: o.x, y: o.y), (x: o.x + 10.0, y: o.y), (x: o.x + 10.0, y: o.y + 10.0), (x: o.x, y: o.y + 10.0)
    ]])));
    p
}

struct Session {
    project: Project,
    history: History,
    selection: BTreeSet<GridId>,
    tool: Tool,
    notices: Vec<Option<Notice>>,
}

impl Session {
    fn new(project: Project, kind: ToolKind) -> Session {
        Session {
            project,
            history: History::default(),
            selection: BTreeSet::new(),
            tool: Tool::new(kind),
            notices: Vec::new(),
        }
    }

    fn send(&mut self, event: ToolEvent) -> ToolOutcome {
        let index = SpatialIndex::build(&self.project);
        let ctx = ToolContext {
            project: &self.project,
            index: &index,
            selection: &self.selection,
            tolerance_in_world: 0.5,
            snapping: true,
        };
        let outcome = self.tool.on_event(event, &ctx);
        match &outcome {
            ToolOutcome::Commit(edit) => {
                self.history.apply(&mut self.project, edit.kind, edit.command.clone()).unwrap();
                self.notices.push(edit.notice.clone());
            }
            ToolOutcome::Select(s) => self.selection = s.clone(),
            _ => {}
        }
        outcome
    }

    fn click(&mut self, x: f64, y: f64) -> ToolOutcome {
        self.send(ToolEvent::Click { pos: at(x, y), add: false })
    }

    fn key(&mut self, key: ToolKey) -> ToolOutcome {
        self.send(ToolEvent::Key(key))
    }

    fn drag(&mut self, from: (f64, f64), to: (f64, f64)) -> ToolOutcome {
        self.send(ToolEvent::DragStart(at(from.0, from.1)));
        self.send(ToolEvent::Drag(at((from.0 + to.0) / 2.0, (from.1 + to.1) / 2.0)));
        self.send(ToolEvent::DragEnd(at(to.0, to.1)))
    }

    fn set_tool(&mut self, kind: ToolKind) {
        self.tool = Tool::new(kind);
    }

    fn report(&self) -> Report {
        let items = self.project.grids.values().map(|g| g.geometry.clone()).collect();
        let boundary = Some(self.project.boundary.clone());
        Checker::new(items, boundary, Vec::new(), CoverageOptions::for_crs(&self.project.crs)).report()
    }

    /// Findings other than the uncovered rest of the township.
    fn errors(&self) -> Vec<FindingKind> {
        self.report().findings.iter().map(|f| f.kind).filter(|k| k.is_error() && *k != FindingKind::Gap).collect()
    }

    /// The id of the grid at a place (split pieces of equal size may get either id).
    fn id_at(&self, x: f64, y: f64) -> GridId {
        let index = SpatialIndex::build(&self.project);
        wangge::core::tools::grid_at(&self.project, &index, at(x, y)).unwrap()
    }

    fn area_of_newest(&self) -> f64 {
        self.project.grids.values().last().unwrap().geometry.unsigned_area()
    }
}

fn committed(outcome: &ToolOutcome) -> bool {
    matches!(outcome, ToolOutcome::Commit(_))
}

#[test]
fn drawing_snaps_to_vertices_and_edges_and_matches_the_neighbour() {
    let mut s = Session::new(township(), ToolKind::Draw);
    // Near (10, 0) and (10, 10): snapped onto the neighbour's corners.
    s.click(9.7, 0.2);
    s.click(20.0, 0.0);
    s.click(20.0, 10.0);
    // Hovering shows where the vertex would go: on the neighbour's corner.
    s.send(ToolEvent::Hover(at(10.3, 9.8)));
    assert_eq!(s.tool.preview().cursor, Some(at(10.0, 10.0)));
    assert!(s.tool.preview().snap.is_some());
    s.click(10.3, 9.8);
    assert_eq!(s.tool.preview().path.len(), 4);
    let outcome = s.key(ToolKey::Enter);
    assert!(committed(&outcome), "{outcome:?}");
    assert_eq!(s.project.grids.len(), 2);
    assert!((s.area_of_newest() - 100.0).abs() < 1e-6);
    assert_eq!(s.notices.last(), Some(&None), "nothing was clipped, so nothing to say");
    assert!(s.errors().is_empty(), "{:?}", s.report());
}

#[test]
fn backspace_removes_the_last_vertex_and_escape_cancels() {
    let mut s = Session::new(township(), ToolKind::Draw);
    s.click(12.0, 2.0);
    s.click(18.0, 2.0);
    s.click(25.0, 25.0);
    s.key(ToolKey::Backspace);
    assert_eq!(s.tool.preview().path, vec![at(12.0, 2.0), at(18.0, 2.0)]);
    assert_eq!(s.key(ToolKey::Enter), ToolOutcome::Failed(EditFailure::TooFewVertices));
    s.click(12.0, 2.0);
    s.click(18.0, 2.0);
    s.key(ToolKey::Escape);
    assert!(s.tool.preview().path.is_empty());
    assert_eq!(s.project.grids.len(), 1);
}

#[test]
fn avoid_overlap_clips_against_grids_and_the_boundary_and_says_so() {
    let mut s = Session::new(township(), ToolKind::Draw);
    // From inside the existing grid to beyond the east boundary (snapping off for free positions).
    for (x, y) in [(5.0, 2.0), (35.0, 2.0), (35.0, 8.0), (5.0, 8.0)] {
        s.click(x, y);
    }
    let outcome = s.key(ToolKey::Enter);
    assert!(committed(&outcome), "{outcome:?}");
    assert!((s.area_of_newest() - 120.0).abs() < 1e-6, "20 m × 6 m kept, got {}", s.area_of_newest());
    match s.notices.last() {
        Some(Some(Notice::Clipped { drawn_m2, kept_m2, parts })) => {
            assert!(
                (drawn_m2 - 180.0).abs() < 1.0 && (kept_m2 - 120.0).abs() < 1.0 && *parts == 1,
                "{drawn_m2} {kept_m2}"
            );
        }
        other => panic!("expected a clip notice, got {other:?}"),
    }
    // The neighbour got the new vertices on its east edge, so the shared part matches exactly.
    assert!(s.errors().is_empty(), "{:?}", s.report());
    // Drawn entirely on the existing grid: refused with the reason, nothing added.
    for (x, y) in [(1.0, 1.0), (4.0, 1.0), (4.0, 4.0)] {
        s.click(x, y);
    }
    assert_eq!(s.key(ToolKey::Enter), ToolOutcome::Failed(EditFailure::NothingLeft));
    assert_eq!(s.project.grids.len(), 2);
}

#[test]
fn fill_makes_the_uncovered_area_a_grid_and_undo_redo_work() {
    let mut s = Session::new(township(), ToolKind::Fill);
    let before = s.project.clone();
    assert!(committed(&s.click(20.0, 5.0)));
    assert!((s.area_of_newest() - 200.0).abs() < 1e-6);
    let report = s.report();
    assert!(report.ok(), "the township is fully covered now: {report:?}");
    assert!(matches!(s.click(5.0, 5.0), ToolOutcome::Failed(EditFailure::FillCovered(1))));
    assert!(matches!(s.click(50.0, 5.0), ToolOutcome::Failed(EditFailure::FillOutside)));
    let after = s.project.clone();
    s.history.undo(&mut s.project).unwrap();
    assert_eq!(s.project.grids, before.grids);
    s.history.redo(&mut s.project).unwrap();
    assert_eq!(s.project.grids, after.grids);
}

/// The township filled with three grids: [0,10], [10,20], [20,30].
fn three_grids() -> Session {
    let mut s = Session::new(township(), ToolKind::Fill);
    s.click(15.0, 5.0);
    s.set_tool(ToolKind::Split);
    s.click(20.0, -1.0);
    s.click(20.0, 11.0);
    let outcome = s.key(ToolKey::Enter);
    assert!(committed(&outcome), "{outcome:?}");
    assert_eq!(s.project.grids.len(), 3);
    assert!(s.report().ok(), "{:?}", s.report());
    s
}

#[test]
fn split_across_two_grids_cuts_both_and_nodes_their_shared_edge() {
    let mut s = three_grids();
    s.set_tool(ToolKind::Split);
    // A line across grids 1 and 2 ending inside grid 3 (which is not cut).
    s.click(-1.0, 4.0);
    s.click(25.0, 4.0);
    let outcome = s.key(ToolKey::Enter);
    assert!(committed(&outcome), "{outcome:?}");
    assert_eq!(s.project.grids.len(), 5);
    let report = s.report();
    assert!(report.ok(), "{report:?}");
    // The larger piece keeps id and code.
    assert!((s.project.grids[&1].geometry.unsigned_area() - 60.0).abs() < 1e-6);
    // Grid 3 got the vertex where the cut meets its west edge.
    let g3 = &s.project.grids[&s.id_at(25.0, 5.0)].geometry.0[0].exterior().0;
    assert!(g3.contains(&at(20.0, 4.0)), "{g3:?}");
    // A line that crosses nothing twice is refused.
    s.click(5.0, 1.0);
    s.click(5.0, 2.0);
    assert!(matches!(s.key(ToolKey::Enter), ToolOutcome::Failed(_)));
}

/// A road (a reference layer) picked with Shift+click in the Split tool is the cut: the grids it crosses
/// are split along it, their neighbour gets the vertex where it meets the shared edge, the coverage stays
/// valid, and one Undo puts it back. Nothing in reach, or a road that crosses a grid four
/// times are refused with the reason.
#[test]
fn split_along_a_picked_reference_line() {
    use geo::{LineString, MultiLineString};
    use wangge::core::{ReferenceFeature, ReferenceGeometry, ReferenceLayer};
    let mut s = three_grids();
    let road = |points: &[(f64, f64)]| ReferenceFeature {
        geometry: ReferenceGeometry::Lines(MultiLineString(vec![LineString(
            points.iter().map(|&(x, y)| at(x, y)).collect(),
        )])),
        name: String::new(),
    };
    let mut roads = ReferenceLayer::new("道路");
    // Across grids 1 and 2, slanting, ending inside grid 3 (not cut).
    roads.features.push(road(&[(-1.0, 3.0), (12.0, 6.0), (25.0, 6.5)]));
    // In and out of grid 3 twice: a U.
    roads.features.push(road(&[(22.0, -2.0), (23.0, 5.0), (24.0, -2.0), (27.0, -2.0), (28.0, 12.0)]));
    s.project.reference_layers.push(roads);
    s.set_tool(ToolKind::Split);
    let shift_click = |s: &mut Session, x: f64, y: f64| s.send(ToolEvent::Click { pos: at(x, y), add: true });

    assert_eq!(shift_click(&mut s, 5.0, 9.0), ToolOutcome::Failed(EditFailure::NoReferenceLine));
    let outcome = shift_click(&mut s, 15.0, 6.2);
    assert!(committed(&outcome), "{outcome:?}");
    assert_eq!(s.project.grids.len(), 5);
    let report = s.report();
    assert!(report.ok(), "{report:?}");
    // The cut follows the road through its bend at (12, 6), and grid 3 got the vertex where it enters.
    let g2 = &s.project.grids[&s.id_at(15.0, 8.0)].geometry.0[0].exterior().0;
    assert!(g2.contains(&at(12.0, 6.0)), "{g2:?}");
    let g3 = &s.project.grids[&s.id_at(25.0, 5.0)].geometry.0[0].exterior().0;
    assert!(
        g3.iter().any(|c| (c.x - X0 - 20.0).abs() < 1e-6 && (c.y - Y0 - 6.0 - 8.0 / 13.0 * 0.5).abs() < 1e-3),
        "{g3:?}"
    );
    assert_eq!(s.history.undo_kind(), Some(StepKind::Split));
    s.history.undo(&mut s.project).unwrap();
    assert_eq!(s.project.grids.len(), 3);

    // The U crosses grid 3's outline four times: refused, saying so.
    assert_eq!(shift_click(&mut s, 23.0, 4.0), ToolOutcome::Failed(EditFailure::SplitCrossings { found: 4 }));
    assert_eq!(s.project.grids.len(), 3);
}

#[test]
fn merge_joins_adjacent_grids_and_refuses_separate_ones() {
    let mut s = three_grids();
    let before = s.project.clone();
    s.set_tool(ToolKind::Merge);
    s.click(5.0, 5.0);
    s.click(25.0, 5.0);
    assert_eq!(s.selection.len(), 2);
    assert_eq!(s.key(ToolKey::Enter), ToolOutcome::Failed(EditFailure::MergeNotAdjacent));
    s.click(15.0, 5.0);
    let outcome = s.key(ToolKey::Enter);
    assert!(committed(&outcome), "{outcome:?}");
    assert_eq!(s.project.grids.len(), 1);
    assert!((s.area_of_newest() - 300.0).abs() < 1e-6);
    assert!(s.report().ok());
    s.history.undo(&mut s.project).unwrap();
    assert_eq!(s.project.grids, before.grids);
}

/// A drag of a vertex through many intermediate positions commits once, when it ends: one history
/// step, which one undo takes back whole.
#[test]
fn a_vertex_drag_is_one_step() {
    let mut s = three_grids();
    s.history = History::default();
    let before = s.project.clone();
    s.set_tool(ToolKind::EditVertices);
    s.send(ToolEvent::DragStart(at(10.1, 10.1)));
    for i in 1..20 {
        let outcome = s.send(ToolEvent::Drag(at(10.0 + f64::from(i) * 0.1, 10.5)));
        assert!(!committed(&outcome), "step {i}: {outcome:?}");
    }
    assert!(committed(&s.send(ToolEvent::DragEnd(at(12.0, 11.0)))));
    assert_ne!(s.project.grids, before.grids);
    assert_eq!(s.history.undo_kind(), Some(StepKind::MoveVertex));
    assert_eq!(s.history.undo(&mut s.project).unwrap(), Some(StepKind::MoveVertex));
    assert_eq!(s.project.grids, before.grids, "one undo takes back the whole drag");
    assert!(!s.history.can_undo());
}

#[test]
fn a_shared_vertex_moves_in_every_grid_and_stays_on_the_boundary() {
    let mut s = three_grids();
    s.set_tool(ToolKind::EditVertices);
    // (10, 10) is on the north boundary and shared by grids 1 and 2: dragged north-east, it slides
    // along the boundary to (12, 10).
    let outcome = s.drag((10.1, 10.1), (12.0, 11.0));
    assert!(committed(&outcome), "{outcome:?}");
    assert_eq!(s.notices.last(), Some(&Some(Notice::KeptOnBoundary)));
    for id in [s.id_at(5.0, 5.0), s.id_at(15.0, 5.0)] {
        assert!(s.project.grids[&id].geometry.0[0].exterior().0.contains(&at(12.0, 10.0)), "grid {id}");
    }
    assert!(s.report().ok(), "{:?}", s.report());
    // Insert a vertex in the middle of the shared edge 1–2 by a click, then drag it: both grids follow.
    let mid = (11.0, 5.0);
    let outcome = s.click(mid.0, mid.1);
    assert!(matches!(&outcome, ToolOutcome::Commit(e) if e.kind == StepKind::InsertVertex), "{outcome:?}");
    let outcome = s.drag(mid, (13.0, 5.0));
    assert!(committed(&outcome), "{outcome:?}");
    assert!(s.report().ok(), "{:?}", s.report());
    // Dragged across grid 3: refused, nothing changes.
    let before = s.project.clone();
    let outcome = s.drag((13.0, 5.0), (27.0, 5.0));
    assert!(
        matches!(outcome, ToolOutcome::Failed(EditFailure::WouldOverlap | EditFailure::WouldInvalidate(..))),
        "{outcome:?}"
    );
    assert_eq!(s.project, before);
    // Delete the inserted vertex (two edges meet there): gone from both grids, still a clean coverage.
    s.click(13.0, 5.0);
    let outcome = s.key(ToolKey::Delete);
    assert!(committed(&outcome), "{outcome:?}");
    assert!(s.project.grids.values().all(|g| !g.geometry.0[0].exterior().0.contains(&at(13.0, 5.0))));
    assert!(s.report().ok(), "{:?}", s.report());
    // A corner of the township may not be deleted.
    s.click(0.0, 0.0);
    assert!(matches!(s.key(ToolKey::Delete), ToolOutcome::Failed(_)));
    // Undo everything: back to the three grids; the whole drag was one step.
    while s.history.can_undo() {
        s.history.undo(&mut s.project).unwrap();
    }
    assert_eq!(s.project.grids, township().grids);
}

#[test]
fn select_by_click_shift_click_box_and_delete() {
    let mut s = three_grids();
    s.set_tool(ToolKind::Select);
    let (west, middle, east) = (s.id_at(5.0, 5.0), s.id_at(15.0, 5.0), s.id_at(25.0, 5.0));
    s.click(5.0, 5.0);
    assert_eq!(s.selection, BTreeSet::from([west]));
    s.send(ToolEvent::Click { pos: at(15.0, 5.0), add: true });
    assert_eq!(s.selection, BTreeSet::from([west, middle]));
    s.send(ToolEvent::Click { pos: at(5.0, 5.0), add: true });
    assert_eq!(s.selection, BTreeSet::from([middle]));
    s.drag((12.0, 2.0), (28.0, 3.0));
    assert_eq!(s.selection, BTreeSet::from([middle, east]));
    assert!(committed(&s.key(ToolKey::Delete)));
    assert_eq!(s.project.grids.keys().copied().collect::<Vec<_>>(), vec![west]);
}

/// On the real county outline (159 vertices, not on the millimetre grid), a fill and a drawn polygon
/// clipped by the boundary share the boundary's vertices exactly: nothing outside, no sliver gaps.
#[test]
fn fills_and_clips_on_the_real_county_match_its_boundary_exactly() {
    let sample = wangge::app::load_sample().unwrap();
    let c = geo::BoundingRect::bounding_rect(&sample.boundary).unwrap().center();
    let report = |s: &Session| s.report();
    // A polygon drawn across the western boundary, then the rest filled.
    let mut s = Session::new(sample.clone(), ToolKind::Draw);
    for (dx, dy) in [(-40_000.0, -3_000.0), (-5_000.0, -3_000.0), (-5_000.0, 4_000.0), (-40_000.0, 4_000.0)] {
        s.send(ToolEvent::Click { pos: Coord { x: c.x + dx, y: c.y + dy }, add: false });
    }
    let outcome = s.key(ToolKey::Enter);
    assert!(committed(&outcome), "{outcome:?}");
    let r = report(&s);
    assert!(r.findings.iter().all(|f| f.kind == FindingKind::Gap), "{:?}", r.findings);
    // Fill what is left: the main area, and any pocket the drawn grid cut off against the boundary.
    s.set_tool(ToolKind::Fill);
    let outcome = s.send(ToolEvent::Click { pos: Coord { x: c.x + 10_000.0, y: c.y }, add: false });
    assert!(committed(&outcome), "{outcome:?}");
    for _ in 0..5 {
        let gaps: Vec<_> = report(&s).findings.into_iter().filter(|f| f.kind == FindingKind::Gap).collect();
        let Some(gap) = gaps.first() else { break };
        let inside = geo::InteriorPoint::interior_point(&gap.geometry).unwrap().0;
        let outcome = s.send(ToolEvent::Click { pos: inside, add: false });
        assert!(committed(&outcome), "{outcome:?}");
    }
    let r = report(&s);
    assert!(r.ok(), "the county is covered exactly: {:?}", r.findings);
    assert!(s.project.grids.len() >= 3);
}
