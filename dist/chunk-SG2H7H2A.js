import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);

// src/model/migration.ts
function migrationKey(ref) {
  return `${ref.app}.${ref.name}`;
}
function parseMigrationKey(key) {
  const dot = key.indexOf(".");
  return { app: key.slice(0, dot), name: key.slice(dot + 1) };
}
var MigrationParseError = class extends Error {
  path;
  line;
  column;
  constructor(path, line, column, detail) {
    super(`${path}:${line}:${column}: ${detail}`);
    this.name = "MigrationParseError";
    this.path = path;
    this.line = line;
    this.column = column;
  }
};

export {
  migrationKey,
  parseMigrationKey,
  MigrationParseError
};
