//! A spatial index of what an edit can touch or snap to: grid envelopes and every segment of the
//! boundary, the village lines, the grids and the reference layers (roads, rivers, buildings), in one
//! R-tree each. Built once per project revision.

use std::collections::{BTreeMap, BTreeSet};

use geo::{BoundingRect, Coord, LineString, MultiPolygon, Rect};
use rstar::primitives::{GeomWithData, Line as RLine};
use rstar::{AABB, Envelope, RTree, SelectionFunction};

use crate::core::rect::{RectEntry, rect_entry};
use crate::core::{GridId, Project, ReferenceGeometry};

/// What a segment belongs to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Boundary,
    Village(String),
    Grid(GridId),
    /// A road, river or building of the reference layer of that name: snapped to, never edited.
    Reference(String),
}

type SegmentEntry = GeomWithData<RLine<[f64; 2]>, Source>;
type GridBox = RectEntry<GridId>;

pub struct SpatialIndex {
    grids: RTree<GridBox>,
    segments: RTree<SegmentEntry>,
    /// Each grid's envelope as indexed, to find its entries again when it changes.
    envelopes: BTreeMap<GridId, Rect<f64>>,
    /// Reference layers switched off in the layers panel: not snapped to.
    hidden_references: BTreeSet<String>,
}

/// Selects the entries of one grid within its old envelope.
struct OfGrid {
    envelope: AABB<[f64; 2]>,
    id: GridId,
}

impl SelectionFunction<SegmentEntry> for OfGrid {
    fn should_unpack_parent(&self, envelope: &AABB<[f64; 2]>) -> bool {
        self.envelope.intersects(envelope)
    }

    fn should_unpack_leaf(&self, leaf: &SegmentEntry) -> bool {
        leaf.data == Source::Grid(self.id)
    }
}

impl SelectionFunction<GridBox> for OfGrid {
    fn should_unpack_parent(&self, envelope: &AABB<[f64; 2]>) -> bool {
        self.envelope.intersects(envelope)
    }

    fn should_unpack_leaf(&self, leaf: &GridBox) -> bool {
        leaf.data == self.id
    }
}

impl SpatialIndex {
    pub fn build(project: &Project) -> SpatialIndex {
        let envelopes: BTreeMap<GridId, Rect<f64>> =
            project.grids.values().filter_map(|g| Some((g.id, g.geometry.bounding_rect()?))).collect();
        let grids = RTree::bulk_load(envelopes.iter().map(|(id, e)| rect_entry(*e, *id)).collect());
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
        for layer in &project.reference_layers {
            let source = Source::Reference(layer.name.clone());
            for feature in &layer.features {
                match &feature.geometry {
                    ReferenceGeometry::Lines(lines) => add_line_segments(&mut segments, &lines.0, &source),
                    ReferenceGeometry::Polygons(polygons) => add_segments(&mut segments, polygons, source.clone()),
                }
            }
        }
        SpatialIndex { grids, segments: RTree::bulk_load(segments), envelopes, hidden_references: BTreeSet::new() }
    }

    /// Re-indexes the grids an edit added, removed or reshaped (cheap: only their entries move).
    pub fn update(&mut self, project: &Project, changed: &BTreeSet<GridId>) {
        for &id in changed {
            if let Some(old) = self.envelopes.remove(&id) {
                let envelope = aabb(old, 0.0);
                self.segments.drain_with_selection_function(OfGrid { envelope, id }).for_each(drop);
                self.grids.drain_with_selection_function(OfGrid { envelope, id }).for_each(drop);
            }
            let Some(g) = project.grids.get(&id) else { continue };
            let Some(e) = g.geometry.bounding_rect() else { continue };
            self.envelopes.insert(id, e);
            self.grids.insert(rect_entry(e, id));
            let mut entries = Vec::new();
            add_segments(&mut entries, &g.geometry, Source::Grid(id));
            for entry in entries {
                self.segments.insert(entry);
            }
        }
    }

    /// Grids whose envelope meets `area` grown by `grow` on every side, in id order.
    pub fn grids_near(&self, area: Rect<f64>, grow: f64) -> Vec<GridId> {
        let mut ids: Vec<GridId> =
            self.grids.locate_in_envelope_intersecting(aabb(area, grow)).map(|b| b.data).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Which reference layers are switched off (by name): their segments are left out of
    /// [`Self::segments_near`], so nothing snaps to what is not shown.
    pub fn set_hidden_references(&mut self, hidden: &BTreeSet<String>) {
        if self.hidden_references != *hidden {
            self.hidden_references = hidden.clone();
        }
    }

    /// Segments within `radius` of `pos_in_world`, as (start, end, source); those of hidden reference
    /// layers left out.
    pub fn segments_near(&self, pos_in_world: Coord<f64>, radius: f64) -> Vec<(Coord<f64>, Coord<f64>, &Source)> {
        let area = Rect::new(pos_in_world, pos_in_world);
        self.segments
            .locate_in_envelope_intersecting(aabb(area, radius))
            .filter(|s| !matches!(&s.data, Source::Reference(name) if self.hidden_references.contains(name)))
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

fn add_line_segments(out: &mut Vec<SegmentEntry>, lines: &[LineString<f64>], source: &Source) {
    for line in lines {
        for w in line.0.windows(2) {
            if w[0] != w[1] && w.iter().all(|c| c.x.is_finite() && c.y.is_finite()) {
                out.push(GeomWithData::new(RLine::new([w[0].x, w[0].y], [w[1].x, w[1].y]), source.clone()));
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::coverage::synthetic::jittered_grid;
    use crate::core::{Crs, CrsUnits, Grid};

    /// An index updated edit by edit answers exactly like one built from scratch.
    #[test]
    fn updating_matches_rebuilding() {
        let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        for g in jittered_grid(6, 5, 100.0, Coord { x: 0.0, y: 0.0 }, 3) {
            p.add_grid(Grid::new(g));
        }
        let mut index = SpatialIndex::build(&p);
        p.grids.remove(&3);
        let moved = geo::Translate::translate(&p.grids[&7].geometry, 30.0, 0.0);
        p.grids.get_mut(&7).unwrap().geometry = moved;
        let extra = p.grids[&1].geometry.clone();
        let new_id = p.add_grid(Grid::new(geo::Translate::translate(&extra, 0.0, 1000.0)));
        index.update(&p, &BTreeSet::from([3, 7, new_id]));
        let fresh = SpatialIndex::build(&p);
        for (x, y) in [(50.0, 50.0), (250.0, 150.0), (330.0, 120.0), (50.0, 1050.0)] {
            let at = Coord { x, y };
            let area = Rect::new(at, at);
            assert_eq!(index.grids_near(area, 60.0), fresh.grids_near(area, 60.0));
            let mut a: Vec<_> =
                index.segments_near(at, 60.0).into_iter().map(|(a, b, s)| (a.x, a.y, b.x, b.y, s.clone())).collect();
            let mut b: Vec<_> =
                fresh.segments_near(at, 60.0).into_iter().map(|(a, b, s)| (a.x, a.y, b.x, b.y, s.clone())).collect();
            a.sort_by(|x, y| x.partial_cmp(y).unwrap());
            b.sort_by(|x, y| x.partial_cmp(y).unwrap());
            assert_eq!(a, b);
        }
    }
}
