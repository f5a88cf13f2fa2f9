//! The numbers behind each grid: codes by rule, code checks, households per grid, and 四至.

mod checks;
mod ground;
mod households;
mod neighbours;
mod numbering;
mod rule;
mod village;

pub use checks::{CodeIssue, check_codes};
pub use ground::{Axes, GRID_AXES, GroundAxes};
pub use households::{Counts, HouseholdCounts, count_households, household_band};
pub use neighbours::{FourSides, Side, four_sides};
pub use numbering::{CodeChange, CodingError, CodingOptions, assign_codes, reading_order};
pub use rule::{CodeRule, DEFAULT_RULE, Part, RuleError};
pub use village::village_of;

/// The project setting that holds the code rule.
pub const RULE_SETTING: &str = "code_rule";

/// The project's code rule template: its setting, else [`DEFAULT_RULE`].
pub fn rule_template(project: &crate::core::Project) -> &str {
    project.settings.get(RULE_SETTING).map_or(DEFAULT_RULE, String::as_str)
}

/// The project's code rule, parsed ([`rule_template`]).
pub fn project_rule(project: &crate::core::Project) -> Result<CodeRule, RuleError> {
    CodeRule::parse(rule_template(project))
}

/// The project setting that keeps `wangge code --row-height` (fixed rows instead of rows by overlap).
pub const ROW_HEIGHT_SETTING: &str = "code_row_height";
