//! Declaration early errors the parser does not report.
//!
//! Why this exists: swc's parser accepts `let a = 1; let a = 2;`, `let x; var
//! x;`, `(a, a) => 0` and `function f(a, [a]) {}`; the compat passes then
//! rename the bindings apart, so the job ran and printed an answer where Node
//! refuses the program with a SyntaxError.  Agents learn from these errors, so
//! a job that "works" here teaches them wrong.  The rules checked (ECMA-262
//! static semantics, the ones agent code hits):
//!   * a block, a switch's case block, a function body or the script top level
//!     may not declare one name twice lexically (let, const, class, and a
//!     function declared inside a block); two plain function declarations in a
//!     block are allowed (Annex B, as Node does in sloppy code);
//!   * a lexically declared name may not also be var-declared in the same
//!     scope or any block nested in it (`var` hoists through blocks), nor be a
//!     parameter of the function whose body declares it, nor the catch
//!     parameter of the catch block that declares it; a `for (let x ...)` head
//!     is a scope of its own;
//!   * parameter names are unique in arrow functions and in any list that is
//!     not simple (a default, a pattern or a rest element).
//!
//! The walk is over names, before the resolver runs, and costs one pass over
//! the tree with a small map per scope; it only reads.

use std::collections::{HashMap, HashSet};

use swc_atoms::Atom;
use swc_common::{BytePos, Spanned};
use swc_ecma_ast::*;
use swc_ecma_utils::find_pat_ids;
use swc_ecma_visit::{Visit, VisitWith};

/// The first early error found: where, and Node's message for it.
pub fn first_error(script: &Script) -> Option<(BytePos, String)> {
    let mut c = Check { scopes: vec![Scope::function(HashSet::new())], err: None };
    for s in &script.body {
        c.stmt_in_scope(s);
        if c.err.is_some() {
            break;
        }
    }
    if c.err.is_none() {
        let mut d = DuplicateProto(None);
        script.visit_with(&mut d);
        return d.0;
    }
    c.err
}

/// Two `__proto__: v` entries (plain or string key, not computed, not
/// shorthand or method) in one object literal.  Assignment patterns are
/// ObjectPat after parsing, where repeating `__proto__` is allowed.
struct DuplicateProto(Option<(BytePos, String)>);

