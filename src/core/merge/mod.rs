//! Three-way merge of a township's check-out (issue 16 §3): what the township changed offline (mine),
//! what others saved in the database meanwhile (theirs), both against the state at check-out (base).
//!
//! [`classify`] sorts each grid into unchanged / mine only / theirs only / both the same / both added /
//! conflict and names the fields each side changed ([`fields`]); [`seam`] finds the township's edits that
//! would break the coverage along its border with the neighbouring townships, with the vertex moves of
//! the neighbours' grids that would mend it; [`resolve`] settles a conflict the user chose for (keep
//! mine, take theirs, or field by field). Pure: no files, no database (`io::postgis::checkin` does
//! those).

pub mod classify;
pub mod fields;
pub mod resolve;
pub mod seam;

pub use classify::{GridMerge, Outcome, classify, merge_grids};
pub use fields::{Field, changed_fields};
pub use resolve::{Resolution, merged, resolution_command, value_text};
pub use seam::{SeamBreak, VertexMove, seam_breaks};
