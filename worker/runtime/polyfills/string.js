/*
 * string.js -- the String built-ins newer than Duktape 2.7: padStart/padEnd,
 * replaceAll, at, trimStart/trimEnd (and their trimLeft/trimRight aliases),
 * matchAll and String.raw. codePointAt and String.fromCodePoint are native.
 */
(function (G, rt) {
    'use strict';
    var SP = String.prototype;

    /* Installs v as a non-enumerable method unless the engine has its own
     * (an own data property); replaces the host's lazy-load accessor. */
    var D = { value: undefined, writable: true, enumerable: false, configurable: true };
    function define(o, k, v) {
        var d = Object.getOwnPropertyDescriptor(o, k);
        if (d && 'value' in d) return;
        D.value = v;
        Object.defineProperty(o, k, D);
    }
    function str(v, who) {
        if (v === null || v === undefined) throw new TypeError('String.prototype.' + who + ' called on null or undefined');
        return String(v);
    }
    function toInt(v) {
        var n = +v;
        if (n !== n) return 0;
        if (n === 0 || n === Infinity || n === -Infinity) return n;
        return n < 0 ? Math.ceil(n) : Math.floor(n);
    }

    function pad(s, maxLength, fill, atStart) {
        var len = toInt(maxLength), f = fill === undefined ? ' ' : String(fill), need, p;
        if (len <= s.length || f === '') return s;
        need = len - s.length;
        p = f.repeat(Math.ceil(need / f.length)).slice(0, need);
        return atStart ? p + s : s + p;
    }
    define(SP, 'padStart', function padStart(maxLength, fill) {
        return pad(str(this, 'padStart'), maxLength, fill, true);
    });
    define(SP, 'padEnd', function padEnd(maxLength, fill) {
        return pad(str(this, 'padEnd'), maxLength, fill, false);
    });

    define(SP, 'at', function at(index) {
        var s = str(this, 'at'), k = toInt(index);
        if (k < 0) k += s.length;
        return k < 0 || k >= s.length ? undefined : s.charAt(k);
    });

    /* Duktape's trim() strips the ES whitespace set; reuse its regexes. */
    var LEAD = /^[\s\uFEFF\xA0]+/, TRAIL = /[\s\uFEFF\xA0]+$/;
    define(SP, 'trimStart', function trimStart() { return str(this, 'trimStart').replace(LEAD, ''); });
    define(SP, 'trimEnd', function trimEnd() { return str(this, 'trimEnd').replace(TRAIL, ''); });
    define(SP, 'trimLeft', SP.trimStart);
    define(SP, 'trimRight', SP.trimEnd);

    function requireGlobal(re, who) {
        var flags = re.flags !== undefined ? String(re.flags) :
            (re.global ? 'g' : '') + (re.ignoreCase ? 'i' : '') + (re.multiline ? 'm' : '');
        if (flags.indexOf('g') < 0) throw new TypeError('String.prototype.' + who + ' called with a non-global RegExp argument');
        return flags;
    }

    /* GetSubstitution: $$, $&, $`, $' and $n/$nn in a replacement string. */
    function substitute(matched, s, pos, captures, repl) {
        return repl.replace(/\$([$&`']|\d\d?)/g, function (all, c) {
            var n, m;
            if (c === '$') return '$';
            if (c === '&') return matched;
            if (c === '`') return s.slice(0, pos);
            if (c === "'") return s.slice(pos + matched.length);
            n = +c;
            if (c.length === 2) {
                if (n >= 1 && n <= captures.length) {
                    m = captures[n - 1];
                    return m === undefined ? '' : m;
                }
                c = c.charAt(0);
                n = +c;
                if (n >= 1 && n <= captures.length) {
                    m = captures[n - 1];
                    return (m === undefined ? '' : m) + all.charAt(2);
                }
                return all;
            }
            if (n >= 1 && n <= captures.length) {
                m = captures[n - 1];
                return m === undefined ? '' : m;
            }
            return all;
        });
    }

    define(SP, 'replaceAll', function replaceAll(search, replacement) {
        var s = str(this, 'replaceAll'), needle, fn, out, pos, last, step;
        if (search instanceof RegExp) {
            requireGlobal(search, 'replaceAll');
            return s.replace(search, replacement);
        }
        needle = String(search);
        fn = typeof replacement === 'function';
        if (!fn) replacement = String(replacement);
        step = needle.length || 1;
        out = '';
        last = 0;
        pos = s.indexOf(needle, 0);
        while (pos !== -1) {
            out += s.slice(last, pos) +
                (fn ? String(replacement(needle, pos, s)) : substitute(needle, s, pos, [], replacement));
            last = pos + needle.length;
            pos = pos + step > s.length ? -1 : s.indexOf(needle, pos + step);
        }
        return out + s.slice(last);
    });

    function RegExpStringIterator(re, s, global) {
        this._r = re;
        this._s = s;
        this._g = global;
        this._done = false;
    }
    RegExpStringIterator.prototype = Object.create(Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));
    define(RegExpStringIterator.prototype, 'next', function next() {
        var m;
        if (this._done) return { value: undefined, done: true };
        m = this._r.exec(this._s);
        if (m === null) {
            this._done = true;
            return { value: undefined, done: true };
        }
        if (!this._g) this._done = true;
        else if (m[0] === '') this._r.lastIndex = this._r.lastIndex + 1;
        return { value: m, done: false };
    });
    Object.defineProperty(RegExpStringIterator.prototype, Symbol.toStringTag,
        { value: 'RegExp String Iterator', configurable: true });

    define(SP, 'matchAll', function matchAll(regexp) {
        var s = str(this, 'matchAll'), flags, re;
        if (regexp instanceof RegExp) {
            flags = requireGlobal(regexp, 'matchAll');
            re = new RegExp(regexp.source, flags);
            re.lastIndex = regexp.lastIndex;
        } else {
            re = new RegExp(regexp === undefined ? '(?:)' : regexp, 'g');
        }
        return new RegExpStringIterator(re, s, true);
    });

    define(String, 'raw', function raw(template) {
        var r = Object(Object(template).raw), len = r.length >>> 0, out = '', i;
        for (i = 0; i < len; i++) {
            out += String(r[i]);
            if (i + 1 < len && i + 1 < arguments.length) out += String(arguments[i + 1]);
        }
        return out;
    });
})(globalThis, rt);
