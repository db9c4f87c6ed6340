#!/usr/bin/env node
// npm run check:structure [-- --edges] [--root DIR]
//
// Fails (exit 1, one line per problem) when
//  - files of packages/*/src import each other in a cycle: static imports, `export … from`,
//    `import()` and type-only imports all count (a cycle through a type import or a lazy import
//    is still two modules that cannot be understood or moved apart). Each strongly connected
//    group of files is one problem, printed with its files and one shortest cycle through it;
//    --edges also lists the imports inside the group, the ones to cut.
//  - a relative import in packages/*/src resolves to no file (it would hide a cycle from this check);
//  - a file in packages/strata/src is over MAX_LINES lines.
//
// --root DIR checks another checkout of the repository (default: the one holding this script).
//
// The import graph comes from dependency-cruiser, parsing with swc: it maps the `.js` suffix of an
// ESM import to the `.ts` file as tsc does. It cannot use TypeScript's own parser here: the
// project's TypeScript 7 has no JavaScript API (nor could madge, for the same reason).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, posix, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cruise, getAvailableTranspilers } from "dependency-cruiser";

const MAX_LINES = 350;
const LINES_CHECKED = "packages/strata/src";
const rootAt = process.argv.indexOf("--root");
const root =
  rootAt > 0 ? resolve(process.argv[rootAt + 1] ?? ".") : join(dirname(fileURLToPath(import.meta.url)), "..");
const showEdges = process.argv.includes("--edges");

/** Every file under dir (relative to the repo root, with forward slashes). */
function filesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

function lineCount(file) {
  const text = readFileSync(join(root, file), "utf8");
  if (text === "") return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/** The import graph of the source folders: file -> [{to, kind}] (local files only). */
async function importGraph(sourceDirs) {
  const swc = getAvailableTranspilers().find((t) => t.name === "swc");
  if (!swc?.available) {
    throw new Error(
      "@swc/core is not installed (npm ci installs it); dependency-cruiser needs it for TypeScript",
    );
  }
  const result = await cruise(sourceDirs, {
    parser: "swc",
    baseDir: root,
    doNotFollow: { path: "node_modules" },
  });
  const inSources = (path) => sourceDirs.some((dir) => path.startsWith(`${dir}/`));
  const graph = new Map();
  const unresolved = [];
  for (const module of result.output.modules) {
    if (!inSources(module.source)) continue;
    const edges = [];
    const text = readFileSync(join(root, module.source), "utf8");
    for (const dep of module.dependencies) {
      if (dep.couldNotResolve) {
        if (dep.module.startsWith("."))
          unresolved.push(`${module.source}: cannot resolve import "${dep.module}"`);
        continue;
      }
      if (!inSources(dep.resolved)) continue;
      edges.push({ to: dep.resolved, kind: importKind(text, dep) });
    }
    for (const to of typePositionImports(module.source, text)) {
      if (!edges.some((e) => e.to === to)) edges.push({ to, kind: "type import()" });
    }
    graph.set(module.source, edges);
  }
  return { graph, unresolved };
}

/**
 * `typeof import("./x.js")` and `import("./x.js").T` in a type: swc's extraction misses these, so
 * they are found in the text (outside line comments) and resolved as tsc does (.js -> .ts).
 */
function typePositionImports(file, text) {
  const found = [];
  for (const line of text.split("\n")) {
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) continue;
    for (const match of line.matchAll(/\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)) {
      const target = posix.join(posix.dirname(file), match[1]);
      const candidates = [target, target.replace(/\.js$/, ".ts"), target.replace(/\.js$/, ".tsx")];
      const hit = candidates.find((c) => statSync(join(root, c), { throwIfNoEntry: false })?.isFile());
      if (hit) found.push(hit);
    }
  }
  return found;
}

/** How a file imports a module, for the --edges listing: dynamic, type (only) or static. */
function importKind(text, dep) {
  if (dep.dynamic) return "import()";
  const name = dep.module.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const typeOnly = new RegExp(`(import|export)\\s+type\\b[^;]*?from\\s*["']${name}["']`);
  const anyForm = new RegExp(`(import|export)\\b(?!\\s+type\\b)[^;]*?from\\s*["']${name}["']`);
  return typeOnly.test(text) && !anyForm.test(text) ? "type" : "static";
}

/** Tarjan's strongly connected components: the groups of files that reach each other. */
function cycles(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const { to } of graph.get(v) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(v, Math.min(low.get(v), low.get(to)));
      } else if (onStack.has(to)) {
        low.set(v, Math.min(low.get(v), index.get(to)));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      const selfLoop = (graph.get(v) ?? []).some((e) => e.to === v);
      if (group.length > 1 || selfLoop) groups.push(group.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return groups.sort((a, b) => b.length - a.length || a[0].localeCompare(b[0]));
}

/** A shortest cycle through start inside the group (breadth-first). */
function shortestCycle(graph, group, start) {
  const members = new Set(group);
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const { to } of graph.get(v) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [v];
        for (let p = previous.get(v); p !== null; p = previous.get(p)) path.unshift(p);
        return [...path, start];
      }
      if (!previous.has(to)) {
        previous.set(to, v);
        queue.push(to);
      }
    }
  }
  return [start];
}

const sourceDirs = readdirSync(join(root, "packages"))
  .map((name) => `packages/${name}/src`)
  .filter((dir) => statSync(join(root, dir), { throwIfNoEntry: false })?.isDirectory())
  .sort();

const problems = [];
let graph;
try {
  const found = await importGraph(sourceDirs);
  graph = found.graph;
  problems.push(...found.unresolved);
} catch (error) {
  console.error(`check-structure: could not build the import graph: ${error.message}`);
  process.exit(2);
}

for (const group of cycles(graph)) {
  const cycle = shortestCycle(graph, group, group[0]);
  const files = group.length === 1 ? "1 file" : `${group.length} files`;
  problems.push(`import cycle among ${files}: ${group.join(", ")} (e.g. ${cycle.join(" -> ")})`);
  if (showEdges) {
    const members = new Set(group);
    for (const from of group) {
      for (const { to, kind } of graph.get(from) ?? []) {
        if (members.has(to)) problems.push(`  ${from} -> ${to} (${kind})`);
      }
    }
  }
}

for (const file of filesUnder(LINES_CHECKED)) {
  const lines = lineCount(file);
  if (lines > MAX_LINES) problems.push(`${file}: ${lines} lines (at most ${MAX_LINES})`);
}

if (problems.length > 0) {
  console.log(problems.join("\n"));
  process.exit(1);
}
console.log(
  `check-structure: no import cycles among the ${graph.size} files of ${sourceDirs.join(", ")}; ` +
    `no file in ${LINES_CHECKED} over ${MAX_LINES} lines`,
);
