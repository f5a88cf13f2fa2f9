//! Township check-out / check-in (issue 16 §3): a township's part of a database project written as a
//! normal project file with its neighbours' border grids read-only, edited offline, and merged back
//! three ways in one transaction — theirs and mine both kept, conflicts listed, seam breaks refused with
//! the neighbour's vertex move that would fix them, row-level security honoured. Each test starts its
//! own throwaway PostgreSQL (tests/integration/pg.rs) on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::Output;

use geo::{LineString, MultiLineString, MultiPolygon, Point, Polygon};
use wangge::core::edit::{Command, EditError, GridFields};
use wangge::core::{
    Division, DivisionCode, Grid, HouseholdPoint, Project, ReferenceFeature, ReferenceGeometry, ReferenceLayer,
};
use wangge::io::crs::crs_from_epsg;
use wangge::io::postgis::{Access, Db, DbUrl, read_checkout};
use wangge::io::{open_project, save_project};

use crate::common::{path_str, stderr, stdout, wangge};
use crate::pg::Cluster;

const X0: f64 = 620_000.0;
const Y0: f64 = 3_385_000.0;
pub(crate) const TOWN: &str = "341823100";
const NEXT_TOWN: &str = "341823101";

pub(crate) fn poly(points: &[(f64, f64)]) -> MultiPolygon<f64> {
    let ring: Vec<(f64, f64)> = points.iter().map(|(x, y)| (X0 + x, Y0 + y)).collect();
    MultiPolygon(vec![Polygon::new(LineString::from(ring), vec![])])
}

pub(crate) fn grid(code: &str, geometry: MultiPolygon<f64>) -> Grid {
    let mut g = Grid::new(geometry);
    g.code = code.into();
    g.village_code = code[..12].into();
    g.name = format!("网格 {code}");
    g
}

/// Two townships side by side: 泾川镇 (341823100) has grids 1 and 2, its neighbour (341823101) grids 3
/// and 4. Grid 2's east edge and grid 3's west edge share a middle vertex at (200, 50); grid 4 touches
/// only grid 3. A household in grid 1 and one in grid 3; a road through 泾川镇 and one far away.
pub(crate) fn county() -> Project {
    let mut p = Project::new("泾县", crs_from_epsg(4548).unwrap());
    p.boundary = poly(&[(0., 0.), (400., 0.), (400., 100.), (0., 100.)]);
    for (code, name) in
        [(TOWN, "泾川镇"), ("341823100001", "城南居委会"), (NEXT_TOWN, "茂林镇"), ("341823101001", "茂林村委会")]
    {
        let code = DivisionCode::parse(code).unwrap();
        let class = code.default_class();
        let division = Division { code, name: name.into(), parent_code: None, class, polygon: None };
        p.divisions.insert(division.code.to_string(), division);
    }
    p.add_grid(grid("341823100001001", poly(&[(0., 0.), (100., 0.), (100., 100.), (0., 100.)])));
    p.add_grid(grid("341823100001002", poly(&[(100., 0.), (200., 0.), (200., 50.), (200., 100.), (100., 100.)])));
    p.add_grid(grid("341823101001001", poly(&[(200., 0.), (300., 0.), (300., 100.), (200., 100.), (200., 50.)])));
    p.add_grid(grid("341823101001002", poly(&[(300., 0.), (400., 0.), (400., 100.), (300., 100.)])));
    for x in [50., 250.] {
        p.households.push(HouseholdPoint { position: Point::new(X0 + x, Y0 + 50.), households: 30, population: None });
    }
    let mut roads = ReferenceLayer::new("道路");
    for (name, from, to) in [("城南路", 0., 150.), ("远处的路", 5000., 6000.)] {
        roads.features.push(ReferenceFeature {
            geometry: ReferenceGeometry::Lines(MultiLineString(vec![LineString::from(vec![
                (X0 + from, Y0 + 40.),
                (X0 + to, Y0 + 40.),
            ])])),
            name: name.into(),
        });
    }
    p.reference_layers.push(roads);
    p.settings.insert("code_rule".into(), "{village12}{seq:3}".into());
    p
}

