//! `fwreq new`: a commented starter spec that explains every key. It fails
//! `check` only on its `TODO:` placeholders, each saying what to write.

use crate::Outcome;
use crate::cli::NewArgs;
use crate::session::{Options, Session};
use crate::team;
use anyhow::bail;
use minijinja::context;
use std::path::{Path, PathBuf};

pub fn new(args: NewArgs) -> anyhow::Result<Outcome> {
    let path = spec_path(&args.name)?;
    // The team of the folder the spec goes to (its templates, its signature).
    let folder = path.parent().unwrap_or(Path::new(""));
    let options = Options {
        templates: args.templates,
        ..Options::default()
    };
    super::refuse_missing_templates(&options)?;
    let session = Session::of_folder(folder, &options)?;
    super::report_ignored(session.ignored());
    let session = session.valid()?;
    // The team's fields, each with its help, for the writer to fill in.
    let fields = session.team(&path).fields.starter();
    let text = session.first_renderer().page(
        "new.toml.j2",
        context! {
            title => args.title,
            project => args.project,
            requested_by => args.requested_by,
            fields => minijinja::value::Serde(fields),
        },
    )?;
    if !folder.as_os_str().is_empty() {
        std::fs::create_dir_all(folder)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", folder.display()))?;
    }
    crate::output::write_whole(&path, &text, false).map_err(|e| {
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            anyhow::anyhow!(
                "{} is a link; fwreq new never writes through a link nor replaces one",
                path.display()
            )
        } else if path.exists() {
            anyhow::anyhow!(
                "{} already exists; fwreq new never overwrites a spec",
                path.display()
            )
        } else {
            e
        }
    })?;
    println!("{}", path.display());
    eprintln!(
        "fill in its TODO values; `fwreq check {}` lists what is left",
        path.display()
    );
    Ok(Outcome::Clean)
}

/// Where `new NAME` writes: a bare name goes into requests/, a path is used
/// as given; `.toml` is added when missing, so `check` finds the file. A
/// name that would make a hidden file, a folder or the team file is refused.
fn spec_path(name: &str) -> anyhow::Result<PathBuf> {
    let file_name = name.rsplit('/').next().unwrap_or(name);
    let stem = file_name.strip_suffix(".toml").unwrap_or(file_name);
    if stem.is_empty() || stem.starts_with('.') {
        bail!(
            "`{name}` is not a request name: give a name such as avilla-registry (a hidden or empty file name would not be checked)"
        );
    }
    let with_toml = format!("{}.toml", name.strip_suffix(".toml").unwrap_or(name));
    if format!("{stem}.toml") == team::FILE {
        bail!("`{name}` is the team file's name; give the request another name");
    }
    Ok(if name.contains('/') || name.ends_with(".toml") {
        PathBuf::from(with_toml)
    } else {
        PathBuf::from("requests").join(with_toml)
    })
}
