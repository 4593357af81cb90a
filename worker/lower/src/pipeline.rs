//! The lowering pipeline: parse a classic script, run swc's ES2022..ES2015
//! compat transforms (spec mode, ES5 target), reference or inline the
//! transform helpers, and print ES5 with a compact position map.
//!
//! The pass order follows swc's own preset-env for an ES5 target, minus the
//! passes Duktape does not need (`typeof` symbol and `instanceof` rewriting:
//! Duktape has native symbols and `Symbol.hasInstance`).

use swc_atoms::Atom;
use swc_common::{
    comments::NoopComments, sync::Lrc, BytePos, FileName, Globals, Mark, SourceMap, Spanned,
    SyntaxContext, DUMMY_SP, GLOBALS,
};
use swc_ecma_ast::*;
use swc_ecma_codegen::{text_writer::JsWriter, Emitter};
use swc_ecma_compat_es2015 as es2015;
use swc_ecma_compat_es2020 as es2020;
use swc_ecma_compat_es2022 as es2022;
use swc_ecma_parser::{EsSyntax, Parser, StringInput, Syntax};
use swc_ecma_transforms_base::{
    fixer::fixer,
    helpers::{inject_helpers, Helpers, HELPERS},
    hygiene::hygiene,
    resolver,
};
use swc_ecma_visit::{Visit, VisitMut, VisitMutWith, VisitWith};

use crate::budget::{Budget, CappedWriter, Limit};
use crate::runtime_table;

/// Inline the helper functions into the output instead of referencing the
/// shared runtime object.
pub const FLAG_INLINE_HELPERS: u32 = 1 << 0;
/// Do not record the generated-to-original position map.
pub const FLAG_NO_MAP: u32 = 1 << 1;
/// Print the time each stage took to stderr (a measuring aid for
/// examples/lower_file; never set by the executor).
pub const FLAG_TRACE: u32 = 1 << 8;

pub const NEEDS_HELPERS: u32 = 1 << 0;
pub const NEEDS_GENERATOR: u32 = 1 << 1;
pub const NEEDS_PROMISE: u32 = 1 << 2;
pub const NEEDS_ITERATOR: u32 = 1 << 3;
pub const NEEDS_MAP: u32 = 1 << 4;
pub const NEEDS_SET: u32 = 1 << 5;
pub const NEEDS_WEAKMAP: u32 = 1 << 6;
pub const NEEDS_WEAKSET: u32 = 1 << 7;
pub const HAD_TOP_LEVEL_RETURN: u32 = 1 << 8;
/// The code awaits at its top level and runs as an async function's body.
pub const HAD_TOP_LEVEL_AWAIT: u32 = 1 << 9;

/// Name of the global object that holds the shared helper runtime.
pub const RUNTIME_GLOBAL: &str = "__cw_h";
/// Label that replaces top-level `return` (a `break` out of the program body).
const TOP_LABEL: &str = "__cw_top";

/// Sources larger than this are rejected: job code is a few KiB, data comes
/// in `input`, and the lowering stack is reserved in proportion to the
/// source (see `STACK_PER_BYTE` in lib.rs).
pub const MAX_SOURCE_BYTES: usize = 256 << 10;

/// Nesting deeper than this (counting expression, statement, pattern,
/// property and class-member levels) is rejected before any transform runs.
/// It bounds the stack the recursive transforms need; Duktape's own
/// compiler stops at a similar depth.
pub const MAX_NESTING: u32 = 1000;

/// Complexity limits: lowering some constructs costs more than their size.
/// Measured (release build, one core): swc's resolver visits the
/// superclass of a class expression twice, so each class expression nested
/// inside another's `extends` clause doubles the work on everything inside
/// it (30 levels, 504 bytes, never finished); block scoping and for-of
/// revisit enclosing loops (700 nested `for (const a of b)` took 7-15 s);
/// generators, async functions and classes nested in each other grow the
/// output quadratically. The pre-pass rejects, as "too complex to compile",
/// code past any of these limits, far beyond what hand-written code does.
///
/// Work units of the resolver: each node counts 2^k where k is the number
/// of class-expression `extends` clauses around it.
pub const MAX_HERITAGE_WORK: u64 = 4_000_000;
/// Loops (for, for-in, for-of, while, do) nested in each other.
pub const MAX_LOOP_NESTING: u32 = 32;
/// Functions, arrows, methods, accessors and classes nested in each other.
pub const MAX_FUNCTION_NESTING: u32 = 64;

/// One entry of the position map: 1-based generated line/column to 1-based
/// original line/column (columns count Unicode code points).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapEntry {
    pub gen_line: u32,
    pub gen_col: u32,
    pub orig_line: u32,
    pub orig_col: u32,
}

#[derive(Debug)]
pub struct Lowered {
    pub code: String,
    pub needs: u32,
    pub map: Vec<MapEntry>,
    /// Runtime helpers the lowered code needs, dependencies included, as
    /// sorted ids into the runtime table (empty in inline mode).
    pub helpers: Vec<u16>,
}

/// Why lowering produced no code.
#[derive(Debug)]
pub enum Fail {
    /// The job's code is invalid, or too deep or complex to compile.
    Syntax(SyntaxErr),
    /// The call ran out of its time or memory budget.
    Limit(Limit),
}

impl From<SyntaxErr> for Fail {
    fn from(e: SyntaxErr) -> Self {
        Fail::Syntax(e)
    }
}

impl From<Limit> for Fail {
    fn from(l: Limit) -> Self {
        Fail::Limit(l)
    }
}

#[derive(Debug)]
pub struct SyntaxErr {
    pub msg: String,
    pub line: u32,
    pub col: u32,
}

/// Line starts of the original source, using ECMAScript line terminators
/// (LF, CR, CRLF, U+2028, U+2029) like Duktape does when it counts lines.
pub struct LineIndex<'a> {
    src: &'a str,
    starts: Vec<u32>,
}

