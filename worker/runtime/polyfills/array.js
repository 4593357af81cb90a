/*
 * array.js -- the Array built-ins newer than Duktape 2.7 (ES2015 to ES2023):
 * Array.from/of and Array.prototype includes, find*, findLast*, flat,
 * flatMap, at, fill, copyWithin, toSorted, toReversed, toSpliced, with.
 * Each is installed only when missing, as a non-enumerable method.
 *
 * Array.prototype.sort is not here: Duktape's is not stable, and ES2019
 * requires stability, so the host replaces it with a merge sort in C
 * (worker/cw_sort.c).
 */
(function (G, rt) {
    'use strict';
    var AP = Array.prototype;
    var ITER = Symbol.iterator;

    /* Installs v as a non-enumerable method unless the engine has its own
     * (an own data property); replaces the host's lazy-load accessor. */
    var D = { value: undefined, writable: true, enumerable: false, configurable: true };
    function define(o, k, v) {
        var d = Object.getOwnPropertyDescriptor(o, k);
        if (d && 'value' in d) return;
        D.value = v;
        Object.defineProperty(o, k, D);
    }
    function toObject(v) {
        if (v === null || v === undefined) throw new TypeError('Array.prototype method called on null or undefined');
        return Object(v);
    }
    function toInt(v) {
        var n = +v;
        if (n !== n) return 0;
        if (n === 0 || n === Infinity || n === -Infinity) return n;
        return n < 0 ? Math.ceil(n) : Math.floor(n);
    }
    function toLength(v) {
        var n = toInt(v);
        return n <= 0 ? 0 : Math.min(n, 9007199254740991);
    }
    /* Clamps a relative index (negative counts from the end) into [0, len]. */
    function rel(v, len, dflt) {
        var n = v === undefined ? dflt : toInt(v);
        if (n < 0) return Math.max(len + n, 0);
        return Math.min(n, len);
    }
    function callable(f, who) {
        if (typeof f !== 'function') throw new TypeError(who + ': ' + f + ' is not a function');
        return f;
    }
    function isConstructor(C) {
        return typeof C === 'function' && C !== Array && C.prototype !== undefined;
    }

    define(Array, 'from', function from(items, mapFn, thisArg) {
        var C = this, out, i, it, step, v, len, src;
        if (mapFn !== undefined) callable(mapFn, 'Array.from');
        if (items === null || items === undefined) throw new TypeError('Array.from: ' + items + ' is not iterable');
        out = isConstructor(C) ? new C() : [];
        if (typeof items[ITER] === 'function' && !(AP[ITER] === items[ITER] && Array.isArray(items))) {
            it = items[ITER]();
            for (i = 0; !(step = it.next()).done; i++) {
                v = step.value;
                if (mapFn) {
                    try {
                        v = mapFn.call(thisArg, v, i);
                    } catch (e) {
                        if (typeof it['return'] === 'function') it['return']();
                        throw e;
                    }
                }
                out[i] = v;
            }
            out.length = i;
            return out;
        }
        src = Object(items);
        len = toInt(src.length);
        if (len < 0) len = 0;
        if (isConstructor(C)) out = new C(len);
        for (i = 0; i < len; i++) out[i] = mapFn ? mapFn.call(thisArg, src[i], i) : src[i];
        out.length = len;
        return out;
    });

    define(Array, 'of', function of() {
        var C = this, n = arguments.length, out = isConstructor(C) ? new C(n) : new Array(n), i;
        for (i = 0; i < n; i++) out[i] = arguments[i];
        out.length = n;
        return out;
    });

    define(AP, 'includes', function includes(search, fromIndex) {
        var o = toObject(this), len = o.length >>> 0, i = rel(fromIndex, len, 0), v;
        for (; i < len; i++) {
            v = o[i];
            if (v === search || (v !== v && search !== search)) return true;
        }
        return false;
    });

    function finder(fromEnd, wantIndex, name) {
        return function (pred, thisArg) {
            var o = toObject(this), len = o.length >>> 0, i, v;
            callable(pred, name);
            for (i = fromEnd ? len - 1 : 0; fromEnd ? i >= 0 : i < len; i += fromEnd ? -1 : 1) {
                v = o[i];
                if (pred.call(thisArg, v, i, o)) return wantIndex ? i : v;
            }
            return wantIndex ? -1 : undefined;
        };
    }
    define(AP, 'find', finder(false, false, 'find'));
    define(AP, 'findIndex', finder(false, true, 'findIndex'));
    define(AP, 'findLast', finder(true, false, 'findLast'));
    define(AP, 'findLastIndex', finder(true, true, 'findLastIndex'));

    function flatten(out, src, depth) {
        var len = src.length >>> 0, i, v;
        for (i = 0; i < len; i++) {
            if (!(i in src)) continue;
            v = src[i];
            if (depth > 0 && Array.isArray(v)) flatten(out, v, depth - 1);
            else out.push(v);
        }
        return out;
    }
    define(AP, 'flat', function flat(depth) {
        var d = depth === undefined ? 1 : toInt(depth);
        return flatten([], toObject(this), d);
    });
    define(AP, 'flatMap', function flatMap(fn, thisArg) {
        var o = toObject(this), len = o.length >>> 0, out = [], i, v;
        callable(fn, 'flatMap');
        for (i = 0; i < len; i++) {
            if (!(i in o)) continue;
            v = fn.call(thisArg, o[i], i, o);
            if (Array.isArray(v)) flatten(out, v, 0);
            else out.push(v);
        }
        return out;
    });

    define(AP, 'at', function at(index) {
        var o = toObject(this), len = o.length >>> 0, k = toInt(index);
        if (k < 0) k += len;
        return k < 0 || k >= len ? undefined : o[k];
    });

    define(AP, 'fill', function fill(value, start, end) {
        var o = toObject(this), len = o.length >>> 0, i = rel(start, len, 0), e = rel(end, len, len);
        for (; i < e; i++) o[i] = value;
        return o;
    });

    define(AP, 'copyWithin', function copyWithin(target, start, end) {
        var o = toObject(this), len = o.length >>> 0;
        var to = rel(target, len, 0), from = rel(start, len, 0), fin = rel(end, len, len);
        var count = Math.min(fin - from, len - to), dir = 1;
        if (from < to && to < from + count) {
            dir = -1;
            from += count - 1;
            to += count - 1;
        }
        for (; count > 0; count--, from += dir, to += dir) {
            if (from in o) o[to] = o[from];
            else delete o[to];
        }
        return o;
    });

    /* Array.prototype.sort is native (worker/cw_sort.c): a stable merge sort. */

    /* Dense copy: holes read as undefined, as the change-by-copy methods do. */
    function copy(o) {
        var len = toLength(o.length), out, i;
        if (len > 4294967295) throw new RangeError('Invalid array length');
        out = new Array(len);
        for (i = 0; i < len; i++) out[i] = o[i];
        return out;
    }
    define(AP, 'toReversed', function toReversed() {
        return copy(toObject(this)).reverse();
    });
    define(AP, 'toSorted', function toSorted(cmp) {
        if (cmp !== undefined) callable(cmp, 'toSorted');
        return copy(toObject(this)).sort(cmp);
    });
    /* As specified: no arguments remove nothing (Duktape's splice() with
     * no deleteCount removes to the end); reads each kept element once. */
    define(AP, 'toSpliced', function toSpliced(start, skipCount) {
        var O = toObject(this), len = toLength(O.length), s = toInt(start), n = arguments.length, skip, items, outLen, out, i, k;
        s = s < 0 ? Math.max(len + s, 0) : Math.min(s, len);
        items = n > 2 ? AP.slice.call(arguments, 2) : [];
        skip = n === 0 ? 0 : n === 1 ? len - s : Math.min(Math.max(toInt(skipCount), 0), len - s);
        outLen = len + items.length - skip;
        if (outLen > 9007199254740991) throw new TypeError('Invalid array length');
        out = new Array(outLen);
        for (i = 0; i < s; i++) out[i] = O[i];
        for (k = 0; k < items.length; k++) out[i++] = items[k];
        for (k = s + skip; k < len; k++) out[i++] = O[k];
        return out;
    });
    define(AP, 'with', function (index, value) {
        var out = copy(toObject(this)), k = toInt(index);
        if (k < 0) k += out.length;
        if (k < 0 || k >= out.length) throw new RangeError('Invalid index : ' + index);
        out[k] = value;
        return out;
    });
})(globalThis, rt);
