/*
 * symbol.js -- the well-known symbols and Symbol members Duktape 2.7 lacks
 * that lowered code touches: Symbol.asyncIterator (async iteration helpers
 * look it up) and Symbol.prototype.description.
 */
(function (G) {
    'use strict';
    /* While this group loads, the host's lazy accessors read as undefined. */
    if (typeof Symbol.asyncIterator !== 'symbol')
        Object.defineProperty(Symbol, 'asyncIterator', { value: Symbol('Symbol.asyncIterator'), writable: false, configurable: false });
    if (Symbol('x').description !== 'x') {
        Object.defineProperty(Symbol.prototype, 'description', {
            configurable: true,
            get: function () {
                var s;
                try {
                    s = Symbol.prototype.toString.call(this);
                } catch (e) {
                    throw new TypeError("Symbol.prototype.description requires that 'this' be a Symbol");
                }
                return s === 'Symbol()' ? undefined : s.slice(7, -1);
            }
        });
    }
})(globalThis);
