//! Staging an import: each feature transformed into the project CRS, its coordinates checked and its
//! attributes mapped onto the model, held back until every feature has passed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use geo::{BoundingRect, Coord, CoordsIter, Geometry, MapCoords, MultiPolygon, Polygon};

use super::*;
use crate::core::{AreaClass, Crs, Division, DivisionCode, Grid, GridAttrs, GridKind, HouseholdPoint, Project};
use crate::io::crs::{AreaOfUse, CrsError, SourceCrs, Transformer, area_of_use, crs_from_epsg};
use crate::io::error::{GeometryKind, IoError, Problem};
use crate::io::fields::FieldMapping;
use crate::io::source::{SourceFeature, SourceLayer};

/// Turns features into project data one at a time (transformed into the project CRS, every coordinate
/// checked, attributes mapped), staging them until [`Stager::finish`].
pub(super) struct Stager<'p> {
    project: &'p Project,
    path: PathBuf,
    target: Target,
    crs: SourceCrs,
    transformer: Transformer,
    area: Option<AreaCheck>,
    mapping: FieldMapping,
    staged: Staged,
}

impl<'p> Stager<'p> {
    /// `names`: every field name of the source, sorted; `all_lonlat`: whether every point looks like lon/lat.
    pub(super) fn new(
        project: &'p Project,
        header: &SourceLayer,
        names: &[String],
        all_lonlat: bool,
        target: Target,
        options: &ImportOptions,
    ) -> Result<Stager<'p>, IoError> {
        let path = header.path.as_path();
        let crs = source_crs_scanned(header, all_lonlat, options)?;
        let transformer = Transformer::new(&crs, &project.crs).map_err(|e| IoError::new(path, e))?;
        let area =
            if options.force { None } else { AreaCheck::new(&crs, &project.crs).map_err(|e| IoError::new(path, e))? };
        let mapping =
            FieldMapping::resolve(target.fields(), names, &options.field_map).map_err(|p| IoError::new(path, p))?;
        Ok(Stager {
            project,
            path: path.to_path_buf(),
            target,
            crs,
            transformer,
            area,
            mapping,
            staged: Staged::default(),
        })
    }

    pub(super) fn feed(&mut self, feature: &SourceFeature) -> Result<(), IoError> {
        let at = |p: Problem| IoError::at_feature(&self.path, feature.number, p);
        let geometry = feature
            .geometry
            .as_ref()
            .map(|g| {
                let out = transform_checked(g, &self.transformer, &self.project.crs)?;
                self.area.as_ref().map_or(Ok(()), |a| a.check(g))?;
                Ok(out)
            })
            .transpose()
            .map_err(at)?;
        stage_feature(&mut self.staged, self.project, self.target, feature, geometry, &self.mapping).map_err(at)
    }

    pub(super) fn finish(self) -> Result<PreparedImport, IoError> {
        let (path, target, mut staged) = (self.path.as_path(), self.target, self.staged);
        if target == Target::Boundary && staged.boundary.0.is_empty() {
            return Err(IoError::new(path, Problem::NoBoundaryPolygon));
        }
        let features = match target {
            Target::Boundary => staged.boundary.0.len(),
            Target::Divisions => staged.divisions.len(),
            Target::Grids => staged.grids.len(),
            Target::Households => staged.households.len(),
        };
        staged.boundary = dissolve(std::mem::replace(&mut staged.boundary, MultiPolygon(Vec::new())))
            .map_err(|p| IoError::new(path, p))?;
        let mapped = target
            .fields()
            .iter()
            .filter_map(|f| Some((f.name.to_string(), self.mapping.source_of(f.name)?.to_string())))
            .collect();
        let summary =
            ImportSummary { features, source_crs: self.crs.label(), project_crs: self.project.crs.auth_id(), mapped };
        Ok(PreparedImport { target, staged, summary })
    }
}

/// Refuses data far outside where the project CRS can be used (see [`area_of_use`]): a grid at
/// lon −170°, lat −80° would otherwise land, folded, in a 117°E Gauss-Krüger project.
pub(super) struct AreaCheck {
    area: AreaOfUse,
    /// Source coordinates → lon/lat; `None` when the source is lon/lat already (WGS84, CGCS2000,
    /// GCJ-02, BD-09: their differences are metres, far below what this check is about).
    to_lonlat: Option<Transformer>,
    project: String,
}

impl AreaCheck {
    pub(super) fn new(source: &SourceCrs, project: &Crs) -> Result<Option<AreaCheck>, CrsError> {
        let Some(area) = area_of_use(project) else { return Ok(None) };
        let to_lonlat = match source {
            SourceCrs::Epsg(c) if !c.is_geographic() => Some(Transformer::new(source, &crs_from_epsg(4326)?)?),
            _ => None,
        };
        Ok(Some(AreaCheck { area, to_lonlat, project: project.auth_id() }))
    }

