//! What `shouce dev` keeps from one build to the next, so that editing one page of a
//! large handbook rebuilds that page rather than the site.
//!
//! * Parsed pages, by source path and text hash: front matter is not parsed again.
//! * Rendered items, by a key that covers everything their HTML depends on: the page's
//!   own text, and a site-wide key over the structure (every page's front matter and
//!   URL, in reading order), the files that links may point at, the configuration, the
//!   templates and assets, and the date (review badges). Editing a body changes only
//!   that page's key; editing a title changes the site-wide key and every page
//!   re-renders.
//! * The manifest of the last good output, so the output folder is updated in place.
//! * The parsed templates (while their files are unchanged) and the rendered
//!   sidebars (while the site-wide key is unchanged).
//! * Each page's search tokens (`search::Memo`), so the index is rebuilt from the
//!   tokens of unchanged pages.
//!
//! The cache is replaced only after a successful build; a failed build leaves it (and
//! the served site) as they were.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::content::Page;
use crate::markdown::Rendered;
use crate::theme::Theme;

use super::BuildOptions;
use super::load::Inputs;
use super::nav::NavCache;
use super::write::Manifest;

pub type Key = [u8; 32];

#[derive(Debug, Default)]
pub struct Cache {
    pub(super) pages: HashMap<String, (Key, Page)>,
    pub(super) items: HashMap<String, CachedItem>,
    pub(super) manifest: Option<Manifest>,
    pub(super) highlight_css: Option<HighlightCss>,
    /// Each page's search tokens, by a hash of its fields (see `search::Memo`).
    pub(super) search: crate::search::Memo,
    /// The parsed templates, reused while their files read the same.
    pub(super) theme: Option<Arc<Theme>>,
    /// The rendered sidebars and the site-wide key they were rendered under.
    pub(super) nav: Option<(Key, Arc<NavCache>)>,
}

/// (light, dark) theme names and their (light, dark) stylesheets.
pub type HighlightCss = ((String, String), (String, String));

impl crate::site::pages::PageCache for Cache {
    fn page(&self, relative: &str, key: &Key) -> Option<Page> {
        Cache::page(self, relative, key)
    }
}

impl Cache {
    /// The parsed page for `source` if its text is unchanged.
    pub(super) fn page(&self, source: &str, text_key: &Key) -> Option<Page> {
        self.pages
            .get(source)
            .filter(|(k, _)| k == text_key)
            .map(|(_, p)| p.clone())
    }

    /// The rendered item at `url_path` and its print-view body, if nothing its page
    /// depends on has changed.
    pub(super) fn item(
        &self,
        url_path: &str,
        key: &Key,
    ) -> Option<(Arc<Rendered>, Option<Arc<String>>)> {
        self.items
            .get(url_path)
            .filter(|c| &c.page == key)
            .map(|c| (Arc::clone(&c.rendered), c.print.clone()))
    }

    /// The item's rendered Markdown if nothing the Markdown depends on has changed
    /// (its text, which pages and files exist, the Markdown settings).
    pub(super) fn markdown(&self, url_path: &str, key: &Key) -> Option<Arc<Rendered>> {
        self.items
            .get(url_path)
            .filter(|c| &c.markdown == key)
            .map(|c| Arc::clone(&c.rendered))
    }
}

/// One page or section as the last build rendered it, with the keys it was valid for.
#[derive(Debug)]
pub struct CachedItem {
    pub page: Key,
    pub markdown: Key,
    pub rendered: Arc<Rendered>,
    pub print: Option<Arc<String>>,
}

/// Site-wide cache keys (computed only when a cache is in use).
#[derive(Debug, Clone, Copy)]
pub(super) struct SiteKeys {
    /// What Markdown rendering depends on beyond the page: which pages and files
    /// exist, and the Markdown settings.
    pub links: Key,
    /// Everything a page's HTML depends on beyond its own text.
    pub everything: Key,
}

impl SiteKeys {
    pub(super) fn compute(inputs: &Inputs, options: &BuildOptions) -> SiteKeys {
        let lib = &inputs.library;
        let mut links = blake3::Hasher::new();
        for page in lib
            .pages
            .iter()
            .chain(lib.sections.iter().filter_map(|s| s.index.as_ref()))
        {
            links
                .update(page.source.as_bytes())
                .update(&[0])
                .update(page.url_path.as_bytes())
                .update(&[0]);
        }
        for file in &inputs.files {
            links.update(file.to.as_bytes()).update(&[0]);
        }
        hash_into(
            &mut links,
            &(&inputs.config.markdown, &inputs.config.dialogue),
        );
        let links = *links.finalize().as_bytes();
        let mut all = blake3::Hasher::new();
        all.update(&links);
        for child in lib.reading_order() {
            // The front matter as written covers every field templates can see.
            let front_matter = lib.page(child).map_or("", |p| &p.text[..p.body_start]);
            for part in [lib.title(child), lib.url_path(child), front_matter] {
                all.update(part.as_bytes()).update(&[0]);
            }
        }
        all.update(&inputs.theme.fingerprint());
        // Every page links to the quiz index when there is one; a lesson may embed
        // any practice quiz.
        all.update(&[u8::from(inputs.quizzes.is_empty())]);
        for quiz in &inputs.quizzes {
            all.update(quiz.text.as_bytes()).update(&[0]);
        }
        hash_into(
            &mut all,
            &(&inputs.theme_assets.map, &inputs.config, options.today),
        );
        SiteKeys {
            links,
            everything: *all.finalize().as_bytes(),
        }
    }
}

/// Feeds a value's `Hash` into a key. Every field of `Config` takes part through its
/// derived `Hash` (a field added later cannot be left out of the key by accident,
/// as it could be from a hand-written or `Debug` rendering of it).
fn hash_into(hasher: &mut blake3::Hasher, value: &impl Hash) {
    struct Feed<'a>(&'a mut blake3::Hasher);
    impl Hasher for Feed<'_> {
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
        fn finish(&self) -> u64 {
            0 // only the bytes fed in matter; the key is the blake3 hash
        }
    }
    value.hash(&mut Feed(hasher));
}

pub(super) fn item_key(site: &Key, url_path: &str, text: Option<&Key>) -> Key {
    let mut hasher = blake3::Hasher::new();
    hasher.update(site).update(url_path.as_bytes()).update(&[0]);
    if let Some(text) = text {
        hasher.update(text);
    }
    *hasher.finalize().as_bytes()
}
