/*
 * intl.js -- ECMA-402 (the Intl namespace) for Duktape 2.7, on ICU4C.
 *
 * Node's Intl is V8's option processing over ICU; this file is the option
 * processing, written after the specification and V8's choices (defaults,
 * validation order, the RangeError/TypeError messages Node prints), and the
 * host's native rt.icu(op, ...) (worker/intl) answers what only CLDR data
 * can: digits and separators, patterns, names, collation order, plural
 * categories, break rules.  The operation numbers below are those of
 * worker/intl/cw_intl_internal.h.
 *
 * Constructors keep their resolved options in a hidden `_r` record and
 * hand ICU an ICU locale (the resolved locale plus the -u- keywords that
 * matter) and an ICU skeleton; the host caches one ICU object per (locale,
 * skeleton) for the heap, so a formatter made in a loop costs a lookup.
 *
 * Loaded on the first touch of `Intl` (and through it by the toLocale*
 * methods of locale.js), so a job that formats nothing pays nothing.
 */
(function (G, rt) {
    'use strict';
    var icu = rt.icu;
    var OP = {
        LOC_CANON: 0, LOC_RESOLVE: 1, LOC_LIKELY: 2, LOC_DEFAULTS: 3,
        NF_FORMAT: 10, NF_RANGE: 11, CURRENCY_DIGITS: 12,
        PL_SELECT: 13, PL_CATEGORIES: 14, PL_RANGE: 15,
        DT_PATTERN: 20, DT_FORMAT: 21, DT_RANGE: 22, TZ_CANON: 23, TZ_DEFAULT: 24, DT_SKELETON: 25,
        COLL_COMPARE: 30, RT_FORMAT: 40, LIST_FORMAT: 41, DN_OF: 42, SEGMENT: 43, SUPPORTED: 44, SEG_TEXT: 45
    };
    var slice = Array.prototype.slice;

    function define(o, k, v) {
        Object.defineProperty(o, k, { value: v, writable: true, enumerable: false, configurable: true });
    }
    function hidden(o, k, v) {
        Object.defineProperty(o, k, { value: v, writable: false, enumerable: false, configurable: false });
    }
    function toObjectOptions(o) {
        if (o === undefined) return Object.create(null);
        if (o === null) throw new TypeError('Cannot convert undefined or null to object');
        return Object(o);
    }
    function getOption(o, k, type, values, fallback, service) {
        var v = o[k];
        if (v === undefined) return fallback;
        if (type === 'boolean') return Boolean(v);
        v = String(v);
        if (values && values.indexOf(v) < 0) throw new RangeError('Value ' + v + ' out of range for ' + service + ' options property ' + k);
        return v;
    }
    function defaultNumberOption(v, min, max, fallback, k) {
        if (v === undefined) return fallback;
        v = Number(v);
        if (v !== v || v < min || v > max) throw new RangeError(k + ' value is out of range.');
        return Math.floor(v);
    }
    function getNumberOption(o, k, min, max, fallback) {
        return defaultNumberOption(o[k], min, max, fallback, k);
    }

    /* Sections that most jobs never use are set up on first use of their
     * constructor (a lazy property of Intl): loading the group then costs
     * only the shared helpers and NumberFormat. */
    function once(init) {
        var done = false, v;
        return function () {
            if (!done) { v = init(); done = true; }
            return v;
        };
    }
    function lazy(o, k, init) {
        Object.defineProperty(o, k, {
            configurable: true, enumerable: false,
            get: function () { var v = init(); define(o, k, v); return v; },
            set: function (v) { define(o, k, v); }
        });
    }
    var HC_CHAR = { h11: 'K', h12: 'h', h23: 'H', h24: 'k' };
    var LocaleC = null; /* Intl.Locale once its section ran: no instance exists before */

    /* ---- locales ------------------------------------------------------- */

    var DEFAULT_LOCALE = 'en-US';
    function canonicalizeLocaleList(locales) {
        var seen = [], list, i, tag, c;
        if (locales === undefined) return seen;
        if (typeof locales === 'string' || (LocaleC && locales instanceof LocaleC)) list = [locales];
        else {
            if (locales === null) throw new TypeError('Cannot convert undefined or null to object');
            list = Object(locales);
        }
        var len = list.length >>> 0;
        for (i = 0; i < len; i++) {
            if (!(i in list)) continue;
            tag = list[i];
            if (typeof tag !== 'string' && (tag === null || typeof tag !== 'object')) throw new TypeError('Language ID should be string or object.');
            tag = LocaleC && tag instanceof LocaleC ? tag.toString() : String(tag);
            c = icu(OP.LOC_CANON, tag);
            if (c === undefined) throw new RangeError('Incorrect locale information provided');
            if (seen.indexOf(c) < 0) seen.push(c);
        }
        return seen;
    }
    /* "de-DE-u-co-phonebk-nu-latn" -> { base: "de-DE", ext: { co: "phonebk", nu: "latn" } } */
    function splitTag(tag) {
        var m = /^(.*?)(?:-u((?:-[a-z0-9]{2,8})+))?((?:-[a-wyz0-9]-.*)|(?:-x-.*))?$/i.exec(tag), ext = {}, parts, i, key;
        var base = m ? m[1] : tag;
        if (m && m[2]) {
            parts = m[2].slice(1).split('-');
            key = null;
            for (i = 0; i < parts.length; i++) {
                if (parts[i].length === 2) { key = parts[i]; ext[key] = 'true'; }
                else if (key) ext[key] = ext[key] === 'true' ? parts[i] : ext[key] + '-' + parts[i];
            }
        }
        return { base: base, ext: ext };
    }
    var resolveCache = {};
    function resolveBase(base, service) {
        var k = service + ':' + base;
        if (!(k in resolveCache)) resolveCache[k] = icu(OP.LOC_RESOLVE, base, service);
        return resolveCache[k];
    }
    /* ECMA-402 ResolveLocale, lookup style: the first requested locale ICU
     * has data for, with the relevant -u- keywords it asked for. */
    function resolveLocale(locales, service, keys) {
        var req = canonicalizeLocaleList(locales), i, s, found, ext = {};
        for (i = 0; i < req.length; i++) {
            s = splitTag(req[i]);
            found = resolveBase(s.base, service);
            if (found !== undefined) { ext = s.ext; break; }
        }
        if (found === undefined) found = resolveBase(DEFAULT_LOCALE, service) || DEFAULT_LOCALE;
        var kw = {};
        for (i = 0; i < keys.length; i++) if (ext[keys[i]] !== undefined) kw[keys[i]] = ext[keys[i]];
        return { locale: found, kw: kw };
    }
    function withKeywords(locale, kw) {
        var ks = Object.keys(kw).sort(), s = '', i;
        for (i = 0; i < ks.length; i++) if (kw[ks[i]] !== undefined) s += '-' + ks[i] + (kw[ks[i]] === 'true' ? '' : '-' + kw[ks[i]]);
        return s ? locale + '-u' + s : locale;
    }
    var defaultsCache = {};
    function localeDefaults(locale, withCalendar) {
        var k = (withCalendar ? 'c:' : 'n:') + locale;
        if (!defaultsCache[k]) defaultsCache[k] = icu(OP.LOC_DEFAULTS, locale, withCalendar);
        return defaultsCache[k];
    }
    var CAL_ICU = { gregorian: 'gregory', 'ethiopic-amete-alem': 'ethioaa' };
    function bcpCalendar(c) { return CAL_ICU[c] || c; }
    function supportedLocalesOf(service) {
        return function supportedLocalesOf(locales, options) {
            var req = canonicalizeLocaleList(locales), out = [], i;
            if (options !== undefined) getOption(toObjectOptions(options), 'localeMatcher', 'string', ['lookup', 'best fit'], 'best fit', 'Intl');
            for (i = 0; i < req.length; i++) if (resolveBase(splitTag(req[i]).base, service) !== undefined) out.push(req[i]);
            return out;
        };
    }
    function checkNumberingSystem(nu) {
        if (nu !== undefined && !/^[a-z0-9]{3,8}(-[a-z0-9]{3,8})*$/i.test(nu)) throw new RangeError('Invalid numberingSystem : ' + nu);
        return nu;
    }

    function ctor(self, C, name) {
        if (!(self instanceof C)) throw new TypeError("Constructor Intl." + name + " requires 'new'");
    }
    function state(self, C, method) {
        if (self === null || typeof self !== 'object' || !self._r || self._k !== C) throw new TypeError('Method ' + method + ' called on incompatible receiver ' + String(self));
        return self._r;
    }
    function boundGetter(C, proto, name, method, make) {
        Object.defineProperty(proto, name, {
            configurable: true, enumerable: false,
            get: function () {
                var r = state(this, C, method), f;
                if (!this._b) {
                    f = make(this, r);
                    Object.defineProperty(f, 'name', { value: '', configurable: true });
                    Object.defineProperty(this, '_b', { value: f });
                }
                return this._b;
            }
        });
    }
    function tag(proto, name) {
        Object.defineProperty(proto, Symbol.toStringTag, { value: name, configurable: true });
    }

    /* ---- NumberFormat -------------------------------------------------- */

    var SANCTIONED = ('acre bit byte celsius centimeter day degree fahrenheit fluid-ounce foot gallon gigabit gigabyte gram hectare hour ' +
        'inch kilobit kilobyte kilogram kilometer liter megabit megabyte meter microsecond mile mile-scandinavian milliliter millimeter ' +
        'millisecond minute month nanosecond ounce percent petabyte pound second stone terabit terabyte week yard year').split(' ');
    function isSanctioned(u) { return SANCTIONED.indexOf(u) >= 0; }
    function wellFormedUnit(u) {
        var i;
        if (isSanctioned(u)) return true;
        i = u.indexOf('-per-');
        return i > 0 && isSanctioned(u.slice(0, i)) && isSanctioned(u.slice(i + 5));
    }
    var ROUNDING_MODES = ['ceil', 'floor', 'expand', 'trunc', 'halfCeil', 'halfFloor', 'halfExpand', 'halfTrunc', 'halfEven'];
    var ROUNDING_ICU = {
        ceil: 'ceiling', floor: 'floor', expand: 'up', trunc: 'down', halfCeil: 'half-ceiling',
        halfFloor: 'half-floor', halfExpand: 'half-up', halfTrunc: 'half-down', halfEven: 'half-even'
    };
    var INCREMENTS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000];

    function repeat(c, n) { var s = ''; while (n-- > 0) s += c; return s; }

    /* SetNumberFormatDigitOptions (ES2023) into r. */
    function digitOptions(r, o, mnfdDefault, mxfdDefault, notation, service) {
        var mnid = getNumberOption(o, 'minimumIntegerDigits', 1, 21, 1);
        var mnfd = o.minimumFractionDigits, mxfd = o.maximumFractionDigits;
        var mnsd = o.minimumSignificantDigits, mxsd = o.maximumSignificantDigits;
        r.minimumIntegerDigits = mnid;
        var inc = getNumberOption(o, 'roundingIncrement', 1, 5000, 1);
        if (INCREMENTS.indexOf(inc) < 0) throw new RangeError('roundingIncrement value is out of range.');
        var mode = getOption(o, 'roundingMode', 'string', ROUNDING_MODES, 'halfExpand', service);
        var prio = getOption(o, 'roundingPriority', 'string', ['auto', 'morePrecision', 'lessPrecision'], 'auto', service);
        var tzd = getOption(o, 'trailingZeroDisplay', 'string', ['auto', 'stripIfInteger'], 'auto', service);
        if (inc !== 1) mxfdDefault = mnfdDefault;
        r.roundingIncrement = inc;
        r.roundingMode = mode;
        r.trailingZeroDisplay = tzd;
        var hasSd = mnsd !== undefined || mxsd !== undefined, hasFd = mnfd !== undefined || mxfd !== undefined;
        var needSd = true, needFd = true;
        if (prio === 'auto') {
            needSd = hasSd;
            if (needSd || (!hasFd && notation === 'compact')) needFd = false;
        }
        if (needSd) {
            if (hasSd) {
                mnsd = defaultNumberOption(mnsd, 1, 21, 1, 'minimumSignificantDigits');
                mxsd = defaultNumberOption(mxsd, mnsd, 21, 21, 'maximumSignificantDigits');
                r.minimumSignificantDigits = mnsd;
                r.maximumSignificantDigits = mxsd;
            } else {
                r.minimumSignificantDigits = 1;
                r.maximumSignificantDigits = 21;
            }
        }
        if (needFd) {
            if (hasFd) {
                mnfd = defaultNumberOption(mnfd, 0, 100, undefined, 'minimumFractionDigits');
                mxfd = defaultNumberOption(mxfd, 0, 100, undefined, 'maximumFractionDigits');
                if (mnfd === undefined) mnfd = Math.min(mnfdDefault, mxfd);
                else if (mxfd === undefined) mxfd = Math.max(mxfdDefault, mnfd);
                else if (mnfd > mxfd) throw new RangeError('maximumFractionDigits value is out of range.');
                r.minimumFractionDigits = mnfd;
                r.maximumFractionDigits = mxfd;
            } else {
                r.minimumFractionDigits = mnfdDefault;
                r.maximumFractionDigits = mxfdDefault;
            }
        }
        if (!needSd && !needFd) {
            r.minimumFractionDigits = 0;
            r.maximumFractionDigits = 0;
            r.minimumSignificantDigits = 1;
            r.maximumSignificantDigits = 2;
            r.roundingType = 'morePrecision';
            r.roundingPriority = 'morePrecision';
            r.compactRounding = true;
        } else if (prio === 'auto') {
            r.roundingType = needSd ? 'significantDigits' : 'fractionDigits';
            r.roundingPriority = 'auto';
        } else {
            r.roundingType = prio;
            r.roundingPriority = prio;
        }
        if (inc !== 1) {
            if (r.roundingType !== 'fractionDigits') throw new TypeError('roundingIncrement is only valid with fraction digits');
            if (r.maximumFractionDigits !== r.minimumFractionDigits) throw new RangeError('maximumFractionDigits value is out of range.');
        }
    }
    /* The ICU skeleton of the digit options. */
    function precisionSkeleton(r) {
        var s = [], p, f, g, w = r.trailingZeroDisplay === 'stripIfInteger' ? '/w' : '';
        if (!r.compactRounding) {
            f = r.maximumFractionDigits === 0 && r.roundingType === 'fractionDigits' ? 'precision-integer' :
                '.' + repeat('0', r.minimumFractionDigits) + repeat('#', r.maximumFractionDigits - r.minimumFractionDigits);
            g = repeat('@', r.minimumSignificantDigits) + repeat('#', r.maximumSignificantDigits - r.minimumSignificantDigits);
            if (r.roundingIncrement !== 1) {
                p = String(r.roundingIncrement);
                while (p.length <= r.maximumFractionDigits) p = '0' + p;
                p = 'precision-increment/' + (r.maximumFractionDigits ? p.slice(0, p.length - r.maximumFractionDigits) + '.' + p.slice(p.length - r.maximumFractionDigits) : p);
            } else if (r.roundingType === 'fractionDigits') p = f + w;
            else if (r.roundingType === 'significantDigits') p = g + w;
            else {
                if (f === 'precision-integer') f = '.';
                p = f + '/' + g + (r.roundingType === 'morePrecision' ? 'r' : 's') + w;
            }
            s.push(p);
        }
        s.push('rounding-mode-' + ROUNDING_ICU[r.roundingMode]);
        if (r.minimumIntegerDigits > 1) s.push('integer-width/*' + repeat('0', r.minimumIntegerDigits));
        return s;
    }

    function NumberFormat(locales, options) {
        var self = this instanceof NumberFormat ? this : Object.create(NumberFormat.prototype);
        var o = toObjectOptions(options), svc = 'Intl.NumberFormat';
        getOption(o, 'localeMatcher', 'string', ['lookup', 'best fit'], 'best fit', svc);
        var nu = checkNumberingSystem(getOption(o, 'numberingSystem', 'string', null, undefined, svc));
        var res = resolveLocale(locales, 0, ['nu']);
        var r = { locale: res.locale };
        if (nu !== undefined) res.kw.nu = nu;
        var style = getOption(o, 'style', 'string', ['decimal', 'percent', 'currency', 'unit'], 'decimal', svc);
        var currency = getOption(o, 'currency', 'string', null, undefined, svc);
        if (currency !== undefined && !/^[A-Za-z]{3}$/.test(currency)) throw new RangeError('Invalid currency code : ' + currency);
        var cd = getOption(o, 'currencyDisplay', 'string', ['code', 'symbol', 'narrowSymbol', 'name'], 'symbol', svc);
        var cs = getOption(o, 'currencySign', 'string', ['standard', 'accounting'], 'standard', svc);
        var unit = getOption(o, 'unit', 'string', null, undefined, svc);
        if (unit !== undefined && !wellFormedUnit(unit)) throw new RangeError("Invalid unit argument for Intl.NumberFormat() '" + unit + "'");
        var ud = getOption(o, 'unitDisplay', 'string', ['short', 'narrow', 'long'], 'short', svc);
        if (style === 'currency' && currency === undefined) throw new TypeError('Currency code is required with currency style.');
        if (style === 'unit' && unit === undefined) throw new TypeError("Invalid unit argument for Intl.NumberFormat() ''");
        r.style = style;
        if (style === 'currency') {
            r.currency = currency.toUpperCase();
            r.currencyDisplay = cd;
            r.currencySign = cs;
        }
        if (style === 'unit') {
            r.unit = unit;
            r.unitDisplay = ud;
        }
        var notation = getOption(o, 'notation', 'string', ['standard', 'scientific', 'engineering', 'compact'], 'standard', svc);
        var mnfdD = 0, mxfdD = 3, cdig;
        if (style === 'currency' && notation === 'standard') {
            cdig = icu(OP.CURRENCY_DIGITS, r.currency);
            mnfdD = cdig;
            mxfdD = cdig;
        } else if (style === 'currency') {
            cdig = icu(OP.CURRENCY_DIGITS, r.currency);
            mnfdD = cdig; mxfdD = cdig;
        } else if (style === 'percent') {
            mxfdD = 0;
        }
        digitOptions(r, o, mnfdD, mxfdD, notation, svc);
        var compactDisplay = getOption(o, 'compactDisplay', 'string', ['short', 'long'], 'short', svc);
        var ug = o.useGrouping, dflt = notation === 'compact' ? 'min2' : 'auto';
        if (ug === undefined) ug = dflt;
        else if (ug === true) ug = 'always';
        else if (!ug) ug = false;
        else {
            ug = String(ug);
            if (ug === 'true' || ug === 'false') ug = dflt;
            else if (['min2', 'auto', 'always'].indexOf(ug) < 0) throw new RangeError('Value ' + ug + ' out of range for Intl.NumberFormat options property useGrouping');
        }
        var sd = getOption(o, 'signDisplay', 'string', ['auto', 'never', 'always', 'exceptZero', 'negative'], 'auto', svc);
        r.notation = notation;
        if (notation === 'compact') r.compactDisplay = compactDisplay;
        r.useGrouping = ug;
        r.signDisplay = sd;
        r.icuLocale = withKeywords(res.locale, res.kw);
        r.numberingSystem = localeDefaults(r.icuLocale)[0];
        if (res.kw.nu !== undefined && res.kw.nu === r.numberingSystem && nu === undefined) r.locale = withKeywords(res.locale, { nu: res.kw.nu });
        r.skeleton = numberSkeleton(r);
        hidden(self, '_r', r);
        hidden(self, '_k', NumberFormat);
        return self;
    }
    function numberSkeleton(r) {
        var s = [];
        if (r.style === 'currency') {
            s.push('currency/' + r.currency);
            if (r.currencyDisplay === 'code') s.push('unit-width-iso-code');
            else if (r.currencyDisplay === 'name') s.push('unit-width-full-name');
            else if (r.currencyDisplay === 'narrowSymbol') s.push('unit-width-narrow');
        } else if (r.style === 'percent') {
            s.push('percent', 'scale/100');
        } else if (r.style === 'unit') {
            s.push(r.unit === 'percent' ? 'percent' : 'unit/' + r.unit);
            if (r.unitDisplay === 'long') s.push('unit-width-full-name');
            else if (r.unitDisplay === 'narrow') s.push('unit-width-narrow');
        }
        if (r.notation === 'scientific') s.push('scientific');
        else if (r.notation === 'engineering') s.push('engineering');
        else if (r.notation === 'compact') s.push(r.compactDisplay === 'long' ? 'compact-long' : 'compact-short');
        s = s.concat(precisionSkeleton(r));
        if (r.useGrouping === false) s.push('group-off');
        else if (r.useGrouping === 'min2') s.push('group-min2');
        else if (r.useGrouping === 'always') s.push('group-on-aligned');
        var acc = r.currencySign === 'accounting';
        var SIGN = { auto: acc ? 'sign-accounting' : 'sign-auto', never: 'sign-never', always: acc ? 'sign-accounting-always' : 'sign-always',
            exceptZero: acc ? 'sign-accounting-except-zero' : 'sign-except-zero', negative: acc ? 'sign-accounting-negative' : 'sign-negative' };
        s.push(SIGN[r.signDisplay]);
        return s.join(' ');
    }
    /* ToIntlMathematicalValue: numbers as they are, decimal strings exactly. */
    function toIntlValue(x) {
        if (typeof x === 'string') {
            var t = x.replace(/^[\s\u00a0\ufeff]+|[\s\u00a0\ufeff]+$/g, '');
            /* Exact decimals, within what ICU should be asked to hold (a
             * thousand digits, exponents to 1e±9999): beyond, the Number. */
            var m = /^[+-]?(\d+\.?\d*|\.\d+)(e([+-]?\d+))?$/i.exec(t);
            if (m && t.length <= 1000 && (!m[3] || Math.abs(Number(m[3])) <= 9999)) return t.charAt(0) === '+' ? t.slice(1) : t;
            if (m && m[3]) { /* Duktape's Number() refuses huge exponents */
                var neg = t.charAt(0) === '-', zero = !/[1-9]/.test(m[1]);
                if (zero || Number(m[3]) < 0) return neg ? -0 : 0;
                return neg ? -Infinity : Infinity;
            }
            return Number(x);
        }
        if (typeof x === 'bigint') return String(x);
        return Number(x);
    }
    var NUM_FIELDS = ['integer', 'fraction', 'decimal', 'exponentSeparator', 'exponentMinusSign', 'exponentInteger', 'group',
        'currency', 'percentSign', 'percentSign', 'minusSign', 'unit', 'compact', 'approximatelySign'];
    /* ICU's nested field spans -> formatToParts' flat list: each character
     * takes the innermost span around it; runs of one span become a part. */
    function flattenParts(res, category, typeOf, sourceCat) {
        var str = res[0], f = res[1], n = str.length, owner = new Array(n), src = null, i, j, b, e, best, out = [], cur, start;
        var spans = [];
        for (i = 0; i < f.length; i += 4) {
            if (f[i] === category) spans.push([f[i + 1], f[i + 2], f[i + 3]]);
            else if (sourceCat !== undefined && f[i] === sourceCat) {
                if (!src) src = new Array(n);
                for (j = f[i + 2]; j < f[i + 3]; j++) src[j] = f[i + 1];
            }
        }
        for (i = 0; i < spans.length; i++) {
            b = spans[i][1]; e = spans[i][2];
            for (j = b; j < e; j++) {
                best = owner[j];
                if (best === undefined || (spans[best][2] - spans[best][1]) >= e - b) owner[j] = i;
            }
        }
        for (i = 0; i < n;) {
            cur = owner[i];
            start = i;
            while (i < n && owner[i] === cur && (!src || src[i] === src[start])) i++;
            var part = { type: cur === undefined ? 'literal' : typeOf(spans[cur][0], str.slice(start, i)), value: str.slice(start, i) };
            if (src) part.source = src[start] === 0 ? 'startRange' : src[start] === 1 ? 'endRange' : 'shared';
            out.push(part);
        }
        return out;
    }
    function numberPartType(x) {
        return function (field, text) {
            if (field === 0) {
                if (x !== x) return 'nan';
                if (x === Infinity || x === -Infinity) return 'infinity';
                return 'integer';
            }
            if (field === 10) return text === '+' ? 'plusSign' : 'minusSign';
            return NUM_FIELDS[field] || 'literal';
        };
    }
    function nfFormat(r, x, parts) {
        return icu(OP.NF_FORMAT, r.icuLocale, r.skeleton, x, parts);
    }
    var nfProto = NumberFormat.prototype;
    boundGetter(NumberFormat, nfProto, 'format', 'get Intl.NumberFormat.prototype.format', function (self, r) {
        return function (x) { return nfFormat(r, toIntlValue(x), false); };
    });
    define(nfProto, 'formatToParts', function formatToParts(x) {
        var r = state(this, NumberFormat, 'Intl.NumberFormat.prototype.formatToParts');
        x = toIntlValue(x);
        return flattenParts(nfFormat(r, x, true), 2, numberPartType(typeof x === 'string' ? Number(x) : x));
    });
    function rangeArgs(x, y) {
        if (x === undefined || y === undefined) throw new TypeError('start or end is undefined');
        x = toIntlValue(x);
        y = toIntlValue(y);
        if (Number(x) !== Number(x) || Number(y) !== Number(y)) throw new RangeError('Invalid start or end: NaN');
        return [x, y];
    }
    define(nfProto, 'formatRange', function formatRange(x, y) {
        var r = state(this, NumberFormat, 'Intl.NumberFormat.prototype.formatRange'), a = rangeArgs(x, y);
        return icu(OP.NF_RANGE, r.icuLocale, r.skeleton, a[0], a[1], false);
    });
    define(nfProto, 'formatRangeToParts', function formatRangeToParts(x, y) {
        var r = state(this, NumberFormat, 'Intl.NumberFormat.prototype.formatRangeToParts'), a = rangeArgs(x, y);
        return flattenParts(icu(OP.NF_RANGE, r.icuLocale, r.skeleton, a[0], a[1], true), 2, numberPartType(0), 4098);
    });
    var NF_KEYS = ['locale', 'numberingSystem', 'style', 'currency', 'currencyDisplay', 'currencySign', 'unit', 'unitDisplay',
        'minimumIntegerDigits', 'minimumFractionDigits', 'maximumFractionDigits', 'minimumSignificantDigits', 'maximumSignificantDigits',
        'useGrouping', 'notation', 'compactDisplay', 'signDisplay', 'roundingIncrement', 'roundingMode', 'roundingPriority', 'trailingZeroDisplay'];
    function copyKeys(r, keys) {
        var out = {}, i;
        for (i = 0; i < keys.length; i++) if (r[keys[i]] !== undefined) out[keys[i]] = r[keys[i]];
        return out;
    }
    define(nfProto, 'resolvedOptions', function resolvedOptions() {
        return copyKeys(state(this, NumberFormat, 'Intl.NumberFormat.prototype.resolvedOptions'), NF_KEYS);
    });
    tag(nfProto, 'Intl.NumberFormat');
    define(NumberFormat, 'supportedLocalesOf', supportedLocalesOf(0));

    /* ---- PluralRules --------------------------------------------------- */
    var sectionPluralRules = once(function () {

    var PLURAL_ORDER = ['zero', 'one', 'two', 'few', 'many', 'other'];
    function PluralRules(locales, options) {
        ctor(this, PluralRules, 'PluralRules');
        var o = toObjectOptions(options), svc = 'Intl.PluralRules';
        getOption(o, 'localeMatcher', 'string', ['lookup', 'best fit'], 'best fit', svc);
        var type = getOption(o, 'type', 'string', ['cardinal', 'ordinal'], 'cardinal', svc);
        var notation = getOption(o, 'notation', 'string', ['standard', 'scientific', 'engineering', 'compact'], 'standard', svc);
        var res = resolveLocale(locales, 0, []);
        var r = { locale: res.locale, type: type, notation: notation, style: 'decimal', useGrouping: false, signDisplay: 'auto' };
        digitOptions(r, o, 0, 3, notation, svc);
        r.icuLocale = res.locale;
        r.skeleton = numberSkeleton(r);
        hidden(this, '_r', r);
        hidden(this, '_k', PluralRules);
    }
    define(PluralRules.prototype, 'select', function select(n) {
        var r = state(this, PluralRules, 'Intl.PluralRules.prototype.select');
        return icu(OP.PL_SELECT, r.icuLocale, r.type === 'ordinal', r.skeleton, Number(n));
    });
    define(PluralRules.prototype, 'selectRange', function selectRange(x, y) {
        var r = state(this, PluralRules, 'Intl.PluralRules.prototype.selectRange');
        if (x === undefined || y === undefined) throw new TypeError('start or end is undefined');
        x = Number(x); y = Number(y);
        if (x !== x || y !== y) throw new RangeError('Invalid start or end: NaN');
        return icu(OP.PL_RANGE, r.icuLocale, r.type === 'ordinal', r.skeleton, x, y);
    });
    define(PluralRules.prototype, 'resolvedOptions', function resolvedOptions() {
        var r = state(this, PluralRules, 'Intl.PluralRules.prototype.resolvedOptions');
        var cats = icu(OP.PL_CATEGORIES, r.icuLocale, r.type === 'ordinal').sort(function (a, b) {
            return PLURAL_ORDER.indexOf(a) - PLURAL_ORDER.indexOf(b);
        });
        var out = copyKeys(r, ['locale', 'type', 'notation', 'minimumIntegerDigits', 'minimumFractionDigits', 'maximumFractionDigits',
            'minimumSignificantDigits', 'maximumSignificantDigits']);
        out.pluralCategories = cats;
        out.roundingIncrement = r.roundingIncrement;
        out.roundingMode = r.roundingMode;
        out.roundingPriority = r.roundingPriority;
        out.trailingZeroDisplay = r.trailingZeroDisplay;
        if (r.notation === 'standard') delete out.notation;
        return out;
    });
    tag(PluralRules.prototype, 'Intl.PluralRules');
    define(PluralRules, 'supportedLocalesOf', supportedLocalesOf(0));
        return PluralRules;
    });

    /* ---- DateTimeFormat ------------------------------------------------ */
    var sectionDateTimeFormat = once(function () {

    var DT_COMPONENTS = [
        ['weekday', ['narrow', 'short', 'long'], { narrow: 'EEEEE', short: 'EEE', long: 'EEEE' }],
        ['era', ['narrow', 'short', 'long'], { narrow: 'GGGGG', short: 'G', long: 'GGGG' }],
        ['year', ['2-digit', 'numeric'], { '2-digit': 'yy', numeric: 'y' }],
        ['month', ['2-digit', 'numeric', 'narrow', 'short', 'long'], { '2-digit': 'MM', numeric: 'M', narrow: 'MMMMM', short: 'MMM', long: 'MMMM' }],
        ['day', ['2-digit', 'numeric'], { '2-digit': 'dd', numeric: 'd' }],
        ['dayPeriod', ['narrow', 'short', 'long'], { narrow: 'BBBBB', short: 'B', long: 'BBBB' }],
        ['hour', ['2-digit', 'numeric'], { '2-digit': 'jj', numeric: 'j' }],
        ['minute', ['2-digit', 'numeric'], { '2-digit': 'mm', numeric: 'm' }],
        ['second', ['2-digit', 'numeric'], { '2-digit': 'ss', numeric: 's' }],
        ['fractionalSecondDigits', null, null],
        ['timeZoneName', ['short', 'long', 'shortOffset', 'longOffset', 'shortGeneric', 'longGeneric'],
            { short: 'z', long: 'zzzz', shortOffset: 'O', longOffset: 'OOOO', shortGeneric: 'v', longGeneric: 'vvvv' }]
    ];
    var STYLES = ['full', 'long', 'medium', 'short'];
    /* IANA names match case-insensitively (ECMA-402), so "america/new_york"
     * is America/New_York; ICU's lookup is exact, hence the id list. */
    var zoneIds = null;
    function zoneByCase(tz) {
        var up = tz.toUpperCase(), i;
        if (!zoneIds) zoneIds = icu(OP.SUPPORTED, 'zoneIds');
        for (i = 0; i < zoneIds.length; i++) if (zoneIds[i].toUpperCase() === up) return zoneIds[i];
        return undefined;
    }
    /* -> [resolvedOptions().timeZone, ICU zone id] */
    function resolveZone(tz) {
        var m = /^([+-])([01][0-9]|2[0-3])(?::?([0-5][0-9]))?$/.exec(tz);
        if (m) {
            var off = m[1] + m[2] + ':' + (m[3] || '00');
            return [off, 'GMT' + off];
        }
        var c = canonicalZone(tz);
        return [c, c];
    }
    function canonicalZone(tz) {
        var up = tz.toUpperCase();
        if (up === 'UTC' || up === 'ETC/UTC' || up === 'ETC/GMT' || up === 'GMT' || up === 'ETC/UCT' || up === 'UCT' || up === 'ETC/ZULU' || up === 'ZULU' || up === 'ETC/UNIVERSAL' || up === 'UNIVERSAL') return 'UTC';
        var c = tz.length < 64 ? icu(OP.TZ_CANON, tz) : undefined, byCase;
        if (c === undefined && tz.length < 64 && (byCase = zoneByCase(tz)) !== undefined) c = icu(OP.TZ_CANON, byCase);
        if (c === undefined) throw new RangeError('Invalid time zone specified: ' + tz);
        return c === 'Etc/UTC' || c === 'Etc/GMT' ? 'UTC' : c;
    }
    /* Replace the hour letters of a pattern (outside quotes) for an hour cycle. */
    function patternHourCycle(p, hc) {
        var out = '', q = false, i, c, ch = HC_CHAR[hc];
        for (i = 0; i < p.length; i++) {
            c = p.charAt(i);
            if (c === "'") q = !q;
            if (!q && (c === 'h' || c === 'H' || c === 'k' || c === 'K')) c = ch;
            out += c;
        }
        if (hc === 'h23' || hc === 'h24') out = out.replace(/\s*\ba\b\s*/g, function (m, off) { return off === 0 || off + m.length === out.length ? '' : ' '; });
        return out;
    }
    /* An hour cycle other than the style's: as V8 does, the time part is
     * made again from its skeleton with the other hour letter (so h23 ->
     * h12 gains its AM/PM), and put back in place of the style's time. */
    function styleHourCycle(icuLocale, pattern, ts, hc) {
        var timePat = icu(OP.DT_PATTERN, icuLocale, '', -1, STYLES.indexOf(ts));
        if (patternComponents(timePat).hourCycle === hc) return pattern;
        var sk = icu(OP.DT_SKELETON, timePat).replace(/[hHkKjJC]/g, HC_CHAR[hc]);
        var fresh = patternHourCycle(icu(OP.DT_PATTERN, icuLocale, sk, -1, -1), hc);
        var at = pattern.indexOf(timePat);
        return at < 0 ? patternHourCycle(pattern, hc) : pattern.slice(0, at) + fresh + pattern.slice(at + timePat.length);
    }
    /* The components a pattern shows (resolvedOptions, as V8 reads them). */
    function patternComponents(p) {
        var out = {}, i = 0, c, n, q = false;
        while (i < p.length) {
            c = p.charAt(i);
            if (c === "'") { q = !q; i++; continue; }
            n = 1;
            while (p.charAt(i + n) === c) n++;
            i += n;
            if (q) continue;
            switch (c) {
            case 'E': case 'c': out.weekday = n >= 5 ? 'narrow' : n === 4 ? 'long' : 'short'; break;
            case 'G': out.era = n >= 5 ? 'narrow' : n === 4 ? 'long' : 'short'; break;
            case 'y': case 'u': case 'U': out.year = n === 2 ? '2-digit' : 'numeric'; break;
            case 'M': case 'L': out.month = n >= 5 ? 'narrow' : n === 4 ? 'long' : n === 3 ? 'short' : n === 2 ? '2-digit' : 'numeric'; break;
            case 'd': out.day = n === 2 ? '2-digit' : 'numeric'; break;
            case 'B': case 'b': out.dayPeriod = n >= 5 ? 'narrow' : n === 4 ? 'long' : 'short'; break;
            case 'h': case 'H': case 'k': case 'K':
                out.hour = n === 2 ? '2-digit' : 'numeric';
                out.hourCycle = c === 'h' ? 'h12' : c === 'H' ? 'h23' : c === 'k' ? 'h24' : 'h11';
                break;
            case 'm': out.minute = n === 2 ? '2-digit' : 'numeric'; break;
            case 's': out.second = n === 2 ? '2-digit' : 'numeric'; break;
            case 'S': out.fractionalSecondDigits = n; break;
            case 'z': out.timeZoneName = n === 4 ? 'long' : 'short'; break;
            case 'O': out.timeZoneName = n === 4 ? 'longOffset' : 'shortOffset'; break;
            case 'v': out.timeZoneName = n === 4 ? 'longGeneric' : 'shortGeneric'; break;
            default: break;
            }
        }
        return out;
    }

    function DateTimeFormat(locales, options, required, defaults) {
        var self = this instanceof DateTimeFormat ? this : Object.create(DateTimeFormat.prototype);
        var o = toObjectOptions(options), svc = 'Intl.DateTimeFormat', i, k, v, comp = {}, any = false;
        required = required || 'any';
        defaults = defaults || 'date';
        getOption(o, 'localeMatcher', 'string', ['lookup', 'best fit'], 'best fit', svc);
        var ca = getOption(o, 'calendar', 'string', null, undefined, svc);
        if (ca !== undefined && !/^[a-z0-9]{3,8}(-[a-z0-9]{3,8})*$/i.test(ca)) throw new RangeError('Invalid calendar : ' + ca);
        var nu = checkNumberingSystem(getOption(o, 'numberingSystem', 'string', null, undefined, svc));
        var h12 = getOption(o, 'hour12', 'boolean', null, undefined, svc);
        var hc = getOption(o, 'hourCycle', 'string', ['h11', 'h12', 'h23', 'h24'], undefined, svc);
        if (h12 !== undefined) hc = undefined;
        var tz = o.timeZone;
        tz = tz === undefined ? icu(OP.TZ_DEFAULT) : String(tz);
        tz = resolveZone(tz);
        for (i = 0; i < DT_COMPONENTS.length; i++) {
            k = DT_COMPONENTS[i][0];
            if (k === 'fractionalSecondDigits') v = getNumberOption(o, k, 1, 3, undefined);
            else v = getOption(o, k, 'string', DT_COMPONENTS[i][1], undefined, svc);
            if (v !== undefined) { comp[k] = v; any = true; }
        }
        getOption(o, 'formatMatcher', 'string', ['basic', 'best fit'], 'best fit', svc);
        var ds = getOption(o, 'dateStyle', 'string', STYLES, undefined, svc);
        var ts = getOption(o, 'timeStyle', 'string', STYLES, undefined, svc);
        if ((ds !== undefined || ts !== undefined) && any) throw new TypeError('Invalid option : option');
        if (required === 'date' && ts !== undefined && ds === undefined) throw new TypeError('Invalid option : timeStyle');
        if (required === 'time' && ds !== undefined && ts === undefined) throw new TypeError('Invalid option : dateStyle');
        if (ds === undefined && ts === undefined) {
            var needDefaults = true;
            if (required === 'date' || required === 'any') if (comp.weekday || comp.year || comp.month || comp.day) needDefaults = false;
            if (required === 'time' || required === 'any') if (comp.dayPeriod || comp.hour || comp.minute || comp.second || comp.fractionalSecondDigits) needDefaults = false;
            if (needDefaults && (defaults === 'date' || defaults === 'all')) comp.year = comp.month = comp.day = 'numeric';
            if (needDefaults && (defaults === 'time' || defaults === 'all')) comp.hour = comp.minute = comp.second = 'numeric';
        }
        var res = resolveLocale(locales, 0, ['ca', 'hc', 'nu']);
        var fromTag = { ca: res.kw.ca, nu: res.kw.nu };
        if (ca !== undefined) res.kw.ca = ca;
        if (nu !== undefined) res.kw.nu = nu;
        var kwHc = res.kw.hc;
        delete res.kw.hc;
        if (hc === undefined && h12 === undefined && kwHc && HC_CHAR[kwHc]) hc = kwHc;
        var icuLocale = withKeywords(res.locale, res.kw);
        var dflt = localeDefaults(icuLocale, true);
        if (h12 !== undefined) {
            /* The locale's own 12- or 24-hour cycle (ja: K, h11). */
            var hp = patternComponents(icu(OP.DT_PATTERN, icuLocale, h12 ? 'h' : 'H', -1, -1)).hourCycle;
            hc = h12 ? (hp === 'h11' ? 'h11' : 'h12') : (hp === 'h24' ? 'h24' : 'h23');
        }
        var r = { locale: res.locale, calendar: bcpCalendar(dflt[1]), numberingSystem: dflt[0], timeZone: tz[0], tzId: tz[1], icuLocale: icuLocale };
        var pattern, skeleton = '';
        if (ds !== undefined || ts !== undefined) {
            pattern = icu(OP.DT_PATTERN, icuLocale, '', ds === undefined ? -1 : STYLES.indexOf(ds), ts === undefined ? -1 : STYLES.indexOf(ts));
            if (hc !== undefined && ts !== undefined) pattern = styleHourCycle(icuLocale, pattern, ts, hc);
            skeleton = icu(OP.DT_SKELETON, pattern);
            r.dateStyle = ds;
            r.timeStyle = ts;
        } else {
            for (i = 0; i < DT_COMPONENTS.length; i++) {
                k = DT_COMPONENTS[i][0];
                if (comp[k] === undefined) continue;
                if (k === 'fractionalSecondDigits') skeleton += repeat('S', comp[k]);
                else if (k === 'hour' && hc !== undefined) skeleton += comp[k] === '2-digit' ? HC_CHAR[hc] + HC_CHAR[hc] : HC_CHAR[hc];
                else if (k === 'hour' && comp.dayPeriod) skeleton += comp[k] === '2-digit' ? 'hh' : 'h';
                else skeleton += DT_COMPONENTS[i][2][comp[k]];
            }
            pattern = icu(OP.DT_PATTERN, icuLocale, skeleton, -1, -1);
            if (hc !== undefined && comp.hour) pattern = patternHourCycle(pattern, hc);
        }

        var pc = patternComponents(pattern);
        if (ds === undefined && ts === undefined) {
            for (i = 0; i < DT_COMPONENTS.length; i++) {
                k = DT_COMPONENTS[i][0];
                if (pc[k] !== undefined && comp[k] !== undefined) r[k] = k === 'fractionalSecondDigits' ? comp[k] : pc[k];
            }
        }
        if (pc.hourCycle) {
            r.hourCycle = pc.hourCycle;
            r.hour12 = pc.hourCycle === 'h11' || pc.hourCycle === 'h12';
        }
        var keep = {};
        if (fromTag.ca !== undefined && (ca === undefined || ca === fromTag.ca) && r.calendar === fromTag.ca) keep.ca = fromTag.ca;
        if (fromTag.nu !== undefined && (nu === undefined || nu === fromTag.nu) && r.numberingSystem === fromTag.nu) keep.nu = fromTag.nu;
        if (kwHc && r.hourCycle === kwHc && hc === kwHc) keep.hc = kwHc;
        r.locale = withKeywords(r.locale, keep);
        r.pattern = pattern;
        r.skeleton = skeleton;
        hidden(self, '_r', r);
        hidden(self, '_k', DateTimeFormat);
        return self;
    }
    function timeValue(d) {
        var t = d === undefined ? Date.now() : Number(d);
        if (t !== t || Math.abs(t) > 8.64e15) throw new RangeError('Invalid time value');
        return t < 0 ? Math.ceil(t) + 0 : Math.floor(t) + 0;
    }
    var DATE_FIELDS = ['era', 'year', 'month', 'day', 'hour', 'hour', 'minute', 'second', 'fractionalSecond', 'weekday', null, null, null,
        null, 'dayPeriod', 'hour', 'hour', 'timeZoneName', 'year', 'weekday', 'year', null, null, 'timeZoneName', 'timeZoneName', 'weekday',
        'month', null, null, 'timeZoneName', 'yearName', 'timeZoneName', 'timeZoneName', 'timeZoneName', 'relatedYear', 'dayPeriod', 'dayPeriod'];
    function datePartType(field) { return DATE_FIELDS[field] || 'literal'; }
    /* format() and toLocale*String print CLDR's U+202F (before AM/PM) as a
     * plain space, as V8 does for web compatibility; formatToParts and
     * formatRange keep it, as V8's do. */
    function dtFormat(r, d) {
        var s = icu(OP.DT_FORMAT, r.icuLocale, r.pattern, r.tzId, timeValue(d), false);
        return s.indexOf('\u202f') < 0 ? s : s.replace(/\u202f/g, ' ');
    }
    var dtfProto = DateTimeFormat.prototype;
    boundGetter(DateTimeFormat, dtfProto, 'format', 'get Intl.DateTimeFormat.prototype.format', function (self, r) {
        return function (d) { return dtFormat(r, d); };
    });
    define(dtfProto, 'formatToParts', function formatToParts(d) {
        var r = state(this, DateTimeFormat, 'Intl.DateTimeFormat.prototype.formatToParts');
        var res = icu(OP.DT_FORMAT, r.icuLocale, r.pattern, r.tzId, timeValue(d), true), f = res[1], nf = [], i;
        for (i = 0; i < f.length; i += 3) nf.push(1, f[i], f[i + 1], f[i + 2]);
        return flattenParts([res[0], nf], 1, datePartType);
    });
    function dateRange(self, a, b, parts, method) {
        var r = state(self, DateTimeFormat, method);
        if (a === undefined || b === undefined) throw new TypeError('Invalid time value');
        a = timeValue(a);
        b = timeValue(b);
        var res = icu(OP.DT_RANGE, r.icuLocale, r.skeleton, r.tzId, a, b, parts);
        return parts ? flattenParts(res, 1, datePartType, 4101) : res;
    }
    define(dtfProto, 'formatRange', function formatRange(a, b) {
        return dateRange(this, a, b, false, 'Intl.DateTimeFormat.prototype.formatRange');
    });
    define(dtfProto, 'formatRangeToParts', function formatRangeToParts(a, b) {
        return dateRange(this, a, b, true, 'Intl.DateTimeFormat.prototype.formatRangeToParts');
    });
    define(dtfProto, 'resolvedOptions', function resolvedOptions() {
        var r = state(this, DateTimeFormat, 'Intl.DateTimeFormat.prototype.resolvedOptions');
        return copyKeys(r, ['locale', 'calendar', 'numberingSystem', 'timeZone', 'hourCycle', 'hour12', 'weekday', 'era', 'year', 'month',
            'day', 'dayPeriod', 'hour', 'minute', 'second', 'fractionalSecondDigits', 'timeZoneName', 'dateStyle', 'timeStyle']);
    });
    tag(dtfProto, 'Intl.DateTimeFormat');
    var IntlDateTimeFormat = function DateTimeFormat(locales, options) {
        return DateTimeFormatImpl.call(this instanceof IntlDateTimeFormat ? this : Object.create(dtfProto), locales, options);
    };
    var DateTimeFormatImpl = DateTimeFormat;
    IntlDateTimeFormat.prototype = dtfProto;
    define(dtfProto, 'constructor', IntlDateTimeFormat);
    define(IntlDateTimeFormat, 'supportedLocalesOf', supportedLocalesOf(0));
    DateTimeFormat.prototype = dtfProto;
    rt.formatDate = function (date, locales, options, required, defaults) {
        var t = date.getTime();
        if (t !== t) return 'Invalid Date';
        var f = memoized('d' + required, locales, options, function () { return DateTimeFormatImpl.call(Object.create(dtfProto), locales, options, required, defaults); });
        return dtFormat(f._r, t);
    };
        return IntlDateTimeFormat;
    });

    /* ---- Collator ------------------------------------------------------ */
    var sectionCollator = once(function () {

    function Collator(locales, options) {
        var self = this instanceof Collator ? this : Object.create(Collator.prototype);
        var o = toObjectOptions(options), svc = 'Intl.Collator';
        var usage = getOption(o, 'usage', 'string', ['sort', 'search'], 'sort', svc);
        getOption(o, 'localeMatcher', 'string', ['lookup', 'best fit'], 'best fit', svc);
        var co = getOption(o, 'collation', 'string', null, undefined, svc);
        if (co !== undefined && !/^[a-z0-9]{3,8}(-[a-z0-9]{3,8})*$/i.test(co)) throw new RangeError('Invalid collation : ' + co);
        var kn = getOption(o, 'numeric', 'boolean', null, undefined, svc);
        var kf = getOption(o, 'caseFirst', 'string', ['upper', 'lower', 'false'], undefined, svc);
        var res = resolveLocale(locales, 1, ['co', 'kn', 'kf']);
        var sens = getOption(o, 'sensitivity', 'string', ['base', 'accent', 'case', 'variant'], 'variant', svc);
        var ip = getOption(o, 'ignorePunctuation', 'boolean', null, undefined, svc);
        var kw = {}, locale = res.locale;
        if (res.kw.co && res.kw.co !== 'standard' && res.kw.co !== 'search' && co === undefined) kw.co = res.kw.co;
        if (co !== undefined && co !== 'standard' && co !== 'search') kw.co = co;
        if (kn === undefined && res.kw.kn !== undefined) { kn = res.kw.kn !== 'false'; locale = withKeywords(locale, { kn: res.kw.kn }); }
        if (kf === undefined && res.kw.kf !== undefined) { kf = res.kw.kf; locale = withKeywords(locale, { kf: kf }); }
        var r = {
            locale: kw.co ? withKeywords(locale, { co: kw.co }) : locale, usage: usage, sensitivity: sens,
            ignorePunctuation: ip === undefined ? /^th(-|$)/.test(res.locale) : ip,
            collation: kw.co || 'default', numeric: Boolean(kn), caseFirst: kf || 'false'
        };
        if (usage === 'search') kw.co = 'search';
        r.icuLocale = withKeywords(res.locale, kw);
        r.opts = sens.charAt(0) + (r.numeric ? '1' : '0') + (kf === 'upper' ? 'u' : kf === 'lower' ? 'l' : kf === 'false' ? 'f' : 'd') + (r.ignorePunctuation ? '1' : '0');
        hidden(self, '_r', r);
        hidden(self, '_k', Collator);
        return self;
    }
    function collate(r, a, b) {
        return icu(OP.COLL_COMPARE, r.icuLocale, r.opts, String(a), String(b));
    }
    /* The bound compare is native when the host has rt.collatorCompare
     * (cw_intl_collator.c): `list.sort(collator.compare)` calls it n log n
     * times. */
    boundGetter(Collator, Collator.prototype, 'compare', 'get Intl.Collator.prototype.compare', function (self, r) {
        if (rt.collatorCompare) return rt.collatorCompare(r.icuLocale, r.opts);
        return function (a, b) { return collate(r, a, b); };
    });
    define(Collator.prototype, 'resolvedOptions', function resolvedOptions() {
        return copyKeys(state(this, Collator, 'Intl.Collator.prototype.resolvedOptions'),
            ['locale', 'usage', 'sensitivity', 'ignorePunctuation', 'collation', 'numeric', 'caseFirst']);
    });
    tag(Collator.prototype, 'Intl.Collator');
    define(Collator, 'supportedLocalesOf', supportedLocalesOf(1));
    var plainCollator = null;
    rt.compareStrings = function (a, b, locales, options) {
        if (locales === undefined && options === undefined) {
            if (!plainCollator) plainCollator = new Collator()._r;
            return icu(30, plainCollator.icuLocale, plainCollator.opts, a, b);
        }
        var f = memoized('c', locales, options, function () { return new Collator(locales, options); });
        return collate(f._r, a, b);
    };
        return Collator;
    });

    /* ---- RelativeTimeFormat -------------------------------------------- */
    var sectionRelativeTimeFormat = once(function () {

    var RT_UNITS = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second'];
    function RelativeTimeFormat(locales, options) {
        ctor(this, RelativeTimeFormat, 'RelativeTimeFormat');
        var o = toObjectOptions(options), svc = 'Intl.RelativeTimeFormat';
        getOption(o, 'localeMatcher', 'string', ['lookup', 'best fit'], 'best fit', svc);
        var nu = checkNumberingSystem(getOption(o, 'numberingSystem', 'string', null, undefined, svc));
        var res = resolveLocale(locales, 0, ['nu']);
        if (nu !== undefined) res.kw.nu = nu;
        var r = {
            locale: res.locale,
            style: getOption(o, 'style', 'string', ['long', 'short', 'narrow'], 'long', svc),
            numeric: getOption(o, 'numeric', 'string', ['always', 'auto'], 'always', svc)
        };
        r.icuLocale = withKeywords(res.locale, res.kw);
        r.numberingSystem = localeDefaults(r.icuLocale)[0];
        hidden(this, '_r', r);
        hidden(this, '_k', RelativeTimeFormat);
    }
    function rtArgs(value, unit, method) {
        value = Number(value);
        unit = String(unit);
        var u = RT_UNITS.indexOf(unit.charAt(unit.length - 1) === 's' ? unit.slice(0, -1) : unit);
        if (u < 0) throw new RangeError("Invalid unit argument for " + method + "() '" + unit + "'");
        if (!isFinite(value)) throw new RangeError('Value need to be finite number for ' + method + '()');
        return [value, u];
    }
    define(RelativeTimeFormat.prototype, 'format', function format(value, unit) {
        var r = state(this, RelativeTimeFormat, 'Intl.RelativeTimeFormat.prototype.format'), a = rtArgs(value, unit, 'Intl.RelativeTimeFormat.prototype.format');
        return icu(OP.RT_FORMAT, r.icuLocale, ['long', 'short', 'narrow'].indexOf(r.style), r.numeric === 'always', a[0], a[1], false);
    });
    define(RelativeTimeFormat.prototype, 'formatToParts', function formatToParts(value, unit) {
        var r = state(this, RelativeTimeFormat, 'Intl.RelativeTimeFormat.prototype.formatToParts'),
            a = rtArgs(value, unit, 'Intl.RelativeTimeFormat.prototype.formatToParts');
        var res = icu(OP.RT_FORMAT, r.icuLocale, ['long', 'short', 'narrow'].indexOf(r.style), r.numeric === 'always', a[0], a[1], true);
        var parts = flattenParts(res, 2, numberPartType(a[0])), i;
        for (i = 0; i < parts.length; i++) if (parts[i].type !== 'literal') parts[i].unit = RT_UNITS[a[1]];
        return parts;
    });
    define(RelativeTimeFormat.prototype, 'resolvedOptions', function resolvedOptions() {
        return copyKeys(state(this, RelativeTimeFormat, 'Intl.RelativeTimeFormat.prototype.resolvedOptions'), ['locale', 'style', 'numeric', 'numberingSystem']);
    });
    tag(RelativeTimeFormat.prototype, 'Intl.RelativeTimeFormat');
    define(RelativeTimeFormat, 'supportedLocalesOf', supportedLocalesOf(0));
        return RelativeTimeFormat;
    });

    /* ---- ListFormat ---------------------------------------------------- */
    var sectionListFormat = once(function () {

    function ListFormat(locales, options) {
        ctor(this, ListFormat, 'ListFormat');
        var o = toObjectOptions(options), svc = 'Intl.ListFormat';
        getOption(o, 'localeMatcher', 'string', ['lookup', 'best fit'], 'best fit', svc);
        var res = resolveLocale(locales, 0, []);
        var r = {
            locale: res.locale,
            type: getOption(o, 'type', 'string', ['conjunction', 'disjunction', 'unit'], 'conjunction', svc),
            style: getOption(o, 'style', 'string', ['long', 'short', 'narrow'], 'long', svc)
        };
        hidden(this, '_r', r);
        hidden(this, '_k', ListFormat);
    }
    function listItems(list) {
        var out = [], it, step, v;
        if (list === undefined) return out;
        if (list === null) throw new TypeError('null is not iterable');
        if (Array.isArray(list)) it = list.slice();
        else if (typeof list === 'string') it = list.split('');
        else if (typeof list[Symbol.iterator] === 'function') {
            it = [];
            var iter = list[Symbol.iterator]();
            while (!(step = iter.next()).done) it.push(step.value);
        } else throw new TypeError(String(list) + ' is not iterable');
        for (var i = 0; i < it.length; i++) {
            v = it[i];
            if (typeof v !== 'string') throw new TypeError('Iterable yielded ' + String(v) + ' which is not a string');
            out.push(v);
        }
        return out;
    }
    function listCall(self, list, parts, method) {
        var r = state(self, ListFormat, method);
        return icu(OP.LIST_FORMAT, r.locale, ['conjunction', 'disjunction', 'unit'].indexOf(r.type), ['long', 'short', 'narrow'].indexOf(r.style), listItems(list), parts);
    }
    define(ListFormat.prototype, 'format', function format(list) {
        return listCall(this, list, false, 'Intl.ListFormat.prototype.format');
    });
    define(ListFormat.prototype, 'formatToParts', function formatToParts(list) {
        return flattenParts(listCall(this, list, true, 'Intl.ListFormat.prototype.formatToParts'), 3, function (f) { return f === 1 ? 'element' : 'literal'; });
    });
    define(ListFormat.prototype, 'resolvedOptions', function resolvedOptions() {
        return copyKeys(state(this, ListFormat, 'Intl.ListFormat.prototype.resolvedOptions'), ['locale', 'type', 'style']);
    });
    tag(ListFormat.prototype, 'Intl.ListFormat');
    define(ListFormat, 'supportedLocalesOf', supportedLocalesOf(0));
        return ListFormat;
    });

    /* ---- DisplayNames -------------------------------------------------- */
    var sectionDisplayNames = once(function () {

    var DN_TYPES = ['language', 'region', 'script', 'currency', 'calendar', 'dateTimeField'];
    var DT_FIELDS = { era: 0, year: 1, quarter: 2, month: 3, weekOfYear: 4, weekday: 6, day: 9, dayPeriod: 10, hour: 11, minute: 12, second: 13, timeZoneName: 15 };
    function DisplayNames(locales, options) {
        ctor(this, DisplayNames, 'DisplayNames');
        if (options === undefined) throw new TypeError('invalid_argument');
        var o = toObjectOptions(options), svc = 'Intl.DisplayNames';
        getOption(o, 'localeMatcher', 'string', ['lookup', 'best fit'], 'best fit', svc);
        var res = resolveLocale(locales, 0, []);
        var style = getOption(o, 'style', 'string', ['narrow', 'short', 'long'], 'long', svc);
        var type = getOption(o, 'type', 'string', DN_TYPES, undefined, svc);
        if (type === undefined) throw new TypeError('invalid_argument');
        var fallback = getOption(o, 'fallback', 'string', ['code', 'none'], 'code', svc);
        var ld = getOption(o, 'languageDisplay', 'string', ['dialect', 'standard'], 'dialect', svc);
        var r = { locale: res.locale, style: style, type: type, fallback: fallback };
        if (type === 'language') r.languageDisplay = ld;
        hidden(this, '_r', r);
        hidden(this, '_k', DisplayNames);
    }
    define(DisplayNames.prototype, 'of', function of(code) {
        var r = state(this, DisplayNames, 'Intl.DisplayNames.prototype.of'), c = String(code), name, t = DN_TYPES.indexOf(r.type);
        var st = ['long', 'short', 'narrow'].indexOf(r.style);
        if (code === undefined) throw new TypeError('invalid_argument');
        if (r.type === 'language') {
            if (!/^([a-z]{2,3}|[a-z]{5,8})(-|$)/i.test(c) || /-u-|-x-|^root$/i.test(c)) throw new RangeError('invalid_argument');
            c = icu(OP.LOC_CANON, c);
            if (c === undefined) throw new RangeError('invalid_argument');
        } else if (r.type === 'region') {
            if (!/^([a-z]{2}|[0-9]{3})$/i.test(c)) throw new RangeError('invalid_argument');
            c = c.toUpperCase();
        } else if (r.type === 'script') {
            if (!/^[a-z]{4}$/i.test(c)) throw new RangeError('invalid_argument');
            c = c.charAt(0).toUpperCase() + c.slice(1).toLowerCase();
        } else if (r.type === 'currency') {
            if (!/^[a-z]{3}$/i.test(c)) throw new RangeError('invalid_argument');
            c = c.toUpperCase();
        } else if (r.type === 'calendar') {
            if (!/^[a-z0-9]{3,8}(-[a-z0-9]{3,8})*$/i.test(c)) throw new RangeError('invalid_argument');
            c = c.toLowerCase();
        } else {
            if (!(c in DT_FIELDS)) throw new RangeError('invalid_argument');
        }
        var icuCode = r.type === 'calendar' ? (c === 'gregory' ? 'gregorian' : c === 'ethioaa' ? 'ethiopic-amete-alem' : c) : r.type === 'dateTimeField' ? String(DT_FIELDS[c]) : c;
        name = icu(OP.DN_OF, r.locale, t, st, r.languageDisplay !== 'standard', icuCode);
        if (name === undefined && r.type === 'currency' && st !== 0) name = undefined;
        if (name === undefined) return r.fallback === 'code' ? c : undefined;
        return name;
    });
    define(DisplayNames.prototype, 'resolvedOptions', function resolvedOptions() {
        return copyKeys(state(this, DisplayNames, 'Intl.DisplayNames.prototype.resolvedOptions'), ['locale', 'style', 'type', 'fallback', 'languageDisplay']);
    });
    tag(DisplayNames.prototype, 'Intl.DisplayNames');
    define(DisplayNames, 'supportedLocalesOf', supportedLocalesOf(0));
        return DisplayNames;
    });

    /* ---- Segmenter ----------------------------------------------------- */
    var sectionSegmenter = once(function () {

    var GRANULARITIES = ['grapheme', 'word', 'sentence'];
    function Segmenter(locales, options) {
        ctor(this, Segmenter, 'Segmenter');
        var o = toObjectOptions(options), svc = 'Intl.Segmenter';
        getOption(o, 'localeMatcher', 'string', ['lookup', 'best fit'], 'best fit', svc);
        var res = resolveLocale(locales, 0, []);
        hidden(this, '_r', { locale: res.locale, granularity: getOption(o, 'granularity', 'string', GRANULARITIES, 'grapheme', svc) });
        hidden(this, '_k', Segmenter);
    }
    /* Segments keep the string's UTF-16 (converted once) and ask ICU for
     * boundaries chunk by chunk, so a long string never becomes millions
     * of numbers at once. */
    function Segments(r, s) {
        hidden(this, '_s', s);
        hidden(this, '_r', r);
        hidden(this, '_u', icu(OP.SEG_TEXT, s));
    }
    function makeSegment(self, start, end, status) {
        var out = { segment: self._s.slice(start, end), index: start, input: self._s };
        if (self._r.granularity === 'word') out.isWordLike = status >= 100;
        return out;
    }
    function boundaries(self, from, max) {
        var r = self._r;
        return icu(OP.SEGMENT, r.locale, GRANULARITIES.indexOf(r.granularity), self._u, from, max);
    }
    define(Segments.prototype, 'containing', function containing(index) {
        var n = index === undefined ? 0 : Number(index);
        n = n !== n ? 0 : n < 0 ? Math.ceil(n) : Math.floor(n);
        if (n < 0 || n >= this._s.length) return undefined;
        var b = boundaries(this, n, 0);
        return makeSegment(this, b[0], b[1], b[2]);
    });
    define(Segments.prototype, Symbol.iterator, function () {
        var self = this, chunk = [], i = 0, pos = 0;
        var it = {
            next: function () {
                if (i >= chunk.length) {
                    if (pos >= self._s.length) return { value: undefined, done: true };
                    chunk = boundaries(self, pos, 1024);
                    i = 0;
                    if (!chunk.length) { pos = self._s.length; return { value: undefined, done: true }; }
                }
                var v = makeSegment(self, pos, chunk[i], chunk[i + 1]);
                pos = chunk[i];
                i += 2;
                return { value: v, done: false };
            }
        };
        it[Symbol.iterator] = function () { return this; };
        Object.defineProperty(it, Symbol.toStringTag, { value: 'Segmenter String Iterator', configurable: true });
        return it;
    });
    define(Segmenter.prototype, 'segment', function segment(s) {
        return new Segments(state(this, Segmenter, 'Intl.Segmenter.prototype.segment'), String(s));
    });
    define(Segmenter.prototype, 'resolvedOptions', function resolvedOptions() {
        return copyKeys(state(this, Segmenter, 'Intl.Segmenter.prototype.resolvedOptions'), ['locale', 'granularity']);
    });
    tag(Segmenter.prototype, 'Intl.Segmenter');
    define(Segmenter, 'supportedLocalesOf', supportedLocalesOf(0));
        return Segmenter;
    });

    /* ---- Locale -------------------------------------------------------- */
    var sectionLocale = once(function () {

    function Locale(tagArg, options) {
        ctor(this, Locale, 'Locale');
        if (typeof tagArg !== 'string' && !(tagArg !== null && typeof tagArg === 'object')) throw new TypeError('First argument to Intl.Locale constructor can\'t be empty or missing');
        var t = tagArg instanceof Locale ? tagArg.toString() : String(tagArg), o = toObjectOptions(options);
        var c = icu(OP.LOC_CANON, t);
        if (c === undefined) throw new RangeError('Incorrect locale information provided');
        var s = splitTag(c), base = s.base.split('-'), i, lang = base[0], script, region, rest = [];
        for (i = 1; i < base.length; i++) {
            if (!script && !region && /^[A-Za-z]{4}$/.test(base[i])) script = base[i];
            else if (!region && /^([A-Za-z]{2}|[0-9]{3})$/.test(base[i])) region = base[i];
            else rest.push(base[i]);
        }
        if (o.language !== undefined) { lang = String(o.language); if (!/^[a-z]{2,3}$|^[a-z]{5,8}$/i.test(lang)) throw new RangeError('Incorrect locale information provided'); }
        if (o.script !== undefined) { script = String(o.script); if (!/^[a-z]{4}$/i.test(script)) throw new RangeError('Incorrect locale information provided'); }
        if (o.region !== undefined) { region = String(o.region); if (!/^([a-z]{2}|[0-9]{3})$/i.test(region)) throw new RangeError('Incorrect locale information provided'); }
        var kw = s.ext, map = { calendar: 'ca', collation: 'co', hourCycle: 'hc', caseFirst: 'kf', numberingSystem: 'nu' }, k;
        for (k in map) if (o[k] !== undefined) kw[map[k]] = String(o[k]);
        if (o.hourCycle !== undefined && !HC_CHAR[kw.hc]) throw new RangeError('Value ' + kw.hc + ' out of range for Intl.Locale options property hourCycle');
        if (o.numeric !== undefined) kw.kn = Boolean(o.numeric) ? 'true' : 'false';
        var tagOut = [lang].concat(script ? [script] : [], region ? [region] : [], rest).join('-');
        var full = icu(OP.LOC_CANON, withKeywords(tagOut, kw));
        if (full === undefined) throw new RangeError('Incorrect locale information provided');
        hidden(this, '_t', full);
        hidden(this, '_k', Locale);
    }
    function locParts(self) {
        if (!(self instanceof Locale) || !self._t) throw new TypeError('Method Intl.Locale.prototype getter called on incompatible receiver');
        var s = splitTag(self._t), base = s.base.split('-'), out = { base: s.base, ext: s.ext, language: base[0] }, i;
        for (i = 1; i < base.length; i++) {
            if (!out.script && !out.region && /^[A-Za-z]{4}$/.test(base[i])) out.script = base[i];
            else if (!out.region && /^([A-Za-z]{2}|[0-9]{3})$/.test(base[i])) out.region = base[i];
        }
        return out;
    }
    function locGetter(name, f) {
        Object.defineProperty(Locale.prototype, name, { configurable: true, enumerable: false, get: function () { return f(locParts(this)); } });
    }
    locGetter('baseName', function (p) { return p.base; });
    locGetter('language', function (p) { return p.language; });
    locGetter('script', function (p) { return p.script; });
    locGetter('region', function (p) { return p.region; });
    locGetter('calendar', function (p) { return p.ext.ca; });
    locGetter('collation', function (p) { return p.ext.co; });
    locGetter('hourCycle', function (p) { return p.ext.hc; });
    locGetter('caseFirst', function (p) { return p.ext.kf === 'true' ? '' : p.ext.kf; });
    locGetter('numberingSystem', function (p) { return p.ext.nu; });
    locGetter('numeric', function (p) { return p.ext.kn === 'true' || p.ext.kn === ''; });
    define(Locale.prototype, 'toString', function toString() { locParts(this); return this._t; });
    define(Locale.prototype, 'toJSON', function toJSON() { locParts(this); return this._t; });
    define(Locale.prototype, 'maximize', function maximize() {
        var p = locParts(this);
        return new Locale(withKeywords(icu(OP.LOC_LIKELY, p.base, true), p.ext));
    });
    define(Locale.prototype, 'minimize', function minimize() {
        var p = locParts(this);
        return new Locale(withKeywords(icu(OP.LOC_LIKELY, p.base, false), p.ext));
    });
    tag(Locale.prototype, 'Intl.Locale');
        LocaleC = Locale;
        return Locale;
    });

    /* ---- the namespace ------------------------------------------------- */

    var NUMBERING_ALGORITHMIC = ['armn', 'armnlow', 'cyrl', 'ethi', 'geor', 'grek', 'greklow', 'hanidays', 'hanidec', 'hans', 'hansfin', 'hant',
        'hantfin', 'hebr', 'jpan', 'jpanfin', 'jpanyear', 'roman', 'romanlow', 'taml'];
    function supportedValuesOf(key) {
        key = String(key);
        var list, out = [], i, v;
        if (key === 'unit') return SANCTIONED.slice();
        if (['calendar', 'collation', 'currency', 'numberingSystem', 'timeZone'].indexOf(key) < 0) throw new RangeError('Invalid key : ' + key);
        list = icu(OP.SUPPORTED, key);
        for (i = 0; i < list.length; i++) {
            v = list[i];
            if (key === 'calendar') v = bcpCalendar(v);
            if (key === 'collation' && (v === 'standard' || v === 'search' || v === 'private-unihan')) continue;
            if (key === 'numberingSystem' && NUMBERING_ALGORITHMIC.indexOf(v) >= 0 && v !== 'hanidec') continue;
            if (key === 'timeZone' && /^Etc\/|^SystemV\//.test(v)) continue;
            if (out.indexOf(v) < 0) out.push(v);
        }
        if (key === 'timeZone') out.push('UTC');
        return out.sort();
    }

    var Intl = {};
    /* locale.js sets these sections up through rt, not through the global
     * Intl, which a job may have replaced. */
    rt.initDateTimeFormat = sectionDateTimeFormat;
    rt.initCollator = sectionCollator;
    lazy(Intl, 'Collator', sectionCollator);
    lazy(Intl, 'DateTimeFormat', sectionDateTimeFormat);
    lazy(Intl, 'DisplayNames', sectionDisplayNames);
    lazy(Intl, 'ListFormat', sectionListFormat);
    lazy(Intl, 'Locale', sectionLocale);
    define(Intl, 'NumberFormat', NumberFormat);
    lazy(Intl, 'PluralRules', sectionPluralRules);
    lazy(Intl, 'RelativeTimeFormat', sectionRelativeTimeFormat);
    lazy(Intl, 'Segmenter', sectionSegmenter);
    define(Intl, 'getCanonicalLocales', function getCanonicalLocales(locales) { return canonicalizeLocaleList(locales); });
    define(Intl, 'supportedValuesOf', supportedValuesOf);
    Object.defineProperty(Intl, Symbol.toStringTag, { value: 'Intl', configurable: true });
    define(G, 'Intl', Intl);

    /* For locale.js: toLocale*String with ToDateTimeOptions' required and
     * defaults, and cached formatters for the common no-options calls
     * (sorting with localeCompare calls it once per comparison). */
    var memo = {}, memoCount = 0;
    /* A key for an options bag that is a plain object of own primitive data
     * properties (what `{style: 'currency', currency: 'USD'}` is), or null
     * when the options could behave differently on a second read. */
    var getProto = Object.getPrototypeOf, getDesc = Object.getOwnPropertyDescriptor, OBJ = Object.prototype;
    function optionsKey(o) {
        if (o === undefined) return '';
        if (o === null || typeof o !== 'object' || getProto(o) !== OBJ) return null;
        var ks = Object.keys(o), s = '', i, d, v;
        if (ks.length > 24) return null;
        for (i = 0; i < ks.length; i++) {
            d = getDesc(o, ks[i]);
            if (!d || !('value' in d)) return null;
            v = d.value;
            if ((v !== null && typeof v === 'object') || typeof v === 'function') return null;
            s += ks[i] + '\u0000' + typeof v + ':' + String(v) + '\u0001';
        }
        return s;
    }
    function memoized(kind, locales, options, make) {
        if (locales !== undefined && typeof locales !== 'string') return make();
        var ok = optionsKey(options);
        if (ok === null) return make();
        var k = kind + (locales === undefined ? '' : ':' + locales) + '\u0002' + ok;
        if (!memo[k]) {
            if (memoCount >= 64) { memo = {}; memoCount = 0; }
            memo[k] = make();
            memoCount++;
        }
        return memo[k];
    }
    rt.formatNumber = function (x, locales, options) {
        var f = memoized('n', locales, options, function () { return new NumberFormat(locales, options); });
        return nfFormat(f._r, x, false);
    };
    void slice;
})(globalThis, rt);
