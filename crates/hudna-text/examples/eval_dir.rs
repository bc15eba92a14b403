//! Scores a directory of NNN.txt + NNN.json pairs: `cargo run --example eval_dir -- DIR [--json]`.
use hudna_text::eval::{evaluate, render_table, EvalCase};
use hudna_text::Extractor;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .unwrap_or_else(|| "../../../shared/dev-corpus".into());
    let json = args.any(|a| a == "--json");
    let mut cases = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.extension().is_some_and(|e| e == "txt") {
            let g = p.with_extension("json");
            if let (Ok(text), Ok(gold_json)) =
                (std::fs::read_to_string(&p), std::fs::read_to_string(&g))
            {
                cases.push(EvalCase {
                    id: p.file_stem().unwrap().to_string_lossy().into(),
                    text,
                    gold_json,
                });
            }
        }
    }
    let r = evaluate(&Extractor::builtin(), &cases).expect("eval");
    if json {
        println!("{}", serde_json::to_string_pretty(&r).unwrap());
    } else {
        print!("{}", render_table(&r));
    }
}
