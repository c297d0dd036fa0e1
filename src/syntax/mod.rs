//! The seed-document parser: text in, a lossless tree of blocks out. Parsing never fails.
//!
//! The grammar is line based. The document is cut into blocks that tile the text exactly
//! (every byte belongs to one block, terminators included), in this order of recognition:
//! the title (`= Title =` or a bare first line), the `Infobox` block (its `- Key: Value` lines
//! up to the first blank line), headings (`== H ==` in any spelling, or a bare line such as
//! `Background` between paragraphs), `- item` lists, scrape debris, paragraphs and blank runs.
//! Inside an infobox value, `infobox` splits items; inside prose, `inline` finds citation markers.
//! What is malformed is kept in the tree and reported as a [`SyntaxProblem`].
//! `docs/FORMAT.md` describes the format as this module reads it.

mod headings;
mod infobox;
mod inline;
mod lines;
#[cfg(test)]
mod tests;
mod text_range;

pub use headings::{Heading, HeadingStyle};
pub use infobox::{Infobox, InfoboxEntry, InfoboxItem, InfoboxLine, Markup, MarkupKind, ValuePiece, parse_key};
pub use inline::{Citation, CitationKind, find_citations, is_abbreviation};
pub use lines::{Line, is_blank, split_lines, trim_range, word_start_before};
pub use text_range::{MAX_DOCUMENT_BYTES, TextRange, floor_char_boundary};

/// A parsed document: blocks that tile the text, plus the problems the parser saw.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// The UTF-8 byte-order mark, if the text starts with one.
    pub bom: Option<TextRange>,
    pub blocks: Vec<Block>,
    pub problems: Vec<SyntaxProblem>,
}

#[derive(Debug, Clone)]
pub struct Block {
    /// The whole lines of the block, terminators included.
    pub range: TextRange,
    pub kind: BlockKind,
}

