//! A shared database project in the app (issue 16): File › Open database… with the password asked
//! for and never kept, a save that writes only what changed, others' saved changes appearing without
//! reopening, and a save that met someone else's shown side by side and settled by the user —
//! nothing of either side lost. Each test starts its own PostgreSQL (tests/integration/pg.rs).

use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use wangge::core::GridId;
use wangge::core::edit::{Command, GridFields, StepKind};
use wangge::io::postgis::{Db, DbUrl};
use wangge::io::{Changes, save_project};
use wangge::text::status::StatusLine;

use super::kittest::{App, sample_harness, status, type_into, wait_for_job};
use crate::common::{path_str, small_project, stderr, wangge};
use crate::pg::Cluster;

/// A cluster with the small project (2 grids) in schema `jingxian`.
fn database(dir: &std::path::Path) -> Option<(Cluster, String)> {
    let pg = Cluster::start()?;
    let path = dir.join("p.gpkg");
    save_project(&small_project(), &path).unwrap();
    let url = pg.url("jingxian");
    let out = wangge(&["db", "init", &url, "--from", path_str(&path)]);
    assert!(out.status.success(), "{}", stderr(&out));
    Some((pg, url))
}

/// The app on the sample, then the small project opened from its database through the form.
fn opened() -> Option<(Cluster, tempfile::TempDir, String, App)> {
    let dir = tempfile::tempdir().unwrap();
    let (pg, url) = database(dir.path())?;
    let mut h = sample_harness(&dir);
    open_through_the_form(&mut h, &url, "");
    Some((pg, dir, url, h))
}

/// File › 打开数据库…, the address (and password) typed, 连接并打开.
fn open_through_the_form(h: &mut App, url: &str, password: &str) {
    if h.query_by_label("连接并打开").is_none() {
        h.get_by_label("文件").click();
        h.run();
        h.get_by_label("打开数据库…").click();
        h.run();
    }
    type_into(h, "地址", url);
    if !password.is_empty() {
        type_into(h, "密码", password);
    }
    h.get_by_label("连接并打开").click();
    h.run();
    wait_for_job(h);
}

fn save(h: &mut App) {
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, eframe::egui::Key::S);
    h.run();
    wait_for_job(h);
}

/// Changes a grid's fields in the app as the attribute form does (one undoable step).
fn edit_fields(h: &mut App, id: GridId, change: impl Fn(&mut GridFields)) {
    let state = &mut h.state_mut().state;
    let mut fields = GridFields::of(&state.doc.project.grids[&id]);
    change(&mut fields);
    state.apply_command(
        StepKind::Attributes,
        Command::SetFields { id, fields: Box::new(fields) },
        StatusLine::default(),
    );
}

/// Someone else, through their own connection: reads the project, changes it, saves.
fn someone_else(url: &str, change: impl FnOnce(&mut wangge::core::Project) -> GridId) {
    let mut db = Db::connect(&DbUrl::parse(url).unwrap()).unwrap();
    let mut loaded = db.open().unwrap();
    let id = change(&mut loaded.project);
    let report = db.save(&mut loaded, &Changes { grids: [id].into(), other_layers: false }).unwrap();
    assert!(report.conflicts.is_empty(), "{report:?}");
}

fn in_database(url: &str) -> wangge::core::Project {
    Db::connect(&DbUrl::parse(url).unwrap()).unwrap().open().unwrap().project
}

/// Runs frames until `done` holds (others' changes arrive every few seconds); panics after 20 s.
fn frames_until(h: &mut App, what: &str, done: impl Fn(&App) -> bool) {
    let start = Instant::now();
    while !done(h) {
        assert!(start.elapsed() < Duration::from_secs(20), "{what} did not happen; status: {}", status(h));
        std::thread::sleep(Duration::from_millis(50));
        h.step();
    }
    h.run();
}

