//! The temporal dead zone: reading or writing a `let`, `const` or `class`
//! binding before its declaration has run throws V8's ReferenceError
//! ("Cannot access 'x' before initialization").
//!
//! Why this exists: the block-scoping transform turns `let`/`const` into
//! `var`, so such a read gave `undefined` and the job answered where Node
//! refuses it.  A job that "works" here and fails in Node teaches an agent
//! wrong, and an `undefined` that flows on is a silent wrong answer.
//!
//! How (after the resolver, so every binding is one name + context, and
//! before any other pass, so every span is the source's own): each reference
//! to a lexical binding B, declared in function C, whose initialisation ends
//! at source offset P, is one of three kinds:
//!   * **always** in the dead zone: the reference is in C itself (no function
//!     in between) and before P.  Code in one scope instance only runs
//!     forward (loops create a fresh instance), so whenever it runs, B is not
//!     yet initialised: the read becomes `__cw_tdz("x")`, which throws.
//!   * **safe**: it is in C after P, or inside a function G (the outermost
//!     one between C and the reference) that cannot run before P: a function
//!     expression, arrow, method, accessor or class member created after P,
//!     or a function declaration whose every use (directly in C, through
//!     closures made after P, or through other such declarations: a small
//!     fixpoint over the call graph) comes after P -- and likewise a method,
//!     the constructor or an instance field of a class declaration, which
//!     run only through the class's name.  This is what makes the
//!     common shape -- constants at the top, helpers below, `main()` last --
//!     free of any check.
//!   * **maybe**: anything else (a hoisted helper called before P, a class
//!     method defined before a constant it reads).  B starts its scope holding
//!     the sentinel `__cw_tdz` (a hidden, read-only global function,
//!     worker/cw_tdz.c) and the reference becomes
//!     `(x === __cw_tdz ? __cw_tdz("x") : x)`.
//!
//! Never a false error: an answer of "always" needs the reference to run
//! before P in the same scope instance; where the analysis cannot tell, it
//! says "maybe" (a run-time check, exact) or, for bindings with no place to
//! put the sentinel (`for (let ...)` heads, `switch` cases), "safe" -- the
//! old behaviour.  Not covered (they stay as before): writes inside
//! destructuring assignments, code inside a `with` statement (names there
//! are resolved at run time, so the pass does nothing in such a job) and
//! names reached through `eval` or the global object.
//!
//! Cost: two walks over the tree and maps keyed by binding; the call-graph
//! fixpoint runs at most `FIXPOINT_ROUNDS` rounds over the references to
//! function declarations (a round that changes nothing ends it; an answer
//! cut short errs towards "safe").

use std::collections::{HashMap, HashSet};

use swc_atoms::Atom;
use swc_common::{util::take::Take, BytePos, Span, SyntaxContext, DUMMY_SP};
use swc_ecma_ast::*;
use swc_ecma_utils::{find_pat_ids, ExprFactory};
use swc_ecma_visit::{Visit, VisitMut, VisitMutWith, VisitWith};

/// The hidden global the rewritten code calls (worker/cw_tdz.c).
pub const TDZ_GLOBAL: &str = "__cw_tdz";
const FIXPOINT_ROUNDS: usize = 32;

type Key = (Atom, SyntaxContext);

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum ScopeKey {
    Script,
    Block(BytePos, BytePos),
    /// A `for` head or a `switch`'s cases: no statement list to hold a sentinel.
    NoSentinel,
}

struct Binding {
    ident: Ident,
    /// Offset at which the binding is initialised.
    end: BytePos,
    func: usize,
    scope: ScopeKey,
    /// References inside this span (a class's own body) are left alone.
    skip: Option<(BytePos, BytePos)>,
}

struct Func {
    lo: BytePos,
    parent: usize,
    /// A function declaration: its name, and the start of the block it is
    /// declared in when that is not the body of a function or the script.
    decl: Option<(Key, Option<BytePos>)>,
}

struct Ref {
    key: Key,
    lo: BytePos,
    func: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Always,
    Maybe,
}

