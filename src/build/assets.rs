//! Static files: the theme's `static/` (stylesheets and scripts fingerprinted, so a
//! CDN may cache them forever), the generated code-highlighting stylesheets, the
//! site's own `static/` (copied to the site root as is) and the attachments that sit
//! next to pages in `content/`, once [`screen`] has kept back what must not be
//! published.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Location};
use crate::fs::WalkEntry;

use super::write::Output;

/// A file to copy into the site.
#[derive(Debug, Clone)]
pub struct Copy {
    pub from: PathBuf,
    /// Destination below the site root, `/`-separated.
    pub to: String,
}

/// Theme assets: the name → fingerprinted path map templates see, and the files.
#[derive(Debug, Default)]
pub struct ThemeAssets {
    pub map: BTreeMap<String, String>,
    generated: Vec<(String, String)>,
    files: Vec<Copy>,
}

impl ThemeAssets {
    /// Reads and fingerprints the theme's static folder; adds the syntax stylesheets
    /// (`light_css` as is, `dark_css` scoped to the dark colour scheme).
    pub fn collect(
        static_dir: &Path,
        light_css: String,
        dark_css: &str,
    ) -> Result<ThemeAssets, Error> {
        let mut assets = ThemeAssets::default();
        if static_dir.is_dir() {
            for entry in crate::fs::walk_files(static_dir).files {
                let to = if fingerprinted(&entry.relative) {
                    let bytes = crate::fs::read(&entry.path)?;
                    format!("static/{}", with_hash(&entry.relative, &bytes))
                } else {
                    format!("static/{}", entry.relative)
                };
                assets.map.insert(entry.relative.clone(), to.clone());
                assets.files.push(Copy {
                    from: entry.path,
                    to,
                });
            }
        }
        let dark_css = scope_dark(dark_css);
        for (name, css) in [
            ("syntax-light.css", light_css),
            ("syntax-dark.css", dark_css),
        ] {
            let to = format!("static/{}", with_hash(name, css.as_bytes()));
            assets.map.insert(name.to_string(), to.clone());
            assets.generated.push((to, css));
        }
        Ok(assets)
    }

    pub fn write(&self, out: &Output) -> Result<(), Error> {
        for copy in &self.files {
            out.copy(&copy.to, &copy.from)?;
        }
        for (to, css) in &self.generated {
            out.write(to, css.as_bytes())?;
        }
        Ok(())
    }
}

fn fingerprinted(name: &str) -> bool {
    name.ends_with(".css") || name.ends_with(".js")
}

/// `app.js` + bytes → `app.1a2b3c4d.js`.
fn with_hash(name: &str, bytes: &[u8]) -> String {
    let hash = blake3::hash(bytes).to_hex();
    let short = &hash.as_str()[..8];
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{short}.{ext}"),
        None => format!("{name}.{short}"),
    }
}

/// Makes the dark highlighting rules apply when the page is dark: by the reader's
/// toggle (`data-theme="dark"` on `<html>`), or by the system unless toggled to light.
fn scope_dark(css: &str) -> String {
    let prefix = |scope: &str| -> String {
        css.split_inclusive('}')
            .map(|rule| match rule.split_once('{') {
                Some((selectors, body)) => {
                    let (comments, selectors) = split_comments(selectors);
                    let scoped: Vec<String> = selectors
                        .split(',')
                        .map(|s| format!("{scope} {}", s.trim()))
                        .collect();
                    format!("{comments}{} {{{body}", scoped.join(", "))
                }
                None => rule.to_string(),
            })
            .collect()
    };
    format!(
        "{}\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n",
        prefix("html[data-theme=\"dark\"]"),
        prefix("html:not([data-theme=\"light\"])")
    )
}

/// Splits leading `/* … */` comments and white space off a selector list.
fn split_comments(text: &str) -> (&str, &str) {
    let mut rest_start = 0;
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start();
        rest_start += rest.len() - trimmed.len();
        match trimmed
            .strip_prefix("/*")
            .and_then(|r| r.find("*/").map(|i| i + 4))
        {
            Some(len) => {
                rest_start += len;
                rest = &text[rest_start..];
            }
            None => return (&text[..rest_start], &text[rest_start..]),
        }
    }
}

/// Files under `dir` that are not Markdown, copied to `prefix` + their relative path.
pub fn plain_files(dir: &Path, prefix: &str) -> Result<Vec<Copy>, Error> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    Ok(crate::fs::walk_files(dir)
        .files
        .into_iter()
        .filter(|e| !e.relative.ends_with(".md"))
        .map(|e| Copy {
            to: format!("{prefix}{}", e.relative),
            from: e.path,
        })
        .collect())
}

