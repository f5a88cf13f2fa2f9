//! Measuring on the map: click points (they snap like drawing does), double-click or Enter finishes,
//! Backspace removes the last point, Escape clears; a click after a finished measurement starts a new
//! one. Lengths and areas are true ground values whatever the CRS: planar in projected metres,
//! geodesic on the ellipsoid for lon/lat, geodesic after the exact inverse for Web Mercator (whose
//! planar lengths grow by 1/cos φ).

use geo::{Coord, Distance, Geodesic, LineString, MultiPolygon, Point, Polygon};

use super::{Tool, ToolContext, ToolEvent, ToolKey, ToolOutcome};
use crate::core::edit::snap;
use crate::core::{Crs, CrsUnits, area_m2, web_mercator_to_lonlat};

/// Square metres in one 亩 (mu): 10000/15 m², about 666.7 m².
pub const M2_PER_MU: f64 = 10_000.0 / 15.0;

/// What the measure tool shows: the points (with the pointer while measuring), the length along them
/// and, from three points on, the area they enclose.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    pub points: Vec<Coord<f64>>,
    pub length_m: f64,
    /// The area of the polygon the points make (closed back to the first), from three points on.
    pub area_m2: Option<f64>,
    /// True once finished (double-click or Enter): the pointer no longer moves the last point.
    pub finished: bool,
}

impl Measurement {
    pub fn area_mu(&self) -> Option<f64> {
        self.area_m2.map(|a| a / M2_PER_MU)
    }
}

/// The ground distance in metres between two points given in `crs` coordinates.
pub fn ground_distance_m(a: Coord<f64>, b: Coord<f64>, crs: &Crs) -> f64 {
    match crs.units {
        CrsUnits::Metres => ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt(),
        CrsUnits::Degrees => Geodesic.distance(Point(a), Point(b)),
        CrsUnits::WebMercator => Geodesic.distance(Point(web_mercator_to_lonlat(a)), Point(web_mercator_to_lonlat(b))),
    }
}

/// The length along `points` and the area they enclose, on the ground.
pub fn measure(points: &[Coord<f64>], crs: &Crs, finished: bool) -> Measurement {
    let length_m = points.windows(2).map(|w| ground_distance_m(w[0], w[1], crs)).sum();
    let area_m2 = (points.len() >= 3).then(|| {
        let polygon = Polygon::new(LineString(points.to_vec()), vec![]);
        area_m2(&MultiPolygon(vec![polygon]), crs)
    });
    Measurement { points: points.to_vec(), length_m, area_m2, finished }
}

impl Tool {
    /// The measurement on the map, while the measure tool has points.
    pub fn measurement(&self, crs: &Crs) -> Option<Measurement> {
        if self.kind != super::ToolKind::Measure || self.path.is_empty() {
            return None;
        }
        let mut points = self.path.clone();
        if !self.finished
            && let Some(c) = self.cursor
            && points.last() != Some(&c)
        {
            points.push(c);
        }
        Some(measure(&points, crs, self.finished))
    }
}

fn snapped(tool: &mut Tool, pos: Coord<f64>, ctx: &ToolContext<'_>) -> Coord<f64> {
    tool.snap = if ctx.snapping { snap(ctx.index, pos, ctx.tolerance_in_world, None) } else { None };
    tool.snap.as_ref().map_or(pos, |s| s.pos_in_world)
}

pub(super) fn measure_event(tool: &mut Tool, event: ToolEvent, ctx: &ToolContext<'_>) -> ToolOutcome {
    match event {
        ToolEvent::Hover(_) if tool.finished => ToolOutcome::Ignored,
        ToolEvent::Hover(pos) => {
            tool.cursor = Some(snapped(tool, pos, ctx));
            ToolOutcome::Redraw
        }
        ToolEvent::Click { pos, .. } => {
            if tool.finished {
                // A new measurement.
                tool.path.clear();
                tool.finished = false;
            }
            let at = snapped(tool, pos, ctx);
            if tool.path.last() != Some(&at) {
                tool.path.push(at);
            }
            tool.cursor = Some(at);
            ToolOutcome::Redraw
        }
        ToolEvent::DoubleClick(pos) if !tool.finished => {
            let at = snapped(tool, pos, ctx);
            if tool.path.last() != Some(&at) {
                tool.path.push(at);
            }
            finish(tool)
        }
        ToolEvent::Key(ToolKey::Enter) if !tool.finished && !tool.path.is_empty() => finish(tool),
        ToolEvent::Key(ToolKey::Backspace) if !tool.finished => {
            tool.path.pop();
            ToolOutcome::Redraw
        }
        _ => ToolOutcome::Ignored,
    }
}

