//! Database projects (issue 16) in words: what went wrong (English is the io types' own `Display`,
//! Chinese is here), and what `wangge db` prints.

use crate::io::postgis::{ChangeEntry, Conflict, DbError, Refusal, Restored, UrlProblem};
use crate::text::{Lang, pick, say};

/// A database problem, in `lang`.
pub fn db_error_text(e: &DbError, lang: Lang) -> String {
    match lang {
        Lang::En => e.to_string(),
        Lang::Zh => db_error_zh(e),
    }
}

fn db_error_zh(e: &DbError) -> String {
    match e {
        DbError::Url(p) => format!("不是数据库项目地址：{}", url_zh(p)),
        DbError::Connect(detail) => format!("无法连接数据库（{detail}）"),
        DbError::NeedPassword => {
            "数据库要求输入密码：请在密码框中输入，或放在 PGPASSWORD 环境变量或 ~/.pgpass 文件中".into()
        }
        DbError::WrongPassword => "密码不正确，数据库拒绝了连接".into(),
        DbError::Server(detail) => format!("数据库报错（{detail}）"),
        DbError::SchemaExists { schema } => {
            format!("模式“{schema}”已经存在；加 --replace 才会替换它（没有更改任何内容）")
        }
        DbError::NoProject { schema } => {
            format!("模式“{schema}”中没有网格项目；请先用 wangge db init 地址 --from 项目.gpkg 创建")
        }
        DbError::NewerSchema { found, supported } => format!(
            "这个项目由更新版本的网格软件写入（数据库结构版本 {found}）；本版本只能读取 {supported} 及更早的版本，请更新软件"
        ),
        DbError::OlderSchema { found, current } => format!(
            "这个项目的数据库结构是版本 {found}，保存需要版本 {current}：请模式所有者先运行 wangge db upgrade 地址（没有保存任何内容）"
        ),
        DbError::NoPostgis => "数据库没有安装 PostGIS；请管理员在该数据库中执行 CREATE EXTENSION postgis".into(),
        DbError::BadRow { table, id, detail } => format!("表 {table} 第 {id} 行有误（{detail}）"),
        DbError::NoSuchGrid(id) => format!("没有编号为 {id} 的网格"),
        DbError::NoSuchChange { grid, change } => {
            format!("网格 {grid} 没有第 {change} 号修改；用 wangge db log 地址 --grid {grid} 查看它的修改记录")
        }
        DbError::BadRole(role) => format!("“{role}”不是合规的角色名：只能用小写字母、数字和下划线"),
        DbError::BadTownship(code) => format!("乡镇“{code}”不是 9 位乡镇代码"),
        DbError::CannotSaveHere => "这个命令还不能保存到数据库项目；请对 .gpkg 文件运行，或使用 wangge db 命令".into(),
        DbError::LayersChanged => "没有保存任何内容：读取之后，他人修改了项目的其他图层（名称、边界、行政区划、住户点、参考图层或设置）；请重新打开项目获取他们的修改，再重新修改".into(),
        DbError::NotSaved { conflicts, refused, grids } => format!(
            "没有保存任何内容：{conflicts} 个网格在本命令读取后已被他人保存，{refused} 个网格本账号无权修改（网格 {grids}）；请重新运行，基于现在的数据继续"
        ),
        DbError::CountyOnly => "没有保存任何内容：只有县级账号可以修改项目名称、边界、行政区划、设置或参考图层列表".into(),
        DbError::OutsideTownship { layer, count } => {
            let what = match layer {
                Some(l) => format!("参考图层“{l}”的要素"),
                None => "住户点".into(),
            };
            format!("没有保存任何内容：修改的{what}中有 {count} 个不在本账号的乡镇内（乡镇账号只能修改本乡镇区划内的数据）")
        }
        DbError::CheckinLayerList => "没有签入任何内容：文件中的参考图层列表与签出时不同（增加、删除或改名了图层）；签入只能修改要素，不能修改图层列表，请在县级项目中修改".into(),
        DbError::NoSuchTownship(code) => format!("项目中没有乡镇 {code} 的网格或区划"),
        DbError::CheckoutExists => "文件已经存在；请先签入它，或签出到另一个文件（没有写入任何内容）".into(),
        DbError::NotACheckout => "不是乡镇签出副本（没有 wangge_checkout 表）；请用 wangge db checkout 签出".into(),
        DbError::BadCheckout(detail) => format!("签出记录已损坏：{detail}"),
        DbError::FileNotUpdated(detail) => format!(
            "已签入数据库，但副本未能更新（{detail}）；请再次签入这个副本，使它与数据库一致（不会重复写入）"
        ),
    }
}

