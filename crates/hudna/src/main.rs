//! `hudna`: the command line of Hudna.
//!
//! Each subcommand parses its arguments, calls one use case of `hudna-app`,
//! and prints the result as text (Arabic and English names side by side) or,
//! with `--format json`, as JSON for scripts. Errors name what to fix and end
//! the process with a code that says what kind of failure it was.

mod cli;
mod demo;
mod extract_cmd;
mod incidents_cmd;
mod link_cmd;
mod output;
mod persons_cmd;
mod reports_cmd;
mod serve_cmd;

use clap::Parser;

fn main() {
    // `hudna export ... | head` ends quietly, like other Unix tools.
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = cli::Cli::parse();
    let code = match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            let code = e
                .downcast_ref::<hudna_app::AppError>()
                .map(|a| a.exit_code())
                .or_else(|| e.downcast_ref::<cli::Exit>().map(|x| x.0))
                .unwrap_or(1);
            eprintln!("error: {e:#}");
            code
        }
    };
    std::process::exit(code);
}