fn finish(tool: &mut Tool) -> ToolOutcome {
    tool.finished = true;
    tool.cursor = None;
    tool.snap = None;
    ToolOutcome::Redraw
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Project;
    use crate::core::edit::SpatialIndex;
    use crate::core::tools::ToolKind;
    use std::collections::BTreeSet;

    fn crs(units: CrsUnits) -> Crs {
        Crs { epsg: 0, name: String::new(), units }
    }

    fn run(project: &Project, events: &[ToolEvent]) -> Tool {
        let index = SpatialIndex::build(project);
        let selection = BTreeSet::new();
        let ctx =
            ToolContext { project, index: &index, selection: &selection, tolerance_in_world: 1.0, snapping: true };
        let mut tool = Tool::new(ToolKind::Measure);
        for e in events {
            tool.on_event(*e, &ctx);
        }
        tool
    }

    fn click(x: f64, y: f64) -> ToolEvent {
        ToolEvent::Click { pos: Coord { x, y }, add: false }
    }

    #[test]
    fn clicks_measure_length_and_area_in_gauss_kruger_metres() {
        let p = Project::new("t", crs(CrsUnits::Metres));
        let tool =
            run(&p, &[click(0., 0.), click(300., 0.), click(300., 400.), ToolEvent::Hover(Coord { x: 0., y: 400. })]);
        // While measuring, the pointer is the next point.
        let live = tool.measurement(&p.crs).unwrap();
        assert_eq!(live.points.len(), 4);
        assert!((live.length_m - 1000.0).abs() < 1e-9);
        assert!(!live.finished);
        let tool = run(&p, &[click(0., 0.), click(300., 0.), click(300., 400.), ToolEvent::Key(ToolKey::Enter)]);
        let m = tool.measurement(&p.crs).unwrap();
        assert!(m.finished);
        assert!((m.length_m - 700.0).abs() < 1e-9, "{m:?}");
        assert!((m.area_m2.unwrap() - 60_000.0).abs() < 1e-6);
        assert!((m.area_mu().unwrap() - 90.0).abs() < 1e-9, "60 000 m² is 90 亩");
        // The pointer no longer moves a finished measurement; Escape clears it.
        let mut t2 = tool.clone();
        let index = SpatialIndex::build(&p);
        let sel = BTreeSet::new();
        let ctx = ToolContext { project: &p, index: &index, selection: &sel, tolerance_in_world: 1.0, snapping: true };
        assert_eq!(t2.on_event(ToolEvent::Hover(Coord { x: 9e3, y: 9e3 }), &ctx), ToolOutcome::Ignored);
        assert_eq!(t2.measurement(&p.crs).unwrap(), m);
        assert_eq!(t2.on_event(ToolEvent::Key(ToolKey::Escape), &ctx), ToolOutcome::Redraw);
        assert!(t2.measurement(&p.crs).is_none());
        // A click after a finished measurement starts a new one.
        let t3 =
            run(&p, &[click(0., 0.), click(10., 0.), ToolEvent::DoubleClick(Coord { x: 10., y: 0. }), click(5., 5.)]);
        let m3 = t3.measurement(&p.crs).unwrap();
        assert_eq!(m3.points.len(), 1);
        assert!(!m3.finished);
    }

    #[test]
    fn backspace_removes_the_last_point_and_a_double_click_finishes() {
        let p = Project::new("t", crs(CrsUnits::Metres));
        let tool = run(
            &p,
            &[
                click(0., 0.),
                click(50., 0.),
                ToolEvent::Key(ToolKey::Backspace),
                click(0., 80.),
                ToolEvent::DoubleClick(Coord { x: 0., y: 80. }),
            ],
        );
        let m = tool.measurement(&p.crs).unwrap();
        assert_eq!(m.points, vec![Coord { x: 0., y: 0. }, Coord { x: 0., y: 80. }]);
        assert!(m.finished && (m.length_m - 80.0).abs() < 1e-9 && m.area_m2.is_none());
    }

    #[test]
    fn lon_lat_and_web_mercator_give_ground_lengths_and_areas() {
        // One degree of longitude along 30.7°N (泾县) is about 95.8 km on the ground.
        let degrees = crs(CrsUnits::Degrees);
        let d = ground_distance_m(Coord { x: 118.0, y: 30.7 }, Coord { x: 119.0, y: 30.7 }, &degrees);
        assert!((d - 95_800.0).abs() < 200.0, "{d}");
        // The same 1 km on the ground is ~1.163 km in Web Mercator at this latitude; measured, it is 1 km.
        let r = 6_378_137.0_f64;
        let lat = 30.7_f64.to_radians();
        let y = r * (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln();
        let side = 1000.0 / lat.cos();
        let mercator = crs(CrsUnits::WebMercator);
        let d = ground_distance_m(Coord { x: 0.0, y }, Coord { x: side, y }, &mercator);
        assert!((d - 1000.0).abs() < 5.0, "{d}");
        let square =
            [Coord { x: 0.0, y }, Coord { x: side, y }, Coord { x: side, y: y + side }, Coord { x: 0.0, y: y + side }];
        let m = measure(&square, &mercator, true);
        assert!((m.area_m2.unwrap() - 1e6).abs() / 1e6 < 0.01, "{m:?}");
        assert!((m.area_mu().unwrap() - 1500.0).abs() < 15.0, "1 km² is 1500 亩");
    }
}
