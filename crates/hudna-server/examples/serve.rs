//! Serves a database: `cargo run --release -p hudna-server --example serve -- DB [ADDR]`
//! (DB: a SQLite file or a `postgres://` URL).
//! (The same as `hudna serve`, for benchmarks that build only this crate.)

fn main() {
    let mut args = std::env::args().skip(1);
    let db = args.next().expect("usage: serve DB [ADDR]");
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".into());
    hudna_server::serve_blocking(&db, &addr, hudna_server::DeskConfig::default(), |a| {
        println!("serving http://{a}/")
    })
    .expect("serve");
}
