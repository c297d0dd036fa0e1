//! The accuracy corpus: articles written for this project in the scraped style of the seeds
//! (`tests/corpus/*.txt`), each with the diagnostics a careful human editor would flag recorded
//! beside it (`*.expected`). The corpus is one workspace, so cross-article codes
//! (`unresolved-link`, `name-variant`, `duplicate-title`) are computed as in an editor.
//!
//! An `.expected` file holds one finding a line, `LINE:code` (1-based line of the start of
//! the diagnostic), with `#` comments. Two prefixes record what seedls is known to get wrong,
//! so that the measured precision and recall stay honest while the test still pins behaviour:
//!
//! - `missed LINE:code` — a human flags it, seedls knowingly stays silent (a false negative);
//! - `false-alarm LINE:code` — seedls reports it, a human would not (a false positive).
//!
//! `corpus_matches_expectations` fails on any other difference, with a readable diff.
//! `accuracy_doc_is_current` keeps `docs/ACCURACY.md` (precision and recall per code) in step;
//! `SEEDLS_WRITE_ACCURACY=1 cargo test --test corpus` rewrites it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use seedls::codes::{Code, Severity, SeverityOverrides};
use seedls::ide::diagnostics::diagnostics;
use seedls::index::Workspace;
use seedls::index::schema::Schema;
use seedls::position::{Encoding, LineIndex};

const REGENERATE: &str = "SEEDLS_WRITE_ACCURACY=1 cargo test --test corpus";

/// One finding: a line (1-based) and a code.
type Finding = (usize, String);

struct Article {
    name: String,
    /// What seedls reports, with messages for the diff.
    reported: Vec<(Finding, String)>,
    /// The ground truth: what a careful editor flags.
    truth: Vec<Finding>,
    /// Ground-truth findings seedls is known to miss.
    known_misses: Vec<Finding>,
    /// Findings seedls is known to report wrongly.
    known_false_alarms: Vec<Finding>,
}

fn corpus_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn parse_finding(text: &str, file: &str, number: usize) -> Finding {
    let (line, code) =
        text.split_once(':').unwrap_or_else(|| panic!("{file}:{number}: expected `LINE:code`, found `{text}`"));
    let line: usize = line.trim().parse().unwrap_or_else(|_| panic!("{file}:{number}: `{line}` is not a line number"));
    let code = code.trim();
    assert!(Code::parse(code).is_some(), "{file}:{number}: `{code}` is not a diagnostic code");
    (line, code.to_string())
}

/// The `.expected` file: (truth, known misses, known false alarms).
fn read_expected(path: &Path) -> (Vec<Finding>, Vec<Finding>, Vec<Finding>) {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).unwrap_or_else(|_| panic!("{file} is missing"));
    let (mut truth, mut misses, mut false_alarms) = (Vec::new(), Vec::new(), Vec::new());
    for (index, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        if let Some(rest) = content.strip_prefix("missed ") {
            let finding = parse_finding(rest, &file, index + 1);
            truth.push(finding.clone());
            misses.push(finding);
        } else if let Some(rest) = content.strip_prefix("false-alarm ") {
            false_alarms.push(parse_finding(rest, &file, index + 1));
        } else {
            truth.push(parse_finding(content, &file, index + 1));
        }
    }
    (truth, misses, false_alarms)
}

/// Every article of the corpus with its expectations and what seedls reports over the
/// whole corpus as one workspace.
fn load_corpus() -> Vec<Article> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus_folder())
        .expect("tests/corpus exists")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    paths.sort();
    let mut workspace = Workspace::new(Schema::default());
    let files: Vec<(String, Arc<str>)> = paths
        .iter()
        .map(|path| {
            let name = path.file_name().expect("a file name").to_string_lossy().into_owned();
            let text = std::fs::read_to_string(path).expect("corpus articles are UTF-8");
            (format!("tests/corpus/{name}"), Arc::<str>::from(text))
        })
        .collect();
    workspace.set_files(files);
    paths
        .iter()
        .map(|path| {
            let name = path.file_name().expect("a file name").to_string_lossy().into_owned();
            let id = workspace.file_id(&format!("tests/corpus/{name}")).expect("the article was loaded");
            let source = workspace.file(id).expect("the article was loaded");
            let index = LineIndex::new(source.text());
            let reported = diagnostics(&workspace, id, &SeverityOverrides::default())
                .into_iter()
                .map(|diagnostic| {
                    let line =
                        index.line_col(source.text(), diagnostic.range.start(), Encoding::Chars).line as usize + 1;
                    ((line, diagnostic.code.to_string()), diagnostic.message)
                })
                .collect();
            let (truth, known_misses, known_false_alarms) = read_expected(&path.with_extension("expected"));
            Article { name, reported, truth, known_misses, known_false_alarms }
        })
        .collect()
}

