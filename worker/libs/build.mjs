#!/usr/bin/env node
/*
 * build.mjs -- turns each library a job may require() into one ES5 file that
 * Duktape 2.7 can compile: OUT/<name>.js holds a single expression
 * `(function (module, exports, require) { ... })` that the executor's
 * require() calls once per heap with a fresh module object.
 *
 * Steps per library: esbuild bundles the package (browser conditions, so
 * uuid draws from crypto.getRandomValues, which the executor provides) into
 * one CommonJS body; swc lowers it to ES5 (Babel's preset-env did the same
 * but took three minutes on mathjs, swc 0.4 s); acorn then proves the result
 * parses as ES5. Node built-ins stay external require() calls, which the
 * executor answers with a blocked-module error.
 *
 *   node build.mjs --out DIR [--only name,name] [--minify]
 *                  [--alias pkg=otherpkg] [--resolve-dir DIR]
 *
 * --alias/--resolve-dir build against another installed copy of a package
 * (used to compare mathjs majors: --alias mathjs=mathjs14 --resolve-dir X).
 */
import { build } from 'esbuild';
import { transform } from '@swc/core';
import { parse } from 'acorn';
import { mkdir, writeFile, readFile, rename } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/* The entry module of each bundle. mathjs is built with create(all): its
 * package index creates every one of its ~1,500 functions at load, while
 * create() makes each one on first use. */
const LIBS = {
  lodash: "module.exports = require('lodash');",
  'date-fns': "module.exports = require('date-fns');",
  mathjs: "import { create, all } from 'mathjs';\nmodule.exports = create(all);",
  papaparse: "module.exports = require('papaparse');",
  uuid: "module.exports = require('uuid');",
  validator: "module.exports = require('validator');",
  jstat: "module.exports = require('jstat');",
  /* Not require()-able by their own names: the runtime loads these to back
   * the globals URL, URLSearchParams and Buffer (worker/runtime/polyfills/
   * web-url.js, web-buffer.js) and Node's modules url, buffer and
   * querystring (cw_runtime.c, cw_runtime_require_node). */
  'whatwg-url': "module.exports = require('whatwg-url');",
  buffer: "module.exports = require('buffer/');",
  /* querystring-es3 is Node's querystring of 2014; Node added escape and
   * unescape (the percent-coders its parse/stringify use) since.  Node's:
   * escape is encodeURIComponent; unescape is decodeURIComponent, falling
   * back on malformed input to decoding each %XX as a byte (bad UTF-8 as
   * U+FFFD) and, when asked, '+' as a space. */
  'querystring-es3': `const qs = require('querystring-es3');
function unescapeBuffer(s, decodeSpaces) {
  const bytes = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 && i + 2 < s.length && /^[0-9a-fA-F]{2}$/.test(s.substr(i + 1, 2))) {
      bytes.push(parseInt(s.substr(i + 1, 2), 16));
      i += 2;
    } else if (c === 43 && decodeSpaces) {
      bytes.push(32);
    } else {
      const e = new TextEncoder().encode(s[i]);
      for (let j = 0; j < e.length; j++) bytes.push(e[j]);
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
module.exports = Object.assign({}, qs, {
  escape: function escape(str) { return encodeURIComponent(typeof str === 'string' ? str : String(str)); },
  unescape: function unescape(s, decodeSpaces) {
    try { return decodeURIComponent(s); } catch (e) { return unescapeBuffer(String(s), decodeSpaces); }
  },
});`,
  /* Node's legacy url.parse/format/resolve (url 0.11.0: the port of Node's
   * lib/url.js, on querystring and punycode as Node's was). */
  'url-legacy': "module.exports = require('url/');",
};

/* Packages whose names are also Node built-ins but which a bundle must
 * contain: tr46 (in whatwg-url) takes `punycode/`, `buffer/` is the
 * package itself, and url 0.11.0 takes its own `punycode` and
 * `querystring` packages. */
const BUNDLED_BUILTINS = { 'whatwg-url': ['punycode'], buffer: ['buffer'], 'url-legacy': ['url', 'punycode', 'querystring'] };

/* Per-library esbuild defines.  webidl-conversions (in whatwg-url) reads
 * BigInt.asIntN/asUintN when it loads, for its `long long` conversion, which
 * the URL API never uses; Duktape has no BigInt, so the reads become
 * `undefined` instead of a ReferenceError at load. */
const LIB_DEFINES = { 'whatwg-url': { 'BigInt.asUintN': 'undefined', 'BigInt.asIntN': 'undefined' } };

