#!/usr/bin/env python3
"""Language semantics against Node 24's recorded answers.

Each case is a job's code; tests/e2e/language-node24.json holds what Node 24
gave for it, run once under `vm` in a fresh context with the same `input`
({}), a console and Node's `crypto`, `atob`, `btoa`
`DOMException`, `URL`, `URLSearchParams`, `Buffer` and a `require` of url,
buffer and querystring (`test_language.py --record NODE`): either the JSON of
`output` after the microtasks ran, or the name of the error that ended it
(`SyntaxError` when the code did not compile).  The driver runs every case
through `codeworker exec --jobs` and requires the same answer: the same
output, or a failure whose error has the same name (a SyntaxError must be a
SYNTAX_ERROR result when Node rejected the code at compile time).  No Node is
needed to run it.

The cases are the gaps closed in the language and the built-ins (one or more
per fix; each failed before its fix).

Usage: test_language.py BUILD_BIN_DIR [--record NODE]
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cwtest import check, summary  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RECORD = os.path.join(HERE, "language-node24.json")

CASES = [
    ("typed-array-with", "const a = new Uint8Array([1, 2, 3]); const f = new Float64Array([1.5, 2.5]);\n"
     "const r = [Array.from(a.with(-1, 300)), Array.from(a.with(0, '7')), Array.from(a), a.with(1, 9) instanceof Uint8Array,"
     " Array.from(f.with(1, 'x')), Uint8Array.prototype.with.length, Uint8Array.prototype.with.name];\n"
     "for (const i of [3, -4, Infinity]) { try { a.with(i, 1); r.push('no error'); } catch (e) { r.push([e.name, e.message]); } }\n"
     "let order = []; try { a.with(10, { valueOf() { order.push('value'); return 1; } }); } catch (e) { order.push(e.name); }\n"
     "r.push(order); output = r;"),
    # --- Set methods (ES2025) ---------------------------------------------------
    ("set-union", "output = [...new Set([1, 2, 3]).union(new Set([3, 4]))];"),
    ("set-intersection", "output = [[...new Set([1, 2, 3]).intersection(new Set([3, 2, 9]))],"
     " [...new Set([5, 1, 2, 3, 7]).intersection(new Set([3, 2]))]];"),
    ("set-difference", "output = [...new Set([1, 2, 3]).difference(new Set([2]))];"),
    ("set-symdiff", "output = [...new Set([1, 2, 3]).symmetricDifference(new Set([3, 4]))];"),
    ("set-predicates", "const a = new Set([1, 2]), b = new Set([1, 2, 3]);"
     " output = [a.isSubsetOf(b), b.isSubsetOf(a), b.isSupersetOf(a), a.isDisjointFrom(new Set([7])), a.isDisjointFrom(b)];"),
    ("set-like-map", "output = [...new Set(['a', 'x']).intersection(new Map([['a', 1], ['b', 2]]))];"),
    ("set-methods-bad-arg", "try { new Set([1]).union([1]); output = 'no error'; } catch (e) { output = e.name; }"),
    # --- iterator helpers -------------------------------------------------------
    ("iter-map-filter", "output = [1, 2, 3, 4].values().map(x => x * 10).filter(x => x > 10).toArray();"),
    ("iter-take-drop", "function* nat() { let i = 0; for (;;) yield i++; } output = nat().drop(2).take(3).toArray();"),
    ("iter-flatmap", "output = ['ab', 'c'].values().flatMap(s => s.split('')).toArray();"),
    ("iter-reduce-etc", "const it = () => new Set([1, 2, 3]).values(); const seen = []; it().forEach(v => seen.push(v));"
     " output = [it().reduce((a, b) => a + b), it().reduce((a, b) => a + b, 10), it().some(v => v > 2),"
     " it().every(v => v > 2), it().find(v => v > 1), seen];"),
    ("iter-from", "const o = { i: 0, next() { return this.i < 2 ? { value: this.i++, done: false } : { done: true }; } };"
     " output = [Iterator.from(o).map(x => x + 1).toArray(), typeof Iterator, Iterator.from([5]).toArray()];"),
    ("iter-take-closes", "let closed = 0; const src = Object.create(Iterator.prototype); src.next = () => ({ value: 1, done: false });"
     " src.return = () => { closed++; return {}; }; output = [src.take(2).toArray(), closed];"),
    ("iter-map-entries", "output = new Map([['a', 1]]).entries().map(([k, v]) => k + v).toArray();"),
    # --- semantics -------------------------------------------------------------
    # --- atob, btoa, DOMException (Node 24 globals) ---------------------------
    ("base64-atob-btoa", "const r = []; for (const f of [() => atob('@@'), () => atob('abc'), () => atob('a'), () => btoa('\\u20ac'),"
     " () => atob(), () => btoa(), () => atob(' aG Vs\\nbG8= '), () => atob('aGVsbG8'), () => atob('aGVsbA=='), () => atob('aGVsbA='),"
     " () => atob('aGV=sbA'), () => btoa(null), () => btoa(123), () => atob(undefined), () => btoa('\\xff\\xfe'), () => atob('//79'),"
     " () => atob('aGVsbG8==='), () => atob('ab\\u00e9c'), () => btoa(''), () => atob(''), () => atob('===='), () => atob('ab=c')]) {"
     " try { r.push(['ok', f()]); } catch (e) { r.push([e.name, e.message, e.code, Object.prototype.toString.call(e)]); } }"
     " output = r;"),
    ("base64-roundtrip", "const s = JSON.stringify({ id: 42, tags: ['a', 'b'] }); const b = btoa(s);"
     " const url = b.replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');"
     " let all = ''; for (let i = 0; i < 256; i++) all += String.fromCharCode(i);"
     " output = [b, url, JSON.parse(atob(b)), atob(btoa(all)) === all, btoa(all).length, atob.length, btoa.name];"),
    ("domexception", "const e = new DOMException('gone', 'NotFoundError'); const d = new DOMException();"
     " output = [e.name, e.message, e.code, String(e), d.name, d.message, d.code, String(new DOMException('x')),"
     " Object.prototype.toString.call(e), typeof DOMException, DOMException.length, Object.keys(e)];"),
    # --- crypto.randomUUID (Node 24 global) ----------------------------------
    ("crypto-random-uuid", "const u = crypto.randomUUID(); const v = new Set(Array.from({length: 1000}, () => crypto.randomUUID()));"
     " output = [u.length, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u), v.size,"
     " typeof crypto.randomUUID, crypto.randomUUID.length, u === crypto.randomUUID()];"),
    ("fromcharcode-uint16", "output = [String.fromCharCode(-1).charCodeAt(0), String.fromCharCode(65536 + 65).length,"
     " String.fromCharCode(0x1F600).charCodeAt(0), String.fromCharCode(72, 105)];"),
    ("fromcharcode-es5", "var s = String.fromCharCode(-1); output = [s.length, s.charCodeAt(0)];"),
    ("for-of-arguments", "function f() { const r = []; for (const x of arguments) r.push(x); return r; }"
     " const g = function () { return (() => { const r = []; for (const a of arguments) r.push(a * 2); return r; })(); };"
     " output = [f(1, 2), g(3, 4), f()];"),
    ("class-expression-names", "const C = class {}; let D; D = class {}; const o = { E: class {} }; const F = class Named {};"
     " output = [C.name, D.name, o.E.name, F.name];"),
    ("error-cause", "const e = new Error('m', { cause: 5 }); const t = new TypeError('t', { cause: { code: 1 } });"
     " const d = Object.getOwnPropertyDescriptor(e, 'cause');"
     " output = [e.cause, t.cause, Object.keys(e), d.enumerable, d.writable, 'cause' in new Error('x'), 'cause' in new Error('x', {}),"
     " 'cause' in new RangeError('x', { cause: undefined }), new SyntaxError('s', { cause: 0 }).cause];"),
    ("error-cause-identity", "const e = new Error('m', { cause: 1 }); let caught; try { null.x; } catch (x) { caught = x; }"
     " output = [e instanceof Error, Object.prototype.toString.call(e), caught instanceof TypeError, caught.constructor === TypeError,"
     " Object.getPrototypeOf(TypeError) === Error, Error('q').message, TypeError.name, typeof Error.prototype.toString];"),
    ("error-cause-subclass", "class AppError extends Error { constructor(m, o) { super(m, o); this.name = 'AppError'; } }"
     " const e = new AppError('bad', { cause: 'root' }); output = [e.cause, e instanceof AppError, e instanceof Error, String(e)];"),
    ("aggregate-error-cause", "output = new AggregateError([1], 'agg', { cause: 'c' }).cause;"),
    ("name-inference", "var cover = (function () {}); let a; a = (class {}); const [fn = function () {}] = [];"
     " const { C = class {} } = {}; let g; [g = function* () {}] = []; const ar = (() => {});"
     " function f(p = function () {}) { return p.name; } output = [cover.name, a.name, fn.name, C.name, g.name, ar.name, f()];"),
    ("finally-throw-after-return", "function f() { try { return 'd'; } catch (e) { return null; } finally { throw new RangeError('x'); } }"
     " let r; try { r = f(); } catch (e) { r = 'threw ' + e.name; } output = r;"),
    ("finally-throw-async", "async function f() { try { await 1; return 'd'; } catch (e) { return null; } finally { throw new Error('x'); } }"
     " f().then(v => { output = v; }, e => { output = 'rejected ' + e.message; });"),
    ("try-catch-finally-order", "const log = []; const f = () => { for (const i of [1, 2, 3]) { try { if (i === 1) continue; if (i === 3) throw i;"
     " return i; } catch (e) { log.push('c' + e); } finally { log.push('f' + i); } } }; output = [f(), log];"),
    # --- code built at run time ---------------------------------------------
    ("eval-let", "output = eval('let q = 2; q * 3');"),
    ("eval-direct-scope", "function f(a) { const k = 2; return eval('const z = a * k; [z].map(v => v + 1)[0]'); } output = f(5);"),
    ("eval-es5-unchanged", "function f(a) { var b = 1; return eval('a + b'); } output = [f(2), eval('[1, 2].length'), eval(42)];"),
    ("eval-syntax-error", "try { eval('let = = 1'); output = 'no error'; } catch (e) { output = e.name; }"),
    ("function-ctor-modern", "const f = new Function('return [1, 2].map(x => x * 2)'); output = [f(), f instanceof Function, typeof f];"),
    ("function-ctor-params", "const g = new Function('a', 'b = 3', '...r', 'const s = a + b; return `${s}:${r.length}`');"
     " output = [g(1), g(1, 1, 7, 8), Function('a,b', 'return a * b')(3, 4), g.length];"),
    ("function-ctor-class", "const C = new Function('class A { m() { return 7; } } return new A().m();'); output = C();"),
    ("function-ctor-global-scope", "const k = 1; output = (function () { const k = 2; return new Function('return typeof k')(); })();"),
    ("function-ctor-syntax-error", "try { new Function('return ) ('); output = 'no error'; } catch (e) { output = e.name; }"),
    ("function-identity", "output = [Function.prototype.constructor === Function, Function.name, Function.length,"
     " (() => 1) instanceof Function, Object.getPrototypeOf(Function('')) === Function.prototype];"),
    # --- native call depth: tree walks through forEach/map --------------------
    ("deep-foreach-walk", "let t = {}; for (let i = 0; i < 2000; i++) t = { kids: [t] };"
     " function depth(n) { let d = 0; (n.kids || []).forEach(k => { d = Math.max(d, depth(k)); }); return d + 1; } output = depth(t);"),
    ("deep-map-walk", "let t = [1]; for (let i = 0; i < 2000; i++) t = [t];"
     " const flat = (a) => Array.isArray(a) ? a.map(flat).reduce((x, y) => x.concat(y), []) : [a]; output = flat(t);"),
    ("deep-json-reviver-walk", "let s = '1'; for (let i = 0; i < 900; i++) s = '[' + s + ']';"
     " let n = 0; JSON.parse(s, (k, v) => { n++; return v; }); output = n;"),
    ("runaway-native-recursion", "const f = (d) => { [1].forEach(() => f(d + 1)); }; f(0);"),
    # --- other missing built-ins ------------------------------------------------
    ("array-fromasync", "Array.fromAsync([1, Promise.resolve(2), 3], x => x * 2).then(v => { output = v; });"),
    ("array-fromasync-asynciter", "async function* g() { yield 1; yield 2; } Array.fromAsync(g()).then(v => { output = v; });"),
    ("promise-try", "Promise.all([Promise.try(() => 5), Promise.try(() => { throw new RangeError('x'); }).catch(e => e.name),"
     " Promise.try((a, b) => a + b, 2, 3)]).then(v => { output = v; });"),
    ("error-iserror", "output = [Error.isError(new TypeError('x')), Error.isError({ name: 'Error', message: '' }),"
     " Error.isError(Object.create(Error.prototype)), Error.isError(null)];"),
    ("weakref", "const t = { a: 1 }; const r = new WeakRef(t); const fr = new FinalizationRegistry(() => {}); const tok = {};"
     " fr.register(t, 'held', tok); output = [r.deref() === t, fr.unregister(tok), fr.unregister(tok), String(r), String(fr)];"),
    ("weakref-bad-target", "try { new WeakRef(1); output = 'no error'; } catch (e) { output = e.name; }"),
    # --- change-array-by-copy exactly as specified ------------------------------
    ("tospliced-no-args", "output = [[1, 2, 3].toSpliced(), [1, 2, 3].toSpliced(1), [1, 2, 3].toSpliced(-1, 0, 'x'),"
     " [1, 2, 3].toSpliced(1, 1, 'a', 'b'), [, 1].toSpliced(0, 0)];"),
    ("array-by-copy", "const a = [3, 1, 2]; output = [a.toSorted(), a.toReversed(), a.with(-1, 9), a, [1, , 3].toReversed(),"
     " Array.prototype.toSorted.call({ length: 2, 0: 'b', 1: 'a' })];"),
    ("array-with-range", "try { [1].with(1, 0); output = 'no error'; } catch (e) { output = e.name; }"),
    # --- declaration early errors (SyntaxError at compile time) ------------------
    ("redeclare-let-let", "let a = 1; let a = 2; output = a;"),
    ("redeclare-let-var-nested", "let x = 1; { var x = 2; } output = x;"),
    ("redeclare-class-let", "class A {} let A = 1; output = 1;"),
    ("redeclare-param-let", "function g(a) { let a = 1; return a; } output = g(2);"),
    ("redeclare-catch-let", "try { throw 1 } catch (e) { let e = 2; } output = 1;"),
    ("redeclare-switch-cases", "switch (1) { case 1: let z = 1; break; case 2: let z = 2; } output = 1;"),
    ("dup-param-arrow", "const f = (a, a) => a; output = f(1, 2);"),
    ("dup-param-pattern", "function f(a, [a]) { return a; } output = f(1, [2]);"),
    ("redeclare-allowed", "try { throw 1 } catch (e) { var e = 3; } { function h() { return 1 } function h() { return 2 } }"
     " function k() {} var k; for (let i = 0; i < 1; i++) { let i = 5; } const m = [1].map(function (a, a) { return a; });"
     " output = [typeof k, m.length];"),
    # --- const reassignment: TypeError in every form, only when the write happens --
    ("const-assign-array-pattern", "const c = 0; let seen = 0; try { [seen, c] = [1, 2]; } catch (e) { output = [e.name, e.message, seen, c]; }"),
    ("const-assign-object-pattern", "const c = 0; try { ({ c } = { c: 1 }); } catch (e) { output = [e.name, e.message, c]; }"),
    ("const-assign-object-default", "const c = 0; try { ({ x: [c] = [5] } = {}); } catch (e) { output = [e.name, c]; }"),
    ("const-assign-shorthand-default", "const c = 0; try { ({ c = 3 } = {}); } catch (e) { output = [e.name, c]; }"),
    ("const-assign-empty-source", "const c = 0; [] = [1]; let r = 'none'; try { [, ...[]] = [1]; for (const c of [1]) {} } catch (e) { r = e.name; } output = [r, c];"),
    ("const-for-of-head", "const c = 0; let n = 0; try { for (c of [1, 2]) n++; } catch (e) { output = [e.name, n, c]; }"),
    ("const-for-of-empty", "const c = 0; for (c of []) {} for (c in {}) {} output = c;"),
    ("const-for-in-head", "const c = 0; try { for (c in { a: 1 }) {} } catch (e) { output = [e.name, c]; }"),
    ("const-for-of-pattern", "const c = 0; try { for ([c] of [[1]]) {} } catch (e) { output = [e.name, c]; }"),
    ("const-logical-skipped", "const a = 1, b = 0, n = null; a ||= 2; b &&= 2; a ??= 3; output = [a, b, n];"),
    ("const-logical-nullish", "const n = null; try { n ??= 1; } catch (e) { output = [e.name, e.message, n]; }"),
    ("const-logical-or", "const b = 0; try { b ||= 1; } catch (e) { output = [e.name, b]; }"),
    ("const-logical-and", "const a = 1; try { a &&= 2; } catch (e) { output = [e.name, a]; }"),
    ("const-assign-message", "const k = 1; try { k = 2; } catch (e) { output = [e.name, e.message]; }"),
    # --- __proto__ in object literals ------------------------------------------
    ("proto-literal", "var base = { hi: function () { return 'hi'; } }; var o = { __proto__: base, a: 1 };"
     " output = [Object.getPrototypeOf(o) === base, o.hi(), Object.keys(o), o.hasOwnProperty('__proto__')];"),
    ("proto-literal-string-key", "var base = { x: 1 }; var o = { a: 1, '__proto__': base, b: 2 };"
     " output = [Object.getPrototypeOf(o) === base, o.x, Object.keys(o)];"),
    ("proto-literal-null", "var o = { __proto__: null, a: 1 }; output = [Object.getPrototypeOf(o), 'toString' in o, Object.keys(o)];"),
    ("proto-literal-primitive", "var o = { __proto__: 5 }, s = { __proto__: 'x' }, u = { __proto__: undefined };"
     " output = [Object.getPrototypeOf(o) === Object.prototype, Object.getPrototypeOf(s) === Object.prototype,"
     " Object.getPrototypeOf(u) === Object.prototype, Object.keys(o).length];"),
    ("proto-literal-function", "function F() {} var o = { __proto__: F }; output = [Object.getPrototypeOf(o) === F, typeof o.call];"),
    ("proto-literal-own", "var __proto__ = { z: 1 }; var a = { ['__proto__']: 1 }, b = { __proto__ }, c = { __proto__() { return 3; } };"
     " output = [Object.keys(a), a.__proto__ === 1, Object.getPrototypeOf(a) === Object.prototype, b.hasOwnProperty('__proto__'),"
     " Object.getPrototypeOf(b) === Object.prototype, c.hasOwnProperty('__proto__'), typeof c.__proto__];"),
    ("proto-literal-order", "var log = []; var p = { q: 1 }; var o = { __proto__: (log.push('p'), p), a: log.push('a') };"
     " var o2 = { a: log.push('a2'), __proto__: (log.push('p2'), p) }; output = [log, o.q, o2.q];"),
    ("proto-literal-duplicate", "var o = { __proto__: null, '__proto__': null }; output = 1;"),
    ("proto-literal-duplicate-ok", "var x; ({ __proto__: x, __proto__: x } = {}); var o = { __proto__: null, ['__proto__']: 1, __proto__() {} };"
     " output = [x === Object.prototype, Object.getPrototypeOf(o), typeof o.__proto__];"),
    ("proto-literal-super", "const base = { hi() { return 'base'; } }; const o = { __proto__: base, hi() { return super.hi() + '!'; } }; output = o.hi();"),
    # --- URL, URLSearchParams, Buffer (Node globals; whatwg-url and buffer) ------
    ("url-parts", "const u = new URL('https://user:pw@Example.COM:8080/a/b/../c.html?x=1&y=two#frag');"
     " output = [u.href, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash, u.origin,"
     " String(u), JSON.stringify({ u }), `${u}` === u.href, Object.prototype.toString.call(u)];"),
    ("url-default-port", "output = [new URL('http://a.com:80/').port, new URL('http://a.com:80/').host, new URL('https://a.com:443').href,"
     " new URL('HTTP://A.com').href, new URL('file:///tmp/x y.txt').pathname, new URL('mailto:a@b.c').pathname];"),
    ("url-relative", "const b = 'https://ex.com/a/b/c?q#h'; output = ['../x', './y', '/z', '?k=v', '#f', '//other.org/p', '..', 'd/../../e']"
     ".map(r => new URL(r, b).href).concat([new URL('x', new URL(b)).href]);"),
    ("url-idn", "output = [new URL('http://münchen.de').host, new URL('http://münchen.de/ä?ö#ü').href, new URL('http://EXAMPLE.com./').hostname,"
     " new URL('http://xn--mnchen-3ya.de').hostname, new URL('http://[::1]:3000/').host, new URL('http://192.168.0.1.').hostname,"
     " new URL('http://0x7f.1/').hostname];"),
    ("url-invalid", "const r = []; for (const [a, b] of [['foo'], ['http://'], ['/x', 'not a base'], ['http://a b.com'], ['https://exa mple.com']]) {"
     " try { new URL(a, b); r.push('ok'); } catch (e) { r.push([e.name, e.code, e.message, e.input, e.base, Object.keys(e)]); } }"
     " try { new URL(); } catch (e) { r.push([e.name, e.code]); } try { URL('http://a'); } catch (e) { r.push(e.name); }"
     " output = r;"),
    ("url-canparse-parse", "output = [URL.canParse('http://a'), URL.canParse('nope'), URL.canParse('/p', 'http://h'), URL.parse('nope'),"
     " URL.parse('/p', 'http://h').href, typeof URL.parse, URL.length, URLSearchParams.length];"),
    ("url-setters", "const u = new URL('http://a.com/p?x=1#h'); u.protocol = 'https'; u.hostname = 'b.org'; u.port = '8443';"
     " u.pathname = '/q r'; u.search = 'a=1 2'; u.hash = 'top'; const s1 = u.href; u.port = '443'; u.username = 'me'; u.protocol = 'mailto';"
     " let err = null; try { u.href = 'bad'; } catch (e) { err = [e.name, e.code, e.input]; } output = [s1, u.href, err];"),
    ("url-searchparams-live", "const u = new URL('https://s.com/find?q=a+b&n=1'); const p = u.searchParams;"
     " const before = [p.get('q'), p.get('n'), p.get('none'), p === u.searchParams];"
     " p.append('tag', 'x y'); p.set('n', '2'); p.delete('q'); const mid = u.href; u.search = '?z=9'; output = [before, mid, p.get('z'), [...p.keys()], u.href];"),
    ("url-searchparams-init", "output = [new URLSearchParams('?a=1&b=x%20y&b=z').getAll('b'), new URLSearchParams({ a: 1, b: 'x y', c: true }).toString(),"
     " new URLSearchParams([['k', 'v'], ['k', 'w']]).toString(), new URLSearchParams(new Map([['m', 1]])).toString(),"
     " Object.fromEntries(new URLSearchParams('a=1&b=2&a=3')), [...new URLSearchParams('x=1&y=2')], new URLSearchParams(new URLSearchParams('c=3')).get('c'),"
     " String(new URLSearchParams('')), new URLSearchParams('a=b=c&=d&e').toString()];"),
    ("url-searchparams-encoding", "const p = new URLSearchParams(); p.append('q', 'a b+c&d=e/é~*'); p.append('sp ace', '100%');"
     " output = [p.toString(), new URLSearchParams('q=a+b%2Bc').get('q'), new URLSearchParams('x=%zz').get('x'),"
     " new URLSearchParams('e=%F0%9F%98%80').get('e'), encodeURIComponent('a b'), new URL('http://h/?q=a b').search];"),
    ("url-searchparams-methods", "const p = new URLSearchParams('b=2&a=1&c=3&a=0'); const r = [p.size, p.has('a'), p.has('a', '0'), p.has('a', '9')];"
     " p.sort(); r.push(p.toString()); p.delete('a', '1'); r.push(p.toString()); const seen = []; p.forEach((v, k) => seen.push(k + v));"
     " r.push(seen, [...p.entries()], [...p.values()], p.size); output = r;"),
    ("url-require", "const url = require('url'), nu = require('node:url'); output = [url.URL === URL, nu.URLSearchParams === URLSearchParams,"
     " new url.URL('http://h/p').pathname, typeof require('querystring').parse, require('querystring').stringify({ a: [1, 2], b: 'x y' }),"
     " JSON.stringify(require('querystring').parse('a=1&a=2&b=x+y'))];"),
    ("url-global-attrs", "output = ['URL', 'URLSearchParams', 'Buffer'].map(k => { const d = Object.getOwnPropertyDescriptor(globalThis, k);"
     " return [k, d.enumerable, d.configurable, typeof globalThis[k]]; }).concat([Object.keys(globalThis).includes('URL')]);"),
    ("buffer-base64-hex", "const b = Buffer.from('héllo wörld 😀'); output = [b.length, b.toString('base64'), b.toString('base64url'), b.toString('hex'),"
     " Buffer.from(b.toString('base64'), 'base64').toString('utf8'), Buffer.from('68656c6c6f', 'hex').toString(), Buffer.from('aGk_-w', 'base64url').toString('hex'),"
     " Buffer.from('aGk', 'base64').toString(), Buffer.from('café', 'latin1').toString('latin1'), Buffer.from('café', 'latin1').length,"
     " Buffer.from('AB', 'utf16le').toString('hex'), Buffer.from('aGVsbG8=', 'base64').toString('ascii')];"),
    ("buffer-utf8-edge", "output = [Buffer.from('\\ud83d').toString('hex'), Buffer.from('a\\udc00b').toString('hex'), Buffer.from('😀').toString('hex'),"
     " Buffer.byteLength('😀'), Buffer.byteLength('héllo'), Buffer.byteLength('aGVsbG8=', 'base64'), '😀'.length,"
     " Buffer.from([0xff, 0xfe, 0x41]).toString(), Buffer.from([0xe2, 0x82]).toString().length];"),
    ("buffer-concat-slice", "const a = Buffer.from('abc'), b = Buffer.from('def'); const c = Buffer.concat([a, b]); const s = c.slice(1, 3), t = c.subarray(2);"
     " s[0] = 0x42; t[1] = 0x44; output = [c.toString(), s.toString(), t.toString(), Buffer.concat([a, b], 4).toString(), c.length,"
     " Buffer.isBuffer(s), Buffer.isBuffer(new Uint8Array(2)), c instanceof Uint8Array, Buffer.alloc(3, 'ab').toString(), Buffer.alloc(2).toString('hex')];"),
    ("buffer-compare-rw", "const a = Buffer.from([1, 2, 3]), b = Buffer.from([1, 2, 4]); const w = Buffer.alloc(10);"
     " w.writeUInt32BE(0xdeadbeef, 0); w.writeUInt16LE(0x1234, 4); w.writeInt8(-2, 6); w.writeUInt8(255, 7);"
     " output = [a.equals(Buffer.from([1, 2, 3])), a.equals(b), Buffer.compare(a, b), a.compare(b), b.compare(a), w.toString('hex'),"
     " w.readUInt32BE(0), w.readUInt32LE(0), w.readUInt16LE(4), w.readInt8(6), w.readUInt8(7), w.readInt32BE(0), a.indexOf(2), a.includes(3)];"),
    ("buffer-json", "const b = Buffer.from('hi!'); output = [JSON.stringify(b), JSON.parse(JSON.stringify({ b })).b, b.toJSON(), Buffer.from(b.toJSON()).toString(),"
     " Object.keys(b), Array.from(b), [...b], typeof Buffer.from, Buffer.name];"),
    ("buffer-require", "const { Buffer: B } = require('buffer'); output = [B === Buffer, require('node:buffer').Buffer === Buffer,"
     " B.from('x').toString('hex'), typeof require('buffer').kMaxLength];"),
    # --- an error's stack gets its header when first read, as in V8 (cw_errors.c) ----
    ("error-stack-header", "class ValidationError extends Error { constructor(f, m) { super(m); this.name = 'ValidationError'; this.field = f; } } const r = []; try { throw new ValidationError('age', 'must be positive'); } catch (e) { r.push(e.stack.split('\\n')[0], String(e)); } const e2 = new Error('m'); e2.name = 'Late'; r.push(e2.stack.split('\\n')[0]); e2.name = 'Later'; r.push(e2.stack.split('\\n')[0]); const e3 = new TypeError(); r.push(e3.stack.split('\\n')[0]); const e4 = new Error('x'); e4.stack = 'custom'; r.push(e4.stack); const e5 = new Error('y'); e5.message = ''; r.push(e5.stack.split('\\n')[0]); const e6 = new RangeError('z', { cause: 1 }); r.push(Object.keys(e6), JSON.stringify(e6), e6.stack.split('\\n').length > 1, Object.getOwnPropertyNames(e6).includes('stack')); const d = Object.getOwnPropertyDescriptor(e6, 'stack'); r.push(typeof d.value, d.writable, d.enumerable); output = r; output.push((() => { const e = new Error('f'); Object.freeze(e); 'use strict'; return e.stack.split('\\n')[0]; })());"),
    # --- Array.prototype.sort in C (cw_sort.c), localeCompare's native path ----------
    ("sort-semantics", "const r = []; let seed = 7; const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;"
     " r.push([3, undefined, 1, , null, 'b', 10, 2].sort(), [5, 1, 4].sort((a, b) => b - a), [1, 2, 3, 4, 5].sort(() => NaN), [2, 1].sort(() => '1'));"
     " const recs = Array.from({ length: 300 }, (_, i) => ({ k: i % 5, i })); r.push(recs.sort((a, b) => a.k - b.k).map((o) => o.i).join(',').length,"
     " recs.every((o, j) => j === 0 || recs[j - 1].k < o.k || (recs[j - 1].k === o.k && recs[j - 1].i < o.i)));"
     # (which pairs a comparator sees, in which order, is V8's TimSort's and not checked: cw_sort.c)
     " const al = { length: 4, 0: 'd', 1: 'a', 3: 'c' }; Array.prototype.sort.call(al); r.push(al);"
     " try { Object.freeze([2, 1]).sort(); } catch (e) { r.push(e.name); } try { [1].sort(5); } catch (e) { r.push(e.message); }"
     " r.push([1, [2, 3], [1, 2], 'a,b', { toString() { return '0'; } }].sort().map(String), ['\\ud83d\\ude00', '\\uffff', 'z', '\\u00e9'].sort(),"
     " [-0, 0, -1].sort().map((x) => Object.is(x, -0)), Array.prototype.sort.length, typeof Array.prototype.sort.prototype);"
     " const big = Array.from({ length: 5000 }, () => Math.floor(rnd() * 1000)); const sorted = big.slice().sort((a, b) => a - b);"
     " r.push(sorted.every((v, j) => j === 0 || sorted[j - 1] <= v), big.slice().sort().slice(0, 5), [3, 2, 1].toSorted(), [, 'x', undefined].sort().length);"
     " output = r;"),
    ("locale-compare-native", "const n = ['Émile', 'eve', 'Zoë', 'adam', 'Ådne', 'zack', 'Eve', 'ábel'];"
     " output = [n.slice().sort((a, b) => a.localeCompare(b)), n.slice().sort((a, b) => a.localeCompare(b, 'sv')), n.slice().sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' })),"
     " 'a'.localeCompare('a'), 'a'.localeCompare('b'), 'b'.localeCompare('a'), 'a'.localeCompare(), 'undefined'.localeCompare(), '10'.localeCompare('9', undefined, { numeric: true }),"
     " String.prototype.localeCompare.call(5, '5'), (() => { try { String.prototype.localeCompare.call(undefined, 'a'); } catch (e) { return e.name; } })(),"
     " 'x\\ud83d\\ude00'.localeCompare('x\\ud83d'), ['b', 'a', 'C'].sort(new Intl.Collator('en').compare)];"),
    ("proxy-revocable", "const log = [];\nconst { proxy, revoke } = Proxy.revocable({ a: 1 }, { get(t, k, r) { log.push(String(k)); return Reflect.get(t, k, r); } });\nconst before = [proxy.a, 'a' in proxy, (proxy.b = 2, proxy.b), Object.keys(proxy), delete proxy.b];\nrevoke(); revoke();\nconst after = [];\nfor (const f of [() => proxy.a, () => 'a' in proxy, () => { proxy.x = 1; }, () => delete proxy.a, () => Object.keys(proxy)]) { try { f(); after.push('ok'); } catch (e) { after.push(e.name + ': ' + e.message); } }\nconst fnp = Proxy.revocable(function (x) { return x * 2; }, {}); const r1 = fnp.proxy(21); fnp.revoke(); let r2; try { fnp.proxy(1); } catch (e) { r2 = e.message; }\nlet bad; try { Proxy.revocable(1, {}); } catch (e) { bad = e.message; }\noutput = [before, after, log, r1, r2, bad, typeof proxy, Object.keys(Proxy.revocable({}, {})), Proxy.revocable.length, Proxy.revocable.name];"),
    ("collator-compare-native", "const c = new Intl.Collator(\"de\", {sensitivity: \"base\", numeric: true}); const f = c.compare; output = [f === c.compare, f.name, f.length, typeof f.prototype, [\"b10\", \"a\", \"B2\", \"\u00e4\", \"z\"].sort(f), f(\"a\", \"A\"), f(\"\u00e4\", \"a\"), f(), (() => { try { new f(\"a\", \"b\"); return \"constructed\"; } catch (e) { return e.name; } })(), Object.getPrototypeOf(f) === Function.prototype, [\"x\", \"y\"].map(new Intl.Collator().compare.bind(null, \"x\"))]"),
    # --- JSON.stringify: well-formed output (cw_json.c) -----------------------------
    ("json-well-formed", "output = [JSON.stringify('\\ud800'), JSON.stringify('a\\udc00b\\ud83d\\ude00'), JSON.stringify({ ['k\\udbff']: '\\ud83d' }),"
     " JSON.stringify('\\ud83d\\ude00'.slice(0, 1)), JSON.stringify('\\ud83d\\ude00'.split('')), JSON.stringify('\\ud7ff\\ue000\\ud55c'), JSON.stringify('\\udc00\\ud800'),"
     " JSON.stringify({ a: '\\ud800', b: [1, '\\udfff'] }, null, 2), JSON.stringify('x\\ud800', (k, v) => v + '\\udc00'), JSON.stringify.length, JSON.stringify.name,"
     " JSON.stringify(undefined), JSON.stringify({ x: 1, y: 2 }, ['x']), JSON.parse(JSON.stringify('\\ud800')) === '\\ud800'];"),
    ("json-parse-errors", "const T = [\"\", \" \", \"{\", \"}\", \"[\", \"]\", \"{\\\"a\\\":}\", \"{\\\"a\\\":1\", \"{\\\"a\\\":1,}\", \"{\\\"a\\\" 1}\", \"{a:1}\", \"{'a':1}\", \"[1,]\", \"[1 2]\", \"[1,,2]\", \"abc\", \"tru\", \"true1\", \"nul\", \"\\\"abc\", \"\\\"a\\\\x\\\"\", \"\\\"a\\\\u12g4\\\"\", \"\\\"\\t\\\"\", \"\\\"a\\nb\\\"\", \"01\", \"-\", \"1.\", \"1e\", \"1e+\", \".5\", \"+1\", \"-a\", \"NaN\", \"undefined\", \"Infinity\", \"[object Object]\", \"{\\\"a\\\":1}}\", \"[1] x\", \"\\\"\\\\ud800\\\"\", \"{\\\"a\\\":[1,{\\\"b\\\":}]}\", \"{\\\"x\\\": 1, \\\"y\\\": \\\"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\\\" , }\", \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\", \"{\\\"a\\\":1}\\n\\n  x\", \"é\", \"{\\\"é\\\":1,}\", \"1 2\", \"{\\\"a\\\":1 \\\"b\\\":2}\", \"[\\\"a\\\" \\\"b\\\"]\", \"{\\\"a\\\"\", \"{\\\"a\\\":\", \"{\\\"a\\\":1,\", \"[1,\", \"\\\"\", \" \", \"null x\", \"123abc\", \"0x10\", \"1_000\", \"{,}\", \"[,]\", \"xxxxxxxxxxxxxxxxxxxx\", \"xxxxxxxxxxxxxxxxxxxxx\", \"[1,1,1,1,1,1,1,1,1,1,1,1,x]\", \"[1,1,1,1,x,1,1,1,1,1,1,1,1,1,1,1,1]\", \"{\\\"a\\\":1,\\\"bbbbbbbbbbbbbbbbbbbbb\\\":x}\", \"\\\"\\\\u12\", \"\\\"a\\\\\", \"trux\", \"fals\", \"nulL\", \"😀\", \"a😀\", \"[\\\"😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀\\\", x]\", \"\\r\\n\\r\\nx\", \"\\r\\rx\", \"[1,\\r\\n 2,\\r\\n x]\", \"{\\\"a\\\":\\n\\\"b\\n\\\"}\", \"-01\", \"1.5e\", \"[1] \", \"\\\"\\\\/\\\\b\\\\f\\\\n\\\\r\\\\t\\\\u00e9\\\"\", \"[[[[[[[[[[]]]]]]]]]\", \"{\\\"a\\\":{\\\"b\\\":{\\\"c\\\":[1,2,{\\\"d\\\":tru}]}}}\"]; output = T.map((s) => { try { JSON.parse(s); return 'ok'; } catch (e) { return e.name + ': ' + JSON.stringify(e.message); } }).concat([null, undefined, {}, [], 1].map((v) => { try { return JSON.stringify(JSON.parse(v)); } catch (e) { return e.message; } }), [JSON.parse('[1,2]', (k, v) => Array.isArray(v) ? v.length : v * 2), (() => { try { JSON.parse('[1]', () => { throw new SyntaxError('from reviver'); }); } catch (e) { return e.message; } })()]);"),
    # --- Reflect.get/set with a receiver (reflect.js) ------------------------------
    ("reflect-receiver", "const log = []; const target = { a: 1, get b() { return this === p ? 'proxy-this' : 'other-this'; } }; const p = new Proxy(target, {   get(t, k, r) { log.push('get ' + String(k)); return Reflect.get(t, k, r); },   set(t, k, v, r) { log.push('set ' + String(k)); return Reflect.set(t, k, v, r); }, }); p.c = 5; p.a = 2; const child = Object.create(target);  const res = [p.a, p.b, p.c, target.c, Reflect.get(target, 'b', child), Reflect.get(target, 'zz', {}), Reflect.set({}, 'x', 1, child), child.x, Reflect.get.length, Reflect.set.length, Reflect.get.name]; const frozen = Object.freeze({ f: 1 }); res.push(Reflect.set(frozen, 'f', 2, {}), Reflect.set({ set s(v) { this.got = v; } }, 's', 9, child), child.got); try { Reflect.get(1, 'a', {}); } catch (e) { res.push(e.name); } const validated = new Proxy({}, { set(t, k, v, r) { if (typeof v !== 'number') throw new TypeError(k + ' must be a number'); return Reflect.set(t, k, v, r); } }); validated.n = 3; try { validated.s = 'x'; } catch (e) { res.push(e.message); } output = [res, log, validated.n];"),
    ("reflect-proxy-traps", "const seen = []; const t = {}; const p = new Proxy(t, { defineProperty(tt, k, d) { seen.push(['def', k, d.value]); return Reflect.defineProperty(tt, k, d); },"
     " getOwnPropertyDescriptor(tt, k) { seen.push(['gopd', k]); return Reflect.getOwnPropertyDescriptor(tt, k); } });"
     " const ok = Reflect.set({}, 'x', 7, p); const ro = Object.defineProperty({}, 'y', { value: 1, writable: false });"
     " output = [ok, t.x, seen, Reflect.set(ro, 'y', 2, {}), Reflect.set({}, 'z', 1, 5), Reflect.get(Object.create({ get g() { return this.tag; } }), 'g', { tag: 'r' })];"),
    ("const-shadowed-ok", "const c = 0; { let c; [c] = [1]; for (c of [2]) {} c ??= 3; output = c; }"),
    # --- Error.captureStackTrace and Error.stackTraceLimit (cw_errors.c) ----------
    ("error-capture-stack-trace", "const r = []; const o = {}; Error.captureStackTrace(o); r.push(o.stack.split(\"\\n\")[0], Object.getOwnPropertyDescriptor(o, \"stack\").enumerable, typeof Object.getOwnPropertyDescriptor(o, \"stack\").get); const o2 = {}; Error.captureStackTrace(o2); o2.message = \"late\"; o2.name = \"N\"; r.push(o2.stack.split(\"\\n\")[0]); class ValidationError extends Error { constructor(m, field) { super(m); this.name = \"ValidationError\"; this.field = field; Error.captureStackTrace(this, ValidationError); } } function check(v) { if (!v) throw new ValidationError(\"missing\", \"email\"); } try { check(\"\"); } catch (e) { r.push(e.name, e.message, e.field, e instanceof ValidationError, e instanceof Error, e.stack.split(\"\\n\")[0], /check/.test(e.stack.split(\"\\n\")[1]), e.stack.includes(\"at ValidationError\")); } try { Error.captureStackTrace(1); } catch (e) { r.push(e.name, e.message); } try { Error.captureStackTrace(Object.freeze({})); } catch (e) { r.push(e.name, e.message); } r.push(Error.stackTraceLimit, Error.captureStackTrace.length, Error.captureStackTrace.name, Error.captureStackTrace({}), Object.keys(Error).includes(\"captureStackTrace\")); const nf = {}; Error.captureStackTrace(nf, function notOnStack() {}); r.push(nf.stack); output = r;"),
    # --- more of V8's wording for the engine's own errors (cw_errmsg.c) ------------
    ("engine-messages-more", "const t = [() => { let r; r[0]; }, () => { let r = null; r[1] = 2; }, () => [...undefined],"
     " () => 'k' + Symbol('s'), () => String(Object.create(null)), () => ({}) instanceof {}, () => { const a = []; a.length = -1; },"
     " () => { let u; u[true]; }]; const out = []; for (const f of t) { try { f(); } catch (e) { out.push(e.name + ': ' + e.message); } }"
     " output = out;"),
    ("class-call-and-generator-messages", "class P {} const r = []; try { P(); } catch (e) { r.push(e.name + ': ' + e.message); }"
     " const A = class {}; try { A(); } catch (e) { r.push(e.message); }"
     " function* g() { it.next(); } const it = g(); try { it.next(); } catch (e) { r.push(e.name + ': ' + e.message); } output = r;"),
    # --- Node's legacy url.parse/format/resolve (url-legacy in worker/libs) --------
    ("url-legacy-parse", "const url = require('url'); const urls = ['https://user:pass@example.com:8080/p/a/t/h?query=string&a=1&a=2#hash', 'http://example.com', 'example.com/path', '/relative/path?x=1', 'https://api.example.com/v1/users?id=42&sort=name', 'http://localhost:3000/api?q=hello%20world', 'HTTP://EXAMPLE.COM/UPPER', '//cdn.example.com/lib.js', 'http://[::1]:8080/', 'https://sub.domain.co.uk/path/to/page.html?utm_source=x&utm_medium=y', '?just=query', 'http://host/p?q=1#h?x']; const keys = ['protocol','slashes','auth','host','port','hostname','hash','search','query','pathname','path','href']; const out = []; for (const u of urls) for (const pq of [false, true]) { const p = url.parse(u, pq); out.push(keys.map(k => p[k])); out.push(url.format(p)); } out.push(url.resolve('http://a.com/b/c', '../d'), url.resolve('/one/two/three', 'four'), url.resolve('http://a.com/b/c?x', '?y'), url.format({ protocol: 'https', hostname: 'example.com', pathname: '/x', query: { a: 1, b: 'two' } }), url.format(new URL('https://e.com/a?b#c')), typeof url.Url, url.parse('http://x.com/a?b=1', true).query.b); output = out;"),
    # --- sort: V8's TimSort, call for call (worker/cw_sort.c) ----------------------
    # Every comparator call's pair and the final order are hashed, per
    # comparator (consistent, never-0, one-sided, random, boolean, NaN) and
    # input shape, over lengths around the insertion/merge/gallop thresholds.
    ("sort-v8-call-order", "let seed = 12345; const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };"
     " const cmps = { numeric: (a, b) => a.k - b.k, gtOrMinus: (a, b) => a.k > b.k ? 1 : -1, ltOrZero: (a, b) => a.k < b.k ? -1 : 0,"
     " random: () => rnd() - 0.5, bool: (a, b) => a.k > b.k, nanish: (a, b) => (a.k % 3 === 0 ? NaN : a.k - b.k) };"
     " const shapes = { random: n => Array.from({ length: n }, () => Math.floor(rnd() * n / 3)), sorted: n => Array.from({ length: n }, (_, i) => i >> 1),"
     " reversed: n => Array.from({ length: n }, (_, i) => n - (i >> 2)), sawtooth: n => Array.from({ length: n }, (_, i) => i % 17),"
     " runs: n => Array.from({ length: n }, (_, i) => (i % 100 < 50 ? i : n - i)) }; const out = [];"
     " for (const [cn, cf] of Object.entries(cmps)) for (const [sn, sf] of Object.entries(shapes)) { let h = 0, calls = 0;"
     " const mix = (v) => { h = (Math.imul(h, 31) + v) | 0; };"
     " for (const n of [0, 1, 2, 3, 5, 22, 23, 24, 31, 32, 33, 63, 64, 65, 100, 127, 200, 257, 1000, 3000]) {"
     " const arr = sf(n).map((k, i) => ({ k, i })); arr.sort((a, b) => { calls++; mix(a.i); mix(b.i); return cf(a, b); });"
     " for (const e of arr) mix(e.i); } out.push(cn + '/' + sn + ':' + calls + ':' + h); } output = out;"),
    ("sort-one-sided-and-ties", "const a = Array.from({ length: 40 }, (_, i) => 39 - i).sort((x, y) => x < y ? -1 : 0).join();"
     " const b = Array.from({ length: 23 }, (_, i) => ({ k: i / 3 | 0, i })).sort((x, y) => x.k > y.k ? 1 : -1).map(e => e.i).join();"
     " output = [a, b];"),
    # --- the temporal dead zone (worker/lower/src/tdz.rs, worker/cw_tdz.c) --------
    ("tdz-read-before", "const r = []; try { r.push(x); } catch (e) { r.push(e.name + ': ' + e.message); } let x = 1; output = r;"),
    ("tdz-own-initializer", "try { let y = y + 1; output = y; } catch (e) { output = e.name + ': ' + e.message; }"),
    ("tdz-hoisted-helper-early", "function main() { return CFG.a; } let r; try { r = main(); } catch (e) { r = e.message; }"
     " const CFG = { a: 1 }; output = [r, main()];"),
    ("tdz-helpers-below-ok", "const RATE = 2; const rows = [1, 2, 3].map(v => scale(v)); function scale(v) { return v * RATE * K; }"
     " var K = 1; output = [rows, twice(3)]; function twice(v) { return scale(v) * 2; }"),
    ("tdz-class-before", "let r; try { r = new P(); } catch (e) { r = e.name + ': ' + e.message; } class P {} output = [r, typeof new P()];"),
    ("tdz-class-method-later-const", "class Q { run() { return T * 2; } } const q = new Q(); let r; try { r = q.run(); } catch (e) { r = e.message; }"
     " const T = 3; output = [r, q.run()];"),
    ("tdz-typeof", "const r = []; try { r.push(typeof z); } catch (e) { r.push(e.name); } let z = 'v'; r.push(typeof z, typeof undeclaredName); output = r;"),
    ("tdz-write-before", "const r = []; try { w = 5; } catch (e) { r.push(e.message); } try { w += 1; } catch (e) { r.push(e.message); }"
     " try { w++; } catch (e) { r.push(e.message); } let w = 1; r.push(w); output = r;"),
    ("tdz-pattern-order", "const r = []; const { a, b = a } = { a: 4 }; r.push(a, b); try { const [m = n, n] = [undefined, 2]; r.push(m); }"
     " catch (e) { r.push(e.message); } output = r;"),
    ("tdz-closures-and-loops", "const fns = []; for (let i = 0; i < 3; i++) fns.push(() => i); const out = [];"
     " for (const k of [1, 2]) { out.push(() => k * 10); } let fib = n => n < 2 ? n : fib(n - 1) + fib(n - 2);"
     " output = [fns.map(f => f()), out.map(f => f()), fib(10)];"),
    ("tdz-block-and-let-undefined", "const r = []; { function inner() { return B2; } try { r.push(inner()); } catch (e) { r.push(e.name); }"
     " let B2 = 1; r.push(inner()); } function h() { return w2; } let w2; r.push(h() === undefined); output = r;"),
    ("tdz-shorthand-template", "const r = []; try { r.push({ sh }); } catch (e) { r.push(e.message); } try { r.push(`${tpl}`); }"
     " catch (e) { r.push(e.message); } const sh = 1, tpl = 2; r.push({ sh }, `${tpl}`); output = r;"),
    ("tdz-call-chain", "function a1() { return a2(); } function a2() { return AV; } let r; try { r = a1(); } catch (e) { r = e.message; }"
     " const AV = 1; output = [r, a1()];"),
    ("tdz-strict-function-body", "output = (function () { 'use strict'; const r = []; function u() { return V; } try { r.push(u()); }"
     " catch (e) { r.push(e.message); } const V = 7; r.push(u()); return r; })();"),
    ("tdz-arrow-before-const", "const twice = (x) => x * F; let r; try { r = twice(1); } catch (e) { r = e.message; } const F = 2;"
     " output = [r, twice(4)];"),
    ("tdz-class-members", "class Acc { constructor() { this.k = BASE; } add(x) { return x * RATE + this.k; } static of() { return new Acc(); } }"
     " class F { v = LIM * 2; } const RATE = 2, BASE = 1, LIM = 3; output = [Acc.of().add(5), new F().v];"),
    ("tdz-class-members-early", "class F { v = LIM2 * 2; } let r1; try { r1 = new F().v; } catch (e) { r1 = e.message; }"
     " class S { static { try { S.v = LATER; } catch (e) { S.v = e.message; } } }"
     " class B { m() { return K2; } } class D extends B {} const d = new D(); let r2; try { r2 = d.m(); } catch (e) { r2 = e.message; }"
     " const LIM2 = 3, LATER = 1, K2 = 5; output = [r1, new F().v, S.v, r2, d.m()];"),
    ("tdz-error-line", "function f() {\n  return LIMIT;\n}\ntry { f(); } catch (e) { output = [e.name, e instanceof ReferenceError,"
     " String(e.stack).split('\\n')[0]]; }\nconst LIMIT = 3;"),
]


# Cases that run timers: Node records them in a process of their own, whose
# output is read when its event loop has nothing left (see LOOP_RUNNER).
LOOP_CASES = [
    # --- timers: Node's event loop order ---------------------------------------
    ("timers-order", "const log = []; setTimeout(() => log.push('t1'), 0);"
     " setTimeout(() => { log.push('t2'); Promise.resolve().then(() => log.push('p-in-t2')); setImmediate(() => log.push('imm-from-t2'));"
     " setTimeout(() => log.push('t-from-t2'), 0); queueMicrotask(() => log.push('m-in-t2')); }, 0);"
     " setTimeout(() => log.push('t3'), 0); Promise.resolve().then(() => log.push('p1')); queueMicrotask(() => log.push('m1'));"
     " (async () => { log.push('async-sync'); await null; log.push('async-after'); })(); log.push('sync');"
     " setTimeout(() => { output = log; }, 50);"),
    ("timers-immediate", "const log = []; setTimeout(() => log.push('t30'), 30);"
     " setImmediate(() => { log.push('i1'); setImmediate(() => log.push('i3')); Promise.resolve().then(() => log.push('p-i1')); });"
     " setImmediate(() => log.push('i2')); setImmediate((a, b) => log.push('args ' + a + b), 'x', 'y');"
     " const c = setImmediate(() => log.push('cleared')); clearImmediate(c);"
     " setTimeout(() => { setImmediate(() => log.push('i-from-t')); setTimeout(() => log.push('t-from-t'), 0); }, 40);"
     " setTimeout(() => { output = log; }, 80);"),
    ("timers-delays", "const log = []; for (const d of [30, 10, 20, 10, 0, 1, -5, 'x', 1.7, NaN, null, 2 ** 31])"
     " setTimeout(() => log.push(String(d)), d); setTimeout(() => { output = log; }, 100);"),
    ("timers-nested-order", "const log = []; setTimeout(() => { log.push('a'); setTimeout(() => log.push('a2'), 5); }, 5);"
     " setTimeout(() => { log.push('b'); Promise.resolve().then(() => { log.push('b-micro'); setTimeout(() => log.push('b2'), 0); }); }, 5);"
     " setTimeout(() => log.push('c'), 40); setTimeout(() => { output = log; }, 60);"),
    ("timers-clear", "const log = []; const a = setTimeout(() => log.push('a'), 5); clearTimeout(a);"
     " const b = setTimeout(() => log.push('b'), 5); clearTimeout(+b);"
     " const c = setTimeout((x, y) => log.push('c' + x + y), 5, 1, 2);"
     " let n = 0; const iv = setInterval(() => { n++; log.push('tick' + n); if (n === 3) clearInterval(iv); }, 10);"
     " clearTimeout(undefined); clearTimeout(null); clearTimeout(12345); clearInterval({}); clearTimeout(iv + 1000);"
     " const d = setTimeout(() => log.push('d'), 15); clearInterval(d);"
     " setTimeout(() => { output = [log, typeof b[Symbol.toPrimitive], typeof +c, a.hasRef(), c.unref() === c, c.hasRef(),"
     " c.ref().hasRef(), typeof setTimeout(() => {}, 1), setTimeout(() => {}, 1).constructor.name, setImmediate(() => {}).constructor.name]; }, 100);"),
    ("timers-interval-args", "const log = []; let n = 0; const iv = setInterval((a, b) => { log.push(a + b + (++n)); if (n === 4) clearInterval(iv); }, 7, 'x', 'y');"
     " setTimeout(() => { output = [log, n]; }, 100);"),
    ("timers-this-refresh", "let count = 0; const log = []; const t = setTimeout(function () { log.push(this === t); if (++count < 3) t.refresh(); }, 20);"
     " const u = setTimeout(() => log.push('refreshed-before'), 30); setTimeout(() => u.refresh(), 20);"
     " setTimeout(() => { output = [log, count]; }, 200);"),
    ("timers-elapsed", "const sleep = ms => new Promise(r => setTimeout(r, ms)); (async () => { const t = Date.now(); const p = performance.now();"
     " await sleep(120); const d = Date.now() - t; const dp = performance.now() - p; await sleep(30);"
     " output = [d >= 119, dp >= 119, Date.now() - t >= 149, new Date().getTime() >= t + 149]; })();"),
    ("timers-race-timeout", "const timeout = (ms) => new Promise((_, rej) => setTimeout(() => rej(new Error('timed out after ' + ms)), ms));"
     " const work = (ms, v) => new Promise(r => setTimeout(() => r(v), ms));"
     " Promise.all([Promise.race([work(10, 'fast'), timeout(50)]), Promise.race([work(80, 'slow'), timeout(30)]).catch(e => e.message)])"
     ".then(v => { output = v; });"),
    ("timers-retry-backoff", "let calls = 0; const t0 = Date.now(); const flaky = async () => { calls++; if (calls < 4) throw new Error('fail ' + calls); return 'ok after ' + calls; };"
     " async function retry(fn, n, base) { for (let i = 0; ; i++) { try { return await fn(); } catch (e) { if (i >= n) throw e;"
     " await new Promise(r => setTimeout(r, base * 2 ** i)); } } }"
     " retry(flaky, 5, 10).then(v => { output = [v, calls, Date.now() - t0 >= 69]; });"),
    ("timers-debounce", "function debounce(fn, ms) { let t; return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); }; }"
     " const log = []; const d = debounce(v => log.push(v), 20); d(1); d(2); d(3); setTimeout(() => d(4), 50);"
     " setTimeout(() => { d(5); d(6); }, 60); setTimeout(() => { output = log; }, 150);"),
    ("timers-unref", "const log = []; setTimeout(() => log.push('unref-early'), 5).unref(); setTimeout(() => log.push('unref-late'), 100).unref();"
     " setImmediate(() => log.push('imm-unref')).unref(); setTimeout(() => { log.push('ref'); }, 20); output = log;"),
    ("timers-only-unref", "setTimeout(() => { output = 'ran'; }, 5).unref(); output = 'sync';"),
    ("timers-callback-throws", "setTimeout(() => { throw new RangeError('boom'); }, 5); setTimeout(() => { output = 'ran'; }, 10);"),
    ("timers-rejection-in-callback", "setTimeout(() => { Promise.reject(new TypeError('x')); }, 5); setTimeout(() => { output = 1; }, 20);"),
    ("timers-bad-callback", "const r = []; for (const f of [() => setTimeout(), () => setTimeout('code', 1), () => setInterval(5), () => setImmediate({}),"
     " () => setTimeout(null)]) { try { f(); r.push('ok'); } catch (e) { r.push([e.name, e.code, e.message]); } }"
     " output = [r, setTimeout.length, setInterval.length, setImmediate.length, clearTimeout.length, typeof clearImmediate];"),
    # --- AbortController, AbortSignal, EventTarget, Event ----------------------
    ("abort-controller", "const c = new AbortController(); const s = c.signal; const log = []; log.push(s.aborted, s.reason === undefined);"
     " s.addEventListener('abort', function (e) { log.push(['l1', e.type, e.isTrusted, e.target === s, this === s, s.aborted]); });"
     " s.onabort = (e) => log.push(['onabort', e.eventPhase, e.currentTarget === s]);"
     " s.addEventListener('abort', () => log.push('once'), { once: true }); c.abort(); c.abort('again');"
     " const r = s.reason; let thrown; try { s.throwIfAborted(); } catch (e) { thrown = e === r; }"
     " const c2 = new AbortController(); c2.abort({ code: 7 }); new AbortController().signal.throwIfAborted();"
     " output = [log, r.name, r.message, r.code, r instanceof DOMException, r instanceof Error, String(r), thrown, c2.signal.reason,"
     " Object.prototype.toString.call(s), Object.prototype.toString.call(c), s instanceof EventTarget, typeof s.onabort, c.signal === s];"),
    ("abort-signal-static", "const a = AbortSignal.abort(); const b = AbortSignal.abort('why'); const t = AbortSignal.timeout(30); const log = [];"
     " t.addEventListener('abort', () => log.push(['timeout', t.reason.name, t.reason.message, t.reason.code]));"
     " setTimeout(() => { output = [a.aborted, a.reason.name, a.reason.message, b.reason, t.aborted, log, AbortSignal.timeout(0).aborted]; }, 60);"),
    ("abort-timeout-work", "function work(ms, signal) { return new Promise((res, rej) => { signal.throwIfAborted(); const t = setTimeout(() => res('done ' + ms), ms);"
     " signal.addEventListener('abort', () => { clearTimeout(t); rej(signal.reason); }, { once: true }); }); }"
     " (async () => { const r = []; for (const ms of [10, 100]) { try { r.push(await work(ms, AbortSignal.timeout(50))); }"
     " catch (e) { r.push(e.name + ': ' + e.message); } } try { await work(5, AbortSignal.abort()); } catch (e) { r.push(e.name); } output = r; })();"),
    ("abort-timeout-unref", "AbortSignal.timeout(50).onabort = () => { output = 'fired'; }; output = 'not kept alive';"),
    ("abort-any", "const a = new AbortController(), b = new AbortController(); const any = AbortSignal.any([a.signal, b.signal]);"
     " const any2 = AbortSignal.any([any]); const log = [];"
     " a.signal.addEventListener('abort', () => log.push(['a', any.aborted, any2.aborted]));"
     " b.signal.addEventListener('abort', () => log.push(['b', any.aborted, any2.aborted]));"
     " any.addEventListener('abort', () => log.push(['any', any.reason])); any2.onabort = (e) => log.push(['any2', e.target === any2]);"
     " b.abort('B'); a.abort('A');"
     " const pre = AbortSignal.any([AbortSignal.abort('early'), new AbortController().signal]);"
     " const t = AbortSignal.any([AbortSignal.timeout(20), new AbortController().signal]);"
     " setTimeout(() => { output = [log, any.reason, any2.reason, pre.aborted, pre.reason, t.aborted, t.reason && t.reason.name,"
     " AbortSignal.any([]).aborted]; }, 50);"),
    ("event-target", "class Emitter extends EventTarget { constructor() { super(); this.n = 1; } } const em = new Emitter(); const log = [];"
     " const h = (e) => log.push(['h', e.type]); em.addEventListener('ping', h); em.addEventListener('ping', h);"
     " em.addEventListener('ping', { handleEvent(e) { log.push(['obj', this !== em, e.currentTarget === em]); } });"
     " em.addEventListener('ping', (e) => { log.push('stop'); e.stopImmediatePropagation(); }); em.addEventListener('ping', () => log.push('never'));"
     " const e = new Event('ping', { cancelable: true }); const r1 = em.dispatchEvent(e); em.removeEventListener('ping', h);"
     " em.dispatchEvent(new Event('ping'));"
     " em.addEventListener('x', (ev) => ev.preventDefault()); const r2 = em.dispatchEvent(new Event('x', { cancelable: true }));"
     " const r3 = em.dispatchEvent(new Event('x'));"
     " const ac = new AbortController(); em.addEventListener('y', () => log.push('y'), { signal: ac.signal }); em.dispatchEvent(new Event('y'));"
     " ac.abort(); em.dispatchEvent(new Event('y'));"
     " output = [log, r1, r2, r3, em instanceof EventTarget, em.n, e.eventPhase, e.target === em, e.currentTarget, e.defaultPrevented,"
     " Event.AT_TARGET, String(e), e.bubbles, e.cancelable, e.isTrusted, typeof e.timeStamp, Object.keys(e), String(em),"
     " EventTarget.prototype.addEventListener.length];"),
    ("event-errors", "const r = []; for (const f of [() => new Event(), () => new EventTarget().dispatchEvent({ type: 'x' }), () => new AbortSignal(),"
     " () => AbortSignal.timeout(-1), () => AbortSignal.timeout('1'), () => AbortSignal.any([1]), () => new EventTarget().addEventListener('x')])"
     " { try { f(); r.push('ok'); } catch (e) { r.push([e.name, e.code, e.message]); } } output = r;"),
    ("event-listener-throws", "const t = new EventTarget(); const log = []; t.addEventListener('x', () => { throw new SyntaxError('bad'); });"
     " t.addEventListener('x', () => log.push('second')); t.dispatchEvent(new Event('x')); output = log;"),
]


# Cases that await at the top level, or return a promise: Node records them
# as the service this one replaces ran job code, the body of an async
# function called in the main realm (see ASYNC_RUNNER); `output`, else the
# function's settled value, is read when the event loop has nothing left.
ASYNC_CASES = [
    # Node's `global` (a fresh `vm` context has none, so recorded here).
    ("node-global", "global.cache = { a: 1 }; output = [global === globalThis, typeof cache, cache.a,"
     " Object.getOwnPropertyDescriptor(globalThis, 'global').enumerable];"),
    ("tla-basic", "const sleep = (ms) => new Promise((r) => setTimeout(r, ms));"
     " const rows = await Promise.all([3, 1, 2].map(async (x) => { await sleep(x * 10); return x * 2; }));"
     " output = { rows, sum: rows.reduce((a, b) => a + b, 0) };"),
    ("tla-return", "const x = await Promise.resolve(2);\nreturn x * 21;"),
    ("tla-return-promise", "async function main() { await null; return [1, 'two']; }\nreturn main();"),
    ("tla-return-thenable-chain", "return Promise.resolve(1).then((v) => new Promise((r) => setTimeout(() => r(v + 1), 5)));"),
    ("tla-for-await", "async function* gen() { yield 1; await null; yield 2; }\nconst got = [];"
     " for await (const v of gen()) got.push(v);\nfor await (const v of [Promise.resolve('a'), 'b']) got.push(v);\noutput = got;"),
    ("tla-throws", "await null;\nthrow new RangeError('after await');"),
    ("tla-rejects", "await Promise.reject(new TypeError('nope'));\noutput = 'unreached';"),
    ("tla-caught", "let why;\ntry { await Promise.reject(new SyntaxError('s')); } catch (e) { why = e.name; }\noutput = why;"),
    ("tla-declarations", "const base = await Promise.resolve(10);\nlet n = base + 1;\nvar v = describe();"
     "\nclass Box { constructor(x) { this.x = x; } get twice() { return this.x * 2; } }"
     "\nfunction describe() { return typeof base; }\nif (n > 5) { var inner = 'block var'; let hidden = 1; }"
     "\nfor (var i = 0; i < 3; i++) n += i;\nfor (var k in { p: 1 }) ;"
     "\nconst fns = []; for (let j = 0; j < 3; j++) fns.push(() => j);"
     "\noutput = [n, v, new Box(base).twice, inner, typeof hidden, i, k, fns.map((f) => f()), describe()];"),
    ("tla-destructuring", "const { a, b: [c = 5, ...rest] } = await Promise.resolve({ a: 1, b: [undefined, 3, 4] });"
     "\nlet [x, , y] = await Promise.all([1, 2, 3]);\noutput = [a, c, rest, x, y];"),
    ("tla-order", "const log = []; setTimeout(() => log.push('timer'), 0); Promise.resolve().then(() => log.push('micro'));"
     "\nlog.push('sync');\nawait null;\nlog.push('after await');\nawait new Promise((r) => setTimeout(r, 5));"
     "\nlog.push('after sleep');\noutput = log;"),
    ("tla-output-promise", "async function main() { await null; return { ok: true }; }\noutput = main();"),
    ("tla-strict", "'use strict';\nawait null;\nlet threw = false;\ntry { undeclaredVariable = 1; } catch (e) { threw = e.name; }\nglobalThis.output = threw;"),
    ("timers-promises-module", "const tp = require('timers/promises'); const t = require('node:timers');\nconst log = [Object.keys(tp), Object.keys(t), t.setTimeout === setTimeout, t.promises === tp, require('timers/promises') === tp];\nconst t0 = Date.now();\nlog.push(await tp.setTimeout(50, 'late'), await tp.setImmediate('imm'), await tp.setTimeout(), await tp.scheduler.wait(10), await tp.scheduler.yield());\nconst ac = new AbortController(); const p = tp.setTimeout(1000, 'v', { signal: ac.signal }); ac.abort();\ntry { await p; } catch (e) { log.push([e.name, e.code, e.message, e.constructor.name, e instanceof Error, e.cause && e.cause.name]); }\ntry { await tp.setTimeout(10, 'x', { signal: AbortSignal.abort('why') }); } catch (e) { log.push([e.name, e.cause]); }\ntry { await tp.setTimeout(10, 'x', 5); } catch (e) { log.push([e.name, e.code, e.message]); }\ntry { await tp.setTimeout(10, 'x', { signal: {} }); } catch (e) { log.push([e.name, e.code, e.message]); }\nlet n = 0; for await (const v of tp.setInterval(5, 'iv')) { log.push(v); if (++n === 3) break; }\nconst { setTimeout: sleep } = require('timers/promises');\nawait sleep(100);\nlog.push(Date.now() - t0 >= 165);\noutput = log;"),
    # Node's process, as far as a job's own world answers it (the rest is
    # absent on purpose: tests/security/test_hostile.py).
    ("process-shape", "output = [typeof process, Object.prototype.toString.call(process), typeof process.env,"
     " process.env.CW_NEVER_SET_ANYWHERE, (typeof process !== 'undefined' && process.env.NODE_ENV) || 'development',"
     " process.platform, process.version.slice(0, 4), process.versions.node.split('.')[0], Array.isArray(process.argv),"
     " typeof process.hrtime()[0], process.hrtime([0, 0]).length, Object.keys(process.memoryUsage()),"
     " process.memoryUsage().heapUsed > 0, process.memoryUsage.rss() > 0, typeof process.uptime(), require('process') === process,"
     " typeof process.stdout.write, process.stdout.write(''), process.stderr.isTTY];"),
    ("process-nexttick-order", "const log = [];\nPromise.resolve().then(() => log.push('p1')).then(() => log.push('p1b'));"
     "\nprocess.nextTick(() => log.push('t1'));\nqueueMicrotask(() => { log.push('q'); process.nextTick(() => log.push('t2'));"
     " Promise.resolve().then(() => log.push('p2')); });\nprocess.nextTick((a, b) => { log.push('t0' + a + b);"
     " process.nextTick(() => log.push('t3')); }, 1, 2);\nsetTimeout(() => { process.nextTick(() => log.push('t4'));"
     " Promise.resolve().then(() => log.push('p4')); log.push('timer'); }, 1);\nsetTimeout(() => { output = log; }, 20);"),
    ("process-errors", "const out = [];\nfor (const f of [() => process.nextTick(5), () => process.nextTick(), () => process.hrtime(5),"
     " () => process.hrtime([1]), () => process.emitWarning(5), () => process.stdout.write(5)])"
     " { try { f(); out.push('no error'); } catch (e) { out.push([e.name, e.code, e.message]); } }\noutput = out;"),
    ("node-arg-type-received", "output = [5, 'a'.repeat(30), 'abc', Symbol('s'), null, undefined, {}, [1], () => 1, true, 1.5, -0]"
     ".map((v) => { try { setTimeout(v); return 'no error'; } catch (e) { return [e.code, e.message]; } })"
     ".concat([(() => { try { new TextEncoder().encodeInto('a', 'x'); } catch (e) { return e.message; } })(),"
     " (() => { try { process.nextTick(new Map()); } catch (e) { return e.message; } })()]);"),
    ("text-encoder-encode-into", "const te = new TextEncoder(); const u = new Uint8Array(5);\n"
     "const r = [te.encodeInto('a\u00f1\u20acb', u), Array.from(u), te.encodeInto('\\ud800x', new Uint8Array(8)),"
     " te.encodeInto('\\ud83d\\ude00', new Uint8Array(3)), te.encodeInto('\\ud83d\\ude00z', new Uint8Array(4)),"
     " te.encodeInto('', new Uint8Array(2)), TextEncoder.prototype.encodeInto.length];\n"
     "try { te.encodeInto('a', []); } catch (e) { r.push([e.name, e.code, e.message]); }\noutput = r;"),
    ("querystring-escape", "const qs = require('querystring');\noutput = [qs.escape('a b&c=\u00e9!*()~'), qs.escape(5),"
     " qs.unescape('a%20b+c'), qs.unescape('%E0%A4%A+x', true), qs.unescape('%zz%41'), qs.unescape('%C3%A9'),"
     " qs.stringify({ q: 'x y', n: [1, 2] }), qs.parse('a=1&b=%20&a=2')];"),
    ("tla-nested-await-only", "const f = async () => (await 1) + (await 2);\noutput = [await f(), await (async () => 'x')()];"),
]


# One ASYNC_CASES case in a Node process of its own: the code is the body of
# an async function called at once in the main realm; `output` (or else the
# function's value) is read on 'exit'; a promise in `output` counts by its
# outcome, as codeworker takes it (a promise's JSON is only `{}`).  A rejection is the error that ended
# the job; a function still pending when nothing is left to run is an error
# too (Node exits with status 13, "unsettled top-level await", for a module
# in that state).
ASYNC_RUNNER = r"""
'use strict';
const vm = require('vm');
const fs = require('fs');
const code = fs.readFileSync(process.argv[2], 'utf8');
let answer = null, settled = false, value;
const done = (a) => { if (!answer) { answer = a; fs.writeFileSync(process.argv[3], JSON.stringify(answer)); } };
process.on('uncaughtException', (e) => { done({ error: e && e.name }); process.exit(1); });
process.on('unhandledRejection', (e) => { done({ error: e && e.name }); process.exit(1); });
process.on('exit', () => {
  if (!settled) return done({ error: 'Error', unsettled: true });
  const o = globalThis.output === undefined ? value : globalThis.output;
  done({ output: o === undefined ? null : JSON.parse(JSON.stringify(o)) });
});
globalThis.input = {};
// The Node modules a job may load that these cases use (timers).
globalThis.require = (n) => { if (!/^(node:)?(timers(\/promises)?|querystring|process)$/.test(n)) throw new Error('module not available'); return require(n); };
for (const k of ['log', 'info', 'warn', 'error', 'debug']) console[k] = () => {};
let script;
try {
  script = new vm.Script('(async function () {' + code + '\n})()');
} catch (e) {
  done({ error: e.name, compile: true });
  process.exit(0);
}
script.runInThisContext().then(async (v) => {
  value = v;
  if (globalThis.output && typeof globalThis.output.then === 'function') globalThis.output = await globalThis.output;
  settled = true;
}, (e) => { done({ error: e && e.name }); process.exit(1); });
"""


NODE_RUNNER = r"""
'use strict';
const vm = require('vm');
const fs = require('fs');
const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const JOB_MODULES = ['url', 'node:url', 'buffer', 'node:buffer', 'querystring'];
const nodeRequire = (name) => {
  if (!JOB_MODULES.includes(name)) throw new Error(`module "${name}" is not available`);
  return require(name);
};
let rejected = null;
process.on('unhandledRejection', (r) => { if (!rejected) rejected = r; });
(async () => {
  const out = {};
  for (const [id, code] of cases) {
    // Node's own globals that a job also sees (a vm context has only
    // ECMAScript's): crypto, atob, btoa, DOMException, URL, URLSearchParams,
    // Buffer, and a require() of the Node modules a job may load.  Buffers
    // are this realm's Uint8Arrays, so the buffer-* cases also get this
    // realm's Uint8Array, as a script in Node's main context has.
    const globals = { input: {}, console: { log() {}, warn() {}, error() {}, info() {} }, crypto,
                      atob, btoa, DOMException, URL, URLSearchParams, Buffer, require: nodeRequire };
    if (id.startsWith('buffer-')) globals.Uint8Array = Uint8Array;
    Object.defineProperty(globals, 'URL', { enumerable: false });
    Object.defineProperty(globals, 'URLSearchParams', { enumerable: false });
    Object.defineProperty(globals, 'Buffer', { enumerable: false });
    const ctx = vm.createContext(globals);
    rejected = null;
    let script;
    try {
      script = new vm.Script(code);
    } catch (e) {
      out[id] = { error: e.name, compile: true };
      continue;
    }
    try {
      script.runInContext(ctx, { timeout: 10000 });
      for (let i = 0; i < 20; i++) await new Promise(r => setImmediate(r));
      if (rejected) out[id] = { error: rejected && rejected.name };
      else out[id] = { output: ctx.output === undefined ? null : JSON.parse(JSON.stringify(ctx.output)) };
    } catch (e) {
      out[id] = { error: e && e.name };
    }
  }
  fs.writeFileSync(process.argv[3], JSON.stringify(out, null, 1) + '\n');
})();
"""


# One LOOP_CASES case in a Node process of its own, as a script of the main
# realm (so Node's own timers, AbortController, EventTarget and DOMException
# are the globals it sees): `output` is read on 'exit', when the event loop
# has nothing left -- what the job's end is in codeworker -- or the name of
# the error that ended the process (an uncaught exception, an unhandled
# rejection).
LOOP_RUNNER = r"""
'use strict';
const vm = require('vm');
const fs = require('fs');
const code = fs.readFileSync(process.argv[2], 'utf8');
let answer = null;
const done = (a) => { if (!answer) { answer = a; fs.writeFileSync(process.argv[3], JSON.stringify(answer)); } };
process.on('uncaughtException', (e) => { done({ error: e && e.name }); process.exit(1); });
process.on('unhandledRejection', (e) => { done({ error: e && e.name }); process.exit(1); });
process.on('exit', () => {
  const o = globalThis.output;
  done({ output: o === undefined ? null : JSON.parse(JSON.stringify(o)) });
});
globalThis.input = {};
for (const k of ['log', 'info', 'warn', 'error', 'debug']) console[k] = () => {};
let script;
try {
  script = new vm.Script(code);
} catch (e) {
  done({ error: e.name, compile: true });
  process.exit(0);
}
script.runInThisContext();
"""


def record(node):
    with tempfile.TemporaryDirectory() as tmp:
        cases = os.path.join(tmp, "cases.json")
        with open(cases, "w") as f:
            json.dump(CASES, f)
        runner = os.path.join(tmp, "run.js")
        with open(runner, "w") as f:
            f.write(NODE_RUNNER)
        subprocess.run([node, runner, cases, RECORD], check=True)
        with open(RECORD) as f:
            answers = json.load(f)
        loop = os.path.join(tmp, "loop.js")
        with open(loop, "w") as f:
            f.write(LOOP_RUNNER)
        runner = os.path.join(tmp, "async.js")
        with open(runner, "w") as f:
            f.write(ASYNC_RUNNER)
        for cid, code in LOOP_CASES + ASYNC_CASES:
            src, ans = os.path.join(tmp, "case.js"), os.path.join(tmp, "answer.json")
            with open(src, "w") as f:
                f.write(code)
            subprocess.run([node, loop if (cid, code) in LOOP_CASES else runner, src, ans], timeout=60)
            with open(ans) as f:
                answers[cid] = json.load(f)
            os.unlink(ans)
        with open(RECORD, "w") as f:
            f.write(json.dumps(answers, indent=1, ensure_ascii=False) + "\n")
    print("recorded %d answers" % (len(CASES) + len(LOOP_CASES) + len(ASYNC_CASES)))


def main():
    args = sys.argv[1:]
    if "--record" in args:
        record(args[args.index("--record") + 1])
        return 0
    binary = os.path.join(args[0], "codeworker")
    with open(RECORD) as f:
        expected = json.load(f)
    with tempfile.TemporaryDirectory() as tmp:
        jobs = os.path.join(tmp, "jobs.jsonl")
        with open(jobs, "w") as f:
            for cid, code in CASES + LOOP_CASES + ASYNC_CASES:
                f.write(json.dumps({"jobId": cid, "code": code, "timeout": 10}) + "\n")
        p = subprocess.run([binary, "exec", "--jobs", jobs, "--executors", "2"],
                           capture_output=True, text=True, timeout=300)
    results = {}
    for line in p.stdout.split("\n"):  # not splitlines(): U+2028 may stand raw in a JSON string
        if not line.strip():
            continue
        r = json.loads(line)
        results[r["jobId"]] = r
    for cid, _ in CASES + LOOP_CASES + ASYNC_CASES:
        want = expected.get(cid)
        r = results.get(cid)
        if want is None or r is None:
            check(cid, False, "no recorded answer" if want is None else "no result")
            continue
        err = r.get("error") or {}
        if "output" in want:
            got = r.get("output") if r.get("success") else None
            ok = r.get("success") and got == want["output"]
            detail = "Node %s; codeworker %s %s %s" % (json.dumps(want["output"]), r.get("resultCode"),
                                                       json.dumps(got), err.get("message"))
        else:
            ok = not r.get("success") and err.get("name") == want["error"]
            if want.get("compile"):
                ok = ok and r.get("resultCode") == "SYNTAX_ERROR"
            detail = "Node throws %s; codeworker %s %s %s" % (want["error"], r.get("resultCode"),
                                                              json.dumps(r.get("output")), err.get("message"))
        check(cid, ok, detail)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
