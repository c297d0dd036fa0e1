//! Diagnostic codes: the catalogue of everything seedls reports, as data.
//!
//! Each code is a variant of [`Code`]; its name (`infobox-empty-item`), default [`Severity`],
//! summary and [`FixSafety`] come from one exhaustive `match` in [`Code::info`], so a new
//! variant without an entry does not compile, and the catalogue (`seedls codes`, README's
//! table, SARIF's rules) is generated from [`Code::ALL`]. The module sits below `index`
//! because both the index (`seedls.toml` names codes) and `ide` (which reports them) need it;
//! it is data about diagnostics, not a feature.

use std::collections::HashMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }

    pub fn parse(word: &str) -> Option<Severity> {
        match word {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "information" | "info" => Some(Severity::Information),
            "hint" => Some(Severity::Hint),
            _ => None,
        }
    }
}

/// Whether `seedls check --fix` may apply a code's quick fix without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixSafety {
    /// The fix cannot change what the text says: whitespace, markup residue, scrape debris,
    /// empty list items, heading markers. Applied by `--fix`.
    Safe,
    /// The fix makes a choice (the nearest key, a spelling, a heading level, what is a title).
    /// Applied only with `--unsafe-fixes`, and only when the diagnostic offers a single fix.
    Unsafe,
    /// The code has no quick fix.
    None,
}

impl FixSafety {
    pub fn as_str(self) -> &'static str {
        match self {
            FixSafety::Safe => "safe",
            FixSafety::Unsafe => "unsafe",
            FixSafety::None => "",
        }
    }
}

/// One entry of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    pub name: &'static str,
    pub severity: Severity,
    pub fix: FixSafety,
    pub summary: &'static str,
}

/// Declares the enum and [`Code::ALL`] from one list, so `ALL` cannot miss a variant.
macro_rules! codes {
    ($($variant:ident),* $(,)?) => {
        /// A diagnostic code. Its string name is [`Code::as_str`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($variant),*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];
        }
    };
}

codes! {
    InfoboxSyntax,
    InfoboxDuplicateKey,
    InfoboxUnknownKey,
    InfoboxMissingKey,
    InfoboxEmptyValue,
    InfoboxEmptyItem,
    InfoboxMarkup,
    InfoboxSideMismatch,
    InfoboxNesting,
    InfoboxDate,
    InfoboxMisplaced,
    TitleMissing,
    HeadingSyntax,
    HeadingSpacing,
    HeadingLevelSkip,
    BareHeading,
    CitationNeeded,
    StrayCitation,
    ScrapeDebris,
    MissingSpace,
    DanglingText,
    UnresolvedLink,
    NameVariant,
    DuplicateTitle,
    ConfigError,
}

const fn info(name: &'static str, severity: Severity, fix: FixSafety, summary: &'static str) -> CodeInfo {
    CodeInfo { name, severity, fix, summary }
}