/* Source patches, each required to match exactly `count` times (so a package
 * update that moves the code fails the build instead of shipping unpatched).
 * webidl-conversions takes six accessor functions from the engine's
 * prototypes when it loads -- SharedArrayBuffer, ArrayBuffer#resizable and
 * %TypedArray%#@@toStringTag, which Duktape lacks -- to tell buffer kinds
 * apart; each call of one sits in a try/catch that answers "not that kind".
 * The patch takes each through a helper that gives a throwing function when
 * the accessor is missing, which is that answer.  The URL API converts only
 * strings and sequences, never buffers.
 * whatwg-url's utils.js reads %AsyncIteratorPrototype% off an async
 * generator when it loads; lowered to ES5 that generator is a plain function
 * and the read throws.  The URL API has no async iterators: the patch falls
 * back to Object.prototype, as the module's own later probe already does. */
const GETTER_HELPER = `function cwGetter(holder, key) {
  try {
    const d = Object.getOwnPropertyDescriptor(holder(), key);
    if (d && typeof d.get === 'function') return d.get;
  } catch {}
  return () => { throw new TypeError('not supported by this engine'); };
}
`;
const LIB_PATCHES = {
  'whatwg-url': [{
    file: /[\\/]webidl-conversions[\\/]lib[\\/]index\.js$/,
    count: 6,
    pattern: /Object\.getOwnPropertyDescriptor\(\s*([^,]+?),\s*("[a-zA-Z]+"|Symbol\.toStringTag)\s*\)\.get/g,
    replace: (m, holder, key) => `cwGetter(() => ${holder}, ${key})`,
    prelude: GETTER_HELPER,
  }, {
    file: /[\\/]whatwg-url[\\/]lib[\\/]utils\.js$/,
    count: 1,
    pattern: /^const AsyncIteratorPrototype = (.*);$/m,
    replace: (m, expr) => `const AsyncIteratorPrototype = (() => { try { return ${expr}; } catch { return Object.prototype; } })();`,
  }],
};

/* buffer 6.0.3 predates Node's `base64url` encoding (Node 15.7): decoding
 * already accepts the URL-safe alphabet, so `base64url` joins the `base64`
 * cases of isEncoding, byteLength and write, and toString gets its own case
 * (base64 with - _ and no padding).  Its UTF-8 decoder gives one U+FFFD per
 * byte of a truncated sequence where Node (the WHATWG decoder) gives one per
 * maximal subpart: toString('utf8') decodes with the engine's TextDecoder,
 * which is that decoder (ignoreBOM: Node keeps a leading BOM). */
const BUFFER_PATCHES = [
  { pattern: /( +)case 'base64':\n(?! +return base64Slice)/g, count: 3, replace: (m, sp) => `${sp}case 'base64url':\n${m}` },
  {
    pattern: /( +)case 'base64':\n( +)return base64Slice\(this, start, end\)\n/,
    count: 1,
    replace: (m, sp, sp2) => `${sp}case 'base64url':\n${sp2}return base64Slice(this, start, end)` +
      `.replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '')\n\n${m}`,
  },
  {
    pattern: /^function utf8Slice \(buf, start, end\) \{\n  end = Math\.min\(buf\.length, end\)\n/m,
    count: 1,
    replace: (m) => `let utf8Decoder = null\n${m}  if (typeof TextDecoder === 'function') {\n` +
      `    if (!utf8Decoder) utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true })\n` +
      `    return utf8Decoder.decode(Uint8Array.prototype.subarray.call(buf, start, Math.max(start, end)))\n  }\n`,
  },
].map((p) => ({ file: /[\\/]buffer[\\/]index\.js$/, ...p }));
LIB_PATCHES.buffer = BUFFER_PATCHES;

function patchPlugin(name) {
  const patches = LIB_PATCHES[name] || [];
  return {
    name: 'patches',
    setup(b) {
      if (!patches.length) return;
      /* One hook for all patched files; a file's patches apply in order. */
      const filter = new RegExp(patches.map((p) => p.file.source).join('|'));
      b.onLoad({ filter }, async (args) => {
        let text = await readFile(args.path, 'utf8'), prelude = '';
        for (const p of patches.filter((q) => q.file.test(args.path))) {
          let n = 0;
          text = text.replace(p.pattern, (...m) => { n++; return p.replace(...m); });
          if (n !== p.count) throw new Error(`${name}: patch for ${args.path} matched ${n} times, expected ${p.count}`);
          prelude += p.prelude || '';
        }
        return { contents: prelude + text, loader: 'js' };
      });
    },
  };
}

function parseArgs(argv) {
  const opts = { out: null, only: null, minify: false, alias: {}, resolveDir: here };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--out') opts.out = path.resolve(next());
    else if (a === '--only') opts.only = next().split(',');
    else if (a === '--minify') opts.minify = true;
    else if (a === '--alias') {
      const [from, to] = next().split('=');
      opts.alias[from] = to;
    } else if (a === '--resolve-dir') opts.resolveDir = path.resolve(next());
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node build.mjs --out DIR [--only a,b] [--minify] [--alias pkg=other] [--resolve-dir DIR]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (!opts.out) throw new Error('--out DIR is required');
  return opts;
}

/* BigInt literals (mathjs 15) cannot be lowered; turn each into a BigInt()
 * call so the file parses, and code that never touches BigInt still runs. */
function rewriteBigIntLiterals(code) {
  if (!/\d[\d_]*n\b/.test(code)) return code;
  const found = [];
  (function walk(node) {
    if (!node || typeof node.type !== 'string') return;
    if (node.type === 'Literal' && node.bigint !== undefined) found.push(node);
    for (const key of Object.keys(node)) {
      const v = node[key];
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v.type === 'string') walk(v);
    }
  })(parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true }));
  found.sort((a, b) => b.start - a.start);
  for (const n of found) code = `${code.slice(0, n.start)}BigInt("${n.bigint}")${code.slice(n.end)}`;
  return code;
}