#[test]
fn a_database_project_opens_saves_what_changed_and_shows_others_changes_live() {
    let Some((_pg, _dir, url, mut h)) = opened() else { return };
    let s = &h.state().state;
    assert!(s.doc.database.is_some(), "status: {}", status(&h));
    assert_eq!(s.doc.project.grids.len(), 2);
    assert!(!s.doc.sample && !s.doc.dirty);
    assert!(status(&h).starts_with("已打开数据库项目"), "{}", status(&h));
    let ids: Vec<GridId> = s.doc.project.grids.keys().copied().collect();
    let (a, b) = (ids[0], ids[1]);

    // My edit is saved, and only it: the other grid's version does not move.
    edit_fields(&mut h, a, |f| f.attrs.phone = "0563-5011234".into());
    save(&mut h);
    assert!(!h.state().state.doc.dirty, "status: {}", status(&h));
    assert!(status(&h).starts_with("已保存到数据库：1 个网格"), "{}", status(&h));
    let now = in_database(&url);
    assert_eq!(now.grids[&a].attrs.phone, "0563-5011234");
    let versions = h.state().state.doc.database.as_ref().unwrap().versions.clone();
    assert_eq!((versions[&a], versions[&b]), (2, 1), "a write moves the version on; none elsewhere");

    // Someone else renames the other grid: it appears without reopening, and is not an edit of mine.
    someone_else(&url, |p| {
        p.grids.get_mut(&b).unwrap().name = "他们改的名字".into();
        b
    });
    frames_until(&mut h, "their change arriving", |h| h.state().state.doc.project.grids[&b].name == "他们改的名字");
    let s = &h.state().state;
    assert!(!s.doc.dirty, "their change is not mine to save");
    assert_eq!(s.doc.database.as_ref().unwrap().versions[&b], 2);
    assert!(status(&h).contains("postgres 保存的 1 个网格已更新到地图"), "{}", status(&h));
    // My undo history is about grid a only: it stays.
    assert!(s.doc.history.can_undo());
}

#[test]
fn a_save_that_meets_theirs_shows_both_and_nothing_is_lost_whatever_is_chosen() {
    let Some((_pg, _dir, url, mut h)) = opened() else { return };
    let ids: Vec<GridId> = h.state().state.doc.project.grids.keys().copied().collect();
    let (a, b) = (ids[0], ids[1]);

    // Both change grid a (different fields), and grid b: they delete it, I rename it.
    edit_fields(&mut h, a, |f| f.attrs.phone = "我的电话".into());
    edit_fields(&mut h, b, |f| f.name = "我的名字".into());
    someone_else(&url, |p| {
        p.grids.get_mut(&a).unwrap().attrs.households = Some(433);
        a
    });
    someone_else(&url, |p| {
        p.grids.remove(&b);
        b
    });
    save(&mut h);
    // Nothing overwritten: theirs in the database, mine in the app, both shown.
    let now = in_database(&url);
    assert_eq!(now.grids[&a].attrs.households, Some(433));
    assert_ne!(now.grids[&a].attrs.phone, "我的电话");
    assert!(!now.grids.contains_key(&b));
    let s = &h.state().state;
    assert_eq!(s.doc.project.grids[&a].attrs.phone, "我的电话");
    assert_eq!(s.doc.project.grids[&b].name, "我的名字");
    assert!(s.doc.dirty, "the conflicting grids are still to be saved");
    assert!(h.query_by_label_contains("保存冲突").is_some(), "status: {}", status(&h));
    assert!(h.query_by_label("他们删除了这个网格").is_some());
    assert!(status(&h).contains("2 个网格在您打开后已被他人保存"), "{}", status(&h));

    // Grid a: their households, my phone (ticked part by part).
    h.get_by_label("户数").click();
    h.run();
    h.get_all_by_label("按勾选合并").next().unwrap().click();
    h.run();
    let grid = &h.state().state.doc.project.grids[&a];
    assert_eq!((grid.attrs.households, grid.attrs.phone.as_str()), (Some(433), "我的电话"));
    // Grid b: I keep mine (it comes back in the database).
    h.get_by_label("保留我的").click();
    h.run();
    assert!(h.query_by_label_contains("保存冲突").is_none(), "all settled: the window closes");
    assert!(status(&h).contains("冲突都已选择"), "{}", status(&h));
    save(&mut h);
    assert!(!h.state().state.doc.dirty, "status: {}", status(&h));
    let now = in_database(&url);
    assert_eq!((now.grids[&a].attrs.households, now.grids[&a].attrs.phone.as_str()), (Some(433), "我的电话"));
    let b_now = now.grids.values().find(|g| g.name == "我的名字").expect("my grid b is back");
    assert_eq!(b_now.geometry, small_project().grids.values().nth(1).unwrap().geometry);

    // Taking theirs: the app's grid becomes the database's, and nothing is left to save.
    edit_fields(&mut h, a, |f| f.attrs.notes = "我的备注".into());
    someone_else(&url, |p| {
        p.grids.get_mut(&a).unwrap().attrs.notes = "他们的备注".into();
        a
    });
    save(&mut h);
    h.get_by_label("采用他们的").click();
    h.run();
    let s = &h.state().state;
    assert_eq!(s.doc.project.grids[&a].attrs.notes, "他们的备注");
    save(&mut h);
    assert_eq!(in_database(&url).grids[&a].attrs.notes, "他们的备注");
    assert!(status(&h).starts_with("已保存到数据库：0 个网格"), "{}", status(&h));
}

