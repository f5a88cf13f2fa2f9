//! One error type for everything that reads or writes files: it always names the file and, where there is
//! one, the feature (1-based, as a user counts rows), then the problem.
//!
//! Problems are typed, carrying the numbers and names they need, like the core's `InvalidReason`: the
//! words for them in each language are `text::io_errors`; the English [`std::fmt::Display`] here is for
//! logs and for callers that have no language.

use std::path::{Path, PathBuf};

use geo::Geometry;

use super::crs::CrsError;
use super::dbf::DbfError;
use super::gpkg::blob::BlobError;
use super::import::Replaced;
use crate::core::DivisionCodeError;
use crate::core::coverage::InvalidReason;
use crate::core::edit::EditError;

#[derive(Debug, thiserror::Error)]
#[error("{}{}: {problem}", path.display(), feature.map(|n| format!(": feature {n}")).unwrap_or_default())]
pub struct IoError {
    pub path: PathBuf,
    pub feature: Option<usize>,
    /// Boxed: errors travel through every `Result` in io, and should stay small there.
    pub problem: Box<Problem>,
}

/// What kind of geometry a feature has, for "expected a polygon, found a line".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeometryKind {
    Nothing,
    Point,
    Line,
    Polygon,
    MultiPoint,
    MultiLine,
    MultiPolygon,
    Collection,
    Rectangle,
}

impl GeometryKind {
    pub fn of(geometry: Option<&Geometry<f64>>) -> GeometryKind {
        match geometry {
            None => GeometryKind::Nothing,
            Some(Geometry::Point(_)) => GeometryKind::Point,
            Some(Geometry::Line(_) | Geometry::LineString(_)) => GeometryKind::Line,
            Some(Geometry::Polygon(_)) => GeometryKind::Polygon,
            Some(Geometry::MultiPoint(_)) => GeometryKind::MultiPoint,
            Some(Geometry::MultiLineString(_)) => GeometryKind::MultiLine,
            Some(Geometry::MultiPolygon(_)) => GeometryKind::MultiPolygon,
            Some(Geometry::GeometryCollection(_)) => GeometryKind::Collection,
            Some(Geometry::Rect(_) | Geometry::Triangle(_)) => GeometryKind::Rectangle,
        }
    }
}

impl std::fmt::Display for GeometryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GeometryKind::Nothing => "no geometry",
            GeometryKind::Point => "a point",
            GeometryKind::Line => "a line",
            GeometryKind::Polygon => "a polygon",
            GeometryKind::MultiPoint => "a multipoint",
            GeometryKind::MultiLine => "a multiline",
            GeometryKind::MultiPolygon => "a multipolygon",
            GeometryKind::Collection => "a geometry collection",
            GeometryKind::Rectangle => "a rectangle",
        })
    }
}

/// Why a GeoPackage is not a Wangge project (or may not become one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotAProject {
    #[error("not a GeoPackage: the file is not an SQLite database")]
    NotSqlite,
    #[error("not a GeoPackage (no gpkg_contents table)")]
    NotGeoPackage,
    #[error(
        "is a GeoPackage but not a Wangge project; bring its layers in with `wangge import FILE --into PROJECT.gpkg --as grids`"
    )]
    PlainGeoPackage,
    #[error("exists and is not a Wangge project; refusing to overwrite it")]
    WouldOverwrite,
}

/// How a .shp file is damaged, found before the shapefile library reads it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShpDamage {
    #[error("record {record} claims {words} words, more than the file holds")]
    RecordTooLong { record: usize, words: i64 },
    #[error("record {record} ends before its counts")]
    CountsCut { record: usize },
    #[error("record {record} claims {parts} parts and {points} points, more than its {bytes} bytes hold")]
    CountsTooLarge { record: usize, parts: i64, points: i64, bytes: usize },
    #[error("record {record}: part {part} starts at point {first} of {points}")]
    BadPartStart { record: usize, part: usize, first: i64, points: i64 },
    /// What the shapefile library said (its own words).
    #[error("{0}")]
    Library(String),
}

/// What a failed write was writing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    Shapefile,
    Workbook,
    Table,
}

/// A project setting a Wangge project must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectKey {
    SchemaVersion,
    CrsEpsg,
}

