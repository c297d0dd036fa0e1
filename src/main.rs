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

/// jemalloc's part in an indexing run. Built to return freed pages at once (for the resident
/// set), it keeps them a second while a run lasts, and returns them all before the run's
/// progress ends: the run's parse trees and batches, freed and made again, reuse pages
/// instead of faulting fresh ones in. At 50,000 articles that took a third of the page faults
/// and a twelfth of the CPU away, for 2–5 MiB more resident memory (docs/PERFORMANCE.md).
#[cfg(not(target_env = "msvc"))]
mod allocator {
    use tikv_jemalloc_ctl::{Access, AsName};

    pub(crate) const HOOKS: seedls::lsp::IndexingHooks =
        seedls::lsp::IndexingHooks { started: || set_decay(DECAY_WHILE_INDEXING_MS), ended: || set_decay(0) };

    const DECAY_WHILE_INDEXING_MS: isize = 1000;

    /// A command of the command line reads a whole corpus as an indexing run does, and its
    /// resident set ends with the process: freed pages are kept until then.
    pub(crate) fn keep_freed_pages() {
        set_decay(DECAY_WHILE_INDEXING_MS);
    }

    /// Sets how long freed pages are kept, in every arena and in those made later. Setting
    /// 0 returns every page kept.
    fn set_decay(ms: isize) {
        let _ = b"arenas.dirty_decay_ms\0".name().write(ms);
        let Ok(arenas) = Access::<u32>::read(b"arenas.narenas\0".name()) else { return };
        for arena in 0..arenas {
            // An arena not made yet answers an error, and takes the default when made.
            let _ = format!("arena.{arena}.dirty_decay_ms\0").as_bytes().name().write(ms);
        }
    }
}

#[cfg(target_env = "msvc")]
mod allocator {
    pub(crate) const HOOKS: seedls::lsp::IndexingHooks = seedls::lsp::IndexingHooks { started: || {}, ended: || {} };

    pub(crate) fn keep_freed_pages() {}
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => lsp(),
        Some(Command::Check(args)) => {
            allocator::keep_freed_pages();
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
            allocator::keep_freed_pages();
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
    match seedls::lsp::run_stdio(allocator::HOOKS) {
        Ok(true) => ExitCode::SUCCESS,
        // `exit` without `shutdown`, or input closed: the protocol asks for 1.
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("seedls: {error:#}");
            ExitCode::from(2)
        }
    }
}