#[test]
fn the_password_is_asked_for_used_and_never_kept() {
    let dir = tempfile::tempdir().unwrap();
    let Some((pg, _)) = database(dir.path()) else { return };
    pg.require_password("planner", "s3cret-泾县");
    let url = pg.url_as("planner", "jingxian");
    let mut h = sample_harness(&dir);

    open_through_the_form(&mut h, &url, "");
    assert!(h.query_by_label_contains("数据库要求输入密码").is_some(), "status: {}", status(&h));
    assert!(h.state().state.doc.database.is_none());
    open_through_the_form(&mut h, &url, "wrong");
    assert!(h.query_by_label_contains("密码不正确").is_some(), "status: {}", status(&h));
    open_through_the_form(&mut h, &url, "s3cret-泾县");
    assert!(h.state().state.doc.database.is_some(), "status: {}", status(&h));
    // Saving reconnects with the password typed.
    let a = *h.state().state.doc.project.grids.keys().next().unwrap();
    edit_fields(&mut h, a, |f| f.attrs.grid_head = "王五".into());
    save(&mut h);
    assert_eq!(in_database(&pg.url("jingxian")).grids[&a].attrs.grid_head, "王五", "status: {}", status(&h));
    // Remembered among the recent projects by its address only.
    let settings = std::fs::read_to_string(dir.path().join("settings.txt")).unwrap();
    assert!(settings.contains(&format!("recent={url}\n")), "{settings}");
    assert!(!settings.contains("s3cret"), "{settings}");
}

#[test]
fn a_grid_history_is_shown_and_an_earlier_state_restored_as_a_new_change() {
    let Some((_pg, _dir, url, mut h)) = opened() else { return };
    let a = *h.state().state.doc.project.grids.keys().next().unwrap();
    let loaded_phone = h.state().state.doc.project.grids[&a].attrs.phone.clone();
    edit_fields(&mut h, a, |f| f.attrs.phone = "0563-0000000".into());
    save(&mut h);

    h.state_mut().state.editor.selection.insert(a);
    h.get_by_label("编辑").click();
    h.run();
    h.get_by_label("修改记录…").click();
    h.run();
    wait_for_job(&mut h);
    assert!(h.query_by_label_contains(&format!("网格 {a} 的修改记录")).is_some(), "status: {}", status(&h));
    assert!(h.query_by_label_contains("载入").is_some());
    assert!(h.query_by_label_contains("0563-0000000").is_some(), "the update and what it changed");

    // Back to the state the load left: a new change in the database, arriving in the app at once.
    h.get_by_label("恢复到此").click();
    h.run();
    wait_for_job(&mut h);
    assert_eq!(in_database(&url).grids[&a].attrs.phone, loaded_phone);
    frames_until(&mut h, "the restored state arriving", |h| {
        h.state().state.doc.project.grids[&a].attrs.phone == loaded_phone
    });
    assert!(h.query_by_label_contains("恢复（恢复到第 1 号修改）").is_some(), "the history again, with the restore");
    assert!(!h.state().state.doc.dirty);
}