impl<'a> LineIndex<'a> {
    pub fn new(src: &'a str) -> Self {
        let b = src.as_bytes();
        let mut starts = Vec::with_capacity(b.len() / 32 + 1);
        starts.push(0);
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'\n' => starts.push(i as u32 + 1),
                b'\r' => {
                    if i + 1 < b.len() && b[i + 1] == b'\n' {
                        i += 1;
                    }
                    starts.push(i as u32 + 1);
                }
                0xE2 if i + 2 < b.len() && b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9) => {
                    i += 2;
                    starts.push(i as u32 + 1);
                }
                _ => {}
            }
            i += 1;
        }
        LineIndex { src, starts }
    }

    /// 1-based line and column (in code points) of a byte offset.
    pub fn locate(&self, off: usize) -> (u32, u32) {
        let mut off = off.min(self.src.len());
        while !self.src.is_char_boundary(off) {
            off -= 1;
        }
        let idx = self.starts.partition_point(|&s| s as usize <= off) - 1;
        let start = self.starts[idx] as usize;
        let col = self.src[start..off].chars().count() as u32 + 1;
        (idx as u32 + 1, col)
    }
}

/// Lowers `src` to ES5. Call through `lower_guarded` (or on a stack sized
/// like `lib.rs::stack_for`): deeply nested input overflows smaller stacks.
pub fn lower(src: &str, flags: u32) -> Result<Lowered, SyntaxErr> {
    match lower_within(src, flags, &Budget::unlimited()) {
        Ok(l) => Ok(l),
        Err(Fail::Syntax(e)) => Err(e),
        Err(Fail::Limit(_)) => unreachable!("an unlimited budget is never exhausted"),
    }
}

/// Like `lower`, stopping with `Fail::Limit` at the budget's check points.
pub fn lower_within(src: &str, flags: u32, budget: &Budget) -> Result<Lowered, Fail> {
    if src.len() > MAX_SOURCE_BYTES {
        return Err(Fail::Syntax(SyntaxErr {
            msg: format!("source too large ({} bytes, limit {})", src.len(), MAX_SOURCE_BYTES),
            line: 1,
            col: 1,
        }));
    }
    GLOBALS.set(&Globals::new(), || lower_in_globals(src, flags, budget))
}

/// Stage timing for FLAG_TRACE.
struct Trace {
    on: bool,
    t: std::time::Instant,
}

impl Trace {
    fn mark(&mut self, what: &str, budget: &Budget) {
        if self.on {
            eprintln!("{what}: {:?} (holding {} bytes)", self.t.elapsed(), budget.used());
            self.t = std::time::Instant::now();
        }
    }
}

