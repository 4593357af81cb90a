//! A linear-time matcher for the ECMAScript patterns where one gives the
//! same answer as backtracking: the `regex` crate's automata (PikeVM / lazy
//! DFA, no backtracking) run a translation of the pattern over ASCII
//! subjects.  `/(a+)+$/` on 40 `a`s and a `!` takes microseconds here
//! instead of 2^40 steps in the backtracker (which has no way to stop at
//! the job's deadline).
//!
//! The translation is taken only when it is provably the same matcher:
//! - the subject is ASCII (checked per call by the caller), so every class
//!   can be written over bytes and every index is a UTF-16 index;
//! - the pattern is ASCII and uses only characters, escapes, classes,
//!   groups (capturing, named, non-capturing), alternation, greedy and lazy
//!   quantifiers, `^`/`$` without the `m` flag, `\b`/`\B` and `.`; no
//!   backreferences or lookaround (the regex crate has none);
//! - flags among `g d i s y` (`i` is ASCII-only, which over an ASCII subject
//!   is JavaScript's non-Unicode folding);
//! - every quantified group can only match a non-empty string, and contains
//!   no capturing group except itself: JavaScript resets the captures of a
//!   quantified body at each iteration and rejects empty iterations, the
//!   automata do neither, and these two rules make both unobservable.
//! Anything else stays with regress.

use regex::bytes::{Regex, RegexBuilder};

struct P<'a> {
    s: &'a [u32],
    i: usize,
    out: String,
    groups: usize,
    dot_all: bool,
}

/// What a parsed piece can match.
#[derive(Clone, Copy)]
struct Info {
    nullable: bool,
    captures: usize,
}

type R<T> = Result<T, ()>;

fn hex(c: u32) -> Option<u32> {
    char::from_u32(c).and_then(|c| c.to_digit(16))
}

impl<'a> P<'a> {
    fn peek(&self) -> Option<u32> {
        self.s.get(self.i).copied()
    }
    fn peek_at(&self, k: usize) -> Option<u32> {
        self.s.get(self.i + k).copied()
    }
    fn eat(&mut self, c: u32) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn byte(&mut self, c: u32) {
        self.out.push_str(&format!("\\x{:02X}", c));
    }

    fn alternation(&mut self) -> R<Info> {
        let mut info = self.sequence()?;
        while self.eat('|' as u32) {
            self.out.push('|');
            let b = self.sequence()?;
            info.nullable |= b.nullable;
            info.captures += b.captures;
        }
        Ok(info)
    }

    fn sequence(&mut self) -> R<Info> {
        let mut info = Info { nullable: true, captures: 0 };
        while let Some(c) = self.peek() {
            if c == '|' as u32 || c == ')' as u32 {
                break;
            }
            let t = self.term()?;
            info.nullable &= t.nullable;
            info.captures += t.captures;
        }
        Ok(info)
    }

    /// An atom with its quantifier.
    fn term(&mut self) -> R<Info> {
        let c = self.peek().ok_or(())?;
        // assertions
        match char::from_u32(c).ok_or(())? {
            '^' => {
                self.i += 1;
                self.out.push_str("\\A");
                return self.no_quantifier(Info { nullable: true, captures: 0 });
            }
            '$' => {
                self.i += 1;
                self.out.push_str("\\z");
                return self.no_quantifier(Info { nullable: true, captures: 0 });
            }
            '\\' if matches!(self.peek_at(1), Some(b) if b == 'b' as u32 || b == 'B' as u32) => {
                let b = self.peek_at(1).unwrap();
                self.i += 2;
                self.out.push_str(if b == 'b' as u32 { "\\b" } else { "\\B" });
                return self.no_quantifier(Info { nullable: true, captures: 0 });
            }
            _ => {}
        }
        let (atom, kind) = self.atom()?;
        // quantifier
        let (min, max_inf, max) = match self.peek().and_then(char::from_u32) {
            Some('*') => {
                self.i += 1;
                (0u32, true, 0u32)
            }
            Some('+') => {
                self.i += 1;
                (1, true, 0)
            }
            Some('?') => {
                self.i += 1;
                (0, false, 1)
            }
            Some('{') => match self.braces() {
                Some((a, b)) => (a, b.is_none(), b.unwrap_or(0)),
                None => return Err(()), // Annex B literal `{`: leave it to regress
            },
            _ => return Ok(atom),
        };
        let lazy = self.eat('?' as u32);
        if !max_inf && max < min {
            return Err(());
        }
        // The rules that make a quantified group safe (see the module doc).
        if atom.captures > usize::from(kind == 2) || (kind != 0 && atom.nullable) {
            return Err(());
        }
        if min > 1000 || max > 1000 {
            return Err(());
        }
        if max_inf {
            self.out.push_str(&match min {
                0 => "*".to_string(),
                1 => "+".to_string(),
                n => format!("{{{n},}}"),
            });
        } else {
            self.out.push_str(&format!("{{{min},{max}}}"));
        }
        if lazy {
            self.out.push('?');
        }
        Ok(Info { nullable: atom.nullable || min == 0, captures: atom.captures })
    }

