//! A database project in the app (issue 16) in words: opening it, others' changes arriving, a save
//! that met someone else's, and the choices that settle it.

use crate::text::{Lang, pick};

pub fn open_title(l: Lang) -> &'static str {
    pick(l, "打开数据库项目", "Open database project")
}

pub fn menu_item(l: Lang) -> &'static str {
    pick(l, "打开数据库…", "Open database…")
}

pub fn url_label(l: Lang) -> &'static str {
    pick(l, "地址", "Address")
}

pub fn url_hint() -> &'static str {
    "postgres://用户@主机:5432/数据库?schema=模式名"
}

pub fn password_label(l: Lang) -> &'static str {
    pick(l, "密码", "Password")
}

pub fn password_note(l: Lang) -> &'static str {
    pick(
        l,
        "密码只用于这次连接，不会保存或显示；留空则使用 PGPASSWORD 或 ~/.pgpass。",
        "The password is used for this session's connections only, never stored or shown; leave it empty to use PGPASSWORD or ~/.pgpass.",
    )
}

pub fn open_button(l: Lang) -> &'static str {
    pick(l, "连接并打开", "Connect and open")
}

pub fn opened(url: &str, grids: usize, l: Lang) -> String {
    match l {
        Lang::Zh => format!("已打开数据库项目：{url}（{grids} 个网格）"),
        Lang::En => format!("Opened the database project {url} ({grids} grids)"),
    }
}

pub fn saved(url: &str, written: usize, l: Lang) -> String {
    match l {
        Lang::Zh => format!("已保存到数据库：{written} 个网格 → {url}"),
        Lang::En => format!("Saved to the database: {written} grids → {url}"),
    }
}

/// A save that found its earlier try committed (the reply had been lost): nothing written twice.
pub fn replayed(written: usize, left: usize, l: Lang) -> String {
    match l {
        Lang::Zh => format!(
            "上次保存其实已写入数据库（{written} 个网格，只是回复丢失），没有重复写入；还有 {left} 个网格待保存"
        ),
        Lang::En => format!(
            "The last save had reached the database ({written} grids; only its reply was lost) and was not written twice; {left} grids are still to save"
        ),
    }
}

pub fn saved_with_conflicts(written: usize, conflicts: usize, l: Lang) -> String {
    match l {
        Lang::Zh => {
            format!("已保存 {written} 个网格；{conflicts} 个网格在您打开后已被他人保存，没有覆盖——请在冲突窗口中选择")
        }
        Lang::En => format!(
            "Saved {written} grids; {conflicts} grids were saved by someone else since you opened them and were not overwritten — choose in the conflicts window"
        ),
    }
}

/// After a save that wrote nothing because of them: what to do.
pub fn conflicts_to_settle(n: usize, l: Lang) -> String {
    match l {
        Lang::Zh => format!("；{n} 个网格在您打开后已被他人保存，没有覆盖——请在冲突窗口中选择后再保存"),
        Lang::En => format!(
            "; {n} grids were saved by someone else since you opened them and were not overwritten — choose in the conflicts window, then save again"
        ),
    }
}

pub fn renumbered(n: usize, l: Lang) -> String {
    match l {
        Lang::Zh => format!("；{n} 个新网格的编号已被他人占用，已改用新编号（撤销记录已清空）"),
        Lang::En => {
            format!("; {n} new grids took ids someone else had used and were renumbered (undo history cleared)")
        }
    }
}

/// Others' saved changes, shown in the open project.
pub fn arrived(applied: usize, who: &[String], contested: usize, history_cleared: bool, l: Lang) -> String {
    let who = who.join(pick(l, "、", ", "));
    let mut text = match (applied, l) {
        (0, Lang::Zh) => format!("{who} 保存了 {contested} 个您也改过的网格；保存时会把两边并排显示供您选择"),
        (0, Lang::En) => {
            format!("{who} saved {contested} grids you changed too: saving will show both side by side")
        }
        (_, Lang::Zh) => format!("{who} 保存的 {applied} 个网格已更新到地图"),
        (_, Lang::En) => format!("{applied} grids saved by {who} are now on the map"),
    };
    if contested > 0 && applied > 0 {
        text += &match l {
            Lang::Zh => format!("；另有 {contested} 个您也改过，保存时会并排显示供您选择"),
            Lang::En => format!("; {contested} more you changed too: saving will show both side by side"),
        };
    }
    if history_cleared {
        text +=
            pick(l, "（这些网格在撤销记录中，撤销记录已清空）", " (they were in the undo history, which was cleared)");
    }
    text
}

