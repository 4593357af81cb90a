/*
 * iterator-helpers.js -- the global Iterator and the ES2025 iterator
 * helpers on %IteratorPrototype%: map, filter, take, drop, flatMap (lazy,
 * returning an "Iterator Helper"), reduce, toArray, forEach, some, every,
 * find (eager), and Iterator.from. Loaded on first use of `Iterator` or of
 * any helper name on an iterator (iterator.js installs those accessors).
 *
 * Following the specification: the underlying iterator's `next` is read
 * once, after the arguments are checked; a helper that stops early, or whose callback
 * throws, calls the underlying `return`; calling `next` of a helper while it
 * runs throws a TypeError; argument errors close the underlying iterator
 * before they are thrown.
 */
(function (G, rt) {
    'use strict';
    var ITER = Symbol.iterator;
    var TAG = Symbol.toStringTag;
    var IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][ITER]()));

    function define(o, k, v) {
        Object.defineProperty(o, k, { value: v, writable: true, enumerable: false, configurable: true });
    }
    function isObject(v) {
        return v !== null && (typeof v === 'object' || typeof v === 'function');
    }
    function direct(o, who) {
        if (!isObject(o)) throw new TypeError(who + ' called on non-object');
        return { it: o, next: undefined };
    }
    function step(rec) {
        var r = rec.next.call(rec.it);
        if (!isObject(r)) throw new TypeError('iterator result ' + r + ' is not an object');
        return r;
    }
    function close(rec) {
        var ret = rec.it['return'];
        if (ret !== undefined && ret !== null) {
            var r = ret.call(rec.it);
            if (!isObject(r)) throw new TypeError('iterator return() result is not an object');
        }
    }
    /* Close rec, keeping the error e when closing throws too. */
    function closeThrow(rec, e) {
        try { close(rec); } catch (ignored) { /* the first error wins */ }
        throw e;
    }
    function callable(rec, fn, who) {
        if (typeof fn !== 'function') closeThrow(rec, new TypeError(who + ': argument is not a function'));
    }

    /* Iterator: abstract; only subclasses construct. */
    function Iterator() {
        if (!(this instanceof Iterator) || this.constructor === Iterator || Object.getPrototypeOf(this) === IteratorPrototype)
            throw new TypeError('Iterator is an abstract class');
    }
    Iterator.prototype = IteratorPrototype;
    Object.defineProperty(Iterator, 'prototype', { writable: false, enumerable: false, configurable: false });

    /* Accessors that ignore writes to the prototype itself
     * (SetterThatIgnoresPrototypeProperties). */
    function ignoringSetter(k) {
        return function (v) {
            if (!isObject(this)) throw new TypeError('setter called on non-object');
            if (this === IteratorPrototype) throw new TypeError('Cannot assign to read only property of Iterator.prototype');
            var d = Object.getOwnPropertyDescriptor(this, k);
            if (d === undefined) Object.defineProperty(this, k, { value: v, writable: true, enumerable: true, configurable: true });
            else this[k] = v;
        };
    }
    Object.defineProperty(IteratorPrototype, TAG, {
        get: function () { return 'Iterator'; }, set: ignoringSetter(TAG), enumerable: false, configurable: true
    });
    Object.defineProperty(IteratorPrototype, 'constructor', {
        get: function () { return Iterator; }, set: ignoringSetter('constructor'), enumerable: false, configurable: true
    });

    /* %IteratorHelperPrototype%: an iterator whose next() runs body(helper)
     * until it yields (returns a value through helper.yield) or ends. */
    var HelperProto = Object.create(IteratorPrototype);
    function Helper(rec, body) {
        this._rec = rec;       /* underlying iterator record */
        this._body = body;     /* function (self) -> {value} or null (done) */
        this._state = 0;       /* 0 suspended, 1 running, 2 done */
        this._inner = null;    /* flatMap's inner iterator record */
    }
    Helper.prototype = HelperProto;
    function helperOf(o, who) {
        if (!isObject(o) || !(o instanceof Helper) || !o._rec) throw new TypeError(who + ' called on incompatible receiver');
        return o;
    }
    define(HelperProto, 'next', function next() {
        var h = helperOf(this, 'Iterator Helper next'), r;
        if (h._state === 1) throw new TypeError('Iterator Helper is already running');
        if (h._state === 2) return { value: undefined, done: true };
        h._state = 1;
        try {
            r = h._body(h);
        } catch (e) {
            h._state = 2;
            throw e;
        }
        if (r === null) {
            h._state = 2;
            return { value: undefined, done: true };
        }
        h._state = 0;
        return { value: r.value, done: false };
    });
    define(HelperProto, 'return', function () {
        var h = helperOf(this, 'Iterator Helper return');
        if (h._state === 1) throw new TypeError('Iterator Helper is already running');
        if (h._state === 2) return { value: undefined, done: true };
        h._state = 2;
        if (h._inner) {
            var inner = h._inner;
            h._inner = null;
            try { close(inner); } catch (e) { closeThrow(h._rec, e); }
        }
        close(h._rec);
        return { value: undefined, done: true };
    });
    Object.defineProperty(HelperProto, TAG, { value: 'Iterator Helper', writable: false, enumerable: false, configurable: true });

    /* Calls fn, closing rec if it throws. */
    function guarded(rec, fn, a, b) {
        try {
            return fn(a, b);
        } catch (e) {
            closeThrow(rec, e);
        }
    }

    function toCount(rec, limit, who) {
        var n = +limit;
        if (n !== n) closeThrow(rec, new RangeError(who + ': ' + limit + ' is not a number'));
        n = n < 0 ? Math.ceil(n) : Math.floor(n);
        if (n < 0) closeThrow(rec, new RangeError(who + ': ' + limit + ' is negative'));
        return n;
    }

    define(IteratorPrototype, 'map', function map(mapper) {
        var rec = direct(this, 'Iterator.prototype.map'), i = 0;
        callable(rec, mapper, 'Iterator.prototype.map');
        rec.next = this.next;
        return new Helper(rec, function () {
            var r = step(rec);
            if (r.done) return null;
            return { value: guarded(rec, mapper, r.value, i++) };
        });
    });
    define(IteratorPrototype, 'filter', function filter(pred) {
        var rec = direct(this, 'Iterator.prototype.filter'), i = 0;
        callable(rec, pred, 'Iterator.prototype.filter');
        rec.next = this.next;
        return new Helper(rec, function () {
            for (;;) {
                var r = step(rec), v;
                if (r.done) return null;
                v = r.value;
                if (guarded(rec, pred, v, i++)) return { value: v };
            }
        });
    });
    define(IteratorPrototype, 'take', function take(limit) {
        var rec = direct(this, 'Iterator.prototype.take');
        var left = toCount(rec, limit, 'Iterator.prototype.take');
        rec.next = this.next;
        return new Helper(rec, function () {
            if (left === 0) { close(rec); return null; }
            if (left !== Infinity) left--;
            var r = step(rec);
            return r.done ? null : { value: r.value };
        });
    });
    define(IteratorPrototype, 'drop', function drop(limit) {
        var rec = direct(this, 'Iterator.prototype.drop');
        var skip = toCount(rec, limit, 'Iterator.prototype.drop');
        rec.next = this.next;
        return new Helper(rec, function () {
            var r;
            while (skip > 0) {
                if (skip !== Infinity) skip--;
                r = step(rec);
                if (r.done) return null;
            }
            r = step(rec);
            return r.done ? null : { value: r.value };
        });
    });
    define(IteratorPrototype, 'flatMap', function flatMap(mapper) {
        var rec = direct(this, 'Iterator.prototype.flatMap'), i = 0;
        callable(rec, mapper, 'Iterator.prototype.flatMap');
        rec.next = this.next;
        return new Helper(rec, function (h) {
            for (;;) {
                if (h._inner) {
                    var ir;
                    try { ir = step(h._inner); } catch (e) { h._inner = null; closeThrow(rec, e); }
                    if (!ir.done) return { value: ir.value };
                    h._inner = null;
                    continue;
                }
                var r = step(rec);
                if (r.done) return null;
                var mapped = guarded(rec, mapper, r.value, i++);
                h._inner = guarded(rec, flattenable, mapped);
            }
        });
    });
    /* GetIteratorFlattenable(obj, reject-primitives) */
    function flattenable(obj, strings) {
        if (!isObject(obj) && !(strings && typeof obj === 'string')) throw new TypeError(obj + ' is not an object');
        var m = obj[ITER], it;
        if (m === undefined || m === null) it = obj;
        else {
            if (typeof m !== 'function') throw new TypeError('Symbol.iterator is not a function');
            it = m.call(obj);
        }
        if (!isObject(it)) throw new TypeError('iterator is not an object');
        return { it: it, next: it.next };
    }

    define(IteratorPrototype, 'reduce', function reduce(fn) {
        var rec = direct(this, 'Iterator.prototype.reduce'), acc, r, i = 0;
        callable(rec, fn, 'Iterator.prototype.reduce');
        rec.next = this.next;
        if (arguments.length < 2) {
            r = step(rec);
            if (r.done) throw new TypeError('Reduce of empty iterator with no initial value');
            acc = r.value;
            i = 1;
        } else {
            acc = arguments[1];
        }
        while (!(r = step(rec)).done) {
            acc = guarded(rec, function (v, k) { return fn(acc, v, k); }, r.value, i++);
        }
        return acc;
    });
    define(IteratorPrototype, 'toArray', function toArray() {
        var rec = direct(this, 'Iterator.prototype.toArray'), out = [], r;
        rec.next = this.next;
        while (!(r = step(rec)).done) out.push(r.value);
        return out;
    });
    define(IteratorPrototype, 'forEach', function forEach(fn) {
        var rec = direct(this, 'Iterator.prototype.forEach'), r, i = 0;
        callable(rec, fn, 'Iterator.prototype.forEach');
        rec.next = this.next;
        while (!(r = step(rec)).done) guarded(rec, fn, r.value, i++);
        return undefined;
    });
    function searcher(name, onHit, hitValue, missValue) {
        return function (pred) {
            var rec = direct(this, 'Iterator.prototype.' + name), r, i = 0;
            callable(rec, pred, 'Iterator.prototype.' + name);
            rec.next = this.next;
            while (!(r = step(rec)).done) {
                if (!guarded(rec, pred, r.value, i++) === !onHit) {
                    close(rec);
                    return hitValue === undefined ? r.value : hitValue;
                }
            }
            return missValue;
        };
    }
    define(IteratorPrototype, 'some', searcher('some', true, true, false));
    define(IteratorPrototype, 'every', searcher('every', false, false, true));
    define(IteratorPrototype, 'find', searcher('find', true, undefined, undefined));
    /* names as specified */
    ['some', 'every', 'find'].forEach(function (k) {
        Object.defineProperty(IteratorPrototype[k], 'name', { value: k, configurable: true });
        Object.defineProperty(IteratorPrototype[k], 'length', { value: 1, configurable: true });
    });

    /* %WrapForValidIteratorPrototype% */
    var WrapProto = Object.create(IteratorPrototype);
    function Wrap(rec) { this._rec = rec; }
    Wrap.prototype = WrapProto;
    define(WrapProto, 'next', function next() {
        if (!(this instanceof Wrap) || !this._rec) throw new TypeError('next called on incompatible receiver');
        var rec = this._rec;
        return rec.next.call(rec.it);
    });
    define(WrapProto, 'return', function () {
        if (!(this instanceof Wrap) || !this._rec) throw new TypeError('return called on incompatible receiver');
        var it = this._rec.it, ret = it['return'];
        if (ret === undefined || ret === null) return { value: undefined, done: true };
        return ret.call(it);
    });
    define(Iterator, 'from', function from(o) {
        var rec = flattenable(o, true);
        if (rec.it instanceof Iterator) return rec.it;
        return new Wrap(rec);
    });

    define(G, 'Iterator', Iterator);
})(globalThis, rt);
