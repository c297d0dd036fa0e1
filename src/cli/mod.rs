//! The command-line edge: `seedls check` lints files and folders like rustc or ruff would.

mod check;

pub use check::{OutputFormat, run_check};

pub const USAGE: &str = "\
seedls — a language server and linter for seed documents

USAGE:
    seedls                          speak LSP on stdin/stdout (what editors run)
    seedls check [OPTIONS] [PATH]…  check files or folders (default: ./seeds if it exists, else .)
    seedls codes                    list every diagnostic code (a Markdown table)
    seedls --help | --version

CHECK OPTIONS:
    --format text|json   output format (default: text)

EXIT STATUS (check):
    0  no error-level diagnostics
    1  at least one error-level diagnostic
    2  usage or I/O error (a file that cannot be read is reported; the others are still checked)
";

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
