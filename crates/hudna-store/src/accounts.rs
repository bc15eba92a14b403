//! Accounts of the web desk: organisations, users, sessions, API tokens and
//! login attempts.
//!
//! A separate trait ([`AccountStore`]) rather than more methods on [`Store`]:
//! the incident and agreement backends do not need to know about people, and
//! a deployment may keep accounts elsewhere. Secrets never reach this crate
//! in clear: passwords arrive as argon2id PHC strings, session ids and tokens
//! as SHA-256 hex digests.
//!
//! [`Store`]: crate::Store

use crate::audit::now;
use crate::audit::AuditEntry;
use crate::sqlite::{append, SqliteStore};
use crate::{Result, StoreError};
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

/// An organisation (a guarantor's liaison office, the mission, an NGO).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    /// `guarantor`, `mission`, `ngo`, `observer` or `other`
    pub kind: String,
    /// The agreement party this organisation speaks for (liaisons).
    pub party: Option<String>,
    pub created_at: String,
}

/// A user as stored (the hash stays in the store layer's callers).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org: String,
    pub role: String,
    #[serde(skip)]
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: String,
}

/// A browser session, found by the hash of its cookie value.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: i64,
    pub csrf: String,
    pub created_at: String,
    pub expires_at: i64,
}

/// An API token's record.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TokenRow {
    pub id: i64,
    #[serde(skip)]
    pub token_hash: String,
    pub user_id: i64,
    pub label: String,
    pub created_at: String,
    pub revoked: bool,
}

/// Storage of accounts. Every change that matters is written with its audit
/// entry in one transaction; sessions and login attempts are not audited
/// (they are traffic, not record).
pub trait AccountStore: Send + Sync {
    fn put_org(&self, org: &OrgRow, audit: &AuditEntry) -> Result<()>;
    fn org(&self, id: &str) -> Result<Option<OrgRow>>;
    fn orgs(&self) -> Result<Vec<OrgRow>>;

    /// Inserts a user; `Conflict` when the name is taken or the org unknown.
    fn insert_user(&self, user: &UserRow, audit: &AuditEntry) -> Result<i64>;
    fn user_by_name(&self, username: &str) -> Result<Option<UserRow>>;
    fn user(&self, id: i64) -> Result<Option<UserRow>>;
    fn users(&self) -> Result<Vec<UserRow>>;
    fn set_password(&self, user_id: i64, hash: &str, audit: &AuditEntry) -> Result<()>;

    fn insert_session(&self, s: &SessionRow) -> Result<()>;
    fn session(&self, id_hash: &str, now: i64) -> Result<Option<SessionRow>>;
    fn delete_session(&self, id_hash: &str) -> Result<()>;
    /// Deletes every session that expired before `now`; returns how many.
    fn purge_sessions(&self, now: i64) -> Result<usize>;

    fn insert_token(&self, t: &TokenRow, audit: &AuditEntry) -> Result<i64>;
    /// A live (not revoked) token by hash.
    fn token(&self, token_hash: &str) -> Result<Option<TokenRow>>;
    fn revoke_token(&self, id: i64, audit: &AuditEntry) -> Result<()>;

    fn record_login_attempt(&self, keys: &[&str], at: i64, ok: bool) -> Result<()>;
    /// Failed attempts for `key` since `since` (unix seconds), counted after
    /// its last success.
    fn recent_failures(&self, key: &str, since: i64) -> Result<u32>;
}

fn conflict(e: rusqlite::Error, what: &str) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::Conflict(what.to_owned())
        }
        _ => StoreError::Sql(e),
    }
}

const USER_COLS: &str =
    "id, username, display_name, org, role, password_hash, disabled, created_at";

fn user_row(r: &Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        org: r.get(3)?,
        role: r.get(4)?,
        password_hash: r.get(5)?,
        disabled: r.get::<_, i64>(6)? != 0,
        created_at: r.get(7)?,
    })
}

fn org_row(r: &Row<'_>) -> rusqlite::Result<OrgRow> {
    Ok(OrgRow {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        party: r.get(3)?,
        created_at: r.get(4)?,
    })
}

