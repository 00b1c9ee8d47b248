//! The [`Library`]: pages arranged into sections (one per folder), each section's
//! children sorted by weight, then by file name. Also the reading order (for
//! previous/next and the print view) and the checks that need every page at once
//! (two pages with one URL, an empty handbook).

use crate::error::{Diagnostic, Location, Severity};
use std::collections::{BTreeMap, HashMap};

use super::Page;

/// Whether `draft = true` pages are built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DraftPolicy {
    #[default]
    Exclude,
    Include,
}

/// An entry in a section: a page or a sub-section (indexes into the library).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Child {
    Page(usize),
    Section(usize),
}

/// A folder of `content/`.
#[derive(Debug, Clone)]
pub struct Section {
    /// Folder below `content/` (`rules`; `` for the home).
    pub dir: String,
    /// The folder's `_index.md`, if it has one.
    pub index: Option<Page>,
    pub title: String,
    pub url_path: String,
    pub parent: Option<usize>,
    pub children: Vec<Child>,
    pub weight: Option<i64>,
}

impl Section {
    pub fn description(&self) -> &str {
        self.index
            .as_ref()
            .map_or("", |p| p.meta.description.as_str())
    }
}

#[derive(Debug, Clone, Default)]
pub struct Library {
    pub pages: Vec<Page>,
    /// `sections[0]` is the home (the `content/` folder itself).
    pub sections: Vec<Section>,
    /// For each page, the section it belongs to.
    pub page_section: Vec<usize>,
    by_source: HashMap<String, Child>,
}

pub const ROOT: usize = 0;

impl Library {
    /// Arranges parsed files (pages and `_index.md`s, in any order) into sections.
    pub fn assemble(files: Vec<Page>, drafts: DraftPolicy) -> Result<Library, Vec<Diagnostic>> {
        let (indexes, pages): (Vec<Page>, Vec<Page>) =
            files.into_iter().partition(Page::is_section_index);
        let hidden_dirs: Vec<String> = indexes
            .iter()
            .filter(|p| p.meta.draft && drafts == DraftPolicy::Exclude)
            .map(|p| p.dir().to_string())
            .collect();
        let visible = |p: &Page| {
            (drafts == DraftPolicy::Include || !p.meta.draft)
                && !hidden_dirs.iter().any(|d| within(p.dir(), d))
        };
        let mut lib = Library::default();
        let mut dirs: BTreeMap<String, Option<Page>> = BTreeMap::new();
        dirs.insert(String::new(), None);
        for index in indexes.into_iter().filter(|p| visible(p)) {
            dirs.insert(index.dir().to_string(), Some(index));
        }
        let mut pages: Vec<Page> = pages.into_iter().filter(|p| visible(p)).collect();
        pages.sort_by(|a, b| a.source.cmp(&b.source));
        for page in &pages {
            add_ancestors(&mut dirs, page.dir());
        }
        for dir in dirs.keys().cloned().collect::<Vec<_>>() {
            add_ancestors(&mut dirs, &dir);
        }
        // BTreeMap order puts every parent before its children.
        let mut section_of_dir: HashMap<String, usize> = HashMap::new();
        for (dir, index) in dirs {
            let parent = (!dir.is_empty()).then(|| section_of_dir[parent_dir(&dir)]);
            let name = dir.rsplit('/').next().unwrap_or("").to_string();
            let id = lib.sections.len();
            lib.sections.push(Section {
                title: index.as_ref().map_or(name, |p| p.meta.title.clone()),
                url_path: if dir.is_empty() {
                    String::new()
                } else {
                    format!("{dir}/")
                },
                weight: index.as_ref().and_then(|p| p.meta.weight),
                parent,
                children: Vec::new(),
                index,
                dir: dir.clone(),
            });
            if let Some(parent) = parent {
                lib.sections[parent].children.push(Child::Section(id));
            }
            section_of_dir.insert(dir, id);
        }
        for page in pages {
            let section = section_of_dir[page.dir()];
            lib.sections[section]
                .children
                .push(Child::Page(lib.pages.len()));
            lib.page_section.push(section);
            lib.pages.push(page);
        }
        lib.sort_children();
        lib.index_sources();
        let problems = lib.check();
        if problems.is_empty() {
            Ok(lib)
        } else {
            Err(problems)
        }
    }

