//! Tile images to RGBA: PNG (any colour type and depth, palette included) by `png`, JPEG (baseline and
//! progressive, grey or colour) by `zune-jpeg`, WebP (lossy and lossless, with or without alpha) by
//! `image-webp`. Any bytes give an image or an error, never a panic, and no image may be larger than
//! 4096 × 4096.

use std::io::Cursor;

use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;

use super::TileError;
use crate::core::basemap::TileImage;

/// The largest tile side accepted: real tiles are 256 or 512 pixels.
const MAX_SIDE: u32 = 4096;

/// An image format, told by a tile's first bytes or an MBTiles file's `format`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TileFormat {
    Png,
    Jpeg,
    Webp,
    Other(String),
}

impl TileFormat {
    /// The format of a tile by its signature, `None` when unknown.
    pub fn sniff(bytes: &[u8]) -> Option<TileFormat> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(TileFormat::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(TileFormat::Jpeg)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(TileFormat::Webp)
        } else {
            None
        }
    }

    /// From an MBTiles `format` value: `png`, `jpg`/`jpeg`, `webp`, anything else as `Other`.
    pub fn from_name(name: &str) -> TileFormat {
        match name.trim().to_ascii_lowercase().as_str() {
            "png" | "image/png" => TileFormat::Png,
            "jpg" | "jpeg" | "image/jpeg" => TileFormat::Jpeg,
            "webp" | "image/webp" => TileFormat::Webp,
            other => TileFormat::Other(other.to_string()),
        }
    }
}

/// Decodes a PNG, JPEG or WebP tile to RGBA.
///
/// ```
/// // A 1×1 red PNG.
/// let mut png = Vec::new();
/// let mut enc = png::Encoder::new(&mut png, 1, 1);
/// enc.set_color(png::ColorType::Rgb);
/// enc.write_header().unwrap().write_image_data(&[255, 0, 0]).unwrap();
/// let image = wangge::io::tiles::decode_tile(&png).unwrap();
/// assert_eq!(image.pixel(0, 0), Some([255, 0, 0, 255]));
/// assert!(wangge::io::tiles::decode_tile(b"<html>busy</html>").is_err());
/// ```
pub fn decode_tile(bytes: &[u8]) -> Result<TileImage, TileError> {
    match TileFormat::sniff(bytes) {
        Some(TileFormat::Png) => decode_png(bytes),
        Some(TileFormat::Jpeg) => decode_jpeg(bytes),
        Some(TileFormat::Webp) => decode_webp(bytes),
        _ => Err(TileError::BadImage(describe_non_image(bytes))),
    }
}

/// A few words about bytes that are not an image (a server's error page, usually).
fn describe_non_image(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "empty".into();
    }
    let head: String = String::from_utf8_lossy(&bytes[..bytes.len().min(60)])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("neither PNG, JPEG nor WebP ({} bytes: {:?})", bytes.len(), head.trim())
}

fn decode_png(bytes: &[u8]) -> Result<TileImage, TileError> {
    let bad = |e: png::DecodingError| TileError::BadImage(format!("PNG: {e}"));
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), png::Limits { bytes: 80 << 20 });
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(bad)?;
    let (width, height) = (reader.info().width, reader.info().height);
    check_size(width, height)?;
    let size = reader.output_buffer_size().ok_or_else(|| TileError::BadImage("PNG: too large".into()))?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(bad)?;
    let pixels = (width as usize) * (height as usize);
    let line = info.line_size;
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err(TileError::BadImage("PNG: palette not expanded".into())),
    };
    if info.bit_depth != png::BitDepth::Eight || line < width as usize * channels {
        return Err(TileError::BadImage("PNG: unexpected layout after decoding".into()));
    }
    let mut rgba = Vec::with_capacity(pixels * 4);
    for row in buf.chunks(line).take(height as usize) {
        let Some(row) = row.get(..width as usize * channels) else {
            return Err(TileError::BadImage("PNG: truncated".into()));
        };
        for px in row.chunks_exact(channels) {
            rgba.extend_from_slice(&match *px {
                [g] => [g, g, g, 255],
                [g, a] => [g, g, g, a],
                [r, g, b] => [r, g, b, 255],
                [r, g, b, a] => [r, g, b, a],
                _ => [0, 0, 0, 0],
            });
        }
    }
    if rgba.len() != pixels * 4 {
        return Err(TileError::BadImage("PNG: truncated".into()));
    }
    Ok(TileImage { width, height, rgba })
}

