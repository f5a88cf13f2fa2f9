//! Axis-aligned rectangles in world coordinates: the union of several (a layer's extent, the
//! envelope of a selection), one grown by a margin on every side, and one as an R-tree entry.

use geo::{Coord, Rect};
use rstar::primitives::{GeomWithData, Rectangle};

/// A rectangle in an R-tree, carrying `data` (a grid's id, an item's index, a slot).
pub type RectEntry<T> = GeomWithData<Rectangle<[f64; 2]>, T>;

/// `data` in an R-tree under the rectangle `r`.
pub fn rect_entry<T>(r: Rect<f64>, data: T) -> RectEntry<T> {
    GeomWithData::new(Rectangle::from_corners(r.min().into(), r.max().into()), data)
}

/// The smallest rectangle holding both.
pub fn union(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        Coord { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
        Coord { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
    )
}

/// The smallest rectangle holding them all; `None` for none.
///
/// ```
/// use geo::{Coord, Rect};
/// use wangge::core::rect::union_all;
/// let a = Rect::new(Coord { x: 0., y: 0. }, Coord { x: 1., y: 1. });
/// let b = Rect::new(Coord { x: 5., y: -2. }, Coord { x: 6., y: 0. });
/// assert_eq!(union_all([a, b]), Some(Rect::new(Coord { x: 0., y: -2. }, Coord { x: 6., y: 1. })));
/// assert_eq!(union_all([]), None);
/// ```
pub fn union_all(rects: impl IntoIterator<Item = Rect<f64>>) -> Option<Rect<f64>> {
    rects.into_iter().reduce(union)
}

/// The rectangle grown by `margin` (in its own units) on every side.
pub fn grow(r: Rect<f64>, margin: f64) -> Rect<f64> {
    Rect::new(
        Coord { x: r.min().x - margin, y: r.min().y - margin },
        Coord { x: r.max().x + margin, y: r.max().y + margin },
    )
}
