/*
 * reflect.js -- Reflect.get and Reflect.set with a receiver.
 *
 * Duktape 2.7 implements both only when the receiver is the target itself
 * and throws "unsupported" otherwise.  But the receiver is how a Proxy
 * forwards: `get(t, k, receiver) { return Reflect.get(t, k, receiver) }` is
 * the form every guide teaches, and there the receiver is the proxy.  So
 * these are OrdinaryGet and OrdinarySet as the specification writes them:
 * walk the target's prototype chain for the property; a data property's
 * value is read, or written as an own property of the receiver (through its
 * own [[DefineOwnProperty]], so a receiver that is a proxy sees its
 * defineProperty trap); an accessor runs with the receiver as `this`.  With
 * no receiver, or the target as receiver, the engine's own functions run.
 * Duktape's Proxy has neither a getOwnPropertyDescriptor nor a
 * defineProperty trap, and script cannot tell a proxy from its target, so
 * the host's rt.proxyParts() says what a proxy wraps: a proxy receiver is
 * written through its handler's defineProperty trap when it has one, else
 * on its target, as V8 does.  (One difference: a proxy in the target's chain
 * is asked for its property descriptor, not through its get/set trap.)
 */
(function (G, rt) {
    'use strict';
    var R = G.Reflect;
    var nativeGet = rt.native['Reflect.get'] || R.get;
    var nativeSet = rt.native['Reflect.set'] || R.set;
    var defineOwn = R.defineProperty;
    var gopd = Object.getOwnPropertyDescriptor, getProto = Object.getPrototypeOf;

    function check(t, who) {
        if (Object(t) !== t) throw new TypeError('Reflect.' + who + ' called on non-object');
    }
    /* ToPropertyKey: a symbol stays one, anything else is its string. */
    function toKey(k) {
        if (typeof k === 'symbol') return k;
        if (Object(k) === k) {
            var p = k[Symbol.toPrimitive];
            if (p !== undefined && p !== null) k = p.call(k, 'string');
            else k = String(k);
            if (typeof k === 'symbol') return k;
        }
        return String(k);
    }
    var proxyParts = rt.proxyParts;

    /* o's own property k: through a proxy's getOwnPropertyDescriptor trap,
     * or its target when it has none (Duktape's Proxy has no such trap). */
    function ownDesc(o, k) {
        var parts, trap;
        while ((parts = proxyParts(o)) !== undefined) {
            trap = parts[1].getOwnPropertyDescriptor;
            if (trap !== undefined && trap !== null) return trap.call(parts[1], parts[0], k);
            o = parts[0];
        }
        return gopd(o, k);
    }
    /* Define o's own property k: through a proxy's defineProperty trap, or
     * on its target when it has none. */
    function defineOn(o, k, desc) {
        var parts, trap;
        while ((parts = proxyParts(o)) !== undefined) {
            trap = parts[1].defineProperty;
            if (trap !== undefined && trap !== null) return !!trap.call(parts[1], parts[0], k, desc);
            o = parts[0];
        }
        return defineOwn(o, k, desc);
    }
    /* The property k of o or of the nearest object on its chain. */
    function find(o, k) {
        for (; o !== null; o = getProto(o)) {
            var d = ownDesc(o, k);
            if (d !== undefined) return d;
        }
        return undefined;
    }

    function get(target, propertyKey) {
        check(target, 'get');
        var receiver = arguments[2];
        if (arguments.length < 3 || receiver === target) return nativeGet(target, propertyKey);
        var d = find(target, toKey(propertyKey));
        if (d === undefined) return undefined;
        if ('value' in d) return d.value;
        return d.get === undefined ? undefined : d.get.call(receiver);
    }

    function set(target, propertyKey, V) {
        check(target, 'set');
        var receiver = arguments[3];
        if (arguments.length < 4 || receiver === target) return nativeSet(target, propertyKey, V);
        var k = toKey(propertyKey), d = find(target, k);
        if (d === undefined || 'value' in d) {
            if (d !== undefined && !d.writable) return false;
            if (Object(receiver) !== receiver) return false;
            var own = ownDesc(receiver, k);
            if (own !== undefined) {
                if (!('value' in own) || !own.writable) return false;
                return defineOn(receiver, k, { value: V });
            }
            return defineOn(receiver, k, { value: V, writable: true, enumerable: true, configurable: true });
        }
        if (d.set === undefined) return false;
        d.set.call(receiver, V);
        return true;
    }

    var D = { value: undefined, writable: true, enumerable: false, configurable: true };
    D.value = get;
    Object.defineProperty(R, 'get', D);
    D.value = set;
    Object.defineProperty(R, 'set', D);
})(globalThis, rt);
