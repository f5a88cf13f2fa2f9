//! Printing: the overview, the atlas and the table of the 泾县 sample divided into ~650 grids (the size
//! of the real county plan) and of a small synthetic township — page count and size, every code on the
//! overview, labels inside their grids and never on top of each other, the scale bar true to 1 %, fonts
//! embedded and text extractable (poppler's pdffonts/pdftotext), clean rasterising (pdftoppm) that
//! matches our own PNG, and a committed reference image.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use geo::{Contains, Coord, MultiPolygon, polygon};
use wangge::core::coverage::synthetic::fill_with_grids;
use wangge::core::{Division, DivisionCode, Grid, GridKind, Project};
use wangge::io::crs::crs_from_epsg;
use wangge::print::{PT_PER_MM, Paper, PrintOptions, Products, overview, pages, render_png, write};

use crate::common::{debian_tool, path_str, run_ok};

/// The sample county divided into grids of about 1.9 km (≈ 650 grids, like 泾县's real plan).
pub fn jingxian_655() -> &'static Project {
    static PROJECT: OnceLock<Project> = OnceLock::new();
    PROJECT.get_or_init(|| {
        let mut p = wangge::app::load_sample().unwrap();
        fill_with_grids(&mut p, 1_900.0);
        p
    })
}

fn options() -> PrintOptions {
    PrintOptions {
        date: "2026-11-26".into(), compiled_by: "泾县网格化服务管理中心".into(), ..PrintOptions::default()
    }
}

/// A township of `side` × `side` grids of 600 m in one village, in CGCS2000 GK CM 117E near 泾县; grid n
/// (from the north-west, row by row) is coded 341823100001 and n in three digits.
pub fn township(side: usize) -> Project {
    let mut p = Project::new("泾县", crs_from_epsg(4548).unwrap());
    let (x0, y0, s, n) = (620_000.0, 3_385_000.0, 600.0, side as f64);
    p.boundary = MultiPolygon(vec![
        polygon![(x: x0, y: y0), (x: x0 + n * s, y: y0), (x: x0 + n * s, y: y0 + n * s), (x: x0, y: y0 + n * s)],
    ]);
    for (code, name, parent) in [("341823100", "泾川镇", None), ("341823100001", "城南居委会", Some("341823100"))]
    {
        p.divisions.insert(
            code.into(),
            Division {
                code: DivisionCode::parse(code).unwrap(),
                name: name.into(),
                parent_code: parent.map(String::from),
                class: Default::default(),
                polygon: None,
            },
        );
    }
    for row in 0..side {
        for col in 0..side {
            let (x, y) = (x0 + col as f64 * s, y0 + (side - 1 - row) as f64 * s);
            let mut g = Grid::new(MultiPolygon(vec![
                polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)],
            ]));
            g.code = format!("341823100001{:03}", row * side + col + 1);
            g.village_code = "341823100001".into();
            p.add_grid(g);
        }
    }
    p
}

/// A township of nine grids (3 × 3, 600 m) in one village, one of them a dedicated grid.
pub fn small_township() -> Project {
    let mut p = township(3);
    for (n, g) in (1..).zip(p.grids.values_mut()) {
        g.name = format!("城南第{n}网格");
        g.kind = if n == 5 { GridKind::Dedicated } else { GridKind::Basic };
        g.attrs.grid_staff = format!("网格员{n}");
        g.attrs.phone = format!("1395630{n:04}");
        g.attrs.households = Some(300 + n);
    }
    p
}

#[test]
fn the_sample_has_the_size_of_a_real_county_plan() {
    let p = jingxian_655();
    assert!((600..=720).contains(&p.grids.len()), "{} grids", p.grids.len());
    assert!(p.grids.values().all(|g| g.code.len() == 15), "every grid is coded");
}

