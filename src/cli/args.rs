//! The command line, declared with clap's derive: `--help` on every subcommand, suggestions
//! for misspelled flags, and exit status 2 for a usage error.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_STATUS: &str = "\
Exit status:
  0  no error-level finding (after fixes, with --fix)
  1  at least one error-level finding
  2  usage or I/O error (a file that cannot be read or was changed on disk is reported; the others are still checked)";

#[derive(Debug, Parser)]
#[command(
    name = "seedls",
    version,
    about = "A language server and linter for seed documents (plain-text military-history articles)",
    after_help = "With no command, seedls speaks LSP on stdin/stdout: that is how editors start it."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check seed files and folders; report findings, optionally fix them.
    Check(CheckArgs),
    /// List every diagnostic code as a Markdown table (README.md shows the same table).
    Codes,
    /// Export every entity mention and infobox listing as annotations (W3C, brat, JSONL).
    Export(ExportArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// rustc-style findings with the line and a caret.
    Text,
    /// A JSON array of findings.
    Json,
    /// SARIF 2.1.0 (for code-scanning dashboards).
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
}

#[derive(Debug, Clone, Args)]
#[command(after_help = EXIT_STATUS)]
pub struct CheckArgs {
    /// Files or folders to check (default: ./seeds if it exists, else .); `-` reads standard input.
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    /// Apply every safe fix (see the fix column of `seedls codes`) and write the files.
    #[arg(long)]
    pub fix: bool,

    /// With --fix or --diff: also apply the unsafe fixes (those that make a choice).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print a unified diff of what --fix would change; write nothing.
    #[arg(long)]
    pub diff: bool,

    /// Only these codes or code prefixes (`infobox-`), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub select: Vec<String>,

    /// Leave out these codes or code prefixes, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub ignore: Vec<String>,

    /// Print the number of findings per code instead of each finding.
    #[arg(long)]
    pub statistics: bool,

    /// Print the findings and nothing else (no summary line).
    #[arg(long, short)]
    pub quiet: bool,

    /// Read one document from standard input and report it under this name (with --fix, the
    /// fixed text goes to standard output).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,

    /// Read and fill the on-disk facts cache the language server uses (`[cache]` in
    /// seedls.toml says where), so that the server's next start skips parsing these files
    /// (for whole folders, the pack a warm start reads in one piece).
    #[arg(long)]
    pub cache: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// W3C Web Annotation JSON-LD: one AnnotationCollection per article.
    W3c,
    /// brat standoff: one .ann file per article (needs --out).
    Brat,
    /// One JSON object per article and line: text, meta, spans (Prodigy, spaCy).
    Jsonl,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Files or folders to export (default: ./seeds if it exists, else .).
    pub paths: Vec<PathBuf>,

    /// Annotation format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,

    /// Folder to write one file per article into (w3c and jsonl go to standard output without it).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn lists_take_commas() {
        let cli = Cli::try_parse_from(["seedls", "check", "--select", "infobox-,heading-spacing", "--ignore=x"])
            .expect("parses");
        let Some(Command::Check(check)) = cli.command else {
            panic!("check");
        };
        assert_eq!(check.select, ["infobox-", "heading-spacing"]);
        assert_eq!(check.ignore, ["x"]);
    }
}
