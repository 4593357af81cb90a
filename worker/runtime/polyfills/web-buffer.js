/*
 * web-buffer.js -- Node's Buffer global (and what require('buffer') /
 * require('node:buffer') hands out).  Agents reach for it to base64- or
 * hex-encode text, count UTF-8 bytes and read binary fields.
 *
 * The implementation is the npm package `buffer` (feross/buffer, the
 * standard Buffer for browsers, Node's API on Uint8Array), bundled by
 * worker/libs/build.mjs as an internal library and loaded through rt.lib()
 * on the first touch of the global.  Its Buffer is a Uint8Array subclass
 * made the way Node makes it (Buffer.prototype inherits from
 * Uint8Array.prototype, instances are Uint8Arrays given that prototype), on
 * Duktape's own typed arrays.  Duktape's partial built-in Node Buffer is
 * removed from the global object before any job code runs (cw_sandbox.c),
 * which is why this trigger is a '!' one.
 */
(function (G) {
    'use strict';
    var lib = rt.lib('buffer'), Buffer = lib.Buffer, subarray = Uint8Array.prototype.subarray;
    function define(o, key, value) {
        Object.defineProperty(o, key, { value: value, writable: true, enumerable: false, configurable: true });
    }
    /* The bundler renamed the constructor (Buffer2). */
    Object.defineProperty(Buffer, 'name', { value: 'Buffer', writable: false, enumerable: false, configurable: true });
    /* V8's subarray makes a Buffer of a Buffer through @@species; Duktape's
     * makes a plain Uint8Array: give it Buffer's prototype, as slice does. */
    define(Buffer.prototype, 'subarray', function subarray_(start, end) {
        var b = subarray.call(this, start, end);
        Object.setPrototypeOf(b, Buffer.prototype);
        return b;
    });
    Object.defineProperty(Buffer.prototype.subarray, 'name', { value: 'subarray' });
    define(G, 'Buffer', Buffer);
    if (!rt.nodeModules)
        rt.nodeModules = {};
    rt.nodeModules.buffer = {
        Buffer: lib.Buffer,
        SlowBuffer: lib.SlowBuffer,
        kMaxLength: lib.kMaxLength,
        INSPECT_MAX_BYTES: lib.INSPECT_MAX_BYTES,
        constants: { MAX_LENGTH: lib.kMaxLength, MAX_STRING_LENGTH: 536870888 }
    };
})(globalThis);
