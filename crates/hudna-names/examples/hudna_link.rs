//! The `hudna link` command (crates/hudna/src/link_cmd.rs) built standalone,
//! so the engine's benchmarks and tests exercise the real CLI code:
//! `hudna_link RECORDS.csv [--against REGISTRY.csv] --out PAIRS.csv
//! [--clusters CLUSTERS.csv] [--threshold P] [--explain]`.

#[path = "../../hudna/src/link_cmd.rs"]
mod link_cmd;

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut a = link_cmd::LinkArgs {
        records: PathBuf::new(),
        against: None,
        out: PathBuf::from("pairs.csv"),
        clusters: None,
        threshold: 0.5,
        explain: false,
    };
    let mut i = 0;
    while i < args.len() {
        let val = || {
            args.get(i + 1)
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("{} needs a value", args[i]))
        };
        match args[i].as_str() {
            "--against" => a.against = Some(val()?.into()),
            "--out" => a.out = val()?.into(),
            "--clusters" => a.clusters = Some(val()?.into()),
            "--threshold" => a.threshold = val()?.parse()?,
            "--explain" => {
                a.explain = true;
                i += 1;
                continue;
            }
            s if !s.starts_with("--") => {
                a.records = s.into();
                i += 1;
                continue;
            }
            o => anyhow::bail!("unknown option {o}"),
        }
        i += 2;
    }
    link_cmd::run(&a)
}
