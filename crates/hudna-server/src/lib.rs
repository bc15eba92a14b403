//! `hudna-server`: Hudna's web desk and JSON API.
//!
//! Design choices:
//! - **Server-rendered, no CDN.** Pages are HTML strings built in Rust;
//!   maps and charts are SVG projected here (equirectangular, scaled by the
//!   cosine of the mid latitude), so a page is one request plus two small
//!   cached assets embedded in the binary. Works with no internet at all.
//! - **Arabic first.** `lang="ar" dir="rtl"` and Arabic-Indic digits unless
//!   the user clicks English (a cookie); strings live in [`i18n`].
//! - **One app object.** Handlers call `hudna-app` (`Hudna`, `Accounts`)
//!   inside `spawn_blocking`; nothing here speaks SQL. The hot incident list
//!   reads through a small pool of read-only store handles (WAL readers do
//!   not block each other), and field reports are group-committed: a writer
//!   thread takes every report waiting and ingests them in one transaction.
//!   The app keeps merge candidates in memory between those calls (exact
//!   while the audit head has not moved), so a commit of a few reports does
//!   not re-read a month of incidents.
//! - **Authorisation on the server, per route.** [`auth`] says who is
//!   asking; each handler asks `Principal` whether they may.
//! - **One error type.** [`error::ApiError`]: a kind → status table and
//!   stable snake_case codes, JSON for the API and HTML for pages.

pub mod admin;
pub mod api;
pub mod auth;
pub mod error;
pub mod html;
pub mod humanitarian;
pub mod i18n;
pub mod map;
pub mod openapi;
pub mod pages;
pub mod publish;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use error::{ApiError, ApiResult, Kind};
use hudna_app::accounts::{Accounts, Role};
use hudna_app::{Hudna, NewReport, ReportOutcome};
use hudna_store::{SqliteStore, Store};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Settings of the desk.
#[derive(Clone)]
pub struct DeskConfig {
    /// Today, decided by the binary.
    pub today: fn() -> NaiveDate,
    /// Now in unix seconds (sessions, throttling).
    pub now: fn() -> i64,
    /// Mark cookies `Secure` (set when not serving on localhost).
    pub secure_cookies: bool,
    /// Largest accepted request body in bytes.
    pub body_limit: usize,
}

fn utc_today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}
fn utc_now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Default for DeskConfig {
    fn default() -> Self {
        DeskConfig {
            today: utc_today,
            now: utc_now,
            secure_cookies: false,
            body_limit: 1 << 20,
        }
    }
}

/// A field report waiting for the group-commit writer.
struct IngestJob {
    report: NewReport,
    actor: String,
    reply: oneshot::Sender<Result<ReportOutcome, ApiError>>,
}

/// Shared state of every handler.
pub struct Inner {
    pub hudna: Arc<Hudna>,
    pub accounts: Arc<Accounts>,
    readers: Vec<Arc<dyn Store>>,
    next_reader: AtomicUsize,
    pub config: DeskConfig,
    ingest: std::sync::mpsc::SyncSender<IngestJob>,
    origin_seq: AtomicUsize,
    extractor: std::sync::OnceLock<hudna_text::Extractor>,
    /// Bumped on every write made through this server.
    generation: AtomicU64,
    /// Ingest batches the committer handed back to the writer (found stale
    /// at their optimistic commit) to be ingested again.
    pub handed_back: Arc<AtomicU64>,
    /// Answers of `GET /api/incidents`: key → (made at, generation, JSON).
    list_cache: Mutex<HashMap<String, CacheEntry>>,
    inflight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

struct CacheEntry {
    at: Instant,
    gen: u64,
    body: Bytes,
    refreshing: bool,
}

/// After this long a cached incident list is refreshed in the background
/// (writes through this server invalidate at once; writes by other
/// processes, e.g. the CLI, show within about this time).
const LIST_CACHE_TTL: Duration = Duration::from_secs(10);

pub type AppState = Arc<Inner>;

impl Inner {
    /// A store handle for read-only queries (round-robin over the pool).
    pub fn reader(&self) -> Arc<dyn Store> {
        if self.readers.is_empty() {
            return self.hudna.store().clone();
        }
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        self.readers[i].clone()
    }