impl Visit for DuplicateProto {
    fn visit_object_lit(&mut self, o: &ObjectLit) {
        if self.0.is_some() {
            return;
        }
        let mut seen = false;
        for p in &o.props {
            let PropOrSpread::Prop(p) = p else { continue };
            let Prop::KeyValue(kv) = &**p else { continue };
            let is_proto = match &kv.key {
                PropName::Ident(i) => i.sym == *"__proto__",
                PropName::Str(s) => s.value == *"__proto__",
                _ => false,
            };
            if is_proto {
                if seen {
                    self.0 = Some((kv.key.span_lo(), "Duplicate __proto__ fields are not allowed in object literals".into()));
                    return;
                }
                seen = true;
            }
        }
        o.visit_children_with(self);
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Kind {
    Lexical,
    /// A plain function declaration inside a block.
    BlockFunction,
}

struct Scope {
    lexical: HashMap<Atom, Kind>,
    /// Names var-declared in this scope or a block nested in it (and, at a
    /// function's top level, its function declarations).
    vars: HashSet<Atom>,
    /// Parameter names (function top level) or catch parameter names.
    params: HashSet<Atom>,
    is_function: bool,
}

impl Scope {
    fn function(params: HashSet<Atom>) -> Self {
        Scope { lexical: HashMap::new(), vars: HashSet::new(), params, is_function: true }
    }
    fn block(params: HashSet<Atom>) -> Self {
        Scope { lexical: HashMap::new(), vars: HashSet::new(), params, is_function: false }
    }
}

struct Check {
    scopes: Vec<Scope>,
    err: Option<(BytePos, String)>,
}

fn redeclared(id: &Ident) -> (BytePos, String) {
    (id.span.lo, format!("Identifier '{}' has already been declared", id.sym))
}

impl Check {
    fn fail(&mut self, e: (BytePos, String)) {
        if self.err.is_none() {
            self.err = Some(e);
        }
    }

    fn lexical(&mut self, id: &Ident, kind: Kind) {
        let top = self.scopes.last_mut().expect("a scope");
        let clash = match top.lexical.get(&id.sym) {
            Some(Kind::BlockFunction) if kind == Kind::BlockFunction => false,
            Some(_) => true,
            None => top.vars.contains(&id.sym) || top.params.contains(&id.sym),
        };
        if clash {
            self.fail(redeclared(id));
            return;
        }
        top.lexical.insert(id.sym.clone(), kind);
    }

    fn var(&mut self, id: &Ident) {
        for s in self.scopes.iter_mut().rev() {
            if s.lexical.contains_key(&id.sym) {
                let e = redeclared(id);
                if self.err.is_none() {
                    self.err = Some(e);
                }
                return;
            }
            s.vars.insert(id.sym.clone());
            if s.is_function {
                return;
            }
        }
    }

    /// A function declaration at a function's (or the script's) top level:
    /// var-like there, but it still clashes with a lexical name.
    fn top_function(&mut self, id: &Ident) {
        let top = self.scopes.last_mut().expect("a scope");
        if top.lexical.contains_key(&id.sym) {
            self.fail(redeclared(id));
            return;
        }
        top.vars.insert(id.sym.clone());
    }

    fn declare_var_decl(&mut self, v: &VarDecl) {
        for d in &v.decls {
            let ids: Vec<Ident> = find_pat_ids(&d.name);
            for id in &ids {
                match v.kind {
                    VarDeclKind::Var => self.var(id),
                    _ => self.lexical(id, Kind::Lexical),
                }
            }
        }
    }

    /// Declares what `s` declares in the innermost scope, then walks it.
    fn stmt_in_scope(&mut self, s: &Stmt) {
        let at_function_top = self.scopes.last().is_some_and(|s| s.is_function);
        match s {
            Stmt::Decl(Decl::Fn(f)) => {
                let plain = !f.function.is_async && !f.function.is_generator;
                if at_function_top {
                    self.top_function(&f.ident);
                } else {
                    self.lexical(&f.ident, if plain { Kind::BlockFunction } else { Kind::Lexical });
                }
            }
            Stmt::Decl(Decl::Class(c)) => self.lexical(&c.ident, Kind::Lexical),
            Stmt::Decl(Decl::Var(v)) if v.kind != VarDeclKind::Var => self.declare_var_decl(v),
            _ => {}
        }
        if self.err.is_none() {
            s.visit_with(self);
        }
    }

    /// A for-in/for-of loop: its `let`/`const` head lives in a block scope of
    /// its own, around the whole statement.
    fn for_head_scope<N: VisitWith<Self>>(&mut self, head: &ForHead, node: &N) {
        self.scopes.push(Scope::block(HashSet::new()));
        if let ForHead::VarDecl(v) = head {
            if v.kind != VarDeclKind::Var {
                self.declare_var_decl(v);
            }
        }
        node.visit_children_with(self);
        self.scopes.pop();
    }

    fn with_scope(&mut self, scope: Scope, stmts: &[Stmt]) {
        self.scopes.push(scope);
        for s in stmts {
            self.stmt_in_scope(s);
            if self.err.is_some() {
                break;
            }
        }
        self.scopes.pop();
    }

    fn params(&mut self, pats: &[&Pat], arrow: bool) -> HashSet<Atom> {
        let simple = pats.iter().all(|p| matches!(p, Pat::Ident(_)));
        let mut names = HashSet::new();
        for p in pats {
            let ids: Vec<Ident> = find_pat_ids(*p);
            for id in ids {
                if !names.insert(id.sym.clone()) && (arrow || !simple) {
                    self.fail((id.span.lo, "Duplicate parameter name not allowed in this context".into()));
                }
            }
        }
        names
    }
}

impl Visit for Check {
    // Declarations were registered by stmt_in_scope; only var needs the walk
    // (it is found wherever it sits: for heads, labelled statements, ...).
    fn visit_var_decl(&mut self, v: &VarDecl) {
        if v.kind == VarDeclKind::Var {
            self.declare_var_decl(v);
        }
        v.visit_children_with(self);
    }

    fn visit_block_stmt(&mut self, b: &BlockStmt) {
        self.with_scope(Scope::block(HashSet::new()), &b.stmts);
    }

    fn visit_switch_stmt(&mut self, s: &SwitchStmt) {
        s.discriminant.visit_with(self);
        self.scopes.push(Scope::block(HashSet::new()));
        for c in &s.cases {
            if let Some(t) = &c.test {
                t.visit_with(self);
            }
            for st in &c.cons {
                self.stmt_in_scope(st);
            }
        }
        self.scopes.pop();
    }

    fn visit_catch_clause(&mut self, c: &CatchClause) {
        let mut names = HashSet::new();
        if let Some(p) = &c.param {
            let ids: Vec<Ident> = find_pat_ids(p);
            names.extend(ids.into_iter().map(|i| i.sym));
            p.visit_with(self);
        }
        self.with_scope(Scope::block(names), &c.body.stmts);
    }

    fn visit_for_stmt(&mut self, f: &ForStmt) {
        self.scopes.push(Scope::block(HashSet::new()));
        if let Some(VarDeclOrExpr::VarDecl(v)) = &f.init {
            if v.kind != VarDeclKind::Var {
                self.declare_var_decl(v);
            }
        }
        f.visit_children_with(self);
        self.scopes.pop();
    }

    fn visit_for_in_stmt(&mut self, f: &ForInStmt) {
        self.for_head_scope(&f.left, f);
    }

    fn visit_for_of_stmt(&mut self, f: &ForOfStmt) {
        self.for_head_scope(&f.left, f);
    }

    fn visit_function(&mut self, f: &Function) {
        let pats: Vec<&Pat> = f.params.iter().map(|p| &p.pat).collect();
        let names = self.params(&pats, false);
        for p in &f.params {
            p.visit_with(self);
        }
        if let Some(b) = &f.body {
            self.with_scope(Scope::function(names), &b.stmts);
        }
    }

    fn visit_constructor(&mut self, c: &Constructor) {
        let mut pats = Vec::new();
        for p in &c.params {
            match p {
                ParamOrTsParamProp::Param(p) => pats.push(&p.pat),
                ParamOrTsParamProp::TsParamProp(_) => {}
            }
        }
        let names = self.params(&pats, false);
        c.params.visit_with(self);
        if let Some(b) = &c.body {
            self.with_scope(Scope::function(names), &b.stmts);
        }
    }

    fn visit_arrow_expr(&mut self, a: &ArrowExpr) {
        let pats: Vec<&Pat> = a.params.iter().collect();
        let names = self.params(&pats, true);
        a.params.visit_with(self);
        match &*a.body {
            ArrowFunctionBody::FunctionBody(b) => self.with_scope(Scope::function(names), &b.stmts),
            ArrowFunctionBody::Expr(e) => {
                self.scopes.push(Scope::function(names));
                e.visit_with(self);
                self.scopes.pop();
            }
        }
    }

    fn visit_static_block(&mut self, b: &StaticBlock) {
        self.with_scope(Scope::function(HashSet::new()), &b.body.stmts);
    }
}
