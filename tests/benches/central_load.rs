//! The central server under load, over loopback, each backend on a fresh database (a temporary
//! SQLite file; a uniquely named PostgreSQL database, dropped at the end):
//!
//! 1. **ingest** — readings/s through `POST /v1/events` (batches of 500 from several stations
//!    at once, every reading accepted and earning points) beside a raw INSERT of the same rows
//!    with the same driver;
//! 2. **drain** — a station's 10,000-reading backlog through the real `SyncWorker`, first
//!    request until the outbox is empty;
//! 3. **poll** — 1,000 stations polling `GET /v1/changes` every 30 s at random phases while an
//!    administrator changes the roster: p50/p95/p99/max.
//!
//! A bench binary, not criterion and not a test: it prints progress on stderr and markdown
//! tables on stdout; the figures go in docs/performance.md ("Central server").
//!
//! `cargo bench -p hakaru-e2e --bench central_load -- [--backend sqlite|postgres|both]
//! [--only ingest,drain,poll] [--poll-secs 60] …` (`-- --help` lists every option).
//! PostgreSQL: `scripts/postgres` (or `--pg-url`); its role needs CREATEDB.
//!
//! Deliberately not here: assertions about speed (CI builds this, never runs it).

// A bench prints its figures (stdout) and its progress (stderr): printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "central_load/args.rs"]
mod args;
#[path = "central_load/backend.rs"]
mod backend;
#[path = "central_load/clock.rs"]
mod clock;
#[path = "central_load/drain.rs"]
mod drain;
#[path = "central_load/ingest.rs"]
mod ingest;
#[path = "central_load/poll.rs"]
mod poll;
#[path = "central_load/progress.rs"]
mod progress;
#[path = "central_load/seed.rs"]
mod seed;
#[path = "central_load/stats.rs"]
mod stats;

use args::Options;

fn main() -> anyhow::Result<()> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if !argv.iter().any(|a| a == "--bench") {
        // `cargo test --all-targets` runs bench binaries without `--bench`: nothing to do.
        return Ok(());
    }
    let Some(options) = Options::parse(argv)? else {
        print!("{}", args::USAGE);
        return Ok(());
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(&options))
}

async fn run(o: &Options) -> anyhow::Result<()> {
    let started = clock::now();
    eprintln!(
        "central_load: backends {:?}; scenarios:{}{}{}",
        o.backends.iter().map(|b| b.name()).collect::<Vec<_>>(),
        if o.ingest { " ingest" } else { "" },
        if o.drain { " drain" } else { "" },
        if o.poll { " poll" } else { "" },
    );
    if o.ingest {
        let mut results = Vec::new();
        for &b in &o.backends {
            results.push(ingest::run(b, o).await?);
        }
        ingest::print(&results);
    }
    if o.drain {
        let mut results = Vec::new();
        for &b in &o.backends {
            results.push(drain::run(b, o).await?);
        }
        drain::print(&results);
    }
    if o.poll {
        let mut results = Vec::new();
        for &b in &o.backends {
            results.push(poll::run(b, o).await?);
        }
        poll::print(&results);
    }
    eprintln!(
        "central_load: done in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
