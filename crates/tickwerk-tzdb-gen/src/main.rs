//! `cargo run -p tickwerk-tzdb-gen --release -- [TZDATA_DIR] [--out DIR] [--check]
//! [--summary FILE] [--dump FILE]`
//!
//! Regenerates `crates/tickwerk-tzdb/src/tzdb.bin` and `tzdb.version` from the IANA source
//! files in `TZDATA_DIR` (an unpacked `tzdata20XXx.tar.gz`: `africa`, `europe`, …,
//! `backward`, and `version` or `NEWS`); without it, from the release bundled in the
//! chrono-tz crate of `Cargo.lock`. `--check` writes nothing and fails if the committed files
//! differ from what would be written. `--summary` writes one line per zone (types, explicit
//! changes, yearly rule), `--dump` every zone's types and changes.

use std::fs;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tickwerk-tzdb-gen: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let mut dir: Option<PathBuf> = None;
    let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tickwerk-tzdb/src");
    let (mut check, mut summary, mut dump) = (false, None, None);
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().map(PathBuf::from).ok_or(format!("{name} needs a value"));
        match arg.to_str() {
            Some("--out") => out = value("--out")?,
            Some("--summary") => summary = Some(value("--summary")?),
            Some("--dump") => dump = Some(value("--dump")?),
            Some("--check") => check = true,
            Some("-h" | "--help") => {
                println!("usage: tickwerk-tzdb-gen [TZDATA_DIR] [--out DIR] [--check] [--summary FILE] [--dump FILE]");
                return Ok(ExitCode::SUCCESS);
            }
            Some(s) if s.starts_with('-') => return Err(format!("unknown option {s} (see --help)")),
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            _ => return Err("more than one TZDATA_DIR".into()),
        }
    }
    let out = fs::canonicalize(&out).unwrap_or(out);
    let dir = match dir {
        Some(dir) => dir,
        None => tickwerk_tzdb_gen::chrono_tz_sources()?,
    };
    let generated = tickwerk_tzdb_gen::generate(&dir)?;
    eprintln!(
        "IANA {} from {}: {} zones, {} tables, {} abbreviations, {} bytes",
        generated.version,
        dir.display(),
        generated.zones,
        generated.tables,
        generated.abbreviations,
        generated.blob.len()
    );
    if let Some(path) = summary {
        fs::write(&path, &generated.summary).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let Some(path) = dump {
        fs::write(&path, &generated.dump).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let files = [("tzdb.bin", generated.blob.clone()), ("tzdb.version", generated.version.clone().into_bytes())];
    if check {
        let mut stale = Vec::new();
        for (name, bytes) in &files {
            if fs::read(out.join(name)).ok().as_ref() != Some(bytes) {
                stale.push(out.join(name).display().to_string());
            }
        }
        if !stale.is_empty() {
            eprintln!("not what the generator makes from {}: {}", dir.display(), stale.join(", "));
            return Ok(ExitCode::FAILURE);
        }
        eprintln!("{} is up to date", out.display());
    } else {
        for (name, bytes) in &files {
            let path = out.join(name);
            fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
