//! Structure diagnostics: the title, heading markers, heading levels and bare-line headings.

use super::{Code, Diagnostic, Fix, diagnostic};
use crate::ide::TextEdit;
use crate::syntax::{BlockKind, Document, Heading, HeadingStyle, TextRange, TitleStyle};

pub(super) fn check(text: &str, document: &Document, out: &mut Vec<Diagnostic>) {
    title(text, document, out);
    let mut parent_level = 1u8;
    for heading in document.headings() {
        match heading.style {
            HeadingStyle::Marked if !heading.balanced => unbalanced(text, heading, out),
            HeadingStyle::Marked if !heading.spaced => unspaced(text, heading, out),
            HeadingStyle::Marked => {}
            HeadingStyle::Bare => bare(text, heading, out),
        }
        if heading.level > parent_level + 1 {
            let markers = "=".repeat(usize::from(heading.level));
            let wanted = "=".repeat(usize::from(parent_level + 1));
            let parent =
                if parent_level == 1 { "the title".to_string() } else { format!("a level-{parent_level} heading") };
            out.push(diagnostic(
                Code::HeadingLevelSkip,
                heading.line,
                format!("`{markers}` heading straight under {parent} skips a level: use `{wanted}`, or add the section it belongs to"),
            ));
        }
        parent_level = heading.level;
    }
}

fn title(text: &str, document: &Document, out: &mut Vec<Diagnostic>) {
    match document.title() {
        Some(title) if title.style == TitleStyle::Bare => {
            let name = title.name.slice(text);
            out.push(
                diagnostic(
                    Code::TitleMissing,
                    title.line,
                    format!("the title `{name}` is a bare line: mark it as `= {name} =`"),
                )
                .with_fix(Fix::new(
                    "Mark the title with `= … =`",
                    vec![TextEdit::replace(title.line, format!("= {name} ="))],
                )),
            );
        }
        Some(_) => {}
        None => {
            let first_content = document.blocks.iter().find(|block| !matches!(block.kind, BlockKind::Blank));
            if let Some(block) = first_content {
                out.push(diagnostic(
                    Code::TitleMissing,
                    TextRange::empty(block.range.start()),
                    "the document has no title: start it with a line `= Title =`",
                ));
            }
        }
    }
}

fn rewritten(text: &str, heading: &Heading) -> String {
    let markers = "=".repeat(usize::from(heading.level));
    format!("{markers} {} {markers}", heading.text.slice(text))
}

fn unbalanced(text: &str, heading: &Heading, out: &mut Vec<Diagnostic>) {
    let open = heading.open.map_or("", |open| open.slice(text));
    let close = heading.close.map_or("nothing", |close| close.slice(text));
    let fixed = rewritten(text, heading);
    out.push(
        diagnostic(
            Code::HeadingSyntax,
            heading.line,
            format!("unbalanced heading: `{open}` opens it but `{close}` closes it; write `{fixed}`"),
        )
        .with_fix(Fix::new(format!("Change to `{fixed}`"), vec![TextEdit::replace(heading.line, fixed.clone())])),
    );
}

fn unspaced(text: &str, heading: &Heading, out: &mut Vec<Diagnostic>) {
    let fixed = rewritten(text, heading);
    out.push(
        diagnostic(Code::HeadingSpacing, heading.line, format!("put spaces inside the heading markers: `{fixed}`"))
            .with_fix(Fix::new(format!("Change to `{fixed}`"), vec![TextEdit::replace(heading.line, fixed.clone())])),
    );
}

fn bare(text: &str, heading: &Heading, out: &mut Vec<Diagnostic>) {
    let words = heading.text.slice(text);
    out.push(
        diagnostic(
            Code::BareHeading,
            heading.text,
            format!("`{words}` reads as a section heading: mark it as `== {words} ==`"),
        )
        .with_fix(Fix::new(
            format!("Mark as `== {words} ==`"),
            vec![TextEdit::replace(heading.text, format!("== {words} =="))],
        )),
    );
}
