/*
 * locale.js -- the locale-sensitive methods of Number, Date, Array and
 * String, routed to Intl (intl.js, ICU underneath) as ECMA-402 defines
 * them: Number.prototype.toLocaleString is Intl.NumberFormat's format,
 * Date.prototype.toLocale{,Date,Time}String are Intl.DateTimeFormat's with
 * ToDateTimeOptions' "any/all", "date/date" and "time/time", Array's calls
 * each element's toLocaleString(locales, options), and
 * String.prototype.localeCompare is Intl.Collator's compare.
 *
 * Referencing the Intl global is what loads intl.js, so jobs that never
 * format pay nothing for it.  intl.js leaves rt.formatNumber, rt.formatDate
 * and rt.compareStrings, which reuse one formatter per locale for calls
 * without options (a sort calls localeCompare n log n times).
 */
(function (G, rt) {
    'use strict';
    /* Named parameters, not `arguments` (which Duktape materialises on every
     * call: 10 us of a localeCompare), and the spec's lengths restored. */
    function define(o, k, v, length) {
        if (length !== undefined) Object.defineProperty(v, 'length', { value: length, configurable: true });
        Object.defineProperty(o, k, { value: v, writable: true, enumerable: false, configurable: true });
    }
    function intl() {
        return G.Intl; /* loads intl.js, which sets rt.format* */
    }
    function thisNumber(v) {
        if (typeof v === 'number') return v;
        if (v instanceof Number) return v.valueOf();
        throw new TypeError('Number.prototype.toLocaleString requires that \'this\' be a Number');
    }
    define(Number.prototype, 'toLocaleString', function toLocaleString(locales, options) {
        var x = thisNumber(this);
        if (!rt.formatNumber) intl();
        return rt.formatNumber(x, locales, options);
    }, 0);

    function dateMethod(name, required, defaults) {
        define(Date.prototype, name, function (locales, options) {
            if (!(this instanceof Date)) throw new TypeError('this is not a Date object.');
            if (!rt.formatDate) { intl(); rt.initDateTimeFormat(); } /* sets rt.formatDate */
            return rt.formatDate(this, locales, options, required, defaults);
        }, 0);
    }
    dateMethod('toLocaleString', 'any', 'all');
    dateMethod('toLocaleDateString', 'date', 'date');
    dateMethod('toLocaleTimeString', 'time', 'time');

    define(Array.prototype, 'toLocaleString', function toLocaleString(locales, options) {
        if (this === null || this === undefined) throw new TypeError('Array.prototype.toLocaleString called on null or undefined');
        var o = Object(this), n = o.length >>> 0, out = '', i, v;
        for (i = 0; i < n; i++) {
            if (i > 0) out += ',';
            v = o[i];
            if (v !== null && v !== undefined) out += String(Object(v).toLocaleString(locales, options));
        }
        return out;
    }, 0);

    /* The host's native (cw_intl_collator.c) compares a plain
     * `a.localeCompare(b)` in C and hands every other call to
     * rt.compareStrings; this script form is the same for a host without it. */
    define(String.prototype, 'localeCompare', rt.localeCompare || function localeCompare(that, locales, options) {
        if (this === null || this === undefined) throw new TypeError('String.prototype.localeCompare called on null or undefined');
        if (!rt.compareStrings) { intl(); rt.initCollator(); } /* sets rt.compareStrings */
        return rt.compareStrings(String(this), String(that), locales, options);
    }, 1);
})(globalThis, rt);
