//! Templates: Tera loaded from `themes/<name>/templates/`, with any same-named file in
//! the site's own `templates/` taking precedence, and rendering to strings.
//!
//! Template mistakes are authors' mistakes, so they become [`Diagnostic`]s pointing at
//! the template's own line: Tera reports parse errors with a position, and for render
//! errors (an unknown variable, say) the offending expression is searched for in the
//! template and its parents.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::Regex;
use serde::Serialize;
use tera::Tera;

use crate::error::{Diagnostic, Error, Location, Severity};

/// Templates every theme must provide.
pub const REQUIRED: &[&str] = &[
    "base.html",
    "index.html",
    "section.html",
    "page.html",
    "404.html",
    "print.html",
    "quizzes.html",
    "exam.html",
    "quiz.html",
    "practice.html",
    "search.html",
];

/// One template file as found on disk.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// The name templates use to refer to it (`page.html`, `partials/nav.html`).
    pub name: String,
    /// The path shown in diagnostics (`themes/default/templates/page.html`).
    pub file: PathBuf,
    pub text: String,
}

#[derive(Debug)]
pub struct Theme {
    tera: Tera,
    files: BTreeMap<String, TemplateFile>,
    /// The theme's `static/` folder, copied (fingerprinted) into the site.
    pub static_dir: PathBuf,
}

impl Theme {
    /// Reads the theme `name` below `root/themes/`, then the overrides in `root/templates/`.
    /// The outer error is the environment's; the inner one lists the authors' mistakes.
    ///
    /// `previous` is the theme the last build used (`shouce dev`): when every template
    /// file reads the same, it is returned as it is instead of parsing them again.
    pub fn load(
        root: &Path,
        name: &str,
        previous: Option<&Arc<Theme>>,
    ) -> Result<Result<Arc<Theme>, Vec<Diagnostic>>, Error> {
        let theme_dir = Path::new("themes").join(name);
        if !root.join(&theme_dir).join("templates").is_dir() {
            let d = Diagnostic::error(
                Location::file(crate::config::FILE_NAME),
                format!("the theme `{name}` does not exist"),
            )
            .with_hint(format!(
                "expected templates in {}/templates/; set `theme` in shouce.toml",
                theme_dir.display()
            ));
            return Ok(Err(vec![d]));
        }
        let mut files = read_templates(root, &theme_dir.join("templates"))?;
        files.extend(read_templates(root, Path::new("templates"))?);
        let static_dir = root.join(theme_dir).join("static");
        if let Some(previous) = previous
            && previous.static_dir == static_dir
            && previous.same_files(&files)
        {
            return Ok(Ok(Arc::clone(previous)));
        }
        Ok(Theme::parse(files, static_dir).map(Arc::new))
    }

    /// Whether `files` (in load order, later overriding earlier) are this theme's.
    fn same_files(&self, files: &[TemplateFile]) -> bool {
        let mut by_name: BTreeMap<&str, &TemplateFile> = BTreeMap::new();
        for f in files {
            by_name.insert(&f.name, f);
        }
        by_name.len() == self.files.len()
            && by_name
                .values()
                .zip(self.files.values())
                .all(|(a, b)| a.name == b.name && a.file == b.file && a.text == b.text)
    }