fn url_zh(p: &UrlProblem) -> String {
    let form = "（应为 postgres://用户@主机:端口/数据库?schema=模式名）";
    match p {
        UrlProblem::Scheme => "地址必须以 postgres:// 或 postgresql:// 开头".into(),
        UrlProblem::NoUser => format!("地址中没有用户名{form}"),
        UrlProblem::PasswordInUrl => {
            "地址中含有密码；请把密码放在 PGPASSWORD 环境变量或 ~/.pgpass 文件中，不要写进地址".into()
        }
        UrlProblem::NoHost => format!("地址中没有主机{form}"),
        UrlProblem::BadPort(port) => format!("端口“{port}”不是 1 到 65535 之间的数字"),
        UrlProblem::NoDatabase => format!("地址中没有数据库名{form}"),
        UrlProblem::NoSchema => "地址中没有模式名：请加上 ?schema=模式名".into(),
        UrlProblem::BadSchema(name) => {
            format!("模式名“{name}”只能由小写字母、数字和下划线组成（最多 63 个字符，不以数字开头）")
        }
        UrlProblem::UnknownParameter(p) => format!("不认识的参数“{p}”：只支持 schema=模式名"),
        UrlProblem::BadEncoding(text) => format!("“{text}”中的百分号编码无效"),
    }
}

/// `wangge db init`'s summary.
pub fn initialised(lang: Lang, url: &str, grids: usize) -> String {
    match lang {
        Lang::Zh => format!("已在 {url} 创建项目，载入 {grids} 个网格"),
        Lang::En => format!("created the project in {url} with {grids} grids"),
    }
}

/// One line of `wangge db log`: change id, time, who, grid, action, versions, then what changed.
pub fn change_line(c: &ChangeEntry, lang: Lang) -> String {
    let versions = match (c.old_version, c.new_version) {
        (Some(a), Some(b)) => format!("v{a}→v{b}"),
        (None, Some(b)) => format!("→v{b}"),
        (Some(a), None) => format!("v{a}→"),
        (None, None) => String::new(),
    };
    let action = match (lang, c.action.as_str()) {
        (Lang::En, a) => a.to_string(),
        (Lang::Zh, "load") => "载入".into(),
        (Lang::Zh, "insert") => "新增".into(),
        (Lang::Zh, "update") => "修改".into(),
        (Lang::Zh, "delete") => "删除".into(),
        (Lang::Zh, "restore") => "恢复".into(),
        (Lang::Zh, a) => a.to_string(),
    };
    let mut what: Vec<String> = Vec::new();
    if c.geometry_changed && c.action != "load" {
        what.push(match lang {
            Lang::Zh => "范围".into(),
            Lang::En => "geometry".into(),
        });
    }
    if matches!(c.action.as_str(), "update" | "restore") {
        what.extend(c.attributes_changed.iter().map(|(k, old, new)| format!("{k}: {old:?} → {new:?}")));
    }
    let note = match (lang, c.note.strip_prefix("change ")) {
        (_, None) => String::new(),
        (Lang::Zh, Some(n)) => format!("（恢复到第 {n} 号修改）"),
        (Lang::En, Some(n)) => format!(" (to change {n})"),
    };
    let grid = match lang {
        Lang::Zh => format!("网格 {}", c.grid),
        Lang::En => format!("grid {}", c.grid),
    };
    let mut line = format!("#{} {} {} {grid} {action}{note} {versions}", c.id, c.at, c.who);
    if !what.is_empty() {
        line += &format!(" — {}", what.join("; "));
    }
    line
}

