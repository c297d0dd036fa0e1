//! Hover: what a name stands for, what an infobox key means, how long a Date lasts.

use crate::ide::targets::{Target, target_at};
use crate::index::date::parse_date;
use crate::index::{EntityKind, FileId, Listing, SourceFile, Workspace};
use crate::syntax::TextRange;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverInfo {
    pub range: TextRange,
    pub markdown: String,
}

pub fn hover(workspace: &Workspace, file: FileId, offset: usize) -> Option<HoverInfo> {
    let target = target_at(workspace, file, offset)?;
    let markdown = match &target {
        Target::Entity { name, .. } => entity_markdown(workspace, name)?,
        Target::UnresolvedLink { name, .. } => {
            format!("**{name}**\n\nNo article of this name in the workspace.")
        }
        Target::InfoboxKey { key, side, spec, .. } => {
            let side_note = side.map(|side| format!(" (side {side})")).unwrap_or_default();
            format!(
                "**{key}** — infobox key{side_note}\n\n{}",
                spec.description.replace("side N", &side.map_or("side N".to_string(), |s| format!("side {s}")))
            )
        }
        Target::DateValue { value, .. } => match parse_date(value) {
            Ok(range) => {
                let length = range.length_in_days().map_or("an open range".to_string(), |days| format!("{days} days"));
                let approximate = if range.approximate { " (approximate)" } else { "" };
                format!("**{}**\n\n{length}{approximate}", range.normalized())
            }
            Err(error) => format!("**{value}**\n\nNot readable as a date: {error}."),
        },
    };
    Some(HoverInfo { range: target.range(), markdown })
}

/// How many roles a hover lists before it counts the rest.
const MAX_ROLES: usize = 8;

fn entity_markdown(workspace: &Workspace, name: &str) -> Option<String> {
    let entity = workspace.entity(name)?;
    let kind = workspace.entity_kind(name)?;
    let mut out = format!("**{name}** — {}", kind.label());
    for article in workspace.articles_in_order(entity) {
        if let Some(source) = workspace.file(article) {
            out += &article_summary(source);
        }
    }
    // A hover is read at a glance: the first roles (by the article's date, then its title:
    // the same whatever order the files were indexed in), then how many more.
    let listings: Vec<(&SourceFile, &Listing)> = workspace
        .first_listings_in_order(entity, MAX_ROLES + 1)
        .iter()
        .filter_map(|&(file, index)| Some((workspace.file(file)?.as_ref(), workspace.listing((file, index))?)))
        .collect();
    if !listings.is_empty() {
        out += "\n\n";
        for (source, listing) in listings.iter().take(MAX_ROLES) {
            out += &format!("- {}\n", role_line(source, listing));
        }
        if entity.listings.len() > MAX_ROLES {
            out += &format!("- … and {} more (find all references to see them)\n", entity.listings.len() - MAX_ROLES);
        }
        out.pop();
    }
    let mentioning = workspace.count_files_mentioning(name);
    let articles = if mentioning == 1 { "article" } else { "articles" };
    // The stable id: the same in `seedls export` and the entity explorer.
    let id = crate::ide::entity_id::entity_id(kind, name);
    out += &format!("\n\nMentioned in {mentioning} {articles}. Id `{id}`.");
    Some(out)
}

/// "Commander, side 1 — Kosovo Operation (1944), 15 October – 22 November 1944"
pub(crate) fn role_line(source: &SourceFile, listing: &Listing) -> String {
    let role = match listing.kind {
        EntityKind::Person => "Commander",
        EntityKind::Belligerent => "Belligerent",
        EntityKind::Unit => "Unit",
        EntityKind::Place => "Place",
        EntityKind::Conflict => "Part of",
        EntityKind::Article => "Article",
    };
    let side = listing.side.map(|side| format!(", side {side}")).unwrap_or_default();
    let under = source.facts.parent_of(listing).map(|parent| format!(" (under {})", parent.name)).unwrap_or_default();
    let date = source.facts.date.as_ref().map(|(date, _)| format!(", {date}")).unwrap_or_default();
    format!("{role}{side}{under} — {}{date}", source.display_name())
}

