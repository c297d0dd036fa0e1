//! The command-line edge: `seedls check` lints (and fixes) files and folders the way rustc and
//! ruff do; `seedls export` writes the entity annotations of the articles; `seedls codes`
//! prints the catalogue. Arguments are parsed by clap (`args.rs`).

pub mod args;
mod check;
mod export;
mod inputs;
mod report;
mod select;
mod write;

pub use args::{CheckArgs, CheckFormat, Cli, Command};
pub use check::{CheckIo, run_check};
pub use export::run_export;

/// The diagnostics catalogue as a Markdown table (what README.md shows). The fix column says
/// whether `seedls check --fix` applies the quick fix (`safe`) or only `--unsafe-fixes` does.
pub fn codes_table() -> String {
    let mut table = String::from("| code | default severity | fix | what |\n|---|---|---|---|\n");
    for code in crate::codes::Code::ALL {
        let info = code.info();
        table += &format!(
            "| `{}` | {} | {} | {} |\n",
            info.name,
            info.severity.as_str(),
            info.fix.as_str(),
            info.summary.replace('|', "\\|")
        );
    }
    table
}