/// Every code of an overview (on the overview page or on its detail sheets) once, at the minimum size
/// or larger, inside its grid unless on a leader, no two labels of a sheet overlapping.
fn assert_codes_readable(p: &Project, layout: &wangge::print::OverviewLayout) {
    let sheets: Vec<(&Vec<wangge::print::PlacedLabel>, &std::collections::BTreeMap<_, _>)> =
        std::iter::once((&layout.labels, &layout.grid_shapes))
            .chain(layout.details.iter().map(|d| (&d.labels, &d.grid_shapes)))
            .collect();
    let mut labelled = std::collections::BTreeMap::new();
    let mut inside = 0;
    for (labels, shapes) in &sheets {
        for label in labels.iter() {
            *labelled.entry(label.grid).or_insert(0) += 1;
            assert!(
                label.size >= layout.min_code_size - 1e-9,
                "grid {} labelled at {:.2} pt, below {:.2}",
                label.grid,
                label.size,
                layout.min_code_size
            );
            let code = &p.grids[&label.grid].code;
            let shown: String = if label.lines.len() == 2 && label.lines[0].len() + label.lines[1].len() == code.len() {
                label.lines.concat()
            } else {
                label.lines[0].clone()
            };
            assert_eq!(&shown, code, "grid {} is labelled {:?}", label.grid, label.lines);
            let shape: &geo::Polygon<f64> = &shapes[&label.grid];
            match label.leader {
                None => {
                    assert!(shape.contains(&label.rect.to_polygon()), "the label of grid {} leaves it", label.grid);
                    inside += 1;
                }
                Some((from, _)) => assert!(shape.contains(&geo::Point(from)), "a leader starts in its grid"),
            }
        }
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                let overlap = a.rect.min().x < b.rect.max().x - 0.01
                    && b.rect.min().x < a.rect.max().x - 0.01
                    && a.rect.min().y < b.rect.max().y - 0.01
                    && b.rect.min().y < a.rect.max().y - 0.01;
                assert!(!overlap, "labels of grids {} and {} overlap", a.grid, b.grid);
            }
        }
    }
    assert_eq!(labelled.len(), p.grids.len(), "every grid is labelled");
    assert!(labelled.values().all(|n| *n == 1), "every grid is labelled once");
    assert!(inside * 10 >= p.grids.len() * 8, "most labels fit inside their grid ({inside} of {})", p.grids.len());
}

#[test]
fn county_overview_labels_every_grid_readably_and_the_scale_bar_is_true() {
    let p = jingxian_655();
    let opts = PrintOptions { paper: Paper::A2, landscape: true, ..options() };
    let (pages, layout) = overview(p, &opts);
    let (w, h) = Paper::A2.size(true);
    let page = &pages[0];
    assert_eq!((page.width, page.height), (w, h));
    assert!(layout.min_code_size >= 5.0);
    // At the county's scale 1.9 km grids cannot hold a 15-digit code at 5 pt: detail sheets do.
    assert!(layout.labels.is_empty() && !layout.details.is_empty(), "{} detail sheets", layout.details.len());
    assert_eq!(pages.len(), 1 + layout.details.len());
    assert_codes_readable(p, &layout);
    // The scale bar, measured against the map itself: two points 10 km apart on the ground.
    let (bar_pt, bar_m) = layout.scale_bar;
    let c = layout.map.visible_world().center();
    let (x0, _) = layout.map.to_page(c);
    let (x1, _) = layout.map.to_page(Coord { x: c.x + 10_000.0, y: c.y });
    let metres_per_pt_on_map = 10_000.0 / (x1 - x0);
    let ratio = (bar_m / bar_pt) / metres_per_pt_on_map;
    assert!((ratio - 1.0).abs() < 0.01, "scale bar off by {:.3} %", (ratio - 1.0) * 100.0);
    // …and against the printed scale 1:N.
    let printed_mm = bar_pt / PT_PER_MM;
    let ratio = bar_m * 1000.0 / printed_mm / layout.map.scale_denominator;
    assert!((ratio - 1.0).abs() < 0.01, "scale bar vs 1:{}: {ratio}", layout.map.scale_denominator);
    assert!(page.texts().any(|t| t.starts_with("比例尺 1:")));
}

fn pdftotext(pdf: &Path) -> String {
    run_ok("pdftotext", &["-layout", path_str(pdf), "-"])
}