#[derive(Debug, Clone)]
pub enum BlockKind {
    /// One or more lines holding only spaces and tabs.
    Blank,
    Title(Title),
    Infobox(Infobox),
    Heading(Heading),
    /// `- item` lines outside the infobox (See also lists).
    List(List),
    /// Consecutive lines of prose.
    Paragraph(Paragraph),
    /// A line left over from scraping a web page: `< Prev   Next >`, a line of non-breaking spaces.
    Debris(Debris),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleStyle {
    /// `= Title =`
    Marked,
    /// A bare first line.
    Bare,
}

#[derive(Debug, Clone)]
pub struct Title {
    /// The line's content without its terminator.
    pub line: TextRange,
    /// The title text, without markers and surrounding space.
    pub name: TextRange,
    pub style: TitleStyle,
}

#[derive(Debug, Clone)]
pub struct List {
    pub items: Vec<ListItem>,
}

#[derive(Debug, Clone)]
pub struct ListItem {
    pub line: TextRange,
    /// The `-` (or `*`) marker.
    pub marker: TextRange,
    /// The item's text, trimmed.
    pub text: TextRange,
}

#[derive(Debug, Clone)]
pub struct Paragraph {
    /// The content of each line, without terminators.
    pub lines: Vec<TextRange>,
    pub citations: Vec<Citation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DebrisKind {
    /// A line of nothing but non-breaking (or other non-ASCII) spaces.
    InvisibleSpaces,
    /// Navigation left over from a web page: `< Prev   Next >`, `Jump to navigation`, `[edit]`,
    /// the footer `Retrieved from "https://…"`, a hatnote `Main article: Macedonian front`, the
    /// tagline `From Wikipedia, the free encyclopedia`.
    Navigation,
}

#[derive(Debug, Clone)]
pub struct Debris {
    pub line: TextRange,
    pub kind: DebrisKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyntaxProblemKind {
    /// A line inside the infobox block that is not `- Key: Value`.
    MalformedInfoboxLine,
    /// A heading whose `=` markers do not balance (`== Legacy =`).
    UnbalancedHeading,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntaxProblem {
    pub range: TextRange,
    pub kind: SyntaxProblemKind,
}

impl Document {
    pub fn title(&self) -> Option<&Title> {
        self.blocks.iter().find_map(|block| match &block.kind {
            BlockKind::Title(title) => Some(title),
            _ => None,
        })
    }

    pub fn infoboxes(&self) -> impl Iterator<Item = &Infobox> {
        self.blocks.iter().filter_map(|block| match &block.kind {
            BlockKind::Infobox(infobox) => Some(infobox),
            _ => None,
        })
    }

    /// The first infobox: the one whose facts count (a second one is reported as misplaced).
    pub fn infobox(&self) -> Option<&Infobox> {
        self.infoboxes().next()
    }

    pub fn headings(&self) -> impl Iterator<Item = &Heading> {
        self.blocks.iter().filter_map(|block| match &block.kind {
            BlockKind::Heading(heading) => Some(heading),
            _ => None,
        })
    }

    pub fn paragraphs(&self) -> impl Iterator<Item = &Paragraph> {
        self.blocks.iter().filter_map(|block| match &block.kind {
            BlockKind::Paragraph(paragraph) => Some(paragraph),
            _ => None,
        })
    }

    pub fn lists(&self) -> impl Iterator<Item = &List> {
        self.blocks.iter().filter_map(|block| match &block.kind {
            BlockKind::List(list) => Some(list),
            _ => None,
        })
    }

    /// The items of the list under a `See also` heading: the articles this one points to.
    pub fn see_also_items<'a>(&'a self, text: &'a str) -> impl Iterator<Item = &'a ListItem> + 'a {
        let mut in_see_also = false;
        self.blocks.iter().flat_map(move |block| {
            let items: &[ListItem] = match &block.kind {
                BlockKind::Heading(heading) => {
                    in_see_also = heading.text.slice(text).eq_ignore_ascii_case("see also");
                    &[]
                }
                BlockKind::List(list) if in_see_also => &list.items,
                _ => &[],
            };
            items.iter()
        })
    }
}

/// Parses a whole document. Never fails and never panics: any text gives a tree.
pub fn parse(text: &str) -> Document {
    let bom = text.starts_with('\u{feff}').then(|| TextRange::new(0, 3));
    let body_start = if bom.is_some() { 3 } else { 0 };
    let lines = split_lines(text, body_start);
    let headings_stand_alone = headings_stand_alone(text, &lines);
    // About a block for every two lines (paragraphs between blank lines): reserved at once,
    // where growing the list a block at a time reallocated it some five times per article.
    let document = Document { bom, blocks: Vec::with_capacity(lines.len() / 2 + 1), ..Document::default() };
    let mut parser = Parser { text, lines: &lines, headings_stand_alone, document };
    parser.run();
    parser.document
}

struct Parser<'a> {
    text: &'a str,
    lines: &'a [Line],
    /// See [`headings_stand_alone`].
    headings_stand_alone: bool,
    document: Document,
}

/// True when a known section name (`Background`) stands alone on a line with a blank line
/// after it and more text below: the document sets its bare headings apart with blank lines,
/// so a line such as `Polish II Corps` in the same layout is a heading too.
fn headings_stand_alone(text: &str, lines: &[Line]) -> bool {
    lines.iter().enumerate().any(|(index, line)| {
        let content = line.content.slice(text);
        headings::is_known_section_name(content)
            && index > 0
            && lines.get(index + 1).is_some_and(|next| is_blank(next.content.slice(text)))
            && lines[index + 1..].iter().any(|later| !is_blank(later.content.slice(text)))
    })
}

impl Parser<'_> {
    fn line_text(&self, index: usize) -> &str {
        self.lines[index].content.slice(self.text)
    }

    fn run(&mut self) {
        let mut index = 0;
        let mut seen_title_position = false;
        while index < self.lines.len() {
            let line = self.line_text(index);
            if is_blank(line) {
                index = self.blank_run(index);
                continue;
            }
            if !seen_title_position {
                seen_title_position = true;
                if let Some(title) = self.title(index) {
                    self.push(index, index + 1, BlockKind::Title(title));
                    index += 1;
                    continue;
                }
            }
            index = self.block_at(index);
        }
    }

    fn push(&mut self, first_line: usize, end_line: usize, kind: BlockKind) {
        let range = TextRange { start: self.lines[first_line].content.start, end: self.lines[end_line - 1].next };
        self.document.blocks.push(Block { range, kind });
    }

