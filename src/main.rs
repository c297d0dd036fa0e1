//! The `seedls` binary: LSP on stdio with no arguments; `seedls check`, `export`, `codes` on the
//! command line (parsed by clap: `--help` on every subcommand, exit status 2 on a usage error).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use seedls::cli::{CheckIo, Cli, Command, run_check};

/// jemalloc, configured at build time to give freed pages back to the system at once
/// (`.cargo/config.toml`): see Cargo.toml and docs/PERFORMANCE.md for what it measured.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => lsp(),
        Some(Command::Check(args)) => {
            let status = run_check(
                &args,
                CheckIo {
                    stdin: &mut std::io::stdin().lock(),
                    out: &mut std::io::stdout().lock(),
                    err: &mut std::io::stderr().lock(),
                    before_rename: &mut |_| {},
                },
            );
            ExitCode::from(status as u8)
        }
        Some(Command::Export(args)) => {
            let status = seedls::cli::run_export(&args, &mut std::io::stdout().lock(), &mut std::io::stderr().lock());
            ExitCode::from(status as u8)
        }
        Some(Command::Codes) => {
            print!("{}", seedls::cli::codes_table());
            ExitCode::SUCCESS
        }
    }
}

fn lsp() -> ExitCode {
    if std::io::stdin().is_terminal() {
        eprintln!(
            "seedls: speaking LSP on stdin/stdout (editors start it this way); `seedls --help` shows the command line"
        );
    }
    match seedls::lsp::run_stdio() {
        Ok(true) => ExitCode::SUCCESS,
        // `exit` without `shutdown`, or input closed: the protocol asks for 1.
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("seedls: {error:#}");
            ExitCode::from(2)
        }
    }
}