    fn no_quantifier(&mut self, info: Info) -> R<Info> {
        match self.peek().and_then(char::from_u32) {
            Some('*' | '+' | '?' | '{') => Err(()),
            _ => Ok(info),
        }
    }

    /// `{n}`, `{n,}`, `{n,m}`; None when it is not a quantifier.
    fn braces(&mut self) -> Option<(u32, Option<u32>)> {
        let save = self.i;
        self.i += 1;
        let num = |p: &mut Self| -> Option<u32> {
            let st = p.i;
            let mut v: u32 = 0;
            while let Some(d) = p.peek().and_then(|c| char::from_u32(c)).and_then(|c| c.to_digit(10)) {
                v = v.saturating_mul(10).saturating_add(d);
                p.i += 1;
            }
            (p.i > st).then_some(v)
        };
        let r = (|| {
            let a = num(self)?;
            if self.eat('}' as u32) {
                return Some((a, Some(a)));
            }
            if !self.eat(',' as u32) {
                return None;
            }
            if self.eat('}' as u32) {
                return Some((a, None));
            }
            let b = num(self)?;
            self.eat('}' as u32).then_some((a, Some(b)))
        })();
        if r.is_none() {
            self.i = save;
        }
        r
    }

    /// Returns the atom's info and its kind: 0 a character or class, 1 a
    /// non-capturing group, 2 a capturing group.
    fn atom(&mut self) -> R<(Info, u8)> {
        let c = self.peek().ok_or(())?;
        let one = Info { nullable: false, captures: 0 };
        match char::from_u32(c).ok_or(())? {
            '(' => {
                self.i += 1;
                let capturing;
                if self.eat('?' as u32) {
                    if self.eat(':' as u32) {
                        capturing = false;
                    } else if self.peek() == Some('<' as u32)
                        && !matches!(self.peek_at(1), Some(x) if x == '=' as u32 || x == '!' as u32)
                    {
                        // a named group: skip the name (regress checked it)
                        while let Some(x) = self.peek() {
                            self.i += 1;
                            if x == '>' as u32 {
                                break;
                            }
                        }
                        capturing = true;
                    } else {
                        return Err(()); // lookaround, modifiers
                    }
                } else {
                    capturing = true;
                }
                self.out.push_str(if capturing { "(" } else { "(?:" });
                if capturing {
                    self.groups += 1;
                }
                let inner = self.alternation()?;
                if !self.eat(')' as u32) {
                    return Err(());
                }
                self.out.push(')');
                Ok((Info { nullable: inner.nullable, captures: inner.captures + capturing as usize }, 1 + capturing as u8))
            }
            '.' => {
                self.i += 1;
                self.out.push_str(if self.dot_all { "(?s:.)" } else { "[^\\n\\r]" });
                Ok((one, 0))
            }
            '[' => {
                self.class()?;
                Ok((one, 0))
            }
            '\\' => {
                self.i += 1;
                self.escape(false)?;
                Ok((one, 0))
            }
            '*' | '+' | '?' | ')' | '{' | '}' | ']' => Err(()),
            _ => {
                if c >= 0x80 {
                    return Err(());
                }
                self.i += 1;
                self.byte(c);
                Ok((one, 0))
            }
        }
    }