fn decode_jpeg(bytes: &[u8]) -> Result<TileImage, TileError> {
    let bad = |e: zune_jpeg::errors::DecodeErrors| TileError::BadImage(format!("JPEG: {e:?}"));
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGBA)
        .set_max_width(MAX_SIDE as usize)
        .set_max_height(MAX_SIDE as usize);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().map_err(bad)?;
    let (w, h) = decoder.dimensions().ok_or_else(|| TileError::BadImage("JPEG: no size".into()))?;
    let (width, height) = (u32::try_from(w).unwrap_or(u32::MAX), u32::try_from(h).unwrap_or(u32::MAX));
    check_size(width, height)?;
    let rgba = decoder.decode().map_err(bad)?;
    if rgba.len() != w * h * 4 {
        return Err(TileError::BadImage(format!("JPEG: {} bytes for {w}×{h} pixels", rgba.len())));
    }
    Ok(TileImage { width, height, rgba })
}

fn decode_webp(bytes: &[u8]) -> Result<TileImage, TileError> {
    let bad = |e: image_webp::DecodingError| TileError::BadImage(format!("WebP: {e}"));
    let mut decoder = image_webp::WebPDecoder::new(Cursor::new(bytes)).map_err(bad)?;
    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    let channels = if decoder.has_alpha() { 4 } else { 3 };
    let pixels = width as usize * height as usize;
    let size = decoder.output_buffer_size().ok_or_else(|| TileError::BadImage("WebP: too large".into()))?;
    if size != pixels * channels {
        return Err(TileError::BadImage(format!("WebP: {size} bytes for {width}×{height} pixels")));
    }
    let mut buf = vec![0; size];
    decoder.read_image(&mut buf).map_err(bad)?;
    if channels == 4 {
        return Ok(TileImage { width, height, rgba: buf });
    }
    let mut rgba = Vec::with_capacity(pixels * 4);
    for px in buf.chunks_exact(3) {
        rgba.extend_from_slice(&[px[0], px[1], px[2], 255]);
    }
    Ok(TileImage { width, height, rgba })
}