fn lower_in_globals(src: &str, flags: u32, budget: &Budget) -> Result<Lowered, Fail> {
    let mut trace = Trace { on: flags & FLAG_TRACE != 0, t: std::time::Instant::now() };
    let inline = flags & FLAG_INLINE_HELPERS != 0;
    let want_map = flags & FLAG_NO_MAP == 0;
    let lines = LineIndex::new(src);

    let cm: Lrc<SourceMap> = Default::default();

    // --- parse -----------------------------------------------------------
    // As a script; when that fails, once more as the body of an async
    // function, for top-level `await` (top_level_await.rs).  `base` is where
    // the job's own first byte is, in either source file.
    let mut es = EsSyntax::default();
    es.allow_return_outside_function = true;
    let parse = |text: String| {
        let fm = cm.new_source_file(Lrc::new(FileName::Anon), text);
        let mut parser = Parser::new(Syntax::Es(es), StringInput::from(&*fm), None);
        let parsed = parser.parse_script();
        let mut errors = parser.take_errors();
        let script = match parsed {
            // A `#!` line is a comment to Node; Duktape has no such syntax.
            Ok(s) => Script { shebang: None, ..s },
            Err(e) => {
                errors.push(e);
                Script { span: DUMMY_SP, body: Vec::new(), shebang: None }
            }
        };
        (script, errors, fm.start_pos)
    };
    let (mut script, mut errors, mut base) = parse(src.to_string());
    let mut needs_flags = 0u32;
    let mut awaits_at_top = false;
    if !errors.is_empty() && src.contains("await") {
        use crate::top_level_await::{WRAP_PREFIX, WRAP_SUFFIX};
        let (s2, e2, b2) = parse(format!("{WRAP_PREFIX}{src}{WRAP_SUFFIX}"));
        let b2 = BytePos(b2.0 + WRAP_PREFIX.len() as u32);
        if e2.is_empty() {
            script = s2;
            base = b2;
            awaits_at_top = true;
        } else {
            // Both fail: the error further into the job is the real one (a
            // top-level `await` stops the script parse early, where the
            // async body parse goes on to the mistake).
            let at = |es: &Vec<swc_ecma_parser::error::Error>, b: BytePos| {
                es.iter().map(|e| e.span().lo.0.saturating_sub(b.0)).min().unwrap_or(0)
            };
            if at(&e2, b2) > at(&errors, base) {
                errors = e2;
                base = b2;
            }
        }
    }
    let offset_of = |p: BytePos| (p.0.saturating_sub(base.0)) as usize;
    if !awaits_at_top {
        if let Some(e) = errors.iter().min_by_key(|e| e.span().lo) {
            let (line, col) = lines.locate(offset_of(e.span().lo));
            return Err(SyntaxErr { msg: e.kind().msg().into_owned(), line, col }.into());
        }
    }
    trace.mark("parse", budget);
    budget.check()?;

    // --- declaration early errors the parser leaves to the runtime -------
    if let Some((pos, msg)) = crate::early_errors::first_error(&script) {
        let (line, col) = lines.locate(offset_of(pos));
        return Err(SyntaxErr { msg, line, col }.into());
    }
    if awaits_at_top {
        script = crate::top_level_await::unwrap(script);
        needs_flags |= HAD_TOP_LEVEL_AWAIT;
    }

    // --- BigInt: say so, rather than Duktape's "invalid number literal" ---
    struct FindBigInt(Option<BytePos>);
    impl Visit for FindBigInt {
        fn visit_big_int(&mut self, b: &BigInt) {
            if self.0.is_none() {
                self.0 = Some(b.span.lo);
            }
        }
    }
    let mut big = FindBigInt(None);
    script.visit_with(&mut big);
    if let Some(pos) = big.0 {
        let (line, col) = lines.locate(offset_of(pos));
        return Err(SyntaxErr {
            msg: "BigInt is not supported: the engine (Duktape 2.7) has no BigInt; use Number or a string".into(),
            line,
            col,
        }
        .into());
    }

    // --- nesting and complexity guard --------------------------------------
    let mut depth = DepthCheck::default();
    script.visit_with(&mut depth);
    if let Some((pos, why)) = depth.too_deep {
        let (line, col) = lines.locate(offset_of(pos));
        return Err(SyntaxErr { msg: why, line, col }.into());
    }
    trace.mark("complexity", budget);
    budget.check()?;

    // --- regex literals: early errors, as in V8 ---------------------------
    if let Some((pos, msg)) = crate::regex_literals::first_invalid(&script) {
        let (line, col) = lines.locate(offset_of(pos));
        return Err(SyntaxErr { msg, line, col }.into());
    }

    // --- transform -------------------------------------------------------
    let unresolved_mark = Mark::new();
    let top_level_mark = Mark::new();
    let unresolved_ctxt = SyntaxContext::empty().apply_mark(unresolved_mark);
    let mut program = Program::Script(script);
    let mut scan = Scan::default();

    // Transforms report some early errors (an undeclared private name, say)
    // through swc's diagnostic handler; without one set they would panic.
    let diag = DiagBuf::default();
    let handler = swc_common::errors::Handler::with_emitter_writer(Box::new(diag.clone()), None);
    let transformed: Result<(), Limit> = swc_common::errors::HANDLER.set(&handler, || HELPERS.set(&Helpers::new(!inline), || {
        crate::regex_literals::rewrite(&mut program);
        program.mutate(resolver(unresolved_mark, top_level_mark, false));
        trace.mark("resolver", budget);
        budget.check()?;
        const_violations(&mut program);
        crate::tdz::rewrite(&mut program, unresolved_ctxt);
        direct_eval(&mut program, unresolved_ctxt);
        for_of_arguments(&mut program);
        object_proto(&mut program, unresolved_ctxt);
        name_inference(&mut program);
        split_try_catch_finally(&mut program);
        budget.check()?;
        for (name, mut pass) in compat(unresolved_mark) {
            pass.process(&mut program);
            trace.mark(name, budget);
            budget.check()?;
        }

        scan.helper_ctxt = SyntaxContext::empty().apply_mark(HELPERS.with(|h| h.mark()));
        scan.unresolved_ctxt = unresolved_ctxt;
        scan.external = !inline;
        program.visit_mut_with(&mut scan);
        budget.check()?;
        if inline {
            let before = program.as_script().map_or(0, |s| s.body.len());
            program.mutate(inject_helpers(unresolved_mark));
            if let Program::Script(s) = &mut program {
                let injected = s.body.len().saturating_sub(before);
                shadow_reflect_in_helpers(s, injected, scan.helper_ctxt);
            }
        }

        let mut top = TopReturn { label: Ident::new_no_ctxt(TOP_LABEL.into(), DUMMY_SP), found: false };
        program.visit_mut_with(&mut top);
        if top.found {
            scan.needs |= HAD_TOP_LEVEL_RETURN;
            if let Program::Script(s) = &mut program {
                wrap_top_level(s, top.label);
            }
        }

        budget.check()?;
        program.mutate(hygiene());
        trace.mark("hygiene", budget);
        budget.check()?;
        program.mutate(fixer(None));
        trace.mark("fixer", budget);
        budget.check()
    }));
    // An early error the transforms reported is the job's fault and wins
    // over a budget that ran out later.
    if handler.has_errors() {
        let text = diag.text();
        let msg = text
            .lines()
            .map(|l| l.trim())
            .find(|l| !l.is_empty())
            .unwrap_or("invalid program")
            .trim_start_matches("error:")
            .trim()
            .to_string();
        return Err(SyntaxErr { msg, line: 1, col: 1 }.into());
    }
    transformed?;

    // Helpers used, with everything they call (ids into the runtime table).
    let mut needs = scan.needs | needs_flags;
    let mut helpers: Vec<u16> = Vec::new();
    for name in &scan.helpers {
        match runtime_table::find(name).and_then(runtime_table::get) {
            Some(info) => {
                needs |= info.needs;
                helpers.extend_from_slice(info.closure);
            }
            None if inline => {}
            None => panic!("transform emitted helper {name} which the runtime does not provide"),
        }
    }
    helpers.sort_unstable();
    helpers.dedup();
    if inline {
        helpers.clear();
    } else if !helpers.is_empty() {
        needs |= NEEDS_HELPERS;
    }

    // --- print -----------------------------------------------------------
    let mut out = CappedWriter::new(budget, src.len() * 2 + 64);
    let mut raw_map = Vec::new();
    let printed = {
        let mut wr = JsWriter::new(cm.clone(), "\n", &mut out, if want_map { Some(&mut raw_map) } else { None });
        wr.set_indent_str("  ");
        let mut emitter = Emitter {
            cfg: swc_ecma_codegen::Config::default()
                .with_target(EsVersion::Es5)
                .with_ascii_only(true),
            cm: cm.clone(),
            comments: None,
            wr,
        };
        emitter.emit_program(&program)
    };
    if printed.is_err() {
        return Err(out.hit.unwrap_or(Limit::Memory).into());
    }
    drop(program);
    trace.mark("print", budget);
    budget.check()?;
    let code = String::from_utf8(out.buf).expect("codegen emits UTF-8");

    let mut map = Vec::with_capacity(raw_map.len());
    if want_map {
        let end = src.len();
        for (pos, lc) in raw_map {
            if pos.is_dummy() || pos.0 < base.0 || offset_of(pos) > end {
                continue;
            }
            let (orig_line, orig_col) = lines.locate(offset_of(pos));
            map.push(MapEntry { gen_line: lc.line + 1, gen_col: lc.col + 1, orig_line, orig_col });
        }
        map.sort_by_key(|e| (e.gen_line, e.gen_col));
        map.dedup_by(|b, a| a.gen_line == b.gen_line && a.orig_line == b.orig_line && a.orig_col == b.orig_col);
        map.shrink_to_fit();
    }
    trace.mark("map", budget);
    budget.check()?;

    Ok(Lowered { code, needs, map, helpers })
}

