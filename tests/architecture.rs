//! The shape ARCHITECTURE.md promises, read from the source (issue 29): the
//! module graph of `src/` (from `use crate::...` lines and `crate::x::`
//! paths, test modules left out) has no circle; no `commands/X.rs` names
//! another command's module; no function is over 80 lines unless
//! [`LONG_FUNCTIONS`] says why it must be one.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Edges allowed although they close a circle, each with why.
const ALLOWED_EDGES: &[(&str, &str, &str)] = &[];

/// The most lines a function may take before it needs a reason.
const MAX_LINES: usize = 80;

/// Functions over [`MAX_LINES`], as `path::name`, each with why it stays
/// one. Empty: the twelve of issue 29 are split.
const LONG_FUNCTIONS: &[(&str, &str)] = &[];

/// Every `.rs` file below `src/`, sorted.
fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out
}

/// A file's path below `src/`, with `/` separators.
fn relative(path: &Path) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    path.strip_prefix(&src)
        .unwrap()
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The code of a Rust file with comments, string and char literals blanked
/// (kept as spaces, so line numbers and braces of code stay where they are).
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && matches!(next, Some('#' | '"')) && !ident_before(&chars, i) {
            // A raw string: r"..." or r#"..."#.
            let mut hashes = 0;
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let end: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let rest: String = chars[j + 1..].iter().collect();
            let len = rest.find(&end).map_or(rest.chars().count(), |at| {
                rest[..at].chars().count() + end.chars().count()
            });
            let stop = (j + 1 + len).min(chars.len());
            out.extend(chars[i..stop].iter().map(|&c| blank(c)));
            i = j + 1 + len;
        } else if c == '"' || c == '\'' && is_char_literal(&chars, i) {
            // A string, or a char literal ('{', '\'', '\u{1b}'): blanked to
            // its closing quote, escapes and all.
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// Whether the `'` at `i` opens a char literal (not a lifetime or a label).
fn is_char_literal(chars: &[char], i: usize) -> bool {
    matches!(
        (chars.get(i + 1), chars.get(i + 2)),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

/// The code with every `#[cfg(test)]` (or `#[cfg(all(test, ...))]`) module
/// blanked: tests may reach any stage.
fn without_tests(code: &str) -> String {
    let mut out: Vec<String> = code.lines().map(String::from).collect();
    let mut n = 0;
    while n < out.len() {
        let line = out[n].trim();
        let is_test = line.starts_with("#[cfg(test)]") || line.starts_with("#[cfg(all(test");
        if is_test
            && out
                .get(n + 1)
                .is_some_and(|l| l.trim_start().starts_with("mod "))
        {
            let end = block_end(&out, n + 1);
            for line in &mut out[n..=end] {
                line.clear();
            }
            n = end;
        }
        n += 1;
    }
    out.join("\n")
}

/// The line where the block opened on or after line `start` closes.
fn block_end(lines: &[String], start: usize) -> usize {
    let mut depth = 0i32;
    let mut opened = false;
    for (n, line) in lines.iter().enumerate().skip(start) {
        for c in line.chars() {
            match c {
                '{' => {
                    depth += 1;
                    opened = true;
                }
                '}' => depth -= 1,
                ';' if !opened && depth == 0 => return n,
                _ => {}
            }
            if opened && depth == 0 {
                return n;
            }
        }
    }
    lines.len() - 1
}

/// The top-level modules `code` names through `crate::`.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `fwreq_crate::` or the like
        }
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a, b::c, d::{e, f}}`: the first name of each item.
            let mut depth = 0;
            let mut current = String::new();
            let mut taking = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        if !current.is_empty() {
                            found.insert(std::mem::take(&mut current));
                        }
                        taking = true;
                    }
                    c if depth == 0 && taking && (c.is_alphanumeric() || c == '_') => {
                        current.push(c)
                    }
                    c if depth == 0 && taking && !(c.is_whitespace() && current.is_empty()) => {
                        taking = false;
                    }
                    _ => {}
                }
            }
            if !current.is_empty() {
                found.insert(current);
            }
            found.remove("self");
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

/// Each top-level module and the top-level modules it names (itself left out).
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in sources() {
        let rel = relative(&path);
        if rel == "main.rs" || rel == "lib.rs" {
            continue; // the binary and the dispatcher above every stage
        }
        let module = rel
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        let code = without_tests(&code_only(&fs::read_to_string(&path).unwrap()));
        let named = named_modules(&code);
        let entry = graph.entry(module.clone()).or_default();
        entry.extend(named.into_iter().filter(|m| *m != module));
    }
    graph
}

/// Every circle of the graph, as the modules of each strongly connected
/// part (Tarjan), after leaving out the allowed edges.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        for w in s.graph.get(v).into_iter().flatten() {
            if ALLOWED_EDGES.iter().any(|(a, b, _)| *a == v && b == w) {
                continue;
            }
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.stack.contains(&w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut part = Vec::new();
            while let Some(w) = s.stack.pop() {
                part.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if part.len() > 1 {
                part.sort();
                s.found.push(part);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.found
}

#[test]
fn the_module_graph_has_no_circle() {
    let graph = module_graph();
    let found = circles(&graph);
    let shown: Vec<String> = found
        .iter()
        .map(|part| {
            let edges: Vec<String> = part
                .iter()
                .flat_map(|a| {
                    graph[a]
                        .iter()
                        .filter(|b| part.contains(b))
                        .map(move |b| format!("{a} -> {b}"))
                })
                .collect();
            edges.join(", ")
        })
        .collect();
    assert!(shown.is_empty(), "module circles: {shown:#?}");
    // Every allowed edge is still there (else its entry goes).
    for (a, b, why) in ALLOWED_EDGES {
        assert!(
            graph.get(*a).is_some_and(|to| to.contains(*b)),
            "{a} -> {b} is gone ({why}): remove it from ALLOWED_EDGES"
        );
    }
}

#[test]
fn the_graph_reader_sees_uses_paths_and_groups_but_not_tests_or_text() {
    let code = code_only(
        "use crate::a::X;\nuse crate::{b, c::{D, E}, self as f};\nfn g() { crate::h::i(); }\n// crate::j\nconst S: &str = \"crate::k\";\n#[cfg(test)]\nmod tests {\n    use crate::l;\n}\n",
    );
    let named = named_modules(&without_tests(&code));
    let want: BTreeSet<String> = ["a", "b", "c", "h"].iter().map(|s| s.to_string()).collect();
    assert_eq!(named, want);
}

#[test]
fn no_command_names_another_commands_module() {
    let commands = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
    let names: Vec<String> = fs::read_dir(&commands)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| Some(p.file_stem()?.to_string_lossy().into_owned()))
        .filter(|n| n != "mod")
        .collect();
    let mut found = Vec::new();
    for name in &names {
        let path = commands.join(format!("{name}.rs"));
        let code = without_tests(&code_only(&fs::read_to_string(&path).unwrap()));
        for other in names.iter().filter(|o| *o != name) {
            for pattern in [
                format!("super::{other}::"),
                format!("super::{other};"),
                format!("commands::{other}"),
            ] {
                if code.contains(&pattern) {
                    found.push(format!("commands/{name}.rs names {pattern}"));
                }
            }
            // `use super::{a, other::X}`
            for group in code.split("super::{").skip(1) {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                if group
                    .split(',')
                    .any(|item| item.trim().split("::").next() == Some(other.as_str()))
                {
                    found.push(format!("commands/{name}.rs names super::{{{other}}}"));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// Every function of `src/` with its line count, as `path::name`.
fn functions() -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for path in sources() {
        let rel = relative(&path);
        let code = code_only(&fs::read_to_string(&path).unwrap());
        let lines: Vec<String> = code.lines().map(String::from).collect();
        for (n, line) in lines.iter().enumerate() {
            let Some(at) = fn_keyword(line) else { continue };
            let name: String = line[at + 3..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() {
                continue;
            }
            let end = block_end(&lines, n);
            let body = &lines[n..=end];
            if !body.iter().any(|l| l.contains('{')) {
                continue; // a declaration without a body
            }
            out.push((format!("{rel}::{name}"), end - n + 1));
        }
    }
    out
}

/// Where `fn ` starts as a keyword in a line of code.
fn fn_keyword(line: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = line[from..].find("fn ") {
        let at = from + at;
        let before = line[..at].chars().next_back();
        if before.is_none_or(|c| !(c.is_alphanumeric() || c == '_')) {
            return Some(at);
        }
        from = at + 3;
    }
    None
}

#[test]
fn no_function_is_over_80_lines_unless_its_entry_says_why() {
    let all = functions();
    let long: Vec<String> = all
        .iter()
        .filter(|(name, lines)| {
            *lines > MAX_LINES && !LONG_FUNCTIONS.iter().any(|(n, _)| n == name)
        })
        .map(|(name, lines)| format!("{name}: {lines} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "split these, or say why in LONG_FUNCTIONS: {long:#?}"
    );
    for (name, why) in LONG_FUNCTIONS {
        let lines = all.iter().find(|(n, _)| n == name).map(|(_, l)| *l);
        assert!(
            lines.is_some_and(|l| l > MAX_LINES),
            "{name} ({why}) is no longer over {MAX_LINES} lines: remove its entry"
        );
    }
}

#[test]
fn the_function_scan_counts_a_body_by_its_braces() {
    let code = code_only(
        "fn a() {\n    let s = \"}\";\n    let c = '}';\n}\n\nfn b<'x>(x: &'x str)\nwhere\n    'x: 'x,\n{\n    if true { }\n}\n",
    );
    let lines: Vec<String> = code.lines().map(String::from).collect();
    assert_eq!(block_end(&lines, 0), 3);
    assert_eq!(block_end(&lines, 5), 10);
}

/// ARCHITECTURE.md, read once.
fn architecture() -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md")).unwrap()
}

#[test]
fn architecture_md_maps_every_module_and_its_recipes_name_real_files() {
    let text = architecture();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Every top-level module has a place in the code map.
    for path in sources() {
        let rel = relative(&path);
        let top = match rel.split_once('/') {
            Some((dir, _)) => format!("`src/{dir}/`"),
            None => format!("`src/{rel}"),
        };
        assert!(text.contains(&top), "ARCHITECTURE.md does not map {top}");
    }
    // Every file a recipe names exists (`<platform>` stands for a new one).
    let recipes = &text[text.find("## Recipes").expect("a Recipes section")..];
    let named: Vec<&str> = recipes
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| (t.starts_with("src/") || t.starts_with("tests/")) && !t.contains('<'))
        .collect();
    assert!(named.len() >= 8, "{named:?}");
    for file in named {
        assert!(
            root.join(file).exists(),
            "a recipe names {file}, which does not exist"
        );
    }
}
