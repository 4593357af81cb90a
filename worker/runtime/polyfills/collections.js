/*
 * collections.js -- Map and Set for Duktape 2.7 (loaded on first use of
 * either global).
 *
 * Entries form a doubly linked list in insertion order; a dictionary maps
 * each key to its entry: primitives by a type-tagged string (SameValueZero:
 * -0 is 0, NaN equals NaN), objects by an id stored under a non-enumerable
 * symbol. Objects that cannot take the id (frozen, sealed, non-extensible)
 * are found by a scan of a side list. A deleted entry keeps its `p` link, so
 * a live iterator standing on it walks back to a live entry and resumes:
 * iteration sees entries added during iteration and skips deleted ones, as
 * the specification requires.
 */
(function (G, rt) {
    'use strict';
    var ITER = Symbol.iterator;
    var TAG = Symbol.toStringTag;
    var STORE = Symbol('store');
    var ID = Symbol('collections.id');
    var nextId = 1;
    var hasOwn = Object.prototype.hasOwnProperty;

    function define(o, k, v) {
        Object.defineProperty(o, k, { value: v, writable: true, enumerable: false, configurable: true });
    }

    /* Dictionary key for k, or null when k is an object without an id that
     * cannot be given one. */
    function keyOf(k, create) {
        var t = typeof k;
        if (t === 'string') return 's' + k;
        if (t === 'number') return 'n' + (k === 0 ? 0 : k);
        if (k === null || (t !== 'object' && t !== 'function')) {
            if (t === 'symbol') return symbolKey(k, create);
            return t.charAt(0) + String(k);
        }
        if (hasOwn.call(k, ID)) return 'o' + k[ID];
        if (!create) return undefined;
        if (!Object.isExtensible(k)) return null;
        Object.defineProperty(k, ID, { value: nextId });
        return 'o' + nextId++;
    }

    /* Symbols cannot carry properties: give each one a registry slot. */
    var symbols = [];
    function symbolKey(k, create) {
        var i = symbols.indexOf(k);
        if (i < 0) {
            if (!create) return undefined;
            i = symbols.push(k) - 1;
        }
        return 'y' + i;
    }

    /* ---- shared store --------------------------------------------------- */

    function Store() {
        this.dict = Object.create(null);
        this.head = { k: undefined, v: undefined, n: null, p: null, d: false };
        this.tail = this.head;
        this.size = 0;
        this.frozen = null; /* entries whose key could not take an id */
    }

    Store.prototype.find = function (k) {
        var key = keyOf(k, false), i, f;
        if (key === undefined) {
            f = this.frozen;
            if (f) for (i = 0; i < f.length; i++) if (f[i].k === k) return f[i];
            return undefined;
        }
        return this.dict[key];
    };

    Store.prototype.add = function (k, v) {
        var key = keyOf(k, true), e = key === null ? this.find(k) : this.dict[key];
        if (e) {
            e.v = v;
            return;
        }
        if (k === 0) k = 0; /* normalise -0 */
        e = { k: k, v: v, n: null, p: this.tail, d: false };
        this.tail.n = e;
        this.tail = e;
        if (key === null) (this.frozen || (this.frozen = [])).push(e);
        else this.dict[key] = e;
        this.size++;
    };

    Store.prototype.remove = function (k) {
        var key = keyOf(k, false), e;
        if (key === undefined) {
            e = this.find(k);
            if (!e) return false;
            this.frozen.splice(this.frozen.indexOf(e), 1);
        } else {
            e = this.dict[key];
            if (!e) return false;
            delete this.dict[key];
        }
        e.d = true;
        e.p.n = e.n;
        if (e.n) e.n.p = e.p;
        else this.tail = e.p;
        this.size--;
        return true;
    };

    Store.prototype.clear = function () {
        var e;
        for (e = this.head.n; e; e = e.n) e.d = true;
        this.dict = Object.create(null);
        this.frozen = null;
        this.head.n = null;
        this.tail = this.head;
        this.size = 0;
    };

    Store.prototype.forEach = function (fn, thisArg, self, isSet) {
        var e = this.head;
        for (;;) {
            while (e.d) e = e.p;
            e = e.n;
            if (!e) return;
            fn.call(thisArg, e.v, isSet ? e.v : e.k, self);
        }
    };

    function CollectionIterator(store, kind) {
        this._e = store.head;
        this._k = kind;
    }
    function makeIteratorProto(tag) {
        var P = Object.create(Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));
        define(P, 'next', function next() {
            var e = this._e;
            if (!e) return { value: undefined, done: true };
            while (e.d) e = e.p;
            e = e.n;
            this._e = e;
            if (!e) return { value: undefined, done: true };
            if (this._k === 0) return { value: e.k, done: false };
            if (this._k === 1) return { value: e.v, done: false };
            return { value: [e.k, e.v], done: false };
        });
        Object.defineProperty(P, TAG, { value: tag, configurable: true });
        return P;
    }

    function storeOf(o, who, Ctor) {
        if (!(o instanceof Ctor) || !o[STORE]) throw new TypeError(who + ' called on incompatible receiver');
        return o[STORE];
    }

    function fill(self, iterable, adder) {
        var it, step, add;
        if (iterable === null || iterable === undefined) return;
        add = self[adder];
        if (typeof add !== 'function') throw new TypeError("'" + adder + "' is not a function");
        it = iterable[ITER]();
        while (!(step = it.next()).done) {
            try {
                if (adder === 'set') {
                    if (Object(step.value) !== step.value) throw new TypeError('Iterator value ' + step.value + ' is not an entry object');
                    add.call(self, step.value[0], step.value[1]);
                } else {
                    add.call(self, step.value);
                }
            } catch (e) {
                if (typeof it['return'] === 'function') it['return']();
                throw e;
            }
        }
    }

    /* ---- Map ------------------------------------------------------------ */

    function Map(iterable) {
        if (!(this instanceof Map) || this[STORE]) throw new TypeError("Constructor Map requires 'new'");
        Object.defineProperty(this, STORE, { value: new Store() });
        fill(this, iterable, 'set');
    }
    var MP = Map.prototype;
    var MapIteratorProto = makeIteratorProto('Map Iterator');
    function mapIter(m, kind) {
        var it = Object.create(MapIteratorProto);
        CollectionIterator.call(it, storeOf(m, 'Map iterator', Map), kind);
        return it;
    }
    define(MP, 'get', function get(k) {
        var e = storeOf(this, 'Map.prototype.get', Map).find(k);
        return e ? e.v : undefined;
    });
    define(MP, 'set', function set(k, v) {
        storeOf(this, 'Map.prototype.set', Map).add(k, v);
        return this;
    });
    define(MP, 'has', function has(k) {
        return storeOf(this, 'Map.prototype.has', Map).find(k) !== undefined;
    });
    define(MP, 'delete', function (k) {
        return storeOf(this, 'Map.prototype.delete', Map).remove(k);
    });
    define(MP, 'clear', function clear() {
        storeOf(this, 'Map.prototype.clear', Map).clear();
    });
    define(MP, 'forEach', function forEach(fn, thisArg) {
        if (typeof fn !== 'function') throw new TypeError('Map.prototype.forEach: callback is not a function');
        storeOf(this, 'Map.prototype.forEach', Map).forEach(fn, thisArg, this, false);
    });
    define(MP, 'keys', function keys() { return mapIter(this, 0); });
    define(MP, 'values', function values() { return mapIter(this, 1); });
    define(MP, 'entries', function entries() { return mapIter(this, 2); });
    define(MP, ITER, MP.entries);
    Object.defineProperty(MP, 'size', {
        get: function () { return storeOf(this, 'get Map.prototype.size', Map).size; },
        enumerable: false, configurable: true
    });
    Object.defineProperty(MP, TAG, { value: 'Map', configurable: true });
    define(Map, 'groupBy', function groupBy(items, fn) {
        var out = new Map(), i = 0, it, step, k, list;
        if (typeof fn !== 'function') throw new TypeError('Map.groupBy: callback is not a function');
        it = items[ITER]();
        while (!(step = it.next()).done) {
            k = fn(step.value, i++);
            list = out.get(k);
            if (list) list.push(step.value);
            else out.set(k, [step.value]);
        }
        return out;
    });

    /* ---- Set ------------------------------------------------------------ */

    function Set(iterable) {
        if (!(this instanceof Set) || this[STORE]) throw new TypeError("Constructor Set requires 'new'");
        Object.defineProperty(this, STORE, { value: new Store() });
        fill(this, iterable, 'add');
    }
    var SP = Set.prototype;
    var SetIteratorProto = makeIteratorProto('Set Iterator');
    function setIter(s, kind) {
        var it = Object.create(SetIteratorProto);
        CollectionIterator.call(it, storeOf(s, 'Set iterator', Set), kind);
        return it;
    }
    define(SP, 'add', function add(v) {
        var st = storeOf(this, 'Set.prototype.add', Set);
        if (st.find(v) === undefined) st.add(v, v);
        return this;
    });
    define(SP, 'has', function has(v) {
        return storeOf(this, 'Set.prototype.has', Set).find(v) !== undefined;
    });
    define(SP, 'delete', function (v) {
        return storeOf(this, 'Set.prototype.delete', Set).remove(v);
    });
    define(SP, 'clear', function clear() {
        storeOf(this, 'Set.prototype.clear', Set).clear();
    });
    define(SP, 'forEach', function forEach(fn, thisArg) {
        if (typeof fn !== 'function') throw new TypeError('Set.prototype.forEach: callback is not a function');
        storeOf(this, 'Set.prototype.forEach', Set).forEach(fn, thisArg, this, true);
    });
    define(SP, 'values', function values() { return setIter(this, 1); });
    define(SP, 'keys', SP.values);
    define(SP, 'entries', function entries() { return setIter(this, 2); });
    define(SP, ITER, SP.values);
    Object.defineProperty(SP, 'size', {
        get: function () { return storeOf(this, 'get Set.prototype.size', Set).size; },
        enumerable: false, configurable: true
    });
    Object.defineProperty(SP, TAG, { value: 'Set', configurable: true });

    /* The ES2025 Set methods live in set-methods.js (group es2025, loaded
     * with the global Iterator): until then each name here is an accessor
     * (one shared pair; Duktape passes the key) that touches it, so a job
     * that only uses Map/Set pays a defineProperty per name. */
    rt.setInternals = { Set: Set, STORE: STORE, storeOf: storeOf };
    function setMethodsLoaded(k) {
        void G.Iterator;
        var d = Object.getOwnPropertyDescriptor(SP, k);
        return d !== undefined && d.get !== setMethodGet;
    }
    function setMethodGet(k) { return setMethodsLoaded(k) ? this[k] : undefined; }
    function setMethodSet(v, k) { if (setMethodsLoaded(k)) this[k] = v; }
    var SET_LAZY = { get: setMethodGet, set: setMethodSet, enumerable: false, configurable: true };
    var SET_METHODS = ['union', 'intersection', 'difference', 'symmetricDifference', 'isSubsetOf',
                       'isSupersetOf', 'isDisjointFrom'];
    for (var sm = 0; sm < SET_METHODS.length; sm++) Object.defineProperty(SP, SET_METHODS[sm], SET_LAZY);

    define(G, 'Map', Map);
    define(G, 'Set', Set);
})(globalThis, rt);