    fn sort_children(&mut self) {
        let keys: Vec<Vec<(i64, String)>> = self
            .sections
            .iter()
            .map(|s| s.children.iter().map(|c| self.sort_key(*c)).collect())
            .collect();
        for (section, keys) in self.sections.iter_mut().zip(keys) {
            let mut pairs: Vec<_> = keys.into_iter().zip(section.children.drain(..)).collect();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            section.children = pairs.into_iter().map(|(_, c)| c).collect();
        }
    }

    /// Weighted entries first by weight, then the rest; ties by name.
    fn sort_key(&self, child: Child) -> (i64, String) {
        match child {
            Child::Page(i) => (
                self.pages[i].meta.weight.unwrap_or(i64::MAX),
                self.pages[i].source.clone(),
            ),
            Child::Section(i) => (
                self.sections[i].weight.unwrap_or(i64::MAX),
                self.sections[i].dir.clone(),
            ),
        }
    }

    fn index_sources(&mut self) {
        for (i, page) in self.pages.iter().enumerate() {
            self.by_source.insert(page.source.clone(), Child::Page(i));
        }
        for (i, section) in self.sections.iter().enumerate() {
            if let Some(index) = &section.index {
                self.by_source
                    .insert(index.source.clone(), Child::Section(i));
            }
        }
    }

    fn check(&self) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        if self.pages.is_empty() && self.sections.iter().all(|s| s.index.is_none()) {
            problems.push(
                Diagnostic::error(Location::file("content"), "content/ has no pages")
                    .with_hint("add a Markdown file such as content/_index.md with `+++ title = \"…\" +++` front matter, or run `shouce init`"),
            );
        }
        // Folders claim their URL first, so a page `b.md` beside a folder `b/` is the one reported.
        let mut owners: HashMap<&str, String> = HashMap::new();
        for section in &self.sections {
            let owner = section.index.as_ref().map_or_else(
                || format!("the folder content/{}", section.dir),
                |p| p.file.display().to_string(),
            );
            owners.insert(&section.url_path, owner);
        }
        for page in &self.pages {
            if let Some(other) = owners.get(page.url_path.as_str()) {
                problems.push(
                    Diagnostic::at(Severity::Error, &page.file, &page.text, 0..0, format!("two pages have the URL `/{}`", page.url_path))
                        .with_hint(format!("{other} has it too; rename one of them or give this page a different `slug`")),
                );
            } else {
                owners.insert(&page.url_path, page.file.display().to_string());
            }
        }
        problems
    }

    /// The page or section whose source file is `source` (`rules/_index.md`, `a.md`).
    pub fn find(&self, source: &str) -> Option<Child> {
        self.by_source.get(source).copied()
    }

    /// The Markdown file behind a page, or a section's `_index.md` if it has one.
    pub fn page(&self, child: Child) -> Option<&Page> {
        match child {
            Child::Page(i) => Some(&self.pages[i]),
            Child::Section(s) => self.sections[s].index.as_ref(),
        }
    }

    pub fn url_path(&self, child: Child) -> &str {
        match child {
            Child::Page(i) => &self.pages[i].url_path,
            Child::Section(i) => &self.sections[i].url_path,
        }
    }

    pub fn title(&self, child: Child) -> &str {
        match child {
            Child::Page(i) => &self.pages[i].meta.title,
            Child::Section(i) => &self.sections[i].title,
        }
    }

    /// Sections and pages in reading order: each section, then its children, depth first.
    /// The home section itself is not included.
    pub fn reading_order(&self) -> Vec<Child> {
        let mut order = Vec::with_capacity(self.pages.len() + self.sections.len());
        self.walk(ROOT, &mut order);
        order
    }

    fn walk(&self, section: usize, order: &mut Vec<Child>) {
        for child in &self.sections[section].children {
            order.push(*child);
            if let Child::Section(s) = child {
                self.walk(*s, order);
            }
        }
    }

    /// The sections from the home down to `section`, inclusive.
    pub fn ancestors(&self, section: usize) -> Vec<usize> {
        let mut chain = vec![section];
        let mut current = section;
        while let Some(parent) = self.sections[current].parent {
            chain.push(parent);
            current = parent;
        }
        chain.reverse();
        chain
    }

    /// How deep a section is: 0 for the home's children.
    pub fn depth(&self, section: usize) -> usize {
        self.ancestors(section).len().saturating_sub(2)
    }
}

