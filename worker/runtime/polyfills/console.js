/*
 * console.js -- the console methods beyond the logging ones, as Node 24 has
 * them: time/timeEnd/timeLog, count/countReset, table, and the no-ops
 * (clear, profile, profileEnd, timeStamp).  The host's console (C,
 * worker/cw_sandbox.c) writes the entries and does group/groupEnd's
 * indentation; these only build the text, so every entry keeps the caps
 * and the indentation of the others.
 *
 * Why: agent code times its steps (`console.time('load')`), counts, and
 * prints tables of rows; a missing method was a TypeError that failed the
 * whole job.  The texts are Node's: "label: 1.234ms" with Node's
 * formatTime, "label: 3", the warnings Node prints with process.emitWarning
 * ("No such label 'x' for console.timeEnd()") as `warn` entries, and
 * console.table's box drawing with its cells written as util.inspect does
 * at depth 0 (strings quoted, at most 3 array items, objects of more than
 * two keys as [Object]).  The timers read performance.now(), which moves
 * with the job's clock (timers skip ahead instead of sleeping).
 */
(function (G) {
    'use strict';
    var C = G.console;
    var log = C.log, warn = C.warn;
    var now = G.performance.now;
    var timers = Object.create(null);
    var counts = Object.create(null);
    var hasOwn = Object.prototype.hasOwnProperty;
    var objToString = Object.prototype.toString;

    function define(name, fn) {
        Object.defineProperty(C, name, { value: fn, writable: true, enumerable: true, configurable: true });
    }
    function text(label) {
        return label === undefined ? 'default' : '' + label;
    }
    function emitWarning(msg) {
        warn.call(C, 'Warning: ' + msg);
    }
    function pad(v) {
        return ('' + v).length < 2 ? '0' + v : '' + v;
    }
    /* Node's formatTime (lib/internal/util/debuglog.js). */
    function formatTime(ms) {
        var hours = 0, minutes = 0, seconds = 0;
        if (ms >= 1000) {
            if (ms >= 60000) {
                if (ms >= 3600000) {
                    hours = Math.floor(ms / 3600000);
                    ms = ms % 3600000;
                }
                minutes = Math.floor(ms / 60000);
                ms = ms % 60000;
            }
            seconds = ms / 1000;
        }
        if (hours !== 0 || minutes !== 0) {
            var parts = seconds.toFixed(3).split('.');
            var res = hours !== 0 ? hours + ':' + pad(minutes) : minutes;
            return res + ':' + pad(parts[0]) + '.' + parts[1] + ' (' + (hours !== 0 ? 'h:m' : '') + 'm:ss.mmm)';
        }
        if (seconds !== 0) return seconds.toFixed(3) + 's';
        return Number(ms.toFixed(3)) + 'ms';
    }
    function elapsed(label, fn) {
        if (!(label in timers)) {
            emitWarning("No such label '" + label + "' for console." + fn + '()');
            return null;
        }
        return formatTime(now() - timers[label]);
    }

    define('time', function time(label) {
        label = text(label);
        if (label in timers) {
            emitWarning("Label '" + label + "' already exists for console.time()");
            return;
        }
        timers[label] = now();
    });
    define('timeEnd', function timeEnd(label) {
        label = text(label);
        var t = elapsed(label, 'timeEnd');
        if (t === null) return;
        delete timers[label];
        log.call(C, '%s: %s', label, t);
    });
    define('timeLog', function timeLog(label) {
        label = text(label);
        var t = elapsed(label, 'timeLog');
        if (t === null) return;
        var args = ['%s: %s', label, t];
        for (var i = 1; i < arguments.length; i++) args.push(arguments[i]);
        log.apply(C, args);
    });
    define('count', function count(label) {
        label = text(label);
        counts[label] = (counts[label] || 0) + 1;
        log.call(C, label + ': ' + counts[label]);
    });
    define('countReset', function countReset(label) {
        label = text(label);
        if (!(label in counts)) {
            emitWarning("Count for '" + label + "' does not exist");
            return;
        }
        counts[label] = 0;
    });
    define('clear', function clear() {});
    define('profile', function profile() {});
    define('profileEnd', function profileEnd() {});
    define('timeStamp', function timeStamp() {});

    /* ---- table: util.inspect at depth 0, then Node's cli_table ---------- */

    var IDENT = /^[A-Za-z_$][A-Za-z_$0-9]*$/;
    var ESC = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r', '\\': '\\\\' };
    function quote(s) {
        var q = "'";
        if (s.indexOf("'") >= 0) {
            if (s.indexOf('"') < 0) q = '"';
            else if (s.indexOf('`') < 0 && s.indexOf('${') < 0) q = '`';
        }
        var out = q;
        for (var i = 0; i < s.length; i++) {
            var ch = s.charAt(i), c = s.charCodeAt(i);
            if (ch === q) out += '\\' + q;
            else if (ESC[ch]) out += ESC[ch];
            else if (c < 0x20 || c === 0x7f) out += '\\x' + (c < 16 ? '0' : '') + c.toString(16).toUpperCase();
            else out += ch;
        }
        return out + q;
    }
    function ctorName(o) {
        var p = Object.getPrototypeOf(o);
        if (p === null) return null;
        var c = p.constructor;
        return typeof c === 'function' && typeof c.name === 'string' ? c.name : '';
    }
    function inspect(v, depth) {
        switch (typeof v) {
        case 'string': return quote(v);
        case 'number': return v === 0 && 1 / v < 0 ? '-0' : '' + v;
        case 'boolean': return '' + v;
        case 'undefined': return 'undefined';
        case 'symbol': return v.toString();
        case 'function': return '[Function: ' + (v.name || '(anonymous)') + ']';
        }
        if (v === null) return 'null';
        var tag = objToString.call(v);
        if (tag === '[object Date]') return isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
        if (tag === '[object RegExp]') return '' + v;
        if (tag === '[object Error]') return v.stack ? '' + v.stack : '[' + v + ']';
        var i, n, items = [];
        if (Array.isArray(v)) {
            if (depth < 0) return '[Array]';
            n = v.length;
            for (i = 0; i < n && i < 3; i++) items.push(i in v ? inspect(v[i], depth - 1) : '<1 empty item>');
            if (n > 3) items.push('... ' + (n - 3) + ' more item' + (n - 3 > 1 ? 's' : ''));
            return items.length ? '[ ' + items.join(', ') + ' ]' : '[]';
        }
        var name = ctorName(v);
        if (v instanceof G.Map || v instanceof G.Set) {
            var isMap = v instanceof G.Map, kind = isMap ? 'Map' : 'Set';
            if (depth < 0) return '[' + kind + ']';
            v.forEach(function (val, key) {
                if (items.length < 3) items.push(isMap ? inspect(key, depth - 1) + ' => ' + inspect(val, depth - 1) : inspect(val, depth - 1));
            });
            if (v.size > 3) items.push('... ' + (v.size - 3) + ' more item' + (v.size - 3 > 1 ? 's' : ''));
            return kind + '(' + v.size + ') ' + (items.length ? '{ ' + items.join(', ') + ' }' : '{}');
        }
        var prefix = name === null ? '[Object: null prototype] ' : name && name !== 'Object' ? name + ' ' : '';
        if (depth < 0) return '[' + (name || 'Object') + ']';
        var keys = Object.keys(v);
        for (i = 0; i < keys.length; i++) {
            var k = keys[i];
            items.push((IDENT.test(k) ? k : quote(k)) + ': ' + inspect(v[k], depth - 1));
        }
        return prefix + (items.length ? '{ ' + items.join(', ') + ' }' : '{}');
    }
    function cell(v) {
        var depth = v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 2 ? -1 : 0;
        return inspect(v, depth);
    }
    /* Columns a terminal gives a string (getStringWidth): wide East Asian
     * characters and emoji take two, combining marks none. */
    function width(s) {
        var w = 0;
        for (var i = 0; i < s.length; i++) {
            var c = s.charCodeAt(i);
            if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
                var d = s.charCodeAt(i + 1);
                if (d >= 0xdc00 && d <= 0xdfff) {
                    c = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
                    i++;
                }
            }
            if ((c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f) || (c >= 0xfe00 && c <= 0xfe0f)) continue;
            if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
                (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
                (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) || (c >= 0x1f900 && c <= 0x1f9ff) ||
                (c >= 0x20000 && c <= 0x3fffd)) w += 2;
            else w += 1;
        }
        return w;
    }
    function repeat(ch, n) {
        var s = '';
        while (n-- > 0) s += ch;
        return s;
    }
    function renderRow(row, widths) {
        var out = '\u2502 ';
        for (var i = 0; i < row.length; i++) {
            out += row[i] + repeat(' ', widths[i] - width(row[i]));
            if (i !== row.length - 1) out += ' \u2502 ';
        }
        return out + ' \u2502';
    }
    function cliTable(head, columns) {
        var rows = [], widths = [], longest = 0, i, j;
        for (i = 0; i < head.length; i++) widths.push(width(head[i]));
        for (i = 0; i < columns.length; i++) if (columns[i].length > longest) longest = columns[i].length;
        for (i = 0; i < head.length; i++) {
            for (j = 0; j < longest; j++) {
                if (rows[j] === undefined) rows[j] = [];
                var value = rows[j][i] = hasOwn.call(columns[i], j) ? columns[i][j] : '';
                var w = width(value);
                if (w > widths[i]) widths[i] = w;
            }
        }
        var divider = [];
        for (i = 0; i < widths.length; i++) divider.push(repeat('\u2500', widths[i] + 2));
        var result = '\u250c' + divider.join('\u252c') + '\u2510\n' + renderRow(head, widths) + '\n' +
            '\u251c' + divider.join('\u253c') + '\u2524\n';
        for (i = 0; i < rows.length; i++) result += renderRow(rows[i], widths) + '\n';
        return result + '\u2514' + divider.join('\u2534') + '\u2518';
    }
    function indexes(n) {
        var a = [];
        for (var i = 0; i < n; i++) a.push('' + i);
        return a;
    }

    define('table', function table(data, properties) {
        if (properties !== undefined && !Array.isArray(properties)) {
            throw new TypeError('The "properties" argument must be an instance of Array. Received ' +
                (properties === null ? 'null' : 'type ' + typeof properties + ' (' + cell(properties) + ')'));
        }
        if (data === null || typeof data !== 'object') return log.call(C, data);
        var i, keys = [], values = [];
        if (data instanceof G.Map) {
            data.forEach(function (v, k) { keys.push(cell(k)); values.push(cell(v)); });
            return log.call(C, cliTable(['(iteration index)', 'Key', 'Values'], [indexes(keys.length), keys, values]));
        }
        if (data instanceof G.Set) {
            data.forEach(function (v) { values.push(cell(v)); });
            return log.call(C, cliTable(['(iteration index)', 'Values'], [indexes(values.length), values]));
        }
        var map = Object.create(null), hasPrimitives = false, valuesCol = [];
        var index = Object.keys(data);
        for (i = 0; i < index.length; i++) {
            var item = data[index[i]];
            var primitive = item === null || (typeof item !== 'function' && typeof item !== 'object');
            if (properties === undefined && primitive) {
                hasPrimitives = true;
                valuesCol[i] = cell(item);
            } else {
                var ks = properties || Object.keys(item);
                for (var j = 0; j < ks.length; j++) {
                    var key = ks[j];
                    if (!(key in map)) map[key] = [];
                    map[key][i] = (primitive && properties) || !hasOwn.call(item, key) ? '' : cell(item[key]);
                }
            }
        }
        var head = ['(index)'], cols = [index], order = Object.keys(map);
        for (i = 0; i < order.length; i++) {
            head.push('' + order[i]);
            cols.push(map[order[i]]);
        }
        if (hasPrimitives) {
            head.push('Values');
            cols.push(valuesCol);
        }
        log.call(C, cliTable(head, cols));
    });
})(globalThis);
