//! "Create article": the text and file name of a new article that an unresolved See-also
//! link asks for. The edge turns it into a `CreateFile` operation plus an edit; nothing here
//! touches the disk.

use crate::index::facts::Link;
use crate::index::schema::Schema;
use crate::index::{FileId, Workspace};

/// A new article to create: where (a file name beside the linking article) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewArticle {
    pub file_name: String,
    pub text: String,
}

/// The See-also items of a file that name no article of the workspace.
pub fn unresolved_links(workspace: &Workspace, file: FileId) -> Vec<Link> {
    let Some(source) = workspace.file(file) else { return Vec::new() };
    source.facts.see_also.iter().filter(|link| workspace.articles_named(&link.name).is_empty()).cloned().collect()
}

/// The skeleton of an article titled `title`: the title line, an infobox with the required
/// keys (its `Conflict` is the title), and a See-also item linking back to `linked_from`.
pub fn new_article(title: &str, linked_from: Option<&str>, schema: &Schema) -> NewArticle {
    let mut text = format!("= {title} =\n\nInfobox\n");
    for key in &schema.required {
        if key == "Conflict" {
            text += &format!("- Conflict: {title}\n");
        } else {
            text += &format!("- {key}: \n");
        }
    }
    if let Some(from) = linked_from {
        text += &format!("\n== See also ==\n- {from}\n");
    }
    NewArticle { file_name: file_name_for(title), text }
}

/// A file name for a title: letters and digits kept (diacritics too), everything else a
/// single `_`, then `.txt`. `Battle of Drvar (1944)` → `Battle_of_Drvar_1944.txt`.
pub fn file_name_for(title: &str) -> String {
    let mut name = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('_') && !name.is_empty() {
            name.push('_');
        }
    }
    let name = name.trim_end_matches('_');
    if name.is_empty() { "untitled.txt".to_string() } else { format!("{name}.txt") }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::ide::fixture::Fixture;
    use crate::syntax::parse;

    #[test]
    fn the_skeleton_has_the_required_keys_and_links_back() {
        let article = new_article("Battle of Drvar (1944)", Some("Operation Rösselsprung"), &Schema::default());
        assert_eq!(article.file_name, "Battle_of_Drvar_1944.txt");
        expect![[r#"
            = Battle of Drvar (1944) =

            Infobox
            - Conflict: Battle of Drvar (1944)
            - Date: 
            - Place: 
            - Result: 

            == See also ==
            - Operation Rösselsprung
        "#]]
        .assert_eq(&article.text);
        // The new article parses with its title and links back.
        let document = parse(&article.text);
        let facts = crate::index::facts::compute_facts(&article.text, &document);
        assert_eq!(facts.title.map(|(title, _)| title).as_deref(), Some("Battle of Drvar (1944)"));
        assert_eq!(
            facts.see_also.iter().map(|link| link.name.to_string()).collect::<Vec<_>>(),
            ["Operation Rösselsprung"]
        );
    }

    #[test]
    fn file_names_keep_letters_and_drop_punctuation() {
        assert_eq!(file_name_for("Mile Čalović"), "Mile_Čalović.txt");
        assert_eq!(file_name_for("  ../etc/passwd "), "etc_passwd.txt");
        assert_eq!(file_name_for("***"), "untitled.txt");
    }

    #[test]
    fn only_links_to_missing_articles_are_unresolved() {
        let fixture = Fixture::parse(
            "
            //- /a.txt
            = A =

            == See also ==
            - B
            - Nowhere
            //- /b.txt
            = B =
            ",
        );
        let file = fixture.workspace.file_id("/a.txt").expect("a.txt");
        let links = unresolved_links(&fixture.workspace, file);
        assert_eq!(links.iter().map(|link| link.name.to_string()).collect::<Vec<_>>(), ["Nowhere"]);
    }
}
