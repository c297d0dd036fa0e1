//! Per-file facts: what one article says about the world, computed from its text alone and
//! kept immutable. The workspace is the union of these.

use serde::{Deserialize, Serialize};
use std::sync::{Arc, LazyLock};

use crate::index::date::{DateRange, parse_date};
use crate::syntax::{Document, InfoboxEntry, InfoboxLine, TextRange};

/// What kind of thing a name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityKind {
    Article,
    Person,
    Belligerent,
    Unit,
    Place,
    Conflict,
}

impl EntityKind {
    pub const ALL: [EntityKind; 6] = [
        EntityKind::Article,
        EntityKind::Person,
        EntityKind::Belligerent,
        EntityKind::Unit,
        EntityKind::Place,
        EntityKind::Conflict,
    ];

    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Article => "Article",
            EntityKind::Person => "Person",
            EntityKind::Belligerent => "Belligerent",
            EntityKind::Unit => "Unit",
            EntityKind::Place => "Place",
            EntityKind::Conflict => "Conflict",
        }
    }

    /// The kind of the entities an infobox key lists, if it lists any.
    pub fn for_key(key_base: &str) -> Option<EntityKind> {
        const KINDS: [(&str, EntityKind); 5] = [
            ("commander", EntityKind::Person),
            ("combatant", EntityKind::Belligerent),
            ("units", EntityKind::Unit),
            ("place", EntityKind::Place),
            ("partof", EntityKind::Conflict),
        ];
        // Compared without a lower-cased copy (an allocation per infobox line).
        KINDS.iter().find(|(key, _)| key.eq_ignore_ascii_case(key_base)).map(|&(_, kind)| kind)
    }
}

/// One naming of an entity in an infobox: `Enver Hoxha` as `Commander1` of this article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    /// Shared with the workspace's name table once the file is indexed: stored once.
    pub name: Arc<str>,
    pub kind: EntityKind,
    pub range: TextRange,
    /// The key without its side number: `Commander`.
    pub key: KeyName,
    pub side: Option<u8>,
    /// For units: the listing of the unit this one is nested under, in the same file
    /// ([`FileFacts::parent_of`]; its own parent is the next one out).
    pub parent: ParentIndex,
}

/// Where a listing's parent stands in its file's listings, if it has one: four bytes, not a
/// copy of the chain of names (a listing is the index's most numerous object).
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ParentIndex(u32);

impl ParentIndex {
    pub const NONE: ParentIndex = ParentIndex(u32::MAX);

    /// The index, if it fits (a file with four billion listings has no parents past them).
    pub fn new(index: usize) -> ParentIndex {
        u32::try_from(index).ok().filter(|&index| index != u32::MAX).map_or(ParentIndex::NONE, ParentIndex)
    }

    pub fn get(self) -> Option<usize> {
        (self != ParentIndex::NONE).then_some(self.0 as usize)
    }
}

impl std::fmt::Debug for ParentIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.get(), f)
    }
}

/// An infobox key as written, without its side number (`Commander`). A listing is the
/// index's most numerous object (19 per article), so the key is one pointer wide and the
/// usual spellings share one static copy: a listing has no allocation of its own.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KeyName(Arc<String>);

impl std::ops::Deref for KeyName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for KeyName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl std::fmt::Display for KeyName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

/// A See-also item: a name of another article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// Shared with the workspace's name table once the file is indexed, when an article or a
    /// listing goes by it.
    pub name: Arc<str>,
    pub range: TextRange,
}

/// Serializable for the on-disk cache (`index::shard`): add a field and bump
/// `shard::FORMAT_VERSION`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFacts {
    /// The article's title and where it stands.
    pub title: Option<(String, TextRange)>,
    /// The whole title line (the title's markers included).
    pub title_line: Option<TextRange>,
    /// Other names of the article: the title without `(1944)`, the infobox `Conflict`.
    pub aliases: Vec<String>,
    /// Where the infobox `Conflict` value stands: a declaration of the article's name.
    pub conflict_value: Option<TextRange>,
    pub listings: Vec<Listing>,
    pub see_also: Vec<Link>,
    /// The infobox values shown when hovering the article's name.
    pub date: Option<(String, Option<DateRange>)>,
    pub place: Option<String>,
    pub result: Option<String>,
    /// Where the first sentence of the first paragraph stands (a range, not a copy: it is
    /// the text's own words). [`FileFacts::first_sentence`] reads it.
    pub first_sentence: Option<TextRange>,
}

