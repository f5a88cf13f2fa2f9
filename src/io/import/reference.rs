//! Importing roads, rivers, railways or buildings as a reference layer (issue 14): lines or polygons from
//! any supported file, transformed into the project's CRS with every coordinate checked, a name per
//! feature from its name field, and then — all features having passed — put into the project as one
//! layer. A point is refused, naming the file and feature; a layer of a name the project has already is
//! refused unless [`ImportOptions::replace`]; grids, households and the rest are never touched.

use std::path::{Path, PathBuf};

use geo::MultiLineString;

use super::stage::{AreaCheck, transform_checked};
use super::*;
use crate::core::progress::Progress;
use crate::core::{ReferenceFeature, ReferenceGeometry, ReferenceLayer};
use crate::io::crs::Transformer;
use crate::io::error::{GeometryKind, IoError, Problem};
use crate::io::fields::{FieldMapping, REFERENCE_FIELDS};
use crate::io::gpkg::reference_geometry;
use crate::io::source::{SourceFeature, SourceLayer};

/// Imports the features of `source` (read whole) into `project` as the reference layer `name`.
pub fn import_reference_layer(
    project: &mut Project,
    source: &SourceLayer,
    name: &str,
    options: &ImportOptions,
) -> Result<ImportSummary, IoError> {
    let prepared = prepare_reference(project, source, name, options)?;
    project.put_reference_layer(prepared.layer);
    Ok(prepared.summary)
}

/// A reference layer read and checked, not in the project yet: the app asks before it replaces a layer
/// of the same name, and puts it in as one undoable command.
#[derive(Clone, Debug)]
pub struct PreparedReference {
    pub layer: ReferenceLayer,
    pub summary: ImportSummary,
}

impl PreparedReference {
    /// The number of features of the project's layer of the same name, which applying would replace.
    pub fn replaces(&self, project: &Project) -> Option<usize> {
        project.reference_layer(&self.layer.name).map(|old| old.features.len())
    }

    /// The command that puts the layer into `project` (replacing one of the same name, in its place).
    pub fn into_command(self, project: &Project) -> crate::core::edit::Command {
        let mut layers = project.reference_layers.clone();
        crate::core::put_reference_layer_into(&mut layers, self.layer);
        crate::core::edit::Command::SetReferenceLayers(layers)
    }
}

/// Reads and checks the features of `source` (read whole) as the reference layer `name`, changing
/// nothing; a layer of that name in `project` is replaced later only if `options.replace` is set (the
/// app asks instead and sets it).
pub fn prepare_reference(
    project: &Project,
    source: &SourceLayer,
    name: &str,
    options: &ImportOptions,
) -> Result<PreparedReference, IoError> {
    let scan = SourceScan::of(source);
    let mut stager = ReferenceStager::new(project, source, &scan, name, options)?;
    for feature in &source.features {
        stager.feed(feature)?;
    }
    Ok(stager.finish(project))
}