    /// Builds the template set from files (later files override earlier ones by name).
    pub fn parse(files: Vec<TemplateFile>, static_dir: PathBuf) -> Result<Theme, Vec<Diagnostic>> {
        let files: BTreeMap<String, TemplateFile> =
            files.into_iter().map(|f| (f.name.clone(), f)).collect();
        let mut missing = Vec::new();
        for &name in REQUIRED {
            if !files.contains_key(name) {
                let dir = files
                    .values()
                    .next()
                    .and_then(|f| f.file.parent())
                    .map_or_else(|| PathBuf::from("templates"), Path::to_path_buf);
                missing.push(
                    Diagnostic::error(
                        Location::file(dir),
                        format!("the theme has no `{name}` template"),
                    )
                    .with_hint(format!("add templates/{name} (it may extend base.html)")),
                );
            }
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(escape);
        if let Err(e) =
            tera.add_raw_templates(files.values().map(|f| (f.name.as_str(), f.text.as_str())))
        {
            // Only now is each file parsed on its own, so that a syntax error points at
            // its template's line; what is left is a name that resolves to nothing.
            let mut problems: Vec<Diagnostic> = files
                .values()
                .filter_map(|f| {
                    let mut scratch = Tera::default();
                    scratch
                        .add_raw_template(&f.name, &f.text)
                        .err()
                        .and_then(|e| parse_error(f, &e))
                })
                .collect();
            problems.append(&mut missing);
            if !problems.is_empty() {
                return Err(problems);
            }
            let message = chain(&e);
            let culprit = files
                .values()
                .find(|f| message.contains(&format!("'{}'", f.name)));
            let location =
                culprit.map_or_else(|| Location::file("templates"), |f| Location::file(&f.file));
            return Err(vec![
                Diagnostic::error(location, message)
                    .with_hint("check `extends`, `include` and `import` names"),
            ]);
        }
        if !missing.is_empty() {
            return Err(missing);
        }
        Ok(Theme {
            tera,
            files,
            static_dir,
        })
    }

    /// A hash over every template's name and text: changes when any template does.
    pub fn fingerprint(&self) -> [u8; 32] {
        let mut hasher = blake3::Hasher::new();
        for file in self.files.values() {
            hasher.update(file.name.as_bytes());
            hasher.update(&[0]);
            hasher.update(file.text.as_bytes());
            hasher.update(&[0]);
        }
        *hasher.finalize().as_bytes()
    }

    pub fn has(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// Renders template `name` with a typed context.
    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, Diagnostic> {
        self.tera
            .render(name, &tera_context(context)?)
            .map_err(|e| self.render_error(name, &e))
    }

    /// Renders template `name` into bytes: for pages that go straight to disk, this
    /// skips re-checking the output's UTF-8 and growing a small buffer step by step.
    pub fn render_bytes(
        &self,
        name: &str,
        context: &impl Serialize,
        capacity: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Vec::with_capacity(capacity);
        self.tera
            .render_to(name, &tera_context(context)?, &mut out)
            .map_err(|e| self.render_error(name, &e))?;
        Ok(out)
    }

    fn render_error(&self, name: &str, err: &tera::Error) -> Diagnostic {
        let message = chain(err);
        let quoted = Regex::new(r"`([^`]+)`").expect("valid regex");
        let needle = quoted.captures(&message).map(|c| c[1].to_string());
        let mut search_order = vec![name.to_string()];
        search_order.extend(self.files.keys().filter(|k| *k != name).cloned());
        for file in search_order.iter().filter_map(|n| self.files.get(n)) {
            if let Some(at) = needle.as_deref().and_then(|n| file.text.find(n)) {
                let len = needle.as_deref().map_or(1, str::len);
                return Diagnostic::at(Severity::Error, &file.file, &file.text, at..at + len, message)
                    .with_hint("the variable is not in this template's context; test optional values with `{% if … %}`");
            }
        }
        let location = self
            .files
            .get(name)
            .map_or_else(|| Location::file("templates"), |f| Location::file(&f.file));
        Diagnostic::error(location, message)
    }
}

fn tera_context(context: &impl Serialize) -> Result<tera::Context, Diagnostic> {
    tera::Context::from_serialize(context)
        .map_err(|e| Diagnostic::error(Location::file("templates"), chain(&e)))
}

/// Escapes what HTML needs escaped in text and quoted attributes. Tera's default also
/// escapes `/` (as `&#x2F;`), which bloats every URL and buys no safety in quoted attributes.
fn escape(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    for ch in input.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn read_templates(root: &Path, dir: &Path) -> Result<Vec<TemplateFile>, Error> {
    let full = root.join(dir);
    if !full.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    let walk = crate::fs::walk_files(&full);
    if let Some((path, source)) = walk.unreadable.into_iter().next() {
        return Err(Error::Io {
            path: full.join(path),
            source,
        });
    }
    for entry in walk.files {
        if !(entry.relative.ends_with(".html") || entry.relative.ends_with(".xml")) {
            continue;
        }
        let text = crate::fs::read_to_string(&entry.path)?;
        files.push(TemplateFile {
            file: dir.join(&entry.relative),
            name: entry.relative,
            text,
        });
    }
    Ok(files)
}

/// A Tera error and its causes as one line.
fn chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(e) = source {
        parts.push(e.to_string());
        source = e.source();
    }
    parts.join(": ")
}

/// A parse error located by the ` --> line:col` Tera puts in its message.
fn parse_error(file: &TemplateFile, err: &tera::Error) -> Option<Diagnostic> {
    let message = chain(err);
    let position = Regex::new(r"--> (\d+):(\d+)").expect("valid regex");
    let caps = position.captures(&message)?;
    let line: usize = caps[1].parse().ok()?;
    let col: usize = caps[2].parse().ok()?;
    let expected = message
        .lines()
        .find_map(|l| l.trim().strip_prefix("= "))
        .unwrap_or("syntax error");
    let line_start: usize = file
        .text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let offset = line_start
        + file.text[line_start..]
            .chars()
            .take(col - 1)
            .map(char::len_utf8)
            .sum::<usize>();
    Some(
        Diagnostic::at(
            Severity::Error,
            &file.file,
            &file.text,
            offset..offset + 1,
            format!("template syntax error: {expected}"),
        )
        .with_hint("see the Tera documentation: https://keats.github.io/tera/docs/"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(extra: &[(&str, &str)]) -> Vec<TemplateFile> {
        let mut all: Vec<(&str, &str)> = REQUIRED.iter().map(|n| (*n, "ok")).collect();
        all.extend_from_slice(extra);
        all.into_iter()
            .map(|(name, text)| TemplateFile {
                name: name.into(),
                file: PathBuf::from("themes/t/templates").join(name),
                text: text.into(),
            })
            .collect()
    }

    #[test]
    fn later_files_override_earlier_ones() {
        let theme =
            Theme::parse(files(&[("page.html", "override {{ x }}")]), PathBuf::new()).unwrap();
        #[derive(Serialize)]
        struct Ctx {
            x: u8,
        }
        assert_eq!(
            theme.render("page.html", &Ctx { x: 1 }).unwrap(),
            "override 1"
        );
    }

    #[test]
    fn escaping_keeps_slashes_and_neutralises_markup() {
        let theme = Theme::parse(
            files(&[("page.html", "<a href=\"{{ u }}\">{{ t }}</a>")]),
            PathBuf::new(),
        )
        .unwrap();
        let html = theme
            .render(
                "page.html",
                &serde_json::json!({"u": "../rules/a/", "t": "<b>\"x\" & 'y'</b>"}),
            )
            .unwrap();
        assert_eq!(
            html,
            "<a href=\"../rules/a/\">&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;</a>"
        );
    }

    #[test]
    fn parse_errors_carry_the_template_line() {
        let errs = Theme::parse(
            files(&[("page.html", "line one\n{{ page.title }\n")]),
            PathBuf::new(),
        )
        .unwrap_err();
        assert_eq!(
            errs[0].location.path,
            PathBuf::from("themes/t/templates/page.html")
        );
        assert_eq!(errs[0].location.line, 2);
    }

    #[test]
    fn a_missing_template_is_named() {
        let mut f = files(&[]);
        f.retain(|t| t.name != "404.html");
        let errs = Theme::parse(f, PathBuf::new()).unwrap_err();
        assert!(errs[0].message.contains("404.html"));
    }

    #[test]
    fn render_errors_point_at_the_expression() {
        let theme = Theme::parse(
            files(&[("page.html", "a\n{{ page.nope }}\n")]),
            PathBuf::new(),
        )
        .unwrap();
        let err = theme
            .render("page.html", &serde_json::json!({"page": {}}))
            .unwrap_err();
        assert_eq!(err.location.line, 2, "{err}");
    }
}
