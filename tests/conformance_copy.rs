//! The repository's copy of the conformance vectors (`tests/conformance/`) equals the
//! project's shared set (`../shared/conformance/`) whenever that folder is beside the
//! repository: the shared set may gain cases, and a stale copy would hide them.
//! In a clone without `../shared` there is nothing to compare and the test says so.

use std::path::PathBuf;

#[test]
fn the_repository_copy_equals_the_shared_vectors() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("..").join("shared").join("conformance");
    let copy = root.join("tests").join("conformance");
    let Ok(entries) = std::fs::read_dir(&shared) else {
        println!("no {} beside the repository: nothing to compare", shared.display());
        return;
    };
    let mut compared = 0;
    let mut stale = Vec::new();
    for entry in entries {
        let entry = entry.expect("readable shared/conformance");
        let name = entry.file_name();
        let theirs = std::fs::read(entry.path()).expect("readable shared vector file");
        match std::fs::read(copy.join(&name)) {
            Ok(ours) if ours == theirs => compared += 1,
            Ok(_) => stale.push(format!("{} differs", name.to_string_lossy())),
            Err(_) => stale.push(format!("{} is missing", name.to_string_lossy())),
        }
    }
    assert!(
        stale.is_empty(),
        "tests/conformance/ is out of date with ../shared/conformance/ ({}): copy the shared files in \
         (cp ../shared/conformance/* tests/conformance/) and run the tests",
        stale.join(", ")
    );
    assert!(compared > 0, "../shared/conformance/ holds no files");
    println!("tests/conformance/: {compared} files equal to ../shared/conformance/");
}