/// Imports the file `path` into `project` as the reference layer `name`, reading it feature by feature
/// after [`scan_source`] read it once (`header`, `scan`). All or nothing.
pub fn import_reference_file(
    project: &mut Project,
    path: &Path,
    header: &SourceLayer,
    scan: &SourceScan,
    name: &str,
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportSummary, IoError> {
    let mut stager = ReferenceStager::new(project, header, scan, name, options)?;
    super::stage_each(path, options, scan, progress, &mut |f| stager.feed(f))?;
    let prepared = stager.finish(project);
    project.put_reference_layer(prepared.layer);
    Ok(prepared.summary)
}

struct ReferenceStager {
    path: PathBuf,
    source_crs: String,
    project_crs: crate::core::Crs,
    transformer: Transformer,
    area: Option<AreaCheck>,
    mapping: FieldMapping,
    layer: ReferenceLayer,
}

impl ReferenceStager {
    fn new(
        project: &Project,
        header: &SourceLayer,
        scan: &SourceScan,
        name: &str,
        options: &ImportOptions,
    ) -> Result<ReferenceStager, IoError> {
        let path = header.path.as_path();
        // Refused before the file is read a second time.
        if !options.replace && project.reference_layer(name).is_some() {
            return Err(IoError::new(path, Problem::ReferenceLayerExists { name: name.to_string() }));
        }
        let crs = source_crs_scanned(header, scan.all_lonlat, options)?;
        let transformer = Transformer::new(&crs, &project.crs).map_err(|e| IoError::new(path, e))?;
        let area =
            if options.force { None } else { AreaCheck::new(&crs, &project.crs).map_err(|e| IoError::new(path, e))? };
        let mapping = FieldMapping::resolve(REFERENCE_FIELDS, &scan.names, &options.field_map)
            .map_err(|p| IoError::new(path, p))?;
        Ok(ReferenceStager {
            path: path.to_path_buf(),
            source_crs: crs.label(),
            project_crs: project.crs.clone(),
            transformer,
            area,
            mapping,
            layer: ReferenceLayer::new(name),
        })
    }

    fn feed(&mut self, feature: &SourceFeature) -> Result<(), IoError> {
        let at = |p: Problem| IoError::at_feature(&self.path, feature.number, p);
        // A record without a shape (a null shape in a shapefile) has nothing to draw: it is left out.
        let Some(geometry) = &feature.geometry else { return Ok(()) };
        if let Err(problem) = reference_geometry(geometry.clone()) {
            return Err(at(problem));
        }
        if let Some(area) = &self.area {
            area.check(geometry).map_err(at)?;
        }
        let transformed = transform_checked(geometry, &self.transformer, &self.project_crs).map_err(at)?;
        let geometry = match reference_geometry(transformed).map_err(at)? {
            // A line needs two points; a part with fewer is nothing to draw or snap to.
            ReferenceGeometry::Lines(lines) => {
                let kept: Vec<_> = lines.0.into_iter().filter(|l| l.0.len() >= 2).collect();
                if kept.is_empty() {
                    return Err(at(Problem::ReferenceNeedsLineOrPolygon { found: GeometryKind::Point }));
                }
                ReferenceGeometry::Lines(MultiLineString(kept))
            }
            ReferenceGeometry::Polygons(polygons) if polygons.0.is_empty() => return Err(at(Problem::EmptyPolygon)),
            polygons => polygons,
        };
        let name = self.mapping.text(feature, "name");
        self.layer.features.push(ReferenceFeature { geometry, name });
        Ok(())
    }

    fn finish(self, project: &Project) -> PreparedReference {
        let mapped = self.mapping.source_of("name").map(|s| vec![("name".to_string(), s.to_string())]);
        let summary = ImportSummary {
            features: self.layer.features.len(),
            source_crs: self.source_crs,
            project_crs: project.crs.auth_id(),
            mapped: mapped.unwrap_or_default(),
        };
        PreparedReference { layer: self.layer, summary }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::core::{Crs, CrsUnits};
    use crate::io::crs::{SourceCrs, crs_from_epsg};
    use crate::io::source::FieldValue;
    use geo::{Geometry, line_string, point, polygon};

    fn source(features: Vec<(Geometry<f64>, &str)>) -> SourceLayer {
        SourceLayer {
            path: PathBuf::from("roads.geojson"),
            layer: "roads".into(),
            crs: Some(SourceCrs::Epsg(crs_from_epsg(4490).unwrap())),
            unrecognised_crs: None,
            features: features
                .into_iter()
                .enumerate()
                .map(|(i, (g, name))| SourceFeature {
                    number: i + 1,
                    geometry: Some(g),
                    fields: BTreeMap::from([("NAME".to_string(), FieldValue::Text(name.into()))]),
                })
                .collect(),
        }
    }

    fn project() -> Project {
        Project::new("t", Crs { epsg: 4548, name: "CGCS2000 GK 117E".into(), units: CrsUnits::Metres })
    }

    #[test]
    fn lines_and_polygons_become_a_named_layer_in_the_project_crs() {
        let mut p = project();
        let road = Geometry::LineString(line_string![(x: 117.0, y: 31.0), (x: 117.01, y: 31.0)]);
        let pond = Geometry::Polygon(polygon![(x: 117.0, y: 31.0), (x: 117.001, y: 31.0), (x: 117.001, y: 31.001)]);
        let s = source(vec![(road, "G205"), (pond, "水塘")]);
        let summary = import_reference_layer(&mut p, &s, "道路", &ImportOptions::default()).unwrap();
        assert_eq!(summary.features, 2);
        assert_eq!(summary.mapped, [("name".to_string(), "NAME".to_string())]);
        let layer = p.reference_layer("道路").unwrap();
        assert_eq!(layer.features[0].name, "G205");
        let ReferenceGeometry::Lines(lines) = &layer.features[0].geometry else { panic!("lines") };
        // 117°E is the zone's central meridian: x is 500 km, and 0.01° of longitude about 954 m there.
        let (a, b) = (lines.0[0].0[0], lines.0[0].0[1]);
        assert!((a.x - 500_000.0).abs() < 0.01, "{a:?}");
        assert!((b.x - a.x - 954.0).abs() < 2.0, "{a:?} {b:?}");
        assert!(matches!(layer.features[1].geometry, ReferenceGeometry::Polygons(_)));
    }

    #[test]
    fn points_and_taken_names_are_refused_and_the_project_is_left_as_it_was() {
        let mut p = project();
        let road = Geometry::LineString(line_string![(x: 117.0, y: 31.0), (x: 117.01, y: 31.0)]);
        let s = source(vec![(road.clone(), "a"), (Geometry::Point(point!(x: 117.0, y: 31.0)), "b")]);
        let e = import_reference_layer(&mut p, &s, "道路", &ImportOptions::default()).unwrap_err();
        assert_eq!(e.feature, Some(2));
        assert!(matches!(*e.problem, Problem::ReferenceNeedsLineOrPolygon { found: GeometryKind::Point }), "{e}");
        assert!(p.reference_layers.is_empty());
        let one = source(vec![(road.clone(), "a")]);
        import_reference_layer(&mut p, &one, "道路", &ImportOptions::default()).unwrap();
        let two = source(vec![(road.clone(), "a"), (road, "b")]);
        let e = import_reference_layer(&mut p, &two, "道路", &ImportOptions::default()).unwrap_err();
        assert!(matches!(&*e.problem, Problem::ReferenceLayerExists { name } if name == "道路"), "{e}");
        assert_eq!(p.reference_layer("道路").unwrap().features.len(), 1);
        let replace = ImportOptions { replace: true, ..ImportOptions::default() };
        import_reference_layer(&mut p, &two, "道路", &replace).unwrap();
        assert_eq!((p.reference_layers.len(), p.reference_layer("道路").unwrap().features.len()), (1, 2));
    }
}
