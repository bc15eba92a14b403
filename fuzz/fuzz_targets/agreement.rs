//! Any agreement.toml and zones.geojson text: loading never panics, and a
//! definition that loads reads back from its stored document unchanged.
#![no_main]
use hudna_app::definition::{from_doc, load_text, LoadOptions, MemFiles};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // the input is "agreement.toml \0 zones.geojson"
    let (toml, geo) = text.split_once('\0').unwrap_or((text, ""));
    let files = [("zones.geojson", geo), ("posts.geojson", geo)];
    for fix_winding in [false, true] {
        if let Ok(loaded) = load_text("agreement.toml".into(), toml, &MemFiles(&files), LoadOptions { fix_winding }) {
            let again = from_doc(&loaded.doc).expect("a stored document reads back");
            assert_eq!(again.id, loaded.agreement.id);
            assert_eq!(again.zones.len(), loaded.agreement.zones.len());
        }
    }
});
