//! Helpers provided by the shared runtime (runtime/cw_helpers.js): their
//! names, the host globals each relies on, their dependencies and their
//! standalone "chunk" sources. The data file is produced by
//! `examples/gen_runtime.rs` (run gen_runtime.sh); regenerate it whenever the
//! swc pins change.

/// One runtime helper.
pub struct HelperInfo {
    pub name: &'static str,
    /// Same name, NUL-terminated, for C callers.
    pub cname: &'static str,
    /// NEEDS_* bits of the helper and everything it calls.
    pub needs: u32,
    /// Ids of every helper it needs, itself included.
    pub closure: &'static [u16],
    /// NUL-terminated ES5 source of a function expression that takes the
    /// helper object and stores this helper on it.
    pub chunk: &'static str,
}

type Row = (&'static str, &'static str, u32, &'static [u16], &'static str);

const ROWS: &[Row] = include!("../runtime/cw_helpers_table.rs");

pub fn count() -> usize {
    ROWS.len()
}

pub fn get(id: usize) -> Option<HelperInfo> {
    ROWS.get(id).map(|&(name, cname, needs, closure, chunk)| HelperInfo { name, cname, needs, closure, chunk })
}

pub fn find(name: &str) -> Option<usize> {
    ROWS.binary_search_by(|r| r.0.cmp(name)).ok()
}
