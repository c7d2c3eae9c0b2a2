//! `fwreq new`: a commented starter spec that explains every key. It fails
//! `check` only on its `TODO:` placeholders, each saying what to write.

use crate::Outcome;
use crate::cli::NewArgs;
use crate::render::Renderer;
use crate::team::Teams;
use anyhow::Context as _;
use minijinja::context;
use std::io::Write as _;
use std::path::PathBuf;

pub fn new(args: NewArgs) -> anyhow::Result<Outcome> {
    // A bare name goes into requests/; a path (with a folder or .toml) is used as given.
    let path = if args.name.contains('/') || args.name.ends_with(".toml") {
        PathBuf::from(&args.name)
    } else {
        PathBuf::from("requests").join(format!("{}.toml", args.name))
    };
    let teams = Teams::of_folder(std::path::Path::new("."))?;
    let renderer = Renderer::new(teams.templates(args.templates))?;
    let text = renderer.page(
        "new.toml.j2",
        context! {
            title => args.title,
            project => args.project,
            requested_by => args.requested_by,
        },
    )?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                anyhow::anyhow!(
                    "{} already exists; fwreq new never overwrites a spec",
                    path.display()
                )
            }
            _ => anyhow::Error::new(e).context(format!("cannot create {}", path.display())),
        })?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("{}", path.display());
    eprintln!(
        "fill in its TODO values; `fwreq check {}` lists what is left",
        path.display()
    );
    Ok(Outcome::Clean)
}