    /// Something changed: cached answers are stale.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::Release);
    }

    /// The answer for `key` from the cache, or computed by `compute` (on a
    /// blocking thread). Concurrent misses of one key compute once (the
    /// others wait for it). An entry older than the TTL, with no write
    /// since, is served at once while one background task refreshes it; an
    /// entry from before a write is never served.
    pub async fn cached<F>(self: &Arc<Self>, key: String, compute: F) -> ApiResult<Bytes>
    where
        F: Fn() -> ApiResult<Bytes> + Send + Sync + Clone + 'static,
    {
        let gen = self.generation();
        let (hit, stale) = self.lookup(&key, gen);
        if let Some(b) = hit {
            if stale && self.claim_refresh(&key) {
                let (me, key2, f) = (self.clone(), key.clone(), compute.clone());
                tokio::spawn(async move {
                    let gen = me.generation();
                    if let Ok(b) = blocking(f).await {
                        me.store_list(key2.clone(), gen, b);
                    }
                    me.release_refresh(&key2);
                });
            }
            return Ok(b);
        }
        // single flight per key
        let lock = {
            let mut f = self.inflight.lock().expect("inflight");
            f.entry(key.clone()).or_default().clone()
        };
        let _guard = lock.lock().await;
        let gen = self.generation();
        if let (Some(b), false) = self.lookup(&key, gen) {
            return Ok(b);
        }
        let b = blocking(compute).await?;
        self.store_list(key.clone(), gen, b.clone());
        Ok(b)
    }

    /// (entry of the current generation, whether it is older than the TTL)
    fn lookup(&self, key: &str, gen: u64) -> (Option<Bytes>, bool) {
        let c = self.list_cache.lock().expect("cache");
        match c.get(key) {
            Some(e) if e.gen == gen => (Some(e.body.clone()), e.at.elapsed() >= LIST_CACHE_TTL),
            _ => (None, false),
        }
    }

    fn claim_refresh(&self, key: &str) -> bool {
        let mut c = self.list_cache.lock().expect("cache");
        match c.get_mut(key) {
            Some(e) if !e.refreshing => {
                e.refreshing = true;
                true
            }
            _ => false,
        }
    }

    fn release_refresh(&self, key: &str) {
        if let Some(e) = self.list_cache.lock().expect("cache").get_mut(key) {
            e.refreshing = false;
        }
    }

