/*
 * weak.js -- WeakMap and WeakSet for Duktape 2.7 (loaded on first use of
 * either global).
 *
 * Each collection owns a private symbol and stores its value on the key
 * object itself under that symbol (non-enumerable), so a key that becomes
 * unreachable takes the value with it, as weak semantics require. Keys that
 * cannot take a property (frozen, sealed, non-extensible) fall back to a
 * per-collection list that holds them strongly; a job's heap is short-lived,
 * so that leak is bounded by the job.
 */
(function (G, rt) {
    'use strict';
    var TAG = Symbol.toStringTag;
    var STORE = Symbol('store');
    var hasOwn = Object.prototype.hasOwnProperty;
    var ITER = Symbol.iterator;

    function define(o, k, v) {
        Object.defineProperty(o, k, { value: v, writable: true, enumerable: false, configurable: true });
    }
    function isObject(k) {
        return (typeof k === 'object' && k !== null) || typeof k === 'function';
    }
    function checkKey(k, who) {
        if (!isObject(k)) throw new TypeError('Invalid value used ' + who);
    }

    function Store() {
        this.sym = Symbol('weak');
        this.keys = null;   /* fallback for non-extensible keys */
        this.vals = null;
    }
    Store.prototype.index = function (k) {
        return this.keys ? this.keys.indexOf(k) : -1;
    };
    Store.prototype.get = function (k) {
        var i;
        if (!isObject(k)) return undefined;
        if (hasOwn.call(k, this.sym)) return k[this.sym];
        i = this.index(k);
        return i < 0 ? undefined : this.vals[i];
    };
    Store.prototype.has = function (k) {
        return isObject(k) && (hasOwn.call(k, this.sym) || this.index(k) >= 0);
    };
    Store.prototype.set = function (k, v) {
        var i;
        if (hasOwn.call(k, this.sym)) {
            k[this.sym] = v;
        } else if (Object.isExtensible(k)) {
            Object.defineProperty(k, this.sym, { value: v, writable: true, configurable: true });
        } else if ((i = this.index(k)) >= 0) {
            this.vals[i] = v;
        } else {
            (this.keys || (this.keys = [])).push(k);
            (this.vals || (this.vals = [])).push(v);
        }
    };
    Store.prototype.remove = function (k) {
        var i;
        if (!isObject(k)) return false;
        if (hasOwn.call(k, this.sym)) return delete k[this.sym];
        i = this.index(k);
        if (i < 0) return false;
        this.keys.splice(i, 1);
        this.vals.splice(i, 1);
        return true;
    };

    function storeOf(o, who, Ctor) {
        if (!(o instanceof Ctor) || !o[STORE]) throw new TypeError(who + ' called on incompatible receiver');
        return o[STORE];
    }
    function fill(self, iterable, isMap) {
        var it, step;
        if (iterable === null || iterable === undefined) return;
        it = iterable[ITER]();
        while (!(step = it.next()).done) {
            if (isMap) self.set(step.value[0], step.value[1]);
            else self.add(step.value);
        }
    }

    function WeakMap(iterable) {
        if (!(this instanceof WeakMap) || this[STORE]) throw new TypeError("Constructor WeakMap requires 'new'");
        Object.defineProperty(this, STORE, { value: new Store() });
        fill(this, iterable, true);
    }
    var WMP = WeakMap.prototype;
    define(WMP, 'get', function get(k) { return storeOf(this, 'WeakMap.prototype.get', WeakMap).get(k); });
    define(WMP, 'has', function has(k) { return storeOf(this, 'WeakMap.prototype.has', WeakMap).has(k); });
    define(WMP, 'set', function set(k, v) {
        var st = storeOf(this, 'WeakMap.prototype.set', WeakMap);
        checkKey(k, 'as weak map key');
        st.set(k, v);
        return this;
    });
    define(WMP, 'delete', function (k) { return storeOf(this, 'WeakMap.prototype.delete', WeakMap).remove(k); });
    Object.defineProperty(WMP, TAG, { value: 'WeakMap', configurable: true });

    function WeakSet(iterable) {
        if (!(this instanceof WeakSet) || this[STORE]) throw new TypeError("Constructor WeakSet requires 'new'");
        Object.defineProperty(this, STORE, { value: new Store() });
        fill(this, iterable, false);
    }
    var WSP = WeakSet.prototype;
    define(WSP, 'has', function has(k) { return storeOf(this, 'WeakSet.prototype.has', WeakSet).has(k); });
    define(WSP, 'add', function add(k) {
        var st = storeOf(this, 'WeakSet.prototype.add', WeakSet);
        checkKey(k, 'in weak set');
        st.set(k, true);
        return this;
    });
    define(WSP, 'delete', function (k) { return storeOf(this, 'WeakSet.prototype.delete', WeakSet).remove(k); });
    Object.defineProperty(WSP, TAG, { value: 'WeakSet', configurable: true });

    /* WeakRef and FinalizationRegistry. A job's heap lives for one job and
     * Duktape gives no hook into its collector, so a target is never seen
     * as collected: deref() returns it and cleanup callbacks never run
     * (both allowed by the specification, which makes collection
     * unobservable-in-time). Registrations are kept for unregister. */
    function canBeHeldWeakly(v) {
        return isObject(v) || (typeof v === 'symbol' && Symbol.keyFor(v) === undefined);
    }
    var TARGET = Symbol('target'), CELLS = Symbol('cells');
    function WeakRef(target) {
        if (!(this instanceof WeakRef) || hasOwn.call(this, TARGET)) throw new TypeError("Constructor WeakRef requires 'new'");
        if (!canBeHeldWeakly(target)) throw new TypeError('WeakRef: invalid target');
        Object.defineProperty(this, TARGET, { value: target });
    }
    define(WeakRef.prototype, 'deref', function deref() {
        if (!isObject(this) || !hasOwn.call(this, TARGET)) throw new TypeError('WeakRef.prototype.deref called on incompatible receiver');
        return this[TARGET];
    });
    Object.defineProperty(WeakRef.prototype, TAG, { value: 'WeakRef', configurable: true });

    function FinalizationRegistry(cleanup) {
        if (!(this instanceof FinalizationRegistry) || hasOwn.call(this, CELLS)) throw new TypeError("Constructor FinalizationRegistry requires 'new'");
        if (typeof cleanup !== 'function') throw new TypeError('FinalizationRegistry: cleanup must be callable');
        Object.defineProperty(this, CELLS, { value: [] });
    }
    function cellsOf(o, who) {
        if (!isObject(o) || !hasOwn.call(o, CELLS)) throw new TypeError('FinalizationRegistry.prototype.' + who + ' called on incompatible receiver');
        return o[CELLS];
    }
    var FRP = FinalizationRegistry.prototype;
    define(FRP, 'register', function register(target, held, token) {
        var cells = cellsOf(this, 'register');
        if (!canBeHeldWeakly(target)) throw new TypeError('FinalizationRegistry.prototype.register: invalid target');
        if (target === held) throw new TypeError('FinalizationRegistry.prototype.register: target and holdings must not be same');
        if (token !== undefined && !canBeHeldWeakly(token)) throw new TypeError('FinalizationRegistry.prototype.register: invalid unregister token');
        if (token !== undefined) cells.push(token);
        return undefined;
    });
    define(FRP, 'unregister', function unregister(token) {
        var cells = cellsOf(this, 'unregister'), i, found = false;
        if (!canBeHeldWeakly(token)) throw new TypeError('FinalizationRegistry.prototype.unregister: invalid unregister token');
        for (i = cells.length - 1; i >= 0; i--) {
            if (cells[i] === token) { cells.splice(i, 1); found = true; }
        }
        return found;
    });
    Object.defineProperty(FRP, TAG, { value: 'FinalizationRegistry', configurable: true });
    define(G, 'WeakRef', WeakRef);
    define(G, 'FinalizationRegistry', FinalizationRegistry);

    define(G, 'WeakMap', WeakMap);
    define(G, 'WeakSet', WeakSet);
})(globalThis, rt);
