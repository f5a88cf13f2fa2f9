//! The SQL functions GeoPackage's R-tree triggers call (ST_MinX … ST_IsEmpty). GDAL and QGIS define them
//! in their own connections; we define them in ours so the standard triggers keep the index current.

use rusqlite::Connection;
use rusqlite::functions::{Context, FunctionFlags};

use super::blob;

pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    for (name, index) in [("ST_MinX", 0usize), ("ST_MaxX", 1), ("ST_MinY", 2), ("ST_MaxY", 3)] {
        conn.create_scalar_function(name, 1, flags, move |ctx| Ok(envelope(ctx)?.map(|e| e[index])))?;
    }
    conn.create_scalar_function("ST_IsEmpty", 1, flags, |ctx| Ok(i32::from(envelope(ctx)?.is_none())))
}

fn envelope(ctx: &Context<'_>) -> rusqlite::Result<Option<[f64; 4]>> {
    let Ok(Some(bytes)) = ctx.get::<Option<Vec<u8>>>(0) else {
        return Ok(None);
    };
    // A blob that is not a valid geometry is treated as empty: the index skips it rather than failing
    // the user's edit in another program.
    Ok(blob::envelope(&bytes).ok().flatten())
}