    fn store_list(&self, key: String, gen: u64, body: Bytes) {
        let mut c = self.list_cache.lock().expect("cache");
        if c.len() >= 1024 {
            c.clear();
            self.inflight.lock().expect("inflight").clear();
        }
        c.insert(
            key,
            CacheEntry {
                at: Instant::now(),
                gen,
                body,
                refreshing: false,
            },
        );
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The extraction engine (built on first use).
    pub fn extractor(&self) -> &hudna_text::Extractor {
        self.extractor.get_or_init(hudna_text::Extractor::builtin)
    }

    /// Ingests one report through the group-commit writer.
    pub async fn submit(&self, mut report: NewReport, actor: String) -> ApiResult<ReportOutcome> {
        let n = self.origin_seq.fetch_add(1, Ordering::Relaxed);
        report.origin = format!("web:{}:{n}", std::process::id());
        let (tx, rx) = oneshot::channel();
        let job = IngestJob {
            report,
            actor,
            reply: tx,
        };
        let stopping =
            || ApiError::new(Kind::Unavailable, "shutting_down", "the server is stopping");
        // the queue has room nearly always: a thread of the blocking pool
        // only when it is full (the writer is that far behind)
        match self.ingest.try_send(job) {
            Ok(()) => {}
            Err(std::sync::mpsc::TrySendError::Full(job)) => {
                let sender = self.ingest.clone();
                blocking(move || sender.send(job).map_err(|_| stopping())).await?;
            }
            Err(std::sync::mpsc::TrySendError::Disconnected(_)) => return Err(stopping()),
        }
        let out = rx
            .await
            .map_err(|_| ApiError::internal("the ingest writer stopped"))?;
        self.changed();
        out
    }
}

/// The group-commit writer: takes every waiting report, ingests them in one
/// call (one durable transaction per 256), and hands the last transaction's
/// commit to the committer, which answers each caller once it is durable.
/// Meanwhile the writer takes the next reports (where the store serialises
/// writers, their transaction waits for that commit).
///
/// A batch worked out optimistically (PostgreSQL) may find at its commit
/// that the store moved on ([`hudna_store::StoreError::Stale`]): nothing
/// of it was written, and the committer hands its reports back to the
/// writer, which ingests them again (the ordinary way: the store goes so
/// for the next batches).
fn ingest_writer(
    hudna: Arc<Hudna>,
    today: fn() -> NaiveDate,
    rx: std::sync::mpsc::Receiver<IngestJob>,
    handed_back: Arc<AtomicU64>,
) {
    // one commit in hand at most: the writer is never more than one batch ahead
    let (to_commit, commits) = std::sync::mpsc::sync_channel::<Ingested>(0);
    let (again, retries) = std::sync::mpsc::channel::<Vec<IngestJob>>();
    // batches handed to the committer and not yet answered or handed back
    let in_flight = Arc::new(AtomicUsize::new(0));
    let committing = in_flight.clone();
    let committer = std::thread::Builder::new()
        .name("hudna-commit".into())
        .spawn(move || {
            for (jobs, done) in commits {
                match done.and_then(|(s, pending)| Ok(pending.commit().map(|()| s)?)) {
                    Err(hudna_app::AppError::Store(hudna_store::StoreError::Stale(_))) => {
                        // handed back before the count falls (the writer
                        // looks for them once it sees nothing in flight)
                        handed_back.fetch_add(1, Ordering::Relaxed);
                        let _ = again.send(jobs);
                    }
                    done => answer(jobs, done),
                }
                committing.fetch_sub(1, Ordering::SeqCst);
            }
        })
        .expect("spawn the committer");
    let mut open = true;
    loop {
        let mut jobs: Vec<IngestJob> = retries.try_iter().flatten().collect();
        if jobs.is_empty() {
            if in_flight.load(Ordering::SeqCst) > 0 {
                // a batch may yet come back: wait for reports a while only
                match rx.recv_timeout(Duration::from_millis(2)) {
                    Ok(j) => jobs.push(j),
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                        open = false;
                        std::thread::sleep(Duration::from_millis(1));
                        continue;
                    }
                }
            } else {
                // nothing in flight: anything handed back is there by now
                jobs.extend(retries.try_iter().flatten());
                if jobs.is_empty() {
                    if !open {
                        break;
                    }
                    match rx.recv() {
                        Ok(j) => jobs.push(j),
                        Err(_) => break,
                    }
                }
            }
        }
        while open && jobs.len() < 512 {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        // one ingest call per actor (the audit entry names the actor)
        let mut by_actor: std::collections::BTreeMap<String, Vec<IngestJob>> = Default::default();
        for j in jobs {
            by_actor.entry(j.actor.clone()).or_default().push(j);
        }
        for (actor, jobs) in by_actor {
            let reports: Vec<NewReport> = jobs.iter().map(|j| j.report.clone()).collect();
            let done = hudna.ingest_pending(reports, &actor, today());
            in_flight.fetch_add(1, Ordering::SeqCst);
            if to_commit.send((jobs, done)).is_err() {
                return;
            }
        }
    }
    drop(to_commit);
    let _ = committer.join();
}

/// Reports taken by one ingest call, and what it did (to be committed).
type Ingested = (
    Vec<IngestJob>,
    hudna_app::Result<(
        hudna_app::IngestSummary,
        Box<dyn hudna_store::PendingCommit>,
    )>,
);

/// Answers each caller of an ingest call with its report's outcome.
fn answer(jobs: Vec<IngestJob>, done: hudna_app::Result<hudna_app::IngestSummary>) {
    match done {
        Ok(summary) => {
            let mut outcomes: HashMap<String, ReportOutcome> = summary
                .reports
                .into_iter()
                .map(|o| (o.origin.clone(), o))
                .collect();
            for j in jobs {
                let r = outcomes
                    .remove(&j.report.origin)
                    .ok_or_else(|| ApiError::internal("ingest lost a report"));
                let _ = j.reply.send(r);
            }
        }
        Err(e) => {
            let e: ApiError = e.into();
            for j in jobs {
                let _ = j.reply.send(Err(e.clone()));
            }
        }
    }
}

/// Builds the state over an app and accounts. `readers` are extra read-only
/// store handles for hot queries (may be empty).
pub fn state(
    hudna: Arc<Hudna>,
    accounts: Arc<Accounts>,
    readers: Vec<Arc<dyn Store>>,
    config: DeskConfig,
) -> AppState {
    let (tx, rx) = std::sync::mpsc::sync_channel(4096);
    let h = hudna.clone();
    let today = config.today;
    let handed_back = Arc::new(AtomicU64::new(0));
    let counted = handed_back.clone();
    std::thread::Builder::new()
        .name("hudna-ingest".into())
        .spawn(move || ingest_writer(h, today, rx, counted))
        .expect("spawn the ingest writer");
    Arc::new(Inner {
        hudna,
        accounts,
        readers,
        next_reader: AtomicUsize::new(0),
        config,
        ingest: tx,
        origin_seq: AtomicUsize::new(0),
        extractor: std::sync::OnceLock::new(),
        generation: AtomicU64::new(0),
        handed_back,
        list_cache: Mutex::new(HashMap::new()),
        inflight: Mutex::new(HashMap::new()),
    })
}

/// Opens a database for serving: a SQLite file (one app, accounts on the
/// same store, and a pool of read-only handles) or a `postgres://` URL (one
/// `PgStore` for all three: its connection pool serves the concurrent
/// readers, on read-only snapshots).
pub fn open_state(db: &str, config: DeskConfig) -> anyhow_free::Result<AppState> {
    if hudna_store::is_postgres_url(db) {
        let pg = Arc::new(hudna_store::PgStore::open(db)?);
        let hudna = Arc::new(Hudna::with_pg(pg.clone()));
        let accounts = Arc::new(Accounts::new(pg));
        return Ok(state(hudna, accounts, vec![], config));
    }
    let db = Path::new(db);
    let store = Arc::new(SqliteStore::open(db)?);
    let hudna = Arc::new(Hudna::with_sqlite(store.clone()));
    let accounts = Arc::new(Accounts::new(store));
    let mut readers: Vec<Arc<dyn Store>> = vec![];
    for _ in 0..4 {
        readers.push(Arc::new(SqliteStore::open(db)?));
    }
    Ok(state(hudna, accounts, readers, config))
}

/// Small result alias for opening (store errors only).
pub mod anyhow_free {
    pub type Result<T> = std::result::Result<T, hudna_store::StoreError>;
}

/// The date of a day number (days since 1970-01-01).
pub fn day_from_number(n: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch") + chrono::Duration::days(n as i64)
}

/// Runs blocking work (the store, argon2) off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("a worker failed: {e}")))?
}

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    resp
}

