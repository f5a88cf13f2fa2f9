//! Label placement for printed maps: each grid's code (and name, when it fits) goes inside the grid, at
//! its pole of inaccessibility or nearby, at the largest size from `base` down to `min` whose box lies
//! wholly inside the grid. A grid too small for even the smallest code gets a leader line to a label
//! placed outside, where it collides with no other label. Labels inside grids cannot collide with each
//! other because grids do not overlap; leader labels are checked against every placed box.

use geo::{Contains, Coord, Intersects, Polygon, Rect};

use super::font::text_width;
use crate::core::GridId;
use crate::core::coverage::maximum_inscribed_circle;

pub const LINE_HEIGHT: f64 = 1.2;

pub struct LabelRequest {
    pub grid: GridId,
    /// The grid's largest part in page coordinates.
    pub polygon: Polygon<f64>,
    /// Code first, then the name (dropped first when space is short).
    pub lines: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlacedLabel {
    pub grid: GridId,
    pub lines: Vec<String>,
    pub size: f64,
    /// The text block on the page.
    pub rect: Rect<f64>,
    /// From a point inside the grid to the label, for labels placed outside.
    pub leader: Option<(Coord<f64>, Coord<f64>)>,
}

fn block(lines: &[String], size: f64, centre: Coord<f64>) -> Rect<f64> {
    let w = lines.iter().map(|l| text_width(l, size)).fold(0.0, f64::max) + size * 0.2;
    let h = lines.len() as f64 * size * LINE_HEIGHT;
    Rect::new(
        Coord { x: centre.x - w / 2.0, y: centre.y - h / 2.0 },
        Coord { x: centre.x + w / 2.0, y: centre.y + h / 2.0 },
    )
}

fn overlaps(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x < b.max().x && b.min().x < a.max().x && a.min().y < b.max().y && b.min().y < a.max().y
}

/// Places labels, largest grids first (they have the most room; small ones then fit around them).
/// Leader labels go where they cover no grid if there is such a place nearby (outside the boundary),
/// else over other grids but never over another label.
pub fn place_labels(
    mut requests: Vec<LabelRequest>,
    base: f64,
    min: f64,
    bounds: Rect<f64>,
    obstacles: &[Rect<f64>],
) -> Vec<PlacedLabel> {
    use geo::Area;
    requests.sort_by(|a, b| b.polygon.unsigned_area().total_cmp(&a.polygon.unsigned_area()).then(a.grid.cmp(&b.grid)));
    let all_polygons: Vec<Polygon<f64>> = requests.iter().map(|r| r.polygon.clone()).collect();
    let mut placed: Vec<PlacedLabel> = Vec::new();
    let mut leader_candidates = Vec::new();
    for r in requests {
        if r.lines.is_empty() {
            continue;
        }
        match place_inside(&r, base, min) {
            Some(label) => placed.push(label),
            None => leader_candidates.push(r),
        }
    }
    // Leader labels after all inside labels, so they avoid every one of them.
    let shapes: Vec<(Rect<f64>, &Polygon<f64>)> = requests_shapes(&all_polygons);
    for r in leader_candidates {
        let label = place_outside(&r, min, bounds, obstacles, &placed, &shapes);
        placed.push(label);
    }
    placed.sort_by_key(|l| l.grid);
    placed
}

/// Whether more than `limit` of the requests cannot be placed inside their grid at `min` or larger
/// (they would need a leader line); stops counting as soon as that is known.
pub fn more_unfit_than(requests: &[LabelRequest], base: f64, min: f64, limit: usize) -> bool {
    requests.iter().filter(|r| !r.lines.is_empty() && place_inside(r, base, min).is_none()).nth(limit).is_some()
}

fn place_inside(r: &LabelRequest, base: f64, min: f64) -> Option<PlacedLabel> {
    let (pole, radius) = anchor_of(&r.polygon);
    // A label is a wide box, not a circle: the centre of the largest circle can sit in a lobe where a
    // wide label does not fit while it would around the grid's middle, so the middle of its extent and
    // its centroid are tried as well (where they lie inside it).
    let mut anchors = vec![pole];
    {
        use geo::{BoundingRect, Centroid};
        let middle = r.polygon.bounding_rect().map(|b| b.center());
        let centroid = r.polygon.centroid().map(|c| c.0);
        for c in [middle, centroid].into_iter().flatten() {
            if r.polygon.contains(&geo::Point(c)) && !anchors.contains(&c) {
                anchors.push(c);
            }
        }
    }
    let offsets = [
        (0.0, 0.0),
        (0.5, 0.0),
        (-0.5, 0.0),
        (0.0, 0.5),
        (0.0, -0.5),
        (0.35, 0.35),
        (-0.35, 0.35),
        (0.35, -0.35),
        (-0.35, -0.35),
    ];
    // With the name if it fits, else the code alone, else the code broken after the village part
    // (12 + 3 digits) — tall and narrow fits small square grids.
    let mut variants: Vec<Vec<String>> = (1..=r.lines.len()).rev().map(|n| r.lines[..n].to_vec()).collect();
    if let Some(code) = r.lines.first()
        && code.len() > 8
        && code.is_ascii()
    {
        let cut = if code.len() > 12 { code.len() - 3 } else { code.len() / 2 };
        variants.push(vec![code[..cut].to_string(), code[cut..].to_string()]);
    }
    let mut size = base;
    while size >= min - 1e-9 {
        for lines in &variants {
            for anchor in &anchors {
                for (dx, dy) in offsets {
                    let centre = Coord { x: anchor.x + dx * radius, y: anchor.y + dy * radius };
                    let rect = block(lines, size, centre);
                    if r.polygon.contains(&rect.to_polygon()) {
                        return Some(PlacedLabel { grid: r.grid, lines: lines.clone(), size, rect, leader: None });
                    }
                }
            }
        }
        size *= 0.85;
    }
    None
}

fn requests_shapes(polygons: &[Polygon<f64>]) -> Vec<(Rect<f64>, &Polygon<f64>)> {
    use geo::BoundingRect;
    polygons.iter().filter_map(|p| Some((p.bounding_rect()?, p))).collect()
}

/// A point well inside the polygon: its pole of inaccessibility, or an interior point for slivers too
/// thin for the pole search's tolerance.
fn anchor_of(polygon: &Polygon<f64>) -> (Coord<f64>, f64) {
    let (pole, radius) = maximum_inscribed_circle(polygon, 0.25);
    if polygon.contains(&geo::Point(pole)) {
        return (pole, radius);
    }
    use geo::InteriorPoint;
    (polygon.interior_point().map_or(pole, |p| p.0), 0.0)
}

fn place_outside(
    r: &LabelRequest,
    size: f64,
    bounds: Rect<f64>,
    obstacles: &[Rect<f64>],
    placed: &[PlacedLabel],
    grids: &[(Rect<f64>, &Polygon<f64>)],
) -> PlacedLabel {
    let (anchor, _) = anchor_of(&r.polygon);
    let lines = r.lines[..1].to_vec();
    let first = block(&lines, size, anchor);
    let (w, h) = (first.width(), first.height());
    let free = |rect: &Rect<f64>| {
        bounds.contains(rect)
            && !obstacles.iter().any(|o| overlaps(o, rect))
            && !placed.iter().any(|p| overlaps(&p.rect, rect))
            && !rect.to_polygon().intersects(&r.polygon)
    };
    let over_no_grid = |rect: &Rect<f64>| {
        let polygon = rect.to_polygon();
        !grids.iter().any(|(e, p)| overlaps(e, rect) && polygon.intersects(*p))
    };
    for strict in [true, false] {
        for distance in [8.0, 14.0, 22.0, 32.0, 46.0, 64.0] {
            for step in 0..16 {
                let angle = (step as f64) * std::f64::consts::TAU / 16.0 - std::f64::consts::FRAC_PI_4;
                let centre = Coord {
                    x: anchor.x + angle.cos() * (distance + w / 2.0),
                    y: anchor.y - angle.sin() * (distance + h / 2.0),
                };
                let rect = block(&lines, size, centre);
                if free(&rect) && (!strict || over_no_grid(&rect)) {
                    let end = nearest_on_rect(&rect, anchor);
                    return PlacedLabel { grid: r.grid, lines, size, rect, leader: Some((anchor, end)) };
                }
            }
        }
    }
    // Nowhere free (a crowded corner): still print the code, beside the grid, so no grid goes unlabelled.
    let rect = block(&lines, size, Coord { x: anchor.x + w / 2.0 + 6.0, y: anchor.y });
    PlacedLabel { grid: r.grid, lines, size, rect, leader: Some((anchor, nearest_on_rect(&rect, anchor))) }
}

fn nearest_on_rect(rect: &Rect<f64>, p: Coord<f64>) -> Coord<f64> {
    Coord { x: p.x.clamp(rect.min().x, rect.max().x), y: p.y.clamp(rect.min().y, rect.max().y) }
}
