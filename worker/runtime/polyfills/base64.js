/*
 * base64.js -- atob, btoa and DOMException, the WHATWG globals Node 24 gives
 * every script.  Agents reach for them to encode tokens, decode payloads and
 * build data: URLs; without them a job that works under Node fails with a
 * ReferenceError here.
 *
 * atob follows the forgiving-base64 decode of the Infra standard in the
 * order Node 24 checks it (so its two messages come out for the same
 * inputs): ASCII whitespace is skipped, '=' may only end the text and at
 * most twice, a length that leaves a remainder may not carry '=' at all, and
 * a remainder of 1 is "not correctly encoded".  btoa refuses any code unit
 * above U+00FF.  Both take their argument through String(), as WebIDL's
 * DOMString does, and a missing argument is Node's ERR_MISSING_ARGS
 * TypeError.  Errors are DOMExceptions named InvalidCharacterError (legacy
 * code 5), instances of Error as in Node (a vm context records `instanceof
 * Error` false across realms; a Node script says true, as here).
 */
(function (G) {
    'use strict';
    var ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    var CODES = {
        IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
        NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11,
        SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14, InvalidAccessError: 15,
        TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20, URLMismatchError: 21,
        QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25
    };

    /* (message, name), read from arguments: DOMException.length is 0. */
    function DOMException() {
        var message = arguments[0], name = arguments[1];
        if (!(this instanceof DOMException))
            throw new TypeError("Class constructor DOMException cannot be invoked without 'new'");
        var m = message === undefined ? '' : String(message);
        var n = name === undefined ? 'Error' : String(name);
        Object.defineProperty(this, 'message', { value: m, writable: true, enumerable: false, configurable: true });
        Object.defineProperty(this, 'name', { value: n, writable: true, enumerable: false, configurable: true });
    }
    DOMException.prototype = Object.create(Error.prototype);
    Object.defineProperty(DOMException.prototype, 'constructor',
        { value: DOMException, writable: true, enumerable: false, configurable: true });
    Object.defineProperty(DOMException.prototype, 'code', {
        get: function () { return CODES.hasOwnProperty(this.name) ? CODES[this.name] : 0; },
        enumerable: true, configurable: true
    });
    Object.defineProperty(DOMException.prototype, Symbol.toStringTag,
        { value: 'DOMException', writable: false, enumerable: false, configurable: true });

    function invalid(msg) { return new DOMException(msg, 'InvalidCharacterError'); }
    function missing() {
        var e = new TypeError('The "input" argument must be specified');
        e.code = 'ERR_MISSING_ARGS';
        return e;
    }

    function btoa(input) {
        if (arguments.length === 0) throw missing();
        var s = '' + input; /* a Symbol throws TypeError, as in Node */
        var out = '', i, n = s.length;
        for (i = 0; i < n; i++)
            if (s.charCodeAt(i) > 0xff) throw invalid('Invalid character');
        for (i = 0; i + 2 < n; i += 3) {
            var v = (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8) | s.charCodeAt(i + 2);
            out += ALPHA.charAt(v >> 18) + ALPHA.charAt((v >> 12) & 63) + ALPHA.charAt((v >> 6) & 63) + ALPHA.charAt(v & 63);
        }
        if (n - i === 1) {
            var a = s.charCodeAt(i) << 16;
            out += ALPHA.charAt(a >> 18) + ALPHA.charAt((a >> 12) & 63) + '==';
        } else if (n - i === 2) {
            var b = (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8);
            out += ALPHA.charAt(b >> 18) + ALPHA.charAt((b >> 12) & 63) + ALPHA.charAt((b >> 6) & 63) + '=';
        }
        return out;
    }

    function atob(input) {
        if (arguments.length === 0) throw missing();
        var s = '' + input;
        var digits = [], equals = 0, i, c;
        for (i = 0; i < s.length; i++) {
            c = s.charCodeAt(i);
            if (c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d || c === 0x20) continue;
            if (c === 0x3d) { /* '=' */
                if (++equals > 2) throw invalid('Invalid character');
                continue;
            }
            var d = c < 128 ? ALPHA.indexOf(String.fromCharCode(c)) : -1;
            if (d < 0 || equals) throw invalid('Invalid character');
            digits.push(d);
        }
        var count = digits.length + equals, rem = count % 4;
        if (!rem) rem = digits.length % 4;
        else if (equals) throw invalid('Invalid character');
        if (rem === 1) throw invalid('The string to be decoded is not correctly encoded.');
        var out = '', bits = 0, acc = 0;
        for (i = 0; i < digits.length; i++) {
            acc = (acc << 6) | digits[i];
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out += String.fromCharCode((acc >> bits) & 0xff);
            }
        }
        return out;
    }

    function define(name, value) {
        Object.defineProperty(G, name, { value: value, writable: true, enumerable: false, configurable: true });
    }
    define('DOMException', DOMException);
    define('atob', atob);
    define('btoa', btoa);
})(globalThis);
