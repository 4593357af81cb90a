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
    define('atanh', function atanh(x) {
        x = +x;
        if (x === 0 || x !== x) return x;
        return Math.log1p(2 * x / (1 - x)) / 2;
    });
})(globalThis);
