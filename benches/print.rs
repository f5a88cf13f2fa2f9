//! Printing speed on the 泾县 sample divided into ~650 grids (the size of the real county plan):
//! the overview to PDF (target < 2 s) and the atlas of one page per grid to PDF (target < 30 s).

// Tests and benchmarks stop at a broken assumption: unwrap, expect and panic are how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use wangge::core::coverage::synthetic::fill_with_grids;
use wangge::print::{Paper, PrintOptions, Products, document_title, pages, render_pdf};

fn print(c: &mut Criterion) {
    let mut project = wangge::app::load_sample().expect("the bundled sample opens");
    fill_with_grids(&mut project, 1_900.0);
    let grids = project.grids.len();
    let overview = PrintOptions { paper: Paper::A2, landscape: true, ..PrintOptions::default() };
    let atlas =
        PrintOptions { products: Products { overview: false, atlas: true, table: false }, ..PrintOptions::default() };
    let mut group = c.benchmark_group("print");
    group.sample_size(10);
    group.bench_function(format!("overview of {grids} grids to PDF (A2, layout + labels + PDF)"), |b| {
        b.iter(|| render_pdf(&pages(&project, &overview), &document_title(&project, &overview)).expect("PDF").len())
    });
    group.bench_function(format!("atlas of {grids} grid pages + index to PDF"), |b| {
        b.iter(|| render_pdf(&pages(&project, &atlas), "atlas").expect("PDF").len())
    });
    group.finish();
}

criterion_group!(benches, print);
criterion_main!(benches);
