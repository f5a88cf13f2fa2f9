#![no_main]
//! Fuzz target: see FUZZING.md. The same entry point is replayed on the corpus by `cargo test`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = wangge::io::untrusted::geotiff(data);
});