/// Rewrite `program` in place (see the module comment).
pub fn rewrite(program: &mut Program, unresolved: SyntaxContext) {
    let mut c = Collect {
        unresolved,
        funcs: vec![Func { lo: BytePos(0), parent: 0, decl: None }],
        fn_stack: vec![0],
        scopes: vec![ScopeKey::Script],
        blocks: Vec::new(),
        bindings: HashMap::new(),
        refs: Vec::new(),
        pending_decl: None,
        has_with: false,
    };
    program.visit_with(&mut c);
    if c.has_with || c.bindings.is_empty() {
        return;
    }
    let earliest = earliest_uses(&c);

    let mut kinds: HashMap<(Key, BytePos), Kind> = HashMap::new();
    let mut sentinel: HashMap<ScopeKey, Vec<Ident>> = HashMap::new();
    let mut with_sentinel: HashSet<Key> = HashSet::new();
    for r in &c.refs {
        let Some(b) = c.bindings.get(&r.key) else { continue };
        if let Some((lo, hi)) = b.skip {
            if r.lo >= lo && r.lo < hi {
                continue;
            }
        }
        let kind = if r.func == b.func {
            if r.lo < b.end {
                Kind::Always
            } else {
                continue;
            }
        } else {
            match child_of(&c.funcs, r.func, b.func) {
                Some(g) if fn_earliest(&c.funcs, &earliest, g) >= b.end => continue,
                Some(_) if b.scope != ScopeKey::NoSentinel => Kind::Maybe,
                _ => continue,
            }
        };
        if kind == Kind::Maybe && with_sentinel.insert(r.key.clone()) {
            sentinel.entry(b.scope).or_default().push(b.ident.clone());
        }
        kinds.insert((r.key.clone(), r.lo), kind);
    }
    if kinds.is_empty() {
        return;
    }
    let tdz = Ident::new(TDZ_GLOBAL.into(), DUMMY_SP, unresolved);
    program.visit_mut_with(&mut Rewrite { kinds, sentinel, with_sentinel, tdz });
}

/// The function on `f`'s chain of parents whose parent is `target`.
fn child_of(funcs: &[Func], mut f: usize, target: usize) -> Option<usize> {
    while f != 0 {
        let p = funcs[f].parent;
        if p == target {
            return Some(f);
        }
        f = p;
    }
    None
}

/// The earliest offset, in its parent's code, at which function `g` may run.
fn fn_earliest(funcs: &[Func], earliest: &HashMap<Key, BytePos>, g: usize) -> BytePos {
    match &funcs[g].decl {
        None => funcs[g].lo,
        Some((_, Some(block_lo))) => *block_lo,
        Some((k, None)) => earliest.get(k).copied().unwrap_or(BytePos(u32::MAX)),
    }
}