impl AccountStore for SqliteStore {
    fn put_org(&self, org: &OrgRow, audit: &AuditEntry) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO organisations (id, name, kind, party, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, party = excluded.party",
                params![org.id, org.name, org.kind, org.party, now()],
            )
            .map_err(|e| conflict(e, &format!("organisation {:?}: kind must be guarantor, mission, ngo, observer or other", org.id)))?;
            append(tx, audit)?;
            Ok(())
        })
    }

    fn org(&self, id: &str) -> Result<Option<OrgRow>> {
        self.read(|c| {
            Ok(c.prepare_cached(
                "SELECT id, name, kind, party, created_at FROM organisations WHERE id = ?1",
            )?
            .query_row([id], org_row)
            .optional()?)
        })
    }

    fn orgs(&self) -> Result<Vec<OrgRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT id, name, kind, party, created_at FROM organisations ORDER BY id",
            )?;
            let rows = st
                .query_map([], org_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    fn insert_user(&self, u: &UserRow, audit: &AuditEntry) -> Result<i64> {
        self.write(|tx| {
            let org: Option<String> = tx
                .query_row("SELECT id FROM organisations WHERE id = ?1", [&u.org], |r| r.get(0))
                .optional()?;
            if org.is_none() {
                return Err(StoreError::NotFound(format!(
                    "organisation {:?}; create it first with `hudna org add`",
                    u.org
                )));
            }
            tx.execute(
                "INSERT INTO users (username, display_name, org, role, password_hash, disabled, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![u.username, u.display_name, u.org, u.role, u.password_hash, u.disabled as i64, now()],
            )
            .map_err(|e| conflict(e, &format!("user {:?} exists already", u.username)))?;
            let id = tx.last_insert_rowid();
            append(tx, audit)?;
            Ok(id)
        })
    }

    fn user_by_name(&self, username: &str) -> Result<Option<UserRow>> {
        self.read(|c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {USER_COLS} FROM users WHERE username = ?1"
            ))?
            .query_row([username], user_row)
            .optional()?)
        })
    }

    fn user(&self, id: i64) -> Result<Option<UserRow>> {
        self.read(|c| {
            Ok(
                c.prepare_cached(&format!("SELECT {USER_COLS} FROM users WHERE id = ?1"))?
                    .query_row([id], user_row)
                    .optional()?,
            )
        })
    }

    fn users(&self) -> Result<Vec<UserRow>> {
        self.read(|c| {
            let mut st =
                c.prepare_cached(&format!("SELECT {USER_COLS} FROM users ORDER BY username"))?;
            let rows = st
                .query_map([], user_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    fn set_password(&self, user_id: i64, hash: &str, audit: &AuditEntry) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE users SET password_hash = ?1 WHERE id = ?2",
                params![hash, user_id],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("user {user_id}")));
            }
            // a new password ends every session of the user
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user_id])?;
            append(tx, audit)?;
            Ok(())
        })
    }

    fn insert_session(&self, s: &SessionRow) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![s.id_hash, s.user_id, s.csrf, now(), s.expires_at],
            )?;
            Ok(())
        })
    }

    fn session(&self, id_hash: &str, now: i64) -> Result<Option<SessionRow>> {
        self.read(|c| {
            Ok(c
                .prepare_cached("SELECT id_hash, user_id, csrf, created_at, expires_at FROM sessions WHERE id_hash = ?1 AND expires_at > ?2")?
                .query_row(params![id_hash, now], |r| {
                    Ok(SessionRow { id_hash: r.get(0)?, user_id: r.get(1)?, csrf: r.get(2)?, created_at: r.get(3)?, expires_at: r.get(4)? })
                })
                .optional()?)
        })
    }

    fn delete_session(&self, id_hash: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE id_hash = ?1", [id_hash])?;
            Ok(())
        })
    }

    fn purge_sessions(&self, now: i64) -> Result<usize> {
        self.write(|tx| Ok(tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?))
    }

    fn insert_token(&self, t: &TokenRow, audit: &AuditEntry) -> Result<i64> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO api_tokens (token_hash, user_id, label, created_at, revoked) VALUES (?1, ?2, ?3, ?4, 0)",
                params![t.token_hash, t.user_id, t.label, now()],
            )?;
            let id = tx.last_insert_rowid();
            append(tx, audit)?;
            Ok(id)
        })
    }

    fn token(&self, token_hash: &str) -> Result<Option<TokenRow>> {
        self.read(|c| {
            Ok(c
                .prepare_cached("SELECT id, token_hash, user_id, label, created_at, revoked FROM api_tokens WHERE token_hash = ?1 AND revoked = 0")?
                .query_row([token_hash], |r| {
                    Ok(TokenRow { id: r.get(0)?, token_hash: r.get(1)?, user_id: r.get(2)?, label: r.get(3)?, created_at: r.get(4)?, revoked: r.get::<_, i64>(5)? != 0 })
                })
                .optional()?)
        })
    }

    fn revoke_token(&self, id: i64, audit: &AuditEntry) -> Result<()> {
        self.write(|tx| {
            if tx.execute("UPDATE api_tokens SET revoked = 1 WHERE id = ?1", [id])? == 0 {
                return Err(StoreError::NotFound(format!("token {id}")));
            }
            append(tx, audit)?;
            Ok(())
        })
    }

    fn record_login_attempt(&self, keys: &[&str], at: i64, ok: bool) -> Result<()> {
        self.write(|tx| {
            let mut st =
                tx.prepare_cached("INSERT INTO login_attempts (key, at, ok) VALUES (?1, ?2, ?3)")?;
            for k in keys {
                st.execute(params![k, at, ok as i64])?;
            }
            // keep the table small: a day of history is plenty for throttling
            tx.execute("DELETE FROM login_attempts WHERE at < ?1", [at - 86_400])?;
            Ok(())
        })
    }

    fn recent_failures(&self, key: &str, since: i64) -> Result<u32> {
        self.read(|c| {
            let last_ok: i64 = c
                .prepare_cached("SELECT COALESCE(MAX(at), 0) FROM login_attempts WHERE key = ?1 AND ok = 1")?
                .query_row([key], |r| r.get(0))?;
            let n: i64 = c
                .prepare_cached("SELECT COUNT(*) FROM login_attempts WHERE key = ?1 AND ok = 0 AND at >= ?2 AND at >= ?3")?
                .query_row(params![key, since, last_ok], |r| r.get(0))?;
            Ok(n as u32)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn audit() -> AuditEntry {
        AuditEntry::new(
            "test",
            "account.test",
            "account/test",
            serde_json::json!({}),
        )
    }

    fn org(id: &str) -> OrgRow {
        OrgRow {
            id: id.into(),
            name: id.into(),
            kind: "guarantor".into(),
            party: Some("turkey".into()),
            created_at: String::new(),
        }
    }

    fn user(name: &str, org: &str) -> UserRow {
        UserRow {
            id: 0,
            username: name.into(),
            display_name: String::new(),
            org: org.into(),
            role: "liaison".into(),
            password_hash: "$argon2id$x".into(),
            disabled: false,
            created_at: String::new(),
        }
    }

    #[test]
    fn users_need_an_existing_org_and_a_unique_name() {
        let s = SqliteStore::in_memory().unwrap();
        assert!(matches!(
            s.insert_user(&user("a", "nope"), &audit()),
            Err(StoreError::NotFound(_))
        ));
        s.put_org(&org("turkey-liaison"), &audit()).unwrap();
        let id = s
            .insert_user(&user("a", "turkey-liaison"), &audit())
            .unwrap();
        assert_eq!(s.user_by_name("a").unwrap().unwrap().id, id);
        assert!(matches!(
            s.insert_user(&user("a", "turkey-liaison"), &audit()),
            Err(StoreError::Conflict(_))
        ));
        // org + user were audited, the refused ones were not
        assert_eq!(s.audit_log(None).unwrap().len(), 2);
        assert_eq!(
            s.org("turkey-liaison").unwrap().unwrap().party.as_deref(),
            Some("turkey")
        );
    }

    #[test]
    fn sessions_expire_and_failures_reset_on_success() {
        let s = SqliteStore::in_memory().unwrap();
        s.put_org(&org("o"), &audit()).unwrap();
        let uid = s.insert_user(&user("a", "o"), &audit()).unwrap();
        s.insert_session(&SessionRow {
            id_hash: "h".into(),
            user_id: uid,
            csrf: "c".into(),
            created_at: String::new(),
            expires_at: 100,
        })
        .unwrap();
        assert!(s.session("h", 99).unwrap().is_some());
        assert!(s.session("h", 100).unwrap().is_none());
        assert_eq!(s.purge_sessions(101).unwrap(), 1);
        s.record_login_attempt(&["user:a"], 10, false).unwrap();
        s.record_login_attempt(&["user:a"], 11, false).unwrap();
        assert_eq!(s.recent_failures("user:a", 0).unwrap(), 2);
        assert_eq!(s.recent_failures("user:a", 11).unwrap(), 1);
        s.record_login_attempt(&["user:a"], 12, true).unwrap();
        assert_eq!(s.recent_failures("user:a", 0).unwrap(), 0);
    }

    #[test]
    fn revoked_tokens_are_not_found() {
        let s = SqliteStore::in_memory().unwrap();
        s.put_org(&org("o"), &audit()).unwrap();
        let uid = s.insert_user(&user("a", "o"), &audit()).unwrap();
        let t = TokenRow {
            id: 0,
            token_hash: "th".into(),
            user_id: uid,
            label: "l".into(),
            created_at: String::new(),
            revoked: false,
        };
        let id = s.insert_token(&t, &audit()).unwrap();
        assert_eq!(s.token("th").unwrap().unwrap().user_id, uid);
        s.revoke_token(id, &audit()).unwrap();
        assert!(s.token("th").unwrap().is_none());
    }
}