#[test]
fn pdf_embeds_its_font_keeps_text_extractable_and_rasterises_cleanly() {
    if !(debian_tool("pdffonts") && debian_tool("pdftotext") && debian_tool("pdftoppm")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("网格图.pdf");
    let p = small_township();
    let opts = PrintOptions {
        products: Products { overview: true, atlas: true, table: true },
        township: Some("341823100".into()),
        ..options()
    };
    let written = write(&p, &opts, &pdf).unwrap();
    assert_eq!(written, vec![pdf.clone()]);
    let fonts = run_ok("pdffonts", &[path_str(&pdf)]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        // emb, sub, uni are the three yes/no columns before the object number.
        assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "font not embedded as a subset: {row}");
    }
    let info = run_ok("pdfinfo", &[path_str(&pdf)]);
    // Overview + 1 index page + 9 grid pages + 1 table page.
    assert!(info.contains("Pages:           12"), "{info}");
    assert!(info.contains("595.276 x 841.89 pts (A4)"), "{info}");
    let text = pdftotext(&pdf);
    for expected in [
        "泾县泾川镇网格划分图",
        "城南第5网格",
        "341823100001005",
        "泾县泾川镇网格图索引",
        "泾县泾川镇网格一览表",
        "面积（km²）",
        "坐标系：2000 国家大地坐标系",
        "3 度带高斯-克吕格投影 中央经线 117°E",
        "第 12 页 / 共 12 页",
        "网格员3",
        "13956300007",
        "四至",
        "区域边界",
        "专属网格",
        "坐标系",
        "编制日期：2026-11-26",
    ] {
        assert!(text.contains(expected), "pdftotext lacks {expected}:\n{text}");
    }
    for n in 1..=9 {
        assert!(text.contains(&format!("341823100001{n:03}")), "code {n} not extractable");
    }
    let out = Command::new("pdftoppm")
        .args(["-r", "40", "-png", path_str(&pdf)])
        .arg(dir.path().join("page"))
        .output()
        .unwrap();
    assert!(out.status.success() && out.stderr.is_empty(), "pdftoppm: {}", String::from_utf8_lossy(&out.stderr));
    let pngs = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "png"))
        .count();
    assert_eq!(pngs, 12);
}

/// Mean absolute difference per channel (0–255) between two RGBA images of the same size.
fn mean_difference(a: &resvg::tiny_skia::Pixmap, b: &resvg::tiny_skia::Pixmap) -> f64 {
    assert_eq!((a.width(), a.height()), (b.width(), b.height()));
    let total: u64 = a.data().iter().zip(b.data()).map(|(x, y)| (*x as i64 - *y as i64).unsigned_abs()).sum();
    total as f64 / a.data().len() as f64
}

/// Writes the README's overview image from the printing code as it is now, so the picture never shows
/// an older map: `cargo test --test integration readme_overview_image -- --ignored`.
#[test]
#[ignore = "writes assets/print-overview.png; run by hand when printing changes"]
fn readme_overview_image() {
    let opts = PrintOptions { paper: Paper::A2, landscape: true, ..options() };
    let (pages, _) = overview(jingxian_655(), &opts);
    let png = render_png(&pages[0], 45.0).unwrap();
    std::fs::write("assets/print-overview.png", png).unwrap();
}

