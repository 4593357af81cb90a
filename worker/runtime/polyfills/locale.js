/*
 * locale.js -- the locale-sensitive methods of Number and Date, routed to the
 * Intl subset (intl.js). Referencing the Intl global is what loads that group,
 * so jobs that never format pay nothing for it.
 *
 * Also String.prototype.localeCompare: Duktape compares code units, so
 * ['b', 'A', 'a'] sorted 'A', 'a', 'b' -- unlike every ICU-backed engine.
 * rt.collate approximates the root collation: punctuation and symbols before
 * digits before letters; letters compared case- and accent-blind first
 * (Latin-1 accents fold to their base letter), then accents, then lower case
 * before upper case. Options: sensitivity, numeric, ignorePunctuation.
 * Intl.Collator uses the same function.
 */
(function (G, rt) {
    'use strict';
    function define(o, k, v) {
        Object.defineProperty(o, k, { value: v, writable: true, enumerable: false, configurable: true });
    }
    function thisNumber(v) {
        if (typeof v === 'number') return v;
        if (v instanceof Number) return v.valueOf();
        throw new TypeError('Number.prototype.toLocaleString requires that \'this\' be a Number');
    }
    define(Number.prototype, 'toLocaleString', function toLocaleString(locales, options) {
        return new G.Intl.NumberFormat(locales, options).format(thisNumber(this));
    });

    function dateMethod(name, defaults) {
        define(Date.prototype, name, function (locales, options) {
            if (!(this instanceof Date)) throw new TypeError('Date.prototype.' + name + ' called on incompatible receiver');
            var Intl = G.Intl; /* loads intl.js, which sets rt.formatDate */
            if (rt.formatDate) return rt.formatDate(this, locales, options, defaults);
            return new Intl.DateTimeFormat(locales, options).format(this);
        });
    }
    dateMethod('toLocaleString', 'any');
    dateMethod('toLocaleDateString', 'date');
    dateMethod('toLocaleTimeString', 'time');

    var FOLD = null;
    function foldTable() {
        var src = ['\u00c0\u00c1\u00c2\u00c3\u00c4\u00c5\u00e0\u00e1\u00e2\u00e3\u00e4\u00e5a',
            '\u00c7\u00e7c', '\u00c8\u00c9\u00ca\u00cb\u00e8\u00e9\u00ea\u00ebe',
            '\u00cc\u00cd\u00ce\u00cf\u00ec\u00ed\u00ee\u00efi', '\u00d1\u00f1n',
            '\u00d2\u00d3\u00d4\u00d5\u00d6\u00d8\u00f2\u00f3\u00f4\u00f5\u00f6\u00f8o',
            '\u00d9\u00da\u00db\u00dc\u00f9\u00fa\u00fb\u00fcu', '\u00dd\u00fd\u00ffy'];
        var t = {}, i, j, row;
        for (i = 0; i < src.length; i++) {
            row = src[i];
            for (j = 0; j < row.length - 1; j++) t[row.charAt(j)] = row.charAt(row.length - 1);
        }
        return t;
    }

    /* Collation elements: [class, primary, accent, case] per character, or a
     * whole digit run when numeric. */
    function elements(s, numeric, ignorePunct) {
        var out = [], i = 0, c, lower, base, cls, j;
        if (!FOLD) FOLD = foldTable();
        while (i < s.length) {
            c = s.charAt(i);
            if (numeric && c >= '0' && c <= '9') {
                for (j = i; j < s.length && s.charAt(j) >= '0' && s.charAt(j) <= '9'; j++);
                base = s.slice(i, j).replace(/^0+(?=.)/, '');
                out.push([1, base.length + ':' + base, '', 0]);
                i = j;
                continue;
            }
            lower = c.toLowerCase();
            base = FOLD[lower] || lower;
            cls = /[0-9]/.test(c) ? 1 : base.toUpperCase() !== base || /[a-z]/.test(base) || c.charCodeAt(0) > 0x2af ? 2 : 0;
            i++;
            if (cls === 0 && ignorePunct) continue;
            out.push([cls, base, lower === base ? '' : lower, c === lower ? 0 : 1]);
        }
        return out;
    }

    function cmp(a, b) {
        return a < b ? -1 : a > b ? 1 : 0;
    }

    rt.collate = function (a, b, r) {
        var sens = r.sensitivity || 'variant', x, y, n, i, level, d;
        if (a === b) return 0;
        x = elements(a, r.numeric, r.ignorePunctuation);
        y = elements(b, r.numeric, r.ignorePunctuation);
        n = Math.min(x.length, y.length);
        /* Level 1 (class, then base letter), 2 accents, 3 case. */
        for (level = 1; level < 4; level++) {
            if (level === 2 && (sens === 'base' || sens === 'case')) continue;
            if (level === 3 && (sens === 'base' || sens === 'accent')) break;
            for (i = 0; i < n; i++) {
                d = (level === 1 && x[i][0] - y[i][0]) || cmp(x[i][level], y[i][level]);
                if (d) return d < 0 ? -1 : 1;
            }
            if (level === 1 && x.length !== y.length) return x.length < y.length ? -1 : 1;
        }
        return sens === 'variant' ? cmp(a, b) : 0;
    };

    define(String.prototype, 'localeCompare', function localeCompare(that, locales, options) {
        var o = options === undefined ? {} : Object(options);
        if (this === null || this === undefined) throw new TypeError('String.prototype.localeCompare called on null or undefined');
        return rt.collate(String(this), String(that), {
            sensitivity: o.sensitivity, numeric: Boolean(o.numeric), ignorePunctuation: Boolean(o.ignorePunctuation)
        });
    });
})(globalThis, rt);
