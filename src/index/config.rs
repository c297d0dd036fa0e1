//! `seedls.toml`: a workspace's settings. Read from text (the edges read the file); errors
//! come back with their byte ranges so they can be shown as diagnostics in that file.
//!
//! ```toml
//! [files]
//! include = ["**/*.txt", "**/*.seed"]
//! exclude = ["drafts/**"]
//!
//! [infobox]
//! extra_keys = ["Weather"]
//! required_keys = ["Conflict", "Date", "Place", "Result"]
//!
//! [diagnostics]
//! stray-citation = "off"
//! citation-needed = "error"
//! scope = "workspace"              # problems of closed files too (default: "open")
//!
//! [aliases]                        # another spelling = the name it stands for
//! "Mit'hat Frashëri" = "Midhat Frashëri"
//!
//! [names]
//! ignore = [["Army Group E", "Army Group F"]]   # near-spellings that are different entities
//! ```

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use toml::Spanned;

use crate::codes::{Code, Severity, SeverityOverrides};
use crate::index::schema::Schema;
use crate::syntax::TextRange;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub schema_extra_keys: Vec<String>,
    pub required_keys: Option<Vec<String>>,
    pub severities: SeverityOverrides,
    /// Whose problems a client that does not pull diagnostics is sent; `None`: not set here.
    pub scope: Option<DiagnosticsScope>,
    /// (alias, canonical name): two spellings of one entity.
    pub aliases: Vec<(String, String)>,
    /// Pairs of near-spellings that are truly different entities (no `name-variant`).
    pub ignored_name_pairs: Vec<(String, String)>,
    /// `[cache]`: the on-disk facts cache.
    pub cache: crate::index::shard::CacheSettings,
}

/// Which files' problems are published to a client that does not pull them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DiagnosticsScope {
    /// The documents open in the editor.
    #[default]
    Open,
    /// Every file of the workspace.
    Workspace,
}