fn article_summary(source: &SourceFile) -> String {
    let facts = &source.facts;
    let mut out = format!("\n\nArticle: *{}*", source.display_name());
    for (label, value) in [
        ("Date", facts.date.as_ref().map(|(date, _)| date)),
        ("Place", facts.place.as_ref()),
        ("Result", facts.result.as_ref()),
    ] {
        if let Some(value) = value {
            out += &format!("  \n{label}: {value}");
        }
    }
    if let Some(sentence) = facts.first_sentence(source.text()) {
        out += &format!("\n\n{sentence}");
    }
    out
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::ide::fixture::Fixture;

    #[track_caller]
    fn check(fixture: &str, expect: Expect) {
        let fixture = Fixture::parse(fixture);
        let (file, offset) = fixture.cursor();
        let actual = match hover(&fixture.workspace, file, offset) {
            Some(info) => format!("{}\n{}", fixture.describe(file, info.range), info.markdown),
            None => "no hover".to_string(),
        };
        expect.assert_eq(&actual);
    }

    #[test]
    fn hover_on_a_person_lists_every_role() {
        check(
            "
            //- /a.txt
            = Kosovo Operation (1944) =

            Infobox
            - Conflict: Kosovo Operation
            - Date: 15 October – 22 November 1944
            - Place: Kosovo
            - Commander1: Enver Hoxha

            The Kosovo Operation was an offensive. It was big.
            //- /b.txt
            = LANÇ counter-offensive in Albania (1944) =

            Infobox
            - Date: mid-June – 29 November 1944
            - Commander2: Enver Hoxha

            Forces commanded by Enver Hoxha mounted the Kosovo Operation.
                                  |
            ",
            expect![[r#"
                /b.txt 7 "Enver Hoxha"
                **Enver Hoxha** — Person

                - Commander, side 2 — LANÇ counter-offensive in Albania (1944), mid-June – 29 November 1944
                - Commander, side 1 — Kosovo Operation (1944), 15 October – 22 November 1944

                Mentioned in 2 articles. Id `person:enver-hoxha`."#]],
        );
    }

    #[test]
    fn hover_on_an_article_name_summarises_the_article() {
        check(
            "
            //- /a.txt
            = Kosovo Operation (1944) =

            Infobox
            - Conflict: Kosovo Operation
            - Date: 15 October – 22 November 1944
            - Place: Kosovo
            - Result: Allied victory

            The Kosovo Operation was an offensive. It was big.
            //- /b.txt
            = B =

            The Kosovo Operation of 1944.
                    |
            ",
            expect![[r#"
                /b.txt 3 "Kosovo Operation"
                **Kosovo Operation** — Article

                Article: *Kosovo Operation (1944)*  
                Date: 15 October – 22 November 1944  
                Place: Kosovo  
                Result: Allied victory

                The Kosovo Operation was an offensive.

                Mentioned in 2 articles. Id `article:kosovo-operation`."#]],
        );
    }

    #[test]
    fn hover_on_an_infobox_key() {
        check(
            "
            //- /a.txt
            Infobox
            - Commander2: X Y
                 |
            ",
            expect![[r#"
                /a.txt 2 "Commander2"
                **Commander2** — infobox key (side 2)

                The commanders and leaders of side 2."#]],
        );
    }

    #[test]
    fn hover_on_a_date_gives_the_range_and_its_length() {
        check(
            "
            //- /a.txt
            Infobox
            - Date: 15 October – 22 November 1944
                     |
            ",
            expect![[r#"
                /a.txt 2 "15 October – 22 November 1944"
                **15 October 1944 – 22 November 1944**

                38 days"#]],
        );
    }

    #[test]
    fn hover_on_an_unresolved_see_also_item() {
        check(
            "
            //- /a.txt
            = A title =

            == See also ==
            - Nowhere operation
                 |
            ",
            expect![[r#"
                /a.txt 4 "Nowhere operation"
                **Nowhere operation**

                No article of this name in the workspace."#]],
        );
    }

    #[test]
    fn no_hover_on_plain_words() {
        check(
            "
            //- /a.txt
            = A title =

            Plain words here.
              |
            ",
            expect!["no hover"],
        );
    }

    #[test]
    fn hover_counts_the_roles_past_the_first_eight() {
        let mut workspace = Workspace::default();
        for index in 0..10 {
            workspace.set_file(
                &format!("/{index:02}.txt"),
                std::sync::Arc::from(format!("= Battle {index} =\n\nInfobox\n- Commander1: Enver Hoxha\n")),
            );
        }
        let text = "= Battle 00 =\n\nInfobox\n- Commander1: Enver Hoxha\n";
        let info = hover(&workspace, FileId(0), text.find("Enver").unwrap()).expect("hover");
        assert_eq!(info.markdown.matches("\n- Commander, side 1").count(), 8);
        assert!(info.markdown.contains("- … and 2 more (find all references to see them)"), "{}", info.markdown);
        assert!(info.markdown.ends_with("Mentioned in 10 articles. Id `person:enver-hoxha`."), "{}", info.markdown);
    }
}