/* A .json file a package requires becomes `JSON.parse("<text>")`: one string
 * constant in the bytecode that Duktape's C parser turns into the value,
 * instead of a literal whose every element is a bytecode instruction (tr46's
 * 8,000-row IDNA mapping table: 4x smaller bytecode, loads in a fraction of
 * the time). */
const jsonAsParse = {
  name: 'json-as-parse',
  setup(b) {
    b.onLoad({ filter: /\.json$/ }, async (args) => {
      const text = JSON.stringify(JSON.parse(await readFile(args.path, 'utf8')));
      const literal = JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
      return { contents: `module.exports = JSON.parse(${literal});`, loader: 'js' };
    });
  },
};

async function packageVersion(name, resolveDir) {
  const pkgDir = path.join(resolveDir, 'node_modules', name);
  try {
    return JSON.parse(await readFile(path.join(pkgDir, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

async function buildOne(name, entry, opts) {
  const keep = BUNDLED_BUILTINS[name] || [];
  const external = builtinModules.filter((m) => !keep.includes(m)).flatMap((m) => [m, `node:${m}`]);
  const bundled = await build({
    stdin: { contents: entry, resolveDir: opts.resolveDir, sourcefile: `${name}-entry.js`, loader: 'js' },
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'browser',
    target: 'esnext',
    external,
    alias: opts.alias,
    absWorkingDir: opts.resolveDir,
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis', ...(LIB_DEFINES[name] || {}) },
    legalComments: 'none',
    minify: opts.minify,
    logLevel: 'error',
    plugins: [patchPlugin(name), jsonAsParse],
  });
  const modern = rewriteBigIntLiterals(bundled.outputFiles[0].text);

  const lowered = await transform(modern, {
    isModule: false,
    minify: opts.minify,
    jsc: {
      parser: { syntax: 'ecmascript' },
      externalHelpers: false,
      minify: opts.minify ? { compress: false, mangle: true } : undefined,
    },
    /* Duktape 2.7 has Symbol: typeof needs no helper. */
    env: { targets: { ie: '11' }, exclude: ['transform-typeof-symbol'] },
  });

  const body = lowered.code;
  try {
    parse(body, { ecmaVersion: 5, sourceType: 'script', allowReturnOutsideFunction: true });
  } catch (e) {
    const line = body.split('\n')[e.loc.line - 1] || '';
    await writeFile(path.join(opts.out, `${name}.rejected.js`), body);
    throw new Error(`${name}: output is not ES5 (${e.message}): ${line.trim().slice(0, 160)}`);
  }

  const version = await packageVersion(opts.alias[name] || name, opts.resolveDir);
  const text = `/* ${name} ${version} -- generated by worker/libs/build.mjs; do not edit */\n` +
    `(function (module, exports, require) {\n${body}\n})\n`;
  const file = path.join(opts.out, `${name}.js`);
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
  return { name, version, bytes: Buffer.byteLength(text) };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  await mkdir(opts.out, { recursive: true });
  const names = opts.only || Object.keys(LIBS);
  for (const name of names) {
    if (!LIBS[name]) throw new Error(`unknown library ${name}`);
    const t0 = Date.now();
    const r = await buildOne(name, LIBS[name], opts);
    process.stderr.write(`% ${r.name} ${r.version}: ${r.bytes} bytes (${Date.now() - t0} ms)\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`Error: ${e.message}\n`);
  process.exit(1);
});
