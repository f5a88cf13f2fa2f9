//! How long saving one edit to a database project takes (issue 16: "save one edit in under 100 ms"),
//! the way the app does it: a fresh connection, a copy of the versions read, `Db::save_grids` of the
//! shared project (no copy of it), all or nothing, for the one grid changed. Each round changes one grid's phone number and saves it; prints each round's time in
//! ms, connecting and saving apart. Changes the database (the phone numbers of a few grids).
//!
//! `cargo run --release --example db_save_one -- 'postgres://USER@HOST:PORT/DB?schema=NAME' [ROUNDS]`

use std::time::Instant;

use anyhow::Context;
use wangge::io::Changes;
use wangge::io::postgis::{Db, DbUrl, Loaded, SaveOptions, new_save_tag};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let url = DbUrl::parse(args.get(1).context("usage: db_save_one URL [ROUNDS]")?)?;
    let rounds: usize = args.get(2).map_or(Ok(5), |n| n.parse())?;
    let started = Instant::now();
    let mut loaded = Db::connect(&url)?.open()?;
    println!("opened {} grids in {:.0} ms", loaded.project.grids.len(), started.elapsed().as_secs_f64() * 1e3);
    let ids: Vec<_> = loaded.project.grids.keys().copied().step_by(997).take(rounds).collect();
    for (round, id) in ids.into_iter().enumerate() {
        let Some(grid) = loaded.project.grids.get_mut(&id) else { continue };
        grid.attrs.phone = format!("0563-{:07}", round + 1000 * (grid.attrs.phone.len() % 7));
        let t0 = Instant::now();
        let mut db = Db::connect(&url)?;
        let connected = t0.elapsed();
        let mut versions = loaded.versions.clone();
        let changes = Changes { grids: [id].into(), other_layers: false };
        let options = SaveOptions::all_or_nothing(Some(new_save_tag()));
        let report = db.save_grids(&loaded.project, (&mut versions, &loaded.layers_read), &changes, &options)?;
        loaded.versions = versions;
        let total = t0.elapsed();
        anyhow::ensure!(report.written == vec![id], "not written: {report:?}");
        println!(
            "round {round}: connect {:.1} ms, save {:.1} ms, total {:.1} ms",
            connected.as_secs_f64() * 1e3,
            (total - connected).as_secs_f64() * 1e3,
            total.as_secs_f64() * 1e3
        );
    }
    let _: &Loaded = &loaded;
    Ok(())
}