/// What `wangge db log` says when there is nothing to list.
pub fn no_changes(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "没有修改记录",
        Lang::En => "no changes recorded",
    }
}

/// `wangge db upgrade`'s summary.
pub fn upgraded(schema: &str, from: i32, to: i32, lang: Lang) -> String {
    match (lang, from == to) {
        (Lang::Zh, true) => format!("模式 {schema} 的结构已是最新版本 {to}，无需升级"),
        (Lang::Zh, false) => format!("模式 {schema} 的结构已从版本 {from} 升级到 {to}"),
        (Lang::En, true) => format!("schema {schema} is at version {to}, the newest; nothing to do"),
        (Lang::En, false) => format!("schema {schema} upgraded from version {from} to {to}"),
    }
}

/// `wangge db grant`'s summary.
pub fn granted(role: &str, access: &crate::io::postgis::Access, lang: Lang) -> String {
    use crate::io::postgis::Access;
    match (lang, access) {
        (Lang::Zh, Access::ReadOnly) => format!("账号 {role} 可以读取，不能修改"),
        (Lang::Zh, Access::Township(code)) => {
            format!("账号 {role} 可以读取全部内容，只能修改乡镇 {code} 的网格，以及该乡镇区划内的住户点和参考要素")
        }
        (Lang::Zh, Access::County) => format!(
            "账号 {role} 可以读取并修改全部网格、住户点和参考要素，以及项目名称、区域边界、行政区划、参考图层列表和设置"
        ),
        (Lang::En, Access::ReadOnly) => format!("account {role} may read, not change"),
        (Lang::En, Access::Township(code)) => {
            format!(
                "account {role} may read everything and change only the grids of township {code}, and the households and reference features inside it"
            )
        }
        (Lang::En, Access::County) => {
            format!(
                "account {role} may read and change every grid, household and reference feature, and the project's name, boundary, divisions, list of reference layers and settings"
            )
        }
    }
}

/// `wangge db restore`'s summary.
pub fn restored(grid: u64, change: i64, r: Restored, lang: Lang) -> String {
    match (lang, r) {
        (Lang::Zh, Restored::Updated { version }) => {
            format!("网格 {grid} 已恢复到第 {change} 号修改后的状态（新版本 v{version}）")
        }
        (Lang::Zh, Restored::Recreated { version }) => {
            format!("已删除的网格 {grid} 已恢复到第 {change} 号修改后的状态（新版本 v{version}）")
        }
        (Lang::Zh, Restored::Deleted) => format!("第 {change} 号修改删除了网格 {grid}；它现在已删除"),
        (Lang::En, Restored::Updated { version }) => {
            format!("grid {grid} is back as change {change} left it (now v{version})")
        }
        (Lang::En, Restored::Recreated { version }) => {
            format!("deleted grid {grid} is back as change {change} left it (now v{version})")
        }
        (Lang::En, Restored::Deleted) => format!("change {change} deleted grid {grid}; it is deleted now"),
    }
}

/// A conflict of a save: the grid, and theirs against mine.
pub fn conflict_line(c: &Conflict, lang: Lang) -> String {
    let theirs = match (&c.theirs, lang) {
        (Some((_, v)), Lang::Zh) => format!("他人已保存 v{v}"),
        (Some((_, v)), Lang::En) => format!("someone saved v{v}"),
        (None, Lang::Zh) => "他人已删除".into(),
        (None, Lang::En) => "someone deleted it".into(),
    };
    match lang {
        Lang::Zh => format!("网格 {} 冲突：{theirs}，本次修改未写入", c.id),
        Lang::En => format!("grid {} conflicts: {theirs}; my change was not written", c.id),
    }
}

