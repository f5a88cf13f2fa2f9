//! The project model: what a planner partitions (the boundary), the official divisions, the grids and the
//! household points. Pure data — no file I/O and no GUI here.

use std::collections::{BTreeMap, BTreeSet};

use geo::{BoundingRect, MultiPolygon, Point, Rect};

use super::crs::Crs;
use super::division_code::DivisionCode;
use super::rect::{RectEntry, rect_entry};
use super::reference::ReferenceLayer;

/// Stable identifier of a grid: assigned once, never reused, survives renumbering of codes.
pub type GridId = u64;

/// 基础网格 (basic) or 专属网格 (dedicated: a school, hospital, market, industrial park …).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GridKind {
    #[default]
    Basic,
    Dedicated,
}

impl GridKind {
    pub const ALL: [GridKind; 2] = [GridKind::Basic, GridKind::Dedicated];

    /// The Chinese name used in files exchanged with county offices.
    pub fn label_zh(self) -> &'static str {
        match self {
            GridKind::Basic => "基础网格",
            GridKind::Dedicated => "专属网格",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            GridKind::Basic => "basic",
            GridKind::Dedicated => "dedicated",
        }
    }

    /// Accepts the key, the Chinese name or a short form as found in planners' spreadsheets.
    pub fn parse(text: &str) -> Option<GridKind> {
        match text.trim() {
            "basic" | "基础网格" | "基础" | "1" => Some(GridKind::Basic),
            "dedicated" | "专属网格" | "专属" | "2" => Some(GridKind::Dedicated),
            _ => None,
        }
    }
}

/// 城市 (urban) or 农村 (rural) — decides the household band a grid should fall in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AreaClass {
    Urban,
    #[default]
    Rural,
}

impl AreaClass {
    pub fn label_zh(self) -> &'static str {
        match self {
            AreaClass::Urban => "城市",
            AreaClass::Rural => "农村",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            AreaClass::Urban => "urban",
            AreaClass::Rural => "rural",
        }
    }

    pub fn parse(text: &str) -> Option<AreaClass> {
        match text.trim() {
            "urban" | "城市" | "城镇" | "城" => Some(AreaClass::Urban),
            "rural" | "农村" | "乡村" | "农" => Some(AreaClass::Rural),
            _ => None,
        }
    }
}

/// A township (9-digit code) or village/community (12-digit code) from the statistics bureau's list.
#[derive(Clone, Debug, PartialEq)]
pub struct Division {
    pub code: DivisionCode,
    pub name: String,
    /// The township of a village, the county of a township.
    pub parent_code: Option<String>,
    pub class: AreaClass,
    /// Planners often have the official list without polygons; the polygon is optional.
    pub polygon: Option<MultiPolygon<f64>>,
}

/// The attributes a grid record carries besides its geometry (see DESIGN.md §1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GridAttrs {
    pub households: Option<u32>,
    pub population: Option<u32>,
    pub party_members: Option<u32>,
    /// 网格长
    pub grid_head: String,
    /// 网格员 (one or more names)
    pub grid_staff: String,
    pub phone: String,
    pub notes: String,
    /// ISO dates (YYYY-MM-DD); grids are split and merged over time, history is kept rather than overwritten.
    pub valid_from: String,
    pub valid_to: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub id: GridId,
    /// The grid code by the county's rule (default: 12-digit village code + 3-digit sequence).
    pub code: String,
    pub name: String,
    pub kind: GridKind,
    pub class: AreaClass,
    pub village_code: String,
    /// Usually one polygon; several parts (an island) are allowed and listed for review by the checker.
    pub geometry: MultiPolygon<f64>,
    pub attrs: GridAttrs,
}

/// A household or building point; `households` is how many households the point stands for.
#[derive(Clone, Debug, PartialEq)]
pub struct HouseholdPoint {
    pub position: Point<f64>,
    pub households: u32,
    pub population: Option<u32>,
}

/// The whole project, as saved in one GeoPackage file.
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    pub name: String,
    pub crs: Crs,
    /// Fixed precision in CRS units (1 mm for projected CRSs, 1e-8° for geographic) used when comparing vertices.
    pub precision: f64,
    /// The area to partition: a township or a county.
    pub boundary: MultiPolygon<f64>,
    pub divisions: BTreeMap<String, Division>,
    pub grids: BTreeMap<GridId, Grid>,
    pub households: Vec<HouseholdPoint>,
    /// Roads, rivers, buildings … drawn under the grids and snapped to, in the order they were added.
    pub reference_layers: Vec<ReferenceLayer>,
    /// Next id to hand out; ids are never reused, even after a grid is deleted.
    pub next_grid_id: GridId,
    /// Free-form settings kept with the project (code rule, household bands …), saved in `wangge_project`.
    pub settings: BTreeMap<String, String>,
    /// Grids shown but not to be changed: a township's check-out holds its neighbours' border grids
    /// read-only (`wangge db checkout`). The edit commands refuse to change them.
    pub read_only_grids: BTreeSet<GridId>,
}

