//! Why an edit was refused. Every refusal is reported to the user; nothing fails silently.

use crate::core::GridId;

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EditFailure {
    #[error("a polygon needs at least three vertices")]
    TooFewVertices,
    #[error("the drawn outline crosses itself")]
    SelfCrossing,
    #[error("nothing is left after clipping: the polygon lies on existing grids or outside the boundary")]
    NothingLeft,
    #[error("grid {0} is invalid ({1}); fix it before clipping against it")]
    InvalidNeighbour(GridId, String),
    #[error("the line must cross the grid's outline exactly twice (it crosses {found} times)")]
    SplitCrossings { found: usize },
    #[error("the line crosses no grid")]
    SplitNoGrid,
    #[error("no road, river or other line of a shown reference layer here")]
    NoReferenceLine,
    #[error("the line crosses a hole of the grid")]
    SplitThroughHole,
    #[error("the line runs along an edge of the grid")]
    SplitAlongEdge,
    #[error("select at least two grids to merge")]
    MergeTooFew,
    #[error("the selected grids do not form one connected area")]
    MergeNotAdjacent,
    #[error("this place is already in grid {0}")]
    FillCovered(GridId),
    #[error("this place is outside the boundary")]
    FillOutside,
    #[error("the uncovered area here is not enclosed by the boundary or by grids")]
    FillNotEnclosed,
    #[error("no vertex here")]
    NoVertex,
    #[error("no edge here")]
    NoEdge,
    #[error("a ring of grid {0} would have fewer than three vertices")]
    RingTooSmall(GridId),
    #[error("a vertex on the boundary cannot be deleted: the grid would leave the boundary")]
    BoundaryVertex,
    #[error("this vertex joins {0} edges; delete it only where two edges meet")]
    NodeVertex(usize),
    #[error("the edit would make grid {0} invalid ({1})")]
    WouldInvalidate(GridId, String),
    #[error("the edit would make grids overlap or their edges cross")]
    WouldOverlap,
    #[error("a corner of the boundary cannot move (the boundary never changes)")]
    BoundaryCorner,
    #[error("nothing is selected")]
    NothingSelected,
}
