//! Thematic maps: each grid put in a class by what planners look at most — its households against the
//! band for its urban/rural class, its village, or the state of its code. One function per theme; the
//! app colours the classes and draws the legend, computed once per project revision.

use std::collections::BTreeMap;

use geo::BoundingRect;

use super::codes::{CodeIssue, CodeRule, HouseholdCounts, check_codes, household_band};
use super::{AreaClass, GridId, Project, share_an_edge};

/// What the grids are coloured by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Theme {
    /// Households against the band for the grid's class (below / in / above).
    Households,
    /// The grid's village (村/社区); neighbouring villages get different colours.
    Village,
    /// Valid, missing, duplicate, malformed, for another village, in no village.
    CodeStatus,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::Households, Theme::Village, Theme::CodeStatus];
}

/// A grid's households against its band.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HouseholdClass {
    Below,
    Within,
    Above,
    /// No household points in the project and no households attribute on the grid.
    Unknown,
}

impl HouseholdClass {
    pub const ALL: [HouseholdClass; 4] =
        [HouseholdClass::Below, HouseholdClass::Within, HouseholdClass::Above, HouseholdClass::Unknown];
}

/// The state of a grid's code, worst first when a grid has several problems.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CodeStatus {
    /// No code at all.
    Missing,
    /// Another grid has the same code.
    Duplicate,
    /// Wrong length or characters for the rule.
    BadForm,
    /// Well formed, but for another village (or kind) than the grid's.
    WrongPrefix,
    /// The grid lies in no village, so its code cannot be checked against one.
    NoVillage,
    Valid,
}

impl CodeStatus {
    pub const ALL: [CodeStatus; 6] = [
        CodeStatus::Valid,
        CodeStatus::Missing,
        CodeStatus::Duplicate,
        CodeStatus::BadForm,
        CodeStatus::WrongPrefix,
        CodeStatus::NoVillage,
    ];
}

/// Households per grid as `wangge stats` counts them: from the household points when the project has
/// any (a grid without points has none), else the grid's own households attribute.
pub fn households_per_grid(project: &Project, counted: Option<&HouseholdCounts>) -> BTreeMap<GridId, Option<u64>> {
    project
        .grids
        .values()
        .map(|g| {
            let n = if project.households.is_empty() {
                g.attrs.households.map(u64::from)
            } else {
                Some(counted.and_then(|c| c.per_grid.get(&g.id)).map_or(0, |c| c.households))
            };
            (g.id, n)
        })
        .collect()
}

/// Each grid's households against the band of its class ([`household_band`]): below the lower end,
/// within it (ends included), above the upper end, or unknown.
pub fn by_households(
    project: &Project,
    households: &BTreeMap<GridId, Option<u64>>,
) -> BTreeMap<GridId, HouseholdClass> {
    let bands = [AreaClass::Urban, AreaClass::Rural].map(|c| household_band(project, c));
    project
        .grids
        .values()
        .map(|g| {
            let (lo, hi) = bands[if g.class == AreaClass::Urban { 0 } else { 1 }];
            let class = match households.get(&g.id).copied().flatten() {
                None => HouseholdClass::Unknown,
                Some(n) if n < lo => HouseholdClass::Below,
                Some(n) if n > hi => HouseholdClass::Above,
                Some(_) => HouseholdClass::Within,
            };
            (g.id, class)
        })
        .collect()
}

/// Each grid's code status by [`check_codes`]; a grid with several problems shows the worst.
pub fn by_code_status(project: &Project, rule: &CodeRule) -> BTreeMap<GridId, CodeStatus> {
    let mut out: BTreeMap<GridId, CodeStatus> = project.grids.keys().map(|id| (*id, CodeStatus::Valid)).collect();
    let mut mark = |id: GridId, status: CodeStatus| {
        if let Some(s) = out.get_mut(&id) {
            *s = (*s).min(status);
        }
    };
    for issue in check_codes(project, rule) {
        match issue {
            CodeIssue::Duplicate { grids, .. } => grids.into_iter().for_each(|g| mark(g, CodeStatus::Duplicate)),
            CodeIssue::BadFormat { grid, code, .. } if code.trim().is_empty() => mark(grid, CodeStatus::Missing),
            CodeIssue::BadFormat { grid, .. } => mark(grid, CodeStatus::BadForm),
            CodeIssue::PrefixMismatch { grid, .. } => mark(grid, CodeStatus::WrongPrefix),
            CodeIssue::NoVillage { grid } => mark(grid, CodeStatus::NoVillage),
            CodeIssue::SequenceHole { .. } => {}
        }
    }
    // A grid in no village with no code at all: missing is what to fix first.
    for g in project.grids.values().filter(|g| g.code.trim().is_empty()) {
        mark(g.id, CodeStatus::Missing);
    }
    out
}

/// Grids by village: each grid's village code (`None` when it has none), and a colour index per village
/// such that two villages whose grids share an edge never get the same one (greedy, in code order).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VillageTheme {
    pub of_grid: BTreeMap<GridId, Option<String>>,
    pub colour: BTreeMap<String, u8>,
}

