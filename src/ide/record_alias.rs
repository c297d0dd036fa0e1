//! "Same person: record an alias": the edit to `seedls.toml` that makes two spellings one
//! entity (`[aliases]` maps a spelling to the one it stands for). The edge reads the file,
//! if there is one, and sends the edit (or creates the file); nothing here touches the disk.

use crate::ide::TextEdit;
use crate::syntax::TextRange;

/// The edit that records `alias` as another spelling of `canonical` in a `seedls.toml` whose
/// text is `config` (`None`: the file does not exist yet, the edit is its whole text).
pub fn record_alias(config: Option<&str>, alias: &str, canonical: &str) -> TextEdit {
    let entry = format!("{} = {}\n", toml_string(alias), toml_string(canonical));
    let Some(config) = config else {
        return TextEdit::insert(0, format!("[aliases]\n{entry}"));
    };
    // Under an existing `[aliases]` header, right after it.
    let mut offset = 0;
    for line in config.split_inclusive('\n') {
        offset += line.len();
        if line.trim() == "[aliases]" {
            let separator = if line.ends_with('\n') { "" } else { "\n" };
            return TextEdit { range: TextRange::empty(offset), new_text: format!("{separator}{entry}") };
        }
    }
    let separator = match config {
        "" => "",
        text if text.ends_with("\n\n") => "",
        text if text.ends_with('\n') => "\n",
        _ => "\n\n",
    };
    TextEdit::insert(config.len(), format!("{separator}[aliases]\n{entry}"))
}

/// A TOML basic string: quoted, with `\` and `"` and control characters escaped.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out += "\\\"",
            '\\' => out += "\\\\",
            c if c.is_control() => out += &format!("\\u{:04X}", c as u32),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::apply_edits;

    #[track_caller]
    fn check(config: Option<&str>, expected: &str) {
        let edit = record_alias(config, "Mit'hat Frashëri", "Midhat Frashëri");
        let written = apply_edits(config.unwrap_or(""), &[edit]);
        assert_eq!(written, expected);
        let parsed: toml::Table = toml::from_str(&written).expect("still TOML");
        assert_eq!(parsed["aliases"]["Mit'hat Frashëri"].as_str(), Some("Midhat Frashëri"));
    }

    #[test]
    fn a_new_file_holds_the_table() {
        check(None, "[aliases]\n\"Mit'hat Frashëri\" = \"Midhat Frashëri\"\n");
    }

    #[test]
    fn an_existing_table_gets_the_entry_first() {
        check(
            Some("[files]\nexclude = []\n[aliases]\n\"A\" = \"B\"\n"),
            "[files]\nexclude = []\n[aliases]\n\"Mit'hat Frashëri\" = \"Midhat Frashëri\"\n\"A\" = \"B\"\n",
        );
    }

    #[test]
    fn a_file_without_the_table_gets_it_at_the_end() {
        check(
            Some("[files]\nexclude = []"),
            "[files]\nexclude = []\n\n[aliases]\n\"Mit'hat Frashëri\" = \"Midhat Frashëri\"\n",
        );
    }

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(toml_string("a \"b\" \\ c"), "\"a \\\"b\\\" \\\\ c\"");
    }
}