impl DiagnosticsScope {
    pub fn parse(word: &str) -> Option<DiagnosticsScope> {
        match word {
            "open" => Some(DiagnosticsScope::Open),
            "workspace" => Some(DiagnosticsScope::Workspace),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub range: TextRange,
    pub message: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    files: RawFiles,
    #[serde(default)]
    infobox: RawInfobox,
    /// Spanned keys and values, so that an error points at that key or value itself
    /// (a textual search would find the first match, perhaps inside another key).
    #[serde(default)]
    diagnostics: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    aliases: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    names: RawNames,
    #[serde(default)]
    cache: crate::index::shard::CacheSettings,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawNames {
    #[serde(default)]
    ignore: Vec<Spanned<Vec<String>>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFiles {
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawInfobox {
    #[serde(default)]
    extra_keys: Vec<String>,
    required_keys: Option<Vec<String>>,
}

impl Config {
    /// Reads a `seedls.toml`. What can be read is kept; each problem is an error with a range.
    pub fn parse(text: &str) -> (Config, Vec<ConfigError>) {
        let raw: RawConfig = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(error) => {
                let range = error
                    .span()
                    .map_or(TextRange::empty(0), |span| TextRange::new(span.start, span.end.max(span.start)));
                return (Config::default(), vec![ConfigError { range, message: error.message().to_string() }]);
            }
        };
        let mut errors = Vec::new();
        let mut severities = HashMap::new();
        let mut scope = None;
        for (name, level) in raw.diagnostics {
            if name.get_ref() == "scope" {
                scope = DiagnosticsScope::parse(level.get_ref());
                if scope.is_none() {
                    errors.push(ConfigError {
                        range: string_range(text, &level),
                        message: format!("`{}` is not a scope: use open or workspace", level.get_ref()),
                    });
                }
                continue;
            }
            let Some(code) = Code::parse(name.get_ref()) else {
                errors.push(ConfigError {
                    range: span_range(&name),
                    message: format!("unknown diagnostic code `{}`{}", name.get_ref(), suggestion(name.get_ref())),
                });
                continue;
            };
            match level.get_ref().as_str() {
                "off" => {
                    severities.insert(code, None);
                }
                word => match Severity::parse(word) {
                    Some(severity) => {
                        severities.insert(code, Some(severity));
                    }
                    None => errors.push(ConfigError {
                        range: string_range(text, &level),
                        message: format!("`{word}` is not a severity: use error, warning, information, hint or off"),
                    }),
                },
            }
        }
        for pattern in raw.files.include.iter().chain(&raw.files.exclude) {
            if let Err(error) = globset::Glob::new(pattern.get_ref()) {
                errors.push(ConfigError {
                    range: string_range(text, pattern),
                    message: format!("bad glob `{}`: {error}", pattern.get_ref()),
                });
            }
        }
        let aliases = read_aliases(text, raw.aliases, &mut errors);
        let mut ignored_name_pairs = Vec::new();
        for pair in raw.names.ignore {
            match pair.get_ref().as_slice() {
                [a, b] => ignored_name_pairs.push((a.clone(), b.clone())),
                _ => errors.push(ConfigError {
                    range: span_range(&pair),
                    message: "each `ignore` entry is a pair of names: [\"A\", \"B\"]".to_string(),
                }),
            }
        }
        let config = Config {
            scope,
            aliases,
            ignored_name_pairs,
            include: raw.files.include.into_iter().map(Spanned::into_inner).collect(),
            exclude: raw.files.exclude.into_iter().map(Spanned::into_inner).collect(),
            schema_extra_keys: raw.infobox.extra_keys,
            required_keys: raw.infobox.required_keys,
            severities: SeverityOverrides(severities),
            cache: raw.cache,
        };
        (config, errors)
    }

    pub fn schema(&self) -> Schema {
        let mut schema = Schema::default();
        schema.extra_keys.extend(self.schema_extra_keys.iter().cloned());
        if let Some(required) = &self.required_keys {
            schema.required = required.clone();
        }
        schema
    }
}

/// The `[aliases]` table: each alias must differ from its name, and a name an alias points at
/// must not itself be an alias (one step, so that a chain cannot loop).
fn read_aliases(
    text: &str,
    table: BTreeMap<Spanned<String>, Spanned<String>>,
    errors: &mut Vec<ConfigError>,
) -> Vec<(String, String)> {
    let aliases: HashMap<&str, &str> =
        table.iter().map(|(alias, canonical)| (alias.get_ref().as_str(), canonical.get_ref().as_str())).collect();
    let mut kept = Vec::new();
    for (alias, canonical) in &table {
        let (alias_name, canonical_name) = (alias.get_ref().trim(), canonical.get_ref().trim());
        if alias_name.is_empty() || canonical_name.is_empty() {
            errors.push(ConfigError {
                range: span_range(alias),
                message: "an alias and its name cannot be empty".into(),
            });
        } else if alias_name == canonical_name {
            errors.push(ConfigError {
                range: span_range(alias),
                message: format!("`{alias_name}` is an alias of itself: remove the line"),
            });
        } else if let Some(further) = aliases.get(canonical.get_ref().as_str()) {
            errors.push(ConfigError {
                range: string_range(text, canonical),
                message: format!(
                    "`{canonical_name}` is itself an alias of `{further}`: point `{alias_name}` at `{further}`"
                ),
            });
        } else {
            kept.push((alias_name.to_string(), canonical_name.to_string()));
        }
    }
    kept
}

fn span_range<T>(spanned: &Spanned<T>) -> TextRange {
    let span = spanned.span();
    TextRange::new(span.start, span.end.max(span.start))
}

/// The range of a string value without its quotes (`"loud"` → `loud`), so the underline sits
/// on the word the message names.
fn string_range(text: &str, spanned: &Spanned<String>) -> TextRange {
    let range = span_range(spanned);
    let token = text.get(range.start()..range.end()).unwrap_or("");
    let quoted = token.len() >= 2
        && (token.starts_with('"') && token.ends_with('"') || token.starts_with('\'') && token.ends_with('\''));
    if quoted && !token.starts_with("\"\"\"") && !token.starts_with("'''") {
        TextRange::new(range.start() + 1, range.end() - 1)
    } else {
        range
    }
}

/// `: did you mean `x`?` for a near-miss of a code's name, else nothing.
fn suggestion(name: &str) -> String {
    let lowered = name.to_lowercase();
    Code::ALL
        .iter()
        .map(|code| (crate::index::schema::edit_distance(&lowered, code.as_str()), code))
        .filter(|(distance, _)| *distance <= 3)
        .min_by_key(|(distance, _)| *distance)
        .map_or(String::new(), |(_, code)| format!(": did you mean `{code}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_names_and_scope_read() {
        let text = "[diagnostics]\nscope = \"workspace\"\n[aliases]\n\"Mit'hat Frashëri\" = \"Midhat Frashëri\"\n\"A\" = \"A\"\n\"B\" = \"Mit'hat Frashëri\"\n[names]\nignore = [[\"Army Group E\", \"Army Group F\"], [\"lonely\"]]\n";
        let (config, errors) = Config::parse(text);
        assert_eq!(config.scope, Some(DiagnosticsScope::Workspace));
        assert_eq!(config.aliases, [("Mit'hat Frashëri".to_string(), "Midhat Frashëri".to_string())]);
        assert_eq!(config.ignored_name_pairs, [("Army Group E".to_string(), "Army Group F".to_string())]);
        let shown: Vec<String> = errors.iter().map(|e| format!("{} | {}", e.range.slice(text), e.message)).collect();
        assert_eq!(
            shown,
            [
                "\"A\" | `A` is an alias of itself: remove the line",
                "Mit'hat Frashëri | `Mit'hat Frashëri` is itself an alias of `Midhat Frashëri`: point `B` at `Midhat Frashëri`",
                "[\"lonely\"] | each `ignore` entry is a pair of names: [\"A\", \"B\"]",
            ]
        );
        let (_, errors) = Config::parse("[diagnostics]\nscope = \"everything\"\n");
        assert_eq!(errors[0].message, "`everything` is not a scope: use open or workspace");
    }

    #[test]
    fn a_full_config_reads() {
        let (config, errors) = Config::parse(
            "[files]\nexclude = [\"drafts/**\"]\n[infobox]\nextra_keys = [\"Weather\"]\nrequired_keys = [\"Conflict\"]\n[diagnostics]\nstray-citation = \"off\"\ncitation-needed = \"error\"\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(config.exclude, ["drafts/**"]);
        assert!(config.schema().extra_keys.contains("Weather"));
        assert_eq!(config.schema().required, ["Conflict"]);
        assert_eq!(config.severities.0.get(&Code::StrayCitation), Some(&None));
        assert_eq!(config.severities.0.get(&Code::CitationNeeded), Some(&Some(Severity::Error)));
    }

    #[test]
    fn errors_point_at_what_is_wrong() {
        let text = "[diagnostics]\nno-such-code = \"off\"\ncitation-needed = \"loud\"\n";
        let (_, errors) = Config::parse(text);
        let shown: Vec<String> = errors.iter().map(|e| format!("{} {}", e.range.slice(text), e.message)).collect();
        assert!(shown.contains(&"no-such-code unknown diagnostic code `no-such-code`".to_string()), "{shown:?}");
        assert!(shown.iter().any(|s| s.starts_with("loud ")), "{shown:?}");
        let (_, errors) = Config::parse("[files\n");
        assert_eq!(errors.len(), 1);
        let (_, errors) = Config::parse("[unknown]\n");
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn an_unknown_code_is_flagged_at_its_own_key_not_where_its_name_first_appears() {
        // `heading-spacin` first occurs inside the value of `title-missing` (a bad severity
        // there too), then as a key of its own: the error belongs to the key.
        let text = "[diagnostics]\ntitle-missing = \"heading-spacin\"\nheading-spacin = \"off\"\n";
        let (config, errors) = Config::parse(text);
        let key_start = text.rfind("heading-spacin =").unwrap();
        let unknown = errors.iter().find(|e| e.message.starts_with("unknown diagnostic code")).unwrap();
        assert_eq!(unknown.range, TextRange::new(key_start, key_start + "heading-spacin".len()));
        assert_eq!(unknown.message, "unknown diagnostic code `heading-spacin`: did you mean `heading-spacing`?");
        let bad_level = errors.iter().find(|e| e.message.contains("is not a severity")).unwrap();
        assert_eq!(
            bad_level.range,
            TextRange::new(text.find("heading-spacin").unwrap(), text.find("heading-spacin").unwrap() + 14)
        );
        assert!(config.severities.0.is_empty());
    }

    #[test]
    fn a_bad_glob_is_flagged_where_it_stands() {
        let text = "[files]\ninclude = [\"a/**\", \"[\"]\n";
        let (_, errors) = Config::parse(text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].range, TextRange::new(text.rfind('[').unwrap(), text.rfind('[').unwrap() + 1));
    }
}
