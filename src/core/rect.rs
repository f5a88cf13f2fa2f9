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

/// The rectangle both cover, when they share area; `None` when they are apart or only touch.
///
/// ```
/// use geo::{Coord, Rect};
/// use wangge::core::rect::overlap;
/// let a = Rect::new(Coord { x: 0., y: 0. }, Coord { x: 4., y: 4. });
/// let b = Rect::new(Coord { x: 2., y: 1. }, Coord { x: 9., y: 3. });
/// assert_eq!(overlap(a, b), Some(Rect::new(Coord { x: 2., y: 1. }, Coord { x: 4., y: 3. })));
/// let touching = Rect::new(Coord { x: 4., y: 0. }, Coord { x: 5., y: 4. });
/// assert_eq!(overlap(a, touching), None);
/// ```
pub fn overlap(a: Rect<f64>, b: Rect<f64>) -> Option<Rect<f64>> {
    let min = Coord { x: a.min().x.max(b.min().x), y: a.min().y.max(b.min().y) };
    let max = Coord { x: a.max().x.min(b.max().x), y: a.max().y.min(b.max().y) };
    (min.x < max.x && min.y < max.y).then(|| Rect::new(min, max))
}

/// The rectangle both cover, their edges included: also when they only touch (a line or a point);
/// `None` when they are apart. (Where two rings can meet: parts whose boxes touch can share a segment
/// along that edge.)
///
/// ```
/// use geo::{Coord, Rect};
/// use wangge::core::rect::meeting;
/// let a = Rect::new(Coord { x: 0., y: 0. }, Coord { x: 4., y: 4. });
/// let touching = Rect::new(Coord { x: 4., y: 1. }, Coord { x: 5., y: 2. });
/// assert_eq!(meeting(a, touching), Some(Rect::new(Coord { x: 4., y: 1. }, Coord { x: 4., y: 2. })));
/// assert_eq!(meeting(a, Rect::new(Coord { x: 5., y: 0. }, Coord { x: 6., y: 1. })), None);
/// ```
pub fn meeting(a: Rect<f64>, b: Rect<f64>) -> Option<Rect<f64>> {
    let min = Coord { x: a.min().x.max(b.min().x), y: a.min().y.max(b.min().y) };
    let max = Coord { x: a.max().x.min(b.max().x), y: a.max().y.min(b.max().y) };
    (min.x <= max.x && min.y <= max.y).then(|| Rect::new(min, max))
}

/// Whether `inner` lies within `outer` (their edges may touch).
///
/// ```
/// use geo::{Coord, Rect};
/// use wangge::core::rect::contains;
/// let outer = Rect::new(Coord { x: 0., y: 0. }, Coord { x: 4., y: 4. });
/// assert!(contains(outer, Rect::new(Coord { x: 0., y: 1. }, Coord { x: 2., y: 4. })));
/// assert!(!contains(outer, Rect::new(Coord { x: 3., y: 1. }, Coord { x: 5., y: 2. })));
/// ```
pub fn contains(outer: Rect<f64>, inner: Rect<f64>) -> bool {
    outer.min().x <= inner.min().x
        && outer.min().y <= inner.min().y
        && inner.max().x <= outer.max().x
        && inner.max().y <= outer.max().y
}
