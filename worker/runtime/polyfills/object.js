/*
 * object.js -- the Object built-ins newer than Duktape 2.7: entries, values,
 * fromEntries, getOwnPropertyDescriptors, hasOwn and groupBy.
 */
(function (G) {
    'use strict';
    var hasOwn = Object.prototype.hasOwnProperty;
    var isEnum = Object.prototype.propertyIsEnumerable;

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
        if (v === null || v === undefined) throw new TypeError('Object.' + who + ' called on null or undefined');
        return Object(v);
    }

    define(Object, 'entries', function entries(o) {
        var obj = toObject(o, 'entries'), keys = Object.keys(obj), out = [], i, k;
        for (i = 0; i < keys.length; i++) {
            k = keys[i];
            if (isEnum.call(obj, k)) out.push([k, obj[k]]);
        }
        return out;
    });

    define(Object, 'values', function values(o) {
        var obj = toObject(o, 'values'), keys = Object.keys(obj), out = [], i, k;
        for (i = 0; i < keys.length; i++) {
            k = keys[i];
            if (isEnum.call(obj, k)) out.push(obj[k]);
        }
        return out;
    });

    define(Object, 'fromEntries', function fromEntries(iterable) {
        var out = {}, it, step, e, i;
        if (iterable === null || iterable === undefined) throw new TypeError('Object.fromEntries: ' + iterable + ' is not iterable');
        function put(entry) {
            if (Object(entry) !== entry) throw new TypeError('Iterator value ' + entry + ' is not an entry object');
            Object.defineProperty(out, entry[0], { value: entry[1], writable: true, enumerable: true, configurable: true });
        }
        if (Array.isArray(iterable)) {
            for (i = 0; i < iterable.length; i++) put(iterable[i]);
            return out;
        }
        it = iterable[Symbol.iterator]();
        while (!(step = it.next()).done) {
            e = step.value;
            try {
                put(e);
            } catch (err) {
                if (typeof it['return'] === 'function') it['return']();
                throw err;
            }
        }
        return out;
    });

    define(Object, 'getOwnPropertyDescriptors', function getOwnPropertyDescriptors(o) {
        var obj = toObject(o, 'getOwnPropertyDescriptors'), keys = Reflect.ownKeys(obj), out = {}, i, d;
        for (i = 0; i < keys.length; i++) {
            d = Object.getOwnPropertyDescriptor(obj, keys[i]);
            if (d !== undefined) out[keys[i]] = d;
        }
        return out;
    });

    define(Object, 'hasOwn', function hasOwnProp(o, key) {
        return hasOwn.call(toObject(o, 'hasOwn'), key);
    });

    define(Object, 'groupBy', function groupBy(items, fn) {
        var out = Object.create(null), i = 0, it, step, k;
        if (typeof fn !== 'function') throw new TypeError('Object.groupBy: callback is not a function');
        it = toObject(items, 'groupBy')[Symbol.iterator]();
        while (!(step = it.next()).done) {
            k = fn(step.value, i++);
            k = typeof k === 'symbol' ? k : String(k);
            if (hasOwn.call(out, k)) out[k].push(step.value);
            else out[k] = [step.value];
        }
        return out;
    });
})(globalThis);
