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
};

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

async function packageVersion(name, resolveDir) {
  const pkgDir = path.join(resolveDir, 'node_modules', name);
  try {
    return JSON.parse(await readFile(path.join(pkgDir, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

async function buildOne(name, entry, opts) {
  const external = builtinModules.flatMap((m) => [m, `node:${m}`]);
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
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    legalComments: 'none',
    minify: opts.minify,
    logLevel: 'error',
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
