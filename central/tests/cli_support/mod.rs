//! Runs the real `hakaru-central` binary's admin commands, on a database file (`--database`) or
//! through a configuration file (`--config`), with its log kept off the captured output.
//!
//! Deliberately not here: serving (each file that serves starts the binary its own way) and what
//! the commands are expected to say.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // each test file uses a part

use std::path::Path;
use std::process::{Command, Output};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_hakaru-central");

/// Where the binary finds its database.
#[derive(Debug, Clone, Copy)]
pub enum Db<'a> {
    /// A SQLite file, given with `--database`.
    File(&'a Path),
    /// A configuration file naming the database (and more), given with `--config`.
    Config(&'a Path),
}

/// `hakaru-central <db> admin <args…>`, ready to run (more environment may be added).
pub fn admin_command(db: Db<'_>, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    match db {
        Db::File(path) => command.arg("--database").arg(path),
        Db::Config(path) => command.arg("--config").arg(path),
    };
    command.arg("admin").args(args).env_remove("HAKARU_LOG");
    command
}

/// Runs an admin command on a database file.
pub fn admin(db: &Path, args: &[&str]) -> Output {
    run(&mut admin_command(Db::File(db), args))
}

/// Runs an admin command on a database file; fails the test unless it succeeds, and gives its
/// standard output.
pub fn admin_ok(db: &Path, args: &[&str]) -> String {
    succeeded(admin(db, args), args)
}

/// Runs an admin command through a configuration file.
pub fn admin_config(config: &Path, args: &[&str]) -> Output {
    run(&mut admin_command(Db::Config(config), args))
}

/// Runs an admin command through a configuration file; fails the test unless it succeeds, and
/// gives its standard output.
pub fn admin_config_ok(config: &Path, args: &[&str]) -> String {
    succeeded(admin_config(config, args), args)
}

/// Runs a command built with [`admin_command`].
pub fn run(command: &mut Command) -> Output {
    command.output().expect("run hakaru-central")
}

/// The standard output of a command that must have succeeded.
pub fn succeeded(out: Output, args: &[&str]) -> String {
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
