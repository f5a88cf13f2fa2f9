//! A spatial index of what an edit can touch or snap to: grid envelopes and every segment of the
//! boundary, the village lines and the grids, in one R-tree each. Built once per project revision.

use geo::{BoundingRect, Coord, MultiPolygon, Rect};
use rstar::primitives::{GeomWithData, Line as RLine, Rectangle};
use rstar::{AABB, RTree};

use crate::core::{GridId, Project};

/// What a segment belongs to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Boundary,
    Village(String),
    Grid(GridId),
}

type SegmentEntry = GeomWithData<RLine<[f64; 2]>, Source>;
type GridBox = GeomWithData<Rectangle<[f64; 2]>, GridId>;

pub struct SpatialIndex {
    grids: RTree<GridBox>,
    segments: RTree<SegmentEntry>,
}

impl SpatialIndex {
    pub fn build(project: &Project) -> SpatialIndex {
        let grids = RTree::bulk_load(
            project
                .grids
                .values()
                .filter_map(|g| {
                    let e = g.geometry.bounding_rect()?;
                    Some(GeomWithData::new(Rectangle::from_corners(e.min().into(), e.max().into()), g.id))
                })
                .collect(),
        );
        let mut segments = Vec::new();
        add_segments(&mut segments, &project.boundary, Source::Boundary);
        for v in project.villages() {
            if let Some(polygon) = &v.polygon {
                add_segments(&mut segments, polygon, Source::Village(v.code.to_string()));
            }
        }
        for g in project.grids.values() {
            add_segments(&mut segments, &g.geometry, Source::Grid(g.id));
        }
        SpatialIndex { grids, segments: RTree::bulk_load(segments) }
    }

    /// Grids whose envelope meets `area` grown by `grow` on every side, in id order.
    pub fn grids_near(&self, area: Rect<f64>, grow: f64) -> Vec<GridId> {
        let mut ids: Vec<GridId> =
            self.grids.locate_in_envelope_intersecting(aabb(area, grow)).map(|b| b.data).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Segments within `radius` of `pos_in_world`, as (start, end, source).
    pub fn segments_near(&self, pos_in_world: Coord<f64>, radius: f64) -> Vec<(Coord<f64>, Coord<f64>, &Source)> {
        let area = Rect::new(pos_in_world, pos_in_world);
        self.segments
            .locate_in_envelope_intersecting(aabb(area, radius))
            .map(|s| {
                let (a, b) = (s.geom().from, s.geom().to);
                (Coord { x: a[0], y: a[1] }, Coord { x: b[0], y: b[1] }, &s.data)
            })
            .collect()
    }

    pub fn grid_count(&self) -> usize {
        self.grids.size()
    }
}

pub fn aabb(r: Rect<f64>, grow: f64) -> AABB<[f64; 2]> {
    AABB::from_corners([r.min().x - grow, r.min().y - grow], [r.max().x + grow, r.max().y + grow])
}

fn add_segments(out: &mut Vec<SegmentEntry>, mp: &MultiPolygon<f64>, source: Source) {
    for polygon in &mp.0 {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            for w in ring.0.windows(2) {
                if w[0] != w[1] {
                    let line = RLine::new([w[0].x, w[0].y], [w[1].x, w[1].y]);
                    out.push(GeomWithData::new(line, source.clone()));
                }
            }
        }
    }
}
