//! The hash-chained audit log.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// An entry to append: who did what to which entity.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub detail: serde_json::Value,
}

impl AuditEntry {
    pub fn new(actor: &str, action: &str, entity: &str, detail: serde_json::Value) -> Self {
        Self {
            actor: actor.into(),
            action: action.into(),
            entity: entity.into(),
            detail,
        }
    }
}

/// An entry as stored.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The newest entry of the chain: its id and hash name the state of the
/// store, since every change of record appends an entry in the same
/// transaction and the hash covers the whole chain before it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AuditHead {
    pub id: i64,
    pub hash: String,
}

impl From<&AuditRecord> for AuditHead {
    fn from(r: &AuditRecord) -> Self {
        AuditHead {
            id: r.id,
            hash: r.hash.clone(),
        }
    }
}

/// The first entry that does not match the chain.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChainBreak {
    pub id: i64,
    pub reason: String,
}

/// The one clock of the store: UTC, microseconds, as text. Every backend
/// stores audit times in this form, so a chain verifies wherever it is copied.
pub(crate) fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// The genesis value of `prev_hash`.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// hash = SHA-256 over the previous hash and each field, length-prefixed so
/// that moving bytes between fields changes the hash.
pub fn entry_hash(
    prev: &str,
    id: i64,
    at: &str,
    actor: &str,
    action: &str,
    entity: &str,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [prev, &id.to_string(), at, actor, action, entity, detail] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Checks a chain read in id order.
pub fn verify(records: &[AuditRecord]) -> Option<ChainBreak> {
    let mut prev = GENESIS.to_owned();
    let mut last_id = 0;
    for r in records {
        if r.id != last_id + 1 {
            return Some(ChainBreak {
                id: r.id,
                reason: format!(
                    "entry {} follows entry {last_id}: entries are missing",
                    r.id
                ),
            });
        }
        if r.prev_hash != prev {
            return Some(ChainBreak {
                id: r.id,
                reason: "its prev_hash is not the hash of the entry before it".into(),
            });
        }
        let h = entry_hash(
            &prev, r.id, &r.at, &r.actor, &r.action, &r.entity, &r.detail,
        );
        if h != r.hash {
            return Some(ChainBreak {
                id: r.id,
                reason: "its content does not match its hash: it was altered".into(),
            });
        }
        prev = r.hash.clone();
        last_id = r.id;
    }
    None
}