#[test]
fn png_matches_the_reference_image_and_poppler_agrees_with_it() {
    let p = small_township();
    let page = pages(&p, &options()).remove(0);
    let png = render_png(&page, 50.0).unwrap();
    let ours = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
    let (w, h) = Paper::A4.size(false);
    assert_eq!((ours.width(), ours.height()), ((w * 50.0 / 72.0).round() as u32, (h * 50.0 / 72.0).round() as u32));
    let reference_path = Path::new("tests/fixtures/print/small-township-overview-50dpi.png");
    if std::env::var_os("WANGGE_UPDATE_REFERENCE").is_some() {
        std::fs::create_dir_all(reference_path.parent().unwrap()).unwrap();
        std::fs::write(reference_path, &png).unwrap();
    }
    let reference = resvg::tiny_skia::Pixmap::decode_png(&std::fs::read(reference_path).unwrap()).unwrap();
    let d = mean_difference(&ours, &reference);
    eprintln!("our PNG vs reference: mean difference {d:.3}");
    assert!(d < 1.0, "the overview drifted from the reference image: mean difference {d:.2}");
    // The PDF rasterised by poppler shows the same map (fonts and anti-aliasing differ a little).
    if debian_tool("pdftoppm") {
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("o.pdf");
        write(&p, &options(), &pdf).unwrap();
        let out = Command::new("pdftoppm")
            .args(["-r", "50", "-png", "-singlefile", "-scale-to-x"])
            .arg(ours.width().to_string())
            .args(["-scale-to-y", &ours.height().to_string(), path_str(&pdf)])
            .arg(dir.path().join("poppler"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let poppler =
            resvg::tiny_skia::Pixmap::decode_png(&std::fs::read(dir.path().join("poppler.png")).unwrap()).unwrap();
        let d = mean_difference(&ours, &poppler);
        eprintln!("our PNG vs poppler: mean difference {d:.2}");
        assert!(d < 6.0, "poppler's rendering of the PDF differs from our PNG: mean difference {d:.2}");
    }
}

#[test]
fn atlas_and_table_paginate_in_code_order_with_headers_on_every_page() {
    let p = jingxian_655();
    let atlas =
        pages(p, &PrintOptions { products: Products { overview: false, atlas: true, table: false }, ..options() });
    let index_pages = atlas.iter().take_while(|pg| pg.texts().any(|t| t == "泾县网格图索引")).count();
    assert_eq!(atlas.len(), index_pages + p.grids.len(), "an index and one page per grid");
    let mut codes: Vec<&str> = p.grids.values().map(|g| g.code.as_str()).collect();
    codes.sort_unstable();
    for (page, code) in atlas[index_pages..].iter().zip(&codes) {
        assert!(page.texts().any(|t| t == format!("网格图  {code}")), "pages in code order");
        assert!(page.texts().any(|t| t.starts_with("四至")));
    }
    let table =
        pages(p, &PrintOptions { products: Products { overview: false, atlas: false, table: true }, ..options() });
    assert!(table.len() > 1);
    for page in &table {
        assert!(page.texts().any(|t| t == "网格编码") && page.texts().any(|t| t == "联系电话"), "header repeated");
    }
    let rows: usize =
        table.iter().map(|pg| pg.texts().filter(|t| t.len() == 15 && t.starts_with("3418")).count()).sum();
    assert_eq!(rows, p.grids.len(), "every grid in the table once");
}

#[test]
fn svg_and_numbered_png_pages_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let p = small_township();
    let opts = PrintOptions {
        products: Products { overview: true, atlas: false, table: true },
        dpi: 30.0,
        township: Some("341823100".into()),
        ..options()
    };
    let svg = write(&p, &opts, &dir.path().join("map.svg")).unwrap();
    assert_eq!(
        svg.iter().map(|f| f.file_name().unwrap().to_str().unwrap().to_string()).collect::<Vec<_>>(),
        ["map-001.svg", "map-002.svg"]
    );
    let text = std::fs::read_to_string(&svg[0]).unwrap();
    assert!(text.starts_with("<svg") && text.contains("泾县泾川镇网格划分图") && text.contains("341823100001009"));
    let png = write(
        &p,
        &PrintOptions { products: Products { overview: true, atlas: false, table: false }, ..opts.clone() },
        &dir.path().join("map.png"),
    )
    .unwrap();
    assert_eq!(png.len(), 1);
    assert!(std::fs::read(&png[0]).unwrap().starts_with(b"\x89PNG"));
    assert!(write(&p, &opts, &dir.path().join("map.docx")).is_err());
}

/// The text of one page of a PDF.
fn pdf_page_text(pdf: &Path, page: usize) -> String {
    let n = page.to_string();
    run_ok("pdftotext", &["-layout", "-f", &n, "-l", &n, path_str(pdf), "-"])
}

#[test]
fn page_numbers_are_those_of_the_whole_document_and_the_index_points_at_them() {
    if !debian_tool("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("all.pdf");
    let p = small_township();
    let opts = PrintOptions { products: Products { overview: true, atlas: true, table: true }, ..options() };
    write(&p, &opts, &pdf).unwrap();
    // 1 overview, 2 index, 3–11 the nine sheets, 12 the table.
    for page in 1..=12 {
        let text = pdf_page_text(&pdf, page);
        assert!(text.contains(&format!("第 {page} 页 / 共 12 页")), "page {page}:\n{text}");
    }
    let index = pdf_page_text(&pdf, 2);
    for n in 1..=9 {
        let code = format!("341823100001{n:03}");
        // The index row of the grid ends with its page, and that page is the grid's sheet.
        let row = index.lines().find(|l| l.contains(&code)).unwrap_or_else(|| panic!("{code} not in the index"));
        let page: usize = row.split_whitespace().last().unwrap().parse().unwrap();
        assert_eq!(page, n + 2, "{row}");
        let sheet = pdf_page_text(&pdf, page);
        let heading = sheet.lines().find(|l| l.contains("网格图")).unwrap_or_default().to_string();
        assert!(heading.contains(&code), "page {page} is not {code}'s sheet:\n{sheet}");
    }
    // Without the overview the index counts from 1 and the sheets follow it.
    let atlas_only = PrintOptions { products: Products { overview: false, atlas: true, table: false }, ..options() };
    let pages = pages(&p, &atlas_only);
    assert_eq!(pages.len(), 10);
    assert!(pages[1].texts().any(|t| t == "第 2 页 / 共 10 页"));
    assert!(pages[0].texts().any(|t| t == "2"), "the first sheet is page 2");
    // A single page carries no page number.
    assert!(
        !pages_of(&p, Products { overview: true, atlas: false, table: false })[0]
            .texts()
            .any(|t| t.contains("页 / 共"))
    );
}

fn pages_of(p: &Project, products: Products) -> Vec<wangge::print::Page> {
    pages(p, &PrintOptions { products, ..options() })
}

#[test]
fn titles_follow_the_printed_range() {
    let p = small_township();
    let all = Products { overview: true, atlas: true, table: true };
    let county = pages_of(&p, all);
    assert!(county[0].texts().any(|t| t == "泾县网格划分图"), "a whole-county print is titled by the county");
    assert!(county.iter().any(|pg| pg.texts().any(|t| t == "泾县网格一览表")));
    assert!(county.iter().any(|pg| pg.texts().any(|t| t == "泾县网格图索引")));
    let town = pages(&p, &PrintOptions { products: all, township: Some("341823100".into()), ..options() });
    assert!(town[0].texts().any(|t| t == "泾县泾川镇网格划分图"));
    assert!(town.iter().any(|pg| pg.texts().any(|t| t == "泾县泾川镇网格一览表")));
    assert!(!town.iter().any(|pg| pg.texts().any(|t| t == "泾县网格一览表")));
    // A project named after the township is not named twice.
    let mut named = p.clone();
    named.name = "泾川镇".into();
    assert_eq!(wangge::print::default_title(&named, Some("341823100")), "泾川镇网格划分图");
    // A typed title is kept.
    let typed = pages(&p, &PrintOptions { title: Some("城南网格".into()), ..options() });
    assert!(typed[0].texts().any(|t| t == "城南网格"));
}

#[test]
fn the_legend_shows_what_the_map_shows() {
    let mut p = small_township();
    let legend = |p: &Project| -> Vec<String> {
        pages_of(p, Products { overview: true, atlas: false, table: false })[0].texts().map(str::to_string).collect()
    };
    let texts = legend(&p);
    for entry in ["图例", "区域边界", "相邻网格不同色", "基础网格", "专属网格"] {
        assert!(texts.iter().any(|t| t == entry), "{entry} missing: {texts:?}");
    }
    // No division polygons: no township or village lines drawn, none in the legend.
    assert!(!texts.iter().any(|t| t == "村（社区）界" || t == "乡镇（街道）界"), "{texts:?}");
    // A village with its polygon: its line is drawn and explained; no dedicated grid: no such entry.
    let outline = p.boundary.clone();
    p.divisions.get_mut("341823100001").unwrap().polygon = Some(outline);
    for g in p.grids.values_mut() {
        g.kind = GridKind::Basic;
    }
    let texts = legend(&p);
    assert!(texts.iter().any(|t| t == "村（社区）界"), "{texts:?}");
    assert!(!texts.iter().any(|t| t == "专属网格" || t == "乡镇（街道）界"), "{texts:?}");
}

#[test]
fn table_headers_are_never_cut() {
    let mut p = small_township();
    // Long names and villages push on the other columns.
    for g in p.grids.values_mut() {
        g.name = format!("{}（城南新区幸福家园小区东片区域）", g.name);
    }
    for paper in [Paper::A4, Paper::A3] {
        for landscape in [false, true] {
            let opts = PrintOptions {
                paper,
                landscape,
                products: Products { overview: false, atlas: true, table: true },
                ..options()
            };
            for page in pages(&p, &opts) {
                let texts: Vec<&str> = page.texts().collect();
                if !texts.contains(&"序号") {
                    continue;
                }
                let all = texts.concat();
                for title in [
                    "网格编码",
                    "网格名称",
                    "所属村（社区）",
                    "面积（km²）",
                    "户数",
                    "人口",
                    "网格员",
                    "联系电话",
                    "页码",
                ] {
                    let cut = texts.iter().any(|t| t.ends_with('…') && title.starts_with(t.trim_end_matches('…')));
                    assert!(!cut, "{title} cut: {texts:?}");
                }
                let titles: &[&str] = if texts.iter().any(|t| t.ends_with("网格一览表")) {
                    &["网格编码", "网格名称", "所属村（社区）", "户数", "人口", "网格员", "联系电话"]
                } else {
                    &["网格编码", "网格名称", "所属村（社区）", "页码"]
                };
                for title in titles {
                    assert!(all.contains(title), "{title} cut on {paper:?}: {texts:?}");
                }
                if texts.iter().any(|t| t.starts_with("面积")) {
                    let joined: String =
                        texts.iter().filter(|t| t.starts_with("面积") || t.starts_with("（km")).copied().collect();
                    assert_eq!(joined, "面积（km²）", "{texts:?}");
                }
            }
        }
    }
}

/// The words pdftotext -bbox finds on one page: (text, xMin, yMin, xMax, yMax).
fn pdf_words(pdf: &Path, page: usize) -> Vec<(String, f64, f64, f64, f64)> {
    let n = page.to_string();
    let html = run_ok("pdftotext", &["-bbox", "-f", &n, "-l", &n, path_str(pdf), "-"]);
    let attr = |w: &str, name: &str| -> f64 {
        let at = w.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        w[at..].split('"').next().unwrap().parse().unwrap()
    };
    html.split("<word ")
        .skip(1)
        .map(|w| {
            let text = w.split('>').nth(1).unwrap().split('<').next().unwrap().to_string();
            (text, attr(w, "xMin"), attr(w, "yMin"), attr(w, "xMax"), attr(w, "yMax"))
        })
        .collect()
}

#[test]
fn every_code_of_the_county_overview_is_printed_readably_on_a3() {
    if !(debian_tool("pdftotext") && debian_tool("pdftoppm")) {
        return;
    }
    let p = jingxian_655();
    let opts = PrintOptions { paper: Paper::A3, landscape: true, ..options() };
    let (sheets, layout) = overview(p, &opts);
    assert!((layout.min_code_size - 5.0).abs() < 1e-9, "5 pt on A3");
    assert_codes_readable(p, &layout);
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("county.pdf");
    write(p, &opts, &pdf).unwrap();
    assert!(run_ok("pdfinfo", &[path_str(&pdf)]).contains(&format!("Pages:           {}", sheets.len())));
    // Each label's first line is a word of its page in the PDF, where the layout put it, no smaller than
    // the minimum; and every grid's code is found in the PDF's text, whole or broken after the village.
    let mut per_page: Vec<&Vec<wangge::print::PlacedLabel>> = vec![&layout.labels];
    per_page.extend(layout.details.iter().map(|d| &d.labels));
    let mut found = 0;
    for (i, labels) in per_page.iter().enumerate() {
        if labels.is_empty() {
            continue;
        }
        let words = pdf_words(&pdf, i + 1);
        for label in labels.iter() {
            let (cx, cy) = (label.rect.center().x, label.rect.center().y);
            let hit = words.iter().find(|(t, x0, y0, x1, y1)| {
                *t == label.lines[0]
                    && *x0 <= cx + 1.0
                    && cx - 1.0 <= *x1
                    && *y0 - label.size * 2.5 <= cy
                    && cy <= *y1 + label.size * 2.5
            });
            let (_, _, y0, _, y1) = hit.unwrap_or_else(|| panic!("{:?} not on page {}", label.lines, i + 1));
            assert!(y1 - y0 >= layout.min_code_size * 0.95, "{:?} printed {:.2} pt high", label.lines, y1 - y0);
            if label.lines.len() == 2 {
                assert!(words.iter().any(|(t, ..)| *t == label.lines[1]));
            }
            found += 1;
        }
    }
    assert_eq!(found, p.grids.len());
    // The sheets rasterise cleanly.
    let out = Command::new("pdftoppm")
        .args(["-r", "20", "-png", "-f", "1", "-l", "2", path_str(&pdf)])
        .arg(dir.path().join("page"))
        .output()
        .unwrap();
    assert!(out.status.success() && out.stderr.is_empty(), "pdftoppm: {}", String::from_utf8_lossy(&out.stderr));
}
