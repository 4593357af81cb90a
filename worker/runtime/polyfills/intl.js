/*
 * intl.js -- a small, en-US-only Intl for Duktape 2.7, loaded on first use of
 * the Intl global (Number/Date toLocale*String reach it through locale.js).
 *
 * NumberFormat: style decimal/percent/currency; currency display symbol,
 * narrowSymbol, code, name; currencySign accounting; minimum/maximum
 * fraction and significant digits, minimumIntegerDigits; useGrouping
 * (true/false/'always'/'auto'/'min2'); signDisplay; notation 'compact'
 * (short). Rounding is half away from zero on the shortest decimal form of
 * the number, as ICU does (1.005 -> "1.01"), not on its binary value.
 *
 * DateTimeFormat: weekday, year, month, day, hour, minute, second, hour12 /
 * hourCycle, dateStyle/timeStyle, timeZone 'UTC' or the process zone.
 * Other time zones throw a RangeError rather than print wrong times.
 *
 * Collator and PluralRules (en: one/other) are included because sorting and
 * pluralising code reaches for them. Every locale resolves to en-US.
 */
(function (G, rt) {
    'use strict';
    var NBSP = '\u00a0';

    function define(o, k, v) {
        Object.defineProperty(o, k, { value: v, writable: true, enumerable: false, configurable: true });
    }
    function opt(o, k, allowed, dflt) {
        var v = o[k];
        if (v === undefined) return dflt;
        v = String(v);
        if (allowed && allowed.indexOf(v) < 0) throw new RangeError('Value ' + v + ' out of range for Intl options property ' + k);
        return v;
    }
    function numOpt(o, k, min, max, dflt) {
        var v = o[k];
        if (v === undefined) return dflt;
        v = +v;
        if (v !== v || v < min || v > max) throw new RangeError(k + ' value is out of range.');
        return Math.floor(v);
    }
    function options(o) {
        if (o === undefined) return {};
        if (o === null) throw new TypeError('Cannot convert undefined or null to object');
        return Object(o);
    }
    function checkLocales(locales) {
        var list = locales === undefined ? [] : typeof locales === 'string' ? [locales] : Array.prototype.slice.call(Object(locales)), i;
        for (i = 0; i < list.length; i++) {
            if (typeof list[i] !== 'string' && Object(list[i]) !== list[i]) throw new TypeError('Language ID should be string or object.');
            if (!/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(String(list[i]))) throw new RangeError('Incorrect locale information provided');
        }
        return 'en-US';
    }

    /* ---- decimal arithmetic on the shortest digit string ---------------- */

    /* x (finite, >= 0) as { d: significant digits without leading or trailing
     * zeros, e: count of integer digits } so that x = 0.d * 10^e. */
    function decimal(x) {
        var s = String(x), exp = 0, i = s.indexOf('e'), dot, digits, intLen, lead;
        if (i >= 0) {
            exp = +s.slice(i + 1);
            s = s.slice(0, i);
        }
        dot = s.indexOf('.');
        digits = dot < 0 ? s : s.slice(0, dot) + s.slice(dot + 1);
        intLen = (dot < 0 ? s.length : dot) + exp;
        lead = 0;
        while (lead < digits.length && digits.charAt(lead) === '0') lead++;
        digits = digits.slice(lead).replace(/0+$/, '');
        return digits === '' ? { d: '', e: 1 } : { d: digits, e: intLen - lead };
    }

    /* Keeps `keep` leading digits, rounding half away from zero. */
    function roundDigits(n, keep) {
        var d = n.d, i, c, up;
        if (keep >= d.length) return n;
        if (keep < 0) return { d: '', e: 1 };
        up = d.charCodeAt(keep) >= 53; /* '5' */
        d = d.slice(0, keep);
        if (up) {
            for (i = d.length - 1; i >= 0; i--) {
                c = d.charCodeAt(i);
                if (c < 57) {
                    d = d.slice(0, i) + String.fromCharCode(c + 1);
                    break;
                }
                d = d.slice(0, i);
            }
            if (i < 0) return { d: '1', e: n.e + 1 }; /* carried past the first digit */
        }
        d = d.replace(/0+$/, '');
        return d === '' ? { d: '', e: 1 } : { d: d, e: n.e };
    }

    function zeros(n) {
        return n > 0 ? new Array(n + 1).join('0') : '';
    }

    /* Integer and fraction digit strings of a rounded decimal. */
    function split(n, minFrac, minInt) {
        var d = n.d, e = n.e, ip, fp;
        if (d === '') {
            ip = '0';
            fp = '';
        } else if (e <= 0) {
            ip = '0';
            fp = zeros(-e) + d;
        } else if (e >= d.length) {
            ip = d + zeros(e - d.length);
            fp = '';
        } else {
            ip = d.slice(0, e);
            fp = d.slice(e);
        }
        if (fp.length < minFrac) fp += zeros(minFrac - fp.length);
        if (ip.length < minInt) ip = zeros(minInt - ip.length) + ip;
        return { i: ip, f: fp };
    }

    function group(ip, mode) {
        var out = '', n = ip.length, i;
        if (mode === false || (mode === 'min2' && n < 5)) return ip;
        for (i = 0; i < n; i++) {
            if (i > 0 && (n - i) % 3 === 0) out += ',';
            out += ip.charAt(i);
        }
        return out;
    }

    /* ---- NumberFormat --------------------------------------------------- */

    var CURRENCIES = {
        /* code: [symbol, narrow symbol, singular name, plural name, digits] */
        USD: ['$', '$', 'US dollar', 'US dollars', 2],
        EUR: ['\u20ac', '\u20ac', 'euro', 'euros', 2],
        GBP: ['\u00a3', '\u00a3', 'British pound', 'British pounds', 2],
        JPY: ['\u00a5', '\u00a5', 'Japanese yen', 'Japanese yen', 0],
        CAD: ['CA$', '$', 'Canadian dollar', 'Canadian dollars', 2],
        AUD: ['A$', '$', 'Australian dollar', 'Australian dollars', 2],
        INR: ['\u20b9', '\u20b9', 'Indian rupee', 'Indian rupees', 2],
        CNY: ['CN\u00a5', '\u00a5', 'Chinese yuan', 'Chinese yuan', 2],
        KRW: ['\u20a9', '\u20a9', 'South Korean won', 'South Korean won', 0],
        MXN: ['MX$', '$', 'Mexican peso', 'Mexican pesos', 2],
        CHF: ['CHF', 'CHF', 'Swiss franc', 'Swiss francs', 2]
    };

    function NumberFormat(locales, optionsArg) {
        var o = options(optionsArg), self, style, cur, digits, dflMin, dflMax, minFD, maxFD, g;
        self = this instanceof NumberFormat ? this : Object.create(NumberFormat.prototype);
        var r = { locale: checkLocales(locales), numberingSystem: 'latn' };
        style = r.style = opt(o, 'style', ['decimal', 'percent', 'currency', 'unit'], 'decimal');
        if (style === 'unit') throw new RangeError('Intl.NumberFormat: style "unit" is not supported');
        cur = o.currency;
        if (cur !== undefined) {
            cur = String(cur);
            if (!/^[A-Za-z]{3}$/.test(cur)) throw new RangeError('Invalid currency code : ' + cur);
            cur = cur.toUpperCase();
        }
        if (style === 'currency') {
            if (cur === undefined) throw new TypeError('Currency code is required with currency style.');
            r.currency = cur;
            r.currencyDisplay = opt(o, 'currencyDisplay', ['symbol', 'narrowSymbol', 'code', 'name'], 'symbol');
            r.currencySign = opt(o, 'currencySign', ['standard', 'accounting'], 'standard');
        }
        r.notation = opt(o, 'notation', ['standard', 'scientific', 'engineering', 'compact'], 'standard');
        if (r.notation === 'scientific' || r.notation === 'engineering')
            throw new RangeError('Intl.NumberFormat: notation "' + r.notation + '" is not supported');
        if (r.notation === 'compact') r.compactDisplay = opt(o, 'compactDisplay', ['short', 'long'], 'short');
        r.minimumIntegerDigits = numOpt(o, 'minimumIntegerDigits', 1, 21, 1);

        digits = style === 'currency' ? (CURRENCIES[cur] ? CURRENCIES[cur][4] : 2) : 0;
        dflMin = style === 'currency' && r.notation !== 'compact' ? digits : 0;
        dflMax = style === 'currency' && r.notation !== 'compact' ? Math.max(digits, dflMin) :
            style === 'percent' || r.notation === 'compact' ? 0 : 3;
        if (o.minimumSignificantDigits !== undefined || o.maximumSignificantDigits !== undefined) {
            r.minimumSignificantDigits = numOpt(o, 'minimumSignificantDigits', 1, 21, 1);
            r.maximumSignificantDigits = numOpt(o, 'maximumSignificantDigits', r.minimumSignificantDigits, 21, 21);
        } else {
            minFD = numOpt(o, 'minimumFractionDigits', 0, 100, undefined);
            maxFD = numOpt(o, 'maximumFractionDigits', 0, 100, undefined);
            if (minFD === undefined) minFD = Math.min(dflMin, maxFD === undefined ? dflMin : maxFD);
            if (maxFD === undefined) maxFD = Math.max(dflMax, minFD);
            else if (minFD > maxFD) throw new RangeError('maximumFractionDigits value is out of range.');
            r.minimumFractionDigits = minFD;
            r.maximumFractionDigits = maxFD;
            r.compactRounding = r.notation === 'compact' && o.minimumFractionDigits === undefined && o.maximumFractionDigits === undefined;
        }
        g = o.useGrouping;
        r.useGrouping = g === undefined ? (r.notation === 'compact' ? 'min2' : 'auto') :
            g === 'always' || g === 'auto' || g === 'min2' ? g : g === 'false' ? false : Boolean(g) ? 'auto' : false;
        r.signDisplay = opt(o, 'signDisplay', ['auto', 'never', 'always', 'exceptZero', 'negative'], 'auto');
        Object.defineProperty(self, '_r', { value: r });
        return self;
    }

    function roundFor(r, n) {
        if (r.maximumSignificantDigits !== undefined) {
            n = roundDigits(n, r.maximumSignificantDigits);
            return { n: n, minFrac: Math.max(0, r.minimumSignificantDigits - Math.max(n.e, n.d === '' ? 1 : n.e)) };
        }
        if (r.compactRounding) {
            /* ICU's compact default: integers when 2+ integer digits, else 2 significant. */
            return { n: roundDigits(n, n.e >= 2 ? n.e : 2), minFrac: 0 };
        }
        return { n: roundDigits(n, n.e + r.maximumFractionDigits), minFrac: r.minimumFractionDigits };
    }

    var COMPACT = [['', ''], ['K', ' thousand'], ['M', ' million'], ['B', ' billion'], ['T', ' trillion']];

    function numberParts(r, x) {
        var parts = [], neg, n, rounded, sp, k, sym, cur, isZero, sign, suffix = '', level = 0, accounting;
        x = +x;
        neg = x < 0 || (x === 0 && 1 / x < 0);
        if (x !== x) {
            n = null;
        } else if (x === Infinity || x === -Infinity) {
            n = 'inf';
        } else {
            n = decimal(Math.abs(x));
            if (r.style === 'percent' && n.d !== '') n = { d: n.d, e: n.e + 2 };
            if (r.notation === 'compact' && n.d !== '') {
                level = Math.min(4, Math.max(0, Math.floor((n.e - 1) / 3)));
                n = { d: n.d, e: n.e - 3 * level };
            }
            rounded = roundFor(r, n);
            if (r.notation === 'compact' && rounded.n.e > 3 && level < 4 && rounded.n.d !== '') {
                level++;
                rounded = roundFor(r, { d: n.d, e: n.e - 3 });
            }
            n = rounded;
        }
        isZero = n !== null && n !== 'inf' && n.n.d === '';
        if (r.notation === 'compact') suffix = COMPACT[level][r.compactDisplay === 'long' ? 1 : 0];

        sign = r.signDisplay === 'never' ? '' :
            r.signDisplay === 'always' ? (neg ? '-' : '+') :
            r.signDisplay === 'exceptZero' ? (isZero || n === null ? '' : neg ? '-' : '+') :
            r.signDisplay === 'negative' ? (neg && !isZero ? '-' : '') : (neg ? '-' : '');
        accounting = r.style === 'currency' && r.currencySign === 'accounting' && sign === '-';
        if (accounting) parts.push({ type: 'literal', value: '(' });
        else if (sign) parts.push({ type: sign === '-' ? 'minusSign' : 'plusSign', value: sign });

        if (r.style === 'currency') {
            cur = CURRENCIES[r.currency];
            if (r.currencyDisplay === 'code' || (!cur && r.currencyDisplay !== 'name')) {
                sym = r.currency;
                parts.push({ type: 'currency', value: sym }, { type: 'literal', value: NBSP });
            } else if (r.currencyDisplay !== 'name') {
                sym = cur[r.currencyDisplay === 'narrowSymbol' ? 1 : 0];
                parts.push({ type: 'currency', value: sym });
                if (/[A-Za-z]$/.test(sym)) parts.push({ type: 'literal', value: NBSP });
            }
        }

        if (n === null) {
            parts.push({ type: 'nan', value: 'NaN' });
        } else if (n === 'inf') {
            parts.push({ type: 'infinity', value: '\u221e' });
        } else {
            sp = split(n.n, n.minFrac, r.minimumIntegerDigits);
            k = group(sp.i, r.useGrouping).split(',');
            for (var i = 0; i < k.length; i++) {
                if (i > 0) parts.push({ type: 'group', value: ',' });
                parts.push({ type: 'integer', value: k[i] });
            }
            if (sp.f) parts.push({ type: 'decimal', value: '.' }, { type: 'fraction', value: sp.f });
        }
        if (suffix) parts.push({ type: 'compact', value: suffix.replace(/^ /, '') });
        if (suffix.charAt(0) === ' ') parts.splice(parts.length - 1, 0, { type: 'literal', value: ' ' });
        if (r.style === 'percent') parts.push({ type: 'percentSign', value: '%' });
        if (r.style === 'currency' && r.currencyDisplay === 'name') {
            cur = CURRENCIES[r.currency];
            parts.push({ type: 'literal', value: ' ' }, {
                type: 'currency',
                value: cur ? (n !== null && n !== 'inf' && sp.i === '1' && sp.f === '' ? cur[2] : cur[3]) : r.currency
            });
        }
        if (accounting) parts.push({ type: 'literal', value: ')' });
        return parts;
    }

    function join(parts) {
        var s = '', i;
        for (i = 0; i < parts.length; i++) s += parts[i].value;
        return s;
    }

    function nfState(self) {
        if (!(self instanceof NumberFormat) || !self._r) throw new TypeError('Method Intl.NumberFormat.prototype.format called on incompatible receiver');
        return self._r;
    }

    Object.defineProperty(NumberFormat.prototype, 'format', {
        configurable: true,
        get: function () {
            var r = nfState(this), f;
            if (!this._f) {
                f = function (x) { return join(numberParts(r, x)); };
                Object.defineProperty(this, '_f', { value: f });
            }
            return this._f;
        }
    });
    define(NumberFormat.prototype, 'formatToParts', function formatToParts(x) {
        return numberParts(nfState(this), x);
    });
    define(NumberFormat.prototype, 'resolvedOptions', function resolvedOptions() {
        var r = nfState(this), out = {}, k;
        for (k in r) if (k !== 'compactRounding') out[k] = r[k];
        return out;
    });
    Object.defineProperty(NumberFormat.prototype, Symbol.toStringTag, { value: 'Intl.NumberFormat', configurable: true });

    /* ---- DateTimeFormat ------------------------------------------------- */

    var MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
        'September', 'October', 'November', 'December'];
    var DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
    var UTC_NAMES = ['UTC', 'GMT', 'ETC/UTC', 'ETC/GMT', 'Z', 'ZULU', 'UNIVERSAL', 'ETC/UNIVERSAL'];

    function localIsUtc() {
        return new Date(2024, 0, 1).getTimezoneOffset() === 0 && new Date(2024, 6, 1).getTimezoneOffset() === 0;
    }

    function DateTimeFormat(locales, optionsArg, defaults) {
        var o = options(optionsArg), self, r, tz, any = false, k;
        self = this instanceof DateTimeFormat ? this : Object.create(DateTimeFormat.prototype);
        r = { locale: checkLocales(locales), calendar: 'gregory', numberingSystem: 'latn' };
        tz = o.timeZone;
        if (tz === undefined) {
            r.utc = localIsUtc();
            r.timeZone = r.utc ? 'UTC' : 'Etc/Unknown';
            r.useLocal = true;
        } else {
            tz = String(tz);
            if (UTC_NAMES.indexOf(tz.toUpperCase()) < 0 && !/^[+-]00(:?00)?$/.test(tz))
                throw new RangeError('Invalid time zone specified: ' + tz + ' (only UTC is available)');
            r.timeZone = 'UTC';
            r.utc = true;
        }
        r.hourCycle = o.hourCycle !== undefined ? opt(o, 'hourCycle', ['h11', 'h12', 'h23', 'h24']) :
            o.hour12 !== undefined ? (o.hour12 ? 'h12' : 'h23') : 'h12';
        r.dateStyle = opt(o, 'dateStyle', ['full', 'long', 'medium', 'short']);
        r.timeStyle = opt(o, 'timeStyle', ['full', 'long', 'medium', 'short']);
        r.weekday = opt(o, 'weekday', ['long', 'short', 'narrow']);
        r.era = opt(o, 'era', ['long', 'short', 'narrow']);
        r.year = opt(o, 'year', ['numeric', '2-digit']);
        r.month = opt(o, 'month', ['numeric', '2-digit', 'long', 'short', 'narrow']);
        r.day = opt(o, 'day', ['numeric', '2-digit']);
        r.hour = opt(o, 'hour', ['numeric', '2-digit']);
        r.minute = opt(o, 'minute', ['numeric', '2-digit']);
        r.second = opt(o, 'second', ['numeric', '2-digit']);
        r.fractionalSecondDigits = numOpt(o, 'fractionalSecondDigits', 1, 3, undefined);
        r.timeZoneName = opt(o, 'timeZoneName', ['short', 'long', 'shortOffset', 'longOffset', 'shortGeneric', 'longGeneric']);
        if ((r.dateStyle || r.timeStyle)) {
            for (k in { weekday: 1, year: 1, month: 1, day: 1, hour: 1, minute: 1, second: 1 })
                if (r[k] !== undefined) throw new TypeError("Can't set option " + k + ' when ' + (r.dateStyle ? 'dateStyle' : 'timeStyle') + ' is used');
        } else {
            /* ToDateTimeOptions: toLocaleDateString needs a date field,
             * toLocaleTimeString a time field, the rest any field. */
            var hasDate = r.weekday || r.year || r.month || r.day;
            var hasTime = r.hour || r.minute || r.second || r.fractionalSecondDigits;
            /* kind: 'date' / 'time' (toLocaleDateString / TimeString),
             * 'any' (toLocaleString), undefined (the constructor: any
             * field will do, the default is the date). */
            any = defaults === 'date' ? hasDate : defaults === 'time' ? hasTime : hasDate || hasTime;
            if (!any && defaults !== 'time') r.year = r.month = r.day = 'numeric';
            if (!any && (defaults === 'time' || defaults === 'any')) r.hour = r.minute = r.second = 'numeric';
        }
        Object.defineProperty(self, '_r', { value: r });
        return self;
    }

    function pad2(n) {
        return n < 10 ? '0' + n : String(n);
    }

    function dateParts(r, date) {
        var t = date === undefined ? Date.now() : +date, d, Y, M, D, W, h, m, s, ms, out = [], dateStr, timeStr, hc, ap, x, comps;
        if (t !== t) throw new RangeError('Invalid time value');
        d = new Date(t);
        if (r.utc && !r.useLocal) {
            Y = d.getUTCFullYear(); M = d.getUTCMonth(); D = d.getUTCDate(); W = d.getUTCDay();
            h = d.getUTCHours(); m = d.getUTCMinutes(); s = d.getUTCSeconds(); ms = d.getUTCMilliseconds();
        } else {
            Y = d.getFullYear(); M = d.getMonth(); D = d.getDate(); W = d.getDay();
            h = d.getHours(); m = d.getMinutes(); s = d.getSeconds(); ms = d.getMilliseconds();
        }
        comps = r;
        if (r.dateStyle || r.timeStyle) {
            comps = {
                weekday: r.dateStyle === 'full' ? 'long' : undefined,
                year: r.dateStyle ? (r.dateStyle === 'short' ? '2-digit' : 'numeric') : undefined,
                month: r.dateStyle ? ({ full: 'long', long: 'long', medium: 'short', short: 'numeric' })[r.dateStyle] : undefined,
                day: r.dateStyle ? 'numeric' : undefined,
                hour: r.timeStyle ? 'numeric' : undefined,
                minute: r.timeStyle ? '2-digit' : undefined,
                second: r.timeStyle && r.timeStyle !== 'short' ? '2-digit' : undefined,
                timeZoneName: r.timeStyle === 'full' ? 'long' : r.timeStyle === 'long' ? 'short' : undefined
            };
        }
        function yearStr() {
            return comps.year === '2-digit' ? pad2(((Y % 100) + 100) % 100) : String(Y);
        }
        function monthName() {
            var n = MONTHS[M];
            return comps.month === 'long' ? n : comps.month === 'short' ? n.slice(0, 3) : n.charAt(0);
        }
        function dayStr() {
            return comps.day === '2-digit' ? pad2(D) : String(D);
        }
        function weekdayStr() {
            var n = DAYS[W];
            return comps.weekday === 'long' ? n : comps.weekday === 'short' ? n.slice(0, 3) : n.charAt(0);
        }

        /* Date portion, following the en-US CLDR patterns. */
        dateStr = '';
        if (comps.month === 'long' || comps.month === 'short' || comps.month === 'narrow') {
            dateStr = monthName();
            if (comps.day) dateStr += ' ' + dayStr();
            if (comps.year) dateStr += (comps.day ? ', ' : ' ') + yearStr();
        } else if (comps.month || comps.day || comps.year) {
            x = [];
            if (comps.month) x.push(comps.month === '2-digit' ? pad2(M + 1) : String(M + 1));
            if (comps.day) x.push(dayStr());
            if (comps.year) x.push(yearStr());
            dateStr = x.join('/');
        }
        if (comps.weekday) dateStr = dateStr ? weekdayStr() + ', ' + dateStr : weekdayStr();

        /* Time portion. */
        timeStr = '';
        if (comps.hour || comps.minute || comps.second) {
            hc = r.hourCycle;
            ap = h < 12 ? 'AM' : 'PM';
            x = [];
            if (comps.hour) {
                var hv = hc === 'h12' ? (h % 12 === 0 ? 12 : h % 12) : hc === 'h11' ? h % 12 : hc === 'h24' && h === 0 ? 24 : h;
                x.push(comps.hour === '2-digit' || hc === 'h23' || hc === 'h24' ? pad2(hv) : String(hv));
            }
            if (comps.minute) x.push(comps.hour || comps.second || comps.minute === '2-digit' ? pad2(m) : String(m));
            if (comps.second) {
                x.push(comps.minute ? pad2(s) : comps.second === '2-digit' ? pad2(s) : String(s));
            }
            timeStr = x.join(':');
            if (r.fractionalSecondDigits) timeStr += '.' + String(1000 + ms).slice(1, 1 + r.fractionalSecondDigits);
            if (comps.hour && (hc === 'h12' || hc === 'h11')) timeStr += ' ' + ap;
            if (comps.timeZoneName) timeStr += ' ' + (comps.timeZoneName === 'long' ? (r.utc ? 'Coordinated Universal Time' : 'GMT') : r.utc ? 'UTC' : 'GMT');
        } else if (r.fractionalSecondDigits) {
            timeStr = String(1000 + ms).slice(1, 1 + r.fractionalSecondDigits);
        }

        if (dateStr && timeStr) {
            /* en-US joins a long (spelled-out month) date with " at ", a
             * lone weekday with a space, anything else with ", ". */
            x = comps.month === 'long' ? ' at ' :
                comps.weekday && !comps.month && !comps.day && !comps.year ? ' ' : ', ';
            out = dateStr + x + timeStr;
        } else {
            out = dateStr || timeStr;
        }
        return out;
    }

    function dtfState(self) {
        if (!(self instanceof DateTimeFormat) || !self._r) throw new TypeError('Method Intl.DateTimeFormat.prototype.format called on incompatible receiver');
        return self._r;
    }
    Object.defineProperty(DateTimeFormat.prototype, 'format', {
        configurable: true,
        get: function () {
            var r = dtfState(this), f;
            if (!this._f) {
                f = function (d) { return dateParts(r, d); };
                Object.defineProperty(this, '_f', { value: f });
            }
            return this._f;
        }
    });
    define(DateTimeFormat.prototype, 'formatToParts', function formatToParts(d) {
        return [{ type: 'literal', value: dateParts(dtfState(this), d) }];
    });
    define(DateTimeFormat.prototype, 'resolvedOptions', function resolvedOptions() {
        var r = dtfState(this), out = {}, k;
        for (k in r) if (r[k] !== undefined && k !== 'utc' && k !== 'useLocal') out[k] = r[k];
        out.hour12 = r.hourCycle === 'h12' || r.hourCycle === 'h11';
        if (!r.hour && !r.timeStyle) {
            delete out.hourCycle;
            delete out.hour12;
        }
        return out;
    });
    Object.defineProperty(DateTimeFormat.prototype, Symbol.toStringTag, { value: 'Intl.DateTimeFormat', configurable: true });

    rt.formatDate = function (date, locales, opts, defaults) {
        return dateParts(DateTimeFormat(locales, opts, defaults)._r, date);
    };

    /* ---- Collator and PluralRules -------------------------------------- */

    function Collator(locales, optionsArg) {
        var o = options(optionsArg), self = this instanceof Collator ? this : Object.create(Collator.prototype);
        var r = {
            locale: checkLocales(locales),
            usage: opt(o, 'usage', ['sort', 'search'], 'sort'),
            sensitivity: opt(o, 'sensitivity', ['base', 'accent', 'case', 'variant'], 'variant'),
            ignorePunctuation: Boolean(o.ignorePunctuation),
            collation: 'default',
            numeric: Boolean(o.numeric),
            caseFirst: opt(o, 'caseFirst', ['upper', 'lower', 'false'], 'false')
        };
        Object.defineProperty(self, '_r', { value: r });
        return self;
    }
    Object.defineProperty(Collator.prototype, 'compare', {
        configurable: true,
        get: function () {
            var r = this._r, f;
            if (!r) throw new TypeError('Method Intl.Collator.prototype.compare called on incompatible receiver');
            if (!this._f) {
                f = function (a, b) { return String.prototype.localeCompare.call(String(a), String(b), undefined, r); };
                Object.defineProperty(this, '_f', { value: f });
            }
            return this._f;
        }
    });
    define(Collator.prototype, 'resolvedOptions', function resolvedOptions() {
        var out = {}, k;
        for (k in this._r) out[k] = this._r[k];
        return out;
    });

    function PluralRules(locales, optionsArg) {
        var o = options(optionsArg), self = this instanceof PluralRules ? this : Object.create(PluralRules.prototype);
        if (!(this instanceof PluralRules)) throw new TypeError("Constructor Intl.PluralRules requires 'new'");
        Object.defineProperty(self, '_r', { value: { locale: checkLocales(locales), type: opt(o, 'type', ['cardinal', 'ordinal'], 'cardinal') } });
        return self;
    }
    define(PluralRules.prototype, 'select', function select(n) {
        var i, t;
        n = Math.abs(+n);
        if (this._r.type === 'ordinal') {
            i = n % 10;
            t = n % 100;
            if (i === 1 && t !== 11) return 'one';
            if (i === 2 && t !== 12) return 'two';
            if (i === 3 && t !== 13) return 'few';
            return 'other';
        }
        return n === 1 ? 'one' : 'other';
    });
    define(PluralRules.prototype, 'resolvedOptions', function resolvedOptions() {
        return { locale: this._r.locale, type: this._r.type, pluralCategories: this._r.type === 'ordinal' ? ['few', 'one', 'two', 'other'] : ['one', 'other'] };
    });

    /* ---- the namespace -------------------------------------------------- */

    function supportedLocalesOf(locales) {
        checkLocales(locales);
        var list = locales === undefined ? [] : typeof locales === 'string' ? [locales] : Array.prototype.slice.call(locales);
        return list.filter(function (l) { return /^en(-|$)/i.test(String(l)); });
    }
    [NumberFormat, DateTimeFormat, Collator, PluralRules].forEach(function (C) {
        define(C, 'supportedLocalesOf', supportedLocalesOf);
    });

    var Intl = {};
    define(Intl, 'NumberFormat', NumberFormat);
    define(Intl, 'DateTimeFormat', function (locales, opts) { return DateTimeFormat.call(this, locales, opts); });
    Object.defineProperty(Intl.DateTimeFormat, 'name', { value: 'DateTimeFormat', configurable: true });
    Intl.DateTimeFormat.prototype = DateTimeFormat.prototype;
    define(DateTimeFormat.prototype, 'constructor', Intl.DateTimeFormat);
    define(Intl.DateTimeFormat, 'supportedLocalesOf', supportedLocalesOf);
    define(Intl, 'Collator', Collator);
    define(Intl, 'PluralRules', PluralRules);
    define(Intl, 'getCanonicalLocales', function getCanonicalLocales(locales) {
        checkLocales(locales);
        return locales === undefined ? [] : typeof locales === 'string' ? [locales] : Array.prototype.slice.call(locales);
    });
    Object.defineProperty(Intl, Symbol.toStringTag, { value: 'Intl', configurable: true });
    define(G, 'Intl', Intl);
})(globalThis, rt);
