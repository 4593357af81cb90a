/*
 * errors.js -- Error.isError (ES2026): true for objects with an error's
 * internal slot. Duktape exposes that slot to scripts only through
 * Object.prototype.toString's "[object Error]", which a Symbol.toStringTag
 * can fake; so an object whose chain carries such a tag is not taken for an
 * error (a real error with a tag of its own is the one case this gets
 * wrong).
 */
(function (G) {
    'use strict';
    var toString = Object.prototype.toString;
    var TAG = Symbol.toStringTag;
    Object.defineProperty(Error, 'isError', {
        value: function isError(v) {
            if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return false;
            return !(TAG in v) && toString.call(v) === '[object Error]';
        },
        writable: true, enumerable: false, configurable: true
    });
})(globalThis);
