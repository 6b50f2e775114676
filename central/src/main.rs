//! `hakaru-central`: the program's central server (`serve`) and its administrator's commands
//! (`admin …`, acting directly on the same database).
//!
//! This file only hands over to [`cli`]. Deliberately not here: any server or storage logic
//! (the `hakaru_central` library).

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
