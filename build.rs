//! Reads the date of the vendored Public Suffix List (its `// VERSION:` line)
//! so `fwreq --version` and `check --list-lints` can say how old the list is.

fn main() {
    let path = "data/public_suffix_list.dat";
    println!("cargo:rerun-if-changed={path}");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let date = text
        .lines()
        .take_while(|l| l.starts_with("//") || l.trim().is_empty())
        .find_map(|l| l.strip_prefix("// VERSION: "))
        .and_then(|v| v.get(..10))
        .unwrap_or("unknown");
    println!("cargo:rustc-env=FWREQ_PSL_DATE={date}");
}
