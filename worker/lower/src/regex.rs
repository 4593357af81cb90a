//! ECMAScript regular expressions for the job heap's RegExp, on the
//! `regress` crate (the engine Boa uses): ES2025 syntax (named and duplicate
//! named groups, lookbehind, `\p{..}`, `\u{..}`, the `i m s u v` flags),
//! matched on UTF-16 code units (code points with `u`/`v`) as V8 does, so
//! every index is a UTF-16 index.  The backtracker keeps its state on the
//! heap, never on the C stack, so a 10 MB subject cannot overflow anything.
//!
//! Why here: the lowering library is already linked into the executor as a
//! Rust static library; one more module costs no new toolchain or link step.
//! The flags `g`, `y` and `d` are the RegExp object's business (lastIndex,
//! stickiness, indices) and are handled by its JavaScript implementation.
//!
//! C interface (declared in `cw_regex.h`): compile a pattern (UTF-16 code
//! units) with flags into a handle or a SyntaxError message; run it from a
//! start index over a UTF-16 subject; read the last match's groups and the
//! group names; free the handle.  Every entry point catches panics.

use std::{
    ffi::{c_char, c_int},
    panic::{self, AssertUnwindSafe},
    ptr, slice,
};

use regress::{Flags, Regex};

use crate::regex_linear;

/// A compiled pattern and the groups of its last match.
pub struct CwRe {
    re: Regex,
    unicode: bool,
    /// The linear-time matcher for ASCII subjects, when it applies.
    linear: Option<(regex::bytes::Regex, regex::bytes::CaptureLocations)>,
    /// Groups of the last match, group 0 first (None: no match).
    last: Option<Vec<Option<std::ops::Range<usize>>>>,
    /// NUL-terminated group names (index 1..), filled on the first match.
    names: Vec<Vec<u8>>,
    error: Vec<u8>,
}

/// Code points of a UTF-16 pattern: with `u`/`v` surrogate pairs are one
/// code point; without, every code unit stands for itself (as in V8).
fn pattern_chars(p: &[u16], unicode: bool) -> Vec<u32> {
    if !unicode {
        return p.iter().map(|&u| u as u32).collect();
    }
    char::decode_utf16(p.iter().copied())
        .map(|r| match r {
            Ok(c) => c as u32,
            Err(e) => e.unpaired_surrogate() as u32,
        })
        .collect()
}

