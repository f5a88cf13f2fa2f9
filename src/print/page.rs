//! A page as a list of drawing items in points (1/72 inch), origin at the top-left corner, y down —
//! the one description every output (PDF, SVG, PNG, the app's preview) renders.

/// A rectangle on the page in points: its left and top edges, its width and height (y grows down).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PageRect {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl PageRect {
    pub fn new(left: f64, top: f64, width: f64, height: f64) -> PageRect {
        PageRect { left, top, width, height }
    }

    pub fn right(&self) -> f64 {
        self.left + self.width
    }

    pub fn bottom(&self) -> f64 {
        self.top + self.height
    }

    pub fn centre(&self) -> (f64, f64) {
        (self.left + self.width / 2.0, self.top + self.height / 2.0)
    }

    /// The rectangle shrunk by `margin` on every side.
    pub fn inset(&self, margin: f64) -> PageRect {
        PageRect::new(self.left + margin, self.top + margin, self.width - 2.0 * margin, self.height - 2.0 * margin)
    }

    /// Whether the point lies in the rectangle or on its edge.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.left && x <= self.right() && y >= self.top && y <= self.bottom()
    }

    /// The same rectangle as a `geo` rectangle in page coordinates (for clipping and label placement).
    pub fn to_rect(&self) -> geo::Rect<f64> {
        geo::Rect::new(geo::Coord { x: self.left, y: self.top }, geo::Coord { x: self.right(), y: self.bottom() })
    }
}

/// An sRGB colour with opacity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rgba(pub u8, pub u8, pub u8, pub u8);

impl Rgba {
    pub const BLACK: Rgba = Rgba(0, 0, 0, 255);
    pub const WHITE: Rgba = Rgba(255, 255, 255, 255);

    pub const fn rgb(r: u8, g: u8, b: u8) -> Rgba {
        Rgba(r, g, b, 255)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stroke {
    pub color: Rgba,
    pub width: f64,
    /// Dash and gap lengths in points; empty for a solid line.
    pub dash: Vec<f64>,
}

impl Stroke {
    pub fn solid(color: Rgba, width: f64) -> Stroke {
        Stroke { color, width, dash: Vec::new() }
    }

    pub fn dashed(color: Rgba, width: f64, dash: &[f64]) -> Stroke {
        Stroke { color, width, dash: dash.to_vec() }
    }
}

/// Horizontal alignment of a text line at its anchor point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Start,
    Middle,
    End,
}

pub type Pt = (f64, f64);

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// Polylines (open) or rings (closed, filled with the even-odd rule so holes stay empty).
    Path { parts: Vec<Vec<Pt>>, closed: bool, fill: Option<Rgba>, stroke: Option<Stroke> },
    /// One line of text; `at` is the baseline point the alignment refers to.
    Text { at: Pt, size: f64, text: String, color: Rgba, align: Align },
    /// Where the basemap of a map frame goes, under the items that follow: laid out by the products when
    /// a basemap is printed, replaced by an [`Item::Image`] by `print::basemap` (renderers skip it).
    BasemapSlot { map: super::map_frame::MapFrame },
    /// A raster image stretched over `rect` (the basemap of a map frame).
    Image { rect: PageRect, image: std::sync::Arc<Raster> },
}

/// An image on a page: the tiles' own RGBA image type (row by row from the top-left, not premultiplied).
pub use crate::core::basemap::TileImage as Raster;

/// The image as a PNG file (for the SVG output, which embeds it).
pub fn raster_png(image: &Raster) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, image.width, image.height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(&image.rgba).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub width: f64,
    pub height: f64,
    pub items: Vec<Item>,
}

impl Page {
    pub fn new(width: f64, height: f64) -> Page {
        Page { width, height, items: Vec::new() }
    }

    pub fn polygon(&mut self, parts: Vec<Vec<Pt>>, fill: Option<Rgba>, stroke: Option<Stroke>) {
        self.items.push(Item::Path { parts, closed: true, fill, stroke });
    }

    pub fn line(&mut self, points: Vec<Pt>, stroke: Stroke) {
        self.items.push(Item::Path { parts: vec![points], closed: false, fill: None, stroke: Some(stroke) });
    }

    pub fn rect(&mut self, r: PageRect, fill: Option<Rgba>, stroke: Option<Stroke>) {
        let (x, y, w, h) = (r.left, r.top, r.width, r.height);
        self.polygon(vec![vec![(x, y), (x + w, y), (x + w, y + h), (x, y + h)]], fill, stroke);
    }

    pub fn text(&mut self, at: Pt, size: f64, text: impl Into<String>, color: Rgba, align: Align) {
        let text = text.into();
        if !text.is_empty() {
            self.items.push(Item::Text { at, size, text, color, align });
        }
    }

    /// Every text on the page, in drawing order (what `pdftotext` should find).
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.items.iter().filter_map(|i| match i {
            Item::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
    }
}

/// Paper sizes (ISO 216), portrait, in points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paper {
    A4,
    A3,
    A2,
}

pub const PT_PER_MM: f64 = 72.0 / 25.4;

impl Paper {
    pub fn parse(text: &str) -> Option<Paper> {
        match text.trim().to_ascii_uppercase().as_str() {
            "A4" => Some(Paper::A4),
            "A3" => Some(Paper::A3),
            "A2" => Some(Paper::A2),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::A3 => "A3",
            Paper::A2 => "A2",
        }
    }

    /// Width and height in points, portrait or landscape.
    pub fn size(self, landscape: bool) -> (f64, f64) {
        let (w, h) = match self {
            Paper::A4 => (210.0, 297.0),
            Paper::A3 => (297.0, 420.0),
            Paper::A2 => (420.0, 594.0),
        };
        let (w, h) = (w * PT_PER_MM, h * PT_PER_MM);
        if landscape { (h, w) } else { (w, h) }
    }
}
