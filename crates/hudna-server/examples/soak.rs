//! Load and soak client for a running desk (`bench/soak.sh` starts the
//! server and calls this once per backend).
//!
//! ```text
//! soak URL[,URL…] TOKEN LABEL [DURATION_S] [WRITERS] [READERS]
//! ```
//!
//! Several URLs are several desks over one database: writer and reader `k`
//! go to desk `k` mod their number, and so do the eight threads of the
//! check (a report written through one desk is mostly read back through
//! another).
//!
//! For DURATION seconds, WRITERS threads post distinct field reports
//! (`POST /api/reports`; each body unique, remembered with its report id
//! when the server acknowledges it with 201) and READERS threads read the
//! incident list with zone and time filters and then one incident of it.
//! Readers go as fast as they are answered, unless `SOAK_READ_RATE` gives
//! the reads per second for them all to keep to (each reader paced on its
//! share; one behind its schedule does not burst to catch up by more than
//! one read): then every backend serves the same read load, and the writes
//! a backend takes alongside it compare (with readers as fast as answered,
//! the backend that answers reads faster is asked for more of them).
//! Report dates spread over `SOAK_DAYS` days from 2017-06-01 (default 900;
//! the towns are twelve, so fewer days pile more reports on each incident).
//! Every request's latency is recorded. Afterwards every acknowledged report
//! is checked once through the API (`GET /api/reports/{id}`: present, with
//! the text that was sent), and the report count of `/api/health` is
//! compared with the number acknowledged. Prints a summary and, last, one
//! JSON object.
//!
//! The HTTP/1.1 client is a few lines over `std::net::TcpStream` with
//! keep-alive (as in the browser test): no second HTTP stack in the build.

use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One keep-alive connection.
struct Conn {
    host: String,
    token: String,
    stream: Option<TcpStream>,
}

#[derive(Debug)]
enum HttpError {
    Io(std::io::Error),
    Protocol(String),
}

impl From<std::io::Error> for HttpError {
    fn from(e: std::io::Error) -> Self {
        HttpError::Io(e)
    }
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::Io(e) => write!(f, "io: {e}"),
            HttpError::Protocol(s) => write!(f, "protocol: {s}"),
        }
    }
}

impl Conn {
    fn new(host: &str, token: &str) -> Conn {
        Conn {
            host: host.to_owned(),
            token: token.to_owned(),
            stream: None,
        }
    }

    /// One request; (status, body). A failed connection is dropped, so the
    /// next request opens a new one.
    fn request(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<(u16, Vec<u8>), HttpError> {
        let r = self.try_request(method, path, body);
        if r.is_err() {
            self.stream = None;
        }
        r
    }

    fn try_request(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<(u16, Vec<u8>), HttpError> {
        if self.stream.is_none() {
            let s = TcpStream::connect(&self.host)?;
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(Duration::from_secs(60)))?;
            self.stream = Some(s);
        }
        let s = self.stream.as_mut().expect("connected");
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n",
            self.host, self.token
        );
        if let Some(b) = body {
            req.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{b}",
                b.len()
            ));
        } else {
            req.push_str("\r\n");
        }
        s.write_all(req.as_bytes())?;
        let mut raw = Vec::with_capacity(8192);
        let mut buf = [0u8; 16384];
        let head_end = loop {
            let n = s.read(&mut buf)?;
            if n == 0 {
                return Err(HttpError::Protocol(
                    "connection closed before the head".into(),
                ));
            }
            raw.extend_from_slice(&buf[..n]);
            if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
        };
        let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| HttpError::Protocol(format!("bad status line: {head}")))?;
        let close = head.contains("\r\nconnection: close");
        let len: Option<usize> = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok());
        let chunked = head.contains("transfer-encoding: chunked");
        let mut body_raw = raw[head_end..].to_vec();
        let body = if let Some(l) = len {
            while body_raw.len() < l {
                let n = s.read(&mut buf)?;
                if n == 0 {
                    return Err(HttpError::Protocol("connection closed in the body".into()));
                }
                body_raw.extend_from_slice(&buf[..n]);
            }
            body_raw.truncate(l);
            body_raw
        } else if chunked {
            while !body_raw.ends_with(b"0\r\n\r\n") {
                let n = s.read(&mut buf)?;
                if n == 0 {
                    return Err(HttpError::Protocol("connection closed in a chunk".into()));
                }
                body_raw.extend_from_slice(&buf[..n]);
            }
            dechunk(&body_raw)?
        } else {
            return Err(HttpError::Protocol("no length".into()));
        };
        if close {
            self.stream = None;
        }
        Ok((status, body))
    }
}