impl FileFacts {
    /// The greatest end of any range of the facts: a text at least this long, all ASCII,
    /// holds every range on character boundaries.
    pub fn end_of_ranges(&self) -> usize {
        self.ranges().map(|range| range.end()).max().unwrap_or(0)
    }

    /// Every range of the facts.
    pub fn ranges(&self) -> impl Iterator<Item = TextRange> + '_ {
        let ranges = self.title.iter().map(|(_, range)| *range).chain(self.title_line).chain(self.conflict_value);
        let ranges = ranges.chain(self.listings.iter().map(|listing| listing.range));
        ranges.chain(self.see_also.iter().map(|link| link.range)).chain(self.first_sentence)
    }

    /// The listing `listing` (one of these facts') is nested under, if any.
    pub fn parent_of(&self, listing: &Listing) -> Option<&Listing> {
        listing.parent.get().and_then(|index| self.listings.get(index))
    }

    /// The listings `listing` is nested under, outermost first.
    pub fn parents_of(&self, listing: &Listing) -> Vec<&Listing> {
        let mut parents: Vec<&Listing> =
            std::iter::successors(self.parent_of(listing), |parent| self.parent_of(parent))
                .take(self.listings.len())
                .collect();
        parents.reverse();
        parents
    }

    /// The first sentence of the first paragraph of `text`, the text these facts are of.
    pub fn first_sentence<'t>(&self, text: &'t str) -> Option<&'t str> {
        self.first_sentence.and_then(|range| text.get(range.start()..range.end()))
    }

    /// Every name the article goes by: title first, then aliases.
    pub fn article_names(&self) -> impl Iterator<Item = &str> {
        self.title.iter().map(|(title, _)| title.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// A name as the index keys it: white space (non-breaking included) collapsed to one space.
pub fn normalize_name(name: &str) -> String {
    if normal_already(name) { name.to_string() } else { collapse_spaces(name) }
}

/// [`normalize_name`] as the shared string a listing or link holds: one allocation when the
/// name is normal already (most are), not a `String` copied into an `Arc`. With the other
/// copies `compute_facts` no longer makes, an article's facts take 48 allocations instead of
/// 100 (the generated corpus's articles, on average).
fn normalized_shared(name: &str) -> Arc<str> {
    if normal_already(name) { Arc::from(name) } else { Arc::from(collapse_spaces(name)) }
}

/// Single spaces between words, none around them.
fn normal_already(name: &str) -> bool {
    let mut after_space = true;
    // ASCII a byte at a time; from the first wider character on, a character at a time.
    let bytes = name.as_bytes();
    let mut ascii = 0;
    while ascii < bytes.len() && bytes[ascii].is_ascii() {
        let byte = bytes[ascii];
        if byte == b' ' {
            if after_space {
                return false;
            }
            after_space = true;
        } else {
            // `char::is_whitespace` of the other ASCII bytes: tab to carriage return.
            if (b'\t'..=b'\r').contains(&byte) {
                return false;
            }
            after_space = false;
        }
        ascii += 1;
    }
    let normal = name[ascii..].chars().all(|c| {
        let fits = if c == ' ' { !after_space } else { !c.is_whitespace() };
        after_space = c == ' ';
        fits
    });
    normal && !after_space
}

fn collapse_spaces(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Shorter names are too likely to be ordinary words to be tracked as entities.
const MIN_NAME_CHARS: usize = 3;

pub fn compute_facts(text: &str, document: &Document) -> FileFacts {
    let mut facts = FileFacts::default();
    if let Some(title) = document.title() {
        facts.title_line = Some(title.line);
        let name = normalize_name(title.name.slice(text));
        if !name.is_empty() {
            if let Some(base) = strip_qualifier(&name) {
                facts.aliases.push(base.to_string());
            }
            facts.title = Some((name, title.name));
        }
    }
    if let Some(infobox) = document.infobox() {
        // One list of nested listings for every line: it is emptied for each.
        let mut chain = Vec::new();
        for line in &infobox.lines {
            if let InfoboxLine::Entry(entry) = line {
                entry_facts(text, entry, &mut facts, &mut chain);
            }
        }
    }
    facts.see_also = document
        .see_also_items(text)
        .map(|item| Link { name: normalized_shared(item.text.slice(text)), range: item.text })
        .filter(|link| !link.name.is_empty())
        .collect();
    facts.first_sentence = document.paragraphs().next().and_then(|paragraph| {
        let line = *paragraph.lines.first()?;
        // What is stripped comes off the line's start (spaces included): the rest ends the line.
        let first = strip_leading_citations(line.slice(text));
        let sentence = first[..sentence_end(first)].trim_end();
        let start = line.end() - first.len();
        (!sentence.is_empty()).then(|| TextRange::new(start, start + sentence.len()))
    });
    // The article's first name (its title, else its first alias) is no alias of it.
    facts.aliases.dedup();
    match &facts.title {
        Some((title, _)) => facts.aliases.retain(|alias| alias != title),
        None => {
            if let Some(first) = facts.aliases.first().cloned() {
                facts.aliases.retain(|alias| *alias != first);
            }
        }
    }
    // Facts live as long as the file is indexed: no growth slack (a quarter of the listings'
    // bytes on average).
    facts.listings.shrink_to_fit();
    facts.see_also.shrink_to_fit();
    facts.aliases.shrink_to_fit();
    facts
}

/// The facts of one infobox line. `chain` is scratch space, emptied here.
fn entry_facts(text: &str, entry: &InfoboxEntry, facts: &mut FileFacts, chain: &mut Vec<usize>) {
    let key = entry.key_base.slice(text);
    let value = || normalize_name(entry.value.slice(text));
    if key.eq_ignore_ascii_case("conflict") && entry.side.is_none() {
        facts.conflict_value = Some(entry.value);
        let name = value();
        if name.chars().count() >= MIN_NAME_CHARS && !facts.aliases.contains(&name) {
            facts.aliases.push(name);
        }
        return;
    } else if key.eq_ignore_ascii_case("date") {
        let date = value();
        let range = parse_date(&date).ok();
        facts.date = Some((date, range));
    } else if key.eq_ignore_ascii_case("result") {
        facts.result = Some(value());
    }
    let Some(kind) = EntityKind::for_key(key) else {
        return;
    };
    if kind == EntityKind::Place {
        facts.place = Some(value());
    }
    let key = KeyName::new(key);
    // The listings (by index) of the items this one is nested in, outermost first.
    chain.clear();
    for item in &entry.items {
        let name = normalized_shared(item.name.slice(text));
        chain.truncate(usize::from(item.depth));
        if name.chars().count() < MIN_NAME_CHARS || !name.chars().any(char::is_alphabetic) {
            continue;
        }
        let parent = match chain.last() {
            Some(&parent) if kind == EntityKind::Unit => ParentIndex::new(parent),
            _ => ParentIndex::NONE,
        };
        chain.push(facts.listings.len());
        facts.listings.push(Listing { name, kind, range: item.name, key: key.clone(), side: entry.side, parent });
    }
}

impl KeyName {
    /// The key as written, shared with every other listing of the same spelling when it is
    /// one of the usual ones.
    pub fn new(key: &str) -> KeyName {
        static USUAL: LazyLock<Vec<KeyName>> = LazyLock::new(|| {
            ["Commander", "Combatant", "Units", "Place", "Partof", "commander", "combatant", "units", "place", "partof"]
                .into_iter()
                .map(|key| KeyName(Arc::new(key.to_string())))
                .collect()
        });
        USUAL.iter().find(|usual| ***usual == *key).cloned().unwrap_or_else(|| KeyName(Arc::new(key.to_string())))
    }
}

/// `Kosovo Operation (1944)` → `Kosovo Operation`.
fn strip_qualifier(title: &str) -> Option<&str> {
    let open = title.rfind(" (")?;
    let base = title[..open].trim_end();
    (title.ends_with(')') && base.chars().count() >= MIN_NAME_CHARS).then_some(base)
}

fn strip_leading_citations(line: &str) -> &str {
    let mut rest = line.trim_start();
    while rest.starts_with('[') {
        match rest.find(']') {
            Some(end) => rest = rest[end + 1..].trim_start(),
            None => break,
        }
    }
    rest
}

/// The end of the first sentence: a full stop followed by a space and a capital, not after
/// an abbreviation-like single capital letter (`U.S.`) or a digit.
fn sentence_end(text: &str) -> usize {
    // `memmem`, not `match_indices`, which was a hundredth of a start's CPU in a profile:
    // `compute_facts` over 20,000 generated articles took 137–149 ms instead of 162.
    memchr::memmem::find_iter(text.as_bytes(), b". ")
        .find(|&dot_at| ends_a_sentence(text, dot_at))
        .map_or(text.len(), |dot_at| dot_at + 1)
}

/// Whether the full stop at `dot_at` ends a sentence: the word before it is lower case, two
/// letters or more, and no abbreviation.
fn ends_a_sentence(text: &str, dot_at: usize) -> bool {
    let word = &text[crate::syntax::word_start_before(text, dot_at, char::is_alphabetic)..dot_at];
    word.chars().count() >= 2 && word.chars().all(char::is_lowercase) && !crate::syntax::is_abbreviation(word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    proptest::proptest! {
        /// The shortcut for names already normal gives what collapsing every run gives.
        #[test]
        fn a_name_normalizes_as_its_words_joined_by_single_spaces(name in "( |\u{a0}|\t|a|Č|\n|\r|\u{b}|\u{c}|\u{1c}|\u{85}){0,12}") {
            let expected = name.split_whitespace().collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(&*normalized_shared(&name), expected.as_str());
            proptest::prop_assert_eq!(normalize_name(&name), expected);
        }

        /// The first sentence is kept as a range: it must be the text's own words, the start
        /// of the first paragraph's first line once citation markers and spaces are dropped.
        #[test]
        fn the_first_sentence_is_the_start_of_the_first_line_without_citations(
            text in r"(Title\n\n)?( |\x{a0}|\[1\]|\[c|\]|U\.S\. |A\. |x\. Y|😀|Čalović|\.|\n|word){0,16}"
        ) {
            let document = parse(&text);
            let facts = compute_facts(&text, &document);
            let expected = document.paragraphs().next().and_then(|paragraph| {
                let first = strip_leading_citations(paragraph.lines.first()?.slice(&text));
                Some(first[..sentence_end(first)].trim()).filter(|sentence| !sentence.is_empty())
            });
            proptest::prop_assert_eq!(facts.first_sentence(&text), expected);
            if let Some(range) = facts.first_sentence {
                proptest::prop_assert!(text.get(range.start()..range.end()).is_some(), "on char boundaries");
            }
        }

        /// The sentence ends after the first `. ` (as the standard library's search finds
        /// them) whose full stop ends one.
        #[test]
        fn a_sentence_ends_after_the_first_full_stop_that_ends_one(
            text in r"( |\. |\.|word|x|U\.S|Čalović|ab|😀|etc){0,12}"
        ) {
            let expected = text
                .match_indices(". ")
                .map(|(dot_at, _)| dot_at)
                .find(|&dot_at| ends_a_sentence(&text, dot_at))
                .map_or(text.len(), |dot_at| dot_at + 1);
            proptest::prop_assert_eq!(sentence_end(&text), expected);
        }
    }

    #[test]
    fn facts_of_an_article_with_an_infobox() {
        let text = "= Kosovo Operation (1944) =\n\nInfobox\n- Conflict: Kosovo Operation\n- Partof: World War II in Yugoslavia\n- Date: 15 October – 22 November 1944\n- Place: Kosovo, Albanian Kingdom\n- Combatant1: Bulgaria, , Yugoslav Partisans\n- Commander1: Enver Hoxha\n- Units1: 2nd Bulgarian Army, *2nd Division, **Regiment, National Liberation Army\n\nThe Kosovo Operation was an offensive. It ended.\n\n== See also ==\n- Niš operation\n";
        let facts = compute_facts(text, &parse(text));
        assert_eq!(facts.title.as_ref().map(|(name, _)| name.as_str()), Some("Kosovo Operation (1944)"));
        assert_eq!(facts.aliases, ["Kosovo Operation"]);
        let listed: Vec<String> = facts
            .listings
            .iter()
            .map(|l| {
                let parents: Vec<&str> = facts.parents_of(l).iter().map(|parent| &*parent.name).collect();
                format!("{}:{}:{:?}:{}", l.kind.label(), l.name, l.side, parents.join(">"))
            })
            .collect();
        assert_eq!(
            listed,
            [
                "Conflict:World War II in Yugoslavia:None:",
                "Place:Kosovo:None:",
                "Place:Albanian Kingdom:None:",
                "Belligerent:Bulgaria:Some(1):",
                "Belligerent:Yugoslav Partisans:Some(1):",
                "Person:Enver Hoxha:Some(1):",
                "Unit:2nd Bulgarian Army:Some(1):",
                "Unit:2nd Division:Some(1):2nd Bulgarian Army",
                "Unit:Regiment:Some(1):2nd Bulgarian Army>2nd Division",
                "Unit:National Liberation Army:Some(1):",
            ]
        );
        assert_eq!(
            facts.see_also,
            [Link {
                name: "Niš operation".into(),
                range: crate::syntax::TextRange::new(text.len() - 15, text.len() - 1)
            }]
        );
        assert_eq!(facts.first_sentence(text), Some("The Kosovo Operation was an offensive."));
        assert_eq!(facts.date.as_ref().and_then(|(_, range)| range.and_then(|r| r.length_in_days())), Some(38));
    }

    #[test]
    fn infobox_keys_are_told_whatever_their_case() {
        let kinds: Vec<Option<EntityKind>> =
            ["Commander", "UNITS", "partOf", "Place", "combatant", "Commanders", "Conflict", ""]
                .into_iter()
                .map(EntityKind::for_key)
                .collect();
        use EntityKind::*;
        assert_eq!(kinds, [Some(Person), Some(Unit), Some(Conflict), Some(Place), Some(Belligerent), None, None, None]);
        let text = "= T =\n\nInfobox\n- CONFLICT: Drenica Raid\n- DATE: 1944\n- result: Victory\n- units1: A Corps, *B Division\n";
        let facts = compute_facts(text, &parse(text));
        assert_eq!(facts.aliases, ["Drenica Raid"]);
        assert_eq!(facts.date.as_ref().map(|(date, range)| (date.as_str(), range.is_some())), Some(("1944", true)));
        assert_eq!(facts.result.as_deref(), Some("Victory"));
        let parents: Vec<Option<usize>> = facts.listings.iter().map(|listing| listing.parent.get()).collect();
        assert_eq!(parents, [None, Some(0)]);
    }

    #[test]
    fn bare_title_and_leading_citations() {
        let text =
            "Belgrade offensive\n\n[11] Martial planning was coordinated by Gen. Smith in the U.S. army. Then more.";
        let facts = compute_facts(text, &parse(text));
        assert_eq!(facts.title.as_ref().map(|(name, _)| name.as_str()), Some("Belgrade offensive"));
        assert!(facts.aliases.is_empty());
        assert_eq!(
            facts.first_sentence(text),
            Some("Martial planning was coordinated by Gen. Smith in the U.S. army.")
        );
    }

    #[test]
    fn a_first_sentence_after_a_wide_character_does_not_split_it() {
        // Found by the robustness property test: the word before a full stop started inside `😀`.
        let text = "Title\n\n😀. Then more.";
        assert_eq!(compute_facts(text, &parse(text)).first_sentence(text), Some("😀. Then more."));
    }
}
