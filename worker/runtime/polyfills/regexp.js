/*
 * regexp.js -- the heap's RegExp, as ES2025 specifies it, over the regress
 * engine (natives on rt.re, worker/cw_regexp.c), replacing Duktape's ES5
 * RegExp: the constructor, flags d g i m s u v y and their getters, source,
 * lastIndex and sticky semantics, exec/test/toString/compile,
 * Symbol.match/matchAll/replace/search/split (with Symbol.species, so
 * subclasses work), RegExp.escape, and String.prototype.match/matchAll/
 * replace/replaceAll/search/split dispatching through them.
 *
 * An instance is a Duktape RegExp object (so Object.prototype.toString and
 * libraries that test the class see "[object RegExp]") re-parented to this
 * RegExp.prototype, with its state in a hidden slot: source, flags and the
 * group names.  Regex literals reach here too: the lowering turns every
 * literal into a call of the hidden global __cw_regexp(source, flags),
 * which the natives' per-executor cache makes cheap to evaluate in a loop.
 * Duktape RegExp objects made by code built at run time (eval) still work
 * with the String methods: Symbol.match & co. are installed on Duktape's
 * prototype as well, and go through its exec.
 */
(function (G, rt) {
    'use strict';
    var RE = rt.re, SLOT = RE.slot;
    var NativeRegExp = rt.native.RegExp || G.RegExp;
    var NativeProto = NativeRegExp.prototype;
    var nativeSplit = rt.native['String.prototype.split'] || String.prototype.split;
    var nativeReplace = rt.native['String.prototype.replace'] || String.prototype.replace;
    var hasOwn = Object.prototype.hasOwnProperty;
    /* Duktape has it; unlike getOwnPropertyDescriptor it allocates nothing. */
    var lookupGetter = Object.prototype.__lookupGetter__;
    var toStringTag = Object.prototype.toString;
    var SP = String.prototype;
    var MAX_LENGTH = 9007199254740991;

    function wk(name) {
        var s = Symbol[name];
        if (typeof s !== 'symbol') {
            s = Symbol('Symbol.' + name);
            Object.defineProperty(Symbol, name, { value: s, writable: false, enumerable: false, configurable: false });
        }
        return s;
    }
    var S_MATCH = wk('match'), S_MATCHALL = wk('matchAll'), S_REPLACE = wk('replace'),
        S_SEARCH = wk('search'), S_SPLIT = wk('split'), S_SPECIES = wk('species');

    function define(o, k, v) {
        Object.defineProperty(o, k, { value: v, writable: true, enumerable: false, configurable: true });
    }
    function getter(o, k, f) {
        Object.defineProperty(f, 'name', {
            value: 'get ' + (typeof k === 'symbol' ? '[' + k.toString().slice(7, -1) + ']' : k), configurable: true
        });
        Object.defineProperty(o, k, { get: f, enumerable: false, configurable: true });
    }
    function isObject(x) {
        return x !== null && (typeof x === 'object' || typeof x === 'function');
    }
    function toStr(v) {
        if (typeof v === 'symbol') throw new TypeError('Cannot convert a Symbol value to a string');
        return typeof v === 'string' ? v : String(v);
    }
    function toLength(v) {
        v = +v;
        if (!(v > 0)) return 0;
        v = Math.floor(v);
        return v > MAX_LENGTH ? MAX_LENGTH : v;
    }
    function toInteger(v) {
        v = +v;
        if (v !== v) return 0;
        if (v === Infinity || v === -Infinity) return v;
        return v < 0 ? Math.ceil(v) : Math.floor(v);
    }
    function coercible(v, who) {
        if (v === null || v === undefined) throw new TypeError('String.prototype.' + who + ' called on null or undefined');
        return v;
    }
    function slotOf(x) {
        return isObject(x) && hasOwn.call(x, SLOT) ? x[SLOT] : undefined;
    }
    function isNativeRegExp(x) {
        return isObject(x) && !slotOf(x) && toStringTag.call(x) === '[object RegExp]' &&
            Object.getPrototypeOf(x) === NativeProto;
    }
    function isRegExp(x) {
        if (!isObject(x)) return false;
        var m = x[S_MATCH];
        if (m !== undefined) return !!m;
        return !!slotOf(x) || isNativeRegExp(x);
    }
    function isConstructor(f) {
        return typeof f === 'function';
    }
    function getMethod(o, k) {
        var f = o[k];
        if (f === undefined || f === null) return undefined;
        if (typeof f !== 'function') throw new TypeError(String(k) + ' is not a function');
        return f;
    }
    function speciesConstructor(o, dflt) {
        var C = o.constructor, S;
        if (C === dflt && speciesIntact()) return dflt;
        if (C === undefined) return dflt;
        if (!isObject(C)) throw new TypeError('object.constructor is not an object');
        S = C[S_SPECIES];
        if (S === undefined || S === null) return dflt;
        if (isConstructor(S)) return S;
        throw new TypeError('object.constructor[Symbol.species] is not a constructor');
    }
    function advance(s, i, unicode) {
        var c;
        if (!unicode || i + 1 >= s.length) return i + 1;
        c = s.charCodeAt(i);
        if (c < 0xD800 || c > 0xDBFF) return i + 1;
        c = s.charCodeAt(i + 1);
        return c >= 0xDC00 && c <= 0xDFFF ? i + 2 : i + 1;
    }

    /* ---- construction ---------------------------------------------------- */

    var FLAG_ORDER = 'dgimsuvy';
    function parseFlags(F) {
        var seen = {}, i, c;
        for (i = 0; i < F.length; i++) {
            c = F.charAt(i);
            if (FLAG_ORDER.indexOf(c) < 0 || seen[c]) throw new SyntaxError("Invalid flags supplied to RegExp constructor '" + F + "'");
            seen[c] = true;
        }
        if (seen.u && seen.v) throw new SyntaxError("Invalid flags supplied to RegExp constructor '" + F + "'");
        return seen;
    }

    /* Parsed flags and group names per (flags, source), so a literal in a
     * loop costs an object and a lookup; bounded, dropped when full. */
    var memo = Object.create(null), memoCount = 0;
    function initialize(obj, P, F) {
        P = P === undefined ? '' : toStr(P);
        F = F === undefined ? '' : toStr(F);
        var key = F + '/' + P, t = memo[key], f, names, named, i;
        if (t === undefined) {
            f = parseFlags(F);
            names = RE.compile(P, F);
            named = false;
            for (i = 0; i < names.length; i++) if (names[i] !== undefined) named = true;
            t = {
                source: P, flags: F, g: !!f.g, y: !!f.y, d: !!f.d, i: !!f.i, m: !!f.m, s: !!f.s,
                u: !!f.u, v: !!f.v, names: named ? names : null, ngroups: names.length, canon: ''
            };
            for (i = 0; i < FLAG_ORDER.length; i++) if (f[FLAG_ORDER.charAt(i)]) t.canon += FLAG_ORDER.charAt(i);
            if (P.length < 4096) {
                if (++memoCount > 512) {
                    memo = Object.create(null);
                    memoCount = 1;
                }
                memo[key] = t;
            }
        }
        obj[SLOT] = t; /* shared and never written: per-object state is lastIndex */
        obj.lastIndex = 0;
        return obj;
    }

    /* A Duktape RegExp object to hold an instance: evaluating a literal
     * here (Duktape's own, compiled once with this file) is the cheapest
     * way to make one. */
    function alloc(proto) {
        var o = /(?:)/;
        Object.setPrototypeOf(o, proto);
        return o;
    }

    /* new RegExp(), RegExp() and a lowered subclass's super() (which calls
     * this with the subclass instance as `this` and uses the object
     * returned): the result is always a fresh Duktape RegExp object with
     * the prototype `this` had. */
    var Ctor = function RegExp(pattern, flags) {
        var patternIsRegExp = isRegExp(pattern), self = this, P, F, st;
        var construct = self instanceof Ctor && !hasOwn.call(self, SLOT);
        if (!construct && patternIsRegExp && flags === undefined && pattern.constructor === Ctor) return pattern;
        st = slotOf(pattern);
        if (st) {
            P = st.source;
            F = flags === undefined ? st.flags : flags;
        } else if (isNativeRegExp(pattern)) {
            P = pattern.source;
            F = flags === undefined ? (pattern.global ? 'g' : '') + (pattern.ignoreCase ? 'i' : '') + (pattern.multiline ? 'm' : '') : flags;
        } else if (patternIsRegExp) {
            P = pattern.source;
            F = flags === undefined ? pattern.flags : flags;
        } else {
            P = pattern;
            F = flags;
        }
        return initialize(alloc(construct ? Object.getPrototypeOf(self) : proto), P, F);
    };
    Ctor.prototype = Object.create(Object.prototype);
    var proto = Ctor.prototype;
    Object.defineProperty(Ctor, 'length', { value: 2, configurable: true });
    Object.defineProperty(Ctor, 'prototype', { value: proto, writable: false, enumerable: false, configurable: false });
    define(proto, 'constructor', Ctor);
    var speciesGetter = function () { return this; };
    getter(Ctor, S_SPECIES, speciesGetter);
    function speciesIntact() {
        return hasOwn.call(Ctor, S_SPECIES) && lookupGetter.call(Ctor, S_SPECIES) === speciesGetter;
    }

    function create(P, F) {
        return initialize(alloc(proto), P, F);
    }

    /* ---- flags, source ----------------------------------------------------- */

    function flagGetter(name, key) {
        getter(proto, name, function () {
            if (!isObject(this)) throw new TypeError('RegExp.prototype.' + name + ' getter called on non-object');
            var st = slotOf(this);
            if (!st) {
                if (this === proto) return undefined;
                throw new TypeError('RegExp.prototype.' + name + ' getter called on non-RegExp object');
            }
            return st[key];
        });
    }
    flagGetter('hasIndices', 'd');
    flagGetter('global', 'g');
    flagGetter('ignoreCase', 'i');
    flagGetter('multiline', 'm');
    flagGetter('dotAll', 's');
    flagGetter('unicode', 'u');
    flagGetter('unicodeSets', 'v');
    flagGetter('sticky', 'y');
    getter(proto, 'flags', flagsGetter = function () {
        var R = this, r = '';
        if (!isObject(R)) throw new TypeError('RegExp.prototype.flags getter called on non-object');
        if (R.hasIndices) r += 'd';
        if (R.global) r += 'g';
        if (R.ignoreCase) r += 'i';
        if (R.multiline) r += 'm';
        if (R.dotAll) r += 's';
        if (R.unicode) r += 'u';
        if (R.unicodeSets) r += 'v';
        if (R.sticky) r += 'y';
        return r;
    });

    function escapePattern(P) {
        var out = '', i, c, inClass = false;
        if (P === '') return '(?:)';
        for (i = 0; i < P.length; i++) {
            c = P.charAt(i);
            if (c === '\\') {
                if (i + 1 < P.length) {
                    var d = P.charAt(i + 1);
                    i++;
                    if (d === '\n') out += '\\n';
                    else if (d === '\r') out += '\\r';
                    else if (d === '\u2028') out += '\\u2028';
                    else if (d === '\u2029') out += '\\u2029';
                    else out += c + d;
                } else {
                    out += c;
                }
                continue;
            }
            if (c === '/' && !inClass) out += '\\/';
            else if (c === '\n') out += '\\n';
            else if (c === '\r') out += '\\r';
            else if (c === '\u2028') out += '\\u2028';
            else if (c === '\u2029') out += '\\u2029';
            else {
                if (c === '[') inClass = true;
                else if (c === ']') inClass = false;
                out += c;
            }
        }
        return out;
    }
    getter(proto, 'source', function () {
        if (!isObject(this)) throw new TypeError('RegExp.prototype.source getter called on non-object');
        var st = slotOf(this);
        if (!st) {
            if (this === proto) return '(?:)';
            throw new TypeError('RegExp.prototype.source getter called on non-RegExp object');
        }
        return escapePattern(st.source);
    });

    /* ---- exec ---------------------------------------------------------- */

    function setLastIndex(R, v) {
        R.lastIndex = v; /* strict mode: throws when not writable */
    }

    function builtinExec(R, S, mode) {
        var st = R[SLOT], lastIndex = toLength(R.lastIndex), global = st.g, sticky = st.y, r, idx;
        if (!global && !sticky) lastIndex = 0;
        if (lastIndex > S.length) {
            if (global || sticky) setLastIndex(R, 0);
            return null;
        }
        if (mode === 0) {
            idx = RE.exec(st.source, st.flags, S, lastIndex, 0);
            if (idx < 0 || (sticky && idx !== lastIndex)) {
                if (global || sticky) setLastIndex(R, 0);
                return null;
            }
            if (global || sticky) setLastIndex(R, RE.end);
            return true;
        }
        r = RE.exec(st.source, st.flags, S, lastIndex, st.d ? 3 : 1);
        if (r === null || (sticky && r.index !== lastIndex)) {
            if (global || sticky) setLastIndex(R, 0);
            return null;
        }
        if (global || sticky) setLastIndex(R, RE.end);
        return r;
    }

    var protoExec = function exec(string) {
        var R = this;
        if (!isObject(R) || !slotOf(R)) throw new TypeError('RegExp.prototype.exec called on incompatible receiver');
        return builtinExec(R, toStr(string), 1);
    };
    define(proto, 'exec', protoExec);

    /* RegExpExec; `mode` 0 asks only whether it matched (no array is built
     * when the built-in exec would run). */
    function regExpExec(R, S, mode) {
        var exec = R.exec, res;
        if (typeof exec === 'function' && exec !== protoExec) {
            res = exec.call(R, S);
            if (res !== null && !isObject(res)) throw new TypeError('exec result must be an object or null');
            return res;
        }
        if (!slotOf(R)) throw new TypeError('RegExp exec method called on incompatible receiver');
        return builtinExec(R, S, mode === 0 ? 0 : 1);
    }

    define(proto, 'test', function test(S) {
        var R = this, st = R !== null && typeof R === 'object' ? R[SLOT] : undefined;
        /* The common case in one native call: an instance with the built-in
         * exec, neither global nor sticky, a plain lastIndex. */
        if (st !== undefined && !st.g && !st.y && typeof S === 'string' && R.exec === protoExec &&
            typeof R.lastIndex === 'number' && hasOwn.call(R, SLOT)) {
            return RE.exec(st.source, st.flags, S, 0, 0) >= 0;
        }
        if (!isObject(this)) throw new TypeError('RegExp.prototype.test called on incompatible receiver');
        return regExpExec(this, toStr(S), 0) !== null;
    });

    define(proto, 'toString', function toString() {
        if (!isObject(this)) throw new TypeError('RegExp.prototype.toString called on incompatible receiver');
        return '/' + toStr(this.source) + '/' + toStr(this.flags);
    });

    define(proto, 'compile', function compile(pattern, flags) {
        var st = slotOf(this), P = pattern, F = flags;
        if (!st) throw new TypeError('RegExp.prototype.compile called on incompatible receiver');
        var ps = slotOf(pattern);
        if (ps) {
            if (flags !== undefined) throw new TypeError('Cannot supply flags when constructing one RegExp from another');
            P = ps.source;
            F = ps.flags;
        }
        initialize(this, P, F);
        return this;
    });

    /* ---- Symbol.match / matchAll / replace / search / split ----------- */

    var flagsGetter;
    /* rx.flags, without running the nine getters when rx is an instance
     * with nothing of its own but lastIndex and RegExp.prototype.flags is
     * ours (the answer is then the slot's; redefining the single flag
     * getters on the prototype itself is not seen). */
    function flagsOf(rx) {
        var st = rx[SLOT];
        if (st !== undefined && hasOwn.call(rx, SLOT) && Object.getOwnPropertyNames(rx).length === 1 &&
            hasOwn.call(proto, 'flags') && lookupGetter.call(proto, 'flags') === flagsGetter) {
            return st.canon;
        }
        return toStr(rx.flags);
    }

    /* The slot of rx when what the String methods do with it can be done in
     * one native call without anyone seeing the difference: the built-in
     * exec, the flags as its slot says, not sticky, a plain lastIndex. */
    /* The slot of an untouched instance (nothing of its own but lastIndex,
     * the built-in exec and flags getter, not sticky, a plain lastIndex):
     * the String methods then go straight to the natives. */
    function untouched(rx) {
        var st = rx[SLOT];
        if (st !== undefined && !st.y && hasOwn.call(rx, SLOT) && rx.exec === protoExec &&
            typeof rx.lastIndex === 'number' && Object.getOwnPropertyNames(rx).length === 1 &&
            lookupGetter.call(proto, 'flags') === flagsGetter) {
            return st;
        }
        return undefined;
    }

    function pristine(rx, flags) {
        var st = slotOf(rx);
        if (!st || st.y || flags !== st.canon || rx.exec !== protoExec || typeof rx.lastIndex !== 'number') return null;
        return st;
    }

    function symMatch(string) {
        var rx = this, S, flags, fullUnicode, A, n, result, matchStr;
        if (!isObject(rx)) throw new TypeError('RegExp.prototype[Symbol.match] called on non-object');
        S = toStr(string);
        flags = flagsOf(rx);
        if (flags.indexOf('g') < 0) return regExpExec(rx, S);
        fullUnicode = flags.indexOf('u') >= 0 || flags.indexOf('v') >= 0;
        setLastIndex(rx, 0);
        var st = pristine(rx, flags);
        if (st) {
            A = RE.all(st.source, st.flags, S, fullUnicode);
            setLastIndex(rx, 0);
            return A;
        }
        A = [];
        n = 0;
        for (;;) {
            result = regExpExec(rx, S);
            if (result === null) return n === 0 ? null : A;
            matchStr = toStr(result[0]);
            A[n++] = matchStr;
            if (matchStr === '') setLastIndex(rx, advance(S, toLength(rx.lastIndex), fullUnicode));
        }
    }

    function getSubstitution(matched, str, position, captures, namedCaptures, template) {
        var result = '', i = 0, n = template.length, m = captures.length, tailPos = position + matched.length;
        var j, d, d2, one, two, cap, gt;
        for (;;) {
            j = template.indexOf('$', i);
            if (j < 0 || j + 1 >= n) {
                result += template.slice(i);
                return result;
            }
            result += template.slice(i, j);
            d = template.charAt(j + 1);
            if (d === '$') { result += '$'; i = j + 2; }
            else if (d === '&') { result += matched; i = j + 2; }
            else if (d === '`') { result += str.slice(0, position); i = j + 2; }
            else if (d === "'") { if (tailPos < str.length) result += str.slice(tailPos); i = j + 2; }
            else if (d >= '0' && d <= '9') {
                one = d.charCodeAt(0) - 48;
                d2 = template.charAt(j + 2);
                if (d2 >= '0' && d2 <= '9') {
                    two = one * 10 + d2.charCodeAt(0) - 48;
                    if (two >= 1 && two <= m) {
                        cap = captures[two - 1];
                        if (cap !== undefined) result += cap;
                        i = j + 3;
                        continue;
                    }
                }
                if (one >= 1 && one <= m) {
                    cap = captures[one - 1];
                    if (cap !== undefined) result += cap;
                    i = j + 2;
                } else {
                    result += '$';
                    i = j + 1;
                }
            } else if (d === '<') {
                gt = namedCaptures === undefined ? -1 : template.indexOf('>', j);
                if (gt < 0) {
                    result += '$<';
                    i = j + 2;
                } else {
                    cap = namedCaptures[template.slice(j + 2, gt)];
                    if (cap !== undefined) result += toStr(cap);
                    i = gt + 1;
                }
            } else {
                result += '$';
                i = j + 1;
            }
        }
    }

    function symReplace(string, replaceValue) {
        var rx = this, S, lengthS, functional, flags, global, fullUnicode = false, results = [], result, matchStr;
        if (!isObject(rx)) throw new TypeError('RegExp.prototype[Symbol.replace] called on non-object');
        S = toStr(string);
        lengthS = S.length;
        functional = typeof replaceValue === 'function';
        if (!functional) replaceValue = toStr(replaceValue);
        flags = flagsOf(rx);
        global = flags.indexOf('g') >= 0;
        if (global) {
            fullUnicode = flags.indexOf('u') >= 0 || flags.indexOf('v') >= 0;
            setLastIndex(rx, 0);
        }
        var st = functional ? null : pristine(rx, flags);
        if (st) {
            result = RE.replace(st.source, st.flags, S, replaceValue, global, fullUnicode);
            if (global) setLastIndex(rx, 0);
            return result;
        }
        for (;;) {
            result = regExpExec(rx, S);
            if (result === null) break;
            results.push(result);
            if (!global) break;
            matchStr = toStr(result[0]);
            if (matchStr === '') setLastIndex(rx, advance(S, toLength(rx.lastIndex), fullUnicode));
        }
        var acc = '', next = 0, k, nCaptures, matched, position, captures, namedCaptures, n, capN, args, replacement;
        for (k = 0; k < results.length; k++) {
            result = results[k];
            nCaptures = toLength(result.length) - 1;
            if (nCaptures < 0) nCaptures = 0;
            matched = toStr(result[0]);
            position = toInteger(result.index);
            if (position < 0) position = 0;
            if (position > lengthS) position = lengthS;
            captures = [];
            for (n = 1; n <= nCaptures; n++) {
                capN = result[n];
                if (capN !== undefined) capN = toStr(capN);
                captures.push(capN);
            }
            namedCaptures = result.groups;
            if (functional) {
                args = [matched].concat(captures, [position, S]);
                if (namedCaptures !== undefined) args.push(namedCaptures);
                replacement = toStr(replaceValue.apply(undefined, args));
            } else {
                if (namedCaptures !== undefined) namedCaptures = Object(namedCaptures);
                replacement = getSubstitution(matched, S, position, captures, namedCaptures, replaceValue);
            }
            if (position >= next) {
                acc += S.slice(next, position) + replacement;
                next = position + matched.length;
            }
        }
        return next >= lengthS ? acc : acc + S.slice(next);
    }

    function symSearch(string) {
        var rx = this, S, prev, result, cur;
        if (!isObject(rx)) throw new TypeError('RegExp.prototype[Symbol.search] called on non-object');
        S = toStr(string);
        prev = rx.lastIndex;
        if (!Object.is(prev, 0)) setLastIndex(rx, 0);
        result = regExpExec(rx, S);
        cur = rx.lastIndex;
        if (!Object.is(cur, prev)) setLastIndex(rx, prev);
        return result === null ? -1 : result.index;
    }

    function symSplit(string, limit) {
        var rx = this, S, C, flags, unicodeMatching, newFlags, splitter, A = [], lim, size, p, q, z, e, i, nc;
        if (!isObject(rx)) throw new TypeError('RegExp.prototype[Symbol.split] called on non-object');
        S = toStr(string);
        C = speciesConstructor(rx, Ctor);
        flags = flagsOf(rx);
        unicodeMatching = flags.indexOf('u') >= 0 || flags.indexOf('v') >= 0;
        var rst = slotOf(rx);
        if (C === Ctor && rst && flags === rst.canon && S.length > 0 && protoExec === proto.exec &&
            (lim = limit === undefined ? 4294967295 : limit >>> 0) > 0) {
            /* new RegExp(rx, flags + 'y') would be an instance no one can
             * reach, with the built-in exec: search with rx's own pattern. */
            return RE.split(rst.source, rst.flags.replace('y', ''), S, lim, unicodeMatching);
        }
        newFlags = flags.indexOf('y') >= 0 ? flags : flags + 'y';
        splitter = new C(rx, newFlags);
        lim = limit === undefined ? 4294967295 : limit >>> 0;
        if (lim === 0) return A;
        size = S.length;
        if (size === 0) {
            z = regExpExec(splitter, S);
            if (z !== null) return A;
            A.push(S);
            return A;
        }
        p = 0;
        q = 0;
        var st = slotOf(splitter);
        if (st && splitter.exec === protoExec && typeof splitter.lastIndex === 'number') {
            /* The built-in exec: the first position from q where the sticky
             * splitter matches is where an unanchored search from q first
             * matches, so one native call searches instead of trying every
             * position. */
            A = RE.split(st.source, st.flags.replace('y', ''), S, lim, unicodeMatching);
            splitter.lastIndex = 0;
            return A;
        }
        while (q < size) {
            setLastIndex(splitter, q);
            z = regExpExec(splitter, S);
            if (z === null) {
                q = advance(S, q, unicodeMatching);
                continue;
            }
            e = toLength(splitter.lastIndex);
            if (e > size) e = size;
            if (e === p) {
                q = advance(S, q, unicodeMatching);
                continue;
            }
            A.push(S.slice(p, q));
            if (A.length === lim) return A;
            p = e;
            nc = toLength(z.length) - 1;
            for (i = 1; i <= nc; i++) {
                A.push(z[i]);
                if (A.length === lim) return A;
            }
            q = p;
        }
        A.push(S.slice(p, size));
        return A;
    }

    var IteratorProto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
    var RSIProto = Object.create(IteratorProto);
    define(RSIProto, 'next', function next() {
        var it = this, m;
        if (!isObject(it) || !hasOwn.call(it, SLOT)) throw new TypeError('next method called on incompatible receiver');
        it = it[SLOT];
        if (it.done) return { value: undefined, done: true };
        m = regExpExec(it.r, it.s);
        if (m === null) {
            it.done = true;
            return { value: undefined, done: true };
        }
        if (!it.g) {
            it.done = true;
            return { value: m, done: false };
        }
        if (toStr(m[0]) === '') setLastIndex(it.r, advance(it.s, toLength(it.r.lastIndex), it.u));
        return { value: m, done: false };
    });
    Object.defineProperty(RSIProto, Symbol.toStringTag, { value: 'RegExp String Iterator', configurable: true });

    function symMatchAll(string) {
        var R = this, S, C, flags, matcher, it;
        if (!isObject(R)) throw new TypeError('RegExp.prototype[Symbol.matchAll] called on non-object');
        S = toStr(string);
        C = speciesConstructor(R, Ctor);
        flags = flagsOf(R);
        matcher = new C(R, flags);
        setLastIndex(matcher, toLength(R.lastIndex));
        it = Object.create(RSIProto);
        it[SLOT] = { r: matcher, s: S, g: flags.indexOf('g') >= 0, u: flags.indexOf('u') >= 0 || flags.indexOf('v') >= 0, done: false };
        return it;
    }

    function defineSym(o, sym, name, f) {
        Object.defineProperty(f, 'name', { value: '[Symbol.' + name + ']', configurable: true });
        define(o, sym, f);
    }
    defineSym(proto, S_MATCH, 'match', symMatch);
    defineSym(proto, S_MATCHALL, 'matchAll', symMatchAll);
    defineSym(proto, S_REPLACE, 'replace', symReplace);
    defineSym(proto, S_SEARCH, 'search', symSearch);
    defineSym(proto, S_SPLIT, 'split', symSplit);

    /* Duktape RegExp objects from code built at run time: the same protocol
     * through their own exec (no named groups, ES5 syntax). */
    function nativeExec(R, S) {
        return NativeProto.exec.call(R, S);
    }
    function viaNative(f) {
        return function (a, b) {
            var R = this;
            if (isNativeRegExp(R)) {
                var copy = create(R.source, (R.global ? 'g' : '') + (R.ignoreCase ? 'i' : '') + (R.multiline ? 'm' : ''));
                copy.lastIndex = R.lastIndex;
                var r = f.call(copy, a, b);
                R.lastIndex = copy.lastIndex;
                return r;
            }
            return f.call(R, a, b);
        };
    }
    void nativeExec;
    define(NativeProto, S_MATCH, viaNative(symMatch));
    define(NativeProto, S_MATCHALL, viaNative(symMatchAll));
    define(NativeProto, S_REPLACE, viaNative(symReplace));
    define(NativeProto, S_SEARCH, viaNative(symSearch));
    define(NativeProto, S_SPLIT, viaNative(symSplit));

    /* ---- RegExp.escape ------------------------------------------------- */

    function hex(c, w) {
        var h = c.toString(16);
        while (h.length < w) h = '0' + h;
        return h;
    }
    var SYNTAX = '^$\\.*+?()[]{}|/', OTHER = ',-=<>#&!%:;@~\'`"';
    var CONTROL = { 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r' };
    function isSpace(c) {
        return c === 0x20 || c === 0xA0 || c === 0xFEFF || c === 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
            c === 0x202F || c === 0x205F || c === 0x3000 || c === 0x2028 || c === 0x2029;
    }
    define(Ctor, 'escape', function escape(S) {
        if (typeof S !== 'string') throw new TypeError('RegExp.escape requires a string');
        var out = '', i, c, ch, lo;
        for (i = 0; i < S.length; i++) {
            c = S.charCodeAt(i);
            ch = S.charAt(i);
            if (i === 0 && ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) {
                out += '\\x' + hex(c, 2);
            } else if (SYNTAX.indexOf(ch) >= 0) {
                out += '\\' + ch;
            } else if (CONTROL[c]) {
                out += '\\' + CONTROL[c];
            } else if (OTHER.indexOf(ch) >= 0 || isSpace(c)) {
                out += c <= 0xFF ? '\\x' + hex(c, 2) : '\\u' + hex(c, 4);
            } else if (c >= 0xD800 && c <= 0xDFFF) {
                lo = S.charCodeAt(i + 1);
                if (c <= 0xDBFF && lo >= 0xDC00 && lo <= 0xDFFF) {
                    out += ch + S.charAt(i + 1);
                    i++;
                } else {
                    out += '\\u' + hex(c, 4);
                }
            } else {
                out += ch;
            }
        }
        return out;
    });

    /* ---- String.prototype ---------------------------------------------- */

    define(SP, 'match', function match(regexp) {
        var O = this, m, rx, st;
        if (typeof O === 'string' && regexp !== null && typeof regexp === 'object' && regexp[S_MATCH] === symMatch &&
            (st = untouched(regexp)) !== undefined) {
            if (!st.g) return RE.exec(st.source, st.flags, O, 0, st.d ? 3 : 1);
            regexp.lastIndex = 0;
            m = RE.all(st.source, st.flags, O, st.u || st.v);
            regexp.lastIndex = 0;
            return m;
        }
        O = coercible(O, 'match');
        if (regexp !== undefined && regexp !== null) {
            m = getMethod(regexp, S_MATCH);
            if (m !== undefined) return m.call(regexp, O);
        }
        rx = create(regexp, undefined);
        return rx[S_MATCH](toStr(O));
    });

    define(SP, 'matchAll', function matchAll(regexp) {
        var O = coercible(this, 'matchAll'), m, flags, rx;
        if (regexp !== undefined && regexp !== null) {
            if (isRegExp(regexp)) {
                flags = regexp.flags;
                if (flags === undefined || flags === null) throw new TypeError('flags is null or undefined');
                if (toStr(flags).indexOf('g') < 0) throw new TypeError('String.prototype.matchAll called with a non-global RegExp argument');
            }
            m = getMethod(regexp, S_MATCHALL);
            if (m !== undefined) return m.call(regexp, O);
        }
        var S = toStr(O);
        rx = create(regexp, 'g');
        return rx[S_MATCHALL](S);
    });

    define(SP, 'search', function search(regexp) {
        var O = coercible(this, 'search'), m, rx;
        if (regexp !== undefined && regexp !== null) {
            m = getMethod(regexp, S_SEARCH);
            if (m !== undefined) return m.call(regexp, O);
        }
        var S = toStr(O);
        rx = create(regexp, undefined);
        return rx[S_SEARCH](S);
    });

    define(SP, 'replace', function replace(searchValue, replaceValue) {
        var O = this, m, string, searchString, functional, pos, replacement, st;
        if (typeof O === 'string' && typeof replaceValue === 'string') {
            /* 'a.b'.replace('.', 'x'): Duktape's own replace is exact for a
             * string pattern (no captures, so no $<name> either). */
            if (typeof searchValue === 'string' && searchValue[S_REPLACE] === undefined) {
                return nativeReplace.call(O, searchValue, replaceValue);
            }
            if (searchValue !== null && typeof searchValue === 'object' && searchValue[S_REPLACE] === symReplace &&
                (st = untouched(searchValue)) !== undefined) {
                if (st.g) searchValue.lastIndex = 0;
                m = RE.replace(st.source, st.flags, O, replaceValue, st.g, st.u || st.v);
                if (st.g) searchValue.lastIndex = 0;
                return m;
            }
        }
        O = coercible(O, 'replace');
        if (searchValue !== undefined && searchValue !== null) {
            m = getMethod(searchValue, S_REPLACE);
            if (m !== undefined) return m.call(searchValue, O, replaceValue);
        }
        string = toStr(O);
        searchString = toStr(searchValue);
        functional = typeof replaceValue === 'function';
        if (!functional) replaceValue = toStr(replaceValue);
        pos = string.indexOf(searchString);
        if (pos < 0) return string;
        replacement = functional ? toStr(replaceValue(searchString, pos, string))
            : (replaceValue.indexOf('$') < 0 ? replaceValue : getSubstitution(searchString, string, pos, [], undefined, replaceValue));
        return string.slice(0, pos) + replacement + string.slice(pos + searchString.length);
    });

    define(SP, 'replaceAll', function replaceAll(searchValue, replaceValue) {
        var O = coercible(this, 'replaceAll'), m, flags, string, searchString, functional, searchLength, advanceBy,
            positions = [], position, end = 0, result = '', k, p, replacement;
        if (searchValue !== undefined && searchValue !== null) {
            if (isRegExp(searchValue)) {
                flags = searchValue.flags;
                if (flags === undefined || flags === null) throw new TypeError('flags is null or undefined');
                if (toStr(flags).indexOf('g') < 0) throw new TypeError('String.prototype.replaceAll called with a non-global RegExp argument');
            }
            m = getMethod(searchValue, S_REPLACE);
            if (m !== undefined) return m.call(searchValue, O, replaceValue);
        }
        string = toStr(O);
        searchString = toStr(searchValue);
        functional = typeof replaceValue === 'function';
        if (!functional) replaceValue = toStr(replaceValue);
        searchLength = searchString.length;
        advanceBy = searchLength > 1 ? searchLength : 1;
        position = string.indexOf(searchString, 0);
        while (position !== -1) {
            positions.push(position);
            position = position + advanceBy > string.length ? -1 : string.indexOf(searchString, position + advanceBy);
        }
        for (k = 0; k < positions.length; k++) {
            p = positions[k];
            replacement = functional ? toStr(replaceValue(searchString, p, string))
                : getSubstitution(searchString, string, p, [], undefined, replaceValue);
            result += string.slice(end, p) + replacement;
            end = p + searchLength;
        }
        if (end < string.length) result += string.slice(end);
        return result;
    });

    define(SP, 'split', function split(separator, limit) {
        var O = this, m, S, lim, R;
        if (O === null || O === undefined) coercible(O, 'split');
        /* 'a,b'.split(','): Duktape's own split, once no @@split is in the way */
        if (typeof separator === 'string' && typeof O === 'string' && limit === undefined &&
            separator[S_SPLIT] === undefined) {
            return nativeSplit.call(O, separator);
        }
        if (separator !== undefined && separator !== null) {
            m = getMethod(separator, S_SPLIT);
            if (m !== undefined) return m.call(separator, O, limit);
        }
        S = toStr(O);
        lim = limit === undefined ? 4294967295 : limit >>> 0;
        R = toStr(separator);
        if (lim === 0) return [];
        if (separator === undefined) return [S];
        return nativeSplit.call(S, R, lim);
    });

    define(G, 'RegExp', Ctor);
    /* What a regex literal evaluates to (worker/lower/src/regex_literals.rs):
     * a new instance each time; source and flags are string literals the
     * lowering checked, so the memo nearly always has them. */
    Object.defineProperty(G, '__cw_regexp', {
        value: function (source, flags) {
            var t = memo[flags + '/' + source], o;
            if (t === undefined) return create(source, flags);
            o = /(?:)/;
            Object.setPrototypeOf(o, proto);
            o[SLOT] = t;
            return o;
        },
        writable: false, enumerable: false, configurable: false
    });
})(globalThis, rt);
