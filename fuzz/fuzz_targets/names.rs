//! Any text: name normalization never panics and is idempotent.
#![no_main]
use hudna_names::normalize::{comparison_key, fold, name_parts};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let once = fold(text);
    assert_eq!(fold(&once), once, "fold is not idempotent");
    let _ = name_parts(text);
    let _ = comparison_key(text);
});