pub fn live_failed(detail: &str, l: Lang) -> String {
    match l {
        Lang::Zh => format!("暂时无法获取他人的修改（{detail}），稍后重试"),
        Lang::En => format!("Cannot fetch others' changes for now ({detail}); retrying"),
    }
}

pub fn conflicts_title(l: Lang) -> &'static str {
    pick(l, "保存冲突：您的与他人的", "Save conflicts: yours and theirs")
}

pub fn conflicts_intro(l: Lang) -> &'static str {
    pick(
        l,
        "这些网格在您打开后已被他人保存。两边都没有丢失：他们的在数据库中，您的仍在本项目中。地图上虚线为他们的边界。请逐个选择：",
        "These grids were saved by someone else after you opened them. Nothing is lost: theirs is in the database, yours still in this project. Their boundaries are dashed on the map. Choose for each:",
    )
}

pub fn side_deleted(theirs: bool, l: Lang) -> &'static str {
    match (theirs, l) {
        (true, Lang::Zh) => "他们删除了这个网格",
        (true, Lang::En) => "they deleted this grid",
        (false, Lang::Zh) => "您删除了这个网格",
        (false, Lang::En) => "you deleted this grid",
    }
}

pub fn column_part(l: Lang) -> &'static str {
    pick(l, "项（勾选＝用他们的）", "Part (ticked: theirs)")
}

pub fn column_mine(l: Lang) -> &'static str {
    pick(l, "我的", "Mine")
}

pub fn column_theirs(l: Lang) -> &'static str {
    pick(l, "他们的", "Theirs")
}

pub fn keep_mine(l: Lang) -> &'static str {
    pick(l, "保留我的", "Keep mine")
}

pub fn take_theirs(l: Lang) -> &'static str {
    pick(l, "采用他们的", "Take theirs")
}

pub fn merge_ticked(l: Lang) -> &'static str {
    pick(l, "按勾选合并", "Merge as ticked")
}

pub fn zoom(l: Lang) -> &'static str {
    pick(l, "定位", "Zoom to")
}

pub fn resolved(left: usize, l: Lang) -> String {
    match (left, l) {
        (0, Lang::Zh) => "冲突都已选择；请保存，把结果写入数据库".into(),
        (0, Lang::En) => "All conflicts settled; save to write the result to the database".into(),
        (n, Lang::Zh) => format!("已选择；还有 {n} 个冲突"),
        (n, Lang::En) => format!("Settled; {n} conflicts left"),
    }
}

pub fn vertices(n: &str, l: Lang) -> String {
    match l {
        Lang::Zh => format!("边界（{n} 个顶点）"),
        Lang::En => format!("shape ({n} vertices)"),
    }
}

pub fn history_menu(l: Lang) -> &'static str {
    pick(l, "修改记录…", "Change history…")
}

pub fn history_title(grid: u64, l: Lang) -> String {
    match l {
        Lang::Zh => format!("网格 {grid} 的修改记录"),
        Lang::En => format!("Changes of grid {grid}"),
    }
}

pub fn history_note(l: Lang) -> &'static str {
    pick(
        l,
        "恢复会把网格改回所选修改后的状态，作为一条新的修改记录；之间的记录都保留。",
        "Restoring brings the grid back to the state after the chosen change, as a new change; everything in between stays recorded.",
    )
}

pub fn restore_button(l: Lang) -> &'static str {
    pick(l, "恢复到此", "Restore to this")
}