    fn blank_run(&mut self, start: usize) -> usize {
        let mut end = start;
        while end < self.lines.len() && is_blank(self.line_text(end)) {
            end += 1;
        }
        self.push(start, end, BlockKind::Blank);
        end
    }

    /// The first non-blank line is the title if it is `= Title =`, or a short line that reads
    /// as a name rather than as prose, a heading, a list item or the infobox.
    fn title(&self, index: usize) -> Option<Title> {
        let line = self.lines[index].content;
        if let Some(heading) = headings::marked_heading(self.text, line) {
            return (heading.level == 1).then_some(Title { line, name: heading.text, style: TitleStyle::Marked });
        }
        let trimmed = self.line_text(index).trim();
        let looks_like_name = !trimmed.is_empty()
            && trimmed.chars().count() <= 150
            && !trimmed.ends_with(['.', ':', ';', ','])
            && !is_infobox_header(trimmed)
            && !trimmed.starts_with(['-', '*', '[', '<'])
            && debris_kind(self.line_text(index)).is_none();
        looks_like_name.then(|| Title { line, name: trim_range(self.text, line), style: TitleStyle::Bare })
    }

    /// Recognises the block that starts at line `index` (not blank) and returns where it ends.
    fn block_at(&mut self, index: usize) -> usize {
        let content = self.lines[index].content;
        let line = self.line_text(index);
        let trimmed = line.trim();
        if is_infobox_header(trimmed) {
            return self.infobox(index);
        }
        if let Some(kind) = debris_kind(line) {
            self.push(index, index + 1, BlockKind::Debris(Debris { line: content, kind }));
            return index + 1;
        }
        if let Some(heading) = headings::marked_heading(self.text, content) {
            if !heading.balanced {
                self.document
                    .problems
                    .push(SyntaxProblem { range: content, kind: SyntaxProblemKind::UnbalancedHeading });
            }
            self.push(index, index + 1, BlockKind::Heading(heading));
            return index + 1;
        }
        if list_marker(line).is_some() {
            return self.list(index);
        }
        if let Some(heading) = self.bare_heading(index) {
            self.push(index, index + 1, BlockKind::Heading(heading));
            return index + 1;
        }
        self.paragraph(index)
    }

    fn bare_heading(&self, index: usize) -> Option<Heading> {
        let previous = index.checked_sub(1).map(|i| self.line_text(i));
        let next = self.lines.get(index + 1).map(|line| line.content.slice(self.text));
        let after_blank = next.filter(|next| is_blank(next)).and_then(|_| {
            self.lines[index + 1..].iter().map(|line| line.content.slice(self.text)).find(|line| !is_blank(line))
        });
        let around =
            headings::Surroundings { previous, next, after_blank, headings_stand_alone: self.headings_stand_alone };
        headings::bare_heading(self.text, self.lines[index].content, around)
    }

    fn infobox(&mut self, header_index: usize) -> usize {
        let header = trim_range(self.text, self.lines[header_index].content);
        // The block runs to the first blank line; its entries are allocated at once.
        let count =
            self.lines[header_index + 1..].iter().take_while(|line| !is_blank(line.content.slice(self.text))).count();
        let end = header_index + 1 + count;
        let mut entries = Vec::with_capacity(count);
        for index in header_index + 1..end {
            let content = self.lines[index].content;
            let line = infobox::parse_line(self.text, content);
            if matches!(line, InfoboxLine::Malformed(_)) {
                self.document.problems.push(SyntaxProblem {
                    range: trim_range(self.text, content),
                    kind: SyntaxProblemKind::MalformedInfoboxLine,
                });
            }
            entries.push(line);
        }
        self.push(header_index, end, BlockKind::Infobox(Infobox { header, lines: entries }));
        end
    }

    fn list(&mut self, start: usize) -> usize {
        let mut end = start;
        let mut items = Vec::new();
        while end < self.lines.len() {
            let content = self.lines[end].content;
            let Some(marker_offset) = list_marker(content.slice(self.text)) else {
                break;
            };
            let marker = TextRange::new(content.start() + marker_offset, content.start() + marker_offset + 1);
            let text = trim_range(self.text, TextRange::new(marker.end(), content.end()));
            items.push(ListItem { line: content, marker, text });
            end += 1;
        }
        self.push(start, end, BlockKind::List(List { items }));
        end
    }

