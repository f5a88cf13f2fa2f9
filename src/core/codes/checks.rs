//! Checks on grid codes: duplicates, wrong form, a prefix that does not match the grid's village, grids in
//! no village, and holes in a village's sequence.

use std::collections::BTreeMap;

use super::rule::CodeRule;
use super::village::village_of;
use crate::core::{GridId, GridKind, Project};

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CodeIssue {
    /// Several grids carry the same code.
    Duplicate { code: String, grids: Vec<GridId> },
    /// Wrong length or characters for the rule (or empty).
    BadFormat { grid: GridId, code: String, expected_len: usize },
    /// Well formed, but for another village (or kind) than the grid's.
    PrefixMismatch { grid: GridId, code: String, village: String },
    /// The grid lies in no village (no village polygon covers it and it names none).
    NoVillage { grid: GridId },
    /// Numbers missing between 1 and the highest used in a village (retired grids leave these).
    SequenceHole { village: String, missing: Vec<u32> },
}

pub fn check_codes(project: &Project, rule: &CodeRule) -> Vec<CodeIssue> {
    let mut issues = Vec::new();
    let mut by_code: BTreeMap<&str, Vec<GridId>> = BTreeMap::new();
    for g in project.grids.values().filter(|g| !g.code.is_empty()) {
        by_code.entry(g.code.as_str()).or_default().push(g.id);
    }
    for (code, grids) in by_code.into_iter().filter(|(_, g)| g.len() > 1) {
        issues.push(CodeIssue::Duplicate { code: code.to_string(), grids });
    }
    let mut used: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for g in project.grids.values() {
        let Some(village) = village_of(project, g) else {
            issues.push(CodeIssue::NoVillage { grid: g.id });
            continue;
        };
        let dedicated = g.kind == GridKind::Dedicated;
        let well_formed = g.code.len() == rule.code_len() && g.code.bytes().all(|b| b.is_ascii_alphanumeric());
        if !well_formed {
            issues.push(CodeIssue::BadFormat { grid: g.id, code: g.code.clone(), expected_len: rule.code_len() });
            continue;
        }
        match rule.sequence_of(&g.code, &village, dedicated) {
            Some(seq) if !dedicated => used.entry(village).or_default().push(seq),
            Some(_) => {}
            None => issues.push(CodeIssue::PrefixMismatch { grid: g.id, code: g.code.clone(), village }),
        }
    }
    for (village, mut seqs) in used {
        seqs.sort_unstable();
        seqs.dedup();
        let max = seqs.last().copied().unwrap_or(0);
        let missing: Vec<u32> = (1..=max).filter(|s| seqs.binary_search(s).is_err()).collect();
        if !missing.is_empty() {
            issues.push(CodeIssue::SequenceHole { village, missing });
        }
    }
    issues.sort();
    issues
}