/// `a − b` as multisets.
fn minus(a: &[Finding], b: &[Finding]) -> Vec<Finding> {
    let mut left = b.to_vec();
    let mut out = Vec::new();
    for finding in a {
        if let Some(position) = left.iter().position(|other| other == finding) {
            left.remove(position);
        } else {
            out.push(finding.clone());
        }
    }
    out
}

fn findings(article: &Article) -> Vec<Finding> {
    article.reported.iter().map(|(finding, _)| finding.clone()).collect()
}

#[test]
fn corpus_matches_expectations() {
    let corpus = load_corpus();
    assert!(corpus.len() >= 30, "the corpus has {} articles; it needs at least 30", corpus.len());
    let mut report = String::new();
    for article in &corpus {
        let reported = findings(article);
        // What the test pins: the truth, less the known misses, plus the known false alarms.
        let mut pinned = minus(&article.truth, &article.known_misses);
        pinned.extend(article.known_false_alarms.iter().cloned());
        for finding in minus(&reported, &pinned) {
            let message = article
                .reported
                .iter()
                .find(|(reported, _)| *reported == finding)
                .map_or("", |(_, message)| message.as_str());
            report += &format!("{}: reported, not expected: {}:{} ({message})\n", article.name, finding.0, finding.1);
        }
        for finding in minus(&pinned, &reported) {
            report += &format!("{}: expected, not reported: {}:{}\n", article.name, finding.0, finding.1);
        }
    }
    assert!(report.is_empty(), "the corpus disagrees with its expectations:\n{report}");
}

/// Counts for one code over the corpus.
#[derive(Default, Clone, Copy)]
struct Counts {
    expected: usize,
    reported: usize,
    true_positives: usize,
}

fn ratio(numerator: usize, denominator: usize) -> String {
    if denominator == 0 { "–".to_string() } else { format!("{:.3}", numerator as f64 / denominator as f64) }
}