    fn paragraph(&mut self, start: usize) -> usize {
        let mut end = start + 1;
        while end < self.lines.len() {
            let content = self.lines[end].content;
            let line = content.slice(self.text);
            let ends_paragraph = is_blank(line)
                || is_infobox_header(line.trim())
                || debris_kind(line).is_some()
                || headings::marked_heading(self.text, content).is_some()
                || list_marker(line).is_some()
                || self.bare_heading(end).is_some();
            if ends_paragraph {
                break;
            }
            end += 1;
        }
        let lines: Vec<TextRange> = self.lines[start..end].iter().map(|line| line.content).collect();
        let mut citations = Vec::new();
        for &line in &lines {
            citations.extend(find_citations(self.text, line));
        }
        self.push(start, end, BlockKind::Paragraph(Paragraph { lines, citations }));
        end
    }
}

fn is_infobox_header(trimmed_line: &str) -> bool {
    trimmed_line.eq_ignore_ascii_case("infobox")
}

/// The byte offset of the `-` of a `- item` line, if the line is one. `-` must be followed by
/// white space so that a line starting with `-40 degrees` or `--` stays prose.
fn list_marker(line: &str) -> Option<usize> {
    let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
    let rest = &line[indent..];
    let mut chars = rest.chars();
    (chars.next() == Some('-') && chars.next().is_some_and(char::is_whitespace)).then_some(indent)
}

/// The footer a wiki page prints under the article: `Retrieved from "https://…"`.
const FOOTER: &str = "Retrieved from ";
/// Hatnotes pointing to another page: `Main article: Macedonian front`.
const HATNOTES: [&str; 3] = ["Main article: ", "Main articles: ", "Further information: "];
/// The tagline under a wiki page's title.
const TAGLINE: &str = "From Wikipedia, the free encyclopedia";
/// Navigation lines, word by word.
const NAVIGATION: [&[&str]; 5] =
    [&["<", "Prev", "Next", ">"], &["<", "Prev"], &["Next", ">"], &["<", "Previous", "Next", ">"], &["[edit]"]];
/// Accessibility links, in any case.
const JUMP_LINKS: [&str; 3] = ["jump to navigation", "jump to search", "jump to navigation jump to search"];

/// Whether a trimmed line opening with `byte` may be one of the navigation lines above; prose
/// seldom opens so. (A test checks every line above against it.)
fn may_open_navigation(byte: u8) -> bool {
    matches!(byte, b'R' | b'M' | b'F' | b'<' | b'N' | b'[' | b'J' | b'j')
}

fn debris_kind(line: &str) -> Option<DebrisKind> {
    let trimmed = line.trim();
    if trimmed.is_empty() && !is_blank(line) {
        return Some(DebrisKind::InvisibleSpaces);
    }
    if !trimmed.as_bytes().first().is_some_and(|&byte| may_open_navigation(byte)) {
        return None;
    }
    if let Some(rest) = trimmed.strip_prefix(FOOTER) {
        let rest = rest.trim_start_matches(['"', '\u{201c}']);
        if rest.starts_with("http://") || rest.starts_with("https://") {
            return Some(DebrisKind::Navigation);
        }
    }
    let hatnote = HATNOTES
        .iter()
        .any(|prefix| trimmed.starts_with(prefix) && !trimmed.ends_with(['.', ':']) && trimmed.len() <= 150);
    if hatnote {
        return Some(DebrisKind::Navigation);
    }
    // Every other navigation line is short: most lines are prose and stop here.
    if trimmed.len() > 40 {
        return None;
    }
    if trimmed == TAGLINE {
        return Some(DebrisKind::Navigation);
    }
    // Compared a word at a time, without a list of the line's words (an allocation for every
    // short line: headings, titles).
    let navigation = NAVIGATION.iter().any(|words| trimmed.split_whitespace().eq(words.iter().copied()))
        || JUMP_LINKS.iter().any(|link| trimmed.eq_ignore_ascii_case(link));
    navigation.then_some(DebrisKind::Navigation)
}
