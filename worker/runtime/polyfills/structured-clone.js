/*
 * structured-clone.js -- structuredClone() for Duktape 2.7, loaded on first
 * use of the global.
 *
 * Clones what the HTML structured clone algorithm clones that a job can
 * build here: primitives, plain objects (own enumerable string keys, the
 * prototype is not kept), arrays (holes kept), Date, RegExp, boxed
 * primitives, Map, Set, Error objects, ArrayBuffer, typed arrays and
 * DataView, with shared references and cycles preserved. Functions, symbols
 * and other host objects throw an Error named DataCloneError, as browsers
 * throw a DOMException of that name. The transfer option is not supported.
 */
(function (G, rt) {
    'use strict';
    var toString = Object.prototype.toString;
    var hasOwn = Object.prototype.hasOwnProperty;
    var TYPED = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
        'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array'];
    var ERRORS = ['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError'];

    function cloneError(what) {
        var e = new Error(what + ' could not be cloned.');
        e.name = 'DataCloneError';
        e.code = 25;
        return e;
    }

    /* The Map/Set constructors only when already loaded: reading a lazy
     * global would load that group just to find nothing to clone. */
    function loaded(name) {
        var d = Object.getOwnPropertyDescriptor(G, name);
        return d && 'value' in d ? d.value : undefined;
    }

    function clone(v, seen) {
        var t = typeof v, tag, out, i, keys, k, C, MapC, SetC, idx;
        if (t === 'symbol') throw cloneError(String(v));
        if (t === 'function') throw cloneError(v.toString().split('\n')[0].slice(0, 60));
        if (v === null || t !== 'object') return v;

        if (hasOwn.call(v, seen.mark)) return seen.dst[v[seen.mark]];
        if (seen.slow.length) {
            idx = seen.slow.indexOf(v);
            if (idx >= 0) return seen.slowDst[idx];
        }

        tag = toString.call(v).slice(8, -1);
        /* Records v -> o before v's children are cloned, for cycles. */
        function remember(o) {
            if (Object.isExtensible(v)) {
                Object.defineProperty(v, seen.mark, { value: seen.dst.length, configurable: true });
                seen.src.push(v);
                seen.dst.push(o);
            } else {
                seen.slow.push(v);
                seen.slowDst.push(o);
            }
            return o;
        }

        if (Array.isArray(v)) {
            out = remember(new Array(v.length));
            keys = Object.keys(v);
            for (i = 0; i < keys.length; i++) out[keys[i]] = clone(v[keys[i]], seen);
            return out;
        }
        switch (tag) {
        case 'Date':
            return remember(new Date(v.getTime()));
        case 'RegExp':
            out = remember(new RegExp(v.source, (v.global ? 'g' : '') + (v.ignoreCase ? 'i' : '') + (v.multiline ? 'm' : '')));
            return out;
        case 'Boolean':
        case 'Number':
        case 'String':
            return remember(Object(v.valueOf()));
        case 'ArrayBuffer':
            return remember(v.slice(0));
        case 'DataView':
            out = remember(new DataView(clone(v.buffer, seen), v.byteOffset, v.byteLength));
            return out;
        case 'Object':
        case 'Error':
            break;
        default:
            if (TYPED.indexOf(tag) >= 0) {
                C = G[tag];
                return remember(new C(clone(v.buffer, seen), v.byteOffset, v.length));
            }
        }

        MapC = loaded('Map');
        SetC = loaded('Set');
        if (MapC && v instanceof MapC) {
            out = remember(new MapC());
            v.forEach(function (val, key) { out.set(clone(key, seen), clone(val, seen)); });
            return out;
        }
        if (SetC && v instanceof SetC) {
            out = remember(new SetC());
            v.forEach(function (val) { out.add(clone(val, seen)); });
            return out;
        }
        if (v instanceof Error) {
            C = ERRORS.indexOf(v.name) >= 0 ? G[v.name] : Error;
            out = remember(new C(v.message));
            if (v.stack !== undefined) {
                Object.defineProperty(out, 'stack', { value: String(v.stack), writable: true, configurable: true });
            }
            if ('cause' in v) out.cause = clone(v.cause, seen);
            return out;
        }
        if (tag !== 'Object' && tag !== 'Arguments') throw cloneError(tag + ' object');

        out = remember({});
        keys = Object.keys(v);
        for (i = 0; i < keys.length; i++) {
            k = keys[i];
            out[k] = clone(v[k], seen);
        }
        return out;
    }

    function structuredClone(value, options) {
        if (options !== undefined && options !== null && options.transfer !== undefined &&
            options.transfer.length > 0) {
            throw cloneError('Transferable');
        }
        var seen = { mark: Symbol('clone'), src: [], dst: [], slow: [], slowDst: [] }, i;
        try {
            return clone(value, seen);
        } finally {
            for (i = 0; i < seen.src.length; i++) delete seen.src[i][seen.mark];
        }
    }

    Object.defineProperty(G, 'structuredClone', {
        value: structuredClone, writable: true, enumerable: false, configurable: true
    });
})(globalThis, rt);