/// A cluster with the county loaded into schema `jingxian`, a temporary folder, the admin's URL.
pub(crate) fn loaded() -> Option<(Cluster, tempfile::TempDir, String)> {
    let pg = Cluster::start()?;
    let url = pg.url("jingxian");
    Db::connect(&DbUrl::parse(&url).unwrap()).unwrap().init(&county(), false).unwrap();
    Some((pg, tempfile::tempdir().unwrap(), url))
}

/// A township account `role` for `township`, made by the administrator; its URL.
fn township_account(pg: &Cluster, url: &str, role: &str, township: &str) -> String {
    pg.client("wangge").batch_execute(&format!("CREATE ROLE {role} LOGIN")).unwrap();
    let mut db = Db::connect(&DbUrl::parse(url).unwrap()).unwrap();
    db.grant(role, &Access::Township(township.into())).unwrap();
    pg.url_as(role, "jingxian")
}

pub(crate) fn checkout(url: &str, township: &str, to: &Path) -> Output {
    wangge(&["db", "checkout", url, "--township", township, "--to", path_str(to), "--lang", "en"])
}

pub(crate) fn checkin(file: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["db", "checkin", path_str(file), "--lang", "en"];
    args.extend(extra);
    wangge(&args)
}

/// Edits the file offline as the app would: open, change, save.
pub(crate) fn edit(file: &Path, change: impl FnOnce(&mut Project)) {
    let mut project = open_project(file).unwrap();
    change(&mut project);
    save_project(&project, file).unwrap();
}

/// Sets fields of a grid through the edit commands.
pub(crate) fn set_fields(
    project: &mut Project,
    id: u64,
    change: impl FnOnce(&mut GridFields),
) -> Result<Command, EditError> {
    let mut fields = GridFields::of(&project.grids[&id]);
    change(&mut fields);
    Command::SetFields { id, fields: Box::new(fields) }.apply(project)
}

pub(crate) fn db_grid(url: &str, id: u64) -> Option<(Grid, i32)> {
    let loaded = Db::connect(&DbUrl::parse(url).unwrap()).unwrap().open().unwrap();
    Some((loaded.project.grids.get(&id)?.clone(), loaded.versions[&id]))
}

pub(crate) fn last_change(pg: &Cluster) -> i64 {
    pg.client("wangge").query_one("SELECT max(id) FROM jingxian.changes", &[]).unwrap().get(0)
}

