//! The image levels of a GeoTIFF — the full image and its internal overviews (reduced-resolution IFDs,
//! as `gdaladdo` writes them) — and reading their pixels one chunk (strip or tile) at a time into a
//! small cache of decoded chunks, so that a multi-gigabyte image is never read whole.

use std::collections::HashMap;
use std::io::{Read, Seek};
use std::path::PathBuf;
use std::sync::Arc;

use tiff::decoder::{ChunkType, Decoder, DecodingResult, Limits};
use tiff::tags::Tag;

use super::error::{GeoTiffProblem, Pixels, Unsupported, colour, from_tiff};

/// The largest decoded chunk accepted (a whole-image strip of a big orthophoto is not).
pub const MAX_CHUNK_BYTES: u64 = 64 << 20;
/// At most this many IFDs are looked at (real pyramids have under 20).
const MAX_IFDS: usize = 64;

pub trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// Where the TIFF's bytes are: each level reads through its own handle.
#[derive(Clone, Debug)]
pub enum Input {
    File(PathBuf),
    Memory(Arc<[u8]>),
}

impl Input {
    fn open(&self) -> std::io::Result<Box<dyn ReadSeek>> {
        Ok(match self {
            Input::File(path) => Box::new(std::io::BufReader::with_capacity(64 << 10, std::fs::File::open(path)?)),
            Input::Memory(bytes) => Box::new(std::io::Cursor::new(Arc::clone(bytes))),
        })
    }
}

/// Runs a call into the `tiff` decoder, turning a panic inside it (a hostile file finding a bug of
/// the crate) into an error.
pub(super) fn guarded<T>(f: impl FnOnce() -> Result<T, GeoTiffProblem>) -> Result<T, GeoTiffProblem> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(GeoTiffProblem::Damaged("the TIFF decoder failed on this file".into())))
}

fn decoder(input: &Input) -> Result<Decoder<Box<dyn ReadSeek>>, GeoTiffProblem> {
    let reader = input.open().map_err(|e| GeoTiffProblem::Read(e.to_string()))?;
    let mut limits = Limits::default();
    limits.decoding_buffer_size = MAX_CHUNK_BYTES as usize;
    limits.ifd_value_size = 32 << 20;
    limits.intermediate_buffer_size = MAX_CHUNK_BYTES as usize;
    Decoder::new(reader).map(|d| d.with_limits(limits)).map_err(|e| match e {
        tiff::TiffError::FormatError(tiff::TiffFormatError::TiffSignatureNotFound)
        | tiff::TiffError::FormatError(tiff::TiffFormatError::TiffSignatureInvalid) => {
            GeoTiffProblem::NotTiff("no TIFF signature".into())
        }
        other => from_tiff(other),
    })
}

/// One image of the pyramid.
pub struct Level {
    pub ifd: usize,
    pub width: u32,
    pub height: u32,
    pub chunk_width: u32,
    pub chunk_height: u32,
    pub tiled: bool,
    pub pixels: Pixels,
    chunks_across: u32,
    chunk_count: u32,
    decoder: Decoder<Box<dyn ReadSeek>>,
}

impl Level {
    /// How many chunks the level has.
    pub fn chunk_count(&self) -> u32 {
        self.chunk_count
    }

    /// The chunk holding pixel (col, row) of this level, and the chunk's first column and row.
    fn chunk_at(&self, col: u32, row: u32) -> (u32, u32, u32) {
        let (cx, cy) = (col / self.chunk_width, row / self.chunk_height);
        let index = if self.tiled { cy * self.chunks_across + cx } else { cy };
        let first_col = if self.tiled { cx * self.chunk_width } else { 0 };
        (index, first_col, cy * self.chunk_height)
    }
}

