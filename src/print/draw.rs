//! Drawing helpers shared by the products: world geometry to page paths (clipped to a frame), label
//! blocks, footers.

use geo::{BooleanOps, Coord, LineString, MultiLineString, MultiPolygon, Polygon};

use super::labels::{LINE_HEIGHT, PlacedLabel};
use super::map_frame::MapFrame;
use super::page::{Align, Page, PageRect, Pt, Rgba, Stroke};

/// A multipolygon in page coordinates (y down), as a geo value for clipping and label fitting.
pub fn to_page(mp: &MultiPolygon<f64>, map: &MapFrame) -> MultiPolygon<f64> {
    use geo::MapCoords;
    mp.map_coords(|c| {
        let (x, y) = map.to_page(c);
        Coord { x, y }
    })
}

fn frame_polygon(map: &MapFrame) -> Polygon<f64> {
    map.frame.to_rect().to_polygon()
}

/// The part of a page-space multipolygon inside the map frame.
pub fn clip_to_frame(mp: &MultiPolygon<f64>, map: &MapFrame) -> MultiPolygon<f64> {
    let inside = mp.0.iter().all(|p| p.exterior().0.iter().all(|c| map.frame.contains(c.x, c.y)));
    if inside { mp.clone() } else { mp.intersection(&MultiPolygon(vec![frame_polygon(map)])) }
}

/// Rings of a page-space multipolygon as path parts.
pub fn parts(mp: &MultiPolygon<f64>) -> Vec<Vec<Pt>> {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|r| r.0.iter().map(|c| (c.x, c.y)).collect())
        .collect()
}

/// Outlines of a page-space multipolygon, cut to the map frame (so a frame edge is never drawn as if
/// it were a boundary).
pub fn outline_in_frame(mp: &MultiPolygon<f64>, map: &MapFrame) -> Vec<Vec<Pt>> {
    let lines = MultiLineString(
        mp.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .cloned()
            .collect::<Vec<LineString<f64>>>(),
    );
    lines_in_frame(lines, map)
}

/// Page-space lines cut to the map frame.
pub fn lines_in_frame(lines: MultiLineString<f64>, map: &MapFrame) -> Vec<Vec<Pt>> {
    let inside = lines.0.iter().all(|l| l.0.iter().all(|c| map.frame.contains(c.x, c.y)));
    let clipped = if inside { lines } else { frame_polygon(map).clip(&lines, false) };
    clipped.0.iter().map(|l| l.0.iter().map(|c| (c.x, c.y)).collect()).collect()
}

/// Draws placed labels: leader labels on a white box with a thin frame and their leader line.
pub fn draw_labels(page: &mut Page, labels: &[PlacedLabel], color: Rgba) {
    for l in labels {
        if let Some((from, to)) = l.leader {
            page.line(vec![(from.x, from.y), (to.x, to.y)], Stroke::solid(Rgba::rgb(60, 60, 60), 0.4));
            let r = l.rect;
            page.rect(
                PageRect::new(r.min().x, r.min().y, r.width(), r.height()),
                Some(Rgba(255, 255, 255, 235)),
                Some(Stroke::solid(Rgba::rgb(120, 120, 120), 0.3)),
            );
        }
        let centre_x = (l.rect.min().x + l.rect.max().x) / 2.0;
        for (i, line) in l.lines.iter().enumerate() {
            let baseline = l.rect.min().y + (i as f64) * l.size * LINE_HEIGHT + l.size * 0.98;
            page.text((centre_x, baseline), l.size, line.clone(), color, Align::Middle);
        }
    }
}

/// Today's date as YYYY-MM-DD (UTC), for the “compiled on” line.
pub fn today() -> String {
    let days =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() / 86_400).unwrap_or(0)
            as i64;
    civil_date(days)
}

/// Days since 1970-01-01 to a calendar date (H. Hinnant's algorithm).
pub fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_date(0), "1970-01-01");
        assert_eq!(super::civil_date(20_418), "2025-11-26");
        assert_eq!(super::civil_date(11_016), "2000-02-29");
    }
}
