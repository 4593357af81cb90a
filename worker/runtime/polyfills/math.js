/*
 * math.js -- the Math functions Duktape 2.7 lacks (sign, trunc, log10, log2,
 * hypot, cbrt, clz32 and imul are native): expm1, log1p, fround and the
 * hyperbolic functions. Precision-sensitive ones use series near zero.
 * Duktape's cbrt is pow(x, 1/3) (cbrt(27) is 3.0000000000000004); it is
 * replaced by one refined with a Newton step.
 */
(function (G) {
    'use strict';
    var D = { value: undefined, writable: true, enumerable: false, configurable: true };
    function define(k, v) {
        var d = Object.getOwnPropertyDescriptor(Math, k);
        if (d && 'value' in d) return;
        D.value = v;
        Object.defineProperty(Math, k, D);
    }

    var cbrt = Object.getOwnPropertyDescriptor(Math, 'cbrt');
    if (!cbrt || !('value' in cbrt) || cbrt.value(27) !== 3) {
        Object.defineProperty(Math, 'cbrt', {
            value: function cbrt(x) {
                var y;
                x = +x;
                if (x === 0 || !isFinite(x)) return x;
                y = Math.pow(Math.abs(x), 1 / 3);
                y -= (y * y * y - Math.abs(x)) / (3 * y * y);
                return x < 0 ? -y : y;
            },
            writable: true, enumerable: false, configurable: true
        });
    }

    define('expm1', function expm1(x) {
        x = +x;
        if (x === 0 || x !== x) return x;
        if (Math.abs(x) < 1e-5) return x + x * x / 2 + x * x * x / 6;
        return Math.exp(x) - 1;
    });
    define('log1p', function log1p(x) {
        var u;
        x = +x;
        if (x === 0 || x !== x) return x;
        if (x === -1) return -Infinity;
        if (x < -1) return NaN;
        if (x === Infinity) return Infinity;
        /* log(u) * x / (u - 1) corrects the rounding of 1 + x. */
        u = 1 + x;
        return u === 1 ? x : Math.log(u) * x / (u - 1);
    });
    var f32 = new Float32Array(1);
    define('fround', function fround(x) {
        f32[0] = x;
        return f32[0];
    });
    define('sinh', function sinh(x) {
        x = +x;
        if (x === 0 || x !== x) return x;
        if (Math.abs(x) < 1) return (Math.expm1(x) - Math.expm1(-x)) / 2;
        return (Math.exp(x) - Math.exp(-x)) / 2;
    });
    define('cosh', function cosh(x) {
        var e = Math.exp(Math.abs(+x));
        return (e + 1 / e) / 2;
    });
    define('tanh', function tanh(x) {
        var a, b;
        x = +x;
        if (x === 0 || x !== x) return x;
        if (x > 20) return 1;
        if (x < -20) return -1;
        a = Math.expm1(x);
        b = Math.expm1(-x);
        return (a - b) / (Math.exp(x) + Math.exp(-x));
    });
    define('asinh', function asinh(x) {
        x = +x;
        if (x === 0 || !isFinite(x)) return x;
        return x < 0 ? -Math.asinh(-x) : Math.log(x + Math.sqrt(x * x + 1));
    });
    define('acosh', function acosh(x) {
        x = +x;
        return x < 1 ? NaN : Math.log(x + Math.sqrt(x * x - 1));
    });
    /* Math.sumPrecise(iterable) (ES2026): the exactly rounded sum of the
     * numbers, by Shewchuk's partials with the final half-even correction
     * (Python's math.fsum); an overflowing partial is redone on halves. */
    function fsum(xs) {
        var p = [], i, j, x, y, t, hi, lo, n;
        for (i = 0; i < xs.length; i++) {
            x = xs[i];
            n = 0;
            for (j = 0; j < p.length; j++) {
                y = p[j];
                if (Math.abs(x) < Math.abs(y)) { t = x; x = y; y = t; }
                hi = x + y;
                lo = y - (hi - x);
                if (lo !== 0) p[n++] = lo;
                x = hi;
            }
            p.length = n;
            p.push(x);
        }
        n = p.length;
        hi = 0;
        if (n > 0) {
            hi = p[--n];
            while (n > 0) {
                x = hi;
                y = p[--n];
                hi = x + y;
                lo = y - (hi - x);
                if (lo !== 0) break;
            }
            if (n > 0 && ((lo < 0 && p[n - 1] < 0) || (lo > 0 && p[n - 1] > 0))) {
                y = lo * 2;
                x = hi + y;
                if (y === x - hi) hi = x;
            }
        }
        return hi;
    }
    define('sumPrecise', function sumPrecise(items) {
        var it, r, v, xs = [], plusInf = false, minusInf = false, nan = false, allNegZero = true, s, k;
        if (items === null || items === undefined) throw new TypeError(items + ' is not iterable');
        it = items[Symbol.iterator]();
        for (;;) {
            r = it.next();
            if (r === null || typeof r !== 'object') throw new TypeError('iterator result is not an object');
            if (r.done) break;
            v = r.value;
            if (typeof v !== 'number') {
                if (typeof it['return'] === 'function') it['return']();
                throw new TypeError('Math.sumPrecise: ' + (typeof v) + ' is not a number');
            }
            if (xs.length >= 9007199254740992) throw new RangeError('Math.sumPrecise: too many values');
            if (v !== v) nan = true;
            else if (v === Infinity) plusInf = true;
            else if (v === -Infinity) minusInf = true;
            else if (!(v === 0 && 1 / v < 0)) { allNegZero = false; if (v !== 0) xs.push(v); }
        }
        if (nan || (plusInf && minusInf)) return NaN;
        if (plusInf) return Infinity;
        if (minusInf) return -Infinity;
        if (allNegZero) return -0;
        s = fsum(xs);
        if (s === Infinity || s === -Infinity || s !== s) {
            for (k = 0; k < xs.length; k++) xs[k] /= 2;
            s = fsum(xs) * 2;
        }
        return s;
    });
    define('atanh', function atanh(x) {
        x = +x;
        if (x === 0 || x !== x) return x;
        return Math.log1p(2 * x / (1 - x)) / 2;
    });
})(globalThis);