    /// Checks the corners of the feature's extent (in the source CRS): a feature lies in one place.
    pub(super) fn check(&self, source_geometry: &Geometry<f64>) -> Result<(), Problem> {
        let Some(r) = source_geometry.bounding_rect() else { return Ok(()) };
        let corners = [r.min(), Coord { x: r.min().x, y: r.max().y }, r.max(), Coord { x: r.max().x, y: r.min().y }];
        for c in corners {
            let lonlat = match &self.to_lonlat {
                Some(t) => t.apply(c)?,
                None => c,
            };
            if !self.area.contains(lonlat.x, lonlat.y) {
                let a = &self.area;
                return Err(Problem::FarOutsideCrs {
                    x: c.x,
                    y: c.y,
                    lon: lonlat.x,
                    lat: lonlat.y,
                    crs: self.project.clone(),
                    area: [a.lon_min, a.lon_max, a.lat_min, a.lat_max],
                });
            }
        }
        Ok(())
    }
}

/// What an import will add, held back until every feature has passed.
pub(super) struct Staged {
    pub(super) boundary: MultiPolygon<f64>,
    pub(super) divisions: BTreeMap<String, Division>,
    pub(super) grids: Vec<Grid>,
    pub(super) households: Vec<HouseholdPoint>,
}

impl Default for Staged {
    fn default() -> Staged {
        Staged {
            boundary: MultiPolygon(Vec::new()),
            divisions: BTreeMap::new(),
            grids: Vec::new(),
            households: Vec::new(),
        }
    }
}

/// Several boundary features (townships of a county, say) become one area: their union. Parts that are
/// not valid polygons are refused with the reason: the overlay library panicked on such rings (found by
/// fuzzing, fuzz/artifacts/shapefile/crash-904b…), and a boundary must be valid anyway.
pub(super) fn dissolve(parts: MultiPolygon<f64>) -> Result<MultiPolygon<f64>, Problem> {
    if parts.0.len() <= 1 {
        return Ok(parts);
    }
    // Polygons without area add nothing to a union, and degenerate ones with extreme coordinates
    // overflowed i_overlay's fixed-point conversion (found by fuzzing, fuzz/artifacts/gpkg_blob).
    let parts: Vec<Polygon<f64>> = parts.0.into_iter().filter(|p| geo::Area::unsigned_area(p) > 0.0).collect();
    if parts.len() <= 1 {
        return Ok(MultiPolygon(parts));
    }
    for (i, part) in parts.iter().enumerate() {
        if let Some(reason) = crate::core::coverage::validity_reason(&MultiPolygon(vec![part.clone()])) {
            return Err(Problem::InvalidBoundaryPart { part: i + 1, reason });
        }
    }
    // A panic inside the overlay library on some input not caught above is still an error about the
    // file, not the end of the program.
    std::panic::catch_unwind(|| geo::unary_union(&parts)).map_err(|_| Problem::BoundaryUnionFailed)
}

pub(super) fn stage_feature(
    staged: &mut Staged,
    project: &Project,
    target: Target,
    feature: &SourceFeature,
    geometry: Option<Geometry<f64>>,
    mapping: &FieldMapping,
) -> Result<(), Problem> {
    match target {
        Target::Boundary => {
            let polygons = polygons_of(geometry)?.ok_or(Problem::ExpectedPolygon { found: GeometryKind::Nothing })?;
            staged.boundary.0.extend(polygons.0);
        }
        Target::Divisions => {
            let code_text = mapping.text(feature, "code");
            let code = DivisionCode::parse(&code_text)?;
            let name = mapping.text(feature, "name");
            if name.is_empty() {
                return Err(Problem::DivisionWithoutName { code: code.to_string() });
            }
            let parent = mapping.text(feature, "parent_code");
            let class_text = mapping.text(feature, "class");
            let class = if class_text.is_empty() {
                code.default_class()
            } else {
                AreaClass::parse(&class_text).ok_or_else(|| Problem::UnknownClass { text: class_text.clone() })?
            };
            if staged.divisions.contains_key(code.as_str()) {
                return Err(Problem::DuplicateDivision { code: code.to_string() });
            }
            let division = Division {
                parent_code: if parent.is_empty() { code.parent().map(str::to_string) } else { Some(parent) },
                polygon: polygons_of(geometry)?,
                name,
                class,
                code,
            };
            staged.divisions.insert(division.code.to_string(), division);
        }
        Target::Grids => {
            let polygons = polygons_of(geometry)?.ok_or(Problem::GridNeedsPolygon { found: GeometryKind::Nothing })?;
            let mut grid = Grid::new(polygons);
            grid.code = mapping.text(feature, "code");
            grid.name = mapping.text(feature, "name");
            grid.village_code = mapping.text(feature, "village_code");
            let kind = mapping.text(feature, "kind");
            grid.kind = if kind.is_empty() {
                GridKind::Basic
            } else {
                GridKind::parse(&kind).ok_or_else(|| Problem::UnknownKind { text: kind.clone() })?
            };
            let class = mapping.text(feature, "class");
            grid.class = if class.is_empty() {
                let village =
                    project.divisions.get(&grid.village_code).or_else(|| staged.divisions.get(&grid.village_code));
                village.map(|v| v.class).unwrap_or_default()
            } else {
                AreaClass::parse(&class).ok_or_else(|| Problem::UnknownClass { text: class.clone() })?
            };
            grid.attrs = GridAttrs {
                households: mapping.count(feature, "households")?,
                population: mapping.count(feature, "population")?,
                party_members: mapping.count(feature, "party_members")?,
                grid_head: mapping.text(feature, "grid_head"),
                grid_staff: mapping.text(feature, "grid_staff"),
                phone: mapping.text(feature, "phone"),
                notes: mapping.text(feature, "notes"),
                valid_from: mapping.text(feature, "valid_from"),
                valid_to: mapping.text(feature, "valid_to"),
            };
            staged.grids.push(grid);
        }
        Target::Households => {
            let Some(Geometry::Point(position)) = geometry else {
                return Err(Problem::HouseholdNeedsPoint { found: GeometryKind::of(geometry.as_ref()) });
            };
            staged.households.push(HouseholdPoint {
                position,
                households: mapping.count(feature, "households")?.unwrap_or(1),
                population: mapping.count(feature, "population")?,
            });
        }
    }
    Ok(())
}

