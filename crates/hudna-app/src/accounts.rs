//! Accounts: organisations, users and roles, argon2id passwords, sessions,
//! API tokens and login throttling — the use cases behind `hudna user add`,
//! `hudna org add` and the web desk's login.
//!
//! Secrets are generated here (32 random bytes from the OS, hex) and only
//! their SHA-256 reaches the store, so a copy of the database opens no
//! session. Authorisation questions are answered by [`Principal`]'s methods,
//! so every caller (the desk, the API, the CLI) asks the same ones.
//!
//! Accounts have their own error type ([`AccountError`]): a wrong password
//! and a throttled login must stay distinguishable from the app's errors
//! (the desk answers 401 and 429), and they never say which part was wrong.

use crate::AppError;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use hudna_store::{AccountStore, AuditEntry, OrgRow, SessionRow, StoreError, TokenRow, UserRow};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A user's role. One per user; what each may do is decided by [`Principal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Analyst,
    Liaison,
    HumanitarianOfficer,
    Viewer,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::Admin,
        Role::Analyst,
        Role::Liaison,
        Role::HumanitarianOfficer,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Liaison => "liaison",
            Role::HumanitarianOfficer => "humanitarian_officer",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Result<Role, AppError> {
        Role::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                AppError::BadInput(format!(
                    "role {s:?}: expected one of admin, analyst, liaison, humanitarian_officer, viewer"
                ))
            })
    }
}

/// Kinds of organisation.
pub const ORG_KINDS: &[&str] = &["guarantor", "mission", "ngo", "observer", "other"];

/// Who is asking: the user behind a session or a token.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub org: String,
    /// The party the user's organisation speaks for, if any.
    pub party: Option<String>,
    pub role: Role,
}

impl Principal {
    /// Viewers see published incidents only.
    pub fn sees_unpublished(&self) -> bool {
        self.role != Role::Viewer
    }
    /// Field reports may be submitted by everyone but viewers.
    pub fn may_submit_reports(&self) -> bool {
        self.role != Role::Viewer
    }
    /// Review workflow and grade overrides.
    pub fn may_review(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Analyst)
    }
    /// Personal data (the humanitarian file).
    pub fn sees_personal_data(&self) -> bool {
        self.role == Role::HumanitarianOfficer
    }
    /// Stances and consents: a liaison only for its own organisation's party;
    /// an admin for any party (to correct the record).
    pub fn may_speak_for(&self, party: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Liaison => self.party.as_deref() == Some(party),
            _ => false,
        }
    }
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
    /// The actor name written into the audit log.
    pub fn actor(&self) -> String {
        format!("user:{}", self.username)
    }
}

/// Errors of the account use cases.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Unknown user, wrong password or disabled account: never says which.
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("too many failed logins; try again in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        AccountError::App(AppError::from(e))
    }
}

/// A new browser session: the cookie value goes to the browser only.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub cookie: String,
    pub csrf: String,
    pub principal: Principal,
    pub expires_at: i64,
}

/// How login throttling behaves.
#[derive(Debug, Clone, Copy)]
pub struct Throttle {
    /// Failures allowed per user name (and per client address) in the window.
    pub max_failures: u32,
    pub window_secs: i64,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            max_failures: 5,
            window_secs: 15 * 60,
        }
    }
}

/// How long a session lives.
pub const SESSION_SECS: i64 = 12 * 3600;
/// How long a looked-up session or token is trusted without asking the store.
const CACHE_TTL: Duration = Duration::from_secs(10);

/// The account use cases over an [`AccountStore`].
pub struct Accounts {
    store: Arc<dyn AccountStore>,
    throttle: Throttle,
    /// secret hash → (looked up at, principal, csrf)
    cache: Mutex<HashMap<String, (Instant, Principal, String)>>,
    /// A valid hash to verify against when the user does not exist, so that
    /// unknown and known names take the same time.
    dummy_hash: String,
}

/// 32 random bytes from the OS, hex.
pub fn random_secret() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

fn sha(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// An argon2id PHC string for the password (default parameters: 19 MiB, t=2).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::BadInput(format!("cannot hash the password: {e}")))
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn check_slug(what: &str, s: &str) -> Result<(), AppError> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.'
        });
    if ok {
        Ok(())
    } else {
        Err(AppError::BadInput(format!(
            "{what} {s:?}: use 1–64 characters a–z, 0–9, '-', '_' or '.'"
        )))
    }
}

