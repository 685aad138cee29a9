#!/usr/bin/env node
// `npm start`: builds the server and the web app when the build is missing or older than the
// sources, then runs `konversa <args>` from the build. Plain JavaScript so it runs before any build.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outputs = ["dist/cli/index.js", "dist/web/index.html"].map((p) => path.join(root, p));
const sources = ["src", "web", "drizzle", "package.json", "tsconfig.json", "tsconfig.build.json"].map((p) =>
  path.join(root, p),
);

function newest(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(target)) {
    if (entry === "node_modules" || entry.startsWith(".")) continue;
    latest = Math.max(latest, newest(path.join(target, entry)));
  }
  return latest;
}

const built = Math.min(...outputs.map((o) => (existsSync(o) ? statSync(o).mtimeMs : 0)));
if (built === 0 || Math.max(...sources.map(newest)) > built) {
  process.stderr.write("Building Konversa (server and web app) …\n");
  const result = spawnSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    process.stderr.write("konversa: the build failed; see the messages above.\n");
    process.exit(result.status ?? 1);
  }
}

const child = spawn(process.execPath, [path.join(root, "dist/cli/index.js"), ...process.argv.slice(2)], {
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
