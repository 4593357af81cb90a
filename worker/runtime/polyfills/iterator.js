/*
 * iterator.js -- the iteration protocol for the built-ins Duktape 2.7 ships
 * without it: %IteratorPrototype%, Array.prototype keys/values/entries and
 * [Symbol.iterator] (also on typed arrays), and the code-point iterator of
 * String.prototype. Lowered for-of loops, spread and Array.from rely on it.
 *
 * Other groups reach %IteratorPrototype% as the prototype of the prototype
 * of [][Symbol.iterator](), which loads this group when needed.
 */
(function (G, rt) {
    'use strict';
    var ITER = Symbol.iterator;
    var TAG = Symbol.toStringTag;

    /* Installs v as a non-enumerable method unless the engine has its own
     * (an own data property); replaces the host's lazy-load accessor. */
    var D = { value: undefined, writable: true, enumerable: false, configurable: true };
    function define(o, k, v) {
        var d = Object.getOwnPropertyDescriptor(o, k);
        if (d && 'value' in d) return;
        D.value = v;
        Object.defineProperty(o, k, D);
    }

    function toObject(v, who) {
        if (v === null || v === undefined) throw new TypeError(who + ' called on null or undefined');
        return Object(v);
    }

    var IteratorPrototype = {};
    define(IteratorPrototype, ITER, function () { return this; });

    /* The iterator helpers (iterator-helpers.js, group iterhelpers) load
     * with the global Iterator; until then each helper name here is an
     * accessor that touches it, so [].values().map(f) loads them too. One
     * getter/setter pair serves every name (Duktape passes the key to
     * accessors), so this costs a defineProperty per name, no closures. */
    function helpersLoaded(k) {
        void G.Iterator;
        var d = Object.getOwnPropertyDescriptor(IteratorPrototype, k);
        return d !== undefined && d.get !== lazyGet;
    }
    function lazyGet(k) { return helpersLoaded(k) ? this[k] : undefined; }
    function lazySet(v, k) { if (helpersLoaded(k)) this[k] = v; }
    var LAZY = { get: lazyGet, set: lazySet, enumerable: false, configurable: true };
    var HELPERS = ['map', 'filter', 'take', 'drop', 'flatMap', 'reduce', 'toArray', 'forEach', 'some', 'every',
                   'find', 'constructor', TAG];
    for (var h = 0; h < HELPERS.length; h++) Object.defineProperty(IteratorPrototype, HELPERS[h], LAZY);

    /* kind: 0 keys, 1 values, 2 entries */
    function ArrayIterator(o, kind) {
        this._o = o;
        this._i = 0;
        this._k = kind;
    }
    ArrayIterator.prototype = Object.create(IteratorPrototype);
    define(ArrayIterator.prototype, 'next', function next() {
        var o = this._o, i = this._i, len;
        if (o === undefined) return { value: undefined, done: true };
        len = o.length >>> 0;
        if (i >= len) {
            this._o = undefined;
            return { value: undefined, done: true };
        }
        this._i = i + 1;
        if (this._k === 1) return { value: o[i], done: false };
        if (this._k === 0) return { value: i, done: false };
        return { value: [i, o[i]], done: false };
    });
    Object.defineProperty(ArrayIterator.prototype, TAG, { value: 'Array Iterator', configurable: true });

    function keys() { return new ArrayIterator(toObject(this, 'keys'), 0); }
    function values() { return new ArrayIterator(toObject(this, 'values'), 1); }
    function entries() { return new ArrayIterator(toObject(this, 'entries'), 2); }

    var AP = Array.prototype;
    var TAP = Object.getPrototypeOf(Uint8Array.prototype);
    [AP, TAP].forEach(function (P) {
        define(P, 'keys', keys);
        define(P, 'values', values);
        define(P, 'entries', entries);
        define(P, ITER, Object.getOwnPropertyDescriptor(P, 'values').value);
    });

    function StringIterator(s) {
        this._s = s;
        this._i = 0;
    }
    StringIterator.prototype = Object.create(IteratorPrototype);
    define(StringIterator.prototype, 'next', function next() {
        var s = this._s, i = this._i, c, d;
        if (s === undefined) return { value: undefined, done: true };
        if (i >= s.length) {
            this._s = undefined;
            return { value: undefined, done: true };
        }
        c = s.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
            d = s.charCodeAt(i + 1);
            if (d >= 0xdc00 && d <= 0xdfff) {
                this._i = i + 2;
                return { value: s.charAt(i) + s.charAt(i + 1), done: false };
            }
        }
        this._i = i + 1;
        return { value: s.charAt(i), done: false };
    });
    Object.defineProperty(StringIterator.prototype, TAG, { value: 'String Iterator', configurable: true });

    define(String.prototype, ITER, function () {
        return new StringIterator(String(toObject(this, 'String.prototype[Symbol.iterator]')));
    });
})(globalThis, rt);
