//! Why a GeoTIFF cannot serve as a basemap: always naming the file, and for an image Wangge cannot
//! draw, what it has that is not supported. The Chinese words are `text::basemap::geotiff_problem`.

/// A GeoTIFF that cannot be used, and why.
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
#[error("{path}: {problem}")]
pub struct GeoTiffError {
    pub path: String,
    pub problem: GeoTiffProblem,
}

/// What is wrong with a GeoTIFF.
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum GeoTiffProblem {
    #[error("cannot read the file ({0})")]
    Read(String),
    #[error("not a TIFF file ({0})")]
    NotTiff(String),
    #[error("damaged TIFF ({0})")]
    Damaged(String),
    #[error("not supported: {0}")]
    Unsupported(Unsupported),
    #[error(
        "no georeferencing: neither GeoTIFF tags (ModelTiepoint with ModelPixelScale, or ModelTransformation) nor a world file (.tfw) beside it"
    )]
    NoGeoreference,
    #[error("the georeferencing is degenerate (a pixel of size zero, or not a number)")]
    DegenerateTransform,
    #[error("no coordinate system: no EPSG code in its GeoKeys and no .prj beside it")]
    NoCrs,
    #[error("a user-defined coordinate system in its GeoKeys: put a .prj beside it (same name, .prj)")]
    UserDefinedCrs,
    #[error("its coordinate system EPSG:{0} is not one Wangge knows")]
    UnknownCrs(u32),
    #[error("the image cannot be placed on the earth ({0})")]
    NotOnEarth(String),
    #[error("world file {file}: {reason}")]
    BadWorldFile { file: String, reason: String },
    #[error(".prj file {file}: {reason}")]
    BadPrj { file: String, reason: String },
}

/// An image property Wangge does not draw.
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum Unsupported {
    #[error("palette (indexed) colour; convert it with gdal_translate -expand rgb")]
    Palette,
    #[error("{0}-bit samples (8-bit grey, RGB or RGBA are supported); convert with gdal_translate -ot Byte -scale")]
    BitDepth(u8),
    #[error("{0} samples (unsigned 8-bit integers are supported)")]
    SampleFormat(String),
    #[error("{0} colour (grey, RGB, RGBA and JPEG YCbCr are supported)")]
    Colour(String),
    #[error("{0} compression (none, LZW, Deflate, PackBits and JPEG are supported)")]
    Compression(String),
    #[error("separate colour planes (PlanarConfiguration 2); rewrite with gdal_translate -co INTERLEAVE=PIXEL")]
    Planar,
    #[error("a strip or tile of {mib} MiB (at most {max_mib} MiB); tile it with gdal_translate -co TILED=YES")]
    ChunkTooLarge { mib: u64, max_mib: u64 },
    #[error("{0}")]
    Other(String),
}

impl GeoTiffError {
    pub fn new(path: impl Into<String>, problem: GeoTiffProblem) -> GeoTiffError {
        GeoTiffError { path: path.into(), problem }
    }
}

/// A `tiff` crate error as a problem: unsupported features by name, the rest as damage.
pub(super) fn from_tiff(e: tiff::TiffError) -> GeoTiffProblem {
    use tiff::{TiffError, TiffUnsupportedError as U};
    match e {
        TiffError::UnsupportedError(u) => GeoTiffProblem::Unsupported(match u {
            U::UnsupportedCompressionMethod(m) => Unsupported::Compression(format!("{m:?}")),
            U::UnsupportedColorType(c) => colour(c).err().unwrap_or(Unsupported::Other(format!("{c:?}"))),
            U::InterpretationWithBits(tiff::tags::PhotometricInterpretation::RGBPalette, _) => Unsupported::Palette,
            U::InterpretationWithBits(_, bits) if bits.first().is_some_and(|b| *b != 8) => {
                Unsupported::BitDepth(bits.first().copied().unwrap_or(0))
            }
            U::InterpretationWithBits(interpretation, _) => Unsupported::Colour(format!("{interpretation:?}")),
            other => Unsupported::Other(other.to_string()),
        }),
        TiffError::IoError(e) => GeoTiffProblem::Damaged(e.to_string()),
        TiffError::LimitsExceeded => GeoTiffProblem::Damaged("a value larger than the reader's limits".into()),
        other => GeoTiffProblem::Damaged(other.to_string()),
    }
}

/// The layout of the pixels of a supported colour type, or why it is not supported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pixels {
    Gray,
    GrayAlpha,
    Rgb,
    Rgba,
    /// JPEG-compressed YCbCr, decoded to Y, Cb, Cr: turned to RGB here.
    YCbCr,
}

impl Pixels {
    pub fn samples(self) -> usize {
        match self {
            Pixels::Gray => 1,
            Pixels::GrayAlpha => 2,
            Pixels::Rgb | Pixels::YCbCr => 3,
            Pixels::Rgba => 4,
        }
    }
}

pub(super) fn colour(c: tiff::ColorType) -> Result<Pixels, Unsupported> {
    use tiff::ColorType as C;
    let bits = match c {
        C::Gray(b) | C::RGB(b) | C::GrayA(b) | C::RGBA(b) | C::YCbCr(b) | C::CMYK(b) | C::CMYKA(b) | C::Lab(b) => b,
        C::Palette(_) => return Err(Unsupported::Palette),
        C::Multiband { bit_depth, num_samples } => {
            return Err(if bit_depth != 8 {
                Unsupported::BitDepth(bit_depth)
            } else {
                Unsupported::Colour(format!("{num_samples}-band"))
            });
        }
        _ => return Err(Unsupported::Colour(format!("{c:?}"))),
    };
    if bits != 8 {
        return Err(Unsupported::BitDepth(bits));
    }
    match c {
        C::Gray(_) => Ok(Pixels::Gray),
        C::GrayA(_) => Ok(Pixels::GrayAlpha),
        C::RGB(_) => Ok(Pixels::Rgb),
        C::RGBA(_) => Ok(Pixels::Rgba),
        C::YCbCr(_) => Ok(Pixels::YCbCr),
        C::CMYK(_) | C::CMYKA(_) => Err(Unsupported::Colour("CMYK".into())),
        C::Lab(_) => Err(Unsupported::Colour("CIE L*a*b*".into())),
        _ => Err(Unsupported::Colour(format!("{c:?}"))),
    }
}
