//! `wangge import`: a file's features into a project file (created when it does not exist) as one of
//! its layers, or as a reference layer, saved in one transaction.

use std::path::Path;

use anyhow::bail;

use super::Bar;
use crate::core::Project;
use crate::io::crs::{SourceCrs, parse_crs_arg};
use crate::io::import::{
    ImportOptions, SourceScan, Target, import_file_layer, import_reference_file, probe_csv, project_crs_for,
    scan_source, source_crs_scanned,
};
use crate::io::location::{ReadFrom, open_to_save, save_back};
use crate::io::postgis::is_db_path;
use crate::io::source::SourceLayer;
use crate::text::{Lang, pick, say};

/// Imports into a project file, creating it if it does not exist, and saves it in one transaction —
/// unless another program changed the file in the meantime — or into a database project (a URL).
pub fn import_file(
    src: &Path,
    into: &Path,
    target: Target,
    options: &ImportOptions,
    project_crs: Option<&str>,
    name: Option<String>,
    lang: Lang,
) -> anyhow::Result<String> {
    let zh = lang == Lang::Zh;
    eprintln!("{}{}", pick(lang, "正在读取 ", "reading "), src.display());
    let bar = Bar::new(lang);
    // A project file or a database project (a URL); a file that does not exist yet is created.
    let existing = existing_project(into, &bar)?;
    if src.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
        probe_csv(src, target, options, existing.as_ref().map(|(p, _)| &p.crs))?;
    }
    // Read twice, feature by feature, holding none of them: once for what the whole file must tell
    // first (field names, extent), once to stage each feature as project data.
    let (header, scan) = scan_source(src, options.layer.as_deref(), &bar)?;
    let (mut project, read_from) = match existing {
        Some(existing) => existing,
        None => (new_project(src, into, &header, &scan, options, project_crs, name, lang)?, ReadFrom::File(None)),
    };
    let summary = import_file_layer(&mut project, src, &header, &scan, target, options, &bar)?;
    if !bar.is_shown() {
        eprintln!("{}{}", pick(lang, "正在保存 ", "saving "), into.display());
    }
    save_back(&project, into, &read_from, &bar)?;
    drop(bar);
    let mapped: Vec<String> = summary.mapped.iter().map(|(m, s)| format!("{m}←{s}")).collect();
    let (from, to) = (&summary.source_crs, &summary.project_crs);
    Ok(if zh {
        let layer = match target {
            Target::Boundary => "区域边界",
            Target::Divisions => "行政区划",
            Target::Grids => "网格",
            Target::Households => "住户点",
        };
        format!(
            "已从 {} 导入 {} 个要素为{layer}（{from} → {to}）{}",
            src.display(),
            summary.features,
            if mapped.is_empty() { String::new() } else { format!("；字段：{}", mapped.join("，")) }
        )
    } else {
        format!(
            "imported {} features as {target:?} from {} ({from} → {to}){}",
            summary.features,
            src.display(),
            if mapped.is_empty() { String::new() } else { format!("; fields: {}", mapped.join(", ")) }
        )
    })
}

/// The project an import goes into, read to be saved back where it is (a database project is saved back
/// with only what the import changed, merged with others' saves, all or nothing); None for a file that
/// does not exist yet.
fn existing_project(into: &Path, bar: &Bar) -> Result<Option<(Project, ReadFrom)>, crate::io::IoError> {
    if is_db_path(into) || into.exists() { open_to_save(into, bar).map(Some) } else { Ok(None) }
}

/// A project for an import into a file that does not exist yet: named `name` or after the file, in
/// `project_crs` or the CRS [`project_crs_for`] picks for the source.
#[allow(clippy::too_many_arguments)]
fn new_project(
    src: &Path,
    into: &Path,
    header: &SourceLayer,
    scan: &SourceScan,
    options: &ImportOptions,
    project_crs: Option<&str>,
    name: Option<String>,
    lang: Lang,
) -> anyhow::Result<Project> {
    let crs = match project_crs {
        Some(text) => match parse_crs_arg(text)? {
            SourceCrs::Epsg(crs) => crs,
            _ => bail!(
                "{}",
                say!(
                    lang,
                    "--project-crs 必须是 EPSG 坐标系；GCJ-02/BD-09 只能用于输入",
                    "--project-crs must be an EPSG CRS; GCJ-02/BD-09 are only for input"
                )
            ),
        },
        None => project_crs_for(src, scan.extent, &source_crs_scanned(header, scan.all_lonlat, options)?)?,
    };
    let name = name.unwrap_or_else(|| into.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
    Ok(Project::new(name, crs))
}

/// `wangge import … --as reference`: the file's lines or polygons become the reference layer `name`
/// (default: the source file's name) of the project, created if missing; saved in one transaction unless
/// another program changed the file in the meantime. The grids and the other layers stay as they are.
pub fn import_reference(
    src: &Path,
    into: &Path,
    name: Option<String>,
    options: &ImportOptions,
    project_crs: Option<&str>,
    lang: Lang,
) -> anyhow::Result<String> {
    eprintln!("{}{}", pick(lang, "正在读取 ", "reading "), src.display());
    let bar = Bar::new(lang);
    let existing = existing_project(into, &bar)?;
    let (header, scan) = scan_source(src, options.layer.as_deref(), &bar)?;
    let (mut project, read_from) = match existing {
        Some(existing) => existing,
        None => (new_project(src, into, &header, &scan, options, project_crs, None, lang)?, ReadFrom::File(None)),
    };
    let layer = name.unwrap_or_else(|| src.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
    anyhow::ensure!(
        !layer.trim().is_empty(),
        "{}",
        say!(lang, "参考图层需要一个名称（--name）", "a reference layer needs a name (--name)")
    );
    let summary = import_reference_file(&mut project, src, &header, &scan, &layer, options, &bar)?;
    if !bar.is_shown() {
        eprintln!("{}{}", pick(lang, "正在保存 ", "saving "), into.display());
    }
    save_back(&project, into, &read_from, &bar)?;
    drop(bar);
    let (from, to, n) = (&summary.source_crs, &summary.project_crs, summary.features);
    let field = summary.mapped.first().map(|(_, s)| s.clone());
    Ok(match lang {
        Lang::Zh => format!(
            "已从 {} 导入 {n} 个要素为参考图层“{layer}”（{from} → {to}）{}",
            src.display(),
            field.map(|f| format!("；名称字段：{f}")).unwrap_or_default()
        ),
        Lang::En => format!(
            "imported {n} features as reference layer {layer:?} from {} ({from} → {to}){}",
            src.display(),
            field.map(|f| format!("; names from field {f}")).unwrap_or_default()
        ),
    })
}