/// The decoder's current image as a level, or why it cannot be one.
fn check_level(mut decoder: Decoder<Box<dyn ReadSeek>>, ifd: usize) -> Result<Level, GeoTiffProblem> {
    let unsupported = |u| Err(GeoTiffProblem::Unsupported(u));
    let mut tag = |t: Tag| decoder.find_tag_unsigned::<u32>(t).ok().flatten();
    if tag(Tag::PlanarConfiguration) == Some(2) {
        return unsupported(Unsupported::Planar);
    }
    let compression = tag(Tag::Compression).unwrap_or(1);
    match tag(Tag::SampleFormat) {
        None | Some(1) => {}
        Some(2) => return unsupported(Unsupported::SampleFormat("signed integer".into())),
        Some(3) => return unsupported(Unsupported::SampleFormat("floating-point".into())),
        Some(n) => return unsupported(Unsupported::SampleFormat(format!("SampleFormat {n}"))),
    }
    let jpeg = compression == 7;
    match compression {
        1 | 5 | 7 | 8 | 32946 | 32773 => {}
        n => return unsupported(Unsupported::Compression(compression_name(n))),
    }
    let colour_type = decoder.colortype().map_err(from_tiff)?;
    let pixels = colour(colour_type).map_err(GeoTiffProblem::Unsupported)?;
    if pixels == Pixels::YCbCr && !jpeg {
        return unsupported(Unsupported::Colour("YCbCr without JPEG compression".into()));
    }
    let (width, height) = decoder.dimensions().map_err(from_tiff)?;
    let tiled = decoder.get_chunk_type() == ChunkType::Tile;
    let (chunk_width, chunk_height) = decoder.chunk_dimensions();
    let chunk_height = chunk_height.min(height);
    if width == 0 || height == 0 || chunk_width == 0 || chunk_height == 0 {
        return Err(GeoTiffProblem::Damaged(format!(
            "an image of {width}×{height} in chunks of {chunk_width}×{chunk_height}"
        )));
    }
    let bytes = u64::from(chunk_width) * u64::from(chunk_height) * pixels.samples() as u64;
    if bytes > MAX_CHUNK_BYTES {
        return unsupported(Unsupported::ChunkTooLarge { mib: bytes >> 20, max_mib: MAX_CHUNK_BYTES >> 20 });
    }
    let chunks_across = width.div_ceil(chunk_width);
    let chunks_down = height.div_ceil(chunk_height);
    let chunk_count = if tiled { chunks_across.saturating_mul(chunks_down) } else { chunks_down };
    let stored = if tiled { decoder.tile_count() } else { decoder.strip_count() }.map_err(from_tiff)?;
    if stored < chunk_count {
        return Err(GeoTiffProblem::Damaged(format!("{stored} chunks for an image needing {chunk_count}")));
    }
    Ok(Level { ifd, width, height, chunk_width, chunk_height, tiled, pixels, chunks_across, chunk_count, decoder })
}

/// The NewSubfileType of the decoder's current image (0 when absent).
fn subfile_type(decoder: &mut Decoder<Box<dyn ReadSeek>>) -> u32 {
    decoder.find_tag_unsigned::<u32>(Tag::NewSubfileType).ok().flatten().unwrap_or(0)
}

/// Opens the TIFF at its first image (for its tags).
pub fn first_image(input: &Input) -> Result<Decoder<Box<dyn ReadSeek>>, GeoTiffProblem> {
    guarded(|| decoder(input))
}

/// The levels of the image, largest first: the first image (which must be one Wangge can draw) and
/// each reduced-resolution image after it that it can draw (masks and other pages are passed over).
/// `first` is the decoder [`first_image`] gave.
pub fn open_levels(input: &Input, mut first: Decoder<Box<dyn ReadSeek>>) -> Result<Vec<Level>, GeoTiffProblem> {
    let mut overviews = Vec::new();
    for ifd in 1..MAX_IFDS {
        let more = guarded(|| {
            if !first.more_images() {
                return Ok(false);
            }
            first.next_image().map_err(from_tiff)?;
            let kind = subfile_type(&mut first);
            // Bit 0: a reduced-resolution version; bit 2: a transparency mask.
            if kind & 1 == 1 && kind & 4 == 0 {
                overviews.push(ifd);
            }
            Ok(true)
        });
        // A damaged directory after the first image ends the pyramid, not the image.
        if !matches!(more, Ok(true)) {
            break;
        }
    }
    let full = guarded(|| check_level(decoder(input)?, 0))?;
    let mut levels = vec![full];
    for ifd in overviews {
        let level = guarded(|| {
            let mut d = decoder(input)?;
            d.seek_to_image(ifd).map_err(from_tiff)?;
            check_level(d, ifd)
        });
        if let Ok(level) = level
            && level.width < levels[0].width
            && level.height < levels[0].height
        {
            levels.push(level);
        }
    }
    levels.sort_by_key(|l| std::cmp::Reverse(u64::from(l.width) * u64::from(l.height)));
    Ok(levels)
}

fn compression_name(n: u32) -> String {
    match n {
        2 => "CCITT RLE".into(),
        3 => "CCITT Group 3 fax".into(),
        4 => "CCITT Group 4 fax".into(),
        6 => "old-style JPEG".into(),
        34712 => "JPEG 2000".into(),
        50000 => "ZSTD".into(),
        50001 => "WebP".into(),
        34887 => "LERC".into(),
        34925 => "LZMA".into(),
        n => format!("method {n}"),
    }
}

/// A decoded chunk: its place in its level and its pixels as RGBA.
pub struct Chunk {
    pub first_col: u32,
    pub first_row: u32,
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl Chunk {
    /// The pixel at (col, row) of the level, if this chunk holds it.
    #[inline]
    pub fn pixel(&self, col: u32, row: u32) -> Option<[u8; 4]> {
        let (x, y) = (col.checked_sub(self.first_col)?, row.checked_sub(self.first_row)?);
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 4;
        let p = self.rgba.get(i..i + 4)?;
        Some([p[0], p[1], p[2], p[3]])
    }
}

/// The levels with the cache of their decoded chunks (the least recently used go past the byte cap).
pub struct Pyramid {
    pub levels: Vec<Level>,
    cache: HashMap<(usize, u32), (Arc<Chunk>, u64)>,
    cached_bytes: usize,
    cap_bytes: usize,
    clock: u64,
    /// Chunks decoded since opening (a chunk read again after eviction counts again).
    pub chunks_read: u64,
}

impl Pyramid {
    pub fn new(levels: Vec<Level>, cap_bytes: usize) -> Pyramid {
        Pyramid { levels, cache: HashMap::new(), cached_bytes: 0, cap_bytes, clock: 0, chunks_read: 0 }
    }