fn dechunk(mut b: &[u8]) -> Result<Vec<u8>, HttpError> {
    let mut out = vec![];
    loop {
        let p = b
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| HttpError::Protocol("bad chunk".into()))?;
        let n = usize::from_str_radix(std::str::from_utf8(&b[..p]).unwrap_or("").trim(), 16)
            .map_err(|_| HttpError::Protocol("bad chunk size".into()))?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&b[p + 2..p + 2 + n]);
        b = &b[p + 2 + n + 2..];
    }
}

/// What one thread saw.
#[derive(Default)]
struct Tally {
    write_us: Vec<u32>,
    read_us: Vec<u32>,
    errors: u64,
    error_samples: Vec<String>,
    /// (report id, text) of every report acknowledged as stored (201).
    acked: Vec<(i64, String)>,
    /// A unique body answered "duplicate": the server thought it had it.
    dup_acks: u64,
}

impl Tally {
    fn error(&mut self, what: String) {
        self.errors += 1;
        if self.error_samples.len() < 5 {
            self.error_samples.push(what);
        }
    }
}

const TOWNS: &[&str] = &[
    "كفرنبل",
    "معرة النعمان",
    "خان شيخون",
    "أريحا",
    "سراقب",
    "جسر الشغور",
    "دوما",
    "حرستا",
    "الرستن",
    "تلبيسة",
    "نوى",
    "درعا",
];
const ZONES: &[&str] = &["idlib", "northern_homs", "eastern_ghouta", "south"];

struct Rng(u64);
impl Rng {
    fn next(&mut self, m: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % m
    }
}

fn us(d: Duration) -> u32 {
    d.as_micros().min(u32::MAX as u128) as u32
}

/// Arabic (Levantine) month names.
const MONTHS: &[&str] = &[
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
];

/// The first day of the reports' span.
fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2017, 6, 1).expect("a date")
}

fn writer(host: &str, token: &str, run: &str, w: usize, days: u64, stop: &AtomicBool) -> Tally {
    let mut c = Conn::new(host, token);
    let mut t = Tally::default();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ ((w as u64 + 1) * 0x1234_5678_9ABC_DEF1));
    let mut i = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let town = TOWNS[rng.next(TOWNS.len() as u64) as usize];
        let d = first_day() + chrono::Duration::days(rng.next(days) as i64);
        let killed = 1 + rng.next(9);
        let text = format!(
            "قصفت قوات النظام بالمدفعية بلدة {town} يوم {} {} {}، ما أدى إلى مقتل {killed} مدنيين. تقرير ميداني {run}-{w}-{i}.",
            d.day(),
            MONTHS[d.month0() as usize],
            d.year()
        );
        i += 1;
        let published = d + chrono::Duration::days(1);
        let body = json!({"text": text, "source": format!("soak{}", w % 4), "published": published.to_string()}).to_string();
        let t0 = Instant::now();
        let r = c.request("POST", "/api/reports", Some(&body));
        t.write_us.push(us(t0.elapsed()));
        match r {
            Ok((201, b)) => match serde_json::from_slice::<Value>(&b)
                .ok()
                .and_then(|v| v["report_id"].as_i64())
            {
                Some(id) => t.acked.push((id, text)),
                None => t.error(format!(
                    "201 without a report id: {}",
                    String::from_utf8_lossy(&b)
                )),
            },
            Ok((200, b)) => {
                t.dup_acks += 1;
                t.error(format!(
                    "a unique report answered as duplicate: {}",
                    String::from_utf8_lossy(&b)
                ));
            }
            Ok((s, b)) => t.error(format!("POST {s}: {}", String::from_utf8_lossy(&b))),
            Err(e) => t.error(format!("POST: {e}")),
        }
    }
    t
}