/// For each name whose functions run only through it -- a function
/// declared directly in a body, or a class declared so, whose methods,
/// constructor and instance fields run only once the class is used -- the
/// earliest offset, in the enclosing function's code, of a use of the name
/// (the greatest fixpoint: functions only reachable from each other never
/// run).
fn earliest_uses(c: &Collect) -> HashMap<Key, BytePos> {
    let mut parent_of: HashMap<&Key, usize> = HashMap::new();
    for f in &c.funcs {
        if let Some((k, None)) = &f.decl {
            parent_of.insert(k, f.parent);
        }
    }
    // (name, where a use is: an offset in its parent, or a function).
    enum At {
        Offset(BytePos),
        Through(usize),
    }
    let mut uses: Vec<(&Key, At)> = Vec::new();
    for r in &c.refs {
        let Some((k, &parent)) = parent_of.get_key_value(&r.key) else { continue };
        if r.func == parent {
            uses.push((k, At::Offset(r.lo)));
        } else {
            match child_of(&c.funcs, r.func, parent) {
                // from inside the name's own functions (recursion, `new C` in a method)
                Some(h) if matches!(&c.funcs[h].decl, Some((hk, None)) if hk == *k) => {}
                Some(h) => uses.push((k, At::Through(h))),
                None => uses.push((k, At::Offset(BytePos(0)))),
            }
        }
    }
    let mut earliest: HashMap<Key, BytePos> = HashMap::new();
    for _ in 0..FIXPOINT_ROUNDS {
        let mut changed = false;
        for (k, at) in &uses {
            let pos = match at {
                At::Offset(p) => *p,
                At::Through(h) => fn_earliest(&c.funcs, &earliest, *h),
            };
            let e = earliest.entry((*k).clone()).or_insert(BytePos(u32::MAX));
            if pos < *e {
                *e = pos;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    earliest
}

struct Collect {
    unresolved: SyntaxContext,
    funcs: Vec<Func>,
    fn_stack: Vec<usize>,
    scopes: Vec<ScopeKey>,
    /// Blocks being walked that are not a function's body: (function, start).
    blocks: Vec<(usize, BytePos)>,
    bindings: HashMap<Key, Binding>,
    refs: Vec<Ref>,
    pending_decl: Option<Key>,
    has_with: bool,
}

impl Collect {
    fn cur(&self) -> usize {
        *self.fn_stack.last().unwrap()
    }
    fn enter_fn(&mut self, lo: BytePos, decl: Option<Key>) {
        let cur = self.cur();
        let decl = decl.map(|k| {
            let nested = self.blocks.last().filter(|(f, _)| *f == cur).map(|(_, lo)| *lo);
            (k, nested)
        });
        self.funcs.push(Func { lo, parent: cur, decl });
        self.fn_stack.push(self.funcs.len() - 1);
    }
    fn leave_fn(&mut self) {
        self.fn_stack.pop();
    }
    fn add_ref(&mut self, id: &Ident) {
        if id.span.is_dummy() || id.ctxt == self.unresolved {
            return;
        }
        let func = self.cur();
        self.refs.push(Ref { key: (id.sym.clone(), id.ctxt), lo: id.span.lo, func });
    }
    fn add_binding(&mut self, id: &Ident, end: BytePos, skip: Option<(BytePos, BytePos)>) {
        let b = Binding { ident: id.clone(), end, func: self.cur(), scope: *self.scopes.last().unwrap(), skip };
        self.bindings.insert((id.sym.clone(), id.ctxt), b);
    }
    /// Walk `f` as a function of its own, run only through `decl`'s name
    /// when it has one.
    fn boundary<F: FnOnce(&mut Self)>(&mut self, span: Span, decl: Option<Key>, f: F) {
        self.enter_fn(span.lo, decl);
        f(self);
        self.leave_fn();
    }
}

impl Visit for Collect {
    fn visit_with_stmt(&mut self, _: &WithStmt) {
        self.has_with = true;
    }
    fn visit_expr(&mut self, e: &Expr) {
        if let Expr::Ident(id) = e {
            self.add_ref(id);
        }
        e.visit_children_with(self);
    }
    fn visit_prop(&mut self, p: &Prop) {
        if let Prop::Shorthand(id) = p {
            self.add_ref(id);
        }
        p.visit_children_with(self);
    }
    fn visit_simple_assign_target(&mut self, t: &SimpleAssignTarget) {
        if let SimpleAssignTarget::Ident(b) = t {
            self.add_ref(&b.id);
        }
        t.visit_children_with(self);
    }
    fn visit_var_decl(&mut self, v: &VarDecl) {
        if v.kind != VarDeclKind::Var {
            for d in &v.decls {
                let ids: Vec<Ident> = find_pat_ids(&d.name);
                for id in &ids {
                    // A plain `let x = init` is initialised after its
                    // initialiser; a name in a pattern when its element is.
                    let end = if matches!(d.name, Pat::Ident(_)) { d.span.hi } else { id.span.hi };
                    self.add_binding(id, end, None);
                }
            }
        }
        v.visit_children_with(self);
    }
    fn visit_class_decl(&mut self, c: &ClassDecl) {
        let span = c.class.span;
        self.add_binding(&c.ident, span.hi, Some((span.lo, span.hi)));
        // The class's methods, constructor and instance fields run only
        // through its name (`new C`, `C.m()`, `extends C`): they are
        // functions of that name, as a function declaration's body is.
        // Static fields and blocks run when the class is defined.
        let key: Key = (c.ident.sym.clone(), c.ident.ctxt);
        let class = &c.class;
        class.decorators.visit_with(self);
        class.super_class.visit_with(self);
        for m in &class.body {
            match m {
                ClassMember::Constructor(k) => self.boundary(k.span, Some(key.clone()), |s| k.visit_children_with(s)),
                ClassMember::Method(k) => {
                    k.key.visit_with(self);
                    self.pending_decl = Some(key.clone());
                    k.function.visit_with(self);
                }
                ClassMember::PrivateMethod(k) => {
                    self.pending_decl = Some(key.clone());
                    k.function.visit_with(self);
                }
                ClassMember::ClassProp(p) if !p.is_static => {
                    self.boundary(p.span, Some(key.clone()), |s| p.visit_children_with(s))
                }
                ClassMember::PrivateProp(p) if !p.is_static => {
                    self.boundary(p.span, Some(key.clone()), |s| p.visit_children_with(s))
                }
                other => other.visit_with(self),
            }
        }
    }
    fn visit_fn_decl(&mut self, f: &FnDecl) {
        self.pending_decl = Some((f.ident.sym.clone(), f.ident.ctxt));
        f.function.visit_with(self);
    }
    fn visit_function(&mut self, f: &Function) {
        let decl = self.pending_decl.take();
        self.enter_fn(f.span.lo, decl);
        f.visit_children_with(self);
        self.leave_fn();
    }
    /// A function's body: a scope, but not a nested block.
    fn visit_function_body(&mut self, b: &FunctionBody) {
        self.scopes.push(ScopeKey::Block(b.span.lo, b.span.hi));
        b.stmts.visit_with(self);
        self.scopes.pop();
    }
    fn visit_arrow_expr(&mut self, a: &ArrowExpr) {
        self.boundary(a.span, None, |s| a.visit_children_with(s));
    }
    fn visit_constructor(&mut self, c: &Constructor) {
        self.boundary(c.span, None, |s| c.visit_children_with(s));
    }
    fn visit_class_prop(&mut self, p: &ClassProp) {
        self.boundary(p.span, None, |s| p.visit_children_with(s));
    }
    fn visit_private_prop(&mut self, p: &PrivateProp) {
        self.boundary(p.span, None, |s| p.visit_children_with(s));
    }
    fn visit_static_block(&mut self, b: &StaticBlock) {
        self.boundary(b.span, None, |s| b.visit_children_with(s));
    }
    fn visit_block_stmt(&mut self, b: &BlockStmt) {
        let f = self.cur();
        self.blocks.push((f, b.span.lo));
        self.scopes.push(ScopeKey::Block(b.span.lo, b.span.hi));
        b.stmts.visit_with(self);
        self.scopes.pop();
        self.blocks.pop();
    }
    fn visit_switch_stmt(&mut self, s: &SwitchStmt) {
        s.discriminant.visit_with(self);
        let f = self.cur();
        self.blocks.push((f, s.span.lo));
        self.scopes.push(ScopeKey::NoSentinel);
        s.cases.visit_with(self);
        self.scopes.pop();
        self.blocks.pop();
    }
    fn visit_for_stmt(&mut self, s: &ForStmt) {
        self.scopes.push(ScopeKey::NoSentinel);
        s.visit_children_with(self);
        self.scopes.pop();
    }
    fn visit_for_in_stmt(&mut self, s: &ForInStmt) {
        self.scopes.push(ScopeKey::NoSentinel);
        s.visit_children_with(self);
        self.scopes.pop();
    }
    fn visit_for_of_stmt(&mut self, s: &ForOfStmt) {
        self.scopes.push(ScopeKey::NoSentinel);
        s.visit_children_with(self);
        self.scopes.pop();
    }
}

struct Rewrite {
    kinds: HashMap<(Key, BytePos), Kind>,
    sentinel: HashMap<ScopeKey, Vec<Ident>>,
    with_sentinel: HashSet<Key>,
    tdz: Ident,
}

impl Rewrite {
    fn kind(&self, id: &Ident) -> Option<Kind> {
        if id.span.is_dummy() {
            return None;
        }
        self.kinds.get(&((id.sym.clone(), id.ctxt), id.span.lo)).copied()
    }
    /// `__cw_tdz("x")`: throws the ReferenceError.
    fn throw(&self, id: &Ident) -> Expr {
        CallExpr {
            span: id.span,
            callee: self.tdz.clone().as_callee(),
            args: vec![Lit::Str(Str::from(id.sym.clone())).as_arg()],
            ..Default::default()
        }
        .into()
    }
    fn is_sentinel(&self, id: &Ident) -> Box<Expr> {
        Box::new(
            BinExpr {
                span: DUMMY_SP,
                op: BinaryOp::EqEqEq,
                left: Box::new(Expr::Ident(id.clone())),
                right: Box::new(Expr::Ident(self.tdz.clone())),
            }
            .into(),
        )
    }
    /// `(x === __cw_tdz ? __cw_tdz("x") : x)`
    fn checked_read(&self, id: &Ident) -> Expr {
        Expr::Paren(ParenExpr {
            span: DUMMY_SP,
            expr: Box::new(
                CondExpr {
                    span: id.span,
                    test: self.is_sentinel(id),
                    cons: Box::new(self.throw(id)),
                    alt: Box::new(Expr::Ident(id.clone())),
                }
                .into(),
            ),
        })
    }
    /// `(x === __cw_tdz && __cw_tdz("x"), <e>)`
    fn checked_then(&self, id: &Ident, e: Expr) -> Expr {
        let check: Expr = BinExpr { span: DUMMY_SP, op: BinaryOp::LogicalAnd, left: self.is_sentinel(id), right: Box::new(self.throw(id)) }.into();
        Expr::Paren(ParenExpr { span: DUMMY_SP, expr: Box::new(SeqExpr { span: DUMMY_SP, exprs: vec![Box::new(check), Box::new(e)] }.into()) })
    }
    /// `x = __cw_tdz;` for each binding of a scope that starts in its dead zone.
    fn prepend(&self, key: ScopeKey, stmts: &mut Vec<Stmt>) {
        let Some(ids) = self.sentinel.get(&key) else { return };
        let at = stmts
            .iter()
            .take_while(|s| matches!(s, Stmt::Expr(e) if matches!(&*e.expr, Expr::Lit(Lit::Str(_)))))
            .count();
        let inits = ids.iter().map(|id| {
            AssignExpr {
                span: DUMMY_SP,
                op: AssignOp::Assign,
                left: AssignTarget::Simple(SimpleAssignTarget::Ident(BindingIdent::from(id.clone()))),
                right: Box::new(Expr::Ident(self.tdz.clone())),
            }
            .into_stmt()
        });
        stmts.splice(at..at, inits);
    }
}

impl VisitMut for Rewrite {
    fn visit_mut_expr(&mut self, e: &mut Expr) {
        match e {
            Expr::Ident(id) => match self.kind(id) {
                Some(Kind::Always) => *e = self.throw(id),
                Some(Kind::Maybe) => *e = self.checked_read(id),
                None => {}
            },
            Expr::Assign(a) => {
                a.right.visit_mut_with(self);
                let AssignTarget::Simple(SimpleAssignTarget::Ident(b)) = &a.left else {
                    a.left.visit_mut_with(self);
                    return;
                };
                let id = b.id.clone();
                match self.kind(&id) {
                    // A plain write evaluates its value first; the others
                    // read the binding first.
                    Some(Kind::Always) if a.op == AssignOp::Assign => {
                        let value = std::mem::replace(&mut a.right, Box::new(Expr::Invalid(Invalid { span: DUMMY_SP })));
                        *e = SeqExpr { span: a.span, exprs: vec![value, Box::new(self.throw(&id))] }.into();
                    }
                    Some(Kind::Always) => *e = self.throw(&id),
                    Some(Kind::Maybe) => {
                        let assign = e.take();
                        *e = self.checked_then(&id, assign);
                    }
                    None => {}
                }
            }
            Expr::Update(u) => {
                let Expr::Ident(id) = &*u.arg else {
                    u.visit_mut_children_with(self);
                    return;
                };
                let id = id.clone();
                match self.kind(&id) {
                    Some(Kind::Always) => *e = self.throw(&id),
                    Some(Kind::Maybe) => {
                        let update = e.take();
                        *e = self.checked_then(&id, update);
                    }
                    None => {}
                }
            }
            _ => e.visit_mut_children_with(self),
        }
    }
    fn visit_mut_prop(&mut self, p: &mut Prop) {
        if let Prop::Shorthand(id) = p {
            let value = match self.kind(id) {
                Some(Kind::Always) => self.throw(id),
                Some(Kind::Maybe) => self.checked_read(id),
                None => return,
            };
            let key = PropName::Ident(IdentName::new(id.sym.clone(), id.span));
            *p = Prop::KeyValue(KeyValueProp { key, value: Box::new(value) });
            return;
        }
        p.visit_mut_children_with(self);
    }
    fn visit_mut_var_declarator(&mut self, d: &mut VarDeclarator) {
        d.visit_mut_children_with(self);
        // `let x;` must reset the sentinel: it is `var x;` once lowered.
        if d.init.is_none() {
            if let Pat::Ident(b) = &d.name {
                if self.with_sentinel.contains(&(b.id.sym.clone(), b.id.ctxt)) {
                    d.init = Some(Expr::undefined(DUMMY_SP));
                }
            }
        }
    }
    fn visit_mut_block_stmt(&mut self, b: &mut BlockStmt) {
        b.visit_mut_children_with(self);
        self.prepend(ScopeKey::Block(b.span.lo, b.span.hi), &mut b.stmts);
    }
    fn visit_mut_function_body(&mut self, b: &mut FunctionBody) {
        b.visit_mut_children_with(self);
        self.prepend(ScopeKey::Block(b.span.lo, b.span.hi), &mut b.stmts);
    }
    fn visit_mut_script(&mut self, s: &mut Script) {
        s.visit_mut_children_with(self);
        self.prepend(ScopeKey::Script, &mut s.body);
    }
}
