// Bundles gitcron with esbuild into files that run with no install and no files beside them:
//
//   node scripts/bundle.mjs cli [OUTDIR]       the CLI: OUTDIR/gitcron (the command, a shell script
//                                              that starts OUTDIR/gitcron.cjs) plus a script for
//                                              each command, loaded on demand (default dist/bin)
//   node scripts/bundle.mjs action [OUTFILE]   the GitHub Action, one file (default action/dist/index.js)
//
// The CLI is CommonJS: Node 20 starts an ES module entry ~5 ms later, and keeps no compiled code
// between starts for modules, where the CLI's own code cache can keep it for a script (see
// src/cli/code-cache.ts). One script a command, each with all it needs and no shared chunks:
// a command loads one file, and `validate` never loads the agent.
//
// Run after `tsc` (npm run build does both): the precompiled job validator is made by the
// compiled dist/jobs/job-validator.js. Four modules are replaced in a bundle — the package
// version, the schema text, the job validator and the status page's stylesheet and script — by
// their values at build time, so start-up reads no package files and compiles no schema.

import { createHash } from "node:crypto";
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const [target, out] = process.argv.slice(2);

// Some dependencies are CommonJS and call require(); an ES module bundle has none of its own.
const REQUIRE_BANNER =
  "import { createRequire as __gitcronCreateRequire } from 'node:module'; const require = __gitcronCreateRequire(import.meta.url);";

async function replacements() {
  const pkg = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8"));
  const schemaText = await readFile(path.join(ROOT, "schema/job.schema.json"), "utf8");
  const assets = {};
  for (const name of ["page.css", "page.js"])
    assets[name] = await readFile(path.join(ROOT, "src/page/static", name), "utf8");
  const compiled = pathToFileURL(path.join(ROOT, "dist/jobs/job-validator.js")).href;
  const { precompiledJobValidator } = await import(compiled).catch(() => {
    throw new Error("dist/ is missing or stale: run `npx tsc -p tsconfig.json` first");
  });
  return new Map([
    [path.join(ROOT, "src/version.ts"), `export const version = ${JSON.stringify(pkg.version)};`],
    [
      path.join(ROOT, "src/jobs/schema-text.ts"),
      `export const readSchemaText = () => ${JSON.stringify(schemaText)};`,
    ],
    [path.join(ROOT, "src/jobs/job-validator.ts"), precompiledJobValidator()],
    [
      path.join(ROOT, "src/page/assets.ts"),
      `const assets = ${JSON.stringify(assets)}; export const readAsset = (name) => assets[name];`,
    ],
  ]);
}

async function inlinePlugin() {
  const modules = await replacements();
  return {
    name: "gitcron-inline",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const contents = modules.get(args.path);
        return contents === undefined
          ? undefined
          : { contents, loader: "js", resolveDir: path.dirname(args.path) };
      });
    },
  };
}

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  logLevel: "warning",
  absWorkingDir: ROOT,
  // Start-up compiles every module it loads: half the source is half that time (one-file
  // validate 0.13 s -> 0.09 s). Names are kept, so stack traces still read.
  minifyWhitespace: true,
  minifySyntax: true,
};

/** Each command that src/cli/commands.ts imports is built into a CommonJS script of its own,
 * OUTDIR/<command>.cjs with everything it needs, and the import is replaced by a load of that
 * script through the code cache (src/cli/code-cache.ts), which knows it by its digest. */
function commandScriptsPlugin(outdir, inline) {
  const commands = path.join(ROOT, "src/cli/commands.ts");
  const loader = path.join(ROOT, "src/cli/code-cache.ts");
  return {
    name: "gitcron-command-scripts",
    setup(build) {
      build.onResolve({ filter: /^\.\/[\w-]+\.js$/ }, (args) => {
        if (args.importer !== commands || args.kind !== "dynamic-import") return undefined;
        const source = path.join(path.dirname(commands), args.path.replace(/\.js$/, ".ts"));
        return { path: source, namespace: "command" };
      });
      build.onLoad({ filter: /./, namespace: "command" }, async (args) => {
        const script = `${path.basename(args.path, ".ts")}.cjs`;
        const built = await esbuild.build({
          ...common,
          format: "cjs",
          entryPoints: [args.path],
          outfile: path.join(outdir, script),
          write: false,
          metafile: true,
          plugins: [inline],
        });
        // node:vm runs a script's import() only with an experimental option that warns.
        const imports = Object.values(built.metafile.outputs).flatMap((o) => o.imports);
        const dynamic = imports.find((i) => i.kind === "dynamic-import");
        if (dynamic) throw new Error(`${script} would import() ${dynamic.path}: not in a script`);
        const [output] = built.outputFiles;
        await writeFile(output.path, output.contents);
        const digest = createHash("sha256").update(output.contents).digest("hex").slice(0, 16);
        const file = `require("node:path").join(__dirname, ${JSON.stringify(script)})`;
        return {
          contents: `module.exports = require(${JSON.stringify(loader)}).loadCommandScript(${file}, "${digest}");`,
          loader: "js",
          resolveDir: ROOT,
        };
      });
    },
  };
}

if (target === "cli") {
  const outdir = path.resolve(ROOT, out ?? "dist/bin");
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const inline = await inlinePlugin();
  await esbuild.build({
    ...common,
    format: "cjs",
    entryPoints: ["src/cli/main.ts"],
    outfile: path.join(outdir, "gitcron.cjs"),
    plugins: [inline, commandScriptsPlugin(outdir, inline)],
  });
  await chmod(path.join(outdir, "gitcron.cjs"), 0o755);
  // The command users run: a shell script that starts gitcron.cjs (see src/cli/launcher.sh).
  await copyFile(path.join(ROOT, "src/cli/launcher.sh"), path.join(outdir, "gitcron"));
  await chmod(path.join(outdir, "gitcron"), 0o755);
} else if (target === "action") {
  await esbuild.build({
    ...common,
    format: "esm",
    banner: { js: REQUIRE_BANNER },
    entryPoints: ["src/action/main.ts"],
    outfile: path.resolve(ROOT, out ?? "action/dist/index.js"),
    plugins: [await inlinePlugin()],
  });
} else {
  console.error("usage: node scripts/bundle.mjs cli [OUTDIR] | action [OUTFILE]");
  process.exit(2);
}
