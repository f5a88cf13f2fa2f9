//! Geometry operations behind the editing tools. Each takes the project as it is and returns the
//! command that makes the change (or why it cannot be made); none changes the project itself.

mod clip;
mod fill;
mod merge;
mod node;
mod split;
mod split_along;
mod vertices;

pub use clip::{Clipped, avoid_overlap, clean};
pub use fill::uncovered_at;
pub use merge::merge_grids;
pub use node::{insert_points, node_tolerance, node_with_neighbours, reference_vertices, snap_to_vertices, vertices};
pub use split::{SplitPlan, split_grids, split_polygon};
pub use split_along::reference_line_at;
pub use vertices::{
    delete_vertex, insert_vertex, move_vertex, moved_geometries, refuse_damage, vertex_at, vertex_target,
};
