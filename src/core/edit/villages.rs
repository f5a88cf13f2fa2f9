//! The villages a grid can be put in, found by what a planner types: part of the village's name or
//! code, or of its township's name (a county has over a hundred villages; 泾县 has 127). Grouped under
//! their townships, in code order.

use crate::core::{Division, Project};

/// The villages of one township that match a search.
#[derive(Clone, Debug, PartialEq)]
pub struct VillageGroup<'a> {
    /// The township's code (the village codes' first 9 digits).
    pub township_code: String,
    /// The township, when the project has it.
    pub township: Option<&'a Division>,
    pub villages: Vec<&'a Division>,
}

impl VillageGroup<'_> {
    /// The township's name, or its code when the project does not have it.
    pub fn township_name(&self) -> &str {
        self.township.map_or(self.township_code.as_str(), |t| t.name.as_str())
    }
}

/// The villages matching `query`, grouped by township. Every word of the query (split at white space)
/// must occur in the village's name or code or in its township's name or code; an empty query
/// matches every village.
///
/// ```
/// use wangge::core::edit::village_choices;
/// let project = wangge::core::Project::new("t", wangge::core::Crs {
///     epsg: 4548, name: "GK".into(), units: wangge::core::CrsUnits::Metres });
/// assert!(village_choices(&project, "城关").is_empty());
/// ```
pub fn village_choices<'a>(project: &'a Project, query: &str) -> Vec<VillageGroup<'a>> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let mut groups: Vec<VillageGroup<'a>> = Vec::new();
    for village in project.villages() {
        let township_code = village.code.parent().unwrap_or_default().to_string();
        let township = project.divisions.get(&township_code);
        let haystack = [
            village.name.as_str(),
            village.code.as_str(),
            township.map_or("", |t| t.name.as_str()),
            township_code.as_str(),
        ]
        .join(" ")
        .to_lowercase();
        if !words.iter().all(|w| haystack.contains(w.as_str())) {
            continue;
        }
        match groups.last_mut() {
            Some(g) if g.township_code == township_code => g.villages.push(village),
            _ => groups.push(VillageGroup { township_code, township, villages: vec![village] }),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{AreaClass, Crs, CrsUnits, DivisionCode};

    fn project() -> Project {
        let mut p = Project::new("泾县", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        for (code, name) in [
            ("341823100", "泾川镇"),
            ("341823100001", "城关社区"),
            ("341823100201", "大公村"),
            ("341823101", "茂林镇"),
            ("341823101201", "茂林村"),
            ("341823101202", "铜山村"),
            ("341823102201", "无乡村"),
        ] {
            let code = DivisionCode::parse(code).unwrap();
            let d = Division { name: name.into(), parent_code: None, class: AreaClass::Rural, polygon: None, code };
            p.divisions.insert(d.code.to_string(), d);
        }
        p
    }

    fn names(groups: &[VillageGroup<'_>]) -> Vec<(String, Vec<String>)> {
        groups
            .iter()
            .map(|g| (g.township_name().to_string(), g.villages.iter().map(|v| v.name.clone()).collect()))
            .collect()
    }

    #[test]
    fn every_village_grouped_by_township_in_code_order() {
        let p = project();
        assert_eq!(
            names(&village_choices(&p, "  ")),
            [
                ("泾川镇".to_string(), vec!["城关社区".to_string(), "大公村".into()]),
                ("茂林镇".into(), vec!["茂林村".into(), "铜山村".into()]),
                // A village whose township is not in the project is listed under the township's code.
                ("341823102".into(), vec!["无乡村".into()]),
            ]
        );
    }

    #[test]
    fn found_by_name_code_or_township() {
        let p = project();
        assert_eq!(names(&village_choices(&p, "铜山")), [("茂林镇".to_string(), vec!["铜山村".to_string()])]);
        assert_eq!(names(&village_choices(&p, "100001")), [("泾川镇".to_string(), vec!["城关社区".to_string()])]);
        // The township's name finds all its villages; a second word narrows them.
        assert_eq!(village_choices(&p, "茂林镇")[0].villages.len(), 2);
        assert_eq!(names(&village_choices(&p, "茂林 铜")), [("茂林镇".to_string(), vec!["铜山村".to_string()])]);
        assert!(village_choices(&p, "北京").is_empty());
    }
}
