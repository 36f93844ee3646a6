import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);

// src/graph/types.ts
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

// src/rehearsal/touched.ts
function touchedTables(statements, knownTables) {
  const touched = /* @__PURE__ */ new Set();
  for (const statement of statements) {
    for (const lock of statement.locks) if (knownTables.has(lock.relation)) touched.add(lock.relation);
    for (const match of statement.sql.matchAll(/"([^"]+)"/g)) if (knownTables.has(match[1])) touched.add(match[1]);
  }
  return touched;
}
function namesColumn(statements, table, column) {
  return statements.some((statement) => statement.sql.includes(`"${table}"`) && statement.sql.includes(`"${column}"`));
}

// src/git/errors.ts
var GitCommandError = class extends Error {
  args;
  exitCode;
  stderr;
  constructor(args, exitCode, stderr) {
    super(`git ${args.join(" ")} failed (exit ${exitCode}): ${stderr.trim() || "no message"}`);
    this.name = "GitCommandError";
    this.args = args;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
};
var NotARepositoryError = class extends Error {
  directory;
  constructor(directory) {
    super(`${directory} is not a git repository (set --repo / the repository input to the checkout's folder)`);
    this.name = "NotARepositoryError";
    this.directory = directory;
  }
};
var UnknownRefError = class extends Error {
  ref;
  constructor(ref, hint = "") {
    super(`the ref '${ref}' does not exist in this repository${hint ? `: ${hint}` : ""}`);
    this.name = "UnknownRefError";
    this.ref = ref;
  }
};
var ShallowHistoryError = class extends Error {
  base;
  head;
  constructor(base, head) {
    super(
      `no merge base between ${base} and ${head}: the clone is too shallow. Check out with \`fetch-depth: 0\` (actions/checkout), or fetch both branches with history.`
    );
    this.name = "ShallowHistoryError";
    this.base = base;
    this.head = head;
  }
};

export {
  GitCommandError,
  NotARepositoryError,
  UnknownRefError,
  ShallowHistoryError,
  migrationKey,
  parseMigrationKey,
  MigrationParseError,
  touchedTables,
  namesColumn
};
