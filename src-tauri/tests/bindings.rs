//! `ui/src/bindings.ts` must be exactly what the Rust types generate. Fails when it is stale;
//! `UPDATE_BINDINGS=1 cargo test -p motcua-desk --test bindings` rewrites it.

use std::path::Path;

#[test]
fn typescript_bindings_are_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
    let fresh = motcua_desk::bindings::typescript();
    if std::env::var("UPDATE_BINDINGS").ok().as_deref() == Some("1") {
        std::fs::write(&path, &fresh).expect("write bindings.ts");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        let tmp = std::env::temp_dir().join("motcua-bindings.fresh.ts");
        let _ = std::fs::write(&tmp, &fresh);
        panic!(
            "ui/src/bindings.ts is stale (fresh copy: {}). Run: UPDATE_BINDINGS=1 cargo test -p motcua-desk --test bindings",
            tmp.display()
        );
    }
}

#[test]
fn every_command_is_in_the_bindings_once() {
    let ts = motcua_desk::bindings::typescript();
    let sigs = motcua_desk::ipc::signatures();
    assert!(sigs.len() >= 20);
    for s in &sigs {
        let needle = format!("invoke(\"{}\"", s.name);
        assert_eq!(ts.matches(&needle).count(), 1, "{}", s.name);
    }
}