/// The compat chain for an ES5 target, spec-compliant (non-loose) everywhere.
fn compat(unresolved_mark: Mark) -> Vec<(&'static str, Box<dyn Pass>)> {
    let unresolved_ctxt = SyntaxContext::empty().apply_mark(unresolved_mark);

    let mut regexp = swc_ecma_transformer::RegExpOptions::default();
    // Literals using flags/syntax Duktape lacks become `new RegExp(...)`, so
    // an unsupported pattern fails only when it runs, not the whole job.
    regexp.dot_all_regex = true;
    regexp.named_capturing_groups_regex = true;
    regexp.sticky_regex = true;
    regexp.unicode_property_regex = true;
    regexp.unicode_regex = true;
    regexp.unicode_sets_regex = true;
    regexp.has_indices = true;
    regexp.lookbehind_assertion = true;

    let mut es2016_2022 = swc_ecma_transformer::Options::default();
    es2016_2022.unresolved_ctxt = unresolved_ctxt;
    es2016_2022.env.regexp = regexp;
    es2016_2022.env.es2022.private_property_in_object = true;
    es2016_2022.env.es2021.logical_assignment_operators = true;
    es2016_2022.env.es2020.nullish_coalescing = true;
    es2016_2022.env.es2019.optional_catch_binding = true;
    es2016_2022.env.es2018.object_rest_spread = true;
    es2016_2022.env.es2017.async_to_generator = true;
    es2016_2022.env.es2017.async_generator_functions = true;
    es2016_2022.env.es2016.exponentiation_operator = true;

    let mut es2015_misc = swc_ecma_transformer::Options::default();
    es2015_misc.unresolved_ctxt = unresolved_ctxt;
    es2015_misc.env.es2015.shorthand = true;
    es2015_misc.env.es2015.function_name = true;
    es2015_misc.env.es2015.duplicate_keys = true;
    es2015_misc.env.es2015.sticky_regex = true;

    let passes: Vec<(&'static str, Box<dyn Pass>)> = vec![
        // Names `const C = class {}` (and function expressions) before the
        // class transform gives an anonymous class its own `_class` name;
        // es2015_misc names again what the arrow transform created.
        ("function_name", Box::new(es2015::function_name())),
        ("static_blocks", Box::new(es2022::static_blocks())),
        ("class_properties", Box::new(es2022::class_properties(Default::default(), unresolved_mark))),
        ("optional_chaining", Box::new(es2020::optional_chaining(Default::default(), unresolved_mark))),
        ("es2016_2022", Box::new(es2016_2022.into_pass())),
        ("block_scoped_functions", Box::new(es2015::block_scoped_functions())),
        ("template_literal", Box::new(es2015::template_literal(Default::default()))),
        ("classes", Box::new(es2015::classes(Default::default()))),
        ("new_target", Box::new(es2015::new_target())),
        ("spread", Box::new(es2015::spread(Default::default(), unresolved_mark))),
        ("object_super", Box::new(es2015::object_super())),
        ("for_of", Box::new(es2015::for_of(Default::default()))),
        ("parameters", Box::new(es2015::parameters(Default::default(), unresolved_mark))),
        ("arrow", Box::new(es2015::arrow(unresolved_mark))),
        ("es2015_misc", Box::new(es2015_misc.into_pass())),
        ("computed_properties", Box::new(es2015::computed_properties(Default::default()))),
        ("destructuring", Box::new(es2015::destructuring(Default::default()))),
        ("block_scoping", Box::new(es2015::block_scoping(unresolved_mark))),
        ("generator", Box::new(es2015::generator::generator(unresolved_mark, NoopComments))),
    ];
    passes
}

