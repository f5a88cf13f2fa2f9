//! The area a project's grids must cover: its boundary; without one, the union of its village polygons,
//! else of its township polygons (a project with villages but no boundary would otherwise check nothing
//! about the villages' land); without any of them, only gaps the grids enclose.

use geo::MultiPolygon;
use geo::orient::{Direction, Orient};

use crate::core::Project;

/// Which area was required to be covered, for the summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AreaChecked {
    /// The project's boundary layer.
    Boundary,
    /// A boundary file given on the command line.
    BoundaryFile,
    /// The union of this many village polygons (no boundary).
    Villages(usize),
    /// The union of this many township polygons (no boundary, no village polygons).
    Townships(usize),
    /// Nothing to cover: only gaps enclosed by grids are found.
    GridsOnly,
}

impl AreaChecked {
    /// The key used in JSON output.
    pub fn key(&self) -> &'static str {
        match self {
            AreaChecked::Boundary => "boundary",
            AreaChecked::BoundaryFile => "boundary_file",
            AreaChecked::Villages(_) => "villages",
            AreaChecked::Townships(_) => "townships",
            AreaChecked::GridsOnly => "grids_only",
        }
    }
}

/// The polygons whose union is the area to cover, and what they are (see the module doc): for tests
/// of where a point lies, which need no union.
pub fn area_parts(project: &Project) -> (Vec<&MultiPolygon<f64>>, AreaChecked) {
    if !project.boundary.0.is_empty() {
        return (vec![&project.boundary], AreaChecked::Boundary);
    }
    let villages: Vec<&MultiPolygon<f64>> =
        project.villages().filter_map(|v| v.polygon.as_ref()).filter(|p| !p.0.is_empty()).collect();
    if !villages.is_empty() {
        let n = villages.len();
        return (villages, AreaChecked::Villages(n));
    }
    let townships: Vec<&MultiPolygon<f64>> =
        project.townships().filter_map(|t| t.polygon.as_ref()).filter(|p| !p.0.is_empty()).collect();
    if !townships.is_empty() {
        let n = townships.len();
        return (townships, AreaChecked::Townships(n));
    }
    (Vec::new(), AreaChecked::GridsOnly)
}

/// The area to cover (one multipolygon) and what it is (see the module doc).
pub fn area_to_cover(project: &Project) -> (Option<MultiPolygon<f64>>, AreaChecked) {
    let (parts, what) = area_parts(project);
    match what {
        AreaChecked::GridsOnly => (None, what),
        AreaChecked::Boundary => (Some(project.boundary.clone()), what),
        _ => {
            let polygons: Vec<_> = parts.iter().flat_map(|mp| mp.0.iter().cloned()).collect();
            let oriented = MultiPolygon(polygons).orient(Direction::Default);
            (Some(geo::unary_union(&oriented.0)), what)
        }
    }
}

#[cfg(test)]
mod tests {
    use geo::{MultiPolygon, polygon};

    use super::*;
    use crate::core::coverage::{Checker, CoverageOptions, FindingKind, Village};
    use crate::core::{AreaClass, Crs, CrsUnits, Division, DivisionCode, Grid};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)]])
    }

    fn division(code: &str, polygon: MultiPolygon<f64>) -> Division {
        Division {
            code: DivisionCode::parse(code).unwrap(),
            name: code.into(),
            parent_code: None,
            class: AreaClass::Rural,
            polygon: Some(polygon),
        }
    }

    fn check(project: &Project) -> (AreaChecked, Vec<(FindingKind, Vec<usize>)>) {
        let (boundary, area) = area_to_cover(project);
        let villages: Vec<Village> = project
            .villages()
            .filter_map(|v| Some(Village { code: v.code.to_string(), polygon: v.polygon.clone()? }))
            .collect();
        let items = project.grids.values().map(|g| g.geometry.clone()).collect();
        let report = Checker::new(items, boundary, villages, CoverageOptions::for_crs(&project.crs)).report();
        (area, report.findings.iter().map(|f| (f.kind, f.items.clone())).collect())
    }

    #[test]
    fn without_a_boundary_the_villages_then_the_townships_are_the_area_to_cover() {
        let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        // No polygons at all: only gaps enclosed by grids could be found.
        p.add_grid(Grid::new(rect(0.0, 0.0, 100.0, 100.0)));
        assert_eq!(check(&p), (AreaChecked::GridsOnly, vec![]));
        // A township polygon: its land not covered by a grid is a gap.
        p.divisions.insert("341823100".into(), division("341823100", rect(0.0, 0.0, 300.0, 100.0)));
        let (area, found) = check(&p);
        assert_eq!(area, AreaChecked::Townships(1));
        assert_eq!(found, vec![(FindingKind::Gap, vec![0])]);
        // Two villages: their union is the area (the township's polygon no longer counts), so the
        // second village's land that no grid covers is a gap; a grid across both is found too.
        p.divisions.insert("341823100001".into(), division("341823100001", rect(0.0, 0.0, 100.0, 100.0)));
        p.divisions.insert("341823100002".into(), division("341823100002", rect(100.0, 0.0, 200.0, 100.0)));
        let (area, found) = check(&p);
        assert_eq!(area, AreaChecked::Villages(2));
        assert_eq!(found, vec![(FindingKind::Gap, vec![0])]);
        p.add_grid(Grid::new(rect(100.0, 0.0, 150.0, 100.0)));
        p.add_grid(Grid::new(rect(150.0, 0.0, 250.0, 100.0)));
        let (_, found) = check(&p);
        assert_eq!(found, vec![(FindingKind::Outside, vec![2])], "the third grid leaves the villages' land");
        // With a boundary, the boundary is the area.
        p.boundary = rect(0.0, 0.0, 250.0, 100.0);
        assert_eq!(check(&p), (AreaChecked::Boundary, vec![]));
    }
}