/// `wangge db checkout`'s summary.
pub fn checked_out(path: &str, township: &str, r: &crate::io::postgis::CheckoutReport, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "已将乡镇 {township} 签出到 {path}：本镇网格 {} 个，相邻乡镇边界网格 {} 个（只读），住户点 {} 个（数据库第 {} 号修改）",
            r.grids, r.neighbours, r.households, r.last_change
        ),
        Lang::En => format!(
            "checked out township {township} to {path}: {} grids, {} neighbouring townships' border grids (read-only), {} household points (database at change {})",
            r.grids, r.neighbours, r.households, r.last_change
        ),
    }
}

/// A field of a grid in words.
pub fn field_word(f: crate::core::merge::Field, lang: Lang) -> &'static str {
    use crate::core::merge::Field;
    if lang == Lang::En {
        return match f {
            Field::Added => "added it",
            Field::Deleted => "deleted it",
            _ => f.key(),
        };
    }
    match f {
        Field::Added => "新增",
        Field::Deleted => "删除",
        Field::Geometry => "范围",
        Field::Code => "编码",
        Field::Name => "名称",
        Field::Kind => "类型",
        Field::Class => "城乡分类",
        Field::Village => "所属村（社区）",
        Field::Households => "户数",
        Field::Population => "人口",
        Field::PartyMembers => "党员数",
        Field::GridHead => "网格长",
        Field::GridStaff => "网格员",
        Field::Phone => "电话",
        Field::Notes => "备注",
        Field::ValidFrom => "启用日期",
        Field::ValidTo => "停用日期",
    }
}

fn fields_words(fields: &[crate::core::merge::Field], lang: Lang) -> String {
    if fields.is_empty() {
        return crate::text::pick(lang, "（刚刚被他人保存）", "(saved by someone else just now)").to_string();
    }
    let sep = crate::text::pick(lang, "、", ", ");
    fields.iter().map(|f| field_word(*f, lang)).collect::<Vec<_>>().join(sep)
}

fn grid_named(id: u64, code: &str, lang: Lang) -> String {
    match (lang, code.is_empty()) {
        (Lang::Zh, true) => format!("网格 {id}"),
        (Lang::Zh, false) => format!("网格 {id}（{code}）"),
        (Lang::En, true) => format!("grid {id}"),
        (Lang::En, false) => format!("grid {id} ({code})"),
    }
}