/// Assignments to `const` bindings must throw a TypeError at run time; the
/// block-scoping transform turns `const` into `var` without checking, so
/// rewrite `k = v`, `k op= v` and `k++` on a const `k` first (after the
/// resolver, so shadowing is respected) into `(v, _read_only_error("k"))`.
fn const_violations(program: &mut Program) {
    use swc_ecma_transforms_base::helper;
    use swc_ecma_utils::{find_pat_ids, ExprFactory};

    #[derive(Default)]
    struct Consts(Vec<(Atom, SyntaxContext)>);
    impl Visit for Consts {
        fn visit_var_decl(&mut self, v: &VarDecl) {
            if v.kind == VarDeclKind::Const {
                for d in &v.decls {
                    let ids: Vec<Ident> = find_pat_ids(&d.name);
                    self.0.extend(ids.into_iter().map(|i| (i.sym, i.ctxt)));
                }
            }
            v.visit_children_with(self);
        }
    }
    let mut consts = Consts::default();
    program.visit_with(&mut consts);
    if consts.0.is_empty() {
        return;
    }

    /// `in_target`: inside a destructuring-assignment or for-in/of-head
    /// pattern, where a const name is a write (reset in every expression:
    /// defaults and computed keys are reads).
    struct Rewrite {
        consts: Vec<(Atom, SyntaxContext)>,
        in_target: bool,
    }
    impl Rewrite {
        fn is_const(&self, id: &Ident) -> bool {
            self.consts.iter().any(|(s, c)| *s == id.sym && *c == id.ctxt)
        }
        fn throw_for(id: &Ident) -> Expr {
            CallExpr {
                span: id.span,
                callee: helper!(read_only_error),
                args: vec![Lit::Str(Str::from(id.sym.clone())).as_arg()],
                ..Default::default()
            }
            .into()
        }
        /// `({ set v(_) { _read_only_error("k") } }).v`: a pattern target
        /// that throws only when the destructuring actually writes to it,
        /// after the values before it were read and assigned, as in Node.
        fn throwing_target(id: &Ident) -> Pat {
            let setter = Prop::Setter(SetterProp {
                span: DUMMY_SP,
                key: PropName::Ident(IdentName::new("v".into(), DUMMY_SP)),
                function: Box::new(Function {
                    params: vec![Param::from(Pat::Ident(BindingIdent::from(Ident::new_no_ctxt("_".into(), DUMMY_SP))))],
                    body: Some(FunctionBody { span: DUMMY_SP, stmts: vec![Self::throw_for(id).into_stmt()] }),
                    ..Default::default()
                }),
            });
            let obj = ObjectLit { span: DUMMY_SP, props: vec![PropOrSpread::Prop(Box::new(setter))] };
            Pat::Expr(Box::new(Expr::Member(MemberExpr {
                span: id.span,
                obj: Box::new(Expr::Paren(ParenExpr { span: DUMMY_SP, expr: Box::new(obj.into()) })),
                prop: MemberProp::Ident(IdentName::new("v".into(), DUMMY_SP)),
            })))
        }
    }
    impl VisitMut for Rewrite {
        fn visit_mut_assign_target_pat(&mut self, p: &mut AssignTargetPat) {
            let saved = std::mem::replace(&mut self.in_target, true);
            p.visit_mut_children_with(self);
            self.in_target = saved;
        }
        fn visit_mut_for_head(&mut self, h: &mut ForHead) {
            let saved = std::mem::replace(&mut self.in_target, matches!(h, ForHead::Pat(_)));
            h.visit_mut_children_with(self);
            self.in_target = saved;
        }
        fn visit_mut_pat(&mut self, p: &mut Pat) {
            if self.in_target {
                if let Pat::Ident(b) = p {
                    if self.is_const(&b.id) {
                        *p = Self::throwing_target(&b.id);
                        return;
                    }
                }
            }
            p.visit_mut_children_with(self);
        }
        fn visit_mut_object_pat_prop(&mut self, p: &mut ObjectPatProp) {
            if self.in_target {
                if let ObjectPatProp::Assign(a) = p {
                    if self.is_const(&a.key.id) {
                        let target = Self::throwing_target(&a.key.id);
                        let value = match a.value.take() {
                            Some(mut d) => {
                                d.visit_mut_with(self);
                                Pat::Assign(AssignPat { span: a.span, left: Box::new(target), right: d })
                            }
                            None => target,
                        };
                        let key = PropName::Ident(IdentName::new(a.key.id.sym.clone(), a.key.id.span));
                        *p = ObjectPatProp::KeyValue(KeyValuePatProp { key, value: Box::new(value) });
                        return;
                    }
                }
            }
            p.visit_mut_children_with(self);
        }
        fn visit_mut_expr(&mut self, e: &mut Expr) {
            let saved = std::mem::replace(&mut self.in_target, false);
            e.visit_mut_children_with(self);
            self.in_target = saved;
            let replacement = match e {
                Expr::Assign(a) => match &a.left {
                    AssignTarget::Simple(SimpleAssignTarget::Ident(b)) if self.is_const(&b.id) => {
                        let write: Expr =
                            SeqExpr { span: a.span, exprs: vec![a.right.clone(), Box::new(Self::throw_for(&b.id))] }.into();
                        // `k ??= v`, `k ||= v`, `k &&= v` write (and throw) only
                        // when the short circuit does not skip the assignment.
                        let logical = match a.op {
                            AssignOp::NullishAssign => Some(BinaryOp::NullishCoalescing),
                            AssignOp::OrAssign => Some(BinaryOp::LogicalOr),
                            AssignOp::AndAssign => Some(BinaryOp::LogicalAnd),
                            _ => None,
                        };
                        Some(match logical {
                            Some(op) => BinExpr {
                                span: a.span,
                                op,
                                left: Box::new(Expr::Ident(b.id.clone())),
                                right: Box::new(Expr::Paren(ParenExpr { span: DUMMY_SP, expr: Box::new(write) })),
                            }
                            .into(),
                            None => write,
                        })
                    }
                    _ => None,
                },
                Expr::Update(u) => match &*u.arg {
                    Expr::Ident(id) if self.is_const(id) => Some(Self::throw_for(id)),
                    _ => None,
                },
                _ => None,
            };
            if let Some(r) = replacement {
                *e = r;
            }
        }
    }
    program.visit_mut_with(&mut Rewrite { consts: consts.0, in_target: false });
}

/// A direct `eval(x)` of the global eval becomes `eval(__cw_eval_src(x))`:
/// still a direct eval (the caller's scope), with a string Duktape cannot
/// compile lowered first by the executor (worker/cw_eval.c).  After the
/// resolver, so a local binding named `eval` is left alone.
fn direct_eval(program: &mut Program, unresolved: SyntaxContext) {
    use swc_ecma_utils::ExprFactory;
    struct Rewrite(SyntaxContext);
    impl VisitMut for Rewrite {
        fn visit_mut_call_expr(&mut self, c: &mut CallExpr) {
            c.visit_mut_children_with(self);
            let direct = matches!(&c.callee, Callee::Expr(e)
                if matches!(&**e, Expr::Ident(id) if id.sym == *"eval" && id.ctxt == self.0));
            if !direct || c.args.is_empty() || c.args[0].spread.is_some() {
                return;
            }
            let arg = std::mem::replace(&mut c.args[0].expr, Box::new(Expr::Invalid(Invalid { span: DUMMY_SP })));
            let wrap = CallExpr {
                span: DUMMY_SP,
                callee: Ident::new("__cw_eval_src".into(), DUMMY_SP, self.0).as_callee(),
                args: vec![arg.as_arg()],
                ..Default::default()
            };
            c.args[0].expr = Box::new(wrap.into());
        }
    }
    program.visit_mut_with(&mut Rewrite(unresolved));
}

/// Duktape's arguments objects have no `Symbol.iterator` (an ES2015 addition:
/// %Array.prototype.values%), and the for-of transform calls it; so
/// `for (x of arguments)` iterates `Array.prototype.values.call(arguments)`,
/// the same live iterator.  (Spread and destructuring of `arguments` go
/// through helpers that already treat it as array-like.)
fn for_of_arguments(program: &mut Program) {
    use swc_ecma_utils::{member_expr, ExprFactory};
    struct Rewrite;
    impl VisitMut for Rewrite {
        fn visit_mut_for_of_stmt(&mut self, f: &mut ForOfStmt) {
            f.visit_mut_children_with(self);
            if f.is_await {
                return;
            }
            let is_arguments = matches!(&*f.right, Expr::Ident(id) if id.sym == *"arguments");
            if !is_arguments {
                return;
            }
            let args = std::mem::replace(&mut f.right, Box::new(Expr::Invalid(Invalid { span: DUMMY_SP })));
            let values = member_expr!(Default::default(), DUMMY_SP, Array.prototype.values.call);
            f.right = Box::new(
                CallExpr { span: DUMMY_SP, callee: values.as_callee(), args: vec![args.as_arg()], ..Default::default() }
                    .into(),
            );
        }
    }
    program.visit_mut_with(&mut Rewrite);
}

