/*
 * typed-array.js -- Duktape 2.7's typed arrays have only set/subarray on
 * %TypedArray%.prototype; this adds the Array-like methods (fill, slice,
 * indexOf, includes, join, forEach, map, filter, reduce, sort, at, ...) and
 * the static from/of on each constructor, so byte-handling code runs.
 * Iterators come from iterator.js.
 */
(function (G) {
    'use strict';
    var AP = Array.prototype;
    var TAP = Object.getPrototypeOf(Uint8Array.prototype);
    var CTORS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array,
        Int32Array, Uint32Array, Float32Array, Float64Array];

    /* Installs v as a non-enumerable method unless the engine has its own
     * (an own data property); replaces the host's lazy-load accessor. */
    var D = { value: undefined, writable: true, enumerable: false, configurable: true };
    function define(o, k, v) {
        var d = Object.getOwnPropertyDescriptor(o, k);
        if (d && 'value' in d) return;
        D.value = v;
        Object.defineProperty(o, k, D);
    }

    /* Generic Array methods that read or write elements in place work as is. */
    ['indexOf', 'lastIndexOf', 'includes', 'join', 'forEach', 'every', 'some', 'reduce',
        'reduceRight', 'reverse', 'find', 'findIndex', 'findLast', 'findLastIndex', 'fill',
        'copyWithin', 'at'].forEach(function (k) {
        if (AP[k]) define(TAP, k, AP[k]);
    });
    define(TAP, 'toString', AP.toString);
    define(TAP, 'toLocaleString', AP.toLocaleString);

    function create(ta, n) {
        return new ta.constructor(n);
    }
    define(TAP, 'map', function map(fn, thisArg) {
        var len = this.length, out = create(this, len), i;
        for (i = 0; i < len; i++) out[i] = fn.call(thisArg, this[i], i, this);
        return out;
    });
    define(TAP, 'filter', function filter(fn, thisArg) {
        var kept = [], len = this.length, i, out;
        for (i = 0; i < len; i++) if (fn.call(thisArg, this[i], i, this)) kept.push(this[i]);
        out = create(this, kept.length);
        for (i = 0; i < kept.length; i++) out[i] = kept[i];
        return out;
    });
    define(TAP, 'slice', function slice(start, end) {
        var part = AP.slice.call(this, start, end), out = create(this, part.length), i;
        for (i = 0; i < part.length; i++) out[i] = part[i];
        return out;
    });
    function numeric(a, b) {
        if (a !== a) return b !== b ? 0 : 1;
        if (b !== b) return -1;
        if (a === 0 && b === 0) return 1 / a < 0 ? (1 / b < 0 ? 0 : -1) : (1 / b < 0 ? 1 : 0);
        return a - b;
    }
    define(TAP, 'sort', function sort(cmp) {
        var tmp = AP.slice.call(this), i;
        tmp.sort(cmp === undefined ? numeric : cmp);
        for (i = 0; i < tmp.length; i++) this[i] = tmp[i];
        return this;
    });
    define(TAP, 'toSorted', function toSorted(cmp) {
        return this.slice().sort(cmp);
    });
    define(TAP, 'toReversed', function toReversed() {
        return this.slice().reverse();
    });
    /* ES2023 %TypedArray%.prototype.with: a copy with one element replaced.
     * The value is converted before the index is checked, as specified
     * (a BigInt array would convert with ToBigInt; Duktape has none). */
    var WITH = function (index, value) {
        var len = this.length, rel = Math.trunc(+index) || 0, at = rel < 0 ? len + rel : rel;
        var v = +value;
        if (at < 0 || at >= len) throw new RangeError('Invalid typed array index');
        var out = this.slice();
        out[at] = v;
        return out;
    };
    Object.defineProperty(WITH, 'name', { value: 'with', configurable: true });
    define(TAP, 'with', WITH);

    function from(src, mapFn, thisArg) {
        var arr = Array.from(src, mapFn, thisArg), out = new this(arr.length), i;
        for (i = 0; i < arr.length; i++) out[i] = arr[i];
        return out;
    }
    function of() {
        return from.call(this, arguments);
    }
    CTORS.forEach(function (C) {
        define(C, 'from', from);
        define(C, 'of', of);
    });
})(globalThis);
