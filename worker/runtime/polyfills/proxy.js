/*
 * proxy.js -- Proxy.revocable, which Duktape 2.7 lacks.
 *
 * The proxy it returns has a handler of its own: each trap forwards to the
 * job's handler (or, where that has none, does what a proxy without the
 * trap does, through Reflect) while the proxy is live, and throws V8's
 * TypeError ("Cannot perform 'get' on a proxy that has been revoked") once
 * revoke() was called; revoking drops the references to the target and the
 * handler, as the specification's [[ProxyTarget]]/[[ProxyHandler]] = null
 * does.  Operations Duktape's Proxy does not trap at all (getPrototypeOf,
 * isExtensible, ...) reach the target whether revoked or not: the same
 * limit as Duktape's own proxies.
 */
(function (G, rt) {
    'use strict';
    var R = G.Reflect;
    var TRAPS = ['get', 'set', 'has', 'deleteProperty', 'ownKeys', 'apply', 'construct', 'getOwnPropertyDescriptor',
                 'defineProperty', 'getPrototypeOf', 'setPrototypeOf', 'isExtensible', 'preventExtensions'];

    function revocable(target, handler) {
        if (Object(target) !== target || Object(handler) !== handler)
            throw new TypeError('Cannot create proxy with a non-object as target or handler');
        var live = true, h = {};
        TRAPS.forEach(function (name) {
            h[name] = function () {
                if (!live) throw new TypeError("Cannot perform '" + name + "' on a proxy that has been revoked");
                var trap = handler[name];
                if (trap === undefined || trap === null) return R[name].apply(undefined, arguments);
                return trap.apply(handler, arguments);
            };
        });
        var proxy = new G.Proxy(target, h);
        return {
            proxy: proxy,
            revoke: function () {
                live = false;
                target = handler = null;
            }
        };
    }
    Object.defineProperty(G.Proxy, 'revocable', { value: revocable, writable: true, enumerable: false, configurable: true });
})(globalThis, rt);