    /// The chunk of `level` holding pixel (col, row) (which must be inside the level).
    pub fn chunk(&mut self, level: usize, col: u32, row: u32) -> Result<Arc<Chunk>, GeoTiffProblem> {
        let l = self.levels.get(level).ok_or_else(|| GeoTiffProblem::Damaged("no such level".into()))?;
        let (index, first_col, first_row) = l.chunk_at(col, row);
        self.clock += 1;
        if let Some((chunk, used)) = self.cache.get_mut(&(level, index)) {
            *used = self.clock;
            return Ok(Arc::clone(chunk));
        }
        let l = self.levels.get_mut(level).ok_or_else(|| GeoTiffProblem::Damaged("no such level".into()))?;
        let chunk = Arc::new(read_chunk(l, index, first_col, first_row)?);
        self.chunks_read += 1;
        self.cached_bytes += chunk.rgba.len();
        self.cache.insert((level, index), (Arc::clone(&chunk), self.clock));
        while self.cached_bytes > self.cap_bytes && self.cache.len() > 1 {
            let oldest = self.cache.iter().min_by_key(|(_, (_, used))| *used).map(|(k, _)| *k);
            let Some(key) = oldest else { break };
            if let Some((gone, _)) = self.cache.remove(&key) {
                self.cached_bytes -= gone.rgba.len();
            }
        }
        Ok(chunk)
    }
}

fn read_chunk(level: &mut Level, index: u32, first_col: u32, first_row: u32) -> Result<Chunk, GeoTiffProblem> {
    if index >= level.chunk_count {
        return Err(GeoTiffProblem::Damaged(format!("chunk {index} of {}", level.chunk_count)));
    }
    let pixels = level.pixels;
    let decoder = &mut level.decoder;
    let (data, width, height) = guarded(|| {
        let (w, h) = decoder.chunk_data_dimensions(index);
        let data = decoder.read_chunk(index).map_err(from_tiff)?;
        Ok((data, w, h))
    })?;
    let DecodingResult::U8(data) = data else {
        return Err(GeoTiffProblem::Unsupported(Unsupported::Other("samples that are not 8-bit".into())));
    };
    // Never trust the chunk to hold what its size says, nor more than its level.
    let width = width.min(level.width.saturating_sub(first_col));
    let height = height.min(level.height.saturating_sub(first_row));
    let samples = pixels.samples();
    let count = width as usize * height as usize;
    let row_len = data.len().checked_div(height as usize).unwrap_or(0);
    if row_len < width as usize * samples {
        return Err(GeoTiffProblem::Damaged(format!(
            "chunk {index} holds {} bytes for {width}×{height} pixels",
            data.len()
        )));
    }
    let mut rgba = Vec::with_capacity(count * 4);
    for row in data.chunks(row_len).take(height as usize) {
        for px in row[..width as usize * samples].chunks_exact(samples) {
            rgba.extend_from_slice(&match (pixels, px) {
                (Pixels::Gray, &[g]) => [g, g, g, 255],
                (Pixels::GrayAlpha, &[g, a]) => [g, g, g, a],
                (Pixels::Rgb, &[r, g, b]) => [r, g, b, 255],
                (Pixels::Rgba, &[r, g, b, a]) => [r, g, b, a],
                (Pixels::YCbCr, &[y, cb, cr]) => ycbcr_to_rgb(y, cb, cr),
                _ => [0, 0, 0, 0],
            });
        }
    }
    if rgba.len() != count * 4 {
        return Err(GeoTiffProblem::Damaged(format!("chunk {index} is short")));
    }
    Ok(Chunk { first_col, first_row, width, height, rgba })
}

/// JPEG's (JFIF's) YCbCr to RGB.
fn ycbcr_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 4] {
    let (y, cb, cr) = (f32::from(y), f32::from(cb) - 128.0, f32::from(cr) - 128.0);
    let c = |v: f32| v.round().clamp(0.0, 255.0) as u8;
    [c(y + 1.402 * cr), c(y - 0.344_136 * cb - 0.714_136 * cr), c(y + 1.772 * cb), 255]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ycbcr_greys_and_red() {
        assert_eq!(ycbcr_to_rgb(128, 128, 128), [128, 128, 128, 255]);
        let [r, g, b, _] = ycbcr_to_rgb(76, 85, 255);
        assert!(r > 250 && g < 5 && b < 5, "{r} {g} {b}");
    }
}
