//! Regular expression literals become calls of the hidden global
//! `__cw_regexp(source, flags)`, which returns a new RegExp of the heap's
//! own implementation (worker/runtime/polyfills/regexp.js, over the regress
//! engine) on every evaluation, as a literal does.
//!
//! Why: Duktape compiles a literal itself, at compile time, with its ES5
//! engine: a literal using named groups, lookbehind, `\p{..}` or the
//! `s`/`u`/`y`/`d`/`v` flags fails the whole script, and one that compiles
//! would match with different semantics than `new RegExp` does.  After this
//! pass no literal reaches Duktape's compiler, so every RegExp in a job is
//! the same engine whether the job needed lowering or not.  The compiled
//! pattern is cached by source and flags in the executor, so a literal in a
//! loop compiles once.

use swc_common::{BytePos, Spanned, SyntaxContext, DUMMY_SP};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitMut, VisitMutWith, VisitWith};

/// The hidden global the rewritten literals call.
pub const HELPER: &str = "__cw_regexp";

struct Rewrite;

impl VisitMut for Rewrite {
    fn visit_mut_expr(&mut self, e: &mut Expr) {
        e.visit_mut_children_with(self);
        if let Expr::Lit(Lit::Regex(r)) = e {
            let span = r.span();
            let arg = |s: &swc_atoms::Atom| ExprOrSpread {
                spread: None,
                expr: Box::new(Expr::Lit(Lit::Str(Str::from(s.clone())))),
            };
            let callee = Ident::new(HELPER.into(), DUMMY_SP, SyntaxContext::empty());
            *e = Expr::Call(CallExpr {
                span,
                callee: Callee::Expr(Box::new(Expr::Ident(callee))),
                args: vec![arg(&r.exp), arg(&r.flags)],
                ..Default::default()
            });
        }
    }
}

/// Rewrite every regex literal of `program`.
pub fn rewrite(program: &mut Program) {
    program.visit_mut_with(&mut Rewrite);
}

/// The first literal that is not a valid ECMAScript regular expression (an
/// early error, as in V8: the job does not start), with its position.
pub fn first_invalid(script: &Script) -> Option<(BytePos, String)> {
    struct Check(Option<(BytePos, String)>);
    impl Visit for Check {
        fn visit_regex(&mut self, r: &Regex) {
            if self.0.is_some() {
                return;
            }
            let flags: &str = &r.flags;
            let mut seen = String::new();
            for f in flags.chars() {
                if !"dgimsuvy".contains(f) || seen.contains(f) || (f == 'u' && seen.contains('v')) || (f == 'v' && seen.contains('u')) {
                    self.0 = Some((r.span.lo, format!("Invalid regular expression flags '{flags}'")));
                    return;
                }
                seen.push(f);
            }
            let units: Vec<u16> = r.exp.encode_utf16().collect();
            if let Err(msg) = crate::regex::compile(&units, flags) {
                self.0 = Some((r.span.lo, format!("Invalid regular expression: /{}/{}: {msg}", &*r.exp, flags)));
            }
        }
    }
    let mut c = Check(None);
    script.visit_with(&mut c);
    c.0
}