/// Files the build writes itself, which an attachment must not replace: every page is
/// a folder's `index.html`, and these folders are the build's.
const GENERATED_FILES: [&str; 2] = ["404.html", "sitemap.xml"];
const GENERATED_DIRS: [&str; 2] = ["static/", "search/"];

/// What of `content/` may be published. A file reached through a link that leads out
/// of the site (or into a hidden folder in it, like the server's state) is left out
/// with a warning: following it could publish a private key. An attachment named like
/// a file the build writes, or a quiz bank (a `.toml` with `questions`: it holds the
/// answers), is an error.
pub fn screen(site_root: &Path, entries: Vec<WalkEntry>) -> (Vec<WalkEntry>, Vec<Diagnostic>) {
    let root = std::fs::canonicalize(site_root).unwrap_or_else(|_| site_root.to_path_buf());
    let mut problems = Vec::new();
    let mut kept = Vec::with_capacity(entries.len());
    for entry in entries {
        let shown = Path::new("content").join(&entry.relative);
        if let Some(why) = outside(&root, &entry.path) {
            problems.push(
                Diagnostic::warning(Location::file(&shown), format!("not published: {why}"))
                    .with_hint("copy the file into the site if it belongs in the handbook"),
            );
            continue;
        }
        if !entry.relative.ends_with(".md")
            && let Some(d) = attachment_problem(&entry, &shown)
        {
            problems.push(d);
            continue;
        }
        kept.push(entry);
    }
    (kept, problems)
}

/// Files that would sit where a page's folder goes (`content/guide` beside
/// `content/guide.md`, or `static/rules` beside `content/rules/`): the build could
/// write only one of them, so `check` reports what `build` would trip over.
pub fn page_collisions(site_root: &Path, urls: &[&str], files: &[Copy]) -> Vec<Diagnostic> {
    let mut folders = std::collections::HashSet::new();
    for url in urls {
        let mut end = 0;
        for segment in url.split('/').filter(|s| !s.is_empty()) {
            end += segment.len() + 1;
            folders.insert(&url[..end - 1]);
        }
    }
    files
        .iter()
        .filter(|copy| folders.contains(copy.to.as_str()))
        .map(|copy| {
            let shown = copy.from.strip_prefix(site_root).unwrap_or(&copy.from);
            Diagnostic::error(
                Location::file(shown),
                format!(
                    "the file /{} is where the folder of the page /{}/ goes",
                    copy.to, copy.to
                ),
            )
            .with_hint("rename the file, or give it an extension")
        })
        .collect()
}

/// Why the file at `path` lies outside the site at `root` (canonical), if it does.
fn outside(root: &Path, path: &Path) -> Option<String> {
    let real = std::fs::canonicalize(path).ok()?;
    let Ok(inside) = real.strip_prefix(root) else {
        return Some(format!("it links to {}, outside the site", real.display()));
    };
    let hidden = inside
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    hidden.then(|| format!("it links to {}, a hidden file", inside.display()))
}

fn attachment_problem(entry: &WalkEntry, shown: &Path) -> Option<Diagnostic> {
    let to = entry.relative.as_str();
    let name = to.rsplit('/').next().unwrap_or(to);
    let generated = name.eq_ignore_ascii_case("index.html")
        || GENERATED_FILES.contains(&to)
        || GENERATED_DIRS.iter().any(|d| to.starts_with(d));
    if generated {
        return Some(
            Diagnostic::error(
                Location::file(shown),
                format!("the file /{to} is one the build writes itself"),
            )
            .with_hint("rename the file or the folder it is in"),
        );
    }
    let is_bank = to.ends_with(".toml")
        && crate::fs::read_to_string(&entry.path).is_ok_and(|text| {
            toml::from_str::<toml::Table>(&text).is_ok_and(|t| t.contains_key("questions"))
        });
    is_bank.then(|| {
        Diagnostic::error(
            Location::file(shown),
            "a quiz file in content/ would be published, answers and all",
        )
        .with_hint("move it to quizzes/")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_go_before_the_extension() {
        let a = with_hash("style.css", b"a");
        assert!(
            a.starts_with("style.") && a.ends_with(".css") && a.len() == "style..css".len() + 8
        );
        assert_ne!(a, with_hash("style.css", b"b"));
    }

    #[test]
    fn dark_rules_are_scoped_to_the_dark_theme() {
        let css = scope_dark("/* theme */\n.sy-code, .sy-x { color: #fff; }\n");
        assert!(
            css.contains("html[data-theme=\"dark\"] .sy-code, html[data-theme=\"dark\"] .sy-x {"),
            "{css}"
        );
        assert!(css.contains("@media (prefers-color-scheme: dark)"));
        assert!(css.contains("html:not([data-theme=\"light\"]) .sy-code"));
    }
}