impl Project {
    /// Moves grids to new ids, `(from, to)` pairs (new grids a shared database stored under other ids):
    /// all are taken out before any goes back, so that one's new id cannot land on another's old one.
    pub fn renumber_grids(&mut self, moves: &[(GridId, GridId)]) {
        let moved: Vec<(GridId, Grid)> =
            moves.iter().filter_map(|&(from, to)| Some((to, self.grids.remove(&from)?))).collect();
        for (to, mut grid) in moved {
            grid.id = to;
            self.next_grid_id = self.next_grid_id.max(to + 1);
            self.grids.insert(to, grid);
        }
    }

    /// A copy of everything but the grids (cheap for a project of many grids).
    pub fn without_grids(&self) -> Project {
        let mut p = Project::new(self.name.clone(), self.crs.clone());
        p.precision = self.precision;
        p.boundary = self.boundary.clone();
        p.divisions = self.divisions.clone();
        p.households = self.households.clone();
        p.reference_layers = self.reference_layers.clone();
        p.next_grid_id = self.next_grid_id;
        p.settings = self.settings.clone();
        p
    }

    pub fn new(name: impl Into<String>, crs: Crs) -> Project {
        Project {
            name: name.into(),
            precision: crs.default_precision(),
            crs,
            boundary: MultiPolygon(Vec::new()),
            divisions: BTreeMap::new(),
            grids: BTreeMap::new(),
            households: Vec::new(),
            reference_layers: Vec::new(),
            next_grid_id: 1,
            settings: BTreeMap::new(),
            read_only_grids: BTreeSet::new(),
        }
    }

    /// The household points in an R-tree, each with its index in `households`.
    pub fn household_tree(&self) -> rstar::RTree<rstar::primitives::GeomWithData<[f64; 2], usize>> {
        rstar::RTree::bulk_load(
            self.households
                .iter()
                .enumerate()
                .map(|(i, h)| rstar::primitives::GeomWithData::new([h.position.x(), h.position.y()], i))
                .collect(),
        )
    }

    /// The grids' bounding boxes in an R-tree, each with its grid's id.
    pub fn grid_tree(&self) -> rstar::RTree<RectEntry<GridId>> {
        let boxes = self.grids.values().filter_map(|g| Some(rect_entry(g.geometry.bounding_rect()?, g.id)));
        rstar::RTree::bulk_load(boxes.collect())
    }

    /// Adds a grid under a fresh id and returns that id (the grid's own `id` field is overwritten).
    pub fn add_grid(&mut self, mut grid: Grid) -> GridId {
        let id = self.next_grid_id;
        self.next_grid_id += 1;
        grid.id = id;
        self.grids.insert(id, grid);
        id
    }

    pub fn townships(&self) -> impl Iterator<Item = &Division> {
        self.divisions.values().filter(|d| d.code.is_township())
    }

    pub fn villages(&self) -> impl Iterator<Item = &Division> {
        self.divisions.values().filter(|d| d.code.is_village())
    }

    /// The reference layer called `name`, if the project has one.
    pub fn reference_layer(&self, name: &str) -> Option<&ReferenceLayer> {
        self.reference_layers.iter().find(|layer| layer.name == name)
    }

    /// Puts `layer` in the project: in place of the reference layer of the same name (true), else on top
    /// of the others (false).
    pub fn put_reference_layer(&mut self, layer: ReferenceLayer) -> bool {
        crate::core::put_reference_layer_into(&mut self.reference_layers, layer)
    }

    /// The label of grid `id` ([`Grid::label`]); `#id` when there is no such grid.
    pub fn grid_label(&self, id: GridId) -> String {
        self.grids.get(&id).map_or_else(|| format!("#{id}"), Grid::label)
    }

    /// The bounding box of everything in the project, if it has any geometry.
    pub fn extent(&self) -> Option<Rect<f64>> {
        let mut rects: Vec<Rect<f64>> = Vec::new();
        rects.extend(self.boundary.bounding_rect());
        rects.extend(self.grids.values().filter_map(|g| g.geometry.bounding_rect()));
        rects.extend(self.divisions.values().filter_map(|d| d.polygon.as_ref()?.bounding_rect()));
        rects.extend(self.households.iter().map(|h| Rect::new(h.position.0, h.position.0)));
        rects.extend(self.reference_layers.iter().filter_map(|layer| layer.extent()));
        super::rect::union_all(rects)
    }
}

impl Grid {
    /// How the grid is named to people: its code, or `#id` before it has one.
    pub fn label(&self) -> String {
        if self.code.is_empty() { format!("#{}", self.id) } else { self.code.clone() }
    }

    /// Its label, then its name when it has one (the neighbours of a grid's 四至).
    pub fn label_with_name(&self) -> String {
        if self.name.is_empty() { self.label() } else { format!("{} {}", self.label(), self.name) }
    }

    /// A grid with no attributes yet; the project assigns its id in [`Project::add_grid`].
    pub fn new(geometry: MultiPolygon<f64>) -> Grid {
        Grid {
            id: 0,
            code: String::new(),
            name: String::new(),
            kind: GridKind::Basic,
            class: AreaClass::Rural,
            village_code: String::new(),
            geometry,
            attrs: GridAttrs::default(),
        }
    }
}