    /// An escape after the backslash; in a class when `in_class`.
    fn escape(&mut self, in_class: bool) -> R<()> {
        let c = self.peek().ok_or(())?;
        self.i += 1;
        let ch = char::from_u32(c).ok_or(())?;
        match ch {
            'd' => self.out.push_str(if in_class { "0-9" } else { "[0-9]" }),
            'D' => self.out.push_str(if in_class { return Err(()) } else { "[^0-9]" }),
            'w' => self.out.push_str(if in_class { "A-Za-z0-9_" } else { "[A-Za-z0-9_]" }),
            'W' => self.out.push_str(if in_class { return Err(()) } else { "[^A-Za-z0-9_]" }),
            's' => self.out.push_str(if in_class { "\\t\\n\\x0B\\x0C\\r " } else { "[\\t\\n\\x0B\\x0C\\r ]" }),
            'S' => self.out.push_str(if in_class { return Err(()) } else { "[^\\t\\n\\x0B\\x0C\\r ]" }),
            't' => self.byte(9),
            'n' => self.byte(10),
            'v' => self.byte(11),
            'f' => self.byte(12),
            'r' => self.byte(13),
            '0' if !matches!(self.peek().and_then(char::from_u32), Some('0'..='9')) => self.byte(0),
            'x' => {
                let (a, b) = (self.peek().and_then(hex).ok_or(())?, self.peek_at(1).and_then(hex).ok_or(())?);
                self.i += 2;
                let v = a * 16 + b;
                if v >= 0x80 {
                    return Err(());
                }
                self.byte(v);
            }
            'u' => {
                let mut v = 0;
                for k in 0..4 {
                    v = v * 16 + self.peek_at(k).and_then(hex).ok_or(())?;
                }
                self.i += 4;
                if v >= 0x80 {
                    return Err(());
                }
                self.byte(v);
            }
            'c' => {
                let l = self.peek().and_then(char::from_u32).filter(|l| l.is_ascii_alphabetic()).ok_or(())?;
                self.i += 1;
                self.byte(l as u32 % 32);
            }
            '^' | '$' | '\\' | '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '/' | '-' => {
                self.byte(c)
            }
            _ => return Err(()), // backreferences, \k, \p, Annex B identity escapes
        }
        Ok(())
    }

    fn class(&mut self) -> R<()> {
        self.i += 1; // [
        self.out.push('[');
        if self.eat('^' as u32) {
            self.out.push('^');
        }
        let mut first = true;
        loop {
            let c = self.peek().ok_or(())?;
            if c == ']' as u32 {
                self.i += 1;
                if first {
                    // `[]` matches nothing, `[^]` anything
                    self.out.push_str("\\x00&&[^\\x00]]");
                    return Ok(());
                }
                self.out.push(']');
                return Ok(());
            }
            first = false;
            // one class atom, maybe a range
            let lo = self.class_atom()?;
            if self.peek() == Some('-' as u32) && self.peek_at(1).is_some_and(|x| x != ']' as u32) {
                self.i += 1;
                let hi = self.class_atom()?;
                match (lo, hi) {
                    (Some(a), Some(b)) if a <= b => {
                        self.byte(a);
                        self.out.push('-');
                        self.byte(b);
                    }
                    _ => return Err(()),
                }
            } else if let Some(a) = lo {
                self.byte(a);
            }
        }
    }

    /// A class atom: Some(code) for a character, None for a class escape
    /// (already written out).
    fn class_atom(&mut self) -> R<Option<u32>> {
        let c = self.peek().ok_or(())?;
        self.i += 1;
        if c >= 0x80 {
            return Err(());
        }
        if c != '\\' as u32 {
            return Ok(Some(c));
        }
        let e = self.peek().and_then(char::from_u32).ok_or(())?;
        match e {
            'd' | 'w' | 's' | 'D' | 'W' | 'S' => {
                if self.peek_at(1) == Some('-' as u32) && self.peek_at(2).is_some_and(|x| x != ']' as u32) {
                    return Err(());
                }
                self.escape(true)?;
                Ok(None)
            }
            'b' => {
                self.i += 1;
                Ok(Some(8))
            }
            _ => {
                let mark = self.out.len();
                self.escape(true)?;
                // escape() wrote one \xHH for a character: take it back
                let s = self.out.split_off(mark);
                let v = u32::from_str_radix(s.strip_prefix("\\x").ok_or(())?, 16).map_err(|_| ())?;
                Ok(Some(v))
            }
        }
    }
}

/// The linear matcher for `pat` with `flags`, when the translation applies,
/// and its number of capturing groups.
pub fn compile(pat: &[u32], flags: &str) -> Option<(Regex, usize)> {
    let mut icase = false;
    let mut dot_all = false;
    for f in flags.chars() {
        match f {
            'g' | 'd' | 'y' => {}
            'i' => icase = true,
            's' => dot_all = true,
            _ => return None, // m u v
        }
    }
    let mut p = P { s: pat, i: 0, out: String::new(), groups: 0, dot_all };
    if p.alternation().is_err() || p.i != p.s.len() {
        return None;
    }
    RegexBuilder::new(&p.out)
        .unicode(false)
        .case_insensitive(icase)
        .size_limit(1 << 20)
        .dfa_size_limit(2 << 20)
        .build()
        .ok()
        .map(|r| (r, p.groups))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(p: &str, f: &str) -> Option<(Regex, usize)> {
        let v: Vec<u32> = p.chars().map(|c| c as u32).collect();
        compile(&v, f)
    }

    #[test]
    fn takes_safe_patterns() {
        assert!(c("^(a+)+$", "").is_some());
        assert!(c("(x|y)+z", "g").is_some());
        assert!(c("[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+", "g").is_some());
        assert!(c("(?<y>\\d{4})-(?<m>\\d\\d)", "").is_some());
        let r = c("^(a+)+$", "").unwrap().0;
        let s = format!("{}!", "a".repeat(40));
        assert!(!r.is_match(s.as_bytes()));
    }

    #[test]
    fn leaves_the_rest() {
        for p in ["(a)\\1", "(?=a)", "(?<=a)b", "((a)|b)+", "(a*)*", "\\p{L}", "a{", "é", "(?:(a)b)+"] {
            assert!(c(p, "").is_none(), "{p}");
        }
        assert!(c("a", "m").is_none());
        assert!(c("a", "u").is_none());
    }
}