#[derive(Debug, thiserror::Error)]
pub enum Problem {
    // What the system or a library under us said.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Crs(#[from] CrsError),
    #[error("{0}")]
    Dbf(#[from] DbfError),
    #[error("{0}")]
    Blob(#[from] BlobError),
    /// A database project (issue 16): its URL, its connection, its tables.
    #[error("{0}")]
    Database(#[from] super::postgis::DbError),

    // The file as a whole.
    #[error("unknown file type: use .geojson, .json, .shp, .gpkg or .csv")]
    UnknownInputType,
    #[error("unknown output type: use .gpkg, .geojson, .shp or .csv")]
    UnknownOutputType,
    #[error("not valid JSON: {detail}")]
    NotJson { detail: String },
    #[error("not valid GeoJSON: {detail}")]
    NotGeoJson { detail: String },
    #[error("the .{ext} file is missing")]
    MissingSidecar { ext: &'static str },
    #[error("the .shp has {shapes} shapes but the .dbf has {records} records")]
    ShapeCountMismatch { shapes: usize, records: usize },
    #[error("damaged .shp file: {0}")]
    DamagedShp(ShpDamage),
    #[error("cannot write the {}: {detail}", match what { Written::Shapefile => "shapefile", Written::Workbook => "workbook", Written::Table => "table" })]
    WriteFailed { what: Written, detail: String },
    #[error("text is neither UTF-8 nor GBK")]
    NotUtf8OrGbk,
    #[error("cannot read the header row: {detail}")]
    UnreadableHeader { detail: String },
    #[error("the header has {columns} columns; at most {max} are accepted")]
    TooManyColumns { columns: usize, max: usize },
    #[error(
        "column {column} of the header (\"{start}…\") is {chars} characters long; a column name may have at most {max} — is the first row really a header?"
    )]
    ColumnNameTooLong { column: usize, start: String, chars: usize, max: usize },
    #[error("{detail}")]
    UnreadableRow { detail: String },
    #[error("field {field:?} holds {bytes} bytes; at most {max} are accepted")]
    FieldTooLong { field: String, bytes: usize, max: usize },
    #[error("the table would take more than {max_mb} MB in memory ({columns} columns); split the file")]
    TableTooLarge { max_mb: usize, columns: usize },
    #[error(
        "the file does not say which coordinate system it uses (no .prj / crs); give one with --crs, e.g. --crs EPSG:4490"
    )]
    NoCrs,
    #[error("{}: {reason}; give the CRS with --crs, e.g. --crs EPSG:4549", file.display())]
    UnrecognisedCrs { file: PathBuf, reason: CrsError },
    #[error("has no polygon to use as the boundary")]
    NoBoundaryPolygon,
    #[error("boundary part {part} is not a valid polygon: {reason}")]
    InvalidBoundaryPart { part: usize, reason: InvalidReason },
    #[error("the boundary's parts could not be united (the geometry library failed on them)")]
    BoundaryUnionFailed,
    #[error("the layer has no features with geometry to write")]
    NothingToWrite,
    /// An import that would replace what the project has, refused until asked for.
    #[error(
        "importing this file as {} would replace {}; add --replace to replace {} (nothing was changed)",
        .0.target.name(), .0.describe(), if .0.target == super::import::Target::Boundary { "it" } else { "them" }
    )]
    WouldReplace(Replaced),
    #[error("{0}")]
    Edit(#[from] EditError),

    // GeoPackages and projects.
    #[error("{0}")]
    NotAProject(NotAProject),
    #[error("srs_id {srs_id} is not in gpkg_spatial_ref_sys")]
    UnknownSrsId { srs_id: i32 },
    #[error("no layer {name:?}; layers: {}", layers.join(", "))]
    NoSuchLayer { name: String, layers: Vec<String> },
    #[error("has {} layers; choose one with --layer: {}", layers.len(), layers.join(", "))]
    ChooseLayer { layers: Vec<String> },
    #[error("wangge_project has no valid {}", match key { ProjectKey::SchemaVersion => "schema_version", ProjectKey::CrsEpsg => "crs_epsg" })]
    MissingProjectKey { key: ProjectKey },
    #[error("grid fid {fid} is out of range (1 – {max})")]
    FidOutOfRange { fid: i64, max: i64 },
    #[error("{column} is negative or too large")]
    CountOutOfRange { column: &'static str },
    #[error(
        "this project was written by a newer Wangge (schema {found}); this version reads schema {supported} and older — update Wangge"
    )]
    NewerSchema { found: u32, supported: u32 },
    /// The user cancelled the job; what it was writing is left as it was.
    #[error("cancelled")]
    Cancelled(#[from] crate::core::progress::Cancelled),
    /// A basemap added under a name the project already uses.
    #[error("a basemap named {name:?} exists; remove it first or add with --replace")]
    BasemapExists { name: String },
    /// A stored basemap definition that cannot be read.
    #[error("basemap {name:?}: {detail}")]
    BadBasemap { name: String, detail: String },
    /// An export whose source rows changed between counting them and writing them.
    #[error("the project changed while it was written; write it again")]
    ChangedWhileWriting,
    /// A GeoJSON FeatureCollection without its "features" member.
    #[error("not valid GeoJSON: a FeatureCollection needs \"features\"")]
    CollectionWithoutFeatures,
    /// "features" in a GeoJSON object that is not a FeatureCollection.
    #[error("not valid GeoJSON: \"features\" in a GeoJSON object of type {kind:?}")]
    FeaturesOutsideCollection { kind: String },
    /// A save over a file that another program changed after it was read.
    #[error("was changed by another program after this command read it; nothing was saved — run the command again")]
    ChangedOnDisk,

    // Geometry of one feature.
    #[error("expected a polygon, found {found}")]
    ExpectedPolygon { found: GeometryKind },
    #[error("expected a point, found {found}")]
    ExpectedPoint { found: GeometryKind },
    #[error("expected a polygon, line or point, found a {shape_type}")]
    UnsupportedShape { shape_type: String },
    #[error("the polygon is empty")]
    EmptyPolygon,
    #[error("a grid needs a polygon, found {found}")]
    GridNeedsPolygon { found: GeometryKind },
    #[error("a household needs a point, found {found}")]
    HouseholdNeedsPoint { found: GeometryKind },
    #[error("a position needs at least two numbers (x, y), found [{}]", numbers.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", "))]
    ShortPosition { numbers: Vec<f64> },
    /// What the GeoJSON library said about a geometry (its own words).
    #[error("{detail}")]
    BadGeoJsonGeometry { detail: String },
    #[error("a hole lies outside every outer ring")]
    HoleOutsideShells,
    /// `points`: the distinct points of the ring, without the closing one.
    #[error("a polygon ring has {points} distinct points; it needs at least 3")]
    RingTooShort { points: usize },
    #[error("coordinate ({}, {}) is not a usable number", short_number(*x), short_number(*y))]
    UnusableCoordinate { x: f64, y: f64 },
    #[error("{column} \"{text}\" is not a number")]
    NotANumber { column: String, text: String },
    #[error("coordinate ({}, {}) is outside the range of longitude/latitude", short_number(*x), short_number(*y))]
    OutsideLonLat { x: f64, y: f64 },
    #[error(
        "coordinate ({}, {}) lies at lon {lon:.3}°, lat {lat:.3}°, far outside where the project CRS {crs} can be used (lon {}° – {}°, lat {}° – {}°); give the file's real CRS with --crs, or import anyway with --force",
        short_number(*x), short_number(*y), area[0], area[1], area[2], area[3]
    )]
    FarOutsideCrs { x: f64, y: f64, lon: f64, lat: f64, crs: String, area: [f64; 4] },

    // Attributes of one feature.
    #[error("{0}")]
    DivisionCode(#[from] DivisionCodeError),
    #[error("division {code} has no name")]
    DivisionWithoutName { code: String },
    #[error("division code {code} appears twice in this file")]
    DuplicateDivision { code: String },
    #[error("class {text:?} is not urban/rural (城市/农村)")]
    UnknownClass { text: String },
    #[error("kind {text:?} is not 基础网格 or 专属网格")]
    UnknownKind { text: String },
    #[error("{field} must be a whole number ≥ 0, found {text:?}")]
    NotACount { field: String, text: String },
    #[error("--map {field}=…: unknown field {field:?}; fields here are {}", known.join(", "))]
    UnknownModelField { field: String, known: Vec<&'static str> },
    #[error("--map {field}={source_field}: the file has no field {source_field:?}; it has {}", available.join(", "))]
    NoSuchSourceField { field: String, source_field: String, available: Vec<String> },

    // Reference layers (roads, rivers, buildings).
    #[error("a reference layer needs lines or polygons, found {found}")]
    ReferenceNeedsLineOrPolygon { found: GeometryKind },
    #[error(
        "the project has a reference layer named {name:?}; import with --replace to replace it (nothing was changed)"
    )]
    ReferenceLayerExists { name: String },
}

/// A coordinate as a person would write it: 1e300 rather than three hundred digits.
pub fn short_number(v: f64) -> String {
    if v.is_finite() && v.abs() < 1e9 { v.to_string() } else { format!("{v:e}") }
}

impl IoError {
    pub fn new(path: &Path, problem: impl Into<Problem>) -> IoError {
        IoError { path: path.to_path_buf(), feature: None, problem: Box::new(problem.into()) }
    }

    pub fn at_feature(path: &Path, feature: usize, problem: impl Into<Problem>) -> IoError {
        IoError { path: path.to_path_buf(), feature: Some(feature), problem: Box::new(problem.into()) }
    }
}

/// Attaches a path to lower-level errors in one call: `result.at(path)?`.
pub trait AtPath<T> {
    fn at(self, path: &Path) -> Result<T, IoError>;
}

impl<T, E: Into<Problem>> AtPath<T> for Result<T, E> {
    fn at(self, path: &Path) -> Result<T, IoError> {
        self.map_err(|e| IoError::new(path, e))
    }
}