pub fn by_village(project: &Project, colours: usize) -> VillageTheme {
    let of_grid: BTreeMap<GridId, Option<String>> = project
        .grids
        .values()
        .map(|g| {
            let code = g.village_code.trim();
            (g.id, (!code.is_empty()).then(|| code.to_string()))
        })
        .collect();
    let tree = project.grid_tree();
    // Villages that touch: a grid of one shares an edge with a grid of the other.
    let mut touching: BTreeMap<&str, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for g in project.grids.values() {
        let Some(Some(mine)) = of_grid.get(&g.id) else { continue };
        touching.entry(mine.as_str()).or_default();
        let Some(e) = g.geometry.bounding_rect() else { continue };
        for n in tree.locate_in_envelope_intersecting(rstar::AABB::from_corners(e.min().into(), e.max().into())) {
            let Some(Some(theirs)) = of_grid.get(&n.data) else { continue };
            if theirs != mine
                && project.grids.get(&n.data).is_some_and(|other| share_an_edge(&g.geometry, &other.geometry))
            {
                touching.entry(mine.as_str()).or_default().insert(theirs.as_str());
            }
        }
    }
    let mut colour: BTreeMap<String, u8> = BTreeMap::new();
    for (village, neighbours) in &touching {
        let mut used = vec![0usize; colours.max(1)];
        for n in neighbours {
            if let Some(c) = colour.get(*n) {
                used[*c as usize] += 1;
            }
        }
        let pick = used
            .iter()
            .position(|&u| u == 0)
            .unwrap_or_else(|| used.iter().enumerate().min_by_key(|(_, u)| **u).map_or(0, |(i, _)| i));
        colour.insert((*village).to_string(), pick as u8);
    }
    VillageTheme { of_grid, colour }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::codes::count_households;
    use crate::core::{Crs, CrsUnits, Grid, HouseholdPoint};
    use geo::{MultiPolygon, Point, polygon};

    fn square(x: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![(x: x, y: 0.), (x: x + 100., y: 0.), (x: x + 100., y: 100.), (x: x, y: 100.)]])
    }

    fn project(n: usize) -> Project {
        let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        for i in 0..n {
            p.add_grid(Grid::new(square(i as f64 * 100.0)));
        }
        p
    }

    #[test]
    fn households_against_the_band_of_each_class_from_the_attribute() {
        let mut p = project(5);
        let set = |p: &mut Project, id: GridId, class: AreaClass, n: Option<u32>| {
            let g = p.grids.get_mut(&id).unwrap();
            g.class = class;
            g.attrs.households = n;
        };
        set(&mut p, 1, AreaClass::Urban, Some(299));
        set(&mut p, 2, AreaClass::Urban, Some(300));
        set(&mut p, 3, AreaClass::Urban, Some(501));
        // 501 is within the rural band (100–800), and the band is a project setting.
        set(&mut p, 4, AreaClass::Rural, Some(501));
        set(&mut p, 5, AreaClass::Rural, None);
        let classes = by_households(&p, &households_per_grid(&p, None));
        use HouseholdClass::*;
        assert_eq!(classes.values().copied().collect::<Vec<_>>(), [Below, Within, Above, Within, Unknown]);
        p.settings.insert("households.rural".into(), "100-500".into());
        assert_eq!(by_households(&p, &households_per_grid(&p, None))[&4], Above);
    }

    #[test]
    fn household_points_win_over_the_attribute_as_in_wangge_stats() {
        let mut p = project(2);
        p.grids.get_mut(&1).unwrap().attrs.households = Some(400);
        p.grids.get_mut(&2).unwrap().attrs.households = Some(400);
        p.households.push(HouseholdPoint { position: Point::new(50.0, 50.0), households: 150, population: None });
        let counts = count_households(&p);
        let per_grid = households_per_grid(&p, Some(&counts));
        assert_eq!(per_grid[&1], Some(150));
        // No point in grid 2: it has none, whatever its attribute says.
        assert_eq!(per_grid[&2], Some(0));
        let classes = by_households(&p, &per_grid);
        assert_eq!((classes[&1], classes[&2]), (HouseholdClass::Within, HouseholdClass::Below));
    }

    #[test]
    fn code_status_valid_missing_duplicate_bad_form_wrong_prefix_no_village() {
        let mut p = project(6);
        let rule = CodeRule::parse("{village12}{seq:3}").unwrap();
        let codes = [
            ("341823100001001", "341823100001"),
            ("", "341823100001"),
            ("341823100001002", "341823100001"),
            ("341823100001002", "341823100001"),
            ("34182310", "341823100001"),
            ("341823100002005", "341823100001"),
        ];
        for (i, (code, village)) in codes.iter().enumerate() {
            let g = p.grids.get_mut(&(i as u64 + 1)).unwrap();
            g.code = code.to_string();
            g.village_code = village.to_string();
        }
        let status = by_code_status(&p, &rule);
        use CodeStatus::*;
        assert_eq!(
            status.values().copied().collect::<Vec<_>>(),
            [Valid, Missing, Duplicate, Duplicate, BadForm, WrongPrefix]
        );
        p.grids.get_mut(&1).unwrap().village_code.clear();
        assert_eq!(by_code_status(&p, &rule)[&1], NoVillage);
    }

    #[test]
    fn neighbouring_villages_get_different_colours() {
        let mut p = project(4);
        for (id, v) in [(1, "341823100001"), (2, "341823100001"), (3, "341823100002"), (4, "")] {
            p.grids.get_mut(&id).unwrap().village_code = v.to_string();
        }
        let theme = by_village(&p, 8);
        assert_eq!(theme.of_grid[&1].as_deref(), Some("341823100001"));
        assert_eq!(theme.of_grid[&4], None);
        assert_eq!(theme.colour.len(), 2);
        assert_ne!(theme.colour["341823100001"], theme.colour["341823100002"]);
    }
}
