//! Any bytes: decode must not panic; any text: extraction must not panic,
//! must be deterministic, and every span must lie on character boundaries
//! of the original text.
#![no_main]
use hudna_text::{decode, normalize_str, Extractor};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn extractor() -> &'static Extractor {
    static X: OnceLock<Extractor> = OnceLock::new();
    X.get_or_init(Extractor::builtin)
}

fuzz_target!(|data: &[u8]| {
    let text = match decode(data) {
        Ok(t) => t,
        Err(_) => return,
    };
    let once = normalize_str(text);
    assert_eq!(normalize_str(&once), once, "normalization is not idempotent");
    let e = extractor().extract(text, (2019, 7, 16));
    let ok = |s: usize, t: usize| s <= t && t <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(t);
    for ev in &e.events {
        for sp in &ev.evidence {
            assert!(ok(sp.start, sp.end), "bad evidence span {sp:?}");
        }
    }
    for p in &e.mentions.places {
        assert!(ok(p.start, p.end));
    }
    for d in &e.mentions.dates {
        assert!(ok(d.start, d.end));
    }
    for a in &e.mentions.actors {
        assert!(ok(a.start, a.end));
    }
    for n in &e.mentions.numbers {
        assert!(ok(n.start, n.end));
    }
    // The JSON form must serialize and read back to the same value.
    let json = serde_json::to_string(&e).expect("serializes");
    let back: hudna_text::Extraction = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back.events.len(), e.events.len());
    // Deterministic.
    assert_eq!(extractor().extract(text, (2019, 7, 16)), e);
});