#[test]
fn checkout_writes_the_township_its_neighbours_read_only_and_the_base() {
    let Some((pg, dir, url)) = loaded() else { return };
    let file = dir.path().join("泾川镇.gpkg");
    let out = checkout(&url, TOWN, &file);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "checked out township {TOWN} to {}: 2 grids, 1 neighbouring townships' border grids (read-only), 1 household points (database at change {})\n",
            file.display(),
            last_change(&pg)
        )
    );
    let project = open_project(&file).unwrap();
    let county = county();
    assert_eq!(project.grids.keys().copied().collect::<Vec<_>>(), [1, 2, 3], "grid 4 touches no grid of 泾川镇");
    for id in [1, 2, 3] {
        assert_eq!(project.grids[&id], county.grids[&id]);
    }
    assert_eq!(project.read_only_grids, [3].into(), "the neighbour's border grid is read-only");
    assert_eq!(project.households.len(), 1);
    assert_eq!(project.households[0].position, Point::new(X0 + 50., Y0 + 50.));
    let roads: Vec<&str> = project.reference_layers[0].features.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(roads, ["城南路"]);
    assert_eq!(project.divisions.keys().map(String::as_str).collect::<Vec<_>>(), [TOWN, "341823100001"]);
    assert_eq!(project.name, "泾川镇");
    assert_eq!(project.settings["code_rule"], "{village12}{seq:3}");
    assert!(project.next_grid_id >= 5, "new grids offline take ids the database has not given");
    // Where it came from, and the base of every grid.
    let (info, base) = read_checkout(&file).unwrap();
    assert_eq!((info.url.as_str(), info.schema.as_str(), info.township.as_str()), (url.as_str(), "jingxian", TOWN));
    assert_eq!(info.last_change, last_change(&pg));
    let base: Vec<(u64, i32, bool)> = base.iter().map(|(id, b)| (*id, b.version, b.read_only)).collect();
    assert_eq!(base, [(1, 1, false), (2, 1, false), (3, 1, true)]);
    // The edit commands refuse to change the neighbour's grid, whole or as part of a batch.
    let mut project = project;
    assert_eq!(set_fields(&mut project, 3, |f| f.name = "越界".into()), Err(EditError::ReadOnly(3)));
    assert_eq!(Command::RemoveGrid(3).apply(&mut project), Err(EditError::ReadOnly(3)));
    let batch = Command::Batch(vec![
        Command::SetGeometry { id: 2, geometry: poly(&[(100., 0.), (200., 0.), (100., 100.)]) },
        Command::SetGeometry { id: 3, geometry: poly(&[(200., 0.), (300., 0.), (300., 100.)]) },
    ]);
    assert_eq!(batch.apply(&mut project), Err(EditError::ReadOnly(3)));
    assert_eq!(project.grids[&2], county.grids[&2], "the batch changed nothing");
    assert!(set_fields(&mut project, 1, |f| f.name = "本镇".into()).is_ok());
    // Every command takes the file like any project.
    let info_out = wangge(&["info", path_str(&file), "--lang", "en"]);
    assert!(info_out.status.success(), "{}", stderr(&info_out));
    let check = wangge(&["check", path_str(&file), "--lang", "en"]);
    assert_ne!(check.status.code(), Some(2), "{}", stderr(&check));
}

#[test]
fn checkout_and_checkin_refuse_bad_input_with_exit_2_naming_the_problem() {
    let Some((_pg, dir, url)) = loaded() else { return };
    let file = dir.path().join("t.gpkg");
    let unknown = checkout(&url, "341823199", &file);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("no grid and no division of township 341823199"), "{}", stderr(&unknown));
    assert!(!file.exists());
    let bad = checkout(&url, "3418", &file);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("not a 9-digit township code"), "{}", stderr(&bad));
    assert!(checkout(&url, TOWN, &file).status.success());
    let again = checkout(&url, TOWN, &file);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("exists already"), "{}", stderr(&again));
    // A plain project is not a check-out; a missing file is named.
    let plain = dir.path().join("plain.gpkg");
    save_project(&county(), &plain).unwrap();
    let out = checkin(&plain, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("plain.gpkg") && err.contains("not a township check-out"), "{err}");
    let zh = wangge(&["db", "checkin", path_str(&plain), "--lang", "zh"]);
    assert!(stderr(&zh).contains("不是乡镇签出副本"), "{}", stderr(&zh));
    let missing = checkin(&dir.path().join("nothing.gpkg"), &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("nothing.gpkg"), "{}", stderr(&missing));
    // A grid to take that the check-out does not know.
    let out = checkin(&file, &["--take-theirs", "99"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("there is no grid 99"), "{}", stderr(&out));
}

