//! `cargo xtask policy [--check]`: writes the generated policy templates into the repository, or
//! (`--check`) lists those that differ from what the schema and policy.ftl make and exits 1.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let files = match banyan_policy_templates::generate() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("policy templates: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stale = 0;
    for (path, text) in files {
        let at = root.join(&path);
        let same = std::fs::read_to_string(&at).is_ok_and(|t| t == text);
        if check {
            if !same {
                eprintln!("{} differs from what `cargo xtask policy` generates", path.display());
                stale += 1;
            }
            continue;
        }
        if same {
            println!("{} (unchanged)", path.display());
            continue;
        }
        if let Err(e) = at.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|_| std::fs::write(&at, &text)) {
            eprintln!("{}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("{} ({} bytes)", path.display(), text.len());
    }
    if stale > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