/// Refuses a NUL character anywhere in the address or a text body (`%00`,
/// a raw NUL, or JSON's `\u0000`) with a 400: no value of Hudna holds one,
/// and PostgreSQL cannot store one in text (it failed as a 500 there).
async fn refuse_nul(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let refuse = |what: &str| {
        let e = ApiError::bad("nul_byte", format!("the {what} contains a NUL character"));
        if api { e } else { e.html() }.into_response()
    };
    let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("");
    if contains_ci(target.as_bytes(), b"%00") {
        return refuse("address");
    }
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = ct.starts_with("application/x-www-form-urlencoded");
    let json = ct.starts_with("application/json");
    if !(form || json) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, st.config.body_limit).await {
        Ok(b) => b,
        Err(_) => {
            let e = ApiError::new(
                Kind::PayloadTooLarge,
                "payload_too_large",
                "the body is larger than the limit (1 MiB)",
            );
            return if api { e } else { e.html() }.into_response();
        }
    };
    let nul = bytes.contains(&0)
        || (form && contains_ci(&bytes, b"%00"))
        || (json && json_has_nul_escape(&bytes));
    if nul {
        return refuse("body");
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// A `\u0000` escape in JSON text (an odd run of backslashes before `u0000`).
fn json_has_nul_escape(b: &[u8]) -> bool {
    b.windows(5).enumerate().any(|(i, w)| {
        w.eq_ignore_ascii_case(b"u0000") && {
            let slashes = b[..i].iter().rev().take_while(|c| **c == b'\\').count();
            slashes % 2 == 1
        }
    })
}

async fn not_found(req: Request) -> ApiError {
    let api = req.uri().path().starts_with("/api/");
    let e = ApiError::not_found("route_not_found", format!("no route {}", req.uri().path()));
    if api {
        e
    } else {
        e.html()
    }
}

async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::new(
        Kind::MethodNotAllowed,
        "method_not_allowed",
        format!("{} is not allowed on {}", req.method(), req.uri().path()),
    )
}