/// `__proto__: v` (or `"__proto__": v`) in an object literal sets the new
/// object's prototype (when `v` is an object, a function or null; other
/// values are ignored) instead of making an own property, which is what
/// Duktape does with it.  Computed `["__proto__"]`, shorthand `{__proto__}`
/// and methods stay own properties.  Only literals with such an entry pay:
/// `{a, __proto__: p, b}` becomes
/// `(function (o, p) { if (typeof p === "object" || typeof p === "function")
/// Object.setPrototypeOf(o, p); return o; })({a, b}, p)`, with `p` passed
/// first when it is the first entry, so it is evaluated in source order
/// whenever it leads or ends the literal.  (A duplicate entry is an early
/// error, see early_errors.rs.)
fn object_proto(program: &mut Program, unresolved_ctxt: SyntaxContext) {
    use swc_ecma_utils::{member_expr, ExprFactory};
    fn is_proto_entry(p: &PropOrSpread) -> bool {
        match p {
            PropOrSpread::Prop(p) => match &**p {
                Prop::KeyValue(kv) => match &kv.key {
                    PropName::Ident(i) => i.sym == *"__proto__",
                    PropName::Str(s) => s.value == *"__proto__",
                    _ => false,
                },
                _ => false,
            },
            _ => false,
        }
    }
    struct Rewrite(SyntaxContext);
    impl VisitMut for Rewrite {
        fn visit_mut_expr(&mut self, e: &mut Expr) {
            e.visit_mut_children_with(self);
            let Expr::Object(obj) = e else { return };
            let Some(at) = obj.props.iter().position(is_proto_entry) else { return };
            let PropOrSpread::Prop(prop) = obj.props.remove(at) else { return };
            let Prop::KeyValue(kv) = *prop else { return };
            let span = obj.span;
            let o = Ident::new_no_ctxt("o".into(), DUMMY_SP);
            let p = Ident::new_no_ctxt("p".into(), DUMMY_SP);
            let type_is = |t: &str| -> Box<Expr> {
                Box::new(Expr::Bin(BinExpr {
                    span: DUMMY_SP,
                    op: BinaryOp::EqEqEq,
                    left: Box::new(Expr::Unary(UnaryExpr {
                        span: DUMMY_SP,
                        op: UnaryOp::TypeOf,
                        arg: Box::new(Expr::Ident(p.clone())),
                    })),
                    right: Box::new(Expr::Lit(Lit::Str(Str::from(Atom::from(t))))),
                }))
            };
            let test = Expr::Bin(BinExpr {
                span: DUMMY_SP,
                op: BinaryOp::LogicalOr,
                left: type_is("object"),
                right: type_is("function"),
            });
            let set = CallExpr {
                span: DUMMY_SP,
                callee: member_expr!(self.0, DUMMY_SP, Object.setPrototypeOf).as_callee(),
                args: vec![Expr::Ident(o.clone()).as_arg(), Expr::Ident(p.clone()).as_arg()],
                ..Default::default()
            };
            let body = vec![
                Stmt::If(IfStmt {
                    span: DUMMY_SP,
                    test: Box::new(test),
                    cons: Box::new(set.into_stmt()),
                    alt: None,
                }),
                Stmt::Return(ReturnStmt { span: DUMMY_SP, arg: Some(Box::new(Expr::Ident(o.clone()))) }),
            ];
            let lit: Expr = std::mem::replace(obj, ObjectLit { span, props: vec![] }).into();
            let (params, args) = if at == 0 {
                (vec![p.clone(), o.clone()], vec![kv.value.as_arg(), lit.as_arg()])
            } else {
                (vec![o.clone(), p.clone()], vec![lit.as_arg(), kv.value.as_arg()])
            };
            let func = Function {
                params: params.into_iter().map(|i| Param::from(Pat::Ident(BindingIdent::from(i)))).collect(),
                body: Some(FunctionBody { span: DUMMY_SP, stmts: body }),
                ..Default::default()
            };
            let callee = Expr::Paren(ParenExpr {
                span: DUMMY_SP,
                expr: Box::new(Expr::Fn(FnExpr { ident: None, function: Box::new(func) })),
            });
            *e = CallExpr { span, callee: callee.as_callee(), args, ..Default::default() }.into();
        }
    }
    program.visit_mut_with(&mut Rewrite(unresolved_ctxt));
}

/// NamedEvaluation where swc's function_name pass does not reach: a
/// parenthesized anonymous function/class/arrow (`var f = (function () {})`)
/// loses its parentheses, which only ever matter to naming; a default in a
/// binding or assignment pattern (`[fn = function () {}] = []`,
/// `{ C = class {} } = {}`) names its function or class after the target.
/// Anonymous arrows keep their lexical `this` and are named by function_name
/// once the arrow transform has made them functions.
fn name_inference(program: &mut Program) {
    use swc_ecma_utils::{private_ident, IdentUsageFinder};
    fn strip(e: &mut Box<Expr>) {
        while let Expr::Paren(p) = &mut **e {
            let anon = matches!(&*p.expr, Expr::Fn(FnExpr { ident: None, .. }) | Expr::Class(ClassExpr { ident: None, .. }) | Expr::Arrow(_))
                || matches!(&*p.expr, Expr::Paren(_));
            if !anon {
                return;
            }
            let inner = std::mem::replace(&mut p.expr, Box::new(Expr::Invalid(Invalid { span: DUMMY_SP })));
            *e = inner;
        }
    }
    fn name(e: &mut Expr, id: &Ident) {
        match e {
            Expr::Fn(FnExpr { ident: ident @ None, function }) => {
                if !IdentUsageFinder::find(id, function.as_ref()) {
                    *ident = Some(private_ident!(DUMMY_SP, id.sym.clone()));
                }
            }
            Expr::Class(ClassExpr { ident: ident @ None, class }) => {
                if !IdentUsageFinder::find(id, class.as_ref()) {
                    *ident = Some(private_ident!(DUMMY_SP, id.sym.clone()));
                }
            }
            _ => {}
        }
    }
    fn reserved(id: &Ident) -> bool {
        id.is_reserved() || id.is_reserved_in_strict_mode(true) || id.is_reserved_in_strict_bind()
    }
    struct Pass;
    impl VisitMut for Pass {
        fn visit_mut_var_declarator(&mut self, d: &mut VarDeclarator) {
            d.visit_mut_children_with(self);
            if let (Pat::Ident(_), Some(init)) = (&d.name, &mut d.init) {
                strip(init);
            }
        }
        fn visit_mut_assign_expr(&mut self, a: &mut AssignExpr) {
            a.visit_mut_children_with(self);
            if a.op == op!("=") && a.left.as_ident().is_some() {
                strip(&mut a.right);
            }
        }
        fn visit_mut_assign_pat(&mut self, p: &mut AssignPat) {
            p.visit_mut_children_with(self);
            if let Pat::Ident(b) = &*p.left {
                strip(&mut p.right);
                let id = Ident::from(b.clone());
                if !reserved(&id) {
                    name(&mut p.right, &id);
                }
            }
        }
        fn visit_mut_assign_pat_prop(&mut self, p: &mut AssignPatProp) {
            p.visit_mut_children_with(self);
            if let Some(v) = &mut p.value {
                strip(v);
                let id = Ident::from(p.key.clone());
                if !reserved(&id) {
                    name(v, &id);
                }
            }
        }
    }
    program.visit_mut_with(&mut Pass);
}