/// The name of every capturing group, in order (None: unnamed), read from
/// a pattern that compiled: `(` opens a group unless it is escaped, inside
/// a class, or followed by `?` other than `?<name>`.
fn group_names(p: &[u32], sets: bool) -> Vec<Option<String>> {
    let ch = |i: usize| p.get(i).copied().unwrap_or(0);
    let mut out = Vec::new();
    let mut class = 0u32; // nesting of [...] (v-flag classes nest)
    let mut i = 0;
    while i < p.len() {
        match ch(i) {
            0x5C => i += 1, // backslash: skip the escaped unit
            0x5B if class == 0 || sets => class += 1,
            0x5D if class > 0 => class -= 1,
            0x28 if class == 0 => {
                if ch(i + 1) != 0x3F {
                    out.push(None);
                } else if ch(i + 2) == 0x3C && ch(i + 3) != 0x3D && ch(i + 3) != 0x21 {
                    let mut j = i + 3;
                    let mut name = String::new();
                    while j < p.len() && ch(j) != 0x3E {
                        if ch(j) == 0x5C && ch(j + 1) == 0x75 {
                            // \uXXXX, \u{X..}, or a surrogate pair of \uXXXX
                            let (cp, next) = unicode_escape(p, j + 2);
                            let (cp, next) = if (0xD800..0xDC00).contains(&cp) && ch(next) == 0x5C && ch(next + 1) == 0x75 {
                                let (lo, n2) = unicode_escape(p, next + 2);
                                if (0xDC00..0xE000).contains(&lo) {
                                    (0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00), n2)
                                } else {
                                    (cp, next)
                                }
                            } else {
                                (cp, next)
                            };
                            name.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                            j = next;
                            continue;
                        }
                        let c = ch(j);
                        if (0xD800..0xDC00).contains(&c) && (0xDC00..0xE000).contains(&ch(j + 1)) {
                            let cp = 0x10000 + ((c - 0xD800) << 10) + (ch(j + 1) - 0xDC00);
                            name.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                            j += 2;
                            continue;
                        }
                        name.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                        j += 1;
                    }
                    out.push(Some(name));
                    i = j;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Value and end of the hex digits of a `\u` escape starting at `i` (after
/// the `u`): four digits, or `{digits}`.
fn unicode_escape(p: &[u32], i: usize) -> (u32, usize) {
    let hex = |c: u32| char::from_u32(c).and_then(|c| c.to_digit(16));
    let mut v = 0u32;
    if p.get(i) == Some(&0x7B) {
        let mut j = i + 1;
        while let Some(d) = p.get(j).and_then(|&c| hex(c)) {
            v = v.saturating_mul(16).saturating_add(d);
            j += 1;
        }
        return (v, j + 1);
    }
    let mut j = i;
    while j < i + 4 {
        match p.get(j).and_then(|&c| hex(c)) {
            Some(d) => v = v * 16 + d,
            None => break,
        }
        j += 1;
    }
    (v, j)
}

/// Compiles `pat` with `flags` (only `i m s u v` are looked at). On a
/// syntax error returns the handle with an error message and no pattern.
pub fn compile(pat: &[u16], flags: &str) -> Result<CwRe, String> {
    let f = Flags::from(flags);
    let unicode = f.unicode || f.unicode_sets;
    let chars = pattern_chars(pat, unicode);
    let chars_copy = chars.clone();
    match Regex::from_unicode(chars.into_iter(), f) {
        Ok(re) => {
            let names = group_names(&chars_copy, f.unicode_sets)
                .into_iter()
                .map(|n| {
                    let mut v = n.map(String::into_bytes).unwrap_or_default();
                    v.push(0);
                    v
                })
                .collect();
            let names: Vec<Vec<u8>> = names;
            let linear = regex_linear::compile(&chars_copy, flags)
                .filter(|(r, n)| *n == names.len() && r.captures_len() == n + 1)
                .map(|(r, _)| {
                    let locs = r.capture_locations();
                    (r, locs)
                });
            Ok(CwRe { re, unicode, linear, last: None, names, error: Vec::new() })
        }
        Err(e) => Err(e.to_string()),
    }
}

impl CwRe {
    /// Leftmost match at or after `start` (a UTF-16 index).
    pub fn exec(&mut self, text: &[u16], start: usize) -> bool {
        let m = if self.unicode {
            self.re.find_from_utf16(text, start).next()
        } else {
            self.re.find_from_ucs2(text, start).next()
        };
        self.last = m.map(|m| {
            let mut v = Vec::with_capacity(m.captures.len() + 1);
            v.push(Some(m.range.clone()));
            v.extend(m.captures.iter().cloned());
            v
        });
        self.last.is_some()
    }

    /// The same over an ASCII subject (bytes == UTF-16 units) with the
    /// linear matcher; None when the pattern has none.
    pub fn exec_ascii(&mut self, text: &[u8], start: usize) -> Option<bool> {
        let (r, locs) = self.linear.as_mut()?;
        let found = r.captures_read_at(locs, text, start).is_some();
        self.last = found.then(|| (0..locs.len()).map(|i| locs.get(i).map(|(a, b)| a..b)).collect());
        Some(found)
    }
}

fn guard<T>(dflt: T, f: impl FnOnce() -> T) -> T {
    panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or(dflt)
}

/// # Safety
/// `pat` points to `n` code units (or is NULL with `n == 0`), `flags` is a
/// NUL-terminated string, `out` is writable.  Returns 0 and a handle, 1 and
/// a handle holding only the error message (`cw_re_error`), -1 on an
/// internal error (no handle).
#[no_mangle]
pub unsafe extern "C" fn cw_re_compile(pat: *const u16, n: usize, flags: *const c_char, out: *mut *mut CwRe) -> c_int {
    if out.is_null() || flags.is_null() || (pat.is_null() && n > 0) {
        return -1;
    }
    *out = ptr::null_mut();
    let p: &[u16] = if n == 0 { &[] } else { slice::from_raw_parts(pat, n) };
    let fl = std::ffi::CStr::from_ptr(flags).to_string_lossy().into_owned();
    let r = guard(None, || Some(compile(p, &fl)));
    match r {
        None => -1,
        Some(Ok(re)) => {
            *out = Box::into_raw(Box::new(re));
            0
        }
        Some(Err(msg)) => {
            let mut error = msg.into_bytes();
            error.retain(|&b| b != 0);
            error.push(0);
            *out = Box::into_raw(Box::new(CwRe {
                re: Regex::new("").expect("the empty pattern compiles"),
                unicode: false,
                linear: None,
                last: None,
                names: Vec::new(),
                error,
            }));
            1
        }
    }
}

/// # Safety
/// `re` is a handle from `cw_re_compile`.
#[no_mangle]
pub unsafe extern "C" fn cw_re_error(re: *const CwRe) -> *const c_char {
    match re.as_ref() {
        Some(r) if !r.error.is_empty() => r.error.as_ptr() as *const c_char,
        _ => ptr::null(),
    }
}

/// # Safety
/// `re` is a compiled handle; `text` points to `n` code units (or is NULL
/// with `n == 0`).  Returns 1 on a match, 0 on none, -1 on an internal error.
#[no_mangle]
pub unsafe extern "C" fn cw_re_exec(re: *mut CwRe, text: *const u16, n: usize, start: usize) -> c_int {
    let Some(r) = re.as_mut() else { return -1 };
    if !r.error.is_empty() || (text.is_null() && n > 0) {
        return -1;
    }
    let t: &[u16] = if n == 0 { &[] } else { slice::from_raw_parts(text, n) };
    if start > t.len() {
        r.last = None;
        return 0;
    }
    guard(-1, || c_int::from(r.exec(t, start)))
}

/// # Safety
/// `re` is a compiled handle; `text` points to `n` ASCII bytes.  Like
/// `cw_re_exec` for an ASCII subject; -2 when the pattern has no
/// linear-time matcher (use `cw_re_exec`).
#[no_mangle]
pub unsafe extern "C" fn cw_re_exec_ascii(re: *mut CwRe, text: *const u8, n: usize, start: usize) -> c_int {
    let Some(r) = re.as_mut() else { return -1 };
    if !r.error.is_empty() || (text.is_null() && n > 0) {
        return -1;
    }
    if r.linear.is_none() {
        return -2;
    }
    let t: &[u8] = if n == 0 { &[] } else { slice::from_raw_parts(text, n) };
    if start > t.len() {
        r.last = None;
        return 0;
    }
    guard(-1, || match r.exec_ascii(t, start) {
        Some(f) => c_int::from(f),
        None => -2,
    })
}

/// Whether the pattern has a linear-time matcher for ASCII subjects.
///
/// # Safety
/// `re` is a handle from `cw_re_compile`.
#[no_mangle]
pub unsafe extern "C" fn cw_re_is_linear(re: *const CwRe) -> c_int {
    re.as_ref().map_or(0, |r| c_int::from(r.linear.is_some()))
}

/// Number of groups of the last match, group 0 included (0: no match).
///
/// # Safety
/// `re` is a handle from `cw_re_compile`.
#[no_mangle]
pub unsafe extern "C" fn cw_re_group_count(re: *const CwRe) -> usize {
    match re.as_ref().and_then(|r| r.last.as_ref()) {
        Some(v) => v.len(),
        None => 0,
    }
}

/// Range of group `i` of the last match; returns 0 when the group did not
/// participate.
///
/// # Safety
/// `re` is a handle; `start`/`end` are writable.
#[no_mangle]
pub unsafe extern "C" fn cw_re_group(re: *const CwRe, i: usize, start: *mut usize, end: *mut usize) -> c_int {
    let Some(m) = re.as_ref().and_then(|r| r.last.as_ref()) else { return 0 };
    let g = m.get(i).cloned().flatten();
    match g {
        Some(rg) => {
            *start = rg.start;
            *end = rg.end;
            1
        }
        None => 0,
    }
}

/// Number of capturing groups of the pattern.
///
/// # Safety
/// `re` is a handle from `cw_re_compile`.
#[no_mangle]
pub unsafe extern "C" fn cw_re_capture_count(re: *const CwRe) -> usize {
    re.as_ref().map_or(0, |r| r.names.len())
}

/// Name of group `i` (1-based) as NUL-terminated UTF-8, or NULL when the
/// group has no name.
///
/// # Safety
/// `re` is a handle from `cw_re_compile`.
#[no_mangle]
pub unsafe extern "C" fn cw_re_group_name(re: *const CwRe, i: usize) -> *const c_char {
    let Some(r) = re.as_ref() else { return ptr::null() };
    match i.checked_sub(1).and_then(|k| r.names.get(k)) {
        Some(n) if n.len() > 1 => n.as_ptr() as *const c_char,
        _ => ptr::null(),
    }
}

/// # Safety
/// `re` is NULL or a handle from `cw_re_compile`, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn cw_re_free(re: *mut CwRe) {
    if !re.is_null() {
        drop(Box::from_raw(re));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn named_groups_and_indices() {
        let mut r = compile(&u("(?<y>\\d{4})-(?<m>\\d\\d)|(x)"), "").unwrap();
        assert_eq!(r.names.len(), 3);
        assert!(r.exec(&u("on 2024-05!"), 0));
        let m = r.last.clone().unwrap();
        assert_eq!(m[0], Some(3..10));
        assert_eq!(m[1], Some(3..7));
        assert_eq!(m[3], None);
        assert_eq!(r.exec_ascii(b"on 2024-05!", 0), Some(true));
        assert_eq!(r.last.as_ref().unwrap(), &m);
        assert_eq!(r.names[0], b"y\0");
        assert_eq!(r.names[2], b"\0");
    }

    #[test]
    fn code_units_without_u() {
        let s = u("\u{1F600}");
        let mut r = compile(&u("^.$"), "").unwrap();
        assert!(!r.exec(&s, 0));
        let mut r = compile(&u("^.$"), "u").unwrap();
        assert!(r.exec(&s, 0));
    }

    #[test]
    fn names_with_escapes_and_classes() {
        let r = compile(&u("[(](?<\\u0061b>x)\\((?:y)(?<=z)(?<c\\u{64}>w)([)])"), "").unwrap();
        let names: Vec<&[u8]> = r.names.iter().map(|v| &v[..]).collect();
        assert_eq!(names, vec![&b"ab\0"[..], &b"cd\0"[..], &b"\0"[..]]);
    }

    #[test]
    fn syntax_error() {
        assert!(compile(&u("(?<a>x)(?<a>y)"), "").is_err());
        assert!(compile(&u("a{2,1}"), "").is_err());
    }

    #[test]
    fn long_subject_no_recursion_limit() {
        let s = u(&"xy".repeat(1_500));
        let mut r = compile(&u("(x|y)+z"), "").unwrap();
        assert!(!r.exec(&s, 0));
        let mut r = compile(&u("^(?:a|b)*$"), "").unwrap();
        let ab = u(&"ab".repeat(5_000_000));
        assert!(r.exec(&ab, 0));
    }
}
