//! Top-level `await`: a job whose code awaits outside any function.
//!
//! A job is a classic script, and a script may not `await` at its top level
//! (only modules may).  Agents write `const rows = await load(); output =
//! rows.length` all the same, because the service they call has always run
//! job code as the body of an async function.  So when the code does not
//! parse as a script, the pipeline parses it once more as the body of an
//! async function (`WRAP_PREFIX` + code + `WRAP_SUFFIX`; positions are read
//! past the prefix, so lines and columns stay the job's own) and, when that
//! parses, `unwrap` turns it back into a script that runs the body as an
//! async function, called at once:
//!
//! ```text
//! "use strict";            directives stay first (and stay in the body)
//! var a, b, C;             every name the body declares with var/let/const/class
//! function f() {}          top-level function declarations, hoisted as before
//! (async function () {     the body, with its declarations turned into
//!   a = await x; ...       assignments to those globals
//! })();
//! ```
//!
//! Why globals and not locals of the async function: a job's top-level names
//! are globals everywhere else (a `let output = ...` is the job's output, a
//! function is visible on globalThis), and code that happens to await must
//! not change that.  This is what Node's REPL does with top-level `await`
//! for the same reason.  The cost is small and stated in the README: inside
//! such a job, a top-level `const` can be reassigned and a top-level `let`
//! read before its declaration gives `undefined` (not `ReferenceError`).
//!
//! The program's completion value is the call's promise; the executor waits
//! for it after the event loop and takes its value (or its rejection) as the
//! job's result (cw_sandbox.c), as it does for a top-level `return` of a
//! promise.  A `return` in the body is the async function's own return.

use swc_common::{Span, DUMMY_SP};
use swc_ecma_ast::*;
use swc_ecma_utils::find_pat_ids;
use swc_ecma_visit::{VisitMut, VisitMutWith};

/// What the code is wrapped in for the second parse; one line, so the job's
/// line numbers do not move.
pub const WRAP_PREFIX: &str = "async function __cw_tla(){";
pub const WRAP_SUFFIX: &str = "\n}";

/// `script` is the wrapper as parsed: one async function declaration.
/// Returns the job as a script (see the module comment).  Anything else is
/// returned unchanged.
pub fn unwrap(mut script: Script) -> Script {
    let (span, mut body) = match script.body.as_mut_slice() {
        [Stmt::Decl(Decl::Fn(f))] if f.function.is_async && f.function.body.is_some() => {
            let b = f.function.body.take().unwrap_or_default();
            (b.span, b.stmts)
        }
        _ => return script,
    };

    let mut head: Vec<Stmt> = body
        .iter()
        .take_while(|s| matches!(s, Stmt::Expr(ExprStmt { expr, .. }) if matches!(&**expr, Expr::Lit(Lit::Str(_)))))
        .cloned()
        .collect();

    let mut hoist = Hoist::default();
    let mut fns = Vec::new();
    for stmt in body.iter_mut() {
        match stmt {
            Stmt::Decl(Decl::Fn(_)) => {
                fns.push(std::mem::replace(stmt, Stmt::Empty(EmptyStmt { span: DUMMY_SP })));
                continue;
            }
            Stmt::Decl(Decl::Var(v)) if v.kind != VarDeclKind::Var => {
                let v = std::mem::take(&mut **v);
                let mut s = hoist.assign(v);
                s.visit_mut_with(&mut hoist); // nested functions are skipped; patterns hold no declarations
                *stmt = s;
                continue;
            }
            Stmt::Decl(Decl::Class(c)) => {
                let ClassDecl { ident, class, .. } = std::mem::replace(
                    c,
                    ClassDecl { ident: Ident::default(), declare: false, class: Box::default() },
                );
                hoist.name(&ident);
                let span = class.span;
                *stmt = expr_stmt(
                    span,
                    assign(
                        span,
                        AssignTarget::Simple(SimpleAssignTarget::Ident(ident.clone().into())),
                        Box::new(Expr::Class(ClassExpr { ident: Some(ident), class })),
                    ),
                );
                continue;
            }
            _ => {}
        }
        stmt.visit_mut_with(&mut hoist);
    }
    body.retain(|s| !matches!(s, Stmt::Empty(_)));

    if !hoist.names.is_empty() {
        head.push(Stmt::Decl(Decl::Var(Box::new(VarDecl {
            span: DUMMY_SP,
            kind: VarDeclKind::Var,
            decls: hoist
                .names
                .into_iter()
                .map(|i| VarDeclarator { span: DUMMY_SP, name: Pat::Ident(i.into()), init: None, definite: false })
                .collect(),
            ..Default::default()
        }))));
    }
    head.extend(fns);
    let func = Function {
        span,
        is_async: true,
        body: Some(FunctionBody { span, stmts: body }),
        ..Default::default()
    };
    let call = Expr::Call(CallExpr {
        span,
        callee: Callee::Expr(Box::new(Expr::Paren(ParenExpr {
            span,
            expr: Box::new(Expr::Fn(FnExpr { ident: None, function: Box::new(func) })),
        }))),
        ..Default::default()
    });
    head.push(expr_stmt(span, Box::new(call)));
    script.body = head;
    script
}