/// Keeps a reader to one read every `every` (none: as fast as answered).
struct Pace {
    every: Option<Duration>,
    next: Instant,
}

impl Pace {
    fn new(every: Option<Duration>, offset: Duration) -> Pace {
        Pace {
            every,
            next: Instant::now() + offset,
        }
    }

    /// Waits for the next read's turn (or until `stop`).
    fn wait(&mut self, stop: &AtomicBool) {
        let Some(every) = self.every else { return };
        let now = Instant::now();
        // behind by more than one read: the schedule moves on, no burst
        self.next = self.next.max(now.checked_sub(every).unwrap_or(now));
        while !stop.load(Ordering::Relaxed) {
            let left = self.next.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            std::thread::sleep(left.min(Duration::from_millis(100)));
        }
        self.next += every;
    }
}

fn reader(
    host: &str,
    token: &str,
    r: usize,
    days: u64,
    every: Option<Duration>,
    stop: &AtomicBool,
) -> Tally {
    let mut c = Conn::new(host, token);
    let mut t = Tally::default();
    let mut rng = Rng(0xD1B5_4A32_D192_ED03 ^ ((r as u64 + 7) * 0x9E37_79B9_7F4A_7C15));
    // the readers' turns spread over one interval
    let offset = every.map_or(Duration::ZERO, |e| {
        e.mul_f64(rng.next(1000) as f64 / 1000.0)
    });
    let mut pace = Pace::new(every, offset);
    while !stop.load(Ordering::Relaxed) {
        pace.wait(stop);
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let zone = ZONES[rng.next(ZONES.len() as u64) as usize];
        // a window of one to seven days inside the reports' span
        let a = first_day() + chrono::Duration::days(rng.next(days) as i64);
        let b = a + chrono::Duration::days(rng.next(7) as i64);
        let path = format!(
            "/api/incidents?agreement=astana-2017&zone={zone}&since={a}&until={b}&limit=50"
        );
        let t0 = Instant::now();
        let res = c.request("GET", &path, None);
        t.read_us.push(us(t0.elapsed()));
        let ids: Vec<i64> = match res {
            Ok((200, body)) => match serde_json::from_slice::<Value>(&body) {
                Ok(v) => v["incidents"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|i| i["id"].as_i64()).collect())
                    .unwrap_or_default(),
                Err(e) => {
                    t.error(format!("list not JSON: {e}"));
                    continue;
                }
            },
            Ok((s, b)) => {
                t.error(format!("GET list {s}: {}", String::from_utf8_lossy(&b)));
                continue;
            }
            Err(e) => {
                t.error(format!("GET list: {e}"));
                continue;
            }
        };
        if ids.is_empty() {
            continue;
        }
        let id = ids[rng.next(ids.len() as u64) as usize];
        pace.wait(stop);
        let t0 = Instant::now();
        let res = c.request("GET", &format!("/api/incidents/{id}"), None);
        t.read_us.push(us(t0.elapsed()));
        match res {
            Ok((200, _)) => {}
            Ok((s, b)) => t.error(format!(
                "GET incident {id} {s}: {}",
                String::from_utf8_lossy(&b)
            )),
            Err(e) => t.error(format!("GET incident {id}: {e}")),
        }
    }
    t
}

fn reports_count(host: &str, token: &str) -> u64 {
    let (s, b) = Conn::new(host, token)
        .request("GET", "/api/health", None)
        .expect("GET /api/health");
    assert_eq!(s, 200, "health: {}", String::from_utf8_lossy(&b));
    serde_json::from_slice::<Value>(&b).expect("health JSON")["reports"]
        .as_u64()
        .expect("reports count")
}