#[test]
fn offline_edits_check_in_theirs_come_into_the_file_and_a_second_checkin_works() {
    let Some((pg, dir, url)) = loaded() else { return };
    let file = dir.path().join("泾川镇.gpkg");
    assert!(checkout(&url, TOWN, &file).status.success());
    // Offline: grid 1 renamed through the edit commands, a new grid drawn north of grid 1.
    let mut new_id = 0;
    edit(&file, |p| {
        set_fields(p, 1, |f| f.attrs.grid_head = "王建国".into()).unwrap();
        let mut north = grid("341823100001003", poly(&[(0., 100.), (100., 100.), (100., 200.), (0., 200.)]));
        north.id = 0;
        Command::AddGrid(Box::new(north)).apply(p).unwrap();
        new_id = p.grids.keys().copied().max().unwrap();
    });
    // Meanwhile the county edits grid 2 and the neighbour's grid 3 in the database.
    pg.client("wangge")
        .batch_execute(
            "UPDATE jingxian.grids SET phone = '13800000000' WHERE id = 2;
             UPDATE jingxian.grids SET notes = '茂林改' WHERE id = 3;",
        )
        .unwrap();
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).starts_with("checked in: 2 grids written to the database, 2 grids others changed taken"),
        "{}",
        stdout(&out)
    );
    let (g1, v1) = db_grid(&url, 1).unwrap();
    assert_eq!((g1.attrs.grid_head.as_str(), v1), ("王建国", 2));
    let (added, _) = db_grid(&url, new_id).unwrap();
    assert_eq!(added.code, "341823100001003");
    assert_eq!(db_grid(&url, 2).unwrap().0.attrs.phone, "13800000000", "theirs kept");
    // The file has theirs now, and its base moved on.
    let project = open_project(&file).unwrap();
    assert_eq!(project.grids[&2].attrs.phone, "13800000000");
    assert_eq!(project.grids[&3].attrs.notes, "茂林改");
    assert_eq!(project.grids[&1].attrs.grid_head, "王建国");
    assert_eq!(project.read_only_grids, [3].into());
    let (info, base) = read_checkout(&file).unwrap();
    assert_eq!(info.last_change, last_change(&pg));
    let versions: Vec<(u64, i32)> = base.iter().map(|(id, b)| (*id, b.version)).collect();
    assert_eq!(versions, [(1, 2), (2, 2), (3, 2), (new_id, 1)]);
    // Edit on and check in again.
    edit(&file, |p| {
        set_fields(p, 1, |f| f.attrs.households = Some(321)).unwrap();
    });
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let (g1, v1) = db_grid(&url, 1).unwrap();
    assert_eq!((g1.attrs.households, g1.attrs.grid_head.as_str(), v1), (Some(321), "王建国", 3));
    // Nothing to do: a check-in without edits writes nothing.
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("checked in: 0 grids written"), "{}", stdout(&out));
    assert_eq!(db_grid(&url, 1).unwrap().1, 3);
}