impl Accounts {
    pub fn new(store: Arc<dyn AccountStore>) -> Self {
        Self::with_throttle(store, Throttle::default())
    }

    pub fn with_throttle(store: Arc<dyn AccountStore>, throttle: Throttle) -> Self {
        Accounts {
            store,
            throttle,
            cache: Mutex::new(HashMap::new()),
            dummy_hash: hash_password("not a real password").unwrap_or_default(),
        }
    }

    pub fn store(&self) -> &Arc<dyn AccountStore> {
        &self.store
    }

    /// Creates (or updates) an organisation. `party` names the agreement
    /// party a liaison of this organisation speaks for.
    pub fn add_org(
        &self,
        id: &str,
        name: &str,
        kind: &str,
        party: Option<&str>,
        actor: &str,
    ) -> Result<OrgRow, AppError> {
        check_slug("organisation id", id)?;
        if !ORG_KINDS.contains(&kind) {
            return Err(AppError::BadInput(format!(
                "organisation kind {kind:?}: expected one of {}",
                ORG_KINDS.join(", ")
            )));
        }
        if let Some(p) = party {
            check_slug("party", p)?;
        }
        let row = OrgRow {
            id: id.into(),
            name: if name.trim().is_empty() {
                id.into()
            } else {
                name.trim().into()
            },
            kind: kind.into(),
            party: party.map(str::to_owned),
            created_at: String::new(),
        };
        self.store.put_org(
            &row,
            &AuditEntry::new(
                actor,
                "org.put",
                &format!("org/{id}"),
                json!({"name": row.name, "kind": kind, "party": party}),
            ),
        )?;
        Ok(self.store.org(id)?.unwrap_or(row))
    }

    /// Creates a user. Passwords need 10 characters at least.
    pub fn add_user(
        &self,
        username: &str,
        display_name: &str,
        org: &str,
        role: Role,
        password: &str,
        actor: &str,
    ) -> Result<UserRow, AppError> {
        check_slug("user name", username)?;
        if password.chars().count() < 10 {
            return Err(AppError::BadInput(
                "the password is too short: use 10 characters or more (a passphrase is best)"
                    .into(),
            ));
        }
        let o = self.store.org(org)?.ok_or_else(|| {
            AppError::NotFound(format!(
                "organisation {org:?}; create it with `hudna org add {org} --kind ...`"
            ))
        })?;
        if role == Role::Liaison && o.party.is_none() {
            return Err(AppError::BadInput(format!(
                "a liaison speaks for a party, but organisation {org:?} has none; give it one with `hudna org add {org} --party PARTY`"
            )));
        }
        let row = UserRow {
            id: 0,
            username: username.into(),
            display_name: display_name.into(),
            org: org.into(),
            role: role.as_str().into(),
            password_hash: hash_password(password)?,
            disabled: false,
            created_at: String::new(),
        };
        let id = self.store.insert_user(
            &row,
            &AuditEntry::new(
                actor,
                "user.add",
                &format!("user/{username}"),
                json!({"org": org, "role": role.as_str()}),
            ),
        )?;
        Ok(self.store.user(id)?.unwrap_or(row))
    }

    /// Replaces a user's password; ends the user's sessions.
    pub fn set_password(
        &self,
        username: &str,
        password: &str,
        actor: &str,
    ) -> Result<(), AppError> {
        if password.chars().count() < 10 {
            return Err(AppError::BadInput(
                "the password is too short: use 10 characters or more".into(),
            ));
        }
        let u = self
            .store
            .user_by_name(username)?
            .ok_or_else(|| AppError::NotFound(format!("user {username:?}")))?;
        self.store.set_password(
            u.id,
            &hash_password(password)?,
            &AuditEntry::new(
                actor,
                "user.password",
                &format!("user/{username}"),
                json!({}),
            ),
        )?;
        self.cache.lock().expect("cache").clear();
        Ok(())
    }

    fn principal_of(&self, u: &UserRow) -> Result<Principal, AppError> {
        let role = Role::parse(&u.role)?;
        let party = self.store.org(&u.org)?.and_then(|o| o.party);
        Ok(Principal {
            user_id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            org: u.org.clone(),
            party,
            role,
        })
    }

