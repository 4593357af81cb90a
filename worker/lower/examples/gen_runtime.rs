//! Generates the shared helper runtime from swc's own helper sources:
//!   runtime/cw_helpers.js        ES5 script; evaluating it defines the
//!                                 read-only global `__cw_h` (a frozen object
//!                                 holding every helper by its swc name)
//!   runtime/cw_helpers_table.rs  helper names plus the host globals each
//!                                 one needs (transitively), compiled into
//!                                 the library
//! Run through worker/lower/gen_runtime.sh; commit both outputs.
//!
//! Every helper source is passed through the same lowering pipeline as job
//! code, so the runtime is ES5 even if a helper uses newer syntax.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt::Write as _,
    path::PathBuf,
};

use cw_lower::{lower_guarded, Outcome, FLAG_INLINE_HELPERS, FLAG_NO_MAP, NEEDS_GENERATOR, RUNTIME_GLOBAL};
use swc_common::{sync::Lrc, FileName, Globals, Mark, SourceMap, SyntaxContext, DUMMY_SP, GLOBALS};
use swc_ecma_ast::*;
use swc_ecma_codegen::{text_writer::JsWriter, Emitter};
use swc_ecma_parser::{Parser, StringInput, Syntax};
use swc_ecma_transforms_base::{fixer::fixer, helpers::generated::ALL, resolver};
use swc_ecma_visit::{VisitMut, VisitMutWith};

/// Helpers no transform in our pipeline can emit: decorators, TypeScript
/// only, ES module interop and explicit resource management (`using`), none
/// of which the parser configuration accepts.
const EXCLUDED: &[&str] = &[
    "_apply_decorated_descriptor",
    "_apply_decs_2203_r",
    "_apply_decs_2311",
    "_decorate",
    "_initializer_define_property",
    "_initializer_warning_helper",
    "_ts_decorate",
    "_ts_metadata",
    "_ts_param",
    "_ts_rewrite_relative_import_extension",
    "_interop_require_default",
    "_interop_require_wildcard",
    "_export_star",
    "_using",
    "_using_ctx",
    "_dispose",
    "_ts_add_disposable_resource",
    "_ts_dispose_resources",
];

/// Name of the helper object inside a chunk.
const H: &str = "h";

/// Helpers that prefer `Reflect.get`/`Reflect.set` with a receiver argument,
/// which Duktape 2.7 implements only without one (it throws "unsupported").
/// Their chunks shadow `Reflect` so the helpers take their ES5 fallback.
pub const NO_REFLECT: &[&str] = &["_get", "_set"];

/// Rewrites free references to other helpers into `h.<name>` (late bound,
/// so chunks can be installed in any order) and records them.
struct DepRewrite<'a> {
    unresolved: SyntaxContext,
    names: &'a BTreeSet<&'static str>,
    deps: BTreeSet<String>,
}

impl VisitMut for DepRewrite<'_> {
    // Any other identifier (bindings, labels): the chunk parameter must not
    // be shadowed, or a rewritten `h.<dep>` would resolve to the wrong object.
    fn visit_mut_ident(&mut self, id: &mut Ident) {
        assert!(&*id.sym != H, "helper source declares the name {H}");
    }

    fn visit_mut_expr(&mut self, e: &mut Expr) {
        if let Expr::Ident(id) = e {
            if id.ctxt != self.unresolved {
                return;
            }
            assert!(&*id.sym != H, "helper source uses the name {H} as a global");
            if self.names.contains(&*id.sym) {
                let sym = id.sym.clone();
                self.deps.insert(sym.to_string());
                *e = Expr::Member(MemberExpr {
                    span: DUMMY_SP,
                    obj: Box::new(Expr::Ident(Ident::new_no_ctxt(H.into(), DUMMY_SP))),
                    prop: MemberProp::Ident(IdentName::new(sym, DUMMY_SP)),
                });
            }
            return;
        }
        e.visit_mut_children_with(self);
    }
}

/// Turns one lowered helper into a chunk: the source of an anonymous function
/// (compile it with Duktape's DUK_COMPILE_FUNCTION, or wrap it in parentheses)
/// that takes the helper object and stores the helper on it.
fn make_chunk(name: &str, code: &str, names: &BTreeSet<&'static str>) -> (String, BTreeSet<String>) {
    GLOBALS.set(&Globals::new(), || {
        let cm: Lrc<SourceMap> = Default::default();
        let fm = cm.new_source_file(Lrc::new(FileName::Anon), code.to_string());
        let mut p = Parser::new(Syntax::Es(Default::default()), StringInput::from(&*fm), None);
        let script = p.parse_script().expect("lowered helper parses");
        assert!(p.take_errors().is_empty(), "{name}: lowered helper has errors");
        let unresolved_mark = Mark::new();
        let mut program = Program::Script(script);
        program.mutate(resolver(unresolved_mark, Mark::new(), false));
        let mut rw = DepRewrite {
            unresolved: SyntaxContext::empty().apply_mark(unresolved_mark),
            names,
            deps: BTreeSet::new(),
        };
        program.visit_mut_with(&mut rw);
        rw.deps.remove(name);
        program.mutate(fixer(None));

        let mut buf = Vec::new();
        {
            let mut wr = JsWriter::new(cm.clone(), "\n", &mut buf, None);
            wr.set_indent_str("  ");
            let mut emitter = Emitter {
                cfg: swc_ecma_codegen::Config::default().with_target(EsVersion::Es5).with_ascii_only(true),
                cm: cm.clone(),
                comments: None,
                wr,
            };
            emitter.emit_program(&program).unwrap();
        }
        let body = String::from_utf8(buf).unwrap();
        let shadow = if NO_REFLECT.contains(&name) { "var Reflect = void 0;\n" } else { "" };
        let chunk = format!("function ({H}) {{\n\"use strict\";\n{shadow}{}\n{H}.{name} = {name};\n}}", body.trim_end());
        (chunk, rw.deps)
    })
}