fn expr_stmt(span: Span, expr: Box<Expr>) -> Stmt {
    Stmt::Expr(ExprStmt { span, expr })
}

fn assign(span: Span, left: AssignTarget, right: Box<Expr>) -> Box<Expr> {
    Box::new(Expr::Assign(AssignExpr { span, op: AssignOp::Assign, left, right }))
}

/// Collects the names to hoist and rewrites the `var` declarations of the
/// body's own scope (at any block depth, not inside nested functions or
/// classes) into assignments.
#[derive(Default)]
struct Hoist {
    names: Vec<Ident>,
}

impl Hoist {
    fn name(&mut self, i: &Ident) {
        if !self.names.iter().any(|n| n.sym == i.sym) {
            self.names.push(Ident::new_no_ctxt(i.sym.clone(), DUMMY_SP));
        }
    }

    fn names_of(&mut self, p: &Pat) {
        let ids: Vec<Ident> = find_pat_ids(p);
        for i in &ids {
            self.name(i);
        }
    }

    /// The declarators that have an initializer, as one expression (None
    /// when none has one); every declared name is hoisted.
    fn assignments(&mut self, v: VarDecl) -> Option<Box<Expr>> {
        let mut exprs: Vec<Box<Expr>> = Vec::new();
        for d in v.decls {
            self.names_of(&d.name);
            let Some(init) = d.init else { continue };
            match AssignTarget::try_from(d.name) {
                Ok(target) => exprs.push(assign(d.span, target, init)),
                Err(_) => exprs.push(init), // not a binding pattern: cannot occur after a parse
            }
        }
        match exprs.len() {
            0 => None,
            1 => exprs.pop(),
            _ => Some(Box::new(Expr::Seq(SeqExpr { span: v.span, exprs }))),
        }
    }

    fn assign(&mut self, v: VarDecl) -> Stmt {
        let span = v.span;
        match self.assignments(v) {
            Some(e) => expr_stmt(span, e),
            None => Stmt::Empty(EmptyStmt { span }),
        }
    }

    fn head(&mut self, h: &mut ForHead) {
        if let ForHead::VarDecl(v) = h {
            if v.kind == VarDeclKind::Var && v.decls.len() == 1 {
                let d = v.decls.remove(0);
                self.names_of(&d.name);
                *h = ForHead::Pat(Box::new(d.name));
            }
        }
    }
}

impl VisitMut for Hoist {
    skip_nested_scopes!();

    fn visit_mut_stmt(&mut self, s: &mut Stmt) {
        s.visit_mut_children_with(self);
        if let Stmt::Decl(Decl::Var(v)) = s {
            if v.kind == VarDeclKind::Var {
                let v = std::mem::take(&mut **v);
                *s = self.assign(v);
            }
        }
    }

    fn visit_mut_for_stmt(&mut self, f: &mut ForStmt) {
        f.visit_mut_children_with(self);
        if let Some(VarDeclOrExpr::VarDecl(v)) = &mut f.init {
            if v.kind == VarDeclKind::Var {
                let v = std::mem::take(&mut **v);
                f.init = self.assignments(v).map(VarDeclOrExpr::Expr);
            }
        }
    }

    fn visit_mut_for_in_stmt(&mut self, f: &mut ForInStmt) {
        f.visit_mut_children_with(self);
        self.head(&mut f.left);
    }

    fn visit_mut_for_of_stmt(&mut self, f: &mut ForOfStmt) {
        f.visit_mut_children_with(self);
        self.head(&mut f.left);
    }
}