fn check_size(width: u32, height: u32) -> Result<(), TileError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(TileError::BadImage(format!("{width}×{height} pixels is not a tile")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, color: png::ColorType, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header().unwrap().write_image_data(data).unwrap();
        out
    }

    /// A 16×16 JPEG of rgb(200, 40, 90), written by ImageMagick (`convert -size 16x16 xc:… -quality 95`).
    const JPEG_HEX: &str = concat!(
        "ffd8ffe000104a46494600010100000100010000ffdb00430002010101010102010101020202020204030202020205040403",
        "04060506060605060606070908060709070606080b08090a0a0a0a0a06080b0c0b0a0c090a0a0affdb004301020202020202",
        "050303050a0706070a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a",
        "0a0a0a0a0a0a0a0affc00011080010001003011100021101031101ffc4001500010100000000000000000000000000000008",
        "ffc40014100100000000000000000000000000000000ffc400160101010100000000000000000000000000000409ffc40014",
        "110100000000000000000000000000000000ffda000c03010002110311003f009dd3b4c000007fffd9",
    );

    #[test]
    fn jpeg_to_rgba() {
        let bytes: Vec<u8> =
            (0..JPEG_HEX.len()).step_by(2).map(|i| u8::from_str_radix(&JPEG_HEX[i..i + 2], 16).unwrap()).collect();
        let image = decode_tile(&bytes).unwrap();
        assert_eq!((image.width, image.height), (16, 16));
        let [r, g, b, a] = image.pixel(8, 8).unwrap();
        assert!(r.abs_diff(200) <= 3 && g.abs_diff(40) <= 3 && b.abs_diff(90) <= 3 && a == 255, "{r} {g} {b} {a}");
        for cut in [3, 40, 200, bytes.len() - 10] {
            let _ = decode_tile(&bytes[..cut]);
        }
    }

    /// 16×16 lossy WebPs written by Pillow 11 (`Image.new(…).save(f, "WEBP", quality=95)`): rgb(200, 40, 90)
    /// opaque, and rgba(10, 120, 240, 128) (a VP8X file with an ALPH chunk).
    const WEBP_LOSSY_HEX: &str = concat!(
        "524946463600000057454250565038202a0000007001009d012a1000100000800825a0027401750000fefa792e20fffeba27",
        "fffd68e7fffad1cffd710000",
    );
    const WEBP_ALPHA_HEX: &str = concat!(
        "524946466600000057454250565038580a000000100000000f00000f0000414c50480a000000010750c088084444ff035650",
        "3820360000005002009d012a1000100000800825a00274ba01f801fa01fc00079000fef7e49fffd7f362399e97ff5fcffff2",
        "c3f1fd49e7ff2b100000",
    );

    fn unhex(hex: &str) -> Vec<u8> {
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
    }

    fn near(px: [u8; 4], want: [u8; 4], tolerance: u8) -> bool {
        px.iter().zip(want).all(|(a, b)| a.abs_diff(b) <= tolerance)
    }

    #[test]
    fn webp_lossy_lossless_and_with_alpha_to_rgba() {
        let lossy = decode_tile(&unhex(WEBP_LOSSY_HEX)).unwrap();
        assert_eq!((lossy.width, lossy.height), (16, 16));
        let px = lossy.pixel(8, 8).unwrap();
        assert!(near(px, [200, 40, 90, 255], 4), "{px:?}");
        let alpha = decode_tile(&unhex(WEBP_ALPHA_HEX)).unwrap();
        let px = alpha.pixel(3, 12).unwrap();
        assert!(near(px, [10, 120, 240, 128], 4), "{px:?}");
        // Lossless, as MBTiles made by some tools carry them: exact pixels back.
        let rgba: Vec<u8> = (0..4 * 3 * 4).map(|i| (i * 11) as u8).collect();
        let mut bytes = Vec::new();
        image_webp::WebPEncoder::new(&mut bytes).encode(&rgba, 4, 3, image_webp::ColorType::Rgba8).unwrap();
        assert_eq!(TileFormat::sniff(&bytes), Some(TileFormat::Webp));
        let lossless = decode_tile(&bytes).unwrap();
        assert_eq!((lossless.width, lossless.height, lossless.rgba), (4, 3, rgba));
    }

    #[test]
    fn png_colour_types() {
        let grey = decode_tile(&png(2, 1, png::ColorType::Grayscale, &[10, 20])).unwrap();
        assert_eq!(grey.pixel(1, 0), Some([20, 20, 20, 255]));
        let rgba = decode_tile(&png(1, 2, png::ColorType::Rgba, &[1, 2, 3, 4, 5, 6, 7, 8])).unwrap();
        assert_eq!((rgba.pixel(0, 1), rgba.pixel(0, 2)), (Some([5, 6, 7, 8]), None));
        let ga = decode_tile(&png(1, 1, png::ColorType::GrayscaleAlpha, &[9, 100])).unwrap();
        assert_eq!(ga.pixel(0, 0), Some([9, 9, 9, 100]));
    }

    #[test]
    fn garbage_and_truncated_input_are_errors() {
        let good = png(4, 4, png::ColorType::Rgb, &[7; 48]);
        for cut in [0, 8, 20, 33, good.len() - 5] {
            assert!(decode_tile(&good[..cut]).is_err(), "{cut}");
        }
        assert!(matches!(decode_tile(b"RIFF\0\0\0\0WEBPVP8 "), Err(TileError::BadImage(_))));
        assert!(decode_tile(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]).is_err());
        let mut flipped = good.clone();
        for i in (16..flipped.len()).step_by(7) {
            flipped[i] ^= 0x5A;
            let _ = decode_tile(&flipped);
        }
        assert!(describe_non_image(b"{\"code\":301012}").contains("301012"));
    }

    #[test]
    fn thousands_of_damaged_tiles_never_panic() {
        let mut seeds = vec![png(16, 16, png::ColorType::Rgba, &[200; 16 * 16 * 4])];
        let jpeg: Vec<u8> =
            (0..JPEG_HEX.len()).step_by(2).map(|i| u8::from_str_radix(&JPEG_HEX[i..i + 2], 16).unwrap()).collect();
        seeds.push(jpeg);
        seeds.push(unhex(WEBP_LOSSY_HEX));
        seeds.push(unhex(WEBP_ALPHA_HEX));
        // A small LCG: the same damage on every run.
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        for seed in &seeds {
            for _ in 0..2000 {
                let mut bytes = seed.clone();
                for _ in 0..1 + next() % 4 {
                    let i = 2 + next() % (bytes.len() - 2);
                    bytes[i] = next() as u8;
                }
                if next() % 4 == 0 {
                    bytes.truncate(3 + next() % bytes.len());
                }
                if let Ok(image) = decode_tile(&bytes) {
                    assert_eq!(image.rgba.len(), image.width as usize * image.height as usize * 4);
                }
            }
        }
    }
}
