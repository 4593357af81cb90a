/* Minimal ES2015 built-ins for the lowering tests only: just enough of
 * Symbol.iterator on built-ins, Map, Set, WeakMap, WeakSet, Array.from and
 * Promise (with a job queue the test host drains through __cw_drain()) to
 * run lowered code under plain Duktape. The executor ships its own, complete
 * polyfills; nothing here is meant for production. */
(function (global) {
  "use strict";
  var ITER = Symbol.iterator;
  function def(obj, key, val) {
    Object.defineProperty(obj, key, { value: val, writable: true, configurable: true, enumerable: false });
  }
  /* Lowered regex literals call this (the executor's is the regress-backed
   * RegExp); plain Duktape's RegExp is enough for ES5 patterns here. */
  def(global, "__cw_regexp", function (source, flags) { return new RegExp(source, flags); });
  function listIter(list, kind) {
    var i = 0;
    var it = {
      next: function () {
        while (i < list.length && list[i].deleted) i++;
        if (i >= list.length) return { value: undefined, done: true };
        var e = list[i++];
        return { value: kind === 0 ? e.key : kind === 1 ? e.value : [e.key, e.value], done: false };
      }
    };
    it[ITER] = function () { return this; };
    return it;
  }
  function arrayIter(a, kind) {
    var i = 0;
    var it = {
      next: function () {
        if (i >= a.length) return { value: undefined, done: true };
        var k = i++;
        return { value: kind === 0 ? k : kind === 1 ? a[k] : [k, a[k]], done: false };
      }
    };
    it[ITER] = function () { return this; };
    return it;
  }
  def(Array.prototype, ITER, function () { return arrayIter(this, 1); });
  def(Array.prototype, "keys", function () { return arrayIter(this, 0); });
  def(Array.prototype, "values", function () { return arrayIter(this, 1); });
  def(Array.prototype, "entries", function () { return arrayIter(this, 2); });
  def(String.prototype, ITER, function () {
    var s = String(this), i = 0;
    var it = {
      next: function () {
        if (i >= s.length) return { value: undefined, done: true };
        var c = s.charCodeAt(i), n = 1;
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
          var d = s.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) n = 2;
        }
        var v = s.substr(i, n);
        i += n;
        return { value: v, done: false };
      }
    };
    it[ITER] = function () { return this; };
    return it;
  });

  function sameValueZero(a, b) { return a === b || (a !== a && b !== b); }
  function makeColl(isMap) {
    function C(init) {
      if (!(this instanceof C)) throw new TypeError("Constructor requires 'new'");
      def(this, "_l", []);
      if (init != null) {
        var it = init[ITER](), s;
        while (!(s = it.next()).done) {
          if (isMap) this.set(s.value[0], s.value[1]); else this.add(s.value);
        }
      }
    }
    function find(c, k) {
      for (var i = 0; i < c._l.length; i++) if (!c._l[i].deleted && sameValueZero(c._l[i].key, k)) return c._l[i];
      return null;
    }
    var P = C.prototype;
    def(P, "has", function (k) { return find(this, k) !== null; });
    def(P, "delete", function (k) { var e = find(this, k); if (!e) return false; e.deleted = true; return true; });
    def(P, "clear", function () { for (var i = 0; i < this._l.length; i++) this._l[i].deleted = true; this._l = []; });
    def(P, "forEach", function (f, t) {
      var it = listIter(this._l, 2), s;
      while (!(s = it.next()).done) f.call(t, isMap ? s.value[1] : s.value[0], s.value[0], this);
    });
    Object.defineProperty(P, "size", { get: function () {
      var n = 0; for (var i = 0; i < this._l.length; i++) if (!this._l[i].deleted) n++; return n;
    }, configurable: true });
    if (isMap) {
      def(P, "get", function (k) { var e = find(this, k); return e ? e.value : undefined; });
      def(P, "set", function (k, v) { var e = find(this, k); if (e) e.value = v; else this._l.push({ key: k, value: v }); return this; });
      def(P, "keys", function () { return listIter(this._l, 0); });
      def(P, "values", function () { return listIter(this._l, 1); });
      def(P, "entries", function () { return listIter(this._l, 2); });
      def(P, ITER, P.entries);
    } else {
      def(P, "add", function (k) { if (!find(this, k)) this._l.push({ key: k, value: k }); return this; });
      def(P, "values", function () { return listIter(this._l, 0); });
      def(P, "keys", P.values);
      def(P, "entries", function () { return listIter(this._l, 2); });
      def(P, ITER, P.values);
    }
    return C;
  }
  var weakId = 0;
  function makeWeak(isMap) {
    function W() {
      if (!(this instanceof W)) throw new TypeError("Constructor requires 'new'");
      def(this, "_k", Symbol("weak" + (weakId++)));
    }
    var P = W.prototype;
    def(P, "has", function (o) { return Object(o) === o && Object.prototype.hasOwnProperty.call(o, this._k); });
    def(P, "delete", function (o) { if (!this.has(o)) return false; delete o[this._k]; return true; });
    if (isMap) {
      def(P, "get", function (o) { return this.has(o) ? o[this._k] : undefined; });
      def(P, "set", function (o, v) {
        if (Object(o) !== o) throw new TypeError("invalid WeakMap key");
        Object.defineProperty(o, this._k, { value: v, writable: true, configurable: true, enumerable: false });
        return this;
      });
    } else {
      def(P, "add", function (o) {
        if (Object(o) !== o) throw new TypeError("invalid WeakSet value");
        Object.defineProperty(o, this._k, { value: true, writable: true, configurable: true, enumerable: false });
        return this;
      });
    }
    return W;
  }
  global.Map = makeColl(true);
  global.Set = makeColl(false);
  global.WeakMap = makeWeak(true);
  global.WeakSet = makeWeak(false);

  def(Array, "from", function (src, fn, t) {
    var out = [], i = 0;
    if (src != null && typeof src[ITER] === "function") {
      var it = src[ITER](), s;
      while (!(s = it.next()).done) out.push(fn ? fn.call(t, s.value, i++) : s.value);
    } else {
      var o = Object(src), n = o.length >>> 0;
      for (; i < n; i++) out.push(fn ? fn.call(t, o[i], i) : o[i]);
    }
    return out;
  });

  /* Promise with a FIFO job queue; the host calls __cw_drain() after the
   * script (and may call it again) to run pending reactions. */
  var jobs = [];
  function enqueue(f) { jobs.push(f); }
  def(global, "__cw_drain", function () {
    var n = 0;
    while (jobs.length) { jobs.shift()(); if (++n > 1e6) throw new Error("job queue runaway"); }
    return n;
  });
  function P(executor) {
    if (!(this instanceof P)) throw new TypeError("Promise requires 'new'");
    var self = this;
    self._s = 0; self._v = undefined; self._r = [];
    var done = false;
    function res(v) { if (!done) { done = true; resolveWith(self, v); } }
    function rej(e) { if (!done) { done = true; settle(self, 2, e); } }
    try { executor(res, rej); } catch (e) { rej(e); }
  }
  function settle(p, state, v) {
    if (p._s) return;
    p._s = state; p._v = v;
    var rs = p._r; p._r = null;
    for (var i = 0; i < rs.length; i++) schedule(p, rs[i]);
  }
  function resolveWith(p, v) {
    if (v === p) return settle(p, 2, new TypeError("self resolution"));
    if (v !== null && (typeof v === "object" || typeof v === "function")) {
      var then;
      try { then = v.then; } catch (e) { return settle(p, 2, e); }
      if (typeof then === "function") {
        var called = false;
        enqueue(function () {
          try {
            then.call(v, function (x) { if (!called) { called = true; resolveWith(p, x); } },
                         function (e) { if (!called) { called = true; settle(p, 2, e); } });
          } catch (e) { if (!called) { called = true; settle(p, 2, e); } }
        });
        return;
      }
    }
    settle(p, 1, v);
  }
  function schedule(p, r) {
    enqueue(function () {
      var cb = p._s === 1 ? r.ok : r.err;
      if (typeof cb !== "function") {
        if (p._s === 1) resolveWith(r.p, p._v); else settle(r.p, 2, p._v);
        return;
      }
      var x;
      try { x = cb(p._v); } catch (e) { settle(r.p, 2, e); return; }
      resolveWith(r.p, x);
    });
  }
  def(P.prototype, "then", function (ok, err) {
    var np = new P(function () {});
    var r = { ok: ok, err: err, p: np };
    if (this._s) schedule(this, r); else this._r.push(r);
    return np;
  });
  def(P.prototype, "catch", function (err) { return this.then(undefined, err); });
  def(P.prototype, "finally", function (f) {
    return this.then(function (v) { return P.resolve(f()).then(function () { return v; }); },
                     function (e) { return P.resolve(f()).then(function () { throw e; }); });
  });
  def(P, "resolve", function (v) { return v instanceof P ? v : new P(function (r) { r(v); }); });
  def(P, "reject", function (e) { return new P(function (_, r) { r(e); }); });
  def(P, "all", function (xs) {
    return new P(function (res, rej) {
      var a = Array.from(xs), out = new Array(a.length), left = a.length;
      if (!left) return res(out);
      a.forEach(function (x, i) {
        P.resolve(x).then(function (v) { out[i] = v; if (--left === 0) res(out); }, rej);
      });
    });
  });
  global.Promise = P;
})(this);
