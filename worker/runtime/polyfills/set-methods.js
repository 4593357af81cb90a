/*
 * set-methods.js -- the ES2025 Set methods: union, intersection,
 * difference, symmetricDifference, isSubsetOf, isSupersetOf,
 * isDisjointFrom. Loaded with the iterator helpers (group es2025) when a
 * job first reads one of them (collections.js installs those accessors);
 * works on collections.js's own store through rt.setInternals.
 *
 * `other` is read through its size/has/keys ("set-like"), as specified:
 * has/keys are looked up once, keys() is iterated with the next method it
 * returns, and the receiver's own data is read directly (an overridden
 * this.has is not called).
 */
(function (G, rt) {
    'use strict';
    var Set = G.Set; /* loads collections.js if it is not loaded yet */
    var internals = rt.setInternals, STORE = internals.STORE, storeOf = internals.storeOf;
    var SP = internals.Set.prototype;
    function define(o, k, v) {
        Object.defineProperty(o, k, { value: v, writable: true, enumerable: false, configurable: true });
    }

    function setRecord(o, who) {
        if (o === null || (typeof o !== 'object' && typeof o !== 'function')) throw new TypeError(who + ': argument is not an object');
        var raw = o.size, n = +raw, has, keys;
        if (n !== n) throw new TypeError(who + ': size is not a number');
        n = n < 0 ? Math.ceil(n) : Math.floor(n);
        if (n < 0) throw new RangeError(who + ': size is negative');
        has = o.has;
        if (typeof has !== 'function') throw new TypeError(who + ': has is not a function');
        keys = o.keys;
        if (typeof keys !== 'function') throw new TypeError(who + ': keys is not a function');
        return { o: o, size: n, has: has, keys: keys };
    }
    function keysOf(rec) {
        var it = rec.keys.call(rec.o), next;
        if (it === null || (typeof it !== 'object' && typeof it !== 'function')) throw new TypeError('keys() did not return an object');
        next = it.next;
        return { it: it, next: next };
    }
    function step(k) {
        var r = k.next.call(k.it);
        if (r === null || (typeof r !== 'object' && typeof r !== 'function')) throw new TypeError('iterator result is not an object');
        return r;
    }
    function close(k) {
        var ret = k.it['return'];
        if (ret !== undefined && ret !== null) ret.call(k.it);
    }
    function norm(v) { return v === 0 ? 0 : v; }
    /* Calls fn(value) for each live element of store st in order; stops when fn returns true. */
    function each(st, fn) {
        var e = st.head;
        for (;;) {
            while (e.d) e = e.p;
            e = e.n;
            if (!e) return false;
            if (fn(e.v)) return true;
        }
    }
    function copyOf(st) {
        var out = new Set(), o = out[STORE];
        each(st, function (v) { o.add(v, v); });
        return out;
    }
    define(SP, 'union', function union(other) {
        var st = storeOf(this, 'Set.prototype.union', Set), rec = setRecord(other, 'Set.prototype.union');
        var k = keysOf(rec), out = copyOf(st), o = out[STORE], r, v;
        while (!(r = step(k)).done) {
            v = norm(r.value);
            if (o.find(v) === undefined) o.add(v, v);
        }
        return out;
    });
    define(SP, 'intersection', function intersection(other) {
        var st = storeOf(this, 'Set.prototype.intersection', Set), rec = setRecord(other, 'Set.prototype.intersection');
        var out = new Set(), o = out[STORE], k, r, v;
        if (st.size <= rec.size) {
            each(st, function (v) {
                if (rec.has.call(rec.o, v) && o.find(v) === undefined) o.add(v, v);
            });
        } else {
            k = keysOf(rec);
            while (!(r = step(k)).done) {
                v = norm(r.value);
                if (st.find(v) !== undefined && o.find(v) === undefined) o.add(v, v);
            }
        }
        return out;
    });
    define(SP, 'difference', function difference(other) {
        var st = storeOf(this, 'Set.prototype.difference', Set), rec = setRecord(other, 'Set.prototype.difference');
        var out = copyOf(st), o = out[STORE], k, r;
        if (st.size <= rec.size) {
            each(st, function (v) {
                if (rec.has.call(rec.o, v)) o.remove(v);
            });
        } else {
            k = keysOf(rec);
            while (!(r = step(k)).done) o.remove(norm(r.value));
        }
        return out;
    });
    define(SP, 'symmetricDifference', function symmetricDifference(other) {
        var st = storeOf(this, 'Set.prototype.symmetricDifference', Set), rec = setRecord(other, 'Set.prototype.symmetricDifference');
        var k = keysOf(rec), out = copyOf(st), o = out[STORE], r, v;
        while (!(r = step(k)).done) {
            v = norm(r.value);
            if (st.find(v) !== undefined) o.remove(v);
            else if (o.find(v) === undefined) o.add(v, v);
        }
        return out;
    });
    define(SP, 'isSubsetOf', function isSubsetOf(other) {
        var st = storeOf(this, 'Set.prototype.isSubsetOf', Set), rec = setRecord(other, 'Set.prototype.isSubsetOf');
        if (st.size > rec.size) return false;
        return !each(st, function (v) { return !rec.has.call(rec.o, v); });
    });
    define(SP, 'isSupersetOf', function isSupersetOf(other) {
        var st = storeOf(this, 'Set.prototype.isSupersetOf', Set), rec = setRecord(other, 'Set.prototype.isSupersetOf');
        var k, r;
        if (st.size < rec.size) return false;
        k = keysOf(rec);
        while (!(r = step(k)).done) {
            if (st.find(r.value) === undefined) { close(k); return false; }
        }
        return true;
    });
    define(SP, 'isDisjointFrom', function isDisjointFrom(other) {
        var st = storeOf(this, 'Set.prototype.isDisjointFrom', Set), rec = setRecord(other, 'Set.prototype.isDisjointFrom');
        var k, r;
        if (st.size <= rec.size) return !each(st, function (v) { return !!rec.has.call(rec.o, v); });
        k = keysOf(rec);
        while (!(r = step(k)).done) {
            if (st.find(r.value) !== undefined) { close(k); return false; }
        }
        return true;
    });
})(globalThis, rt);