/// Duktape runs the `catch` of a `try` whose block returned when its
/// `finally` then throws (`try { return 1 } catch (e) { ... } finally { throw x }`
/// returns what the catch returns instead of throwing x).  A `try` with both
/// is, by the specification, the same as a try/catch nested in a
/// try/finally, which Duktape gets right; lowered code is given that form.
fn split_try_catch_finally(program: &mut Program) {
    struct Pass;
    impl VisitMut for Pass {
        fn visit_mut_try_stmt(&mut self, t: &mut TryStmt) {
            t.visit_mut_children_with(self);
            if t.handler.is_none() || t.finalizer.is_none() {
                return;
            }
            let inner = TryStmt {
                span: t.span,
                block: std::mem::take(&mut t.block),
                handler: t.handler.take(),
                finalizer: None,
            };
            t.block = BlockStmt { span: DUMMY_SP, stmts: vec![Stmt::Try(Box::new(inner))], ..Default::default() };
        }
    }
    program.visit_mut_with(&mut Pass);
}

/// Rejects pathological nesting and complexity before the transforms see
/// it (see MAX_NESTING and the complexity limits).
#[derive(Default)]
struct DepthCheck {
    depth: u32,
    loops: u32,
    functions: u32,
    /// class-expression `extends` clauses around the current node
    heritage: u32,
    heritage_work: u64,
    too_deep: Option<(BytePos, String)>,
}

impl DepthCheck {
    fn fail(&mut self, pos: BytePos, why: String) {
        if self.too_deep.is_none() {
            self.too_deep = Some((pos, why));
        }
    }

    /// One node of the resolver's work.
    fn count(&mut self, pos: BytePos) {
        let w = if self.heritage >= 63 { u64::MAX } else { 1u64 << self.heritage };
        self.heritage_work = self.heritage_work.saturating_add(w);
        if self.heritage_work > MAX_HERITAGE_WORK {
            self.fail(
                pos,
                format!(
                    "too complex to compile: class expressions nested in `extends` clauses (work limit {MAX_HERITAGE_WORK})"
                ),
            );
        }
    }
}

macro_rules! depth_visit {
    ($name:ident, $ty:ty) => {
        fn $name(&mut self, n: &$ty) {
            if self.too_deep.is_some() {
                return;
            }
            self.depth += 1;
            if self.depth > MAX_NESTING {
                self.fail(n.span().lo, format!("nesting too deep (limit {MAX_NESTING})"));
            } else {
                self.count(n.span().lo);
                n.visit_children_with(self);
            }
            self.depth -= 1;
        }
    };
}

macro_rules! nest_visit {
    ($name:ident, $ty:ty, $field:ident, $limit:expr, $what:expr) => {
        fn $name(&mut self, n: &$ty) {
            if self.too_deep.is_some() {
                return;
            }
            self.$field += 1;
            if self.$field > $limit {
                self.fail(n.span().lo, format!("too complex to compile: {} nested deeper than {}", $what, $limit));
            } else {
                n.visit_children_with(self);
            }
            self.$field -= 1;
        }
    };
}

impl Visit for DepthCheck {
    depth_visit!(visit_expr, Expr);
    depth_visit!(visit_stmt, Stmt);
    depth_visit!(visit_pat, Pat);
    depth_visit!(visit_prop, Prop);
    depth_visit!(visit_class_member, ClassMember);

    nest_visit!(visit_for_stmt, ForStmt, loops, MAX_LOOP_NESTING, "loops");
    nest_visit!(visit_for_in_stmt, ForInStmt, loops, MAX_LOOP_NESTING, "loops");
    nest_visit!(visit_for_of_stmt, ForOfStmt, loops, MAX_LOOP_NESTING, "loops");
    nest_visit!(visit_while_stmt, WhileStmt, loops, MAX_LOOP_NESTING, "loops");
    nest_visit!(visit_do_while_stmt, DoWhileStmt, loops, MAX_LOOP_NESTING, "loops");

    nest_visit!(visit_function, Function, functions, MAX_FUNCTION_NESTING, "functions and classes");
    nest_visit!(visit_arrow_expr, ArrowExpr, functions, MAX_FUNCTION_NESTING, "functions and classes");
    nest_visit!(visit_getter_prop, GetterProp, functions, MAX_FUNCTION_NESTING, "functions and classes");
    nest_visit!(visit_setter_prop, SetterProp, functions, MAX_FUNCTION_NESTING, "functions and classes");
    nest_visit!(visit_class, Class, functions, MAX_FUNCTION_NESTING, "functions and classes");

    fn visit_class_expr(&mut self, n: &ClassExpr) {
        if self.too_deep.is_some() {
            return;
        }
        // The resolver visits this superclass twice (once outside the class
        // scope, once inside): everything in it costs double.
        if let Some(sc) = &n.class.super_class {
            self.heritage += 1;
            sc.visit_with(self);
            self.heritage -= 1;
        }
        n.ident.visit_with(self);
        // The rest of the class, without its superclass (visited above).
        self.functions += 1;
        if self.functions > MAX_FUNCTION_NESTING {
            self.fail(
                n.class.span.lo,
                format!("too complex to compile: functions and classes nested deeper than {MAX_FUNCTION_NESTING}"),
            );
        } else {
            n.class.decorators.visit_with(self);
            n.class.body.visit_with(self);
        }
        self.functions -= 1;
    }
}

/// Finds helper references and the globals the lowered code relies on; in
/// external mode rewrites each helper reference to `__cw_h.<helper>`.
#[derive(Default)]
struct Scan {
    helper_ctxt: SyntaxContext,
    unresolved_ctxt: SyntaxContext,
    external: bool,
    helpers: Vec<Atom>,
    needs: u32,
}