pub(super) fn polygons_of(geometry: Option<Geometry<f64>>) -> Result<Option<MultiPolygon<f64>>, Problem> {
    match geometry {
        None => Ok(None),
        Some(Geometry::Polygon(p)) => Ok(Some(MultiPolygon(vec![p]))),
        Some(Geometry::MultiPolygon(mp)) if !mp.0.is_empty() => Ok(Some(mp)),
        Some(Geometry::MultiPolygon(_)) => Err(Problem::EmptyPolygon),
        Some(other) => Err(Problem::ExpectedPolygon { found: GeometryKind::of(Some(&other)) }),
    }
}

/// Largest coordinate magnitude accepted in projected metres (GK zone-prefixed eastings are ~4.5e7).
pub(super) const MAX_PROJECTED: f64 = 1e9;

/// Why a coordinate is not a number Wangge can work with: not finite, or beyond any CRS's range.
pub(super) fn unusable(c: Coord<f64>) -> Option<Problem> {
    let bad = !c.x.is_finite() || !c.y.is_finite() || c.x.abs() > MAX_PROJECTED || c.y.abs() > MAX_PROJECTED;
    bad.then_some(Problem::UnusableCoordinate { x: c.x, y: c.y })
}

/// The checks import makes on every coordinate, for data used where it is (`wangge check` on a file):
/// finite, not absurdly large, and within longitude/latitude when the CRS is geographic.
pub fn check_coordinates<G: CoordsIter<Scalar = f64>>(geometry: &G, crs: Option<&Crs>) -> Result<(), Problem> {
    let geographic = crs.is_some_and(Crs::is_geographic);
    geometry.coords_iter().try_for_each(|c| {
        if let Some(problem) = unusable(c) {
            return Err(problem);
        }
        if geographic && (c.x.abs() > 180.0 || c.y.abs() > 90.0) {
            return Err(Problem::OutsideLonLat { x: c.x, y: c.y });
        }
        Ok(())
    })
}

/// Checks every coordinate before and after transforming it; rings must be closable polygons.
pub(super) fn transform_checked(
    geometry: &Geometry<f64>,
    t: &Transformer,
    target: &Crs,
) -> Result<Geometry<f64>, Problem> {
    let geographic = target.is_geographic();
    let out = geometry.try_map_coords(|c: Coord<f64>| {
        if let Some(problem) = unusable(c) {
            return Err(problem);
        }
        match t.apply(c) {
            Ok(p) if geographic && (p.x.abs() > 180.0 || p.y.abs() > 90.0) => {
                Err(Problem::OutsideLonLat { x: c.x, y: c.y })
            }
            Ok(p) => Ok(p),
            Err(e) => Err(Problem::Crs(e)),
        }
    })?;
    let short_ring = |p: &Polygon<f64>| {
        std::iter::once(p.exterior()).chain(p.interiors()).map(|r| r.0.len()).find(|&points| points < 4)
    };
    let short = match &out {
        Geometry::Polygon(p) => short_ring(p),
        Geometry::MultiPolygon(mp) => mp.0.iter().find_map(short_ring),
        _ => None,
    };
    if let Some(points) = short {
        // geo closed the ring: its last point is its first.
        return Err(Problem::RingTooShort { points: points.saturating_sub(1) });
    }
    Ok(out)
}