/// `wangge db checkin`'s report: what was merged, or everything left for the person and how to
/// settle it (nothing was written then).
pub fn checkin_text(r: &crate::io::postgis::CheckinReport, lang: Lang) -> String {
    let mut out = String::new();
    if r.committed {
        out += &match lang {
            Lang::Zh => format!(
                "已签入：写入数据库 {} 个网格，从数据库取回 {} 个他人修改的网格；副本已更新到数据库第 {} 号修改，可以继续编辑\n",
                r.written.len(),
                r.taken.len(),
                r.last_change
            ),
            Lang::En => format!(
                "checked in: {} grids written to the database, {} grids others changed taken into the file; the file is at change {} now and can be edited on\n",
                r.written.len(),
                r.taken.len(),
                r.last_change
            ),
        };
        if !r.already.is_empty() {
            out += &say!(
                lang,
                "{} 个网格在数据库中已是本副本的修改（上次签入已写入数据库，但副本当时未能更新），没有重复写入\n",
                "{} grids were in the database as this file has them already (an earlier check-in wrote them but could not update the file); not written again\n",
                r.already.len()
            );
        }
        for (mine, stored) in &r.renumbered {
            out += &say!(
                lang,
                "新网格 {} 在数据库中的编号是 {}\n",
                "new grid {} is grid {} in the database\n",
                mine,
                stored
            );
        }
        return out;
    }
    out += pick(
        lang,
        "没有签入：数据库和副本都未改动，以下问题需要处理\n",
        "nothing was checked in: the database and the file are unchanged; left for you:\n",
    );
    for c in &r.conflicts {
        let grid = grid_named(c.id, &c.code, lang);
        let (mine, theirs) = (fields_words(&c.mine, lang), fields_words(&c.theirs, lang));
        out += &say!(
            lang,
            "冲突：{}，本副本改了 {}，数据库中他人改了 {}\n",
            "conflict: {}: mine changed {}; theirs changed {}\n",
            grid,
            mine,
            theirs
        );
    }
    for id in &r.read_only {
        out += &say!(
            lang,
            "网格 {} 属于相邻乡镇，在签出副本中只读，不能签入对它的修改（用 --take-theirs {} 放弃这些修改）\n",
            "grid {} belongs to a neighbouring township and is read-only in a check-out; its change cannot be checked in (drop it with --take-theirs {})\n",
            id,
            id
        );
    }
    for id in &r.forbidden {
        out += &say!(
            lang,
            "网格 {}：这个账号无权修改它（数据库的行级权限拒绝了写入）\n",
            "grid {}: this account may not change it (the database's row-level security refused the write)\n",
            id
        );
    }
    for s in &r.seam {
        let name = |id: &u64| grid_named(*id, s.codes.get(id).map(String::as_str).unwrap_or(""), lang);
        let sep = pick(lang, "、", ", ");
        let mine: Vec<String> = s.seam.mine.iter().map(name).collect();
        let theirs: Vec<String> = s.seam.neighbours.iter().map(name).collect();
        let kind = crate::text::findings::kind_name(s.seam.kind, lang);
        out += &say!(
            lang,
            "乡镇交界处覆盖被破坏（{}）：{} 的边界顶点只在本副本中移动，相邻乡镇的 {} 对应顶点没有移动\n",
            "the coverage breaks at the township seam ({}): a border vertex of {} moved on my side only; the matching vertex of the neighbouring township's {} did not\n",
            kind,
            mine.join(sep),
            theirs.join(sep)
        );
        if s.fix.is_empty() {
            out += pick(
                lang,
                "  建议：让两侧边界重新一致（撤销这处移动，或请相邻乡镇同样修改）\n",
                "  proposed fix: make both sides of the border match again (undo the move, or have the neighbour make the same change)\n",
            );
        }
        for m in &s.fix {
            let grid = grid_named(m.neighbour, &m.code, lang);
            let right = match (lang, m.allowed) {
                (Lang::Zh, true) => "这个账号有权这样修改",
                (Lang::Zh, false) => "这个账号无权修改它：请县中心或相邻乡镇修改后再签入",
                (Lang::En, true) => "this account has the right to make it",
                (Lang::En, false) => {
                    "this account may not change it: ask the county centre or the neighbouring township, then check in again"
                }
            };
            out += &say!(
                lang,
                "  建议：把 {} 的顶点 ({:.3}, {:.3}) 移到 ({:.3}, {:.3})；{}\n",
                "  proposed fix: move the vertex of {} at ({:.3}, {:.3}) to ({:.3}, {:.3}); {}\n",
                grid,
                m.from.0,
                m.from.1,
                m.to.0,
                m.to.1,
                right
            );
        }
    }
    out += pick(
        lang,
        "处理方法：冲突用 --take-theirs 网格号…（采用数据库中的，放弃本副本的修改）或 --take-mine 网格号…（用本副本的覆盖）再签入；交界问题请撤销该顶点的移动，或按建议修改相邻网格后再签入\n",
        "to settle: check in again with --take-theirs ID… (take the database's, drop my edit) or --take-mine ID… (write mine over theirs) for conflicts; for the seam, undo the vertex move or make the proposed move first, then check in again\n",
    );
    out
}

/// A grid a save did not write because the account may not change it (row-level security).
pub fn refusal_line(r: &Refusal, lang: Lang) -> String {
    match (lang, r.township.is_empty()) {
        (Lang::Zh, false) => {
            format!("无权修改：网格 {} 属于乡镇 {}，本账号不能修改它，本次修改未写入", r.id, r.township)
        }
        (Lang::Zh, true) => format!("无权修改：网格 {} 没有所属村，本账号不能修改它，本次修改未写入", r.id),
        (Lang::En, false) => format!(
            "not allowed: grid {} belongs to township {}, which this account may not change; my change was not written",
            r.id, r.township
        ),
        (Lang::En, true) => {
            format!(
                "not allowed: grid {} has no village, and this account may not change it; my change was not written",
                r.id
            )
        }
    }
}

