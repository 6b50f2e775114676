//! The bench's command line (`cargo bench -p hakaru-e2e --bench central_load -- [options]`).
//! Deliberately not here: what the options do (the scenarios).

use anyhow::{bail, Context};
use std::time::Duration;

/// The database `scripts/postgres` makes (its role may create databases).
pub const DEFAULT_PG_URL: &str = "postgres://hakaru:hakaru@127.0.0.1:5432/hakaru_test";

/// What `--help` prints.
pub const USAGE: &str = "\
central_load: the central server under load, over loopback, on a fresh database per backend.

  cargo bench -p hakaru-e2e --bench central_load -- [options]

  --backend sqlite|postgres|both   which storage backends (default both)
  --only ingest,drain,poll         which scenarios (default all three)
  --readings N                     ingest: readings uploaded over HTTP (default 50000)
  --clients N                      ingest: stations uploading at once, one task each (default 8)
  --backlog N                      drain: readings waiting in the station's outbox (default 10000)
  --stations N                     poll: stations polling GET /v1/changes (default 1000)
  --period S                       poll: seconds between one station's polls (default 30)
  --poll-secs S                    poll: how long the polling runs (default 60 = two periods)
  --admin-every S                  poll: seconds between the administrator's roster changes (default 5)
  --pg-url URL                     PostgreSQL to create the temporary database in
                                   (default $HAKARU_TEST_DATABASE_URL, else the scripts/postgres one)
";

/// A storage backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (a temporary file).
    Sqlite,
    /// PostgreSQL (a temporary database).
    Postgres,
}

impl Backend {
    /// The name in tables.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// Everything the command line sets.
#[derive(Debug, Clone)]
pub struct Options {
    /// Backends, in order.
    pub backends: Vec<Backend>,
    /// Run the ingest scenario.
    pub ingest: bool,
    /// Run the backlog-drain scenario.
    pub drain: bool,
    /// Run the polling scenario.
    pub poll: bool,
    /// Ingest: readings.
    pub readings: u32,
    /// Ingest: concurrent stations.
    pub clients: u32,
    /// Drain: backlog readings.
    pub backlog: u32,
    /// Poll: stations.
    pub stations: u32,
    /// Poll: one station's interval.
    pub period: Duration,
    /// Poll: run length.
    pub poll_for: Duration,
    /// Poll: interval between admin roster changes.
    pub admin_every: Duration,
    /// PostgreSQL admin URL (password inside: never printed).
    pub pg_url: String,
}

impl Options {
    /// Parses the arguments after the program name (cargo's own `--bench` is ignored).
    /// `Ok(None)` when `--help` was asked for.
    pub fn parse(args: impl IntoIterator<Item = String>) -> anyhow::Result<Option<Options>> {
        let mut o = Options {
            backends: vec![Backend::Sqlite, Backend::Postgres],
            ingest: true,
            drain: true,
            poll: true,
            readings: 50_000,
            clients: 8,
            backlog: 10_000,
            stations: 1_000,
            period: Duration::from_secs(30),
            poll_for: Duration::from_secs(60),
            admin_every: Duration::from_secs(5),
            pg_url: std::env::var("HAKARU_TEST_DATABASE_URL")
                .unwrap_or_else(|_| DEFAULT_PG_URL.to_owned()),
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = || {
                args.next()
                    .with_context(|| format!("{arg} の値がありません / {arg} needs a value"))
            };
            match arg.as_str() {
                "--bench" => {}
                "-h" | "--help" => return Ok(None),
                "--backend" => {
                    o.backends = match value()?.as_str() {
                        "sqlite" => vec![Backend::Sqlite],
                        "postgres" | "postgresql" => vec![Backend::Postgres],
                        "both" => vec![Backend::Sqlite, Backend::Postgres],
                        other => bail!(
                            "--backend は sqlite, postgres, both のどれかです / --backend must be sqlite, postgres or both, not {other:?}"
                        ),
                    }
                }
                "--only" => {
                    let list = value()?;
                    o.ingest = false;
                    o.drain = false;
                    o.poll = false;
                    for s in list.split(',') {
                        match s.trim() {
                            "ingest" => o.ingest = true,
                            "drain" => o.drain = true,
                            "poll" => o.poll = true,
                            other => bail!(
                                "--only には ingest, drain, poll を並べてください / --only takes ingest, drain, poll, not {other:?}"
                            ),
                        }
                    }
                }
                "--readings" => o.readings = positive(&arg, &value()?)?,
                "--clients" => o.clients = positive(&arg, &value()?)?,
                "--backlog" => o.backlog = positive(&arg, &value()?)?,
                "--stations" => o.stations = positive(&arg, &value()?)?,
                "--period" => o.period = secs(&arg, &value()?)?,
                "--poll-secs" => o.poll_for = secs(&arg, &value()?)?,
                "--admin-every" => o.admin_every = secs(&arg, &value()?)?,
                "--pg-url" => o.pg_url = value()?,
                other => bail!(
                    "不明な引数 {other:?} です。--help で一覧を見てください / unknown argument {other:?}: see --help"
                ),
            }
        }
        Ok(Some(o))
    }
}

fn positive(flag: &str, text: &str) -> anyhow::Result<u32> {
    match text.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => bail!("{flag} には 1 以上の整数を指定してください / {flag} takes a whole number ≥ 1, not {text:?}"),
    }
}

fn secs(flag: &str, text: &str) -> anyhow::Result<Duration> {
    match text.parse::<f64>() {
        Ok(s) if s > 0.0 && s.is_finite() => Ok(Duration::from_secs_f64(s)),
        _ => bail!("{flag} には正の秒数を指定してください / {flag} takes a positive number of seconds, not {text:?}"),
    }
}
