//! `cargo xtask circles`: the import circles between the modules of each crate.
//!
//! A module (a file under `crates/<crate>/src`) depends on another when its code (tests
//! aside) names it through `crate::…` or `super::…`. A module and its own parent or
//! child are not counted: a `mod.rs` that re-exports what its children define, and a
//! child that uses its parent's items, are one unit. Any other cycle is a circle: two
//! files that can only be read, changed or moved together.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Each crate's circles (the modules of each), none when the workspace has none.
pub fn find(root: &Path) -> Result<BTreeMap<String, Vec<Vec<String>>>> {
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(root.join("crates")).context("reading crates/")? {
        let dir = entry?.path();
        let Some(name) = dir.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        let modules = modules(&dir.join("src"))?;
        let circles = circles(&graph(&modules)?);
        if !circles.is_empty() {
            found.insert(name, circles);
        }
    }
    Ok(found)
}

/// `cargo xtask circles`: lists them, and fails when there is one.
pub fn run(root: &Path) -> Result<String> {
    let found = find(root)?;
    if found.is_empty() {
        return Ok("no import circles between the modules of any crate".to_owned());
    }
    let listed: Vec<String> = found
        .iter()
        .flat_map(|(krate, circles)| {
            circles
                .iter()
                .map(move |c| format!("{krate}: {}", c.join(" <-> ")))
        })
        .collect();
    anyhow::bail!("import circles:\n{}", listed.join("\n"))
}

/// Every `.rs` file under `src`, by module path (`api::control`; `lib.rs`, `main.rs`
/// and `mod.rs` name their folder's module).
fn modules(src: &Path) -> Result<BTreeMap<String, PathBuf>> {
    let mut out = BTreeMap::new();
    let mut pending = vec![src.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).with_context(|| dir.display().to_string())? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src)?.with_extension("");
            let mut parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            out.insert(parts.join("::"), path);
        }
    }
    Ok(out)
}

/// Which modules each module names, parents and children aside.
fn graph(modules: &BTreeMap<String, PathBuf>) -> Result<BTreeMap<String, BTreeSet<String>>> {
    let mut edges = BTreeMap::new();
    for (module, path) in modules {
        let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let parent: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
        let parent = &parent[..parent.len().saturating_sub(1)];
        let mut named = BTreeSet::new();
        for line in code
            .lines()
            .map(|l| l.split("//").next().unwrap_or_default())
        {
            for (base, rest) in [("crate", Vec::new()), ("super", parent.to_vec())] {
                for tail in line.split(&format!("{base}::")).skip(1) {
                    let mut path: Vec<&str> = rest.clone();
                    path.extend(
                        tail.split("::")
                            .map(|s| s.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_'))
                            .take_while(|s| !s.is_empty()),
                    );
                    // The longest prefix that is a module.
                    let target = (1..=path.len())
                        .rev()
                        .map(|n| path[..n].join("::"))
                        .find(|candidate| modules.contains_key(candidate));
                    if let Some(target) = target.filter(|t| !related(module, t)) {
                        named.insert(target);
                    }
                }
            }
        }
        edges.insert(module.clone(), named);
    }
    Ok(edges)
}

/// Whether one module is the other, or contains it.
fn related(a: &str, b: &str) -> bool {
    let within = |inner: &str, outer: &str| {
        outer.is_empty() || inner == outer || inner.starts_with(&format!("{outer}::"))
    };
    within(a, b) || within(b, a)
}

/// The strongly connected components of more than one module (Tarjan's algorithm).
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Search<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Search<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            for w in self.edges.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.stack.contains(&w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let at = self.stack.iter().rposition(|m| *m == v).unwrap_or(0);
                let component: Vec<String> = self.stack.drain(at..).map(str::to_owned).collect();
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut search = Search {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !search.index.contains_key(v.as_str()) {
            search.visit(v);
        }
    }
    search.found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_has_no_import_circles() {
        let found = find(&crate::codegen::root()).expect("the crates are readable");
        assert!(found.is_empty(), "import circles: {found:?}");
    }

    #[test]
    fn a_circle_between_siblings_is_found_and_parents_are_not_one() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let src = dir.path().join("src");
        std::fs::create_dir_all(src.join("api")).expect("folders");
        let files = [
            ("lib.rs", "mod api;\nuse crate::api::a::Thing;\n"),
            ("api/mod.rs", "pub mod a;\npub mod b;\npub use a::Thing;\n"),
            ("api/a.rs", "use super::b::Other;\nuse crate::api::Thing;\n"),
            (
                "api/b.rs",
                "use crate::api::a::Thing;\n#[cfg(test)]\nuse crate::lib_only;\n",
            ),
        ];
        for (name, text) in files {
            std::fs::write(src.join(name), text).expect("written");
        }
        let modules = modules(&src).expect("modules");
        assert_eq!(
            modules.keys().collect::<Vec<_>>(),
            ["", "api", "api::a", "api::b"]
        );
        let found = circles(&graph(&modules).expect("graph"));
        assert_eq!(found.len(), 1, "{found:?}");
        let mut circle = found[0].clone();
        circle.sort();
        assert_eq!(circle, ["api::a", "api::b"]);
    }
}
