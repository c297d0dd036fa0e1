//! The `seedls` binary: LSP on stdio with no arguments, `seedls check` on the command line.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use seedls::cli::{OutputFormat, USAGE, run_check};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => {
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
        Some("--help" | "-h" | "help") => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some("--version" | "-V") => {
            println!("seedls {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("check") => check(&args[1..]),
        Some("codes") => {
            print!("{}", seedls::cli::codes_table());
            ExitCode::SUCCESS
        }
        Some(other) => usage_error(&format!("unknown command `{other}`")),
    }
}

fn check(args: &[String]) -> ExitCode {
    let mut format = OutputFormat::Text;
    let mut paths = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--format" => match args.next().map(String::as_str) {
                Some("text") => format = OutputFormat::Text,
                Some("json") => format = OutputFormat::Json,
                Some(other) => {
                    return usage_error(&format!("unknown format `{other}`: use text or json"));
                }
                None => return usage_error("--format needs a value: text or json"),
            },
            flag if flag.starts_with("--format=") => match &flag["--format=".len()..] {
                "text" => format = OutputFormat::Text,
                "json" => format = OutputFormat::Json,
                other => {
                    return usage_error(&format!("unknown format `{other}`: use text or json"));
                }
            },
            flag if flag.starts_with('-') => {
                return usage_error(&format!("unknown option `{flag}`"));
            }
            path => paths.push(PathBuf::from(path)),
        }
    }
    if paths.is_empty() {
        paths.push(if PathBuf::from("seeds").is_dir() { PathBuf::from("seeds") } else { PathBuf::from(".") });
    }
    let status = run_check(&paths, format, &mut std::io::stdout().lock(), &mut std::io::stderr().lock());
    ExitCode::from(status as u8)
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("seedls: {message}\n\n{USAGE}");
    ExitCode::from(2)
}
