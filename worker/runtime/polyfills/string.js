/*
 * string.js -- the String built-ins newer than Duktape 2.7: padStart/padEnd,
 * at, trimStart/trimEnd (and their trimLeft/trimRight aliases) and
 * String.raw (replaceAll and matchAll are in regexp.js). codePointAt and String.fromCodePoint are native.
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

    define(String, 'raw', function raw(template) {
        var r = Object(Object(template).raw), len = r.length >>> 0, out = '', i;
        for (i = 0; i < len; i++) {
            out += String(r[i]);
            if (i + 1 < len && i + 1 < arguments.length) out += String(arguments[i + 1]);
        }
        return out;
    });
})(globalThis, rt);
