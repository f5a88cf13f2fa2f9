//! Which fields of a grid changed from one state to another: what a conflict says each side did.

use crate::core::Grid;

/// A field of a grid record, or the grid's coming or going.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Added,
    Deleted,
    Geometry,
    Code,
    Name,
    Kind,
    Class,
    Village,
    Households,
    Population,
    PartyMembers,
    GridHead,
    GridStaff,
    Phone,
    Notes,
    ValidFrom,
    ValidTo,
}

impl Field {
    /// The column name (as in the GeoPackage and the database).
    pub fn key(self) -> &'static str {
        match self {
            Field::Added => "added",
            Field::Deleted => "deleted",
            Field::Geometry => "geometry",
            Field::Code => "code",
            Field::Name => "name",
            Field::Kind => "kind",
            Field::Class => "class",
            Field::Village => "village_code",
            Field::Households => "households",
            Field::Population => "population",
            Field::PartyMembers => "party_members",
            Field::GridHead => "grid_head",
            Field::GridStaff => "grid_staff",
            Field::Phone => "phone",
            Field::Notes => "notes",
            Field::ValidFrom => "valid_from",
            Field::ValidTo => "valid_to",
        }
    }
}

/// The fields that differ from `before` to `after`, in field order; a grid that appears is
/// [`Field::Added`], one that goes [`Field::Deleted`].
///
/// ```
/// use geo::{MultiPolygon, polygon};
/// use wangge::core::Grid;
/// use wangge::core::merge::{Field, changed_fields};
/// let before = Grid::new(MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.)]]));
/// let mut after = before.clone();
/// after.name = "城南".into();
/// after.attrs.households = Some(420);
/// assert_eq!(changed_fields(Some(&before), Some(&after)), [Field::Name, Field::Households]);
/// assert_eq!(changed_fields(Some(&before), None), [Field::Deleted]);
/// assert!(changed_fields(Some(&before), Some(&before)).is_empty());
/// ```
pub fn changed_fields(before: Option<&Grid>, after: Option<&Grid>) -> Vec<Field> {
    let (b, a) = match (before, after) {
        (None, None) => return Vec::new(),
        (None, Some(_)) => return vec![Field::Added],
        (Some(_), None) => return vec![Field::Deleted],
        (Some(b), Some(a)) => (b, a),
    };
    let (x, y) = (&b.attrs, &a.attrs);
    [
        (Field::Geometry, b.geometry != a.geometry),
        (Field::Code, b.code != a.code),
        (Field::Name, b.name != a.name),
        (Field::Kind, b.kind != a.kind),
        (Field::Class, b.class != a.class),
        (Field::Village, b.village_code != a.village_code),
        (Field::Households, x.households != y.households),
        (Field::Population, x.population != y.population),
        (Field::PartyMembers, x.party_members != y.party_members),
        (Field::GridHead, x.grid_head != y.grid_head),
        (Field::GridStaff, x.grid_staff != y.grid_staff),
        (Field::Phone, x.phone != y.phone),
        (Field::Notes, x.notes != y.notes),
        (Field::ValidFrom, x.valid_from != y.valid_from),
        (Field::ValidTo, x.valid_to != y.valid_to),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect()
}