impl Code {
    /// The catalogue entry: one arm per code, checked exhaustive by the compiler.
    pub const fn info(self) -> CodeInfo {
        use FixSafety::{None as NoFix, Safe, Unsafe};
        use Severity::{Error, Hint, Information, Warning};
        match self {
            Code::InfoboxSyntax => {
                info("infobox-syntax", Error, NoFix, "a line inside the infobox block not of the form `- Key: Value`")
            }
            Code::InfoboxDuplicateKey => {
                info("infobox-duplicate-key", Error, Unsafe, "a key given twice (the later one is flagged)")
            }
            Code::InfoboxUnknownKey => info(
                "infobox-unknown-key",
                Warning,
                Unsafe,
                "a key outside the schema; the nearest known key is suggested",
            ),
            Code::InfoboxMissingKey => {
                info("infobox-missing-key", Warning, Unsafe, "a required key is absent (Conflict, Date, Place, Result)")
            }
            Code::InfoboxEmptyValue => info(
                "infobox-empty-value",
                Warning,
                NoFix,
                "a value that is empty or only separators (`- Combatant2: ,`)",
            ),
            Code::InfoboxEmptyItem => {
                info("infobox-empty-item", Warning, Safe, "an empty item in a list (`LANÇ<hr />, , Bulgaria,`)")
            }
            Code::InfoboxMarkup => info(
                "infobox-markup",
                Warning,
                Safe,
                "leftover markup: HTML tags (`<hr>`, `<br>`), image sizes (`22px`)",
            ),
            Code::InfoboxSideMismatch => info(
                "infobox-side-mismatch",
                Warning,
                NoFix,
                "`CommanderN`/`UnitsN`/`StrengthN`/`CasualtiesN` for a side with no `CombatantN`",
            ),
            Code::InfoboxNesting => info(
                "infobox-nesting",
                Warning,
                NoFix,
                "a `**` item not under a `*` item, or a `*` item with no parent",
            ),
            Code::InfoboxDate => info(
                "infobox-date",
                Warning,
                NoFix,
                "a Date that cannot be read as a date or range, or a range that ends before it starts",
            ),
            Code::InfoboxMisplaced => {
                info("infobox-misplaced", Warning, NoFix, "a second infobox, or an infobox after body text")
            }
            Code::TitleMissing => info(
                "title-missing",
                Information,
                Unsafe,
                "the title is a bare line rather than `= Title =` (or there is none)",
            ),
            Code::HeadingSyntax => info("heading-syntax", Error, Unsafe, "unbalanced `=` markers (`== Legacy =`)"),
            Code::HeadingSpacing => {
                info("heading-spacing", Hint, Safe, "`==Aftermath==` without spaces inside the markers")
            }
            Code::HeadingLevelSkip => info(
                "heading-level-skip",
                Warning,
                NoFix,
                "a heading two levels below its parent (`===` straight under the title)",
            ),
            Code::BareHeading => info(
                "bare-heading",
                Information,
                Unsafe,
                "a standalone line that reads as a section heading (`Background`)",
            ),
            Code::CitationNeeded => {
                info("citation-needed", Warning, NoFix, "a `[citation needed]` marker: the claim needs a source")
            }
            Code::StrayCitation => info(
                "stray-citation",
                Hint,
                Unsafe,
                "numbered reference markers with no reference list in the document",
            ),
            Code::ScrapeDebris => info(
                "scrape-debris",
                Warning,
                Safe,
                "navigation and scrape leftovers (`< Prev   Next >`, lines of only non-breaking spaces)",
            ),
            Code::MissingSpace => {
                info("missing-space", Hint, Unsafe, "two sentences joined without a space (`Mitrovica.Meanwhile`)")
            }
            Code::DanglingText => info(
                "dangling-text",
                Hint,
                NoFix,
                "text broken by a removed link or quote: `in the .`, a space before punctuation, a paragraph ending in `:`",
            ),
            Code::UnresolvedLink => {
                info("unresolved-link", Hint, NoFix, "a See-also item naming no article in the workspace")
            }
            Code::NameVariant => info(
                "name-variant",
                Information,
                Unsafe,
                "a name that is a near-spelling of another known entity of the same kind",
            ),
            Code::DuplicateTitle => info("duplicate-title", Warning, NoFix, "two articles with the same title"),
            Code::ConfigError => info(
                "config-error",
                Error,
                NoFix,
                "a problem in `seedls.toml`: bad TOML, an unknown key or code, a bad severity or glob",
            ),
        }
    }

    /// The stable kebab-case name users write (`infobox-empty-item`).
    pub const fn as_str(self) -> &'static str {
        self.info().name
    }

    pub const fn default_severity(self) -> Severity {
        self.info().severity
    }

    pub const fn fix_safety(self) -> FixSafety {
        self.info().fix
    }

    pub fn has_fix(self) -> bool {
        self.fix_safety() != FixSafety::None
    }

    /// The code with this name, if there is one.
    pub fn parse(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|code| code.as_str() == name)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for Code {
    type Err = String;

    fn from_str(name: &str) -> Result<Code, String> {
        Code::parse(name).ok_or_else(|| format!("unknown diagnostic code `{name}`"))
    }
}

/// Severity per code as the user configured it: a new severity, or `None` for off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeverityOverrides(pub HashMap<Code, Option<Severity>>);

impl SeverityOverrides {
    /// The severity `code` is shown at: the user's choice, else the default; `None` when off.
    pub fn severity(&self, code: Code) -> Option<Severity> {
        match self.0.get(&code) {
            Some(chosen) => *chosen,
            None => Some(code.default_severity()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_parse_back() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|code| code.as_str()).collect();
        for code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(*code));
            assert_eq!(code.as_str().parse::<Code>(), Ok(*code));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
        assert!(names.iter().all(|name| name.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
        assert_eq!(Code::parse("no-such-code"), None);
        assert_eq!("Infobox-Syntax".parse::<Code>(), Err("unknown diagnostic code `Infobox-Syntax`".to_string()));
    }

    #[test]
    fn overrides_fall_back_to_the_default() {
        let overrides = SeverityOverrides(
            [(Code::StrayCitation, None), (Code::CitationNeeded, Some(Severity::Error))].into_iter().collect(),
        );
        assert_eq!(overrides.severity(Code::StrayCitation), None);
        assert_eq!(overrides.severity(Code::CitationNeeded), Some(Severity::Error));
        assert_eq!(overrides.severity(Code::HeadingSpacing), Some(Severity::Hint));
    }
}
