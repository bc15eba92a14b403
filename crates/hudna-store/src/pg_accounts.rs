//! PostgreSQL implementation of [`AccountStore`], statement for statement
//! the SQLite one (flags are BIGINT 0/1 on both backends).

use crate::accounts::{AccountStore, OrgRow, SessionRow, TokenRow, UserRow};
use crate::audit::AuditEntry;
use crate::pg::{conflict, now, pg_append, PgStore};
use crate::{Result, StoreError};
use postgres::Row;

const USER_COLS: &str =
    "id, username, display_name, org, role, password_hash, disabled, created_at";

fn user_row(r: &Row) -> UserRow {
    UserRow {
        id: r.get(0),
        username: r.get(1),
        display_name: r.get(2),
        org: r.get(3),
        role: r.get(4),
        password_hash: r.get(5),
        disabled: r.get::<_, i64>(6) != 0,
        created_at: r.get(7),
    }
}

fn org_row(r: &Row) -> OrgRow {
    OrgRow {
        id: r.get(0),
        name: r.get(1),
        kind: r.get(2),
        party: r.get(3),
        created_at: r.get(4),
    }
}

impl AccountStore for PgStore {
    fn put_org(&self, org: &OrgRow, audit: &AuditEntry) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO organisations (id, name, kind, party, created_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, party = excluded.party",
                &[&org.id, &org.name, &org.kind, &org.party, &now()],
            )
            .map_err(|e| conflict(e, &format!("organisation {:?}: kind must be guarantor, mission, ngo, observer or other", org.id)))?;
            pg_append(tx, audit)?;
            Ok(())
        })
    }

    fn org(&self, id: &str) -> Result<Option<OrgRow>> {
        self.read(|tx| {
            Ok(tx
                .query_opt(
                    "SELECT id, name, kind, party, created_at FROM organisations WHERE id = $1",
                    &[&id],
                )?
                .map(|r| org_row(&r)))
        })
    }

    fn orgs(&self) -> Result<Vec<OrgRow>> {
        self.read(|tx| {
            Ok(tx
                .query(
                    "SELECT id, name, kind, party, created_at FROM organisations ORDER BY id COLLATE \"C\"",
                    &[],
                )?
                .iter()
                .map(org_row)
                .collect())
        })
    }

    fn insert_user(&self, u: &UserRow, audit: &AuditEntry) -> Result<i64> {
        self.write(|tx| {
            if tx
                .query_opt("SELECT id FROM organisations WHERE id = $1", &[&u.org])?
                .is_none()
            {
                return Err(StoreError::NotFound(format!(
                    "organisation {:?}; create it first with `hudna org add`",
                    u.org
                )));
            }
            let id: i64 = tx
                .query_one(
                    "INSERT INTO users (username, display_name, org, role, password_hash, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    &[&u.username, &u.display_name, &u.org, &u.role, &u.password_hash, &(u.disabled as i64), &now()],
                )
                .map_err(|e| conflict(e, &format!("user {:?} exists already", u.username)))?
                .get(0);
            pg_append(tx, audit)?;
            Ok(id)
        })
    }

    fn user_by_name(&self, username: &str) -> Result<Option<UserRow>> {
        self.read(|tx| {
            Ok(tx
                .query_opt(
                    &format!("SELECT {USER_COLS} FROM users WHERE username = $1"),
                    &[&username],
                )?
                .map(|r| user_row(&r)))
        })
    }

    fn user(&self, id: i64) -> Result<Option<UserRow>> {
        self.read(|tx| {
            Ok(tx
                .query_opt(
                    &format!("SELECT {USER_COLS} FROM users WHERE id = $1"),
                    &[&id],
                )?
                .map(|r| user_row(&r)))
        })
    }

    fn users(&self) -> Result<Vec<UserRow>> {
        self.read(|tx| {
            Ok(tx
                .query(
                    &format!("SELECT {USER_COLS} FROM users ORDER BY username COLLATE \"C\""),
                    &[],
                )?
                .iter()
                .map(user_row)
                .collect())
        })
    }

    fn set_password(&self, user_id: i64, hash: &str, audit: &AuditEntry) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE users SET password_hash = $1 WHERE id = $2",
                &[&hash, &user_id],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("user {user_id}")));
            }
            // a new password ends every session of the user
            tx.execute("DELETE FROM sessions WHERE user_id = $1", &[&user_id])?;
            pg_append(tx, audit)?;
            Ok(())
        })
    }

    fn insert_session(&self, s: &SessionRow) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                &[&s.id_hash, &s.user_id, &s.csrf, &now(), &s.expires_at],
            )?;
            Ok(())
        })
    }

    fn session(&self, id_hash: &str, now: i64) -> Result<Option<SessionRow>> {
        self.read(|tx| {
            Ok(tx
                .query_opt(
                    "SELECT id_hash, user_id, csrf, created_at, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2",
                    &[&id_hash, &now],
                )?
                .map(|r| SessionRow {
                    id_hash: r.get(0),
                    user_id: r.get(1),
                    csrf: r.get(2),
                    created_at: r.get(3),
                    expires_at: r.get(4),
                }))
        })
    }

    fn delete_session(&self, id_hash: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE id_hash = $1", &[&id_hash])?;
            Ok(())
        })
    }

    fn purge_sessions(&self, now: i64) -> Result<usize> {
        self.write(|tx| {
            Ok(tx.execute("DELETE FROM sessions WHERE expires_at <= $1", &[&now])? as usize)
        })
    }

    fn insert_token(&self, t: &TokenRow, audit: &AuditEntry) -> Result<i64> {
        self.write(|tx| {
            let id: i64 = tx
                .query_one(
                    "INSERT INTO api_tokens (token_hash, user_id, label, created_at, revoked) VALUES ($1, $2, $3, $4, 0) RETURNING id",
                    &[&t.token_hash, &t.user_id, &t.label, &now()],
                )?
                .get(0);
            pg_append(tx, audit)?;
            Ok(id)
        })
    }

    fn token(&self, token_hash: &str) -> Result<Option<TokenRow>> {
        self.read(|tx| {
            Ok(tx
                .query_opt(
                    "SELECT id, token_hash, user_id, label, created_at, revoked FROM api_tokens WHERE token_hash = $1 AND revoked = 0",
                    &[&token_hash],
                )?
                .map(|r| TokenRow {
                    id: r.get(0),
                    token_hash: r.get(1),
                    user_id: r.get(2),
                    label: r.get(3),
                    created_at: r.get(4),
                    revoked: r.get::<_, i64>(5) != 0,
                }))
        })
    }

    fn revoke_token(&self, id: i64, audit: &AuditEntry) -> Result<()> {
        self.write(|tx| {
            if tx.execute("UPDATE api_tokens SET revoked = 1 WHERE id = $1", &[&id])? == 0 {
                return Err(StoreError::NotFound(format!("token {id}")));
            }
            pg_append(tx, audit)?;
            Ok(())
        })
    }

    fn record_login_attempt(&self, keys: &[&str], at: i64, ok: bool) -> Result<()> {
        // traffic, not record: outside the writers' lock, like a plain insert
        let mut c = self.conn()?;
        let mut tx = c.transaction()?;
        let st = tx.prepare("INSERT INTO login_attempts (key, at, ok) VALUES ($1, $2, $3)")?;
        for k in keys {
            tx.execute(&st, &[k, &at, &(ok as i64)])?;
        }
        // keep the table small: a day of history is plenty for throttling
        tx.execute(
            "DELETE FROM login_attempts WHERE at < $1",
            &[&(at - 86_400)],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn recent_failures(&self, key: &str, since: i64) -> Result<u32> {
        self.read(|tx| {
            let last_ok: i64 = tx
                .query_one(
                    "SELECT COALESCE(MAX(at), 0) FROM login_attempts WHERE key = $1 AND ok = 1",
                    &[&key],
                )?
                .get(0);
            let n: i64 = tx
                .query_one(
                    "SELECT COUNT(*) FROM login_attempts WHERE key = $1 AND ok = 0 AND at >= $2 AND at >= $3",
                    &[&key, &since, &last_ok],
                )?
                .get(0);
            Ok(n as u32)
        })
    }
}
