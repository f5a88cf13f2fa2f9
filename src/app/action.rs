//! Everything the UI can ask for: panels, menus, the canvas and windows push these during a frame, and
//! `WanggeApp::try_apply` carries them out after it, handling each error once.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::file_dialog::Purpose;
use crate::core::GridId;
use crate::core::edit::GridFields;
use crate::core::tools::ToolKind;
use crate::text::Lang;

/// What the user asked for, collected during a frame and applied after it.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Stop the long job shown in the status bar (it changes nothing).
    CancelJob,
    OpenDialog,
    OpenSample,
    ImportDialog,
    ExportDialog,
    Save,
    SaveAsDialog,
    Quit,
    RenameDialog,
    Rename(String),
    ZoomToExtent,
    ToggleLayersPanel,
    ToggleChecksPanel,
    SetLang(Lang),
    /// Basemap tiles from the cache and local files only (true), or from the network too.
    SetOffline(bool),
    /// Adds the basemap(s) of the layers panel's form to the project's file.
    AddBasemap(Box<super::basemap::NewBasemap>),
    /// Removes a basemap (by name) from the project's file.
    RemoveBasemap(String),
    ShowInfo,
    CodeRuleDialog,
    ApplyCodes,
    ShowShortcuts,
    ShowAbout,
    CopyCursor,
    Browse(Purpose),
    RunImport,
    RunExport,
    PrintDialog,
    RunPrint,
    SetTool(ToolKind),
    ToggleSnapping,
    SetSnapTolerance(f32),
    Undo,
    Redo,
    DeleteSelection,
    MergeSelected,
    ZoomToSelection,
    SetFields(GridId, Box<GridFields>),
    PickFinding(usize),
    PreviewFix(Option<usize>),
    ApplyFix(usize),
    ToggleAttributes,
    SaveAndQuit,
    DiscardAndQuit,
    Recover,
    DiscardRecovery,
    /// Replace what the project has with the import waiting for confirmation.
    ConfirmImport,
    /// Drop the import waiting for confirmation; back to its form.
    CancelImport,
    /// Open the project's file as it is on disk now, dropping the changes made here.
    ReloadFromDisk,
    /// Save over the file although it changed on disk (then close the window if asked to).
    Overwrite {
        quit_after: bool,
    },
    // Editing many grids at once (helper `edit`).
    /// Set the fields the user changed in the form for several grids on all of them (one step).
    SetSharedFields(BTreeSet<GridId>, Box<crate::core::edit::SharedChanges>),
    // Starting and finding (issue 12).
    /// File › New project: the form (after asking about unsaved changes).
    NewProjectDialog,
    /// Make the project the New project form describes.
    CreateProject,
    /// File › Recent: open this project (after asking about unsaved changes).
    OpenRecent(PathBuf),
    /// The user chose to drop unsaved changes: do this without asking again.
    Discarded(Box<Action>),
    /// The user chose to save unsaved changes first: save, then do this.
    SaveThen(Box<Action>),
    /// Select this grid and zoom to it (search results, the grid list).
    PickGrid(GridId),
    /// Select the grids of this township or village and zoom to it (the layers tree).
    PickDivision(String),
    /// Colour the grids by a theme (households against the band, village, code status), or `None`
    /// for the neighbour-distinct default.
    SetTheme(Option<crate::core::thematic::Theme>),
    // Auto-partition (issue 15).
    /// Tools › 自动划分网格: the form, with the villages of the selected grids chosen.
    PartitionDialog,
    /// Compute the form's proposal on a worker thread and show it.
    PreviewPartition,
    /// Apply the proposal shown as one undoable step.
    ApplyPartition,
    // A shared database project (issue 16).
    /// File › Open database…: the form (after asking about unsaved changes).
    OpenDatabaseDialog,
    /// Connect to this address (with the password typed, if any) and open the project there (after
    /// asking about unsaved changes).
    OpenDatabase(Box<(String, Option<crate::io::postgis::Password>)>),
    /// Settle a save conflict over this grid.
    ResolveConflict(GridId, crate::core::merge::Resolution),
    /// Edit › 修改记录…: the recorded changes of this grid, read from the database.
    GridHistory(GridId),
    /// Bring this grid back to the state this change left it in (as a new change in the database).
    RestoreChange(GridId, i64),
}