fn rust_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let _ = write!(o, "\\u{{{:x}}}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn main() {
    let out_dir: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("runtime"));

    let names: BTreeSet<&'static str> =
        ALL.iter().map(|d| d.local).filter(|n| !EXCLUDED.contains(n)).collect();

    // name -> (chunk source, own NEEDS bits, direct helper dependencies)
    let mut helpers: BTreeMap<&'static str, (String, u32, BTreeSet<String>)> = BTreeMap::new();
    for def in ALL.iter().filter(|d| names.contains(d.local)) {
        assert_eq!(def.local, format!("_{:?}", def.name).as_str(), "unexpected helper naming");
        let lowered = match lower_guarded(def.source.as_bytes(), FLAG_INLINE_HELPERS | FLAG_NO_MAP) {
            Outcome::Ok(l) => l,
            Outcome::Syntax(e) => panic!("{}: {} ({}:{})", def.local, e.msg, e.line, e.col),
            Outcome::Internal(m) => panic!("{}: {m}", def.local),
            Outcome::Limit(l) => panic!("{}: {l:?}", def.local),
        };
        // Node's message for a write to a const binding (swc's helper says
        // "\"k\" is read-only"); agents match on V8's wording.
        let mut lowered = lowered;
        if def.local == "_read_only_error" {
            let from = r#""\"" + name + "\" is read-only""#;
            assert!(lowered.code.contains(from), "_read_only_error source changed");
            lowered.code = lowered.code.replace(from, r#""Assignment to constant variable.""#);
        }
        // V8's wording for calling a class without `new` (with its name)
        // and for re-entering a running generator.
        if def.local == "_class_call_check" {
            let from = r#"throw new TypeError("Cannot call a class as a function")"#;
            assert!(lowered.code.contains(from), "_class_call_check source changed");
            lowered.code = lowered.code.replace(
                from,
                r#"throw new TypeError(Constructor.name ? "Class constructor " + Constructor.name + " cannot be invoked without 'new'" : "Class constructors cannot be invoked without 'new'")"#,
            );
        }
        if def.local == "_ts_generator" {
            let from = r#""Generator is already executing.""#;
            assert!(lowered.code.contains(from), "_ts_generator source changed");
            lowered.code = lowered.code.replace(from, r#""Generator is already running""#);
        }
        let mut bits = lowered.needs;
        if def.local == "_ts_generator" {
            bits |= NEEDS_GENERATOR;
        }
        let (chunk, deps) = make_chunk(def.local, &lowered.code, &names);
        helpers.insert(def.local, (chunk, bits, deps));
    }

    // Transitive closure: (NEEDS bits, every helper needed, itself included).
    let closure = |name: &str| -> (u32, Vec<String>) {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut todo = vec![name.to_string()];
        let mut bits = 0;
        while let Some(n) = todo.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            let (_, b, deps) = &helpers[n.as_str()];
            bits |= b;
            todo.extend(deps.iter().cloned());
        }
        (bits, seen.into_iter().collect())
    };

    let mut js = String::new();
    js.push_str(
        "/* Shared transform-helper runtime for lowered job code. Generated by\n \
         * worker/lower/gen_runtime.sh from swc_ecma_transforms_base 51.0.0 helper\n \
         * sources; do not edit. Evaluating it defines the read-only global\n \
         * __cw_h holding every helper. */\n",
    );
    js.push_str("(function (global) {\nvar h = {};\n");
    for (chunk, _, _) in helpers.values() {
        js.push('(');
        js.push_str(chunk);
        js.push_str(")(h);\n");
    }
    let _ = writeln!(
        js,
        "Object.defineProperty(global, \"{RUNTIME_GLOBAL}\", {{ value: Object.freeze(h), writable: false, enumerable: false, configurable: false }});"
    );
    js.push_str("})(this);\n");

    let index: BTreeMap<&str, usize> = helpers.keys().enumerate().map(|(i, n)| (*n, i)).collect();
    let mut table = String::new();
    table.push_str(
        "// Generated by worker/lower/gen_runtime.sh; do not edit.\n\
         // (name, name NUL-terminated, NEEDS bits incl. dependencies,\n\
         //  ids of all helpers needed incl. itself, chunk source NUL-terminated)\n&[\n",
    );
    for name in helpers.keys() {
        let (bits, all) = closure(name);
        let ids: Vec<String> = all.iter().map(|n| index[n.as_str()].to_string()).collect();
        let chunk = format!("{}\0", helpers[name].0);
        let _ = writeln!(
            table,
            "    (\"{name}\", \"{name}\\0\", 0x{bits:x}, &[{}], {}),",
            ids.join(", "),
            rust_str(&chunk)
        );
    }
    table.push_str("]\n");

    std::fs::create_dir_all(&out_dir).expect("create output dir");
    std::fs::write(out_dir.join("cw_helpers.js"), js).expect("write runtime");
    std::fs::write(out_dir.join("cw_helpers_table.rs"), table).expect("write table");
    eprintln!("{} helpers written to {}", helpers.len(), out_dir.display());
}