    /// Checks a password and opens a session. Throttled per user name and
    /// per client (e.g. its address): after `max_failures` failures within
    /// the window, further attempts are refused without checking.
    pub fn login(
        &self,
        username: &str,
        password: &str,
        client: &str,
        now: i64,
    ) -> Result<NewSession, AccountError> {
        let ukey = format!("user:{}", username.to_lowercase());
        let ckey = format!("client:{client}");
        let since = now - self.throttle.window_secs;
        for k in [&ukey, &ckey] {
            if self.store.recent_failures(k, since)? >= self.throttle.max_failures {
                return Err(AccountError::Throttled {
                    retry_after_secs: self.throttle.window_secs as u64,
                });
            }
        }
        let user = self.store.user_by_name(username)?;
        let ok = match &user {
            Some(u) if !u.disabled => verify_password(password, &u.password_hash),
            _ => {
                verify_password(password, &self.dummy_hash);
                false
            }
        };
        self.store.record_login_attempt(&[&ukey, &ckey], now, ok)?;
        let (true, Some(u)) = (ok, user) else {
            return Err(AccountError::BadCredentials);
        };
        let principal = self.principal_of(&u)?;
        let cookie = random_secret();
        let csrf = random_secret();
        let expires_at = now + SESSION_SECS;
        self.store.insert_session(&SessionRow {
            id_hash: sha(&cookie),
            user_id: u.id,
            csrf: csrf.clone(),
            created_at: String::new(),
            expires_at,
        })?;
        let _ = self.store.purge_sessions(now);
        Ok(NewSession {
            cookie,
            csrf,
            principal,
            expires_at,
        })
    }

    fn cached(&self, key: &str) -> Option<(Principal, String)> {
        let c = self.cache.lock().expect("cache");
        c.get(key)
            .filter(|(at, _, _)| at.elapsed() < CACHE_TTL)
            .map(|(_, p, csrf)| (p.clone(), csrf.clone()))
    }

    fn remember(&self, key: String, p: &Principal, csrf: &str) {
        let mut c = self.cache.lock().expect("cache");
        if c.len() > 10_000 {
            c.retain(|_, (at, _, _)| at.elapsed() < CACHE_TTL);
        }
        c.insert(key, (Instant::now(), p.clone(), csrf.to_owned()));
    }

    /// The user behind a session cookie, with the session's CSRF token.
    pub fn session(&self, cookie: &str, now: i64) -> Result<Option<(Principal, String)>, AppError> {
        let key = format!("s:{}", sha(cookie));
        if let Some(hit) = self.cached(&key) {
            return Ok(Some(hit));
        }
        let Some(s) = self.store.session(&key[2..], now)? else {
            return Ok(None);
        };
        let Some(u) = self.store.user(s.user_id)?.filter(|u| !u.disabled) else {
            return Ok(None);
        };
        let p = self.principal_of(&u)?;
        self.remember(key, &p, &s.csrf);
        Ok(Some((p, s.csrf)))
    }

    /// Ends a session.
    pub fn logout(&self, cookie: &str) -> Result<(), AppError> {
        let h = sha(cookie);
        self.cache.lock().expect("cache").remove(&format!("s:{h}"));
        self.store.delete_session(&h)?;
        Ok(())
    }

    /// Issues an API token for a user; the token is shown once.
    pub fn create_token(
        &self,
        username: &str,
        label: &str,
        actor: &str,
    ) -> Result<String, AppError> {
        let u = self
            .store
            .user_by_name(username)?
            .ok_or_else(|| AppError::NotFound(format!("user {username:?}")))?;
        let token = format!("hudna_{}", random_secret());
        self.store.insert_token(
            &TokenRow {
                id: 0,
                token_hash: sha(&token),
                user_id: u.id,
                label: label.into(),
                created_at: String::new(),
                revoked: false,
            },
            &AuditEntry::new(
                actor,
                "token.create",
                &format!("user/{username}"),
                json!({"label": label}),
            ),
        )?;
        Ok(token)
    }