impl Scan {
    fn global_bits(sym: &str) -> u32 {
        match sym {
            "Promise" => NEEDS_PROMISE,
            "Map" => NEEDS_MAP,
            "Set" => NEEDS_SET,
            "WeakMap" => NEEDS_WEAKMAP,
            "WeakSet" => NEEDS_WEAKSET,
            _ => 0,
        }
    }

    fn is_global(&self, id: &Ident) -> bool {
        id.ctxt == self.unresolved_ctxt || id.ctxt == SyntaxContext::empty()
    }
}

impl VisitMut for Scan {
    fn visit_mut_expr(&mut self, e: &mut Expr) {
        match e {
            Expr::Ident(id) if id.ctxt == self.helper_ctxt => {
                if !self.helpers.contains(&id.sym) {
                    self.helpers.push(id.sym.clone());
                }
                if self.external {
                    *e = Expr::Member(MemberExpr {
                        span: id.span,
                        obj: Box::new(Expr::Ident(Ident::new(
                            RUNTIME_GLOBAL.into(),
                            DUMMY_SP,
                            self.unresolved_ctxt,
                        ))),
                        prop: MemberProp::Ident(IdentName::new(id.sym.clone(), DUMMY_SP)),
                    });
                }
            }
            Expr::Ident(id) => {
                if self.is_global(id) {
                    self.needs |= Self::global_bits(&id.sym);
                }
            }
            Expr::Member(m) => {
                if let (Expr::Ident(obj), MemberProp::Ident(prop)) = (&*m.obj, &m.prop) {
                    if &*obj.sym == "Symbol" && &*prop.sym == "iterator" && self.is_global(obj) {
                        self.needs |= NEEDS_ITERATOR;
                    }
                }
                e.visit_mut_children_with(self);
            }
            _ => e.visit_mut_children_with(self),
        }
    }
}

/// Helper functions that use `Reflect.get`/`Reflect.set` with a receiver,
/// which Duktape 2.7 rejects ("unsupported"), get a local `var Reflect;` so
/// they take their ES5 fallback. Applies to the first `n` statements of the
/// script (the inlined helpers). The shared runtime gets the same treatment
/// from its generator.
fn shadow_reflect_in_helpers(script: &mut Script, n: usize, helper_ctxt: SyntaxContext) {
    struct UsesReflectAccessor(bool);
    impl Visit for UsesReflectAccessor {
        fn visit_member_expr(&mut self, m: &MemberExpr) {
            if let (Expr::Ident(obj), MemberProp::Ident(prop)) = (&*m.obj, &m.prop) {
                if &*obj.sym == "Reflect" && (&*prop.sym == "get" || &*prop.sym == "set") {
                    self.0 = true;
                }
            }
            m.visit_children_with(self);
        }
    }
    for stmt in script.body.iter_mut().take(n) {
        let Stmt::Decl(Decl::Fn(f)) = stmt else { continue };
        let mut v = UsesReflectAccessor(false);
        f.function.visit_with(&mut v);
        if !v.0 {
            continue;
        }
        if let Some(body) = &mut f.function.body {
            // Same context as the helper's own references to `Reflect`, so
            // hygiene treats declaration and uses as one binding.
            body.stmts.insert(
                0,
                Stmt::Decl(Decl::Var(Box::new(VarDecl {
                    kind: VarDeclKind::Var,
                    decls: vec![VarDeclarator {
                        span: DUMMY_SP,
                        name: Pat::Ident(Ident::new("Reflect".into(), DUMMY_SP, helper_ctxt).into()),
                        init: None,
                        definite: false,
                    }],
                    ..Default::default()
                }))),
            );
        }
    }
}

/// Rewrites top-level `return` into `break __cw_top` (Duktape rejects
/// `return` outside functions). Does not enter functions or classes.
struct TopReturn {
    label: Ident,
    found: bool,
}

impl VisitMut for TopReturn {
    skip_nested_scopes!();

    fn visit_mut_stmt(&mut self, s: &mut Stmt) {
        s.visit_mut_children_with(self);
        if let Stmt::Return(r) = s {
            self.found = true;
            let brk = Stmt::Break(BreakStmt { span: r.span, label: Some(self.label.clone()) });
            *s = match r.arg.take() {
                Some(arg) => Stmt::Block(BlockStmt {
                    span: r.span,
                    stmts: vec![Stmt::Expr(ExprStmt { span: r.span, expr: arg }), brk],
                    ..Default::default()
                }),
                None => brk,
            };
        }
    }
}

/// `s1; function f(){}; s2` -> `function f(){}; __cw_top: { s1; s2 }`.
/// Leading directives stay first; function declarations stay at the top
/// level (ES5 has no block-level functions). After lowering every binding is
/// a `var` or a function, so the block changes no scoping.
fn wrap_top_level(script: &mut Script, label: Ident) {
    let body = std::mem::take(&mut script.body);
    let mut head = Vec::new();
    let mut rest = Vec::new();
    let mut in_prologue = true;
    for stmt in body {
        let is_directive = matches!(&stmt, Stmt::Expr(ExprStmt { expr, .. }) if matches!(&**expr, Expr::Lit(Lit::Str(_))));
        if in_prologue && is_directive {
            head.push(stmt);
            continue;
        }
        in_prologue = false;
        if let Stmt::Decl(Decl::Fn(_)) = stmt {
            head.push(stmt);
        } else {
            rest.push(stmt);
        }
    }
    head.push(Stmt::Labeled(LabeledStmt {
        span: DUMMY_SP,
        label,
        body: Box::new(Stmt::Block(BlockStmt { span: DUMMY_SP, stmts: rest, ..Default::default() })),
    }));
    script.body = head;
}


/// Collects what swc's diagnostic handler writes, to turn it into a SyntaxErr.
#[derive(Clone, Default)]
struct DiagBuf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl DiagBuf {
    fn text(&self) -> String {
        let v = self.0.lock().map(|g| g.clone()).unwrap_or_default();
        String::from_utf8_lossy(&v).into_owned()
    }
}

impl std::io::Write for DiagBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut g) = self.0.lock() {
            if g.len() < 4096 {
                g.extend_from_slice(buf);
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