fn within(dir: &str, ancestor: &str) -> bool {
    ancestor.is_empty() || dir == ancestor || dir.starts_with(&format!("{ancestor}/"))
}

fn parent_dir(dir: &str) -> &str {
    dir.rsplit_once('/').map_or("", |(parent, _)| parent)
}

fn add_ancestors(dirs: &mut BTreeMap<String, Option<Page>>, dir: &str) {
    let mut current = dir;
    while !current.is_empty() {
        dirs.entry(current.to_string()).or_insert(None);
        current = parent_dir(current);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(source: &str, front: &str) -> Page {
        Page::parse(
            source,
            format!("+++\ntitle = \"{source}\"\n{front}\n+++\nbody\n"),
        )
        .unwrap()
    }

    fn titles(lib: &Library, order: &[Child]) -> Vec<String> {
        order.iter().map(|c| lib.title(*c).to_string()).collect()
    }

    #[test]
    fn sections_nest_and_children_sort_by_weight_then_name() {
        let lib = Library::assemble(
            vec![
                page("b/_index.md", "weight = 1"),
                page("b/z.md", "weight = 1"),
                page("b/a.md", ""),
                page("b/m.md", "weight = 2"),
                page("a/x/deep.md", ""),
                page("top.md", "weight = 0"),
            ],
            DraftPolicy::Exclude,
        )
        .unwrap();
        assert_eq!(
            titles(&lib, &lib.reading_order()),
            vec![
                "top.md",
                "b/_index.md",
                "b/z.md",
                "b/m.md",
                "b/a.md",
                "a",
                "x",
                "a/x/deep.md"
            ]
        );
        let x = lib.sections.iter().position(|s| s.dir == "a/x").unwrap();
        assert_eq!(lib.ancestors(x).len(), 3);
        assert_eq!(lib.depth(x), 1);
        assert_eq!(lib.sections[x].url_path, "a/x/");
    }

    #[test]
    fn drafts_are_left_out_unless_asked_for() {
        let files = || {
            vec![
                page("a.md", "draft = true"),
                page("s/_index.md", "draft = true"),
                page("s/b.md", ""),
                page("c.md", ""),
            ]
        };
        let lib = Library::assemble(files(), DraftPolicy::Exclude).unwrap();
        assert_eq!(titles(&lib, &lib.reading_order()), vec!["c.md"]);
        let lib = Library::assemble(files(), DraftPolicy::Include).unwrap();
        assert_eq!(lib.pages.len(), 3);
    }

    #[test]
    fn two_pages_with_one_url_are_an_error() {
        let errs = Library::assemble(
            vec![page("a.md", "slug = \"b\""), page("b.md", "")],
            DraftPolicy::Exclude,
        )
        .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("/b/"));
    }

    #[test]
    fn an_empty_handbook_is_an_error() {
        let errs = Library::assemble(vec![], DraftPolicy::Exclude).unwrap_err();
        assert!(errs[0].message.contains("no pages"));
    }
}
