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
//! ```

use std::collections::HashMap;

use serde::Deserialize;

use crate::ide::diagnostics::{Severity, SeverityOverrides, code_info};
use crate::index::schema::Schema;
use crate::syntax::TextRange;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub schema_extra_keys: Vec<String>,
    pub required_keys: Option<Vec<String>>,
    pub severities: SeverityOverrides,
    pub cache: crate::index::shard::CacheSettings,
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
    #[serde(default)]
    diagnostics: HashMap<String, String>,
    #[serde(default)]
    cache: crate::index::shard::CacheSettings,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFiles {
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
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
        for (code, level) in raw.diagnostics {
            let range = find_range(text, &code);
            if code_info(&code).is_none() {
                errors.push(ConfigError { range, message: format!("unknown diagnostic code `{code}`") });
                continue;
            }
            match level.as_str() {
                "off" => {
                    severities.insert(code, None);
                }
                other => match Severity::parse(other) {
                    Some(severity) => {
                        severities.insert(code, Some(severity));
                    }
                    None => errors.push(ConfigError {
                        range: find_range(text, &level),
                        message: format!("`{level}` is not a severity: use error, warning, information, hint or off"),
                    }),
                },
            }
        }
        for pattern in raw.files.include.iter().chain(&raw.files.exclude) {
            if let Err(error) = globset::Glob::new(pattern) {
                errors.push(ConfigError {
                    range: find_range(text, pattern),
                    message: format!("bad glob `{pattern}`: {error}"),
                });
            }
        }
        let config = Config {
            include: raw.files.include,
            exclude: raw.files.exclude,
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

fn find_range(text: &str, needle: &str) -> TextRange {
    text.find(needle).map_or(TextRange::empty(0), |start| TextRange::new(start, start + needle.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_config_reads() {
        let (config, errors) = Config::parse(
            "[files]\nexclude = [\"drafts/**\"]\n[infobox]\nextra_keys = [\"Weather\"]\nrequired_keys = [\"Conflict\"]\n[diagnostics]\nstray-citation = \"off\"\ncitation-needed = \"error\"\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(config.exclude, ["drafts/**"]);
        assert!(config.schema().extra_keys.contains("Weather"));
        assert_eq!(config.schema().required, ["Conflict"]);
        assert_eq!(config.severities.0.get("stray-citation"), Some(&None));
        assert_eq!(config.severities.0.get("citation-needed"), Some(&Some(Severity::Error)));
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
}