    /// The user behind an API token.
    pub fn token(&self, token: &str) -> Result<Option<Principal>, AppError> {
        let key = format!("t:{}", sha(token));
        if let Some((p, _)) = self.cached(&key) {
            return Ok(Some(p));
        }
        let Some(t) = self.store.token(&key[2..])? else {
            return Ok(None);
        };
        let Some(u) = self.store.user(t.user_id)?.filter(|u| !u.disabled) else {
            return Ok(None);
        };
        let p = self.principal_of(&u)?;
        self.remember(key, &p, "");
        Ok(Some(p))
    }

    /// Revokes a token by its id.
    pub fn revoke_token(&self, id: i64, actor: &str) -> Result<(), AppError> {
        self.store.revoke_token(
            id,
            &AuditEntry::new(actor, "token.revoke", &format!("token/{id}"), json!({})),
        )?;
        self.cache.lock().expect("cache").clear();
        Ok(())
    }

    pub fn orgs(&self) -> Result<Vec<OrgRow>, AppError> {
        Ok(self.store.orgs()?)
    }

    pub fn users(&self) -> Result<Vec<UserRow>, AppError> {
        Ok(self.store.users()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hudna_store::SqliteStore;

    fn accounts() -> Accounts {
        let a = Accounts::with_throttle(
            Arc::new(SqliteStore::in_memory().unwrap()),
            Throttle {
                max_failures: 3,
                window_secs: 60,
            },
        );
        a.add_org(
            "turkey-liaison",
            "Turkish liaison",
            "guarantor",
            Some("turkey"),
            "test",
        )
        .unwrap();
        a.add_org("mission", "Mission", "mission", None, "test")
            .unwrap();
        a
    }

    #[test]
    fn login_opens_a_session_that_knows_the_party() {
        let a = accounts();
        a.add_user(
            "tl",
            "",
            "turkey-liaison",
            Role::Liaison,
            "correct horse battery",
            "test",
        )
        .unwrap();
        let s = a
            .login("tl", "correct horse battery", "127.0.0.1", 1000)
            .unwrap();
        let (p, csrf) = a.session(&s.cookie, 1001).unwrap().unwrap();
        assert_eq!(csrf, s.csrf);
        assert_eq!(p.party.as_deref(), Some("turkey"));
        assert!(p.may_speak_for("turkey"));
        assert!(!p.may_speak_for("russia"));
        a.logout(&s.cookie).unwrap();
        assert!(a.session(&s.cookie, 1002).unwrap().is_none());
    }

    #[test]
    fn a_liaison_needs_an_org_with_a_party_and_passwords_are_hashed() {
        let a = accounts();
        assert!(matches!(
            a.add_user("x", "", "mission", Role::Liaison, "0123456789", "t"),
            Err(AppError::BadInput(_))
        ));
        assert!(matches!(
            a.add_user("x", "", "mission", Role::Analyst, "short", "t"),
            Err(AppError::BadInput(_))
        ));
        let u = a
            .add_user("x", "", "mission", Role::Analyst, "0123456789", "t")
            .unwrap();
        let stored = a.store().user(u.id).unwrap().unwrap();
        assert!(stored.password_hash.starts_with("$argon2id$"));
    }

    #[test]
    fn failed_logins_are_throttled_even_with_the_right_password() {
        let a = accounts();
        a.add_user("v", "", "mission", Role::Viewer, "0123456789", "t")
            .unwrap();
        for _ in 0..3 {
            assert!(matches!(
                a.login("v", "wrong", "c", 10),
                Err(AccountError::BadCredentials)
            ));
        }
        assert!(matches!(
            a.login("v", "0123456789", "c", 11),
            Err(AccountError::Throttled { .. })
        ));
        // after the window, the right password works again
        assert!(a.login("v", "0123456789", "other", 100).is_ok());
        // unknown users are refused the same way as wrong passwords
        assert!(matches!(
            a.login("nobody", "x", "d", 100),
            Err(AccountError::BadCredentials)
        ));
    }

    #[test]
    fn tokens_identify_their_user_until_revoked() {
        let a = accounts();
        a.add_user("an", "", "mission", Role::Analyst, "0123456789", "t")
            .unwrap();
        let t = a.create_token("an", "script", "t").unwrap();
        assert_eq!(a.token(&t).unwrap().unwrap().role, Role::Analyst);
        assert!(a.token("hudna_forged").unwrap().is_none());
        a.revoke_token(1, "t").unwrap();
        assert!(a.token(&t).unwrap().is_none());
    }
}
