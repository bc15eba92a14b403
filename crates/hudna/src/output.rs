//! Printing: text for people, JSON for scripts.

use clap::ValueEnum;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for people
    Text,
    /// One JSON value, for scripts
    Json,
}

/// Prints `value` as JSON, or calls `text` to print it for people.
pub fn emit<T: Serialize>(format: Format, value: &T, text: impl FnOnce(&T)) {
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(value).expect("serializable")
        ),
        Format::Text => text(value),
    }
}

pub fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref()
        .map(|x| x.to_string())
        .unwrap_or_else(|| "—".into())
}