/// The whole application: pages, assets and `/api/`.
pub fn router(state: AppState) -> Router {
    let limit = state.config.body_limit;
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/lang/{code}", get(pages::set_lang))
        .route("/map", get(pages::map_page))
        .route("/incidents", get(pages::incident_list))
        .route("/incidents/{id}", get(pages::incident_page))
        .route("/incidents/{id}/stance", post(pages::stance_form))
        .route("/incidents/{id}/review", post(pages::review_form))
        .route("/zones/{agreement}/{zone}", get(pages::zone_page))
        .route("/reports/new", get(pages::report_form))
        .route("/reports", post(pages::report_submit))
        .route("/situation", get(publish::situation_page))
        .route("/situation/{file}", get(publish::situation_download))
        .route("/rounds", get(publish::rounds_page))
        .route(
            "/rounds/{agreement}/commitments/{commitment}/followups",
            post(publish::followup_form),
        )
        .route("/agreements/{id}/consents", post(publish::consent_form))
        .route("/persons", get(humanitarian::overview))
        .route(
            "/persons/review",
            get(humanitarian::review_page).post(humanitarian::review_submit),
        )
        .route("/persons/{id}", get(humanitarian::person_page))
        .route("/persons/{id}/status", post(humanitarian::status_submit))
        .route("/admin/accounts", get(admin::accounts_page))
        .route("/admin/orgs", post(admin::add_org))
        .route("/admin/users", post(admin::add_user))
        .route("/assets/{name}", get(assets))
        .merge(api::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(state.clone(), refuse_nul))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

const APP_CSS: &str = include_str!("../assets/app.css");
const APP_JS: &str = include_str!("../assets/app.js");
const FAVICON: &str = include_str!("../assets/favicon.svg");

async fn assets(
    axum::extract::Path(name): axum::extract::Path<String>,
    method: Method,
    State(_): State<AppState>,
) -> Result<Response, ApiError> {
    let _ = method;
    let (ct, body) = match name.as_str() {
        "app.css" => ("text/css; charset=utf-8", APP_CSS),
        "report.css" => ("text/css; charset=utf-8", hudna_app::reports::REPORT_CSS),
        "app.js" => ("text/javascript; charset=utf-8", APP_JS),
        "favicon.svg" => ("image/svg+xml", FAVICON),
        _ => return Err(ApiError::not_found("asset_not_found", format!("no asset {name}")).html()),
    };
    Ok((
        [
            (header::CONTENT_TYPE, ct),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response())
}

/// The demo's accounts: (user name, password, role, organisation).
pub const DEMO_ACCOUNTS: &[(&str, &str, Role, &str)] = &[
    ("admin", "hudna-admin-demo", Role::Admin, "mission"),
    ("analyst", "hudna-analyst-demo", Role::Analyst, "mission"),
    (
        "turkey",
        "hudna-turkey-demo",
        Role::Liaison,
        "turkey-liaison",
    ),
    (
        "russia",
        "hudna-russia-demo",
        Role::Liaison,
        "russia-liaison",
    ),
    ("iran", "hudna-iran-demo", Role::Liaison, "iran-liaison"),
    (
        "humanitarian",
        "hudna-humanitarian-demo",
        Role::HumanitarianOfficer,
        "mission",
    ),
    ("viewer", "hudna-viewer-demo", Role::Viewer, "researchers"),
];

/// Creates the demo organisations and accounts (idempotent: existing users
/// are kept). Returns (user, password, role) for printing.
pub fn create_demo_accounts(
    accounts: &Accounts,
) -> Result<Vec<(String, String, String)>, hudna_app::AppError> {
    for (id, name, kind, party) in [
        (
            "mission",
            "Monitoring mission · بعثة الرصد",
            "mission",
            None,
        ),
        (
            "turkey-liaison",
            "Turkish liaison · الارتباط التركي",
            "guarantor",
            Some("turkey"),
        ),
        (
            "russia-liaison",
            "Russian liaison · الارتباط الروسي",
            "guarantor",
            Some("russia"),
        ),
        (
            "iran-liaison",
            "Iranian liaison · الارتباط الإيراني",
            "guarantor",
            Some("iran"),
        ),
        ("researchers", "Researchers · باحثون", "ngo", None),
    ] {
        accounts.add_org(id, name, kind, party, "demo")?;
    }
    let mut out = vec![];
    for (user, pw, role, org) in DEMO_ACCOUNTS {
        match accounts.add_user(user, "", org, *role, pw, "demo") {
            Ok(_) | Err(hudna_app::AppError::Store(hudna_store::StoreError::Conflict(_))) => {}
            Err(e) => return Err(e),
        }
        out.push((user.to_string(), pw.to_string(), role.as_str().to_string()));
    }
    Ok(out)
}

/// Serves until `shutdown` resolves. Binds `addr` (e.g. `127.0.0.1:8080`,
/// port 0 for any) and calls `on_bound` with the real address first.
pub async fn serve(
    state: AppState,
    addr: &str,
    on_bound: impl FnOnce(std::net::SocketAddr),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    on_bound(listener.local_addr()?);
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// For the binary: opens `db` (a SQLite path or a `postgres://` URL), serves
/// on `addr` until Ctrl-C, on a runtime of its own. `on_bound` gets the URL's
/// address (print it there).
pub fn serve_blocking(
    db: &str,
    addr: &str,
    mut config: DeskConfig,
    on_bound: impl FnOnce(std::net::SocketAddr),
) -> std::io::Result<()> {
    let local =
        addr.starts_with("127.") || addr.starts_with("localhost") || addr.starts_with("[::1]");
    config.secure_cookies = !local;
    let state = open_state(db, config).map_err(std::io::Error::other)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = rt.block_on(serve(state.clone(), addr, on_bound, async {
        let _ = tokio::signal::ctrl_c().await;
    }));
    // the stores close outside the runtime (PostgreSQL's client blocks)
    drop(rt);
    let w = state.hudna.store().write_stats();
    if w.optimistic + w.stale > 0 {
        eprintln!(
            "ingest batches: {} the ordinary way, {} optimistically; {} found stale and ingested again ({} handed back)",
            w.ordinary,
            w.optimistic,
            w.stale,
            state.handed_back.load(Ordering::Relaxed)
        );
    }
    drop(state);
    served
}