/// `docs/ACCURACY.md` as the corpus measures it today, without its date line.
fn accuracy_report(corpus: &[Article]) -> String {
    let mut counts: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut clean_articles = 0;
    let mut false_alarms_on_clean = 0;
    for article in corpus {
        let reported = findings(article);
        if article.truth.is_empty() {
            clean_articles += 1;
            false_alarms_on_clean += reported.len();
        }
        for &info in Code::ALL.iter().filter(|&&code| code != Code::ConfigError) {
            let of_code = |list: &[Finding]| -> Vec<Finding> {
                list.iter().filter(|(_, code)| code == info.as_str()).cloned().collect()
            };
            let truth = of_code(&article.truth);
            let reported = of_code(&reported);
            let entry = counts.entry(info.as_str()).or_default();
            entry.expected += truth.len();
            entry.reported += reported.len();
            entry.true_positives += truth.len() - minus(&truth, &reported).len();
        }
    }
    let mut out = String::new();
    out += "# Diagnostic accuracy over the corpus\n\n";
    out += &format!(
        "Measured over the {} articles of `tests/corpus/` ({clean_articles} clean, the rest with planted defects), \
         loaded as one workspace. Each article's expected diagnostics (`LINE:code`) are recorded beside it \
         in a `.expected` file, written by hand as a careful editor would flag the text. A true positive is \
         a diagnostic reported with the expected code on the expected line; a false positive is reported \
         but not expected; a false negative is expected but not reported. Known misses and false alarms are \
         marked `missed` and `false-alarm` in the `.expected` files, with the reason. \
         A caution: the rules were fixed against this corpus, so these figures are agreement on text \
         seedls was tuned on. Each batch of articles written after a round of fixes found new false \
         alarms (see the git history of `tests/corpus/`); new articles are the honest test.\n\n",
        corpus.len()
    );
    out += &format!("Regenerate with `{REGENERATE}`; `cargo test --test corpus` fails when this file is stale.\n\n");
    out += "| code | severity | expected | reported | TP | FP | FN | precision | recall |\n";
    out += "|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
    let mut totals = Counts::default();
    let mut by_severity: BTreeMap<Severity, Counts> = BTreeMap::new();
    for &info in Code::ALL.iter().filter(|&&code| code != Code::ConfigError) {
        let c = counts[info.as_str()];
        out += &format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            info.as_str(),
            info.default_severity().as_str(),
            c.expected,
            c.reported,
            c.true_positives,
            c.reported - c.true_positives,
            c.expected - c.true_positives,
            ratio(c.true_positives, c.reported),
            ratio(c.true_positives, c.expected),
        );
        for sum in [&mut totals, by_severity.entry(info.default_severity()).or_default()] {
            sum.expected += c.expected;
            sum.reported += c.reported;
            sum.true_positives += c.true_positives;
        }
    }
    out += "\n| severity | expected | reported | TP | FP | FN | precision | recall |\n";
    out += "|---|---:|---:|---:|---:|---:|---:|---:|\n";
    let rows = by_severity.iter().map(|(severity, c)| (severity.as_str(), *c)).chain([("**all**", totals)]);
    for (label, c) in rows {
        out += &format!(
            "| {label} | {} | {} | {} | {} | {} | {} | {} |\n",
            c.expected,
            c.reported,
            c.true_positives,
            c.reported - c.true_positives,
            c.expected - c.true_positives,
            ratio(c.true_positives, c.reported),
            ratio(c.true_positives, c.expected),
        );
    }
    out += &format!(
        "\nFalse alarms on the {clean_articles} clean articles: {false_alarms_on_clean}. \
         A `–` is a ratio over zero findings (the code neither expected nor reported).\n"
    );
    let known: Vec<String> = corpus
        .iter()
        .flat_map(|article| {
            let misses = article
                .known_misses
                .iter()
                .map(move |(line, code)| format!("- missed: `{}` line {line}, `{code}`\n", article.name));
            let alarms = article
                .known_false_alarms
                .iter()
                .map(move |(line, code)| format!("- false alarm: `{}` line {line}, `{code}`\n", article.name));
            misses.chain(alarms)
        })
        .collect();
    if !known.is_empty() {
        out += "\nKnown errors (the reasons are in the `.expected` files):\n\n";
        out += &known.concat();
    }
    out
}

const DATE_PREFIX: &str = "Measured on ";

/// Today's date (UTC) as `YYYY-MM-DD`, from the system clock (Howard Hinnant's civil_from_days).
fn today() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |duration| duration.as_secs() as i64);
    let z = seconds.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn without_date(text: &str) -> String {
    text.lines().filter(|line| !line.starts_with(DATE_PREFIX)).map(|line| format!("{line}\n")).collect()
}

#[test]
fn accuracy_doc_is_current() {
    let report = accuracy_report(&load_corpus());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ACCURACY.md");
    if std::env::var_os("SEEDLS_WRITE_ACCURACY").is_some() {
        let dated = format!("{report}\n{DATE_PREFIX}{} with `{REGENERATE}`.\n", today());
        std::fs::write(&path, dated).expect("docs/ACCURACY.md is writable");
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        without_date(&current).trim_end(),
        without_date(&report).trim_end(),
        "docs/ACCURACY.md is stale: regenerate it with `{REGENERATE}`"
    );
}

#[test]
fn every_article_has_its_expectations() {
    for entry in std::fs::read_dir(corpus_folder()).expect("tests/corpus exists") {
        let path = entry.expect("a readable entry").path();
        match path.extension().and_then(|ext| ext.to_str()) {
            Some("txt") => assert!(path.with_extension("expected").exists(), "{} has no .expected", path.display()),
            Some("expected") => assert!(path.with_extension("txt").exists(), "{} has no article", path.display()),
            _ => panic!("{}: only .txt articles and .expected files belong in tests/corpus", path.display()),
        }
    }
}
