//! Basemap sources from files on this machine (MBTiles, GeoTIFF), checked when they are added — by
//! `wangge basemap add` and by the app's layers panel alike — with their paths kept relative to the
//! project's folder where the file lies inside it.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{GeoTiff, GeoTiffInfo, MbTiles};
use crate::core::basemap::{BasemapSource, tile_at};

/// An MBTiles source: the file must open; its zooms and attribution are taken from it, and its path is
/// kept relative to the project's folder when it lies inside it.
pub fn mbtiles_source(name: &str, file: &Path, project: &Path) -> anyhow::Result<BasemapSource> {
    let mb = MbTiles::open(file)?;
    let mut source = BasemapSource::mbtiles(name, &stored_path(file, project)?);
    source.min_zoom = mb.metadata.min_zoom;
    source.max_zoom = mb.metadata.max_zoom;
    source.attribution = mb.metadata.attribution.clone();
    Ok(source)
}

/// A file's path as the project keeps it: relative to the project's folder when it lies inside it.
pub fn stored_path(file: &Path, project: &Path) -> anyhow::Result<String> {
    let absolute = std::fs::canonicalize(file).with_context(|| file.display().to_string())?;
    let folder = std::fs::canonicalize(project)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .with_context(|| project.display().to_string())?;
    let stored = absolute.strip_prefix(&folder).map(Path::to_path_buf).unwrap_or(absolute);
    Ok(stored.to_string_lossy().into_owned())
}

/// The file at a path as the project keeps it ([`stored_path`]): a relative one is taken from `base` (the
/// project's folder), when there is one.
pub fn resolve_stored_path(base: Option<&Path>, stored: &str) -> PathBuf {
    let p = PathBuf::from(stored);
    match base {
        Some(base) if p.is_relative() => base.join(p),
        _ => p,
    }
}

/// A GeoTIFF source: the file must open and be georeferenced in a CRS Wangge knows (checked by making
/// a tile of its centre); its zooms come from its resolution and overviews.
pub fn geotiff_source(name: &str, file: &Path, project: &Path) -> anyhow::Result<(BasemapSource, GeoTiffInfo)> {
    let mut image = GeoTiff::open(file)?;
    let info = image.info.clone();
    if let Some(centre) = tile_at(info.bounds_lonlat.center(), info.max_zoom) {
        image.render(centre)?;
    }
    let mut source = BasemapSource::geotiff(name, &stored_path(file, project)?);
    source.min_zoom = info.min_zoom;
    source.max_zoom = info.max_zoom;
    Ok((source, info))
}