#[test]
fn the_same_grid_changed_on_both_sides_is_a_conflict_exit_1_and_nothing_is_lost() {
    let Some((pg, dir, url)) = loaded() else { return };
    let file = dir.path().join("泾川镇.gpkg");
    assert!(checkout(&url, TOWN, &file).status.success());
    edit(&file, |p| {
        set_fields(p, 1, |f| f.name = "我改的名".into()).unwrap();
        set_fields(p, 2, |f| f.attrs.notes = "只有我改".into()).unwrap();
    });
    pg.client("wangge").execute("UPDATE jingxian.grids SET grid_head = '他们的网格长' WHERE id = 1", &[]).unwrap();
    let before = last_change(&pg);
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    let said = stdout(&out);
    assert!(said.starts_with("nothing was checked in: the database and the file are unchanged"), "{said}");
    assert!(said.contains("conflict: grid 1 (341823100001001): mine changed name; theirs changed grid_head"), "{said}");
    assert!(said.contains("--take-theirs ID"), "{said}");
    // Theirs intact, nothing of mine written (not even the grid without conflict: all or nothing) …
    assert_eq!(last_change(&pg), before);
    let (g1, v1) = db_grid(&url, 1).unwrap();
    assert_eq!((g1.name.as_str(), g1.attrs.grid_head.as_str(), v1), ("网格 341823100001001", "他们的网格长", 2));
    // … and mine still in the file, its base where it was.
    let project = open_project(&file).unwrap();
    assert_eq!((project.grids[&1].name.as_str(), project.grids[&2].attrs.notes.as_str()), ("我改的名", "只有我改"));
    assert_eq!(read_checkout(&file).unwrap().1[&1].version, 1);
    let zh = wangge(&["db", "checkin", path_str(&file), "--lang", "zh"]);
    assert_eq!(zh.status.code(), Some(1));
    assert!(
        stdout(&zh).contains("冲突：网格 1（341823100001001），本副本改了 名称，数据库中他人改了 网格长"),
        "{}",
        stdout(&zh)
    );
    // Keep mine: written over theirs (theirs stays in the history), the other grid with it.
    let out = checkin(&file, &["--take-mine", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let (g1, v1) = db_grid(&url, 1).unwrap();
    assert_eq!((g1.name.as_str(), g1.attrs.grid_head.as_str(), v1), ("我改的名", "", 3));
    assert_eq!(db_grid(&url, 2).unwrap().0.attrs.notes, "只有我改");
    // Again both sides; this time take theirs: the file gets the database's grid.
    edit(&file, |p| {
        set_fields(p, 1, |f| f.attrs.phone = "111".into()).unwrap();
    });
    pg.client("wangge").execute("UPDATE jingxian.grids SET phone = '222' WHERE id = 1", &[]).unwrap();
    assert_eq!(checkin(&file, &[]).status.code(), Some(1));
    let out = checkin(&file, &["--take-theirs", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(open_project(&file).unwrap().grids[&1].attrs.phone, "222");
    assert_eq!(db_grid(&url, 1).unwrap().0.attrs.phone, "222");
}

/// Grid 2 with its seam vertex (200, 50) moved to (210, 50), into the neighbour's grid 3.
fn seam_moved() -> MultiPolygon<f64> {
    poly(&[(100., 0.), (200., 0.), (210., 50.), (200., 100.), (100., 100.)])
}

#[test]
fn a_border_vertex_moved_on_one_side_only_is_refused_with_the_neighbours_vertex_move() {
    let Some((pg, dir, url)) = loaded() else { return };
    let town_url = township_account(&pg, &url, "jingchuan", TOWN);
    let file = dir.path().join("泾川镇.gpkg");
    let out = checkout(&town_url, TOWN, &file);
    assert!(out.status.success(), "{}", stderr(&out));
    edit(&file, |p| {
        Command::SetGeometry { id: 2, geometry: seam_moved() }.apply(p).unwrap();
    });
    let before = last_change(&pg);
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("the coverage breaks at the township seam (overlap): a border vertex of grid 2 (341823100001002) moved on my side only; the matching vertex of the neighbouring township's grid 3 (341823101001001) did not"),
        "{said}"
    );
    assert!(
        said.contains("proposed fix: move the vertex of grid 3 (341823101001001) at (620200.000, 3385050.000) to (620210.000, 3385050.000); this account may not change it"),
        "{said}"
    );
    assert_eq!(last_change(&pg), before, "nothing written");
    assert_eq!(open_project(&file).unwrap().grids[&2].geometry, seam_moved(), "my edit kept");
    // The county's account may make the move itself: the proposal says so.
    let county_file = dir.path().join("县里.gpkg");
    assert!(checkout(&url, TOWN, &county_file).status.success());
    edit(&county_file, |p| {
        Command::SetGeometry { id: 2, geometry: seam_moved() }.apply(p).unwrap();
    });
    let out = checkin(&county_file, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("to (620210.000, 3385050.000); this account has the right to make it"),
        "{}",
        stdout(&out)
    );
    // The neighbour's vertex moves the same way in the database: the seam matches, the check-in goes.
    pg.client("wangge")
        .execute(
            "UPDATE jingxian.grids SET geom = ST_Multi(ST_GeomFromText('POLYGON((620200 3385000, 620300 3385000, 620300 3385100, 620200 3385100, 620210 3385050, 620200 3385000))', 4548)) WHERE id = 3",
            &[],
        )
        .unwrap();
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(db_grid(&url, 2).unwrap().0.geometry, seam_moved());
    // A move into the own grid (a gap at the seam) is refused the same way.
    edit(&file, |p| {
        let back = poly(&[(100., 0.), (200., 0.), (190., 50.), (200., 100.), (100., 100.)]);
        Command::SetGeometry { id: 2, geometry: back }.apply(p).unwrap();
    });
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("(gap)"), "{}", stdout(&out));
    assert!(stdout(&out).contains("at (620210.000, 3385050.000) to (620190.000, 3385050.000)"), "{}", stdout(&out));
}

#[test]
fn a_township_account_cannot_check_in_a_change_of_another_townships_grid() {
    let Some((pg, dir, url)) = loaded() else { return };
    let town_url = township_account(&pg, &url, "jingchuan", TOWN);
    // A change of the neighbour's read-only grid made behind the edit commands' back.
    let file = dir.path().join("泾川镇.gpkg");
    assert!(checkout(&town_url, TOWN, &file).status.success());
    edit(&file, |p| p.grids.get_mut(&3).unwrap().attrs.notes = "越界".into());
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("grid 3 belongs to a neighbouring township and is read-only"), "{}", stdout(&out));
    // Dropping it settles it.
    let out = checkin(&file, &["--take-theirs", "3"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(open_project(&file).unwrap().grids[&3].attrs.notes, "");
    // The account checks out the other township (it may read it) and edits it: the database refuses.
    let other = dir.path().join("茂林镇.gpkg");
    assert!(checkout(&town_url, NEXT_TOWN, &other).status.success());
    let before = last_change(&pg);
    edit(&other, |p| {
        set_fields(p, 4, |f| f.attrs.notes = "越界".into()).unwrap();
    });
    let out = checkin(&other, &[]);
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("grid 4: this account may not change it"), "{}", stdout(&out));
    assert_eq!(last_change(&pg), before);
    assert_eq!(db_grid(&url, 4).unwrap().0.attrs.notes, "");
    // Nor may it give its own grid away to the other township.
    edit(&file, |p| {
        set_fields(p, 1, |f| f.village_code = "341823101001".into()).unwrap();
    });
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("grid 1: this account may not change it"), "{}", stdout(&out));
    assert_eq!(db_grid(&url, 1).unwrap().0.village_code, "341823100001");
}

#[test]
fn a_checkin_is_all_or_nothing_when_a_write_fails_midway() {
    let Some((pg, dir, url)) = loaded() else { return };
    let file = dir.path().join("泾川镇.gpkg");
    assert!(checkout(&url, TOWN, &file).status.success());
    edit(&file, |p| {
        set_fields(p, 1, |f| f.name = "第一".into()).unwrap();
        set_fields(p, 2, |f| f.name = "爆".into()).unwrap();
    });
    // The database refuses the second write (grid 1 is written first, by id).
    pg.client("wangge")
        .batch_execute(
            "CREATE FUNCTION jingxian.boom() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN IF NEW.name = '爆' THEN RAISE EXCEPTION 'boom: refused by a test trigger'; END IF; RETURN NEW; END $$;
             CREATE TRIGGER boom BEFORE UPDATE ON jingxian.grids FOR EACH ROW EXECUTE FUNCTION jingxian.boom();",
        )
        .unwrap();
    let before = last_change(&pg);
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(2), "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("boom: refused by a test trigger"), "{}", stderr(&out));
    assert_eq!(last_change(&pg), before, "grid 1's write was rolled back with the rest");
    assert_eq!(db_grid(&url, 1).unwrap(), (county().grids[&1].clone(), 1));
    let project = open_project(&file).unwrap();
    assert_eq!((project.grids[&1].name.as_str(), project.grids[&2].name.as_str()), ("第一", "爆"));
    assert_eq!(read_checkout(&file).unwrap().1[&1].version, 1);
    // Once the database lets it, the same check-in goes through.
    pg.client("wangge").batch_execute("DROP TRIGGER boom ON jingxian.grids").unwrap();
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(db_grid(&url, 2).unwrap().0.name, "爆");
}

/// For the GDAL validator test: a check-out of the county's first township in `dir`.
pub fn a_checkout(pg: &Cluster, dir: &Path) -> PathBuf {
    let url = pg.url("jingxian");
    Db::connect(&DbUrl::parse(&url).unwrap()).unwrap().init(&county(), false).unwrap();
    let file = dir.join("checkout.gpkg");
    let out = checkout(&url, TOWN, &file);
    assert!(out.status.success(), "{}", stderr(&out));
    file
}

/// The households and reference features a township changes offline are checked in too, merged row by
/// row with what others saved meanwhile (issue 16 §3 "changes on one side apply"), once — a second
/// check-in adds nothing twice — and, for a township account, only inside its township: one outside
/// and nothing of the check-in is written, grids included.
#[test]
fn households_and_reference_features_changed_offline_are_checked_in_once_and_only_inside_the_township() {
    let Some((pg, dir, url)) = loaded() else { return };
    let mut admin = pg.client("wangge");
    admin
        .batch_execute(
            "UPDATE jingxian.divisions SET geom = ST_Multi(ST_GeomFromText(
                 'POLYGON((620000 3385000, 620200 3385000, 620200 3385100, 620000 3385100, 620000 3385000))', 4548))
             WHERE code = '341823100001'",
        )
        .unwrap();
    let town_url = township_account(&pg, &url, "jingchuan", TOWN);
    let file = dir.path().join("泾川镇.gpkg");
    let out = checkout(&town_url, TOWN, &file);
    assert!(out.status.success(), "{}", stderr(&out));
    let household =
        |x: f64, n: u32| HouseholdPoint { position: Point::new(X0 + x, Y0 + 50.), households: n, population: None };
    let lane = ReferenceFeature {
        geometry: ReferenceGeometry::Lines(MultiLineString(vec![LineString::from(vec![
            (X0 + 10., Y0 + 80.),
            (X0 + 60., Y0 + 80.),
        ])])),
        name: "小巷".into(),
    };
    edit(&file, |p| {
        set_fields(p, 1, |f| f.attrs.notes = "离线改".into()).unwrap();
        for h in p.households.iter_mut().filter(|h| h.position.x() == X0 + 50.) {
            h.households = 35;
        }
        p.households.push(household(150., 12));
        p.reference_layers[0].features.push(lane.clone());
    });
    // Meanwhile the county adds a household in the neighbouring township.
    admin
        .execute(
            "INSERT INTO jingxian.households (households, geom) VALUES (8, ST_SetSRID(ST_MakePoint($1, $2), 4548))",
            &[&(X0 + 260.), &(Y0 + 50.)],
        )
        .unwrap();
    let in_db = || {
        let p = Db::connect(&DbUrl::parse(&url).unwrap()).unwrap().open().unwrap().project;
        let mut h: Vec<(f64, u32)> = p.households.iter().map(|h| (h.position.x() - X0, h.households)).collect();
        h.sort_by(|a, b| a.partial_cmp(b).unwrap());
        (h, p.reference_layers[0].features.clone())
    };
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let (households, features) = in_db();
    assert_eq!(households, [(50., 35), (150., 12), (250., 30), (260., 8)], "mine and theirs, the old row gone");
    assert_eq!(features.len(), 3);
    assert_eq!(features.last(), Some(&lane));
    assert_eq!(db_grid(&url, 1).unwrap().0.attrs.notes, "离线改");
    // Checked in again without edits: nothing added twice.
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(in_db().0.len(), 4);
    // The same change made again after undoing it is checked in again (not taken for the first).
    for present in [false, true] {
        edit(&file, |p| {
            p.reference_layers[0].features.retain(|f| f.name != "小巷");
            if present {
                p.reference_layers[0].features.push(lane.clone());
            }
        });
        let out = checkin(&file, &[]);
        assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
        assert_eq!(in_db().1.contains(&lane), present);
    }

    // A household outside the township: refused, and nothing of the check-in written.
    edit(&file, |p| {
        set_fields(p, 1, |f| f.attrs.notes = "再改".into()).unwrap();
        p.households.push(household(350., 2));
    });
    let before = std::fs::read(&file).unwrap();
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(2), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("1 of the household points changed lie outside this account's township"),
        "{}",
        stderr(&out)
    );
    assert_eq!(db_grid(&url, 1).unwrap().0.attrs.notes, "离线改", "the grid's edit not written either");
    assert_eq!(in_db().0.len(), 4);
    assert_eq!(std::fs::read(&file).unwrap(), before, "the file as it was");
    // A layer added in the file: the list is the county's, said so.
    edit(&file, |p| {
        p.households.pop();
        p.reference_layers.push(ReferenceLayer::new("新图层"));
    });
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(2), "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("a check-in changes features, not the list"), "{}", stderr(&out));
}