/// What an all-or-nothing save says when one grid of it could not be written: nothing was.
pub fn rolled_back_line(not_written: usize, lang: Lang) -> String {
    let why = crate::text::pick(
        lang,
        "这组修改须全部写入或全部不写（如共用边界的移动）",
        "the edit must land whole or not at all (a shared border moved, for one)",
    );
    match lang {
        Lang::Zh => format!("本次保存未写入任何内容：{not_written} 个网格无法写入，而{why}"),
        Lang::En => format!("nothing was saved: {not_written} grid(s) could not be written and {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_database_problem_is_said_in_both_languages() {
        let all = [
            DbError::Url(UrlProblem::Scheme),
            DbError::Url(UrlProblem::NoUser),
            DbError::Url(UrlProblem::PasswordInUrl),
            DbError::Url(UrlProblem::NoHost),
            DbError::Url(UrlProblem::BadPort("x".into())),
            DbError::Url(UrlProblem::NoDatabase),
            DbError::Url(UrlProblem::NoSchema),
            DbError::Url(UrlProblem::BadSchema("A".into())),
            DbError::Url(UrlProblem::UnknownParameter("sslmode=require".into())),
            DbError::Url(UrlProblem::BadEncoding("%z".into())),
            DbError::Connect("connection refused".into()),
            DbError::Server("relation does not exist".into()),
            DbError::SchemaExists { schema: "jingxian".into() },
            DbError::NoProject { schema: "jingxian".into() },
            DbError::NewerSchema { found: 3, supported: 1 },
            DbError::NoPostgis,
            DbError::OlderSchema { found: 1, current: 2 },
            DbError::BadRow { table: "grids", id: 3, detail: "not a polygon".into() },
            DbError::NoSuchGrid(4),
            DbError::NoSuchChange { grid: 4, change: 9 },
            DbError::BadRole("Town-1".into()),
            DbError::BadTownship("3418".into()),
            DbError::CannotSaveHere,
            DbError::NotSaved { conflicts: 1, refused: 0, grids: "3".into() },
            DbError::LayersChanged,
            DbError::CountyOnly,
            DbError::CheckinLayerList,
            DbError::OutsideTownship { layer: None, count: 2 },
            DbError::OutsideTownship { layer: Some("道路".into()), count: 1 },
            DbError::NoSuchTownship("341823199".into()),
            DbError::CheckoutExists,
            DbError::NotACheckout,
            DbError::BadCheckout("no url".into()),
            DbError::FileNotUpdated("database is locked".into()),
        ];
        for e in &all {
            let (zh, en) = (db_error_text(e, Lang::Zh), db_error_text(e, Lang::En));
            assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{zh}");
            assert_eq!(en, e.to_string());
            assert_ne!(zh, en);
        }
    }

    #[test]
    fn a_refused_grid_names_its_township_in_both_languages() {
        let r = Refusal { id: 3, township: "341823101".into() };
        assert_eq!(
            refusal_line(&r, Lang::En),
            "not allowed: grid 3 belongs to township 341823101, which this account may not change; my change was not written"
        );
        assert_eq!(refusal_line(&r, Lang::Zh), "无权修改：网格 3 属于乡镇 341823101，本账号不能修改它，本次修改未写入");
        let none = Refusal { id: 4, township: String::new() };
        assert!(refusal_line(&none, Lang::En).contains("grid 4 has no village"));
        assert!(refusal_line(&none, Lang::Zh).contains("网格 4 没有所属村"));
        assert!(rolled_back_line(2, Lang::En).starts_with("nothing was saved: 2 grid(s)"));
        assert!(rolled_back_line(2, Lang::Zh).starts_with("本次保存未写入任何内容：2 个网格"));
    }
}
