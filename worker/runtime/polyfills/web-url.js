/*
 * web-url.js -- URL and URLSearchParams, the WHATWG globals Node gives every
 * script (and require('url') / require('node:url') hands out).  Agents parse
 * links (`new URL(s).hostname`), build query strings and resolve relative
 * references with them; without them a job written for Node dies with a
 * ReferenceError.
 *
 * Nothing here implements the URL Standard: whatwg-url, its reference
 * implementation (what jsdom uses), is bundled by worker/libs/build.mjs as an
 * internal library, and rt.lib() loads it on the first touch of either
 * global.  This body only fits it to Node 24:
 *   - `new URL(bad)`, `new URL(s, badBase)` and `url.href = bad` throw
 *     Node's TypeError: message "Invalid URL", code ERR_INVALID_URL, with
 *     `input` (and `base` when one was given) as own properties;
 *   - `new URL()` is ERR_MISSING_ARGS, `URL()` without `new` is the class
 *     constructor TypeError;
 *   - the globals are writable, configurable and not enumerable, as Node's.
 * URL.canParse, URL.parse, the live searchParams, toJSON, size, sort and
 * has(name, value) come from whatwg-url as they are.
 */
(function (G) {
    'use strict';
    var lib = rt.lib('whatwg-url');
    var Impl = lib.URL, URLSearchParams = lib.URLSearchParams;

    function define(o, key, value) {
        Object.defineProperty(o, key, { value: value, writable: true, enumerable: false, configurable: true });
    }

    /* whatwg-url's own parse failures read "Invalid URL: <input>" and
     * "Invalid base URL: <base>"; anything else (a Symbol argument) passes. */
    function nodeError(e, input, base, hasBase) {
        if (!(e instanceof TypeError) || !/^Invalid (base )?URL: /.test(e.message))
            return e;
        var n = new TypeError('Invalid URL');
        n.code = 'ERR_INVALID_URL';
        n.input = input;
        if (hasBase)
            n.base = base;
        return n;
    }

    function URL(url) {
        if (!(this instanceof URL))
            throw new TypeError("Class constructor URL cannot be invoked without 'new'");
        if (arguments.length === 0) {
            var m = new TypeError('The "url" argument must be specified');
            m.code = 'ERR_MISSING_ARGS';
            throw m;
        }
        /* whatwg-url's constructor makes its object from
         * this.constructor.prototype, so subclasses keep theirs. */
        try {
            return Impl.apply(this, arguments);
        } catch (e) {
            var hasBase = arguments.length > 1 && arguments[1] !== undefined;
            throw nodeError(e, String(url), hasBase ? String(arguments[1]) : undefined, hasBase);
        }
    }
    URL.prototype = Impl.prototype;
    define(URL.prototype, 'constructor', URL);
    define(URL, 'parse', Impl.parse);
    define(URL, 'canParse', Impl.canParse);

    var href = Object.getOwnPropertyDescriptor(Impl.prototype, 'href');
    Object.defineProperty(Impl.prototype, 'href', {
        get: href.get,
        set: function (v) {
            try {
                href.set.call(this, v);
            } catch (e) {
                throw nodeError(e, String(v), undefined, false);
            }
        },
        enumerable: true,
        configurable: true
    });

    define(G, 'URL', URL);
    define(G, 'URLSearchParams', URLSearchParams);
    if (!rt.nodeModules)
        rt.nodeModules = {};
    /* Node's legacy API (url.parse/format/resolve/resolveObject, Url): the
     * internal library url-legacy (npm `url` 0.11.0, the port of Node's own
     * lib/url.js over querystring and punycode), loaded on first call.  Node
     * 24 differs from that port in one observable way agents hit:
     * parse(u, true) of a URL with no query gives `search: null` (the port:
     * ""). */
    var legacy = null;
    function legacyLib() {
        if (!legacy) legacy = rt.lib('url-legacy');
        return legacy;
    }
    function parse(url, parseQueryString, slashesDenoteHost) {
        var r = legacyLib().parse(url, parseQueryString, slashesDenoteHost);
        if (parseQueryString && r.search === '') r.search = null;
        return r;
    }
    function format(obj) {
        if (obj instanceof URL) return obj.href;
        return legacyLib().format(obj);
    }
    function resolve(from, to) {
        return legacyLib().resolve(from, to);
    }
    function resolveObject(from, to) {
        return legacyLib().resolveObject(from, to);
    }
    var mod = {
        URL: URL, URLSearchParams: URLSearchParams,
        parse: parse, format: format, resolve: resolve, resolveObject: resolveObject
    };
    /* The library's own constructor (its prototype has parse/format/...). */
    Object.defineProperty(mod, 'Url', {
        get: function () { return legacyLib().Url; }, enumerable: true, configurable: true
    });
    rt.nodeModules.url = mod;
})(globalThis);
