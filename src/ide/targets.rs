//! What stands under the cursor: an entity's name, an infobox key, a Date value or a
//! See-also item. Hover, definition, references and rename all start here.

use crate::index::schema::{KeySpec, key_spec};
use crate::index::{FileId, Workspace, normalize_name};
use crate::syntax::{InfoboxLine, TextRange};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A known name: a mention, a listing, a title.
    Entity {
        name: String,
        range: TextRange,
    },
    /// A See-also item that names no known article.
    UnresolvedLink {
        name: String,
        range: TextRange,
    },
    InfoboxKey {
        key: String,
        side: Option<u8>,
        spec: &'static KeySpec,
        range: TextRange,
    },
    DateValue {
        value: String,
        range: TextRange,
    },
}

impl Target {
    pub fn range(&self) -> TextRange {
        match self {
            Target::Entity { range, .. }
            | Target::UnresolvedLink { range, .. }
            | Target::InfoboxKey { range, .. }
            | Target::DateValue { range, .. } => *range,
        }
    }
}

pub fn target_at(workspace: &Workspace, file: FileId, offset: usize) -> Option<Target> {
    let source = workspace.file(file)?;
    let text = &source.text();
    let document = source.document();
    if let Some(infobox) = document.infobox() {
        for line in &infobox.lines {
            let InfoboxLine::Entry(entry) = line else {
                continue;
            };
            if entry.key.touches(offset) {
                let spec = key_spec(entry.key_base.slice(text))?;
                return Some(Target::InfoboxKey {
                    key: entry.key.slice(text).to_string(),
                    side: entry.side,
                    spec,
                    range: entry.key,
                });
            }
            if entry.key_base.slice(text).eq_ignore_ascii_case("date")
                && entry.value.touches(offset)
                && !entry.value.is_empty()
            {
                return Some(Target::DateValue { value: entry.value.slice(text).to_string(), range: entry.value });
            }
        }
    }
    // Prefer the mention that contains the offset; at a boundary between two, the one that
    // starts there (the cursor stands before its first letter).
    let mentions = workspace.mentions(file);
    let mention = mentions
        .iter()
        .find(|mention| mention.range.start() <= offset && offset < mention.range.end())
        .or_else(|| mentions.iter().find(|mention| mention.range.end() == offset));
    if let Some(mention) = mention {
        return Some(Target::Entity { name: mention.name.to_string(), range: mention.range });
    }
    document
        .see_also_items(text)
        .find(|item| item.text.touches(offset))
        .map(|item| Target::UnresolvedLink { name: normalize_name(item.text.slice(text)), range: item.text })
}