#[test]
fn a_database_url_on_the_command_line_opens_or_has_the_password_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let Some((pg, url)) = database(dir.path()) else { return };
    let settings = || super::kittest::settings_in(dir.path());
    let (state, asking) = wangge::app::database::open_at_start(std::path::Path::new(&url), settings()).unwrap();
    assert!(asking.is_none());
    assert_eq!(state.doc.project.grids.len(), 2);
    assert_eq!(state.doc.database.as_ref().unwrap().url.to_string(), url);

    pg.require_password("planner", "pw");
    let planner = pg.url_as("planner", "jingxian");
    let (state, asking) = wangge::app::database::open_at_start(std::path::Path::new(&planner), settings()).unwrap();
    assert!(asking.is_some(), "the form asks for the password");
    assert!(state.doc.database.is_none() && state.doc.sample);

    // Anything else ends the start with the error, naming the address, as for a file.
    let nowhere = url.replace("schema=jingxian", "schema=nowhere");
    let e = wangge::app::database::open_at_start(std::path::Path::new(&nowhere), settings()).err().unwrap();
    assert!(format!("{e:#}").contains("schema=nowhere"), "{e:#}");
    assert!(format!("{e:#}").contains("holds no Wangge project"), "{e:#}");
}

#[test]
fn a_save_lands_whole_or_not_at_all() {
    let Some((_pg, _dir, url, mut h)) = opened() else { return };
    let ids: Vec<GridId> = h.state().state.doc.project.grids.keys().copied().collect();
    let (a, b) = (ids[0], ids[1]);
    // One edit of mine over both grids (as a shared border moved would be); they change one of them.
    edit_fields(&mut h, a, |f| f.attrs.notes = "我的 a".into());
    edit_fields(&mut h, b, |f| f.attrs.notes = "我的 b".into());
    someone_else(&url, |p| {
        p.grids.get_mut(&a).unwrap().attrs.grid_head = "他们".into();
        a
    });
    save(&mut h);
    let now = in_database(&url);
    assert_eq!(now.grids[&b].attrs.notes, "", "grid b was written though grid a met their save");
    assert!(status(&h).starts_with("本次保存未写入任何内容"), "{}", status(&h));
    assert!(h.state().state.doc.dirty);
    h.get_by_label("保留我的").click();
    h.run();
    save(&mut h);
    let now = in_database(&url);
    assert_eq!((now.grids[&a].attrs.notes.as_str(), now.grids[&b].attrs.notes.as_str()), ("我的 a", "我的 b"));
    assert!(!h.state().state.doc.dirty, "status: {}", status(&h));
}

#[test]
fn the_other_layers_are_not_written_over_someone_elses_and_save_as_makes_a_file_project() {
    let Some((_pg, dir, url, mut h)) = opened() else { return };
    // I rename the project (written with the other layers); they change its settings meanwhile.
    {
        let state = &mut h.state_mut().state;
        std::sync::Arc::make_mut(&mut state.doc.project).name = "我的名字".into();
        state.doc.dirty = true;
        state.changed_with([]);
    }
    let mut db = Db::connect(&DbUrl::parse(&url).unwrap()).unwrap();
    let mut loaded = db.open().unwrap();
    loaded.project.settings.insert("code_rule".into(), "{village12}{kind}{seq:2}".into());
    db.save(&mut loaded, &Changes { grids: Default::default(), other_layers: true }).unwrap();
    save(&mut h);
    let now = in_database(&url);
    assert_eq!(now.settings.get("code_rule").map(String::as_str), Some("{village12}{kind}{seq:2}"), "theirs kept");
    assert_ne!(now.name, "我的名字");
    assert!(h.query_by_label_contains("他人修改了项目的其他图层").is_some(), "status: {}", status(&h));
    assert!(h.state().state.doc.dirty, "my rename is still to save");

    // Saved as a file, the project is that file: Save writes there, no longer to the database.
    let file = dir.path().join("copy.gpkg");
    h.state_mut().state.save_to(&file).unwrap();
    assert!(h.state().state.doc.database.is_none());
    assert_eq!(wangge::io::open_project(&file).unwrap().name, "我的名字");
}

