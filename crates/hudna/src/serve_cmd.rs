//! `hudna serve`, `hudna org add`, `hudna user add` and `hudna user token`:
//! the binary's side of the web desk (today's date, the address, printing).
//!
//! Needs `hudna-server.workspace = true` in this crate's dependencies.

use anyhow::{bail, Context, Result};
use hudna_app::accounts::{Accounts, Role};
use std::io::BufRead;
use std::path::Path;

/// The accounts of `db`: a SQLite file or a `postgres://` URL.
fn accounts(db: &Path) -> Result<Accounts> {
    let db = db.to_string_lossy();
    let backend = hudna_store::open_db(&db, false)
        .with_context(|| format!("opening {}", hudna_store::redact_url(&db)))?;
    Ok(Accounts::new(backend.accounts))
}

/// Serves the desk and the API on `addr` until Ctrl-C.
pub fn serve(db: &Path, addr: &str) -> Result<()> {
    let url = db.to_string_lossy();
    if !hudna_store::is_postgres_url(&url) && !db.exists() {
        bail!(
            "no database at {}; create one with `hudna init` (or run `hudna demo`)",
            db.display()
        );
    }
    hudna_server::serve_blocking(&url, addr, hudna_server::DeskConfig::default(), |a| {
        println!(
            "Hudna desk · مكتب هدنة: http://{a}/  (API: http://{a}/api/openapi.json; Ctrl-C stops)"
        );
    })
    .with_context(|| {
        format!(
            "serving {} on {addr}",
            hudna_store::redact_url(&db.to_string_lossy())
        )
    })
}

/// Creates or updates an organisation; `party` for liaison offices.
pub fn org_add(
    db: &Path,
    id: &str,
    name: &str,
    kind: &str,
    party: Option<&str>,
    actor: &str,
) -> Result<()> {
    let o = accounts(db)?.add_org(id, name, kind, party, actor)?;
    println!(
        "organisation {} ({}){}",
        o.id,
        o.kind,
        o.party
            .map(|p| format!(", speaks for {p}"))
            .unwrap_or_default()
    );
    Ok(())
}

/// Creates a user. The password comes from `password`, else from the first
/// line of standard input (so it stays out of the shell history).
#[allow(clippy::too_many_arguments)]
pub fn user_add(
    db: &Path,
    username: &str,
    display_name: &str,
    org: &str,
    role: &str,
    password: Option<&str>,
    actor: &str,
) -> Result<()> {
    let role = Role::parse(role)?;
    let pw = match password {
        Some(p) => p.to_owned(),
        None => {
            eprintln!("password for {username} (one line on standard input):");
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let u = accounts(db)?.add_user(username, display_name, org, role, &pw, actor)?;
    println!("user {} ({}, {})", u.username, u.role, u.org);
    Ok(())
}

/// Issues an API token for a user and prints it (shown once).
pub fn user_token(db: &Path, username: &str, label: &str, actor: &str) -> Result<()> {
    let t = accounts(db)?.create_token(username, label, actor)?;
    println!("{t}");
    Ok(())
}

/// Creates the demo's organisations and accounts and returns
/// (user, password, role) for printing.
pub fn demo_accounts(db: &Path) -> Result<Vec<(String, String, String)>> {
    Ok(hudna_server::create_demo_accounts(&accounts(db)?)?)
}
