//! `fwreq init`: what a team's repository needs to start, written once: the
//! team file with its settings commented out at their defaults, one example
//! request that passes `check`, a pre-commit hook and CI jobs that run
//! `check`. The texts are data files under `templates/init/`.

use crate::Outcome;
use crate::cli::InitArgs;
use anyhow::bail;
use std::path::Path;

/// Each file `init` writes: its path in the repository and its text. The
/// team file sits beside the requests (`requests/fwreq.toml`), as in fwreq's
/// own repository: it governs that folder only, not everything in a
/// repository that may hold more than requests, and `check requests/`,
/// `list` and `sync` all start there.
const FILES: [(&str, &str); 5] = [
    (
        "requests/fwreq.toml",
        include_str!("../../templates/init/fwreq.toml"),
    ),
    (
        "requests/example.toml",
        include_str!("../../templates/init/example.toml"),
    ),
    (
        ".pre-commit-config.yaml",
        include_str!("../../templates/init/pre-commit-config.yaml"),
    ),
    (
        ".github/workflows/fwreq.yml",
        include_str!("../../templates/init/github-workflow.yml"),
    ),
    (
        ".gitlab-ci.yml",
        include_str!("../../templates/init/gitlab-ci.yml"),
    ),
];

pub fn init(args: InitArgs) -> anyhow::Result<Outcome> {
    let dir = args.dir.as_deref().unwrap_or(Path::new(""));
    // Every file is looked at before any is written: a refusal leaves the
    // folder as it was, and names every file in the way at once.
    let existing: Vec<String> = FILES
        .iter()
        .map(|(name, _)| dir.join(name))
        .filter(|path| std::fs::symlink_metadata(path).is_ok())
        .map(|path| path.display().to_string())
        .collect();
    if !existing.is_empty() && !args.force {
        bail!(
            "fwreq init replaces no file: {} already {}; add --force to replace {}",
            existing.join(", "),
            if existing.len() == 1 {
                "exists"
            } else {
                "exist"
            },
            if existing.len() == 1 { "it" } else { "them" },
        );
    }
    for (name, text) in FILES {
        let path = dir.join(name);
        if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", folder.display()))?;
        }
        crate::output::write_whole(&path, text, args.force)
            .map_err(|e| super::refused(e, args.force))?;
        println!("{}", path.display());
    }
    let requests = dir.join("requests");
    eprintln!(
        "next: `fwreq check {}/`, then `fwreq new NAME` for a request of your own",
        requests.display()
    );
    Ok(Outcome::Clean)
}