#[test]
fn a_grid_the_account_may_not_change_is_refused_by_name_and_settled_by_taking_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let Some((pg, url)) = database(dir.path()) else { return };
    pg.client("wangge")
        .batch_execute(
            "INSERT INTO jingxian.grids (id, geom, kind, class, village_code, name)
             VALUES (nextval('jingxian.grid_ids'),
                     ST_Multi(ST_GeomFromText('POLYGON((0 0, 1 0, 1 1, 0 0))', 4548)), 'basic', 'rural',
                     '341823101001', '邻镇网格');
             CREATE ROLE jingchuan LOGIN;",
        )
        .unwrap();
    let out = wangge(&["db", "grant", &url, "--role", "jingchuan", "--township", "341823100"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut h = sample_harness(&dir);
    open_through_the_form(&mut h, &pg.url_as("jingchuan", "jingxian"), "");
    let grids = h.state().state.doc.project.grids.clone();
    let own = *grids.keys().next().unwrap();
    let theirs = grids.values().find(|g| g.name == "邻镇网格").unwrap().id;
    edit_fields(&mut h, own, |f| f.attrs.notes = "本镇的".into());
    edit_fields(&mut h, theirs, |f| f.name = "改了邻镇的".into());
    save(&mut h);
    assert!(h.query_by_label_contains("无权修改").is_some(), "status: {}", status(&h));
    assert!(h.query_by_label_contains("341823101").is_some());
    let now = in_database(&url);
    assert_ne!(now.grids[&own].attrs.notes, "本镇的", "all or nothing: nothing written");
    // Settled by taking theirs; then my own township's edit saves.
    h.get_by_label("采用他们的").click();
    h.run();
    assert_eq!(h.state().state.doc.project.grids[&theirs].name, "邻镇网格");
    save(&mut h);
    assert!(!h.state().state.doc.dirty, "status: {}", status(&h));
    assert_eq!(in_database(&url).grids[&own].attrs.notes, "本镇的");
}

/// A save whose commit landed but whose reply was lost (the job ended in an error) keeps its tag; the
/// next save carries it, learns that it landed, and writes nothing twice — the new grid is not added a
/// second time — while what I changed after it is still to save, and saved next.
#[test]
fn a_save_whose_reply_was_lost_is_recognised_and_not_written_twice() {
    let Some((_pg, _dir, url, mut h)) = opened() else { return };
    edit_fields(&mut h, 1, |f| f.attrs.phone = "13911112222".into());
    {
        let state = &mut h.state_mut().state;
        let mut grid = state.doc.project.grids[&1].clone();
        grid.id = state.doc.project.next_grid_id;
        grid.name = "新增网格".into();
        state.apply_command(StepKind::Draw, Command::AddGrid(Box::new(grid)), StatusLine::default());
    }
    // The save the app made: committed in the database, its reply never came.
    let tag = wangge::io::postgis::new_save_tag();
    {
        let state = &mut h.state_mut().state;
        let link = state.doc.database.as_mut().unwrap();
        let changes = state.doc.since_save.clone().unwrap();
        let mut versions = link.versions.as_ref().clone();
        let options = wangge::io::postgis::SaveOptions::all_or_nothing(Some(tag.clone()));
        let mut db = Db::connect(&DbUrl::parse(&url).unwrap()).unwrap();
        let report = db.save_grids(&state.doc.project, (&mut versions, &link.base_layers), &changes, &options).unwrap();
        assert_eq!(report.written.len(), 2, "{report:?}");
        link.unconfirmed = Some((tag, state.doc.project.clone()));
    }
    // Changed after it: not saved by it; the app saves it right after learning that the first landed.
    edit_fields(&mut h, 2, |f| f.attrs.notes = "之后改的".into());
    save(&mut h);
    frames_until(&mut h, "the change made after it saved", |h| !h.state().state.doc.dirty && !h.state().job_running());
    let now = in_database(&url);
    assert_eq!(now.grids.values().filter(|g| g.name == "新增网格").count(), 1, "added once");
    assert_eq!(now.grids[&1].attrs.phone, "13911112222");
    assert_eq!(now.grids[&2].attrs.notes, "之后改的");
    assert_eq!(now.grids.len(), 3);
    let mut db = Db::connect(&DbUrl::parse(&url).unwrap()).unwrap();
    assert_eq!(db.log(Some(1)).unwrap().len(), 2, "grid 1: loaded, then written once");
    assert_eq!(db.log(Some(2)).unwrap().len(), 2, "grid 2: loaded, then its later change");
    let state = &h.state().state;
    assert!(state.doc.database.as_ref().unwrap().unconfirmed.is_none(), "its outcome is known");
    assert!(h.query_by_label_contains("冲突").is_none(), "no conflict with my own save");
}