fn pct(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.len() < 3 {
        eprintln!("usage: soak URL[,URL...] TOKEN LABEL [DURATION_S] [WRITERS] [READERS]");
        std::process::exit(2);
    }
    let hosts: Vec<String> = a[0]
        .split(',')
        .map(|u| {
            u.trim_start_matches("http://")
                .trim_end_matches('/')
                .to_owned()
        })
        .collect();
    let host = hosts[0].clone();
    let desk = |k: usize| hosts[k % hosts.len()].clone();
    let token = a[1].clone();
    let label = a[2].clone();
    let arg = |i: usize, d: u64| a.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    // bounded: at most an hour
    let duration = Duration::from_secs(arg(3, 300).clamp(1, 3600));
    let writers = arg(4, 16) as usize;
    let readers = arg(5, 8) as usize;
    // the reports' dates spread over this many days from 2017-06-01
    let days: u64 = std::env::var("SOAK_DAYS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|d| *d > 0)
        .unwrap_or(900);
    // reads per second for all readers together (none: as fast as answered)
    let read_rate: Option<f64> = match std::env::var("SOAK_READ_RATE") {
        Ok(v) if !v.is_empty() => match v.parse::<f64>() {
            Ok(r) if r > 0.0 && r.is_finite() => Some(r),
            _ => {
                eprintln!(
                    "SOAK_READ_RATE must be a positive number of reads per second, not {v:?}"
                );
                std::process::exit(2);
            }
        },
        _ => None,
    };
    let every = read_rate
        .filter(|_| readers > 0)
        .map(|r| Duration::from_secs_f64(readers as f64 / r));
    let run = format!(
        "{label}-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
    );

    let before = reports_count(&host, &token);
    eprintln!(
        "[{label}] {writers} writers, {readers} readers{}, {} s against http://{}/ (reports over {days} days from {}) ...",
        read_rate.map_or(String::new(), |r| format!(" (at {r} reads/s)")),
        duration.as_secs(),
        hosts.join(", http://"),
        first_day()
    );
    let stop = Arc::new(AtomicBool::new(false));
    let progress = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut handles = vec![];
    for w in 0..writers {
        let (h, t, r, s) = (desk(w), token.clone(), run.clone(), stop.clone());
        handles.push(std::thread::spawn(move || writer(&h, &t, &r, w, days, &s)));
    }
    for r in 0..readers {
        let (h, t, s) = (desk(r), token.clone(), stop.clone());
        handles.push(std::thread::spawn(move || {
            reader(&h, &t, r, days, every, &s)
        }));
    }
    while start.elapsed() < duration {
        std::thread::sleep(
            Duration::from_millis(250).min(duration.saturating_sub(start.elapsed())),
        );
        let m = start.elapsed().as_secs() / 60;
        if m > progress.load(Ordering::Relaxed) {
            progress.store(m, Ordering::Relaxed);
            eprintln!("[{label}]   {m} min");
        }
    }
    stop.store(true, Ordering::Relaxed);
    let mut all = Tally::default();
    for h in handles {
        let t = h.join().expect("a load thread panicked");
        all.write_us.extend(t.write_us);
        all.read_us.extend(t.read_us);
        all.errors += t.errors;
        all.dup_acks += t.dup_acks;
        for e in t.error_samples {
            if all.error_samples.len() < 10 {
                all.error_samples.push(e);
            }
        }
        all.acked.extend(t.acked);
    }
    let elapsed = start.elapsed().as_secs_f64();

    // the check, once per acknowledged report, through the API
    eprintln!(
        "[{label}] checking {} acknowledged reports ...",
        all.acked.len()
    );
    let acked = Arc::new(all.acked.clone());
    let lost = Arc::new(Mutex::new(Vec::<String>::new()));
    let check_errors = Arc::new(AtomicU64::new(0));
    let next = Arc::new(AtomicU64::new(0));
    let mut hs = vec![];
    for k in 0..8 {
        let (h, t, acked, lost, ce, next) = (
            desk(k),
            token.clone(),
            acked.clone(),
            lost.clone(),
            check_errors.clone(),
            next.clone(),
        );
        hs.push(std::thread::spawn(move || {
            let mut c = Conn::new(&h, &t);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                let Some((id, text)) = acked.get(i) else {
                    break;
                };
                // a transport error is retried (it says nothing about the store)
                let mut tries = 0;
                let r = loop {
                    match c.request("GET", &format!("/api/reports/{id}"), None) {
                        Ok(r) => break Some(r),
                        Err(_) if tries < 3 => tries += 1,
                        Err(_) => break None,
                    }
                };
                match r {
                    Some((200, b)) => {
                        let v: Value = serde_json::from_slice(&b).unwrap_or(Value::Null);
                        if v["text"].as_str() != Some(text.as_str()) {
                            lost.lock()
                                .unwrap()
                                .push(format!("report {id}: another text"));
                        }
                    }
                    Some((404, _)) => lost.lock().unwrap().push(format!("report {id}: missing")),
                    _ => {
                        ce.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for h in hs {
        h.join().expect("a check thread panicked");
    }
    let lost = lost.lock().unwrap().clone();
    let check_errors = check_errors.load(Ordering::Relaxed);
    let after = reports_count(&host, &token);
    let distinct: HashSet<i64> = all.acked.iter().map(|(id, _)| *id).collect();
    // two acknowledgements naming one report, or a unique body taken as a duplicate
    let duplicates = (all.acked.len() - distinct.len()) as u64 + all.dup_acks;
    // stored but never acknowledged (only possible after a failed request)
    let unacked_stored = (after - before) as i64 - distinct.len() as i64;

    all.write_us.sort_unstable();
    all.read_us.sort_unstable();
    let writes = all.write_us.len() as u64;
    let reads = all.read_us.len() as u64;
    let out = json!({
        "backend": label,
        "desks": hosts.len(),
        "duration_s": (elapsed * 10.0).round() / 10.0,
        "writers": writers,
        "readers": readers,
        "read_rate": read_rate,
        "report_days": days,
        "requests": writes + reads,
        "writes": writes,
        "reads": reads,
        "errors": all.errors,
        "acknowledged": all.acked.len(),
        "lost": lost.len(),
        "duplicates": duplicates,
        "check_errors": check_errors,
        "stored_not_acknowledged": unacked_stored,
        "writes_per_s": ((all.acked.len() as f64 / elapsed) * 10.0).round() / 10.0,
        "reads_per_s": ((reads as f64 / elapsed) * 10.0).round() / 10.0,
        "write_ms": {"p50": pct(&all.write_us, 0.50), "p99": pct(&all.write_us, 0.99), "max": pct(&all.write_us, 1.0)},
        "read_ms": {"p50": pct(&all.read_us, 0.50), "p99": pct(&all.read_us, 0.99), "max": pct(&all.read_us, 1.0)},
    });
    println!(
        "[{label}] {} requests served in {:.0} s ({} writes, {} reads); errors {}; lost writes {}; duplicates {}",
        writes + reads,
        elapsed,
        writes,
        reads,
        all.errors,
        lost.len(),
        duplicates
    );
    println!(
        "[{label}] writes: {:.1}/s acknowledged, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        all.acked.len() as f64 / elapsed,
        pct(&all.write_us, 0.5),
        pct(&all.write_us, 0.99),
        pct(&all.write_us, 1.0)
    );
    println!(
        "[{label}] reads:  {:.1}/s, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        reads as f64 / elapsed,
        pct(&all.read_us, 0.5),
        pct(&all.read_us, 0.99),
        pct(&all.read_us, 1.0)
    );
    for e in &all.error_samples {
        println!("[{label}] error: {e}");
    }
    for l in lost.iter().take(10) {
        println!("[{label}] lost: {l}");
    }
    println!("{out}");
}
