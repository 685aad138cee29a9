#!/usr/bin/env node
// tsc compiles TypeScript only; files the program reads at run time (trained NLP weights, the web
// chat widget's script) are copied beside the compiled code so `dist/` runs on its own.
import { cpSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
for (const folder of ["src/nlp/models", "src/connectors/webchat/widget"]) {
  const from = path.join(root, folder);
  if (existsSync(from)) cpSync(from, path.join(root, folder.replace(/^src/, "dist")), { recursive: true });
}
