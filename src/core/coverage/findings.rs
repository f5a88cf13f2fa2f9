//! What the coverage check reports: one finding per problem, with the items involved, a geometry to
//! highlight, and its size.

use geo::Geometry;

use super::validator::Cause;
use super::validity::InvalidReason;

/// Kinds, worst first (the order reports are sorted in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    Invalid,
    Duplicate,
    Overlap,
    Gap,
    Outside,
    EdgeMismatch,
    VillageCrossing,
    NoVillage,
    /// Not an error: a grid in several parts or with holes, listed for review.
    Note,
}

impl FindingKind {
    pub const ALL: [FindingKind; 9] = [
        FindingKind::Invalid,
        FindingKind::Duplicate,
        FindingKind::Overlap,
        FindingKind::Gap,
        FindingKind::Outside,
        FindingKind::EdgeMismatch,
        FindingKind::VillageCrossing,
        FindingKind::NoVillage,
        FindingKind::Note,
    ];

    /// The key used in JSON output.
    pub fn key(self) -> &'static str {
        match self {
            FindingKind::Invalid => "invalid",
            FindingKind::Duplicate => "duplicate",
            FindingKind::Overlap => "overlap",
            FindingKind::Gap => "gap",
            FindingKind::Outside => "outside",
            FindingKind::EdgeMismatch => "edge_mismatch",
            FindingKind::VillageCrossing => "village_crossing",
            FindingKind::NoVillage => "no_village",
            FindingKind::Note => "note",
        }
    }

    pub fn is_error(self) -> bool {
        self != FindingKind::Note
    }
}

/// Details that messages are written from.
#[derive(Clone, Debug, PartialEq)]
pub enum Detail {
    /// Why the polygon is not valid.
    Invalid(InvalidReason),
    Duplicate,
    /// An area claimed by two or more grids (all of them in `items`).
    Overlap,
    /// Inside the boundary (or enclosed by grids) but covered by no grid.
    Gap {
        enclosed: bool,
    },
    Outside,
    /// Segments that do not match, with the kinds of mismatch found.
    EdgeMismatch {
        segments: usize,
        causes: Vec<Cause>,
    },
    /// The villages the grid lies in, with the area in each.
    VillageCrossing {
        villages: Vec<(String, f64)>,
    },
    NoVillage,
    /// A grid in `parts` parts with `holes` holes.
    Note {
        parts: usize,
        holes: usize,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub kind: FindingKind,
    /// 0-based positions of the items involved in the checked input.
    pub items: Vec<usize>,
    /// What to highlight: the overlap or gap polygon, the mismatched edges, the invalid grid.
    pub geometry: Geometry<f64>,
    /// Square metres (input units² for planar data).
    pub area: Option<f64>,
    /// Metres (input units for planar data): twice the radius of the largest inscribed circle.
    pub width: Option<f64>,
    pub detail: Detail,
}

/// The result of a check.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub items: usize,
    pub vertices: usize,
    pub findings: Vec<Finding>,
}

impl Report {
    /// True when nothing but notes was found.
    pub fn ok(&self) -> bool {
        self.findings.iter().all(|f| !f.kind.is_error())
    }

    pub fn count(&self, kind: FindingKind) -> usize {
        self.findings.iter().filter(|f| f.kind == kind).count()
    }
}

/// Pairs of identical grids joined into one finding per set of identical grids (three copies: one finding).
pub(super) fn group_duplicates<'a>(pairs: impl Iterator<Item = &'a Finding>) -> Vec<Finding> {
    let mut groups: Vec<Finding> = Vec::new();
    for pair in pairs {
        match groups.iter_mut().find(|g| pair.items.iter().any(|i| g.items.contains(i))) {
            Some(group) => {
                group.items.extend(pair.items.iter().copied());
                group.items.sort_unstable();
                group.items.dedup();
            }
            None => groups.push(pair.clone()),
        }
    }
    groups
}
