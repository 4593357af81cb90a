/*
 * text-encoder.js -- TextEncoder.prototype.encodeInto, which Duktape's own
 * TextEncoder lacks: the UTF-8 of `source` written into `dest` as far as
 * whole characters fit, answering { read, written } (UTF-16 code units
 * read, bytes written).  A lone surrogate is U+FFFD, as encode() does.
 */
(function (G) {
    'use strict';
    var describe = rt.received; /* Node's " Received ..." (cw_runtime.c) */
    function encodeInto(source, dest) {
        if (!(dest instanceof Uint8Array)) {
            var e = new TypeError('The "dest" argument must be an instance of Uint8Array.' + describe(dest));
            e.code = 'ERR_INVALID_ARG_TYPE';
            throw e;
        }
        var s = '' + source, n = s.length, cap = dest.length, read = 0, written = 0;
        while (read < n) {
            var c = s.charCodeAt(read), units = 1;
            if (c >= 0xd800 && c <= 0xdbff && read + 1 < n) {
                var d = s.charCodeAt(read + 1);
                if (d >= 0xdc00 && d <= 0xdfff) {
                    c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
                    units = 2;
                }
            }
            if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
            var size = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
            if (written + size > cap) break;
            if (size === 1) {
                dest[written] = c;
            } else if (size === 2) {
                dest[written] = 0xc0 | (c >> 6);
                dest[written + 1] = 0x80 | (c & 0x3f);
            } else if (size === 3) {
                dest[written] = 0xe0 | (c >> 12);
                dest[written + 1] = 0x80 | ((c >> 6) & 0x3f);
                dest[written + 2] = 0x80 | (c & 0x3f);
            } else {
                dest[written] = 0xf0 | (c >> 18);
                dest[written + 1] = 0x80 | ((c >> 12) & 0x3f);
                dest[written + 2] = 0x80 | ((c >> 6) & 0x3f);
                dest[written + 3] = 0x80 | (c & 0x3f);
            }
            written += size;
            read += units;
        }
        return { read: read, written: written };
    }
    Object.defineProperty(G.TextEncoder.prototype, 'encodeInto', {
        value: encodeInto, writable: true, enumerable: true, configurable: true
    });
})(globalThis);
