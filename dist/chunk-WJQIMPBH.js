import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  BLOCKING_MODES,
  DjangoBridgeError,
  DjangoProcess,
  TOOL_VERSION,
  lockName
} from "./chunk-5NUHCK6G.js";
import {
  newRunId,
  removeLeftoverSync
} from "./chunk-RGEDZ3GP.js";
import {
  require_dist,
  require_src
} from "./chunk-OZPBTWHR.js";
import {
  memoryDir
} from "./chunk-ZWSXPRV4.js";
import {
  __commonJS,
  __toESM
} from "./chunk-JMBS7UGV.js";

// node_modules/@kwsites/promise-deferred/dist/index.js
var require_dist2 = __commonJS({
  "node_modules/@kwsites/promise-deferred/dist/index.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.createDeferred = exports.deferred = void 0;
    function deferred() {
      let done;
      let fail;
      let status = "pending";
      const promise = new Promise((_done, _fail) => {
        done = _done;
        fail = _fail;
      });
      return {
        promise,
        done(result) {
          if (status === "pending") {
            status = "resolved";
            done(result);
          }
        },
        fail(error) {
          if (status === "pending") {
            status = "rejected";
            fail(error);
          }
        },
        get fulfilled() {
          return status !== "pending";
        },
        get status() {
          return status;
        }
      };
    }
    exports.deferred = deferred;
    exports.createDeferred = deferred;
    exports.default = deferred;
  }
});

// src/config/options.ts
import { resolve } from "node:path";
var DEFAULTS = {
  repo: ".",
  base: "origin/main",
  head: "HEAD",
  projectRoot: "",
  failOn: "unsafe",
  rehearsal: true,
  postgres: "auto",
  postgresImage: "postgres:17-alpine",
  python: "python3",
  seedRows: 30,
  syntheticSeed: true,
  templateMigrate: false,
  sampleRows: 5e3,
  maxLockHoldMs: 1e3,
  contention: true,
  lockTimeoutMs: 2e3,
  statementTimeoutMs: 6e4,
  timeoutMs: 15 * 6e4
};
var UsageError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "UsageError";
  }
};
var FAIL_ON_VALUES = ["error", "unsafe", "warning", "never"];
var POSTGRES_VALUES = ["auto", "container", "local", "url"];
function oneOf(name2, value, allowed) {
  if (allowed.includes(value)) return value;
  throw new UsageError(`${name2} must be one of ${allowed.join(", ")}; got '${value}'`);
}
function positiveInteger(name2, value) {
  const number2 = Number(value);
  if (!Number.isInteger(number2) || number2 < 0) throw new UsageError(`${name2} must be a whole number; got '${value}'`);
  return number2;
}
function booleanValue(name2, value) {
  if (/^(true|yes|1|on)$/i.test(value)) return true;
  if (/^(false|no|0|off)$/i.test(value)) return false;
  throw new UsageError(`${name2} must be true or false; got '${value}'`);
}
function swappableSettings(name2, values) {
  const settings = {};
  for (const value of values) {
    const match = /^([A-Z_][A-Z0-9_]*)=([\w]+\.[\w]+)$/.exec(value.trim());
    if (match === null) throw new UsageError(`${name2} takes SETTING=app.Model (e.g. AUTH_USER_MODEL=accounts.User); got '${value}'`);
    settings[match[1]] = match[2];
  }
  return settings;
}
function validate(options) {
  if (options.postgres === "url" && !options.databaseUrl) {
    throw new UsageError("postgres: url needs database-url (postgres://user:password@host:port/database)");
  }
  if (options.databaseUrl && !/^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    throw new UsageError("database-url must start with postgres:// or postgresql://");
  }
  if (options.templateDatabase !== void 0) {
    if (!options.databaseUrl || options.postgres !== "url") {
      throw new UsageError(
        `template-database needs database-url, the server that holds '${options.templateDatabase}' (postgres: ${options.postgres} makes a server of its own, which has no such database)`
      );
    }
    if (Buffer.byteLength(options.templateDatabase) > 63 || options.templateDatabase.includes("\0")) {
      throw new UsageError(`template-database must be a database name of at most 63 bytes; got '${options.templateDatabase}'`);
    }
  } else if (options.templateMigrate) {
    throw new UsageError("template-migrate needs template-database");
  }
  if (options.sampleRows < 1) throw new UsageError("sample-rows must be at least 1");
  options.python = interpreterPath(options.python);
  if (options.basePython !== void 0) options.basePython = interpreterPath(options.basePython);
  return options;
}
function interpreterPath(python) {
  return python.includes("/") || python.includes("\\") ? resolve(python) : python;
}
function syntheticSeedDefault(templateDatabase) {
  return templateDatabase === void 0 ? DEFAULTS.syntheticSeed : false;
}

// src/lifecycle/resources.ts
var ResourceStack = class {
  /** The run's id: in database names, folder names and container labels. */
  runId;
  /** Where the journals of this machine's runs are, when this run keeps one. */
  journalDirectory;
  releases = [];
  disposing = null;
  logger;
  journal;
  tracked = /* @__PURE__ */ new Set();
  constructor(logger, journal) {
    this.logger = logger;
    this.journal = journal;
    this.runId = journal?.runId ?? newRunId();
    this.journalDirectory = journal?.directory;
  }
  /**
   * Registers how to undo something that now exists; `leftover` says how a later
   * process could remove it if this one were killed first.
   */
  defer(description, release, leftover) {
    if (this.disposing) throw new Error(`cannot register ${description}: the run is already cleaning up`);
    const id2 = leftover && this.journal ? this.journal.add(description, leftover) : null;
    const journal = this.journal;
    this.releases.push({
      description,
      leftover,
      release: id2 === null ? release : async () => {
        await release();
        journal.remove(id2);
      }
    });
  }
  /**
   * Records a leftover whose release is part of another (a process closed with
   * others): returns the function to call once it is gone.
   */
  track(description, leftover) {
    const entry = { description, leftover };
    this.tracked.add(entry);
    const id2 = this.journal?.add(description, leftover) ?? null;
    return () => {
      this.tracked.delete(entry);
      if (id2 !== null) this.journal.remove(id2);
    };
  }
  /** Releases everything, newest first; a failing release does not stop the others. */
  dispose() {
    this.disposing ??= this.releaseAll().finally(() => this.journal?.close());
    return this.disposing;
  }
  /**
   * No time left (a second Ctrl-C): stops servers and processes and removes
   * folders at once, without the event loop; containers stay for the next run
   * or the post step, which the journal tells.
   */
  abandon() {
    for (const { description, leftover } of [...this.tracked, ...this.releases].reverse()) {
      if (!leftover) continue;
      try {
        if (removeLeftoverSync(leftover)) this.logger?.debug(`removed ${description}`);
      } catch (error) {
        this.logger?.warning(`could not remove ${description}: ${error.message}`);
      }
    }
  }
  [Symbol.asyncDispose]() {
    return this.dispose();
  }
  get size() {
    return this.releases.length;
  }
  async releaseAll() {
    while (this.releases.length > 0) {
      const { description, release } = this.releases.pop();
      try {
        await release();
        this.logger?.debug(`released ${description}`);
      } catch (error) {
        this.logger?.warning(`could not release ${description}: ${error.message}`);
      }
    }
  }
};
function releaseOnSignals(stack, logger) {
  const handlers = /* @__PURE__ */ new Map();
  let stopping = false;
  for (const [signal, status] of [
    ["SIGINT", 130],
    ["SIGTERM", 143]
  ]) {
    const handler = () => {
      if (stopping) {
        logger?.warning(`${signal} again: stopping the servers and removing the folders now`);
        stack.abandon();
        process.exit(status);
      }
      stopping = true;
      logger?.warning(`${signal} received: removing what this run created (again to stop at once)`);
      void stack.dispose().finally(() => process.exit(status));
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}

// src/report/json.ts
function renderJson(report) {
  return `${JSON.stringify(report, null, 2)}
`;
}

// src/model/durations.ts
function formatDuration(ms2) {
  if (ms2 < 1e3) return `${Math.round(ms2)} ms`;
  if (ms2 < 6e4) return `${(ms2 / 1e3).toFixed(1)} s`;
  const minutes = Math.floor(ms2 / 6e4);
  return minutes < 60 ? `${minutes} min ${Math.round((ms2 - minutes * 6e4) / 1e3)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

// src/report/deploy-plan.ts
function stepText(step) {
  return step.segments.map((segment) => "text" in segment ? segment.text : "code" in segment ? `\`${segment.code}\`` : segment.prose).join("");
}
var NAMED = 8;
var key = (migration) => `${migration.app}.${migration.name}`;
function firstClause(message) {
  const clause = message.replace(/`/g, "").split(/: |; /)[0];
  return clause.length > 120 ? `${clause.slice(0, 119)}…` : clause;
}
function worst(migration, order) {
  const rank = { error: 0, unsafe: 1, warning: 2, info: 3 };
  return migration.findings.filter((finding) => finding.ignored === void 0 && (order === void 0 || finding.deployOrder === order)).sort((a, b3) => rank[a.severity] - rank[b3.severity])[0];
}
function locksOnly(migration) {
  return migration.findings.find(
    (finding) => finding.ignored === void 0 && (finding.severity === "unsafe" || finding.severity === "error") && (finding.breaks ?? []).includes("locks") && !(finding.breaks ?? []).some((part) => part === "old-code" || part === "new-code" || part === "data")
  );
}
function deployPlan(report) {
  const steps = [];
  const conflicts = report.conflicts.filter((conflict) => !conflict.preexisting);
  for (const conflict of conflicts) {
    steps.push({
      segments: conflict.fix.patch !== null ? [{ text: "Before merging, renumber this PR's migrations of " }, { code: conflict.app }, { text: " after the base branch's (the fix below), or run " }, { code: conflict.fix.mergeCommand }, { text: "." }] : [{ text: "Before merging, run " }, { code: conflict.fix.mergeCommand }, { text: " on the merged code." }],
      migrations: conflict.leaves.filter((leaf) => leaf.side === "pr").map((leaf) => `${conflict.app}.${leaf.name}`)
    });
  }
  const missing = report.missingMigrations;
  if (missing.value === true && missing.changes?.some((change) => change.databaseOperations.length > 0)) {
    steps.push({ segments: [{ text: "Add the missing migrations: " }, { code: missing.command ?? "python manage.py makemigrations" }, { text: ", and commit them." }], migrations: [] });
  }
  const migrations = report.migrations.filter((migration) => migration.rehearsal.status !== "recorded-applied" && migration.rehearsal.status !== "replaced");
  if (migrations.length === 0) {
    if (steps.length === 0) steps.push({ segments: [{ text: "Nothing to migrate: deploy as usual." }], migrations: [] });
    return steps;
  }
  const byOrder = (order) => migrations.filter((migration) => migration.deployOrder === order);
  const multi = byOrder("multi-step");
  const codeFirst = byOrder("deploy-first");
  const migrateFirst = migrations.filter((migration) => migration.deployOrder !== "multi-step" && migration.deployOrder !== "deploy-first");
  for (const migration of multi.slice(0, NAMED)) {
    const finding = worst(migration, "multi-step") ?? worst(migration);
    steps.push({
      segments: [
        { code: key(migration) },
        { text: ` cannot ship in one release (${finding ? firstClause(finding.message) : "old and new code both break"}): ` },
        finding?.safeAlternative ? { prose: finding.safeAlternative } : { text: "split it into an expand and a contract step across two releases." }
      ],
      migrations: [key(migration)]
    });
  }
  for (const migration of migrations.filter((entry) => !multi.includes(entry)).slice(0, NAMED)) {
    const blocking = locksOnly(migration);
    if (!blocking) continue;
    steps.push({
      segments: [
        { text: "Before it ships, change " },
        { code: key(migration) },
        { text: `: it makes the running code wait in any order (${firstClause(blocking.message)}): ` },
        blocking.safeAlternative ? { prose: blocking.safeAlternative } : { text: "split it so that each blocking lock is held briefly." }
      ],
      migrations: [key(migration)]
    });
  }
  if (multi.length > NAMED) steps.push({ segments: [{ text: `${multi.length - NAMED} more migrations cannot ship in one release either (the job summary lists them).` }], migrations: multi.slice(NAMED).map(key) });
  const others = multi.length > 0;
  if (codeFirst.length > 0) {
    const what = codeFirst.slice(0, NAMED).flatMap((migration, i) => {
      const finding = worst(migration, "deploy-first") ?? worst(migration);
      return [...i > 0 ? [{ text: "; " }] : [], { code: key(migration) }, { text: finding ? ` ${firstClause(finding.message)}` : "" }];
    });
    if (codeFirst.length > NAMED) what.push({ text: `; and ${codeFirst.length - NAMED} more` });
    steps.push({
      segments: [{ text: `${others ? "For the others: deploy" : "Deploy"} the new code first, so that no running code still uses what the migrations remove: ` }, ...what, { text: "." }],
      migrations: codeFirst.map(key)
    });
    steps.push({ segments: [{ text: "Then run the migrations (" }, { code: "python manage.py migrate" }, { text: ")." }], migrations: codeFirst.map(key) });
    if (migrateFirst.length > 0) {
      const names = migrateFirst.slice(0, NAMED).flatMap((migration, i) => [...i > 0 ? [{ text: ", " }] : [], { code: key(migration) }]);
      if (migrateFirst.length > NAMED) names.push({ text: ` and ${migrateFirst.length - NAMED} more` });
      const one = migrateFirst.length === 1;
      steps.push({
        segments: [
          { text: "But " },
          ...names,
          { text: ` ${one ? "has" : "have"} to run before the new code is deployed: ship ${one ? "it" : "them"} in an earlier release (migrate, then deploy), or split this PR.` }
        ],
        migrations: migrateFirst.map(key)
      });
    }
  } else if (migrateFirst.length > 0) {
    steps.push({ segments: [{ text: others ? "For the others: run the migrations (" : "Run the migrations (" }, { code: "python manage.py migrate" }, { text: ")." }], migrations: migrateFirst.map(key) });
    steps.push({
      segments: [{ text: others ? "Then deploy the new code." : "Then deploy the new code: the code still running keeps working on the new schema." }],
      migrations: migrateFirst.map(key)
    });
  }
  return steps;
}

// src/report/markdown-escape.ts
var ZWSP = "​";
var ENTITIES = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "@": `@${ZWSP}`,
  "#": `#${ZWSP}`,
  "|": "&#124;",
  "\\": "&#92;",
  "`": "&#96;",
  "*": "&#42;",
  _: "&#95;",
  "[": "&#91;",
  "]": "&#93;",
  "~": "&#126;",
  "!": "&#33;"
};
function text(value, maxLength2 = 500) {
  return escapeText(value.replace(/\r?\n/g, " ").replace(/\s+/g, " ").trim(), maxLength2);
}
function escapeText(value, maxLength2) {
  const cut = value.length > maxLength2 ? `${value.slice(0, maxLength2 - 1)}…` : value;
  return cut.replace(/[&<>"@#|\\`*_[\]~!]/g, (char) => ENTITIES[char]);
}
function code(value, options = {}) {
  const maxLength2 = options.maxLength ?? 200;
  const oneLine2 = value.replace(/\r?\n/g, " ").trim();
  const cut = oneLine2.length > maxLength2 ? `${oneLine2.slice(0, maxLength2 - 1)}…` : oneLine2;
  const safe = options.inTable ? cut.replace(/\|/g, "\\|") : cut;
  const longest = Math.max(0, ...(safe.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = safe.startsWith("`") || safe.endsWith("`") ? " " : "";
  return `${fence}${pad}${safe}${pad}${fence}`;
}
var MAX_CODE_LINE = 2e3;
function codeBlock(value, language = "", maxLines = 200) {
  const lines = value.replace(/\r\n/g, "\n").split("\n").map((line) => line.length > MAX_CODE_LINE ? `${line.slice(0, MAX_CODE_LINE - 1)}…` : line);
  const kept = lines.length > maxLines ? [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more lines`] : lines;
  const body = kept.join("\n");
  const longest = Math.max(2, ...(body.match(/`{3,}|~{3,}/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${language}
${body}
${fence}`;
}
function rich(value, maxLength2 = 1200) {
  const oneLine2 = value.replace(/\r?\n/g, " ").replace(/\s+/g, " ").trim();
  const cut = oneLine2.length > maxLength2 ? `${oneLine2.slice(0, maxLength2 - 1)}…` : oneLine2;
  const pieces = cut.split("`");
  return pieces.map((piece, index) => index % 2 === 1 && index < pieces.length - (pieces.length % 2 === 0 ? 1 : 0) ? code(piece, { maxLength: maxLength2 }) : escapeText(piece, maxLength2)).join("");
}

// src/report/markdown.ts
var ICON = { safe: "🟢", warning: "🟡", unsafe: "🔴", error: "⛔" };
var SEVERITY_ICON = { info: "ℹ️", warning: "🟡", unsafe: "🔴", error: "⛔" };
var RULES_URL = "https://github.com/django-migration-review/django-migration-review/blob/main/docs/rules";
var COMMENT_BUDGET = 64e3;
var SAFE_URL = /^https?:\/\/[^\s)<>"'`]+$/;
function renderComment(report, options = {}) {
  for (const tier of [0, 1, 2]) {
    const body = renderMarkdown(report, { ...options, tier });
    if (body.length <= COMMENT_BUDGET) return { body, tier };
  }
  return { body: renderMarkdown(report, { ...options, tier: 3 }), tier: 3 };
}
function renderMarkdown(report, options = {}) {
  const tier = options.tier ?? 0;
  const links = linker(options);
  const parts = [heading(report), facts(report), planSection(report)];
  const blockers = blockingSection(report, links, tier);
  if (blockers) parts.push(blockers);
  if (report.migrations.length > 0) parts.push(migrationTable(report.migrations, tier));
  if (tier <= 1) {
    const warnings = warningSection(report, links, tier);
    if (warnings) parts.push(warnings);
  }
  if (tier >= 2 && report.migrations.some((migration) => activeFindings(migration).some((f3) => f3.severity !== "info"))) {
    parts.push(`_Details were left out to fit GitHub's comment limit; the full report is in the ${runLink(options.runUrl, "job summary")}._`);
  }
  parts.push(footer(report, options.runUrl));
  return `${parts.join("\n\n")}
`;
}
function renderJobSummary(report, options = {}) {
  const links = linker(options);
  const parts = [heading(report), facts(report), planSection(report)];
  const blockers = blockingSection(report, links, 0);
  if (blockers) parts.push(blockers);
  if (report.migrations.length > 0) parts.push(migrationTable(report.migrations, 0));
  for (const migration of report.migrations) parts.push(migrationDetails(migration, links));
  if (report.rehearsal.notes?.length) parts.push(`**Notes from the rehearsal**

${report.rehearsal.notes.map((note) => `- ${text(note, 400)}`).join("\n")}`);
  if (report.rehearsal.timings) {
    parts.push(`**Timings (ms)**: ${Object.entries(report.rehearsal.timings).map(([phase, ms2]) => `${text(phase)} ${ms2}`).join(" · ")}`);
  }
  parts.push(footer(report, void 0));
  return `${parts.join("\n\n")}
`;
}
function linker(options) {
  const blob = options.blobUrl && SAFE_URL.test(options.blobUrl) ? options.blobUrl.replace(/\/$/, "") : null;
  const rules = options.rulesUrl && SAFE_URL.test(options.rulesUrl) ? options.rulesUrl.replace(/\/$/, "") : RULES_URL;
  return {
    file: (path, line) => {
      const label = code(line === null ? path : `${path}:${line}`, { maxLength: 160 });
      if (blob === null || !/^[\w./@+-]+$/.test(path)) return label;
      return `[${label}](${blob}/${path.split("/").map(encodeURIComponent).join("/")}${line === null ? "" : `#L${line}`})`;
    },
    rule: (rule) => /^[a-z][a-z0-9-]*$/.test(rule) ? `[${code(rule)}](${rules}/${rule}.md)` : code(rule)
  };
}
function heading(report) {
  const words = {
    safe: "safe to deploy",
    warning: "safe with warnings",
    unsafe: "unsafe as it stands",
    error: "review failed"
  };
  return `### ${ICON[report.verdict]} Migration review: ${words[report.verdict]}`;
}
function facts(report) {
  const items = [];
  items.push(`**${report.migrations.length}** new migration${report.migrations.length === 1 ? "" : "s"}`);
  if (report.deployOrder) items.push(`deploy order: **${report.deployOrder}**`);
  const rehearsal = report.rehearsal;
  if (rehearsal.status === "ran") {
    const counted = rehearsal.migrationsPlanned !== void 0 ? ` (${rehearsal.migrationsRehearsed ?? 0} of ${rehearsal.migrationsPlanned} rehearsed)` : "";
    items.push(
      `rehearsed on PostgreSQL ${text(rehearsal.postgresVersion?.split(" ")[0] ?? "?")} with Django ${text(rehearsal.djangoVersion ?? "?")}${templateFacts(report)}${rehearsal.seededRows ? `, ${rehearsal.seededRows} seeded rows` : ""}${rehearsal.sizes ? `, times scaled to production's sizes (${rehearsal.sizes.tables} tables in table-stats)` : ""}${counted}`
    );
  } else {
    items.push(`rehearsal ${rehearsal.status}${rehearsal.reason ? `: ${text(rehearsal.reason, 200)}` : ""}`);
  }
  return items.join(" · ");
}
function templateFacts(report) {
  const template = report.rehearsal.template;
  if (!template) return "";
  const known2 = new Map(template.tables.map((table) => [table.table, table]));
  const touched2 = [...new Set(report.migrations.flatMap((migration) => migration.locks.map((lock) => lock.relation)))].filter((name2) => known2.has(name2)).sort();
  const rows = touched2.slice(0, 8).map((name2) => {
    const table = known2.get(name2);
    return `${code(name2)} ${table.estimated ? "≈" : ""}${table.rows.toLocaleString("en-US")}`;
  });
  return `, on a copy of the template database ${code(template.database)}${rows.length > 0 ? ` (rows: ${rows.join(", ")}${touched2.length > 8 ? ", …" : ""})` : ""}`;
}
function planSection(report) {
  const steps = deployPlan(report);
  const words = (value) => `${/^\s/.test(value) ? " " : ""}${text(value, 600)}${/\S\s$/.test(value) ? " " : ""}`;
  const render = (segment) => "text" in segment ? words(segment.text) : "code" in segment ? code(segment.code, { maxLength: 160 }) : rich(segment.prose, 800);
  return `**Deploy plan**

${steps.map((step, i) => `${i + 1}. ${step.segments.map(render).join("")}`).join("\n")}`;
}
function blockingSection(report, links, tier) {
  const items = [];
  const problems = report.graphProblems.filter((problem) => problem.severity !== "warning");
  for (const problem of problems.slice(0, tier >= 3 ? 5 : 50)) items.push(`- ⛔ ${links.file(problem.path, problem.line)} ${text(problem.message)}`);
  if (problems.length > 50) items.push(`- … ${problems.length - 50} more`);
  const blockingEdit = (entry) => (entry.severity ?? (entry.change === "modified" ? "warning" : "unsafe")) === "unsafe";
  for (const edit of report.editedMigrations.filter(blockingEdit).slice(0, tier >= 3 ? 5 : 100)) {
    items.push(`- 🔴 ${links.file(edit.path, null)}: ${text(edit.message)}`);
  }
  const missing = report.missingMigrations;
  if (missing.value === true && missing.changes?.some((change) => change.databaseOperations.length > 0)) {
    items.push(
      `- 🔴 **Model changes without a migration**: ${missing.changes.filter((change) => change.databaseOperations.length > 0).map((change) => `${code(change.app)}: ${change.databaseOperations.slice(0, 10).map((op) => text(op, 120)).join("; ")}`).join(" · ")}  
  **Instead:** run ${code(missing.command ?? "python manage.py makemigrations")} and commit the migrations.`
    );
  }
  const conflicts = report.conflicts.filter((conflict) => !conflict.preexisting);
  const findings = [];
  for (const migration of report.migrations) {
    for (const finding of activeFindings(migration)) {
      if (finding.severity !== "unsafe" && finding.severity !== "error") continue;
      if (finding.rule === "conflicting-leaves" && conflicts.length > 0) continue;
      findings.push(findingItem(migration, finding, links, tier));
    }
  }
  const limit = tier >= 3 ? 10 : tier >= 2 ? 40 : Infinity;
  items.push(...findings.slice(0, limit));
  if (findings.length > limit) items.push(`- … ${findings.length - limit} more in the job summary`);
  const sections = conflicts.map((conflict) => conflictSection(conflict, tier, links));
  if (items.length === 0 && sections.length === 0) return null;
  return [items.length > 0 ? `**What blocks it**

${items.join("\n")}` : null, ...sections].filter(Boolean).join("\n\n");
}
function findingItem(migration, finding, links, tier) {
  const seen = finding.outcome === "seen" ? " · seen in the rehearsal" : finding.outcome === "not-seen" ? " · not seen in the rehearsal" : "";
  const blocks = [
    [
      `- ${SEVERITY_ICON[finding.severity]} **${text(`${migration.app}.${migration.name}`, 120)}** · ${links.file(migration.path, finding.line)} · ${links.rule(finding.rule)}${seen}`,
      `  ${rich(finding.message, 1200)}`
    ]
  ];
  const proof = (finding.proof ?? []).slice(0, tier >= 2 ? 1 : 3);
  if (proof.length > 0) blocks.push(proof.map((line) => `  > ${rich(line, 400)}`));
  const actions = [];
  if (finding.productionCheck) {
    actions.push(`  **Check production** (read-only; ${text(finding.productionCheck.meaning, 300)}): ${code(finding.productionCheck.sql, { maxLength: 400 })}`);
  }
  if (finding.safeAlternative) actions.push(`  **Instead:** ${rich(finding.safeAlternative, 800)}`);
  if (actions.length > 0) blocks.push(actions);
  return blocks.map((lines) => lines.join("  \n")).join("\n\n");
}
function warningSection(report, links, tier) {
  const items = [];
  for (const migration of report.migrations) {
    for (const finding of activeFindings(migration)) if (finding.severity === "warning") items.push(findingItem(migration, finding, links, tier));
  }
  for (const problem of report.graphProblems.filter((entry) => entry.severity === "warning")) items.push(`- 🟡 ${links.file(problem.path, problem.line)} ${text(problem.message)}`);
  for (const edit of report.editedMigrations.filter((entry) => (entry.severity ?? (entry.change === "modified" ? "warning" : "unsafe")) === "warning")) {
    items.push(`- 🟡 ${links.file(edit.path, null)}: ${text(edit.message)}`);
  }
  const missing = report.missingMigrations;
  if (missing.value === true && missing.changes?.every((change) => change.databaseOperations.length === 0)) {
    items.push(`- ℹ️ Model state changes without a migration (no database change): ${missing.changes.map((change) => `${code(change.app)}: ${change.operations.slice(0, 5).map((op) => text(op, 100)).join("; ")}`).join(" · ")}`);
  }
  const ignored = report.migrations.flatMap(
    (migration) => migration.findings.filter((finding) => finding.ignored).map((finding) => `- ${code(`${migration.app}.${migration.name}`)} ${code(finding.rule)} ignored (${finding.ignored.source}: ${text(finding.ignored.reason, 200)})`)
  );
  items.push(...ignored);
  if (items.length === 0) return null;
  return `<details><summary>${items.length} warning${items.length === 1 ? "" : "s"} and note${items.length === 1 ? "" : "s"}</summary>

${items.join("\n")}

</details>`;
}
function yesNo(value, good) {
  if (value === null) return "—";
  const word = value ? "yes" : "no";
  return value === good ? `✅ ${word}` : `❌ ${word}`;
}
var LOCK_NAMES = {
  AccessExclusiveLock: "ACCESS EXCLUSIVE",
  ExclusiveLock: "EXCLUSIVE",
  ShareRowExclusiveLock: "SHARE ROW EXCLUSIVE",
  ShareLock: "SHARE",
  ShareUpdateExclusiveLock: "SHARE UPDATE EXCLUSIVE"
};
var LOCK_ORDER = Object.keys(LOCK_NAMES);
var ESTIMATE_WORDS = { rewrite: "the rewrite", scan: "the full scan", "index-build": "the index build" };
var NOTABLE_LOCK_MS = 100;
function locksCell(migration) {
  if (migration.statements.length === 0) return "—";
  if (migration.lockHolds !== void 0) {
    const hold = migration.lockHolds.find((entry) => entry.mode in LOCK_NAMES);
    if (hold === void 0) return "none blocking";
    if (hold.estimatedMs !== void 0) {
      return `${LOCK_NAMES[hold.mode]} ${code(hold.relation, { inTable: true, maxLength: 40 })} ~${formatMs(hold.estimatedMs)} in production${migration.rewrites.length > 0 ? ", rewrite" : ""}`;
    }
    if (migration.rewrites.length === 0 && hold.heldMs < NOTABLE_LOCK_MS) return "brief";
    return `${LOCK_NAMES[hold.mode]} ${code(hold.relation, { inTable: true, maxLength: 40 })} ${formatMs(hold.heldMs)}${migration.rewrites.length > 0 ? ", rewrite" : ""}`;
  }
  const blocking = migration.statements.flatMap((statement) => statement.locks.filter((lock) => lock.mode in LOCK_NAMES).map((lock) => ({ lock, statement })));
  if (blocking.length === 0) return "none blocking";
  const strongest = LOCK_ORDER.find((mode) => blocking.some((entry) => entry.lock.mode === mode));
  const held = blocking.filter((entry) => entry.lock.mode === strongest);
  const longest = Math.max(...held.map((entry) => entry.statement.ms));
  if (migration.rewrites.length === 0 && longest < NOTABLE_LOCK_MS) return "brief";
  const relations = [...new Set(held.map((entry) => entry.lock.relation))];
  const shown = relations.find((relation) => relations.every((other) => other === relation || other.startsWith(relation))) ?? relations[0];
  return `${LOCK_NAMES[strongest]} ${code(shown, { inTable: true, maxLength: 40 })}${migration.rewrites.length > 0 ? ", rewrite" : ` ${formatMs(longest)}`}`;
}
function headline(migration) {
  if (migration.rehearsal.status === "not-rehearsed") return `not rehearsed: ${migration.rehearsal.reason ?? "the rehearsal did not reach it"}`;
  const findings = activeFindings(migration);
  const decisive = findings.find((finding) => finding.severity === migration.verdict);
  if (migration.appliesOnSeededData.value === false) {
    if (migration.rehearsal.status !== "rehearsed") return "does not apply on the seeded data";
    if (decisive === void 0 || decisive.rule === "apply-failed" || decisive.severity === "warning") return "fails on the seeded rows; rehearsed again after repairing them";
  }
  const worst2 = decisive ?? findings.find((finding) => finding.severity !== "info");
  return worst2 ? firstClause(worst2.message) : null;
}
function migrationTable(migrations, tier) {
  const shown = tier >= 3 ? migrations.slice(0, 30) : migrations;
  const rows = shown.map((m2) => {
    const what = m2.verdict === "safe" ? null : headline(m2);
    return [
      `${code(`${m2.app}.${m2.name}`, { inTable: true, maxLength: 80 })}${what ? `<br><sub>${text(what, 100)}</sub>` : ""}`,
      `${ICON[m2.verdict]} ${m2.verdict}`,
      yesNo(m2.backwardCompatible.value, true),
      m2.deployOrder ?? "—",
      yesNo(m2.reversible.value, true),
      m2.dataLoss.value === true ? `❌ ${dataLossCount(m2)}` : yesNo(m2.dataLoss.value, false),
      locksCell(m2)
    ].join(" | ");
  });
  const more = migrations.length > shown.length ? `

… and ${migrations.length - shown.length} more migrations.` : "";
  return [
    "| Migration | Verdict | Backward compatible | Deploy | Reversible | Data loss | Locks |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map((row) => `| ${row} |`)
  ].join("\n") + more;
}
function dataLossCount(migration) {
  const worst2 = /* @__PURE__ */ new Map();
  for (const loss of migration.dataLoss.losses ?? []) {
    const key2 = `${loss.table}.${loss.column ?? ""}`;
    worst2.set(key2, Math.max(worst2.get(key2) ?? 0, loss.valuesChanged + loss.rowsLost));
  }
  return `yes (${[...worst2.values()].reduce((sum, count2) => sum + count2, 0)})`;
}
var mermaidId = (name2) => name2.replace(/[^A-Za-z0-9_]/g, "_");
var mermaidLabel = (name2) => name2.replace(/[^A-Za-z0-9_.\- ()]/g, "_");
function conflictSection(conflict, tier, links) {
  const lines = [];
  lines.push(`#### ${conflict.preexisting ? "🟡" : "🔴"} Conflicting migrations in ${code(conflict.app)}`);
  const leaves = conflict.leaves.map((leaf) => `${links.file(leaf.path, null)} (${leaf.side === "pr" ? "this PR" : leaf.side === "main" ? "base branch" : "both"})`);
  lines.push(
    `After the merge, ${code(conflict.app)} has ${conflict.leaves.length} leaf migrations: ${leaves.join(" and ")}. \`migrate\` will stop with "Conflicting migrations detected".` + (conflict.preexisting ? " The base branch already has this conflict." : "")
  );
  lines.push(`${conflict.needsHumanReview ? "⚠️ " : ""}${rich(conflict.reason)}.`);
  if (tier <= 1) {
    const ancestor = conflict.commonAncestor?.split(".").slice(1).join(".") ?? null;
    const graph = ["graph LR"];
    const chain = (side) => {
      const names = conflict.branches[side].map((key2) => key2.split(".").slice(1).join("."));
      let previous = ancestor;
      for (const name2 of names) {
        graph.push(`  ${previous ? `${mermaidId(previous)} --> ` : ""}${mermaidId(name2)}["${mermaidLabel(name2)} · ${side === "pr" ? "this PR" : "base branch"}"]`);
        previous = name2;
      }
    };
    if (ancestor) graph.push(`  ${mermaidId(ancestor)}["${mermaidLabel(ancestor)}"]`);
    chain("main");
    chain("pr");
    lines.push(codeBlock(graph.join("\n"), "mermaid"));
  }
  if (conflict.fix.patch !== null) {
    const renames = conflict.fix.renames.map((r2) => `${code(r2.from.split(".").slice(1).join("."))} → ${code(r2.to.split(".").slice(1).join("."))}`);
    lines.push(
      `**Fix:** ${renames.length > 0 ? `rename ${renames.join(", ")} and ` : ""}make it depend on the base branch's newest migration — apply the patch below with \`git apply\`, or run ${code(conflict.fix.mergeCommand)} on the merged code.`
    );
    if (tier <= 1) lines.push(`<details><summary>Patch</summary>

${codeBlock(conflict.fix.patch, "diff", 400)}

</details>`);
  } else {
    lines.push(`**Fix:** run ${code(conflict.fix.mergeCommand)} on the merged code${conflict.fix.unavailable ? ` (no rename patch: ${text(conflict.fix.unavailable)})` : ""}.`);
  }
  return lines.join("\n\n");
}
function activeFindings(migration) {
  return migration.findings.filter((finding) => finding.ignored === void 0);
}
function migrationDetails(migration, links) {
  const title = `#### ${ICON[migration.verdict]} ${code(`${migration.app}.${migration.name}`, { maxLength: 120 })} — ${migration.verdict}`;
  const body = [
    `${links.file(migration.path, null)}${migration.atomic ? "" : " · `atomic = False`"} · rehearsal: ${text(migration.rehearsal.status)}${migration.rehearsal.reason ? ` (${text(migration.rehearsal.reason, 300)})` : ""}${migration.rehearsal.basis ? ` · facts rest on: ${text(migration.rehearsal.basis)}` : ""}`
  ];
  const fields = [
    ["applies on the seeded rows", migration.appliesOnSeededData],
    ["backward compatible", migration.backwardCompatible],
    ["new code on the old schema", migration.forwardCompatible],
    ["reversible", migration.reversible],
    ["data loss", migration.dataLoss],
    ["re-applies after its reverse", migration.reappliesAfterReverse]
  ];
  body.push(fields.map(([label, field]) => `- ${label}: ${field.value === null ? `— ${text(field.reason ?? "", 200)}` : `**${field.value ? "yes" : "no"}**${field.basis ? ` (${text(field.basis)})` : ""}`}`).join("\n"));
  const hold = migration.lockHolds?.find((entry) => entry.mode in LOCK_NAMES);
  if (hold) {
    const production = hold.estimatedMs !== void 0 ? `; about ${formatMs(hold.estimatedMs)} on production's sizes` : "";
    body.push(`Longest blocking lock: ${holdSentence(hold, migration.statements)} (on the seeded rows${production})`);
  }
  const wait = migration.contention?.blocked[0];
  if (wait) {
    body.push(
      `Longest wait of the running code: ${code(wait.query, { maxLength: 120 })} waited ${wait.timedOut ? `${formatMs(wait.waitedMs)} and gave up` : formatMs(wait.waitedMs)}${wait.lock ? ` behind ${LOCK_NAMES[wait.lock] ?? text(wait.lock)} on ${code(wait.table, { maxLength: 60 })}` : ""} (${migration.contention.probes} queries played beside the migration, on the seeded rows)`
    );
  } else if (migration.contention && migration.contention.probes > 0) {
    body.push(`The running code's queries played beside the migration (${migration.contention.probes}) waited at most ${formatMs(migration.contention.maxWaitMs)}`);
  }
  for (const lockWait of migration.lockWaits ?? []) {
    body.push(
      `Lock wait: ${code(lockWait.query, { maxLength: 120 })} waited ${formatMs(lockWait.waitedMs)} or more for ${lockWait.holders.map((holder) => `${code(holder.query || "(no query yet)", { maxLength: 120 })} (pid ${holder.pid}${holder.state ? `, ${text(holder.state)}` : ""})`).join(", ")}`
    );
  }
  for (const estimate of migration.estimates ?? []) {
    body.push(
      `On production's size: ${ESTIMATE_WORDS[estimate.kind]} of ${code(estimate.table, { maxLength: 60 })} (${estimate.rows.toLocaleString("en-US")} rows) about ${formatMs(estimate.estimatedMs)}${estimate.lock ? ` under ${LOCK_NAMES[estimate.lock] ?? text(estimate.lock)}` : ""}, ${formatMs(estimate.seededMs)} on the seeded rows: ${text(estimate.basis, 300)}`
    );
  }
  const findings = migration.findings.map((finding) => findingItem(migration, finding, links, 0));
  if (findings.length > 0) body.push(findings.join("\n"));
  for (const repair of migration.rehearsal.repairs) {
    body.push(`Repair (${text(repair.kind)}): ${repair.rows} row${repair.rows === 1 ? "" : "s"} of ${text(repair.tables.join(", "))}${repair.syntheticOnly ? ", all made up by the seeder" : ""}, after: ${text(repair.cause, 300)}`);
  }
  if (migration.statements.length > 0) body.push(statementsTable(migration.statements, "Statements"));
  if (migration.reverseStatements.length > 0) body.push(statementsTable(migration.reverseStatements, "Reverse statements"));
  return `${title}

${body.join("\n\n")}`;
}
function holdSentence(hold, statements) {
  const verb = (statements[hold.statement]?.sql ?? "").trim().split(/\s+/).slice(0, 2).join(" ").toUpperCase();
  const from = `the ${text(verb || "statement")}${hold.line !== null ? ` at line ${hold.line}` : ""}`;
  const to2 = hold.until === "statement" ? "its own end (no transaction)" : hold.releasedAfterLine != null ? `the COMMIT, after the operation at line ${hold.releasedAfterLine}` : "the COMMIT";
  return `${LOCK_NAMES[hold.mode] ?? text(hold.mode)} on ${code(hold.relation, { maxLength: 60 })} for ${formatMs(hold.heldMs)}: from ${from} to ${to2}`;
}
function statementsTable(statements, title) {
  const folded = [];
  for (const statement of statements) {
    const last = folded.at(-1);
    if (last && last.statement.sql === statement.sql && last.statement.line === statement.line && !statement.error) {
      last.count++;
      last.ms += statement.ms;
    } else folded.push({ statement, count: 1, ms: statement.ms });
  }
  const shown = folded.slice(0, 40);
  const rows = shown.map(
    ({ statement, count: count2, ms: ms2 }) => [
      statement.line === null ? "" : String(statement.line),
      `${count2 > 1 ? `${count2} × ` : ""}${code(statement.sql, { inTable: true, maxLength: 160 })}`,
      formatMs(ms2),
      statement.locks.filter((lock) => lock.mode !== "AccessShareLock").slice(0, 3).map((lock) => `${lock.mode.replace(/Lock$/, "")} ${code(lock.relation, { inTable: true, maxLength: 40 })}`).join(", ") || "—",
      statement.rewrite.length > 0 ? `rewrote ${statement.rewrite.map((r2) => code(r2, { inTable: true, maxLength: 40 })).join(", ")}` : statement.error ? text(statement.error.message, 120) : ""
    ].join(" | ")
  );
  const more = folded.length > shown.length ? `

… ${folded.length - shown.length} more in the JSON report.` : "";
  return `**${title}**

| Line | SQL | Time | Locks | Rewrite |
| --- | --- | --- | --- | --- |
${rows.map((row) => `| ${row} |`).join("\n")}${more}`;
}
function formatMs(ms2) {
  return ms2 < 10 ? `${ms2.toFixed(1)} ms` : formatDuration(ms2);
}
function runLink(runUrl, label) {
  return runUrl && SAFE_URL.test(runUrl) ? `[${label}](${runUrl})` : label;
}
function footer(report, runUrl) {
  const parts = [
    `${text(report.tool.name)} ${text(report.tool.version)}`,
    `base ${code(report.base.sha.slice(0, 7))}`,
    `head ${code(report.head.sha.slice(0, 7))}`,
    ...runUrl !== void 0 ? [runLink(runUrl, "full report")] : []
  ];
  return `<sub>${parts.join(" · ")}</sub>`;
}

// src/verdict/severity.ts
var SEVERITY_RANK = { info: 0, warning: 1, unsafe: 2, error: 3 };
var VERDICT_RANK = { safe: 0, warning: 1, unsafe: 2, error: 3 };
function verdictOf(severity) {
  return severity === "info" ? "safe" : severity;
}
function worstVerdict(verdicts) {
  let worst2 = "safe";
  for (const verdict of verdicts) if (VERDICT_RANK[verdict] > VERDICT_RANK[worst2]) worst2 = verdict;
  return worst2;
}
function worstSeverity(severities) {
  let worst2 = "info";
  for (const severity of severities) if (SEVERITY_RANK[severity] > SEVERITY_RANK[worst2]) worst2 = severity;
  return worst2;
}
function compareSeverity(a, b3) {
  return SEVERITY_RANK[b3] - SEVERITY_RANK[a];
}
function failsPolicy(verdict, failOn) {
  if (failOn === "never") return false;
  if (verdict === "error") return true;
  return VERDICT_RANK[verdict] >= VERDICT_RANK[failOn];
}

// src/config/repo-config.ts
var CONFIG_FILE = ".django-migration-review.json";
var EMPTY_CONFIG = { rules: {}, exclude: { apps: [], migrations: [] }, ignore: [] };
var LEVELS = /* @__PURE__ */ new Set(["off", "info", "warning", "unsafe", "error"]);
function parseRepoConfig(text2, path) {
  let raw;
  try {
    raw = JSON.parse(text2);
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${error.message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new UsageError(`${path} must hold a JSON object`);
  const object = raw;
  const known2 = /* @__PURE__ */ new Set(["$schema", "rules", "exclude", "ignore"]);
  for (const key2 of Object.keys(object)) if (!known2.has(key2)) throw new UsageError(`${path}: unknown key "${key2}" (expected rules, exclude, ignore)`);
  const rules = {};
  for (const [rule, level] of Object.entries(object.rules ?? {})) {
    if (typeof level !== "string" || !LEVELS.has(level)) throw new UsageError(`${path}: rules.${rule} must be one of off, info, warning, unsafe, error`);
    rules[rule] = level;
  }
  const exclude = object.exclude ?? {};
  const strings2 = (value, name2) => {
    if (value === void 0) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) throw new UsageError(`${path}: ${name2} must be a list of strings`);
    return value;
  };
  const ignore = object.ignore ?? [];
  if (!Array.isArray(ignore)) throw new UsageError(`${path}: ignore must be a list`);
  const ignores = ignore.map((entry, index) => {
    const item = entry;
    for (const field of ["rule", "migration", "reason"]) {
      if (typeof item[field] !== "string" || item[field].trim() === "") {
        throw new UsageError(`${path}: ignore[${index}] needs "${field}" (an ignore without a reason is not accepted)`);
      }
    }
    return { rule: item.rule, migration: item.migration, reason: item.reason };
  });
  return {
    rules,
    exclude: { apps: strings2(exclude.apps, "exclude.apps"), migrations: strings2(exclude.migrations, "exclude.migrations") },
    ignore: ignores
  };
}

// src/config/table-stats.ts
import { readFileSync } from "node:fs";
function readTableStats(path) {
  let text2;
  try {
    text2 = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`table-stats: cannot read ${path}: ${error.code ?? error.message}`);
  }
  let parsed;
  try {
    parsed = JSON.parse(text2);
  } catch (error) {
    throw new UsageError(`table-stats: ${path} is not JSON (${error.message}); write it with the query in docs/table-stats.md`);
  }
  return tableSizes(parsed, path);
}
function tableSizes(parsed, source) {
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new UsageError(`table-stats: ${source} must hold one object of tables, {"<table>": {"rows": …, "bytes": …, "indexBytes": …}}`);
  }
  const sizes = /* @__PURE__ */ new Map();
  for (const [name2, value] of Object.entries(parsed)) {
    const entry = value ?? {};
    const rows = count(entry.rows);
    const bytes = count(entry.bytes);
    const indexBytes = entry.indexBytes === void 0 ? 0 : count(entry.indexBytes);
    if (rows === null || bytes === null || indexBytes === null) {
      throw new UsageError(`table-stats: ${source}: "${name2}" needs whole numbers "rows" and "bytes" (and "indexBytes"); got ${JSON.stringify(value)}`);
    }
    sizes.set(name2.includes(".") ? name2.slice(name2.lastIndexOf(".") + 1) : name2, { rows, bytes, indexBytes });
  }
  return sizes;
}
function count(value) {
  const number2 = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number2 === "number" && Number.isFinite(number2) && number2 >= 0 ? Math.round(number2) : null;
}

// src/git/repository.ts
import { resolve as resolve2 } from "node:path";

// node_modules/@simple-git/args-pathspec/dist/index.mjs
var t = /* @__PURE__ */ new WeakMap();
function c(...n) {
  const e = new String(n);
  return t.set(e, n), e;
}
function r(n) {
  return n instanceof String && t.has(n);
}
function o(n) {
  return t.get(n) ?? [];
}

// node_modules/simple-git/dist/index.mjs
var import_file_exists = __toESM(require_dist(), 1);
var import_debug = __toESM(require_src(), 1);
var import_promise_deferred = __toESM(require_dist2(), 1);
import { spawn as ve } from "node:child_process";
import { normalize as Se } from "node:path";

// node_modules/@simple-git/argv-parser/dist/index.mjs
function* x(e, n) {
  const t3 = n === "global";
  for (const o2 of e)
    o2.isGlobal === t3 && (yield o2);
}
var P = /* @__PURE__ */ new Set([
  "--add",
  "--edit",
  "--remove-section",
  "--rename-section",
  "--replace-all",
  "--unset",
  "--unset-all",
  "-e"
]);
var S = /* @__PURE__ */ new Set([
  "--get",
  "--get-all",
  "--get-color",
  "--get-colorbool",
  "--get-regexp",
  "--get-urlmatch",
  "--list",
  "-l"
]);
var E = /* @__PURE__ */ new Set([
  "edit",
  "remove-section",
  "rename-section",
  "set",
  "unset"
]);
var F = /* @__PURE__ */ new Set(["get", "get-color", "get-colorbool", "list"]);
function A(e, n) {
  for (const { name: o2 } of x(e, "task")) {
    if (P.has(o2))
      return w(true, n);
    if (S.has(o2))
      return w(false, n);
  }
  const t3 = n.at(0)?.toLowerCase();
  return t3 === void 0 ? null : E.has(t3) ? w(true, n.slice(1)) : F.has(t3) ? w(false, n.slice(1)) : n.length === 1 ? w(false, n) : w(true, n);
}
function w(e = false, n = []) {
  const t3 = n.at(0)?.toLowerCase();
  return t3 === void 0 ? null : {
    isWrite: e,
    isRead: !e,
    key: t3,
    value: n.at(1)
  };
}
function O(e, n) {
  return n.isWrite && n.value !== void 0 ? { key: n.key, value: n.value, scope: e } : { key: n.key, scope: e };
}
function G(e) {
  const n = e?.indexOf("=") || -1;
  return !e || n < 0 ? null : {
    key: e.slice(0, n).trim().toLowerCase(),
    value: e.slice(n + 1)
  };
}
function M(e) {
  for (const { name: n } of x(e, "task"))
    switch (n) {
      case "--global":
        return "global";
      case "--system":
        return "system";
      case "--worktree":
        return "worktree";
      case "--local":
        return "local";
      case "--file":
      case "-f":
        return "file";
    }
  return "local";
}
function N({ name: e }) {
  if (e === "-c" || e === "--config")
    return "inline";
  if (e === "--config-env")
    return "env";
}
function* $(e) {
  for (const n of e) {
    const t3 = N(n), o2 = t3 && G(n.value);
    o2 && (yield {
      ...o2,
      scope: t3
    });
  }
}
function D(e, n, t3) {
  const o2 = {
    read: [],
    write: [...$(n)]
  };
  return e === "config" && L(
    o2,
    M(n),
    A(n, t3)
  ), o2;
}
function L(e, n, t3) {
  if (t3 === null)
    return;
  const o2 = O(n, t3);
  t3.isWrite ? e.write.push(o2) : e.read.push(o2);
}
var C = {
  short: /* @__PURE__ */ new Map([
    ["c", true]
    //  -c <k=v>    set config key for this invocation
  ])
};
var I = {
  short: new Map([
    ["C", true],
    //  -C <path>   change working directory
    ["P", false],
    // -P          no pager (alias for --no-pager)
    ["h", false],
    // -h          help
    ["p", false],
    // -p          paginate
    ["v", false],
    // -v          version
    ...C.short.entries()
  ]),
  long: /* @__PURE__ */ new Set([
    "attr-source",
    "config-env",
    "exec-path",
    "git-dir",
    "list-cmds",
    "namespace",
    "super-prefix",
    "work-tree"
  ])
};
var R = {
  clone: {
    short: /* @__PURE__ */ new Map([
      ["b", true],
      // -b <branch>
      ["j", true],
      // -j <n>          parallel jobs
      ["l", false],
      // -l local
      ["n", false],
      // -n no-checkout
      ["o", true],
      // -o <name>       remote name
      ["q", false],
      // -q quiet
      ["s", false],
      // -s shared
      ["u", true]
      // -u <upload-pack>
    ]),
    long: /* @__PURE__ */ new Set(["branch", "config", "jobs", "origin", "upload-pack", "u", "template"])
  },
  commit: {
    short: /* @__PURE__ */ new Map([
      ["C", true],
      // -C <commit>  reuse message
      ["F", true],
      // -F <file>    read message from file
      ["c", true],
      // -c <commit>  reedit message
      ["m", true],
      // -m <msg>
      ["t", true]
      // -t <template>
    ]),
    long: /* @__PURE__ */ new Set(["file", "message", "reedit-message", "reuse-message", "template"])
  },
  config: {
    short: /* @__PURE__ */ new Map([
      ["e", false],
      // -e  open editor
      ["f", true],
      //  -f <file>
      ["l", false]
      // -l  list
    ]),
    long: /* @__PURE__ */ new Set(["blob", "comment", "default", "file", "type", "value"])
  },
  fetch: {
    short: /* @__PURE__ */ new Map(),
    long: /* @__PURE__ */ new Set(["upload-pack"])
  },
  init: {
    short: /* @__PURE__ */ new Map(),
    long: /* @__PURE__ */ new Set(["template"])
  },
  pull: {
    short: /* @__PURE__ */ new Map(),
    long: /* @__PURE__ */ new Set(["upload-pack"])
  },
  push: {
    short: /* @__PURE__ */ new Map(),
    long: /* @__PURE__ */ new Set(["exec", "receive-pack"])
  },
  rebase: {
    short: /* @__PURE__ */ new Map([
      ["X", true],
      // -X <option>   strategy option
      ["f", false],
      // -f force-rebase
      ["i", false],
      // -i interactive
      ["k", false],
      // -k keep-base
      ["m", false],
      // -m merge
      ["n", false],
      // -n no-stat
      ["q", false],
      // -q quiet
      ["r", false],
      // -r rebase-merges
      ["s", true],
      // -s <strategy>
      ["v", false],
      // -v verbose
      ["x", true]
      // -x <cmd>      exec
    ]),
    long: /* @__PURE__ */ new Set(["exec", "onto", "strategy", "strategy-option"])
  }
};
var T = { short: /* @__PURE__ */ new Map(), long: /* @__PURE__ */ new Set() };
function B(e) {
  const n = R[e ?? ""] ?? T;
  return {
    short: new Map([...C.short.entries(), ...n.short.entries()]),
    long: n.long
  };
}
function b(e, n = I) {
  if (e.startsWith("--")) {
    const t3 = e.indexOf("=");
    if (t3 > 2)
      return [{ name: e.slice(0, t3), value: e.slice(t3 + 1), needsNext: false }];
    const o2 = e.slice(2);
    return [{ name: e, needsNext: n.long.has(o2) }];
  }
  if (e.length === 2) {
    const t3 = e.charAt(1), o2 = n.short.get(t3);
    return [{ name: e, needsNext: o2 === true }];
  }
  return j(e, n.short);
}
function j(e, n) {
  const t3 = e.slice(1).split(""), o2 = [];
  for (let a = 0; a < t3.length; a++) {
    const s = t3[a], r2 = n.get(s);
    if (r2 === void 0)
      return [{ name: e, needsNext: false }];
    if (r2) {
      const i = t3.slice(a + 1).join("");
      if (i && ![...i].every((m2) => n.has(m2)))
        return o2.push({ name: `-${s}`, value: i, needsNext: false }), o2;
    }
    o2.push({ name: `-${s}`, needsNext: r2 });
  }
  return o2;
}
function W(e, n = []) {
  let t3 = 0;
  for (; t3 < e.length; ) {
    const o2 = String(e[t3]);
    if (!o2.startsWith("-") || o2.length < 2) break;
    const a = b(o2);
    let s = t3 + 1;
    for (const r2 of a) {
      const i = {
        name: r2.name,
        value: r2.value,
        absorbedNext: false,
        isGlobal: true
      };
      r2.needsNext && i.value === void 0 && s < e.length && (i.value = String(e[s]), i.absorbedNext = true, s++), n.push(i);
    }
    t3 = s;
  }
  return { flags: n, taskIndex: t3 };
}
function V(e, n, t3 = []) {
  const o2 = B(n), a = [], s = [];
  let r2 = 0;
  for (; r2 < e.length; ) {
    const i = e[r2];
    if (r(i)) {
      s.push(...o(i)), r2++;
      continue;
    }
    const p2 = String(i);
    if (p2 === "--") {
      for (let d2 = r2 + 1; d2 < e.length; d2++) {
        const g2 = e[d2];
        r(g2) ? s.push(...o(g2)) : s.push(String(g2));
      }
      break;
    }
    if (!p2.startsWith("-") || p2.length < 2) {
      a.push(p2), r2++;
      continue;
    }
    const m2 = b(p2, o2);
    let u2 = r2 + 1;
    for (const d2 of m2) {
      const g2 = {
        name: d2.name,
        value: d2.value,
        absorbedNext: false,
        isGlobal: false
      };
      d2.needsNext && g2.value === void 0 && u2 < e.length && !r(e[u2]) && (g2.value = String(e[u2]), g2.absorbedNext = true, u2++), t3.push(g2);
    }
    r2 = u2;
  }
  return { flags: t3, positionals: a, pathspecs: s };
}
function* q({
  write: e
}) {
  for (const n of e)
    for (const t3 of K) {
      const o2 = t3(n.key);
      o2 && (yield o2);
    }
}
function f(e, n, t3 = String(e)) {
  const o2 = typeof e == "string" ? new RegExp(`\\s*${e.toLowerCase()}`) : e;
  return function(s) {
    if (o2.test(s))
      return {
        category: n,
        message: `Configuring ${t3} is not permitted without enabling ${n}`
      };
  };
}
function l(e, n) {
  const t3 = new RegExp(`\\s*${e.toLowerCase().replace(/\./g, "(..+)?.")}`);
  return f(t3, n, e);
}
var K = [
  f("alias", "allowUnsafeAlias"),
  f("core.askPass", "allowUnsafeAskPass"),
  f("core.editor", "allowUnsafeEditor"),
  f("core.fsmonitor", "allowUnsafeFsMonitor"),
  f("core.gitProxy", "allowUnsafeGitProxy"),
  f("core.hooksPath", "allowUnsafeHooksPath"),
  f("core.pager", "allowUnsafePager"),
  f("core.sshCommand", "allowUnsafeSshCommand"),
  l("credential.helper", "allowUnsafeCredentialHelper"),
  l("diff.command", "allowUnsafeDiffExternal"),
  f("diff.external", "allowUnsafeDiffExternal"),
  l("difftool.cmd", "allowUnsafeDiffExternal"),
  l("diff.textconv", "allowUnsafeDiffTextConv"),
  l("filter.clean", "allowUnsafeFilter"),
  l("filter.process", "allowUnsafeFilter"),
  l("filter.smudge", "allowUnsafeFilter"),
  l("gpg.program", "allowUnsafeGpgProgram"),
  f("include.path", "allowUnsafeInclude"),
  l("includeIf", "allowUnsafeInclude"),
  f("init.templateDir", "allowUnsafeTemplateDir"),
  l("pager.", "allowUnsafePager"),
  l("merge.driver", "allowUnsafeMergeDriver"),
  l("mergetool.path", "allowUnsafeMergeDriver"),
  l("mergetool.cmd", "allowUnsafeMergeDriver"),
  l("protocol.allow", "allowUnsafeProtocolOverride"),
  l("remote.receivepack", "allowUnsafePack"),
  l("remote.uploadpack", "allowUnsafePack"),
  f("uploadpack.packObjectsHook", "allowUnsafePack"),
  f("sequence.editor", "allowUnsafeEditor"),
  l("submodule.update", "allowUnsafeSubmodule"),
  l("tar.command", "allowUnsafeCommandBinaries"),
  l("trailer.cmd", "allowUnsafeCommandBinaries"),
  l("trailer.command", "allowUnsafeCommandBinaries"),
  l("url.insteadOf", "allowUnsafeUrlRewrite")
];
function* H(e, n) {
  for (const t3 of n)
    for (const o2 of X) {
      const a = o2(e, t3);
      a && (yield a);
    }
}
function c2(e, n, t3, { name: o2 = String(n), globalOnly: a = false, withValue: s = false } = {}) {
  const r2 = typeof n == "string" ? new RegExp(`\\s*${n.toLowerCase()}`) : n, i = `Use of ${e ? `${e} with option ` : ""}${o2} is not permitted without enabling ${t3}`;
  return function(m2, u2) {
    if (!(e && m2 !== e) && !(a && !u2.isGlobal) && !(s && u2.value === void 0) && r2.test(u2.name))
      return {
        category: t3,
        message: i
      };
  };
}
var h = { globalOnly: true, withValue: true };
var X = [
  c2(null, /--(upload|receive)-pack/, "allowUnsafePack", {
    name: "--upload-pack or --receive-pack"
  }),
  c2("clone", /^-\w*u/, "allowUnsafePack"),
  c2("clone", "--u", "allowUnsafePack"),
  c2("push", /^--exec$/, "allowUnsafePack", { name: "--exec" }),
  // `git` accepts unambiguous abbreviations of long options, so `--ex` and `--exe` are `--exec`
  c2("rebase", /^(-x|--ex(ec?)?)$/, "allowUnsafeExec", { name: "-x or --exec" }),
  c2(null, "--template", "allowUnsafeTemplateDir"),
  c2(null, "--exec-path", "allowUnsafeExec", h),
  // `git` reads the configuration of whichever repository these name, so the
  // directory alone is enough to deliver config the argv guards never see
  c2(null, "--git-dir", "allowUnsafeConfigPaths", h),
  c2(null, "--work-tree", "allowUnsafeConfigPaths", h),
  c2(null, /^-C$/, "allowUnsafeConfigPaths", { ...h, name: "-C" })
];
function k(e, n, t3) {
  return [...H(e, n), ...q(t3)];
}
function Y(...e) {
  const { flags: n, taskIndex: t3 } = W(e), o2 = t3 < e.length ? String(e[t3]).toLowerCase() : null, a = o2 !== null ? e.slice(t3 + 1) : [], { positionals: s, pathspecs: r2 } = V(a, o2, n), i = D(o2, n, s);
  return {
    task: o2,
    flags: n.map(J),
    paths: r2,
    config: i,
    vulnerabilities: z(k(o2, n, i))
  };
}
function z(e) {
  return Object.defineProperty(e, "vulnerabilities", {
    value: e
  });
}
function J({ value: e, name: n }) {
  return e !== void 0 ? { name: n, value: e } : { name: n };
}
var y = {
  editor: "allowUnsafeEditor",
  git_askpass: "allowUnsafeAskPass",
  git_config_global: "allowUnsafeConfigPaths",
  git_config_system: "allowUnsafeConfigPaths",
  git_config_count: "allowUnsafeConfigEnvCount",
  git_config_parameters: "allowUnsafeConfigEnvCount",
  git_config: "allowUnsafeConfigPaths",
  git_editor: "allowUnsafeEditor",
  git_exec_path: "allowUnsafeExec",
  git_external_diff: "allowUnsafeDiffExternal",
  git_pager: "allowUnsafePager",
  git_proxy_command: "allowUnsafeGitProxy",
  git_template_dir: "allowUnsafeTemplateDir",
  git_sequence_editor: "allowUnsafeEditor",
  git_ssh: "allowUnsafeSshCommand",
  git_ssh_command: "allowUnsafeSshCommand",
  pager: "allowUnsafePager",
  prefix: "allowUnsafeConfigPaths",
  ssh_askpass: "allowUnsafeAskPass",
  visual: "allowUnsafeEditor"
};
function* Q(e) {
  const n = parseInt(e.git_config_count ?? "0", 10);
  for (let t3 = 0; t3 < n; t3++) {
    const o2 = e[`git_config_key_${t3}`], a = e[`git_config_value_${t3}`];
    o2 !== void 0 && (yield { key: o2.toLowerCase().trim(), value: a, scope: "env" });
  }
}
function* Z(e) {
  for (const n of Object.keys(e))
    if (_(n)) {
      const t3 = y[n];
      yield {
        category: t3,
        message: `Use of "${n.toUpperCase()}" is not permitted without enabling ${t3}`
      };
    }
}
function _(e) {
  return Object.hasOwn(y, e);
}
function ee(e) {
  const n = {};
  for (const [t3, o2] of Object.entries(e)) {
    const a = t3.toLowerCase().trim();
    (_(a) || a.startsWith("git")) && (n[a] = String(o2));
  }
  return n;
}
function ne(e) {
  const n = ee(e), t3 = {
    read: [],
    write: [...Q(n)]
  }, o2 = [
    ...Z(n),
    ...k(null, [], t3)
  ];
  return {
    config: t3,
    vulnerabilities: o2
  };
}
function oe(e, n) {
  return [...Y(...e).vulnerabilities, ...ne(n).vulnerabilities];
}

// node_modules/simple-git/dist/index.mjs
import { EventEmitter as Ce } from "node:events";
var O2 = class extends Error {
  constructor(e, n) {
    super(n), this.task = e, Object.setPrototypeOf(this, new.target.prototype);
  }
};
var Ae = class extends O2 {
  constructor(e, n) {
    super(void 0, n), this.config = e;
  }
};
var A2 = class extends O2 {
  constructor(e, n, r2) {
    super(e, r2), this.task = e, this.plugin = n, Object.setPrototypeOf(this, new.target.prototype);
  }
};
var at = class extends O2 {
  constructor(e, n) {
    super(void 0, n || String(e)), this.git = e;
  }
};
var xe = class extends O2 {
  constructor(e) {
    super(void 0, e);
  }
};
var I2 = "\0";
var W2 = () => {
};
function Ne(t3) {
  return typeof t3 != "function" ? W2 : t3;
}
function $e(t3) {
  return typeof t3 == "function" && t3 !== W2;
}
function Pe(t3, e) {
  const n = t3.indexOf(e);
  return n <= 0 ? [t3, ""] : [t3.substr(0, n), t3.substr(n + 1)];
}
function Me(t3, e = 0) {
  return Dt(t3) && t3.length > e ? t3[e] : void 0;
}
function N2(t3, e = 0) {
  if (Dt(t3) && t3.length > e)
    return t3[t3.length - 1 - e];
}
function Dt(t3) {
  return Bt(t3);
}
function H2(t3 = "", e = true, n = `
`) {
  return t3.split(n).reduce((r2, s) => {
    const o2 = e ? s.trim() : s;
    return o2 && r2.push(o2), r2;
  }, []);
}
function ut(t3, e) {
  return H2(t3, true).map((n) => e(n));
}
function Lt(t3) {
  return (0, import_file_exists.exists)(t3, import_file_exists.FOLDER);
}
function S2(t3, e) {
  return Array.isArray(t3) ? t3.includes(e) || t3.push(e) : t3.add(e), e;
}
function De(t3, e) {
  return Array.isArray(t3) && !t3.includes(e) && t3.push(e), t3;
}
function ct(t3, e) {
  if (Array.isArray(t3)) {
    const n = t3.indexOf(e);
    n >= 0 && t3.splice(n, 1);
  } else
    t3.delete(e);
  return e;
}
var ft = Object.prototype.toString.call.bind(Object.prototype.toString);
function v(t3) {
  return Array.isArray(t3) ? t3 : [t3];
}
function jt(t3) {
  return t3.replace(/[\s-]+(.)/g, (e, n) => n.toUpperCase());
}
function L2(t3) {
  return v(t3).map((e) => e instanceof String ? e : String(e));
}
function p(t3, e = 0) {
  if (t3 == null)
    return e;
  const n = parseInt(t3, 10);
  return Number.isNaN(n) ? e : n;
}
function U(t3, e) {
  const n = [];
  for (let r2 = 0, s = t3.length; r2 < s; r2++)
    n.push(e, t3[r2]);
  return n;
}
function F2(t3) {
  return (Array.isArray(t3) ? Buffer.concat(t3) : t3).toString("utf-8");
}
function Le(t3) {
  return t3 ? Buffer.isBuffer(t3) ? t3.length : Buffer.byteLength(t3) : 0;
}
function je(t3, e) {
  const n = {};
  return e.forEach((r2) => {
    t3[r2] !== void 0 && (n[r2] = t3[r2]);
  }), n;
}
function wt(t3 = 0) {
  return new Promise((e) => setTimeout(e, t3));
}
function bt(t3) {
  if (t3 !== false)
    return t3;
}
function d(t3, e, n) {
  return e(t3) ? t3 : arguments.length > 2 ? n : void 0;
}
var K2 = (t3) => Array.isArray(t3);
function st(t3, e) {
  const n = r(t3) ? "string" : typeof t3;
  return /number|string|boolean/.test(n) && (!e || !e.includes(n));
}
var m = (t3) => typeof t3 == "string" || r(t3);
var Be = (t3) => m(t3) || Buffer.isBuffer(t3);
var G2 = (t3) => m(t3) || Array.isArray(t3) && t3.every(m);
function lt(t3) {
  return !!t3 && ft(t3) === "[object Object]";
}
function Ie(t3) {
  return typeof t3 == "function";
}
var Bt = (t3) => t3 == null || "number|boolean|function".includes(typeof t3) ? false : typeof t3.length == "number";
var V2 = /* @__PURE__ */ ((t3) => (t3[t3.SUCCESS = 0] = "SUCCESS", t3[t3.ERROR = 1] = "ERROR", t3[t3.NOT_FOUND = -2] = "NOT_FOUND", t3[t3.UNCLEAN = 128] = "UNCLEAN", t3))(V2 || {});
var z2 = class _z {
  constructor(e, n) {
    this.stdOut = e, this.stdErr = n;
  }
  asStrings() {
    return new _z(this.stdOut.toString("utf8"), this.stdErr.toString("utf8"));
  }
};
function Ue() {
  throw new Error("LineParser:useMatches not implemented");
}
var l2 = class {
  constructor(e, n) {
    this.matches = [], this.useMatches = Ue, this.parse = (r2, s) => (this.resetMatches(), this._regExp.every((o2, i) => this.addMatch(o2, i, r2(i))) ? this.useMatches(s, this.prepareMatches()) !== false : false), this._regExp = Array.isArray(e) ? e : [e], n && (this.useMatches = n);
  }
  resetMatches() {
    this.matches.length = 0;
  }
  prepareMatches() {
    return this.matches;
  }
  addMatch(e, n, r2) {
    const s = r2 && e.exec(r2);
    return s && this.pushMatch(n, s), !!s;
  }
  pushMatch(e, n) {
    this.matches.push(...n.slice(1));
  }
};
var x2 = class extends l2 {
  addMatch(e, n, r2) {
    return /^remote:\s/.test(String(r2)) && super.addMatch(e, n, r2);
  }
  pushMatch(e, n) {
    (e > 0 || n.length > 1) && super.pushMatch(e, n);
  }
};
var Fe = {
  binary: "git",
  maxConcurrentProcesses: 5,
  config: [],
  trimmed: false
};
function Ge(...t3) {
  const e = process.cwd(), n = Object.assign(
    { baseDir: e, ...Fe },
    ...t3.filter((r2) => typeof r2 == "object" && r2)
  );
  return n.baseDir = n.baseDir || e, n.trimmed = n.trimmed === true, n;
}
function It(t3, e = []) {
  return lt(t3) ? Object.keys(t3).reduce((n, r2) => {
    const s = t3[r2];
    if (r(s))
      n.push(s);
    else if (st(s, ["boolean"]))
      n.push(r2 + "=" + s);
    else if (Array.isArray(s))
      for (const o2 of s)
        st(o2, ["string", "number"]) || n.push(r2 + "=" + o2);
    else
      n.push(r2);
    return n;
  }, e) : e;
}
function h2(t3, e = 0, n = false) {
  const r2 = [];
  for (let s = 0, o2 = e < 0 ? t3.length : e; s < o2; s++)
    "string|number".includes(typeof t3[s]) && r2.push(String(t3[s]));
  return It(ht(t3), r2), n || r2.push(...ze(t3)), r2;
}
function ze(t3) {
  const e = typeof N2(t3) == "function";
  return L2(d(N2(t3, e ? 1 : 0), K2, []));
}
function ht(t3) {
  const e = Ie(N2(t3));
  return d(N2(t3, e ? 1 : 0), lt);
}
function u(t3, e = true) {
  const n = Ne(N2(t3));
  return e || $e(n) ? n : void 0;
}
function Tt(t3, e) {
  return t3(e.stdOut, e.stdErr);
}
function E2(t3, e, n, r2 = true) {
  return v(n).forEach((s) => {
    for (let o2 = H2(s, r2), i = 0, a = o2.length; i < a; i++) {
      const c3 = (y2 = 0) => {
        if (!(i + y2 >= a))
          return o2[i + y2];
      };
      e.some(({ parse: y2 }) => y2(c3, t3));
    }
  }), t3;
}
var mt = ({ exitCode: t3 }, e, n, r2) => {
  if (t3 === V2.UNCLEAN && Ve(e))
    return n(Buffer.from("false"));
  r2(e);
};
var Ut = (t3) => t3.trim() === "true";
function We(t3) {
  switch (t3) {
    case "bare":
      return Ke();
    case "root":
      return He();
  }
  return {
    commands: ["rev-parse", "--is-inside-work-tree"],
    format: "utf-8",
    onError: mt,
    parser: Ut
  };
}
function He() {
  return {
    commands: ["rev-parse", "--git-dir"],
    format: "utf-8",
    onError: mt,
    parser(e) {
      return /^\.(git)?$/.test(e.trim());
    }
  };
}
function Ke() {
  return {
    commands: ["rev-parse", "--is-bare-repository"],
    format: "utf-8",
    onError: mt,
    parser: Ut
  };
}
function Ve(t3) {
  return /(Not a git repository|Kein Git-Repository)/i.test(String(t3));
}
var Xe = class {
  constructor(e) {
    this.paths = [], this.files = [], this.folders = [], this.dryRun = e;
  }
};
var Ye = /^[a-z]+\s*/i;
var Qe = /^[a-z]+\s+[a-z]+\s*/i;
var Je = /\/$/;
function Ze(t3, e) {
  const n = new Xe(t3), r2 = t3 ? Qe : Ye;
  return H2(e).forEach((s) => {
    const o2 = s.replace(r2, "");
    n.paths.push(o2), (Je.test(o2) ? n.folders : n.files).push(o2);
  }), n;
}
var Ft = [];
function tn(t3) {
  return {
    commands: Ft,
    format: "empty",
    parser: t3
  };
}
function b2(t3) {
  return {
    commands: Ft,
    format: "empty",
    parser() {
      throw typeof t3 == "string" ? new xe(t3) : t3;
    }
  };
}
function g(t3, e = false) {
  return {
    commands: t3,
    format: "utf-8",
    parser(n) {
      return e ? String(n).trim() : n;
    }
  };
}
function Gt(t3) {
  return {
    commands: t3,
    format: "buffer",
    parser(e) {
      return e;
    }
  };
}
function en(t3) {
  return t3.format === "buffer";
}
function kt(t3) {
  return t3.format === "empty" || !t3.commands.length;
}
var nn = "Git clean interactive mode is not supported";
var rn = 'Git clean mode parameter ("n" or "f") is required';
var sn = "Git clean unknown option found in: ";
var zt = /* @__PURE__ */ ((t3) => (t3.DRY_RUN = "n", t3.FORCE = "f", t3.IGNORED_INCLUDED = "x", t3.IGNORED_ONLY = "X", t3.EXCLUDING = "e", t3.QUIET = "q", t3.RECURSIVE = "d", t3))(zt || {});
var qt = /* @__PURE__ */ new Set([
  "i",
  ...L2(Object.values(zt))
]);
function on(t3, e) {
  const { cleanMode: n, options: r2, valid: s } = cn(t3);
  return n ? s.options ? (r2.push(...e), r2.some(hn) ? b2(nn) : an(n, r2)) : b2(sn + JSON.stringify(t3)) : b2(rn);
}
function an(t3, e) {
  return {
    commands: ["clean", `-${t3}`, ...e],
    format: "utf-8",
    parser(r2) {
      return Ze(t3 === "n", r2);
    }
  };
}
function un(t3) {
  return Array.isArray(t3) && t3.every((e) => qt.has(e));
}
function cn(t3) {
  let e, n = [], r2 = { cleanMode: false, options: true };
  return t3.replace(/[^a-z]i/g, "").split("").forEach((s) => {
    fn(s) ? (e = s, r2.cleanMode = true) : r2.options = r2.options && ln(n[n.length] = `-${s}`);
  }), {
    cleanMode: e,
    options: n,
    valid: r2
  };
}
function fn(t3) {
  return t3 === "f" || t3 === "n";
}
function ln(t3) {
  return /^-[a-z]$/i.test(t3) && qt.has(t3.charAt(1));
}
function hn(t3) {
  return /^-[^\-]/.test(t3) ? t3.indexOf("i") > 0 : t3 === "--interactive";
}
var mn = class {
  constructor() {
    this.files = [], this.values = /* @__PURE__ */ Object.create(null);
  }
  get all() {
    return this._all || (this._all = this.files.reduce((e, n) => Object.assign(e, this.values[n]), {})), this._all;
  }
  addFile(e) {
    if (!(e in this.values)) {
      const n = N2(this.files);
      this.values[e] = n ? Object.create(this.values[n]) : {}, this.files.push(e);
    }
    return this.values[e];
  }
  addValue(e, n, r2) {
    const s = this.addFile(e);
    Object.hasOwn(s, n) ? Array.isArray(s[n]) ? s[n].push(r2) : s[n] = [s[n], r2] : s[n] = r2, this._all = void 0;
  }
};
function pn(t3) {
  const e = new mn();
  for (const n of Wt(t3))
    e.addValue(n.file, String(n.key), n.value);
  return e;
}
function dn(t3, e) {
  let n = null;
  const r2 = [], s = /* @__PURE__ */ new Map();
  for (const o2 of Wt(t3, e))
    o2.key === e && (r2.push(n = o2.value), s.has(o2.file) || s.set(o2.file, []), s.get(o2.file).push(n));
  return {
    key: e,
    paths: Array.from(s.keys()),
    scopes: s,
    value: n,
    values: r2
  };
}
function gn(t3) {
  return t3.replace(/^(file):/, "");
}
function* Wt(t3, e = null) {
  const n = t3.split("\0");
  for (let r2 = 0, s = n.length - 1; r2 < s; ) {
    const o2 = gn(n[r2++]);
    let i = n[r2++], a = e;
    if (i.includes(`
`)) {
      const c3 = Pe(i, `
`);
      a = c3[0], i = c3[1];
    }
    yield { file: o2, key: a, value: i };
  }
}
var Ht = /* @__PURE__ */ ((t3) => (t3.system = "system", t3.global = "global", t3.local = "local", t3.worktree = "worktree", t3))(Ht || {});
function Y2(t3, e) {
  return typeof t3 == "string" && Object.hasOwn(Ht, t3) ? t3 : e;
}
function yn(t3, e, n, r2) {
  const s = ["config", `--${r2}`];
  return n && s.push("--add"), s.push(t3, e), {
    commands: s,
    format: "utf-8",
    parser(o2) {
      return o2;
    }
  };
}
function wn(t3, e) {
  const n = ["config", "--null", "--show-origin", "--get-all", t3];
  return e && n.splice(1, 0, `--${e}`), {
    commands: n,
    format: "utf-8",
    parser(r2) {
      return dn(r2, t3);
    }
  };
}
function bn(t3) {
  const e = ["config", "--list", "--show-origin", "--null"];
  return t3 && e.push(`--${t3}`), {
    commands: e,
    format: "utf-8",
    parser(n) {
      return pn(n);
    }
  };
}
function Tn() {
  return {
    addConfig(t3, e, ...n) {
      return this._runTask(
        yn(
          t3,
          e,
          n[0] === true,
          Y2(
            n[1],
            "local"
            /* local */
          )
        ),
        u(arguments)
      );
    },
    getConfig(t3, e) {
      return this._runTask(
        wn(t3, Y2(e, void 0)),
        u(arguments)
      );
    },
    listConfig(...t3) {
      return this._runTask(
        bn(Y2(t3[0], void 0)),
        u(arguments)
      );
    }
  };
}
var Kt = /* @__PURE__ */ ((t3) => (t3.ADDED = "A", t3.COPIED = "C", t3.DELETED = "D", t3.MODIFIED = "M", t3.RENAMED = "R", t3.CHANGED = "T", t3.UNMERGED = "U", t3.UNKNOWN = "X", t3.BROKEN = "B", t3))(Kt || {});
var kn = new Set(Object.values(Kt));
function _n(t3) {
  return kn.has(t3);
}
var _t;
var vn = ["-h"];
var j2 = /* @__PURE__ */ Symbol("grepQuery");
var En = class {
  constructor() {
    this[_t] = [];
  }
  *[(_t = j2, Symbol.iterator)]() {
    for (const e of this[j2])
      yield e;
  }
  and(...e) {
    return e.length && this[j2].push("--and", "(", ...U(e, "-e"), ")"), this;
  }
  param(...e) {
    return this[j2].push(...U(e, "-e")), this;
  }
};
function Sn(...t3) {
  return new En().param(...t3);
}
function Rn(t3) {
  const e = /* @__PURE__ */ new Set(), n = {};
  return ut(t3, (r2) => {
    const [s, o2, i] = r2.split(I2);
    e.add(s), (n[s] = n[s] || []).push({
      line: p(o2),
      path: s,
      preview: i
    });
  }), {
    paths: e,
    results: n
  };
}
function On() {
  return {
    grep(t3) {
      const e = u(arguments), n = h2(arguments);
      for (const s of vn)
        if (n.includes(s))
          return this._runTask(
            b2(`git.grep: use of "${s}" is not supported.`),
            e
          );
      typeof t3 == "string" && (t3 = Sn().param(t3));
      const r2 = ["grep", "--null", "-n", "--full-name", ...n, ...t3];
      return this._runTask(
        {
          commands: r2,
          format: "utf-8",
          parser(s) {
            return Rn(s);
          }
        },
        e
      );
    }
  };
}
var Vt = /* @__PURE__ */ ((t3) => (t3.MIXED = "mixed", t3.SOFT = "soft", t3.HARD = "hard", t3.MERGE = "merge", t3.KEEP = "keep", t3))(Vt || {});
var Cn = L2(Object.values(Vt));
function An(t3, e) {
  const n = ["reset"];
  return Xt(t3) && n.push(`--${t3}`), n.push(...e), g(n);
}
function xn(t3) {
  if (Xt(t3))
    return t3;
  switch (typeof t3) {
    case "string":
    case "undefined":
      return "soft";
  }
}
function Xt(t3) {
  return typeof t3 == "string" && Cn.includes(t3);
}
import_debug.default.formatters.L = (t3) => String(Bt(t3) ? t3.length : "-");
import_debug.default.formatters.B = (t3) => Buffer.isBuffer(t3) ? t3.toString("utf8") : ft(t3);
function Nn() {
  return (0, import_debug.default)("simple-git");
}
function vt(t3, e, n) {
  return !e || !String(e).replace(/\s*/, "") ? n ? (r2, ...s) => {
    t3(r2, ...s), n(r2, ...s);
  } : t3 : (r2, ...s) => {
    t3(`%s ${r2}`, e, ...s), n && n(r2, ...s);
  };
}
function $n(t3, e, { namespace: n }) {
  if (typeof t3 == "string")
    return t3;
  const r2 = e && e.namespace || "";
  return r2.startsWith(n) ? r2.substr(n.length + 1) : r2 || n;
}
function $2(t3, e, n, r2 = Nn()) {
  const s = t3 && `[${t3}]` || "", o2 = [], i = typeof e == "string" ? r2.extend(e) : e, a = $n(d(e, m), i, r2);
  return y2(n);
  function c3(w2, T2) {
    return S2(
      o2,
      $2(t3, a.replace(/^[^:]+/, w2), T2, r2)
    );
  }
  function y2(w2) {
    const T2 = w2 && `[${w2}]` || "", k2 = i && vt(i, T2) || W2, C2 = vt(r2, `${s} ${T2}`, k2);
    return Object.assign(i ? k2 : C2, {
      label: t3,
      sibling: c3,
      info: C2,
      step: y2
    });
  }
}
var M2 = class M3 {
  constructor(e = "GitExecutor") {
    this.logLabel = e, this._queue = /* @__PURE__ */ new Map();
  }
  withProgress(e) {
    return this._queue.get(e);
  }
  createProgress(e) {
    const n = M3.getName(e.commands[0]), r2 = $2(this.logLabel, n);
    return {
      task: e,
      logger: r2,
      name: n
    };
  }
  push(e) {
    const n = this.createProgress(e);
    return n.logger("Adding task to the queue, commands = %o", e.commands), this._queue.set(e, n), n;
  }
  fatal(e) {
    for (const [n, { logger: r2 }] of Array.from(this._queue.entries()))
      n === e.task ? (r2.info("Failed %o", e), r2(
        "Fatal exception, any as-yet un-started tasks run through this executor will not be attempted"
      )) : r2.info(
        "A fatal exception occurred in a previous task, the queue has been purged: %o",
        e.message
      ), this.complete(n);
    if (this._queue.size !== 0)
      throw new Error(`Queue size should be zero after fatal: ${this._queue.size}`);
  }
  complete(e) {
    this.withProgress(e) && this._queue.delete(e);
  }
  attempt(e) {
    const n = this.withProgress(e);
    if (!n)
      throw new O2(void 0, "TasksPendingQueue: attempt called for an unknown task");
    return n.logger("Starting task"), n;
  }
  static getName(e = "empty") {
    return `task:${e}:${++M3.counter}`;
  }
};
M2.counter = 0;
var ot = M2;
var Pn = class {
  constructor(e, n, r2) {
    this._executor = e, this._scheduler = n, this._plugins = r2, this._chain = Promise.resolve(), this._queue = new ot();
  }
  get cwd() {
    return this._cwd || this._executor.cwd;
  }
  set cwd(e) {
    this._cwd = e;
  }
  get env() {
    return this._executor.env;
  }
  get outputHandler() {
    return this._executor.outputHandler;
  }
  chain() {
    return this;
  }
  push(e) {
    return this._queue.push(e), this._chain = this._chain.then(() => this.attemptTask(e));
  }
  async attemptTask(e) {
    const n = await this._scheduler.next(), r2 = () => this._queue.complete(e);
    try {
      const { logger: s } = this._queue.attempt(e);
      return await (kt(e) ? this.attemptEmptyTask(e, s) : this.attemptRemoteTask(e, s));
    } catch (s) {
      throw this.onFatalException(e, s);
    } finally {
      r2(), n();
    }
  }
  onFatalException(e, n) {
    const r2 = n instanceof O2 ? Object.assign(n, { task: e }) : new O2(e, n && String(n));
    return this._chain = Promise.resolve(), this._queue.fatal(r2), r2;
  }
  async attemptRemoteTask(e, n) {
    const r2 = this._plugins.exec("spawn.binary", "", this.taskContext(e, e.commands)), s = this._plugins.exec(
      "spawn.args",
      [...e.commands],
      this.taskContext(e, e.commands)
    ), o2 = await this.gitResponse(
      e,
      r2,
      s,
      this.outputHandler,
      n.step("SPAWN")
    ), i = await this.handleTaskData(e, s, o2, n.step("HANDLE"));
    return n("passing response to task's parser as a %s", e.format), en(e) ? Tt(e.parser, i) : Tt(e.parser, i.asStrings());
  }
  async attemptEmptyTask(e, n) {
    return n("empty task bypassing child process to call to task's parser"), e.parser(this);
  }
  handleTaskData(e, n, r2, s) {
    const { exitCode: o2, rejection: i, stdOut: a, stdErr: c3 } = r2;
    return new Promise((y2, w2) => {
      s("Preparing to handle process response exitCode=%d stdOut=", o2);
      const { error: T2 } = this._plugins.exec(
        "task.error",
        { error: i },
        {
          ...this.taskContext(e, n),
          ...r2
        }
      );
      if (T2 && e.onError)
        return s.info("exitCode=%s handling with custom error handler"), e.onError(
          r2,
          T2,
          (k2) => {
            s.info("custom error handler treated as success"), s("custom error returned a %s", ft(k2)), y2(
              new z2(
                Array.isArray(k2) ? Buffer.concat(k2) : k2,
                Buffer.concat(c3)
              )
            );
          },
          w2
        );
      if (T2)
        return s.info(
          "handling as error: exitCode=%s stdErr=%s rejection=%o",
          o2,
          c3.length,
          i
        ), w2(T2);
      s.info("retrieving task output complete"), y2(new z2(Buffer.concat(a), Buffer.concat(c3)));
    });
  }
  async gitResponse(e, n, r2, s, o2) {
    const i = o2.sibling("output"), a = this._plugins.exec(
      "spawn.options",
      {
        cwd: this.cwd,
        env: this.env,
        windowsHide: true
      },
      this.taskContext(e, e.commands)
    );
    return new Promise((c3) => {
      const y2 = [], w2 = [];
      o2.info("%s %o", n, r2), o2("%O", a);
      let T2 = this._beforeSpawn(e, r2);
      if (T2)
        return c3({
          stdOut: y2,
          stdErr: w2,
          exitCode: 9901,
          rejection: T2
        });
      this._plugins.exec("spawn.before", void 0, {
        ...this.taskContext(e, r2),
        kill(C2) {
          T2 = C2 || T2;
        }
      });
      const k2 = ve(n, r2, a);
      k2.stdout.on(
        "data",
        Et(y2, "stdOut", o2, i.step("stdOut"))
      ), k2.stderr.on(
        "data",
        Et(w2, "stdErr", o2, i.step("stdErr"))
      ), k2.on("error", Mn(w2, o2)), s && (o2("Passing child process stdOut/stdErr to custom outputHandler"), s(n, k2.stdout, k2.stderr, [...r2])), this._plugins.exec("spawn.after", void 0, {
        ...this.taskContext(e, r2),
        spawned: k2,
        close(C2, Te) {
          c3({
            stdOut: y2,
            stdErr: w2,
            exitCode: C2,
            rejection: T2 || Te
          });
        },
        kill(C2) {
          k2.killed || (T2 = C2, k2.kill("SIGINT"));
        }
      });
    });
  }
  _beforeSpawn(e, n) {
    let r2;
    return this._plugins.exec("spawn.before", void 0, {
      ...this.taskContext(e, n),
      kill(s) {
        r2 = s || r2;
      }
    }), r2;
  }
  taskContext(e, n) {
    return {
      method: String(Me(e.commands) || ""),
      commands: n,
      env: { ...this.env },
      input: kt(e) ? void 0 : e.input
    };
  }
};
function Mn(t3, e) {
  return (n) => {
    e("[ERROR] child process exception %o", n), t3.push(Buffer.from(String(n.stack), "ascii"));
  };
}
function Et(t3, e, n, r2) {
  return (s) => {
    n("%s received %L bytes", e, s), r2("%B", s), t3.push(s);
  };
}
var Dn = class {
  constructor(e, n, r2) {
    this.cwd = e, this._scheduler = n, this._plugins = r2, this._chain = this.chain();
  }
  chain() {
    return new Pn(this, this._scheduler, this._plugins);
  }
  push(e) {
    return this._chain.push(e);
  }
};
function Ln(t3, e, n = W2) {
  const r2 = (o2) => {
    n(null, o2);
  }, s = (o2) => {
    o2?.task === t3 && n(o2, void 0);
  };
  e.then(r2, s);
}
function St(t3, e) {
  return tn((n) => {
    if (!Lt(t3))
      throw new Error(`Git.cwd: cannot change to non-directory "${t3}"`);
    return (e || n).cwd = t3;
  });
}
function Q2(t3) {
  const e = ["checkout", ...t3];
  return e[1] === "-b" && e.includes("-B") && (e[1] = ct(e, "-B")), g(e);
}
function jn() {
  return {
    checkout() {
      return this._runTask(
        Q2(h2(arguments, 1)),
        u(arguments)
      );
    },
    checkoutBranch(t3, e) {
      return this._runTask(
        Q2(["-b", t3, e, ...h2(arguments)]),
        u(arguments)
      );
    },
    checkoutLocalBranch(t3) {
      return this._runTask(
        Q2(["-b", t3, ...h2(arguments)]),
        u(arguments)
      );
    }
  };
}
var Yt = (t3, e, n) => {
  const r2 = ["clone", ...n];
  return m(t3) && r2.push(c(t3)), m(e) && r2.push(c(e)), g(r2);
};
var Bn = (t3, e, n) => (S2(n, "--mirror"), Yt(t3, e, n));
function Rt(t3, e, n, ...r2) {
  return m(n) ? e(n, d(r2[0], m), h2(arguments)) : b2(`git.${t3}() requires a string 'repoPath'`);
}
function In() {
  return {
    clone(t3, ...e) {
      return this._runTask(
        Rt("clone", Yt, d(t3, m), ...e),
        u(arguments)
      );
    },
    mirror(t3, ...e) {
      return this._runTask(
        Rt("mirror", Bn, d(t3, m), ...e),
        u(arguments)
      );
    }
  };
}
var Un = [
  new l2(/^\[([^\s]+)( \([^)]+\))? ([^\]]+)/, (t3, [e, n, r2]) => {
    t3.branch = e, t3.commit = r2, t3.root = !!n;
  }),
  new l2(/\s*Author:\s(.+)/i, (t3, [e]) => {
    const n = e.split("<"), r2 = n.pop();
    !r2 || !r2.includes("@") || (t3.author = {
      email: r2.substr(0, r2.length - 1),
      name: n.join("<").trim()
    });
  }),
  new l2(
    /(\d+)[^,]*(?:,\s*(\d+)[^,]*)(?:,\s*(\d+))/g,
    (t3, [e, n, r2]) => {
      t3.summary.changes = parseInt(e, 10) || 0, t3.summary.insertions = parseInt(n, 10) || 0, t3.summary.deletions = parseInt(r2, 10) || 0;
    }
  ),
  new l2(
    /^(\d+)[^,]*(?:,\s*(\d+)[^(]+\(([+-]))?/,
    (t3, [e, n, r2]) => {
      t3.summary.changes = parseInt(e, 10) || 0;
      const s = parseInt(n, 10) || 0;
      r2 === "-" ? t3.summary.deletions = s : r2 === "+" && (t3.summary.insertions = s);
    }
  )
];
function Fn(t3) {
  return E2({
    author: null,
    branch: "",
    commit: "",
    root: false,
    summary: {
      changes: 0,
      insertions: 0,
      deletions: 0
    }
  }, Un, t3);
}
function Gn(t3, e, n) {
  return {
    commands: [
      "-c",
      "core.abbrev=40",
      "commit",
      ...U(t3, "-m"),
      ...e,
      ...n
    ],
    format: "utf-8",
    parser: Fn
  };
}
function zn() {
  return {
    commit(e, ...n) {
      const r2 = u(arguments), s = t3(e) || Gn(
        v(e),
        v(d(n[0], G2, [])),
        [
          ...L2(d(n[1], K2, [])),
          ...h2(arguments, 0, true)
        ]
      );
      return this._runTask(s, r2);
    }
  };
  function t3(e) {
    return !G2(e) && b2(
      "git.commit: requires the commit message to be supplied as a string/string[]"
    );
  }
}
function qn() {
  return {
    count: 0,
    garbage: 0,
    inPack: 0,
    packs: 0,
    prunePackable: 0,
    size: 0,
    sizeGarbage: 0,
    sizePack: 0
  };
}
var Wn = new l2(
  /([a-z-]+): (\d+)$/,
  (t3, [e, n]) => {
    const r2 = jt(e);
    Object.hasOwn(t3, r2) && (t3[r2] = p(n));
  }
);
function Hn() {
  return {
    countObjects() {
      return this._runTask({
        commands: ["count-objects", "--verbose"],
        format: "utf-8",
        parser(t3) {
          return E2(qn(), [Wn], t3);
        }
      });
    }
  };
}
function Kn() {
  return {
    firstCommit() {
      return this._runTask(
        g(["rev-list", "--max-parents=0", "HEAD"], true),
        u(arguments)
      );
    }
  };
}
function Vn(t3, e) {
  const n = ["hash-object", t3];
  return e && n.push("-w"), g(n, true);
}
var J2 = class {
  constructor(e, n, r2, s) {
    this.bare = e, this.path = n, this.existing = r2, this.gitDir = s;
  }
};
var Xn = /^Init.+ repository in (.+)$/;
var Yn = /^Rein.+ in (.+)$/;
function Qn(t3, e, n) {
  const r2 = String(n).trim();
  let s;
  if (s = Xn.exec(r2))
    return new J2(t3, e, false, s[1]);
  if (s = Yn.exec(r2))
    return new J2(t3, e, true, s[1]);
  let o2 = "";
  const i = r2.split(" ");
  for (; i.length; )
    if (i.shift() === "in") {
      o2 = i.join(" ");
      break;
    }
  return new J2(t3, e, /^re/i.test(r2), o2);
}
var Qt = "--bare";
function Jn(t3) {
  return t3.includes(Qt);
}
function Zn(t3 = false, e, n) {
  const r2 = ["init", ...n];
  return t3 && !Jn(r2) && r2.splice(1, 0, Qt), {
    commands: r2,
    format: "utf-8",
    parser(s) {
      return Qn(r2.includes("--bare"), e, s);
    }
  };
}
function tr(t3) {
  return t3 === void 0 ? b2("interpretTrailers called without input content") : {
    format: "utf-8",
    parser(e) {
      return Object.fromEntries(
        ut(e, (n) => {
          const r2 = n.indexOf(":");
          return [
            jt(n.substring(0, r2).toLowerCase()),
            n.substring(r2 + 2).trim()
          ];
        })
      );
    },
    commands: ["interpret-trailers", "--parse"],
    input: t3
  };
}
function er() {
  return {
    interpretTrailers(t3) {
      return this._runTask(
        tr(d(t3, Be)),
        u(arguments)
      );
    }
  };
}
var R2 = /* @__PURE__ */ ((t3) => (t3.NONE = "", t3.STAT = "--stat", t3.NUM_STAT = "--numstat", t3.NAME_ONLY = "--name-only", t3.NAME_STATUS = "--name-status", t3))(R2 || {});
var Jt = /^--(stat|numstat|name-only|name-status)(=|$)/;
function pt(t3) {
  for (let e = 0; e < t3.length; e++) {
    const n = Jt.exec(t3[e]);
    if (n)
      return `--${n[1]}`;
  }
  return "";
}
function nr(t3) {
  return Jt.test(t3);
}
var rr = class {
  constructor() {
    this.changed = 0, this.deletions = 0, this.insertions = 0, this.files = [];
  }
};
var Ot = [
  new l2(
    /^(.+)\s+\|\s+(\d+)(\s+[+\-]+)?$/,
    (t3, [e, n, r2 = ""]) => {
      t3.files.push({
        file: e.trim(),
        changes: p(n),
        insertions: r2.replace(/[^+]/g, "").length,
        deletions: r2.replace(/[^-]/g, "").length,
        binary: false
      });
    }
  ),
  new l2(
    /^(.+) \|\s+Bin ([0-9.]+) -> ([0-9.]+) ([a-z]+)/,
    (t3, [e, n, r2]) => {
      t3.files.push({
        file: e.trim(),
        before: p(n),
        after: p(r2),
        binary: true
      });
    }
  ),
  new l2(/^(.+)\s+\|\s+Bin\s*$/, (t3, [e]) => {
    t3.files.push({
      file: e.trim(),
      before: 0,
      after: 0,
      binary: true
    });
  }),
  new l2(
    /(\d+) files? changed\s*((?:, \d+ [^,]+){0,2})/,
    (t3, [e, n]) => {
      const r2 = /(\d+) i/.exec(n), s = /(\d+) d/.exec(n);
      t3.changed = p(e), t3.insertions = p(r2?.[1]), t3.deletions = p(s?.[1]);
    }
  )
];
var sr = [
  new l2(
    /(\d+)\t(\d+)\t(.+)$/,
    (t3, [e, n, r2]) => {
      const s = p(e), o2 = p(n);
      t3.changed++, t3.insertions += s, t3.deletions += o2, t3.files.push({
        file: r2,
        changes: s + o2,
        insertions: s,
        deletions: o2,
        binary: false
      });
    }
  ),
  new l2(/-\t-\t(.+)$/, (t3, [e]) => {
    t3.changed++, t3.files.push({
      file: e,
      after: 0,
      before: 0,
      binary: true
    });
  })
];
var or = [
  new l2(/(.+)$/, (t3, [e]) => {
    t3.changed++, t3.files.push({
      file: e,
      changes: 0,
      insertions: 0,
      deletions: 0,
      binary: false
    });
  })
];
var ir = [
  new l2(
    /([ACDMRTUXB])([0-9]{0,3})\t(.[^\t]*)(\t(.[^\t]*))?$/,
    (t3, [e, n, r2, s, o2]) => {
      t3.changed++, t3.files.push({
        file: o2 ?? r2,
        changes: 0,
        insertions: 0,
        deletions: 0,
        binary: false,
        status: bt(_n(e) && e),
        from: bt(!!o2 && r2 !== o2 && r2),
        similarity: p(n)
      });
    }
  )
];
var ar = {
  [R2.NONE]: Ot,
  [R2.STAT]: Ot,
  [R2.NUM_STAT]: sr,
  [R2.NAME_STATUS]: ir,
  [R2.NAME_ONLY]: or
};
function Zt(t3 = R2.NONE) {
  const e = ar[t3];
  return (n) => E2(new rr(), e, n, false);
}
var te = "òòòòòò ";
var ee2 = " òò";
var ne2 = " ò ";
var ur = ["hash", "date", "message", "refs", "author_name", "author_email"];
function cr(t3, e) {
  return e.reduce(
    (n, r2, s) => (n[r2] = t3[s] || "", n),
    /* @__PURE__ */ Object.create({ diff: null })
  );
}
function re(t3 = ne2, e = ur, n = R2.NONE) {
  const r2 = Zt(n);
  return function(s) {
    const o2 = H2(
      s.trim(),
      false,
      te
    ).map(function(i) {
      const a = i.split(ee2), c3 = cr(a[0].split(t3), e);
      return a.length > 1 && a[1].trim() && (c3.diff = r2(a[1])), c3;
    });
    return {
      all: o2,
      latest: o2.length && o2[0] || null,
      total: o2.length
    };
  };
}
function fr(t3) {
  let e = pt(t3);
  const n = ["diff"];
  return e === R2.NONE && (e = R2.STAT, n.push("--stat=4096")), n.push(...t3), dt(n) || {
    commands: n,
    format: "utf-8",
    parser: Zt(e)
  };
}
function dt(t3) {
  const e = t3.filter(nr);
  if (e.length > 1)
    return b2(
      `Summary flags are mutually exclusive - pick one of ${e.join(",")}`
    );
  if (e.length && t3.includes("-z"))
    return b2(
      `Summary flag ${e} parsing is not compatible with null termination option '-z'`
    );
}
var se = /* @__PURE__ */ ((t3) => (t3[t3["--pretty"] = 0] = "--pretty", t3[t3["max-count"] = 1] = "max-count", t3[t3.maxCount = 2] = "maxCount", t3[t3.n = 3] = "n", t3[t3.file = 4] = "file", t3[t3.format = 5] = "format", t3[t3.from = 6] = "from", t3[t3.to = 7] = "to", t3[t3.splitter = 8] = "splitter", t3[t3.symmetric = 9] = "symmetric", t3[t3.mailMap = 10] = "mailMap", t3[t3.multiLine = 11] = "multiLine", t3[t3.strictDate = 12] = "strictDate", t3))(se || {});
function lr(t3, e) {
  const n = [], r2 = [];
  return Object.keys(t3).forEach((s) => {
    n.push(s), r2.push(String(t3[s]));
  }), [n, r2.join(e)];
}
function hr(t3) {
  return Object.keys(t3).reduce((e, n) => (n in se || (e[n] = t3[n]), e), {});
}
function oe2(t3 = {}, e = []) {
  const n = d(t3.splitter, m, ne2), r2 = lt(t3.format) ? t3.format : {
    hash: "%H",
    date: t3.strictDate === false ? "%ai" : "%aI",
    message: "%s",
    refs: "%D",
    body: t3.multiLine ? "%B" : "%b",
    author_name: t3.mailMap !== false ? "%aN" : "%an",
    author_email: t3.mailMap !== false ? "%aE" : "%ae"
  }, [s, o2] = lr(r2, n), i = [], a = [
    `--pretty=format:${te}${o2}${ee2}`,
    ...e
  ], c3 = t3.n || t3["max-count"] || t3.maxCount;
  if (c3 && a.push(`--max-count=${c3}`), t3.from || t3.to) {
    const y2 = t3.symmetric !== false ? "..." : "..";
    i.push(`${t3.from || ""}${y2}${t3.to || ""}`);
  }
  return m(t3.file) && a.push("--follow", c(t3.file)), It(hr(t3), a), {
    fields: s,
    splitter: n,
    commands: [...a, ...i]
  };
}
function mr(t3, e, n) {
  const r2 = re(t3, e, pt(n));
  return {
    commands: ["log", ...n],
    format: "utf-8",
    parser: r2
  };
}
function pr() {
  return {
    log(...n) {
      const r2 = u(arguments), s = oe2(
        ht(arguments),
        L2(d(arguments[0], K2, []))
      ), o2 = e(...n) || dt(s.commands) || t3(s);
      return this._runTask(o2, r2);
    }
  };
  function t3(n) {
    return mr(n.splitter, n.fields, n.commands);
  }
  function e(n, r2) {
    return m(n) && m(r2) && b2(
      "git.log(string, string) should be replaced with git.log({ from: string, to: string })"
    );
  }
}
var Z2 = class {
  constructor(e, n = null, r2) {
    this.reason = e, this.file = n, this.meta = r2;
  }
  toString() {
    return `${this.file}:${this.reason}`;
  }
};
var dr = class {
  constructor() {
    this.conflicts = [], this.merges = [], this.result = "success";
  }
  get failed() {
    return this.conflicts.length > 0;
  }
  get reason() {
    return this.result;
  }
  toString() {
    return this.conflicts.length ? `CONFLICTS: ${this.conflicts.join(", ")}` : "OK";
  }
};
var ie = class {
  constructor() {
    this.remoteMessages = {
      all: []
    }, this.created = [], this.deleted = [], this.files = [], this.deletions = {}, this.insertions = {}, this.summary = {
      changes: 0,
      deletions: 0,
      insertions: 0
    };
  }
};
var gr = class {
  constructor() {
    this.remote = "", this.hash = {
      local: "",
      remote: ""
    }, this.branch = {
      local: "",
      remote: ""
    }, this.message = "";
  }
  toString() {
    return this.message;
  }
};
function tt(t3) {
  return t3.objects = t3.objects || {
    compressing: 0,
    counting: 0,
    enumerating: 0,
    packReused: 0,
    reused: { count: 0, delta: 0 },
    total: { count: 0, delta: 0 }
  };
}
function Ct(t3) {
  const e = /^\s*(\d+)/.exec(t3), n = /delta (\d+)/i.exec(t3);
  return {
    count: p(e && e[1] || "0"),
    delta: p(n && n[1] || "0")
  };
}
var yr = [
  new x2(
    /^remote:\s*(enumerating|counting|compressing) objects: (\d+),/i,
    (t3, [e, n]) => {
      const r2 = e.toLowerCase(), s = tt(t3.remoteMessages);
      Object.assign(s, { [r2]: p(n) });
    }
  ),
  new x2(
    /^remote:\s*(enumerating|counting|compressing) objects: \d+% \(\d+\/(\d+)\),/i,
    (t3, [e, n]) => {
      const r2 = e.toLowerCase(), s = tt(t3.remoteMessages);
      Object.assign(s, { [r2]: p(n) });
    }
  ),
  new x2(
    /total ([^,]+), reused ([^,]+), pack-reused (\d+)/i,
    (t3, [e, n, r2]) => {
      const s = tt(t3.remoteMessages);
      s.total = Ct(e), s.reused = Ct(n), s.packReused = p(r2);
    }
  )
];
var wr = [
  new x2(/^remote:\s*(.+)$/, (t3, [e]) => (t3.remoteMessages.all.push(e.trim()), false)),
  ...yr,
  new x2(
    [/create a (?:pull|merge) request/i, /\s(https?:\/\/\S+)$/],
    (t3, [e]) => {
      t3.remoteMessages.pullRequestUrl = e;
    }
  ),
  new x2(
    [/found (\d+) vulnerabilities.+\(([^)]+)\)/i, /\s(https?:\/\/\S+)$/],
    (t3, [e, n, r2]) => {
      t3.remoteMessages.vulnerabilities = {
        count: p(e),
        summary: n,
        url: r2
      };
    }
  )
];
function ae(t3, e) {
  return E2({ remoteMessages: new br() }, wr, e);
}
var br = class {
  constructor() {
    this.all = [];
  }
};
var Tr = /^\s*(.+?)\s+\|\s+\d+\s*(\+*)(-*)/;
var kr = /(\d+)\D+((\d+)\D+\(\+\))?(\D+(\d+)\D+\(-\))?/;
var _r = /^(create|delete) mode \d+ (.+)/;
var vr = [
  new l2(Tr, (t3, [e, n, r2]) => {
    t3.files.push(e), n && (t3.insertions[e] = n.length), r2 && (t3.deletions[e] = r2.length);
  }),
  new l2(kr, (t3, [e, , n, , r2]) => n !== void 0 || r2 !== void 0 ? (t3.summary.changes = +e || 0, t3.summary.insertions = +n || 0, t3.summary.deletions = +r2 || 0, true) : false),
  new l2(_r, (t3, [e, n]) => {
    S2(t3.files, n), S2(e === "create" ? t3.created : t3.deleted, n);
  })
];
var Er = [
  new l2(/^from\s(.+)$/i, (t3, [e]) => {
    t3.remote = e;
  }),
  new l2(/^fatal:\s(.+)$/, (t3, [e]) => {
    t3.message = e;
  }),
  new l2(
    /([a-z0-9]+)\.\.([a-z0-9]+)\s+(\S+)\s+->\s+(\S+)$/,
    (t3, [e, n, r2, s]) => {
      t3.branch.local = r2, t3.hash.local = e, t3.branch.remote = s, t3.hash.remote = n;
    }
  )
];
var Sr = (t3, e) => E2(new ie(), vr, [t3, e]);
var ue = (t3, e) => Object.assign(
  new ie(),
  Sr(t3, e),
  ae(t3, e)
);
function Rr(t3, e) {
  const n = E2(new gr(), Er, [t3, e]);
  return n.message && n;
}
var Or = [
  new l2(/^Auto-merging\s+(.+)$/, (t3, [e]) => {
    t3.merges.push(e);
  }),
  new l2(/^CONFLICT\s+\((.+)\): Merge conflict in (.+)$/, (t3, [e, n]) => {
    t3.conflicts.push(new Z2(e, n));
  }),
  new l2(
    /^CONFLICT\s+\((.+\/delete)\): (.+) deleted in (.+) and/,
    (t3, [e, n, r2]) => {
      t3.conflicts.push(new Z2(e, n, { deleteRef: r2 }));
    }
  ),
  new l2(/^CONFLICT\s+\((.+)\):/, (t3, [e]) => {
    t3.conflicts.push(new Z2(e, null));
  }),
  new l2(/^Automatic merge failed;\s+(.+)$/, (t3, [e]) => {
    t3.result = e;
  })
];
var Cr = (t3, e) => Object.assign(Ar(t3), ue(t3, e));
var Ar = (t3) => E2(new dr(), Or, t3);
function At(t3) {
  return t3.length ? {
    commands: ["merge", ...t3],
    format: "utf-8",
    parser(e, n) {
      const r2 = Cr(e, n);
      if (r2.failed)
        throw new at(r2);
      return r2;
    }
  } : b2("Git.merge requires at least one option");
}
function xr(t3, e, n) {
  const r2 = n.includes("deleted"), s = n.includes("tag") || /^refs\/tags/.test(t3), o2 = !n.includes("new");
  return {
    deleted: r2,
    tag: s,
    branch: !s,
    new: !o2,
    alreadyUpdated: o2,
    local: t3,
    remote: e
  };
}
var Nr = [
  new l2(/^Pushing to (.+)$/, (t3, [e]) => {
    t3.repo = e;
  }),
  new l2(/^updating local tracking ref '(.+)'/, (t3, [e]) => {
    t3.ref = {
      ...t3.ref || {},
      local: e
    };
  }),
  new l2(/^[=*-]\s+([^:]+):(\S+)\s+\[(.+)]$/, (t3, [e, n, r2]) => {
    t3.pushed.push(xr(e, n, r2));
  }),
  new l2(
    /^Branch '([^']+)' set up to track remote branch '([^']+)' from '([^']+)'/,
    (t3, [e, n, r2]) => {
      t3.branch = {
        ...t3.branch || {},
        local: e,
        remote: n,
        remoteName: r2
      };
    }
  ),
  new l2(
    /^([^:]+):(\S+)\s+([a-z0-9]+)\.\.([a-z0-9]+)$/,
    (t3, [e, n, r2, s]) => {
      t3.update = {
        head: {
          local: e,
          remote: n
        },
        hash: {
          from: r2,
          to: s
        }
      };
    }
  )
];
var $r = (t3, e) => {
  const n = Pr(t3, e), r2 = ae(t3, e);
  return {
    ...n,
    ...r2
  };
};
var Pr = (t3, e) => E2({ pushed: [] }, Nr, [t3, e]);
function Mr(t3 = {}, e) {
  return S2(e, "--tags"), ce(t3, e);
}
function ce(t3 = {}, e) {
  const n = ["push", ...e];
  return t3.branch && n.splice(1, 0, t3.branch), t3.remote && n.splice(1, 0, t3.remote), ct(n, "-v"), S2(n, "--verbose"), S2(n, "--porcelain"), {
    commands: n,
    format: "utf-8",
    parser: $r
  };
}
function Dr() {
  return {
    showBuffer() {
      const t3 = ["show", ...h2(arguments, 1)];
      return t3.includes("--binary") || t3.splice(1, 0, "--binary"), this._runTask(
        Gt(t3),
        u(arguments)
      );
    },
    show() {
      const t3 = ["show", ...h2(arguments, 1)];
      return this._runTask(
        g(t3),
        u(arguments)
      );
    }
  };
}
var Lr = /^(.+)\0(.+)$/;
var jr = class {
  constructor(e, n, r2) {
    if (this.path = e, this.index = n, this.working_dir = r2, n === "R" || r2 === "R") {
      const s = Lr.exec(e) || [null, e, e];
      this.from = s[2] || "", this.path = s[1] || "";
    }
  }
};
var Br = class {
  constructor() {
    this.not_added = [], this.conflicted = [], this.created = [], this.deleted = [], this.ignored = void 0, this.modified = [], this.renamed = [], this.files = [], this.staged = [], this.ahead = 0, this.behind = 0, this.current = null, this.tracking = null, this.detached = false, this.isClean = () => !this.files.length;
  }
};
function xt(t3) {
  const [e, n] = t3.split(I2);
  return {
    from: n || e,
    to: e
  };
}
function _2(t3, e, n) {
  return [`${t3}${e}`, n];
}
function et(t3, ...e) {
  return e.map((n) => _2(t3, n, (r2, s) => r2.conflicted.push(s)));
}
var Ir = new Map([
  _2(
    " ",
    "A",
    (t3, e) => t3.created.push(e)
  ),
  _2(
    " ",
    "D",
    (t3, e) => t3.deleted.push(e)
  ),
  _2(
    " ",
    "M",
    (t3, e) => t3.modified.push(e)
  ),
  _2("A", " ", (t3, e) => {
    t3.created.push(e), t3.staged.push(e);
  }),
  _2("A", "M", (t3, e) => {
    t3.created.push(e), t3.staged.push(e), t3.modified.push(e);
  }),
  _2("D", " ", (t3, e) => {
    t3.deleted.push(e), t3.staged.push(e);
  }),
  _2("M", " ", (t3, e) => {
    t3.modified.push(e), t3.staged.push(e);
  }),
  _2("M", "M", (t3, e) => {
    t3.modified.push(e), t3.staged.push(e);
  }),
  _2("R", " ", (t3, e) => {
    t3.renamed.push(xt(e));
  }),
  _2("R", "M", (t3, e) => {
    const n = xt(e);
    t3.renamed.push(n), t3.modified.push(n.to);
  }),
  _2("!", "!", (t3, e) => {
    (t3.ignored = t3.ignored || []).push(e);
  }),
  _2(
    "?",
    "?",
    (t3, e) => t3.not_added.push(e)
  ),
  ...et(
    "A",
    "A",
    "U"
    /* UNMERGED */
  ),
  ...et(
    "D",
    "D",
    "U"
    /* UNMERGED */
  ),
  ...et(
    "U",
    "A",
    "D",
    "U"
    /* UNMERGED */
  ),
  [
    "##",
    (t3, e) => {
      const n = /ahead (\d+)/, r2 = /behind (\d+)/, s = /^(.+?(?=(?:\.{3}|\s|$)))/, o2 = /\.{3}(\S*)/, i = /\son\s(\S+?)(?=\.{3}|$)/;
      let a = n.exec(e);
      t3.ahead = a && +a[1] || 0, a = r2.exec(e), t3.behind = a && +a[1] || 0, a = s.exec(e), t3.current = d(a?.[1], m, null), a = o2.exec(e), t3.tracking = d(a?.[1], m, null), a = i.exec(e), a && (t3.current = d(a?.[1], m, t3.current)), t3.detached = /\(no branch\)/.test(e);
    }
  ]
]);
var Ur = function(t3) {
  const e = t3.split(I2), n = new Br();
  for (let r2 = 0, s = e.length; r2 < s; ) {
    let o2 = e[r2++].trim();
    o2 && (o2.charAt(0) === "R" && (o2 += I2 + (e[r2++] || "")), Fr(n, o2));
  }
  return n;
};
function Fr(t3, e) {
  const n = e.trim();
  switch (" ") {
    case n.charAt(2):
      return r2(n.charAt(0), n.charAt(1), n.slice(3));
    case n.charAt(1):
      return r2(" ", n.charAt(0), n.slice(2));
    default:
      return;
  }
  function r2(s, o2, i) {
    const a = `${s}${o2}`, c3 = Ir.get(a);
    c3 && c3(t3, i), a !== "##" && a !== "!!" && t3.files.push(new jr(i, s, o2));
  }
}
var Gr = ["--null", "-z"];
function zr(t3) {
  return {
    format: "utf-8",
    commands: [
      "status",
      "--porcelain",
      "-b",
      "-u",
      "--null",
      ...t3.filter((n) => !Gr.includes(n))
    ],
    parser(n) {
      return Ur(n);
    }
  };
}
var fe = "installed=false";
function q2(t3 = 0, e = 0, n = 0, r2 = "", s = true) {
  return Object.defineProperty(
    {
      major: t3,
      minor: e,
      patch: n,
      agent: r2,
      installed: s
    },
    "toString",
    {
      value() {
        return `${this.major}.${this.minor}.${this.patch}`;
      },
      configurable: false,
      enumerable: false
    }
  );
}
function qr() {
  return q2(0, 0, 0, "", false);
}
function Wr() {
  return {
    version() {
      return this._runTask({
        commands: ["--version"],
        format: "utf-8",
        parser: Kr,
        onError(t3, e, n, r2) {
          if (t3.exitCode === V2.NOT_FOUND)
            return n(Buffer.from(fe));
          r2(e);
        }
      });
    }
  };
}
var Hr = [
  new l2(
    /version (\d+)\.(\d+)\.(\d+)(?:\s*\((.+)\))?/,
    (t3, [e, n, r2, s = ""]) => {
      Object.assign(
        t3,
        q2(p(e), p(n), p(r2), s)
      );
    }
  ),
  new l2(
    /version (\d+)\.(\d+)\.(\D+)(.+)?$/,
    (t3, [e, n, r2, s = ""]) => {
      Object.assign(t3, q2(p(e), p(n), r2, s));
    }
  )
];
function Kr(t3) {
  return t3 === fe ? qr() : E2(q2(0, 0, 0, t3), Hr, t3);
}
var le = class {
  constructor(e) {
    this._executor = e;
  }
  _runTask(e, n) {
    const r2 = this._executor.chain(), s = r2.push(e);
    return n && Ln(e, s, n), Object.create(this, {
      then: { value: s.then.bind(s) },
      catch: { value: s.catch.bind(s) },
      _executor: { value: r2 }
    });
  }
  add(e) {
    return this._runTask(
      g(["add", ...v(e)]),
      u(arguments)
    );
  }
  cwd(e) {
    const n = u(arguments);
    return typeof e == "string" ? this._runTask(St(e, this._executor), n) : typeof e?.path == "string" ? this._runTask(
      St(
        e.path,
        e.root && this._executor || void 0
      ),
      n
    ) : this._runTask(
      b2("Git.cwd: workingDirectory must be supplied as a string"),
      n
    );
  }
  hashObject(e, n) {
    return this._runTask(
      Vn(e, n === true),
      u(arguments)
    );
  }
  init(e) {
    return this._runTask(
      Zn(e === true, this._executor.cwd, h2(arguments)),
      u(arguments)
    );
  }
  merge() {
    return this._runTask(
      At(h2(arguments)),
      u(arguments)
    );
  }
  mergeFromTo(e, n) {
    return m(e) && m(n) ? this._runTask(
      At([e, n, ...h2(arguments)]),
      u(arguments, false)
    ) : this._runTask(
      b2(
        "Git.mergeFromTo requires that the 'remote' and 'branch' arguments are supplied as strings"
      )
    );
  }
  outputHandler(e) {
    return this._executor.outputHandler = e, this;
  }
  push() {
    const e = ce(
      {
        remote: d(arguments[0], m),
        branch: d(arguments[1], m)
      },
      h2(arguments)
    );
    return this._runTask(e, u(arguments));
  }
  stash() {
    return this._runTask(
      g(["stash", ...h2(arguments)]),
      u(arguments)
    );
  }
  status() {
    return this._runTask(
      zr(h2(arguments)),
      u(arguments)
    );
  }
};
Object.assign(
  le.prototype,
  jn(),
  In(),
  zn(),
  Tn(),
  Hn(),
  Kn(),
  On(),
  er(),
  pr(),
  Dr(),
  Wr()
);
var Vr = /* @__PURE__ */ (() => {
  let t3 = 0;
  return () => {
    t3++;
    const { promise: e, done: n } = (0, import_promise_deferred.createDeferred)();
    return {
      promise: e,
      done: n,
      id: t3
    };
  };
})();
var Xr = class {
  constructor(e = 2) {
    this.concurrency = e, this.logger = $2("", "scheduler"), this.pending = [], this.running = [], this.logger("Constructed, concurrency=%s", e);
  }
  schedule() {
    if (!this.pending.length || this.running.length >= this.concurrency) {
      this.logger(
        "Schedule attempt ignored, pending=%s running=%s concurrency=%s",
        this.pending.length,
        this.running.length,
        this.concurrency
      );
      return;
    }
    const e = S2(this.running, this.pending.shift());
    this.logger("Attempting id=%s", e.id), e.done(() => {
      this.logger("Completing id=", e.id), ct(this.running, e), this.schedule();
    });
  }
  next() {
    const { promise: e, id: n } = S2(this.pending, Vr());
    return this.logger("Scheduling id=%s", n), this.schedule(), e;
  }
};
function Yr(t3, e) {
  return g(["apply", ...e, ...t3]);
}
var he = /* @__PURE__ */ ((t3) => (t3.CURRENT = "*", t3.LINKED = "+", t3))(he || {});
var Qr = class {
  constructor() {
    this.all = [], this.branches = {}, this.current = "", this.detached = false;
  }
  push(e, n, r2, s, o2) {
    e === "*" && (this.detached = n, this.current = r2), this.all.push(r2), this.branches[r2] = {
      current: e === "*",
      linkedWorkTree: e === "+",
      name: r2,
      commit: s,
      label: o2
    };
  }
};
var Jr = [
  new l2(
    /^([*+]\s)?\((?:HEAD )?detached (?:from|at) (\S+)\)\s+([a-z0-9]+)\s(.*)$/,
    (t3, [e, n, r2, s]) => {
      t3.push(Nt(e), true, n, r2, s);
    }
  ),
  new l2(
    /^([*+]\s)?(\S+)\s+([a-z0-9]+)\s?(.*)$/s,
    (t3, [e, n, r2, s]) => {
      t3.push(Nt(e), false, n, r2, s);
    }
  )
];
var Zr = new l2(/^(\S+)$/s, (t3, [e]) => {
  t3.push(he.CURRENT, false, e, "", "");
});
function Nt(t3) {
  return t3 ? t3.charAt(0) : "";
}
function me(t3, e = false) {
  return E2(
    new Qr(),
    e ? [Zr] : Jr,
    t3
  );
}
var ts = class {
  constructor() {
    this.all = [], this.branches = {}, this.errors = [];
  }
  get success() {
    return !this.errors.length;
  }
};
function es(t3, e) {
  return {
    branch: t3,
    hash: e,
    success: true
  };
}
function ns(t3) {
  return {
    branch: t3,
    hash: null,
    success: false
  };
}
var rs = /(\S+)\s+\(\S+\s([^)]+)\)/;
var pe = /^error[^']+'([^']+)'/m;
var ss = [
  new l2(rs, (t3, [e, n]) => {
    const r2 = es(e, n);
    t3.all.push(r2), t3.branches[e] = r2;
  }),
  new l2(pe, (t3, [e]) => {
    const n = ns(e);
    t3.errors.push(n), t3.all.push(n), t3.branches[e] = n;
  })
];
var gt = (t3, e) => E2(new ts(), ss, [t3, e]);
function de(t3, e) {
  return e === V2.ERROR && pe.test(t3);
}
function os(t3) {
  const e = ["-d", "-D", "--delete"];
  return t3.some((n) => e.includes(n));
}
function is(t3) {
  const e = os(t3), n = t3.includes("--show-current"), r2 = ["branch", ...t3];
  return r2.length === 1 && r2.push("-a"), r2.includes("-v") || r2.splice(1, 0, "-v"), {
    format: "utf-8",
    commands: r2,
    parser(s, o2) {
      return e ? gt(s, o2).all[0] : me(s, n);
    }
  };
}
function as() {
  return {
    format: "utf-8",
    commands: ["branch", "-v"],
    parser(t3) {
      return me(t3);
    }
  };
}
function us(t3, e = false) {
  return {
    format: "utf-8",
    commands: ["branch", "-v", e ? "-D" : "-d", ...t3],
    parser(n, r2) {
      return gt(n, r2);
    },
    onError({ exitCode: n, stdOut: r2 }, s, o2, i) {
      if (!de(String(s), n))
        return i(s);
      o2(r2);
    }
  };
}
function cs(t3, e = false) {
  const n = {
    format: "utf-8",
    commands: ["branch", "-v", e ? "-D" : "-d", t3],
    parser(r2, s) {
      return gt(r2, s).branches[t3];
    },
    onError({ exitCode: r2, stdErr: s, stdOut: o2 }, i, a, c3) {
      if (!de(String(i), r2))
        return c3(i);
      throw new at(
        n.parser(F2(o2), F2(s)),
        String(i)
      );
    }
  };
  return n;
}
function fs(t3) {
  return {
    commands: ["check-ignore", ...t3],
    format: "utf-8",
    parser: ls
  };
}
function ls(t3) {
  return t3.split(/\n/g).map(hs).filter(Boolean);
}
function hs(t3) {
  const e = t3.trim().replace(/^["']|["']$/g, "");
  return e && Se(e);
}
var ms = [
  new l2(/From (.+)$/, (t3, [e]) => {
    t3.remote = e;
  }),
  new l2(/\* \[new branch]\s+(\S+)\s*-> (.+)$/, (t3, [e, n]) => {
    t3.branches.push({
      name: e,
      tracking: n
    });
  }),
  new l2(/\* \[new tag]\s+(\S+)\s*-> (.+)$/, (t3, [e, n]) => {
    t3.tags.push({
      name: e,
      tracking: n
    });
  }),
  new l2(/- \[deleted]\s+\S+\s*-> (.+)$/, (t3, [e]) => {
    t3.deleted.push({
      tracking: e
    });
  }),
  new l2(
    /\s*([^.]+)\.\.(\S+)\s+(\S+)\s*-> (.+)$/,
    (t3, [e, n, r2, s]) => {
      t3.updated.push({
        name: r2,
        tracking: s,
        to: n,
        from: e
      });
    }
  )
];
function ps(t3, e) {
  return E2({
    raw: t3,
    remote: null,
    branches: [],
    tags: [],
    updated: [],
    deleted: []
  }, ms, [t3, e]);
}
function ds(t3) {
  return /^--upload-pack(=|$)/.test(t3);
}
function gs(t3, e, n) {
  const r2 = ["fetch", ...n];
  return t3 && e && r2.push(t3, e), r2.find(ds) ? b2("git.fetch: potential exploit argument blocked.") : {
    commands: r2,
    format: "utf-8",
    parser: ps
  };
}
var ys = [
  new l2(/^Renaming (.+) to (.+)$/, (t3, [e, n]) => {
    t3.moves.push({ from: e, to: n });
  })
];
function ws(t3) {
  return E2({ moves: [] }, ys, t3);
}
function bs(t3, e) {
  return {
    commands: ["mv", "-v", ...v(t3), e],
    format: "utf-8",
    parser: ws
  };
}
function Ts(t3, e, n) {
  const r2 = ["pull", ...n];
  return t3 && e && r2.splice(1, 0, t3, e), {
    commands: r2,
    format: "utf-8",
    parser(s, o2) {
      return ue(s, o2);
    },
    onError(s, o2, i, a) {
      const c3 = Rr(
        F2(s.stdOut),
        F2(s.stdErr)
      );
      if (c3)
        return a(new at(c3));
      a(o2);
    }
  };
}
function ks(t3) {
  const e = {};
  return ge(t3, ([n]) => e[n] = { name: n }), Object.values(e);
}
function _s(t3) {
  const e = {};
  return ge(t3, ([n, r2, s]) => {
    Object.hasOwn(e, n) || (e[n] = {
      name: n,
      refs: { fetch: "", push: "" }
    }), s && r2 && (e[n].refs[s.replace(/[^a-z]/g, "")] = r2);
  }), Object.values(e);
}
function ge(t3, e) {
  ut(t3, (n) => e(n.split(/\s+/)));
}
function vs(t3, e, n) {
  return g(["remote", "add", ...n, t3, e]);
}
function Es(t3) {
  const e = ["remote"];
  return t3 && e.push("-v"), {
    commands: e,
    format: "utf-8",
    parser: t3 ? _s : ks
  };
}
function Ss(t3) {
  const e = [...t3];
  return e[0] !== "ls-remote" && e.unshift("ls-remote"), g(e);
}
function Rs(t3) {
  const e = [...t3];
  return e[0] !== "remote" && e.unshift("remote"), g(e);
}
function Os(t3) {
  return g(["remote", "remove", t3]);
}
function Cs(t3 = {}, e) {
  const n = oe2(t3), r2 = ["stash", "list", ...n.commands, ...e], s = re(
    n.splitter,
    n.fields,
    pt(r2)
  );
  return dt(r2) || {
    commands: r2,
    format: "utf-8",
    parser: s
  };
}
function As(t3, e) {
  return X2(["add", t3, e]);
}
function xs(t3) {
  return X2(["init", ...t3]);
}
function X2(t3) {
  const e = [...t3];
  return e[0] !== "submodule" && e.unshift("submodule"), g(e);
}
function Ns(t3) {
  return X2(["update", ...t3]);
}
var $s = class {
  constructor(e, n) {
    this.all = e, this.latest = n;
  }
};
var Ps = function(t3, e = false) {
  const n = t3.split(`
`).map(Ds).filter(Boolean);
  e || n.sort(function(s, o2) {
    const i = s.split("."), a = o2.split(".");
    if (i.length === 1 || a.length === 1)
      return Ms(B2(i[0]), B2(a[0]));
    for (let c3 = 0, y2 = Math.max(i.length, a.length); c3 < y2; c3++) {
      const w2 = ye(B2(i[c3]), B2(a[c3]));
      if (w2)
        return w2;
    }
    return 0;
  });
  const r2 = e ? n[0] : [...n].reverse().find((s) => s.indexOf(".") >= 0);
  return new $s(n, r2);
};
function Ms(t3, e) {
  const n = Number.isNaN(t3), r2 = Number.isNaN(e);
  return n !== r2 ? n ? 1 : -1 : n ? ye(t3, e) : 0;
}
function ye(t3, e) {
  return t3 === e ? 0 : t3 > e ? 1 : -1;
}
function Ds(t3) {
  return t3.trim();
}
function B2(t3) {
  return typeof t3 == "string" && parseInt(t3.replace(/^\D+/g, ""), 10) || 0;
}
function Ls(t3 = []) {
  const e = t3.some((n) => /^--sort=/.test(n));
  return {
    format: "utf-8",
    commands: ["tag", "-l", ...t3],
    parser(n) {
      return Ps(n, e);
    }
  };
}
function js(t3) {
  return {
    format: "utf-8",
    commands: ["tag", t3],
    parser() {
      return { name: t3 };
    }
  };
}
function Bs(t3, e) {
  return {
    format: "utf-8",
    commands: ["tag", "-a", "-m", e, t3],
    parser() {
      return { name: t3 };
    }
  };
}
function f2(t3, e) {
  this._plugins = e, this._executor = new Dn(
    t3.baseDir,
    new Xr(t3.maxConcurrentProcesses),
    e
  ), this._trimmed = t3.trimmed;
}
(f2.prototype = Object.create(le.prototype)).constructor = f2;
f2.prototype.customBinary = function(t3) {
  return this._plugins.reconfigure("binary", t3), this;
};
f2.prototype.env = function(t3, e) {
  return arguments.length === 1 && typeof t3 == "object" ? this._executor.env = t3 : (this._executor.env = this._executor.env || {})[t3] = e, this;
};
f2.prototype.stashList = function(t3) {
  return this._runTask(
    Cs(
      ht(arguments) || {},
      K2(t3) && t3 || []
    ),
    u(arguments)
  );
};
f2.prototype.mv = function(t3, e) {
  return this._runTask(bs(t3, e), u(arguments));
};
f2.prototype.checkoutLatestTag = function(t3) {
  var e = this;
  return this.pull(function() {
    e.tags(function(n, r2) {
      e.checkout(r2.latest, t3);
    });
  });
};
f2.prototype.pull = function(t3, e, n, r2) {
  return this._runTask(
    Ts(
      d(t3, m),
      d(e, m),
      h2(arguments)
    ),
    u(arguments)
  );
};
f2.prototype.fetch = function(t3, e) {
  return this._runTask(
    gs(
      d(t3, m),
      d(e, m),
      h2(arguments)
    ),
    u(arguments)
  );
};
f2.prototype.tags = function(t3, e) {
  return this._runTask(
    Ls(h2(arguments)),
    u(arguments)
  );
};
f2.prototype.rebase = function() {
  return this._runTask(
    g(["rebase", ...h2(arguments)]),
    u(arguments)
  );
};
f2.prototype.reset = function(t3) {
  return this._runTask(
    An(xn(t3), h2(arguments)),
    u(arguments)
  );
};
f2.prototype.revert = function(t3) {
  const e = u(arguments);
  return typeof t3 != "string" ? this._runTask(b2("Commit must be a string"), e) : this._runTask(
    g(["revert", ...h2(arguments, 0, true), t3]),
    e
  );
};
f2.prototype.addTag = function(t3) {
  const e = typeof t3 == "string" ? js(t3) : b2("Git.addTag requires a tag name");
  return this._runTask(e, u(arguments));
};
f2.prototype.addAnnotatedTag = function(t3, e) {
  return this._runTask(
    Bs(t3, e),
    u(arguments)
  );
};
f2.prototype.deleteLocalBranch = function(t3, e, n) {
  return this._runTask(
    cs(t3, typeof e == "boolean" ? e : false),
    u(arguments)
  );
};
f2.prototype.deleteLocalBranches = function(t3, e, n) {
  return this._runTask(
    us(t3, typeof e == "boolean" ? e : false),
    u(arguments)
  );
};
f2.prototype.branch = function(t3, e) {
  return this._runTask(
    is(h2(arguments)),
    u(arguments)
  );
};
f2.prototype.branchLocal = function(t3) {
  return this._runTask(as(), u(arguments));
};
f2.prototype.raw = function(t3) {
  const e = !Array.isArray(t3), n = [].slice.call(e ? arguments : t3, 0);
  for (let s = 0; s < n.length && e; s++)
    if (!st(n[s])) {
      n.splice(s, n.length - s);
      break;
    }
  n.push(...h2(arguments, 0, true));
  var r2 = u(arguments);
  return n.length ? this._runTask(g(n, this._trimmed), r2) : this._runTask(
    b2("Raw: must supply one or more command to execute"),
    r2
  );
};
f2.prototype.submoduleAdd = function(t3, e, n) {
  return this._runTask(As(t3, e), u(arguments));
};
f2.prototype.submoduleUpdate = function(t3, e) {
  return this._runTask(
    Ns(h2(arguments, true)),
    u(arguments)
  );
};
f2.prototype.submoduleInit = function(t3, e) {
  return this._runTask(
    xs(h2(arguments, true)),
    u(arguments)
  );
};
f2.prototype.subModule = function(t3, e) {
  return this._runTask(
    X2(h2(arguments)),
    u(arguments)
  );
};
f2.prototype.listRemote = function() {
  return this._runTask(
    Ss(h2(arguments)),
    u(arguments)
  );
};
f2.prototype.addRemote = function(t3, e, n) {
  return this._runTask(
    vs(t3, e, h2(arguments)),
    u(arguments)
  );
};
f2.prototype.removeRemote = function(t3, e) {
  return this._runTask(Os(t3), u(arguments));
};
f2.prototype.getRemotes = function(t3, e) {
  return this._runTask(Es(t3 === true), u(arguments));
};
f2.prototype.remote = function(t3, e) {
  return this._runTask(
    Rs(h2(arguments)),
    u(arguments)
  );
};
f2.prototype.tag = function(t3, e) {
  const n = h2(arguments);
  return n[0] !== "tag" && n.unshift("tag"), this._runTask(g(n), u(arguments));
};
f2.prototype.updateServerInfo = function(t3) {
  return this._runTask(
    g(["update-server-info"]),
    u(arguments)
  );
};
f2.prototype.pushTags = function(t3, e) {
  const n = Mr(
    { remote: d(t3, m) },
    h2(arguments)
  );
  return this._runTask(n, u(arguments));
};
f2.prototype.rm = function(t3) {
  return this._runTask(
    g(["rm", "-f", ...v(t3)]),
    u(arguments)
  );
};
f2.prototype.rmKeepLocal = function(t3) {
  return this._runTask(
    g(["rm", "--cached", ...v(t3)]),
    u(arguments)
  );
};
f2.prototype.catFile = function(t3, e) {
  return this._catFile("utf-8", arguments);
};
f2.prototype.binaryCatFile = function() {
  return this._catFile("buffer", arguments);
};
f2.prototype._catFile = function(t3, e) {
  var n = u(e), r2 = ["cat-file"], s = e[0];
  if (typeof s == "string")
    return this._runTask(
      b2("Git.catFile: options must be supplied as an array of strings"),
      n
    );
  Array.isArray(s) && r2.push.apply(r2, s);
  const o2 = t3 === "buffer" ? Gt(r2) : g(r2);
  return this._runTask(o2, n);
};
f2.prototype.diff = function(t3, e) {
  const n = m(t3) ? b2(
    "git.diff: supplying options as a single string is no longer supported, switch to an array of strings"
  ) : g(["diff", ...h2(arguments)]);
  return this._runTask(n, u(arguments));
};
f2.prototype.diffSummary = function() {
  return this._runTask(
    fr(h2(arguments, 1)),
    u(arguments)
  );
};
f2.prototype.applyPatch = function(t3) {
  const e = G2(t3) ? Yr(v(t3), h2([].slice.call(arguments, 1))) : b2(
    "git.applyPatch requires one or more string patches as the first argument"
  );
  return this._runTask(e, u(arguments));
};
f2.prototype.revparse = function() {
  const t3 = ["rev-parse", ...h2(arguments, true)];
  return this._runTask(
    g(t3, true),
    u(arguments)
  );
};
f2.prototype.clean = function(t3, e, n) {
  const r2 = un(t3), s = r2 && t3.join("") || d(t3, m) || "", o2 = h2([].slice.call(arguments, r2 ? 1 : 0));
  return this._runTask(
    on(s, o2),
    u(arguments)
  );
};
f2.prototype.exec = function(t3) {
  const e = {
    commands: [],
    format: "utf-8",
    parser() {
      typeof t3 == "function" && t3();
    }
  };
  return this._runTask(e);
};
f2.prototype.checkIgnore = function(t3, e) {
  return this._runTask(
    fs(v(d(t3, G2, []))),
    u(arguments)
  );
};
f2.prototype.checkIsRepo = function(t3, e) {
  return this._runTask(
    We(d(t3, m)),
    u(arguments)
  );
};
function Is(t3) {
  return t3 ? [{
    type: "spawn.before",
    action(r2, s) {
      t3.aborted && s.kill(new A2(void 0, "abort", "Abort already signaled"));
    }
  }, {
    type: "spawn.after",
    action(r2, s) {
      function o2() {
        s.kill(new A2(void 0, "abort", "Abort signal received"));
      }
      t3.addEventListener("abort", o2), s.spawned.on("close", () => t3.removeEventListener("abort", o2));
    }
  }] : void 0;
}
var Us = $2("", "plugin:allowEnvironment");
function Fs(t3, e = false) {
  const n = new Set(t3.map((r2) => r2.toLowerCase().trim()));
  return {
    type: "spawn.options",
    action(r2, s) {
      const o2 = { ...r2.env ?? process.env }, i = new Set(
        Object.keys(s.env).map((a) => a.toLowerCase().trim())
      );
      for (const a of Object.keys(o2)) {
        const c3 = a.toLowerCase().trim();
        if (!(!Gs(c3) || n.has(c3))) {
          if (i.has(c3))
            throw new A2(
              void 0,
              "allowEnvironment",
              `Use of "${a}" is blocked by the environment guard - add it to the allowEnvironment option to permit it`
            );
          Us("removing ambient guarded environment variable %s", a), delete o2[a];
        }
      }
      return {
        ...r2,
        env: {
          ...o2,
          GIT_TEST_DISALLOW_ABBREVIATED_OPTIONS: String(!e)
        }
      };
    }
  };
}
function Gs(t3) {
  const e = t3.toLowerCase().trim();
  return e.startsWith("git_") || _(e);
}
function zs(t3 = {}) {
  return {
    type: "spawn.args",
    action(e, { env: n }) {
      for (const r2 of oe(e, n))
        if (t3[r2.category] !== true)
          throw new A2(void 0, "unsafe", r2.message);
      return e;
    }
  };
}
function qs(t3) {
  const e = U(t3, "-c");
  return {
    type: "spawn.args",
    action(n) {
      return [...e, ...n];
    }
  };
}
var $t = (0, import_promise_deferred.deferred)().promise;
function Ws({
  onClose: t3 = true,
  onExit: e = 50
} = {}) {
  function n() {
    let s = -1;
    const o2 = {
      close: (0, import_promise_deferred.deferred)(),
      closeTimeout: (0, import_promise_deferred.deferred)(),
      exit: (0, import_promise_deferred.deferred)(),
      exitTimeout: (0, import_promise_deferred.deferred)()
    }, i = Promise.race([
      t3 === false ? $t : o2.closeTimeout.promise,
      e === false ? $t : o2.exitTimeout.promise
    ]);
    return r2(t3, o2.close, o2.closeTimeout), r2(e, o2.exit, o2.exitTimeout), {
      close(a) {
        s = a, o2.close.done();
      },
      exit(a) {
        s = a, o2.exit.done();
      },
      get exitCode() {
        return s;
      },
      result: i
    };
  }
  function r2(s, o2, i) {
    s !== false && (s === true ? o2.promise : o2.promise.then(() => wt(s))).then(i.done);
  }
  return {
    type: "spawn.after",
    async action(s, { spawned: o2, close: i }) {
      const a = n();
      let c3 = true, y2 = () => {
        c3 = false;
      };
      o2.stdout?.on("data", y2), o2.stderr?.on("data", y2), o2.on("error", y2), o2.on("close", (w2) => a.close(w2)), o2.on("exit", (w2) => a.exit(w2));
      try {
        await a.result, c3 && await wt(50), i(a.exitCode);
      } catch (w2) {
        i(a.exitCode, w2);
      }
    }
  };
}
var we = $2("", "plugin:binary");
var Hs = "Invalid value supplied for custom binary, requires a single string or an array containing either one or two strings";
var Ks = "Invalid value supplied for custom binary, restricted characters must be removed or supply the unsafe.allowUnsafeCustomBinary option";
function Vs(t3) {
  return !t3 || !/^([a-z]:)?([a-z0-9/.\\_~-]+)$/i.test(t3);
}
function Pt(t3, e) {
  if (t3.length < 1 || t3.length > 2)
    throw new A2(void 0, "binary", Hs);
  if (t3.some(Vs))
    if (e)
      we("permitted unsafe binary %o", t3);
    else
      throw new A2(void 0, "binary", Ks);
  const [r2, s] = t3;
  return {
    binary: r2,
    prefix: s
  };
}
function Xs(t3, e = ["git"], n = false) {
  let r2 = Pt(v(e), n);
  t3.on("binary", (s) => {
    r2 = Pt(v(s), n), we.info("reconfiguring %o", r2);
  }), t3.append("spawn.binary", () => r2.binary), t3.append("spawn.args", (s) => r2.prefix ? [r2.prefix, ...s] : s);
}
var be = {
  DISALLOWED_ABBREVIATED: {
    text: "disallowed abbreviated or ambiguous option",
    solution: "Unambiguous abbreviated options blocked with unsafe.allowAbbreviatedOptions setting: {message}"
  },
  UNKNOWN: {
    text: "~ unknown ~",
    solution: void 0
  }
};
function Ys(t3) {
  if (!t3)
    return "UNKNOWN";
  for (const [e, { text: n }] of Object.entries(be))
    if (t3.startsWith(`fatal: ${n}`))
      return e;
  return "UNKNOWN";
}
var Qs = class extends O2 {
  constructor(e = "") {
    const n = Ys(e);
    super(void 0, be[n].solution?.replace("{message}", e) ?? e), this.reason = n;
  }
};
function Js(t3) {
  return !!(t3.exitCode && t3.stdErr.length);
}
function Zs(t3) {
  return Buffer.concat([...t3.stdOut, ...t3.stdErr]);
}
function to(t3 = false, e = Js, n = Zs) {
  return (r2, s) => !t3 && r2 || !e(s) ? r2 : n(s);
}
function eo(t3, e) {
  return t3 === 128 && e.startsWith("fatal:") ? new Qs(e) : new O2(void 0, e);
}
function Mt(t3) {
  return {
    type: "task.error",
    action(e, n) {
      const r2 = t3(e.error, {
        stdErr: n.stdErr,
        stdOut: n.stdOut,
        exitCode: n.exitCode
      });
      return Buffer.isBuffer(r2) ? {
        error: eo(n.exitCode, r2.toString("utf-8"))
      } : {
        error: r2
      };
    }
  };
}
var nt = $2("", "plugin:input");
function no(t3) {
  return {
    type: "spawn.after",
    action(e, { commands: n, input: r2, spawned: { stdin: s } }) {
      if (!s)
        return;
      const o2 = t3?.([...n]) ?? r2;
      if (!o2)
        return nt("generated zero length content, not writing to stdin");
      nt("writing %s bytes to stdin", Le(o2)), s.on("error", (i) => {
        i.code !== "EPIPE" && nt("[ERROR] stdin error %o", i);
      }), s.end(o2);
    }
  };
}
var ro = class {
  constructor() {
    this.plugins = /* @__PURE__ */ new Set(), this.events = new Ce();
  }
  on(e, n) {
    this.events.on(e, n);
  }
  reconfigure(e, n) {
    this.events.emit(e, n);
  }
  append(e, n) {
    const r2 = S2(this.plugins, { type: e, action: n });
    return () => this.plugins.delete(r2);
  }
  add(e) {
    const n = [];
    return v(e).forEach(
      (r2) => {
        r2 && this.plugins.add(S2(n, r2));
      }
    ), () => {
      n.forEach((r2) => {
        this.plugins.delete(r2);
      });
    };
  }
  exec(e, n, r2) {
    let s = n;
    const o2 = Object.freeze(Object.create(r2));
    for (const i of this.plugins)
      i.type === e && (s = i.action(s, o2));
    return s;
  }
};
function so(t3) {
  const e = "--progress", n = ["checkout", "clone", "fetch", "pull", "push"];
  return [{
    type: "spawn.args",
    action(o2, i) {
      return n.includes(i.method) ? De(o2, e) : o2;
    }
  }, {
    type: "spawn.after",
    action(o2, i) {
      i.commands.includes(e) && i.spawned.stderr?.on("data", (a) => {
        const c3 = /^([\s\S]+?):\s*(\d+)% \((\d+)\/(\d+)\)/.exec(a.toString("utf8"));
        c3 && t3({
          method: i.method,
          stage: oo(c3[1]),
          progress: p(c3[2]),
          processed: p(c3[3]),
          total: p(c3[4])
        });
      });
    }
  }];
}
function oo(t3) {
  return String(t3.toLowerCase().split(" ", 1)) || "unknown";
}
function io(t3) {
  const e = je(t3, ["uid", "gid"]);
  return {
    type: "spawn.options",
    action(n) {
      return { ...e, ...n };
    }
  };
}
function ao() {
  return {
    type: "spawn.args",
    action(t3) {
      const e = [];
      let n;
      function r2(s) {
        (n = n || []).push(...s);
      }
      for (let s = 0; s < t3.length; s++) {
        const o2 = t3[s];
        if (r(o2)) {
          r2(o(o2));
          continue;
        }
        if (o2 === "--") {
          r2(
            t3.slice(s + 1).flatMap((i) => r(i) && o(i) || i)
          );
          break;
        }
        e.push(o2);
      }
      return n ? [...e, "--", ...n.map(String)] : e;
    }
  };
}
function uo({
  block: t3,
  stdErr: e = true,
  stdOut: n = true
}) {
  if (t3 > 0)
    return {
      type: "spawn.after",
      action(r2, s) {
        let o2;
        function i() {
          o2 && clearTimeout(o2), o2 = setTimeout(c3, t3);
        }
        function a() {
          s.spawned.stdout?.off("data", i), s.spawned.stderr?.off("data", i), s.spawned.off("exit", a), s.spawned.off("close", a), o2 && clearTimeout(o2);
        }
        function c3() {
          a(), s.kill(new A2(void 0, "timeout", "block timeout reached"));
        }
        n && s.spawned.stdout?.on("data", i), e && s.spawned.stderr?.on("data", i), s.spawned.on("exit", a), s.spawned.on("close", a), i();
      }
    };
}
var wo = (t3, e) => {
  const n = new ro(), r2 = Ge(
    t3 && (typeof t3 == "string" ? { baseDir: t3 } : t3) || {},
    e
  );
  if (!Lt(r2.baseDir))
    throw new Ae(
      r2,
      "Cannot use simple-git on a directory that does not exist"
    );
  return Array.isArray(r2.config) && n.add(qs(r2.config)), n.add(zs(r2.unsafe)), n.add(Ws(r2.completion)), r2.abort && n.add(Is(r2.abort)), r2.progress && n.add(so(r2.progress)), r2.timeout && n.add(uo(r2.timeout)), r2.spawnOptions && n.add(io(r2.spawnOptions)), n.add(ao()), n.add(no(r2.input)), n.add(Mt(to(true))), r2.errors && n.add(Mt(r2.errors)), Xs(n, r2.binary, r2.unsafe?.allowUnsafeCustomBinary), n.add(
    Fs(r2.allowEnvironment ?? [], r2.unsafe?.allowAbbreviatedOptions)
  ), new f2(r2, n);
};

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

// src/git/repository.ts
var GitRepository = class _GitRepository {
  /** The folder the user named, and the top level of its work tree. */
  directory;
  topLevel;
  /** Where git keeps its objects (loose ones one file each), absolute. */
  objectsDir;
  /** The environment git runs in (the entry's). */
  env;
  constructor(directory, topLevel, objectsDir, env) {
    this.directory = directory;
    this.topLevel = topLevel;
    this.objectsDir = resolve2(directory, objectsDir);
    this.env = env;
  }
  /**
   * Opens the repository and resolves `refs` in the same `git rev-parse`
   * (one process instead of two on the way in); errors as open and resolveRefs.
   */
  static async openWithRefs(directory, env, refs) {
    const plain = refs.every((ref) => ref.trim() !== "" && !ref.startsWith("-"));
    const result = plain ? await runGit(directory, env, ["rev-parse", "--show-toplevel", "--git-path", "objects", ...refs.map((ref) => `${ref}^{commit}`), ...refs.map((ref) => `${ref}^{tree}`)]).catch(() => null) : null;
    if (result === null || result.exitCode !== 0) {
      const repo = await _GitRepository.open(directory, env);
      return { repo, refs: await repo.resolveRefs(refs) };
    }
    const lines = result.stdout.toString("utf8").trim().split("\n");
    return {
      repo: new _GitRepository(directory, lines[0], lines[1], env),
      refs: refs.map((_3, index) => ({ commit: lines[2 + index], tree: lines[2 + refs.length + index] }))
    };
  }
  static async open(directory, env) {
    const probe = await runGit(directory, env, ["rev-parse", "--show-toplevel", "--git-path", "objects"]).catch(() => null);
    if (probe === null || probe.exitCode !== 0) throw new NotARepositoryError(directory);
    const [topLevel, objectsDir] = probe.stdout.toString("utf8").trim().split("\n");
    return new _GitRepository(directory, topLevel, objectsDir, env);
  }
  /**
   * Runs git and returns its exit status instead of throwing on a non-zero
   * one: `merge-tree` answers 1 for a conflicted merge, with the answer on stdout.
   */
  run(args, options = {}) {
    return runGit(this.topLevel, this.env, args, options);
  }
  /** Runs git and throws `GitCommandError` unless it exits 0; returns stdout as text. */
  async text(args, options = {}) {
    const result = await this.run(args, options);
    if (result.exitCode !== 0) throw new GitCommandError(args, result.exitCode, result.stderr);
    return result.stdout.toString("utf8");
  }
  /** Resolves a branch, tag, remote ref or SHA to the commit it names. */
  async resolveCommit(ref) {
    if (ref.trim() === "" || ref.startsWith("-")) throw new UnknownRefError(ref, "not a ref name");
    const result = await this.run(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
    if (result.exitCode !== 0) {
      const remote = ref.includes("/") ? "" : ` (if it is a branch of a remote, try origin/${ref})`;
      throw new UnknownRefError(ref, `fetch it first, or check the spelling${remote}`);
    }
    return result.stdout.toString("utf8").trim();
  }
  /**
   * The commits and trees of several refs in one `git rev-parse`; when one
   * does not resolve, each is tried alone so the error names the right ref.
   */
  async resolveRefs(refs) {
    if (refs.some((ref) => ref.trim() === "" || ref.startsWith("-"))) {
      await Promise.all(refs.map((ref) => this.resolveCommit(ref)));
    }
    const args = ["rev-parse", ...refs.map((ref) => `${ref}^{commit}`), ...refs.map((ref) => `${ref}^{tree}`)];
    const result = await this.run(args);
    if (result.exitCode !== 0) {
      await Promise.all(refs.map((ref) => this.resolveCommit(ref)));
      throw new GitCommandError(args, result.exitCode, result.stderr);
    }
    const lines = result.stdout.toString("utf8").trim().split("\n");
    return refs.map((_3, index) => ({ commit: lines[index], tree: lines[refs.length + index] }));
  }
  async mergeBase(a, b3) {
    const result = await this.run(["merge-base", a, b3]);
    if (result.exitCode === 1) return null;
    if (result.exitCode !== 0) throw new GitCommandError(["merge-base", a, b3], result.exitCode, result.stderr);
    return result.stdout.toString("utf8").trim();
  }
  async isShallow() {
    return (await this.text(["rev-parse", "--is-shallow-repository"])).trim() === "true";
  }
  /** The tree a commit points to. */
  async treeOf(commit) {
    return (await this.text(["rev-parse", "--verify", `${commit}^{tree}`])).trim();
  }
};
async function runGit(directory, baseEnv, args, options = {}) {
  const stdout = [];
  let exitCode = 0;
  let stderr = "";
  const env = { ...withoutProgramHooks(baseEnv), ...options.env };
  const git = wo({
    baseDir: directory,
    trimmed: false,
    allowEnvironment: Object.keys(options.env ?? {}),
    // Done when the streams close; simple-git's default also waits 50 ms after
    // every process exit, which adds up to a quarter of a second per review.
    completion: { onClose: true, onExit: false },
    // The raw bytes are kept (blob contents are parsed by byte length); the
    // exit status is recorded rather than thrown (merge-tree, merge-base).
    errors: (error, result) => {
      exitCode = result.exitCode;
      stderr = Buffer.concat(result.stdErr).toString("utf8");
      return error instanceof Error && result.exitCode === 0 ? error : void 0;
    },
    ...options.input === void 0 ? {} : { input: () => options.input }
  });
  git.env(env);
  git.outputHandler((_command, out) => {
    out.on("data", (chunk) => stdout.push(chunk));
  });
  await git.raw([...args]);
  return { stdout: Buffer.concat(stdout), stderr, exitCode };
}
var PROGRAM_HOOKS = /* @__PURE__ */ new Set([
  "editor",
  "visual",
  "pager",
  "prefix",
  "ssh_askpass",
  "git_askpass",
  "git_editor",
  "git_pager",
  "git_sequence_editor",
  "git_ssh",
  "git_ssh_command",
  "git_proxy_command",
  "git_exec_path",
  "git_external_diff",
  "git_template_dir",
  "git_config",
  "git_config_global",
  "git_config_system",
  "git_config_count",
  "git_config_parameters"
]);
function withoutProgramHooks(env) {
  return Object.fromEntries(
    Object.entries(env).filter(([key2]) => {
      const name2 = key2.toLowerCase().trim();
      return !PROGRAM_HOOKS.has(name2) && !name2.startsWith("git_");
    })
  );
}

// node_modules/@lezer/common/dist/index.js
var DefaultBufferLength = 1024;
var nextPropID = 0;
var Range = class {
  constructor(from, to2) {
    this.from = from;
    this.to = to2;
  }
};
var NodeProp = class {
  /**
  Create a new node prop type.
  */
  constructor(config = {}) {
    this.id = nextPropID++;
    this.perNode = !!config.perNode;
    this.deserialize = config.deserialize || (() => {
      throw new Error("This node type doesn't define a deserialize function");
    });
    this.combine = config.combine || null;
  }
  /**
  This is meant to be used with
  [`NodeSet.extend`](#common.NodeSet.extend) or
  [`LRParser.configure`](#lr.ParserConfig.props) to compute
  prop values for each node type in the set. Takes a [match
  object](#common.NodeType^match) or function that returns undefined
  if the node type doesn't get this prop, and the prop's value if
  it does.
  */
  add(match) {
    if (this.perNode)
      throw new RangeError("Can't add per-node props to node types");
    if (typeof match != "function")
      match = NodeType.match(match);
    return (type) => {
      let result = match(type);
      return result === void 0 ? null : [this, result];
    };
  }
};
NodeProp.closedBy = new NodeProp({ deserialize: (str) => str.split(" ") });
NodeProp.openedBy = new NodeProp({ deserialize: (str) => str.split(" ") });
NodeProp.group = new NodeProp({ deserialize: (str) => str.split(" ") });
NodeProp.isolate = new NodeProp({ deserialize: (value) => {
  if (value && value != "rtl" && value != "ltr" && value != "auto")
    throw new RangeError("Invalid value for isolate: " + value);
  return value || "auto";
} });
NodeProp.contextHash = new NodeProp({ perNode: true });
NodeProp.lookAhead = new NodeProp({ perNode: true });
NodeProp.mounted = new NodeProp({ perNode: true });
var MountedTree = class {
  constructor(tree, overlay, parser2, bracketed2 = false) {
    this.tree = tree;
    this.overlay = overlay;
    this.parser = parser2;
    this.bracketed = bracketed2;
  }
  /**
  @internal
  */
  static get(tree) {
    return tree && tree.props && tree.props[NodeProp.mounted.id];
  }
};
var noProps = /* @__PURE__ */ Object.create(null);
var NodeType = class _NodeType {
  /**
  @internal
  */
  constructor(name2, props, id2, flags = 0) {
    this.name = name2;
    this.props = props;
    this.id = id2;
    this.flags = flags;
  }
  /**
  Define a node type.
  */
  static define(spec) {
    let props = spec.props && spec.props.length ? /* @__PURE__ */ Object.create(null) : noProps;
    let flags = (spec.top ? 1 : 0) | (spec.skipped ? 2 : 0) | (spec.error ? 4 : 0) | (spec.name == null ? 8 : 0);
    let type = new _NodeType(spec.name || "", props, spec.id, flags);
    if (spec.props)
      for (let src of spec.props) {
        if (!Array.isArray(src))
          src = src(type);
        if (src) {
          if (src[0].perNode)
            throw new RangeError("Can't store a per-node prop on a node type");
          props[src[0].id] = src[1];
        }
      }
    return type;
  }
  /**
  Retrieves a node prop for this type. Will return `undefined` if
  the prop isn't present on this node.
  */
  prop(prop) {
    return this.props[prop.id];
  }
  /**
  True when this is the top node of a grammar.
  */
  get isTop() {
    return (this.flags & 1) > 0;
  }
  /**
  True when this node is produced by a skip rule.
  */
  get isSkipped() {
    return (this.flags & 2) > 0;
  }
  /**
  Indicates whether this is an error node.
  */
  get isError() {
    return (this.flags & 4) > 0;
  }
  /**
  When true, this node type doesn't correspond to a user-declared
  named node, for example because it is used to cache repetition.
  */
  get isAnonymous() {
    return (this.flags & 8) > 0;
  }
  /**
  Returns true when this node's name or one of its
  [groups](#common.NodeProp^group) matches the given string.
  */
  is(name2) {
    if (typeof name2 == "string") {
      if (this.name == name2)
        return true;
      let group = this.prop(NodeProp.group);
      return group ? group.indexOf(name2) > -1 : false;
    }
    return this.id == name2;
  }
  /**
  Create a function from node types to arbitrary values by
  specifying an object whose property names are node or
  [group](#common.NodeProp^group) names. Often useful with
  [`NodeProp.add`](#common.NodeProp.add). You can put multiple
  names, separated by spaces, in a single property name to map
  multiple node names to a single value.
  */
  static match(map) {
    let direct = /* @__PURE__ */ Object.create(null);
    for (let prop in map)
      for (let name2 of prop.split(" "))
        direct[name2] = map[prop];
    return (node) => {
      for (let groups = node.prop(NodeProp.group), i = -1; i < (groups ? groups.length : 0); i++) {
        let found = direct[i < 0 ? node.name : groups[i]];
        if (found)
          return found;
      }
    };
  }
};
NodeType.none = new NodeType(
  "",
  /* @__PURE__ */ Object.create(null),
  0,
  8
  /* NodeFlag.Anonymous */
);
var NodeSet = class _NodeSet {
  /**
  Create a set with the given types. The `id` property of each
  type should correspond to its position within the array.
  */
  constructor(types) {
    this.types = types;
    for (let i = 0; i < types.length; i++)
      if (types[i].id != i)
        throw new RangeError("Node type ids should correspond to array positions when creating a node set");
  }
  /**
  Create a copy of this set with some node properties added. The
  arguments to this method can be created with
  [`NodeProp.add`](#common.NodeProp.add).
  */
  extend(...props) {
    let newTypes = [];
    for (let type of this.types) {
      let newProps = null;
      for (let source of props) {
        let add = source(type);
        if (add) {
          if (!newProps)
            newProps = Object.assign({}, type.props);
          let value = add[1], prop = add[0];
          if (prop.combine && prop.id in newProps)
            value = prop.combine(newProps[prop.id], value);
          newProps[prop.id] = value;
        }
      }
      newTypes.push(newProps ? new NodeType(type.name, newProps, type.id, type.flags) : type);
    }
    return new _NodeSet(newTypes);
  }
};
var CachedNode = /* @__PURE__ */ new WeakMap();
var CachedInnerNode = /* @__PURE__ */ new WeakMap();
var IterMode;
(function(IterMode2) {
  IterMode2[IterMode2["ExcludeBuffers"] = 1] = "ExcludeBuffers";
  IterMode2[IterMode2["IncludeAnonymous"] = 2] = "IncludeAnonymous";
  IterMode2[IterMode2["IgnoreMounts"] = 4] = "IgnoreMounts";
  IterMode2[IterMode2["IgnoreOverlays"] = 8] = "IgnoreOverlays";
  IterMode2[IterMode2["EnterBracketed"] = 16] = "EnterBracketed";
})(IterMode || (IterMode = {}));
var Tree = class _Tree {
  /**
  Construct a new tree. See also [`Tree.build`](#common.Tree^build).
  */
  constructor(type, children, positions, length, props) {
    this.type = type;
    this.children = children;
    this.positions = positions;
    this.length = length;
    this.props = null;
    if (props && props.length) {
      this.props = /* @__PURE__ */ Object.create(null);
      for (let [prop, value] of props)
        this.props[typeof prop == "number" ? prop : prop.id] = value;
    }
  }
  /**
  @internal
  */
  toString() {
    let mounted = MountedTree.get(this);
    if (mounted && !mounted.overlay)
      return mounted.tree.toString();
    let children = "";
    for (let ch of this.children) {
      let str = ch.toString();
      if (str) {
        if (children)
          children += ",";
        children += str;
      }
    }
    return !this.type.name ? children : (/\W/.test(this.type.name) && !this.type.isError ? JSON.stringify(this.type.name) : this.type.name) + (children.length ? "(" + children + ")" : "");
  }
  /**
  Get a [tree cursor](#common.TreeCursor) positioned at the top of
  the tree. Mode can be used to [control](#common.IterMode) which
  nodes the cursor visits.
  */
  cursor(mode = 0) {
    return new TreeCursor(this.topNode, mode);
  }
  /**
  Get a [tree cursor](#common.TreeCursor) pointing into this tree
  at the given position and side (see
  [`moveTo`](#common.TreeCursor.moveTo).
  */
  cursorAt(pos, side = 0, mode = 0) {
    let scope = CachedNode.get(this) || this.topNode;
    let cursor = new TreeCursor(scope);
    cursor.moveTo(pos, side);
    CachedNode.set(this, cursor._tree);
    return cursor;
  }
  /**
  Get a [syntax node](#common.SyntaxNode) object for the top of the
  tree.
  */
  get topNode() {
    return new TreeNode(this, 0, 0, null);
  }
  /**
  Get the [syntax node](#common.SyntaxNode) at the given position.
  If `side` is -1, this will move into nodes that end at the
  position. If 1, it'll move into nodes that start at the
  position. With 0, it'll only enter nodes that cover the position
  from both sides.
  
  Note that this will not enter
  [overlays](#common.MountedTree.overlay), and you often want
  [`resolveInner`](#common.Tree.resolveInner) instead.
  */
  resolve(pos, side = 0) {
    let node = resolveNode(CachedNode.get(this) || this.topNode, pos, side, false);
    CachedNode.set(this, node);
    return node;
  }
  /**
  Like [`resolve`](#common.Tree.resolve), but will enter
  [overlaid](#common.MountedTree.overlay) nodes, producing a syntax node
  pointing into the innermost overlaid tree at the given position
  (with parent links going through all parent structure, including
  the host trees).
  */
  resolveInner(pos, side = 0) {
    let node = resolveNode(CachedInnerNode.get(this) || this.topNode, pos, side, true);
    CachedInnerNode.set(this, node);
    return node;
  }
  /**
  In some situations, it can be useful to iterate through all
  nodes around a position, including those in overlays that don't
  directly cover the position. This method gives you an iterator
  that will produce all nodes, from small to big, around the given
  position.
  */
  resolveStack(pos, side = 0) {
    return stackIterator(this, pos, side);
  }
  /**
  Iterate over the tree and its children, calling `enter` for any
  node that touches the `from`/`to` region (if given) before
  running over such a node's children, and `leave` (if given) when
  leaving the node. When `enter` returns `false`, that node will
  not have its children iterated over (or `leave` called).
  */
  iterate(spec) {
    let { enter, leave, from = 0, to: to2 = this.length } = spec;
    let mode = spec.mode || 0, anon = (mode & IterMode.IncludeAnonymous) > 0;
    for (let c3 = this.cursor(mode | IterMode.IncludeAnonymous); ; ) {
      let entered = false;
      if (c3.from <= to2 && c3.to >= from && (!anon && c3.type.isAnonymous || enter(c3) !== false)) {
        if (c3.firstChild())
          continue;
        entered = true;
      }
      for (; ; ) {
        if (entered && leave && (anon || !c3.type.isAnonymous))
          leave(c3);
        if (c3.nextSibling())
          break;
        if (!c3.parent())
          return;
        entered = true;
      }
    }
  }
  /**
  Get the value of the given [node prop](#common.NodeProp) for this
  node. Works with both per-node and per-type props.
  */
  prop(prop) {
    return !prop.perNode ? this.type.prop(prop) : this.props ? this.props[prop.id] : void 0;
  }
  /**
  Returns the node's [per-node props](#common.NodeProp.perNode) in a
  format that can be passed to the [`Tree`](#common.Tree)
  constructor.
  */
  get propValues() {
    let result = [];
    if (this.props)
      for (let id2 in this.props)
        result.push([+id2, this.props[id2]]);
    return result;
  }
  /**
  Balance the direct children of this tree, producing a copy of
  which may have children grouped into subtrees with type
  [`NodeType.none`](#common.NodeType^none).
  */
  balance(config = {}) {
    return this.children.length <= 8 ? this : balanceRange(NodeType.none, this.children, this.positions, 0, this.children.length, 0, this.length, (children, positions, length) => new _Tree(this.type, children, positions, length, this.propValues), config.makeTree || ((children, positions, length) => new _Tree(NodeType.none, children, positions, length)));
  }
  /**
  Build a tree from a postfix-ordered buffer of node information,
  or a cursor over such a buffer.
  */
  static build(data) {
    return buildTree(data);
  }
};
Tree.empty = new Tree(NodeType.none, [], [], 0);
var FlatBufferCursor = class _FlatBufferCursor {
  constructor(buffer, index) {
    this.buffer = buffer;
    this.index = index;
  }
  get id() {
    return this.buffer[this.index - 4];
  }
  get start() {
    return this.buffer[this.index - 3];
  }
  get end() {
    return this.buffer[this.index - 2];
  }
  get size() {
    return this.buffer[this.index - 1];
  }
  get pos() {
    return this.index;
  }
  next() {
    this.index -= 4;
  }
  fork() {
    return new _FlatBufferCursor(this.buffer, this.index);
  }
};
var TreeBuffer = class _TreeBuffer {
  /**
  Create a tree buffer.
  */
  constructor(buffer, length, set) {
    this.buffer = buffer;
    this.length = length;
    this.set = set;
  }
  /**
  @internal
  */
  get type() {
    return NodeType.none;
  }
  /**
  @internal
  */
  toString() {
    let result = [];
    for (let index = 0; index < this.buffer.length; ) {
      result.push(this.childString(index));
      index = this.buffer[index + 3];
    }
    return result.join(",");
  }
  /**
  @internal
  */
  childString(index) {
    let id2 = this.buffer[index], endIndex = this.buffer[index + 3];
    let type = this.set.types[id2], result = type.name;
    if (/\W/.test(result) && !type.isError)
      result = JSON.stringify(result);
    index += 4;
    if (endIndex == index)
      return result;
    let children = [];
    while (index < endIndex) {
      children.push(this.childString(index));
      index = this.buffer[index + 3];
    }
    return result + "(" + children.join(",") + ")";
  }
  /**
  @internal
  */
  findChild(startIndex, endIndex, dir, pos, side) {
    let { buffer } = this, pick = -1;
    for (let i = startIndex; i != endIndex; i = buffer[i + 3]) {
      if (checkSide(side, pos, buffer[i + 1], buffer[i + 2])) {
        pick = i;
        if (dir > 0)
          break;
      }
    }
    return pick;
  }
  /**
  @internal
  */
  slice(startI, endI, from) {
    let b3 = this.buffer;
    let copy = new Uint16Array(endI - startI), len = 0;
    for (let i = startI, j3 = 0; i < endI; ) {
      copy[j3++] = b3[i++];
      copy[j3++] = b3[i++] - from;
      let to2 = copy[j3++] = b3[i++] - from;
      copy[j3++] = b3[i++] - startI;
      len = Math.max(len, to2);
    }
    return new _TreeBuffer(copy, len, this.set);
  }
};
function checkSide(side, pos, from, to2) {
  switch (side) {
    case -2:
      return from < pos;
    case -1:
      return to2 >= pos && from < pos;
    case 0:
      return from < pos && to2 > pos;
    case 1:
      return from <= pos && to2 > pos;
    case 2:
      return to2 > pos;
    case 4:
      return true;
  }
}
function resolveNode(node, pos, side, overlays) {
  var _a;
  while (node.from == node.to || (side < 1 ? node.from >= pos : node.from > pos) || (side > -1 ? node.to <= pos : node.to < pos)) {
    let parent = !overlays && node instanceof TreeNode && node.index < 0 ? null : node.parent;
    if (!parent)
      return node;
    node = parent;
  }
  let mode = overlays ? 0 : IterMode.IgnoreOverlays;
  if (overlays)
    for (let scan = node, parent = scan.parent; parent; scan = parent, parent = scan.parent) {
      if (scan instanceof TreeNode && scan.index < 0 && ((_a = parent.enter(pos, side, mode)) === null || _a === void 0 ? void 0 : _a.from) != scan.from)
        node = parent;
    }
  for (; ; ) {
    let inner = node.enter(pos, side, mode);
    if (!inner)
      return node;
    node = inner;
  }
}
var BaseNode = class {
  cursor(mode = 0) {
    return new TreeCursor(this, mode);
  }
  getChild(type, before = null, after = null) {
    let r2 = getChildren(this, type, before, after);
    return r2.length ? r2[0] : null;
  }
  getChildren(type, before = null, after = null) {
    return getChildren(this, type, before, after);
  }
  resolve(pos, side = 0) {
    return resolveNode(this, pos, side, false);
  }
  resolveInner(pos, side = 0) {
    return resolveNode(this, pos, side, true);
  }
  matchContext(context) {
    return matchNodeContext(this.parent, context);
  }
  enterUnfinishedNodesBefore(pos) {
    let scan = this.childBefore(pos), node = this;
    while (scan) {
      let last = scan.lastChild;
      if (!last || last.to != scan.to)
        break;
      if (last.type.isError && last.from == last.to) {
        node = scan;
        scan = last.prevSibling;
      } else {
        scan = last;
      }
    }
    return node;
  }
  get node() {
    return this;
  }
  get next() {
    return this.parent;
  }
};
var TreeNode = class _TreeNode extends BaseNode {
  constructor(_tree, from, index, _parent) {
    super();
    this._tree = _tree;
    this.from = from;
    this.index = index;
    this._parent = _parent;
  }
  get type() {
    return this._tree.type;
  }
  get name() {
    return this._tree.type.name;
  }
  get to() {
    return this.from + this._tree.length;
  }
  nextChild(i, dir, pos, side, mode = 0) {
    for (let parent = this; ; ) {
      for (let { children, positions } = parent._tree, e = dir > 0 ? children.length : -1; i != e; i += dir) {
        let next = children[i], start = positions[i] + parent.from, mounted;
        if (!(mode & IterMode.EnterBracketed && next instanceof Tree && (mounted = MountedTree.get(next)) && !mounted.overlay && mounted.bracketed && pos >= start && pos <= start + next.length) && !checkSide(side, pos, start, start + next.length))
          continue;
        if (next instanceof TreeBuffer) {
          if (mode & IterMode.ExcludeBuffers)
            continue;
          let index = next.findChild(0, next.buffer.length, dir, pos - start, side);
          if (index > -1)
            return new BufferNode(new BufferContext(parent, next, i, start), null, index);
        } else if (mode & IterMode.IncludeAnonymous || (!next.type.isAnonymous || hasChild(next))) {
          let mounted2;
          if (!(mode & IterMode.IgnoreMounts) && (mounted2 = MountedTree.get(next)) && !mounted2.overlay)
            return new _TreeNode(mounted2.tree, start, i, parent);
          let inner = new _TreeNode(next, start, i, parent);
          return mode & IterMode.IncludeAnonymous || !inner.type.isAnonymous ? inner : inner.nextChild(dir < 0 ? next.children.length - 1 : 0, dir, pos, side, mode);
        }
      }
      if (mode & IterMode.IncludeAnonymous || !parent.type.isAnonymous)
        return null;
      if (parent.index >= 0)
        i = parent.index + dir;
      else
        i = dir < 0 ? -1 : parent._parent._tree.children.length;
      parent = parent._parent;
      if (!parent)
        return null;
    }
  }
  get firstChild() {
    return this.nextChild(
      0,
      1,
      0,
      4
      /* Side.DontCare */
    );
  }
  get lastChild() {
    return this.nextChild(
      this._tree.children.length - 1,
      -1,
      0,
      4
      /* Side.DontCare */
    );
  }
  childAfter(pos) {
    return this.nextChild(
      0,
      1,
      pos,
      2
      /* Side.After */
    );
  }
  childBefore(pos) {
    return this.nextChild(
      this._tree.children.length - 1,
      -1,
      pos,
      -2
      /* Side.Before */
    );
  }
  prop(prop) {
    return this._tree.prop(prop);
  }
  enter(pos, side, mode = 0) {
    let mounted;
    if (!(mode & IterMode.IgnoreOverlays) && (mounted = MountedTree.get(this._tree)) && mounted.overlay) {
      let rPos = pos - this.from, enterBracketed = mode & IterMode.EnterBracketed && mounted.bracketed;
      for (let { from, to: to2 } of mounted.overlay) {
        if ((side > 0 || enterBracketed ? from <= rPos : from < rPos) && (side < 0 || enterBracketed ? to2 >= rPos : to2 > rPos))
          return new _TreeNode(mounted.tree, mounted.overlay[0].from + this.from, -1, this);
      }
    }
    return this.nextChild(0, 1, pos, side, mode);
  }
  nextSignificantParent() {
    let val = this;
    while (val.type.isAnonymous && val._parent)
      val = val._parent;
    return val;
  }
  get parent() {
    return this._parent ? this._parent.nextSignificantParent() : null;
  }
  get nextSibling() {
    return this._parent && this.index >= 0 ? this._parent.nextChild(
      this.index + 1,
      1,
      0,
      4
      /* Side.DontCare */
    ) : null;
  }
  get prevSibling() {
    return this._parent && this.index >= 0 ? this._parent.nextChild(
      this.index - 1,
      -1,
      0,
      4
      /* Side.DontCare */
    ) : null;
  }
  get tree() {
    return this._tree;
  }
  toTree() {
    return this._tree;
  }
  /**
  @internal
  */
  toString() {
    return this._tree.toString();
  }
};
function getChildren(node, type, before, after) {
  let cur = node.cursor(), result = [];
  if (!cur.firstChild())
    return result;
  if (before != null)
    for (let found = false; !found; ) {
      found = cur.type.is(before);
      if (!cur.nextSibling())
        return result;
    }
  for (; ; ) {
    if (after != null && cur.type.is(after))
      return result;
    if (cur.type.is(type))
      result.push(cur.node);
    if (!cur.nextSibling())
      return after == null ? result : [];
  }
}
function matchNodeContext(node, context, i = context.length - 1) {
  for (let p2 = node; i >= 0; p2 = p2.parent) {
    if (!p2)
      return false;
    if (!p2.type.isAnonymous) {
      if (context[i] && context[i] != p2.name)
        return false;
      i--;
    }
  }
  return true;
}
var BufferContext = class {
  constructor(parent, buffer, index, start) {
    this.parent = parent;
    this.buffer = buffer;
    this.index = index;
    this.start = start;
  }
};
var BufferNode = class _BufferNode extends BaseNode {
  get name() {
    return this.type.name;
  }
  get from() {
    return this.context.start + this.context.buffer.buffer[this.index + 1];
  }
  get to() {
    return this.context.start + this.context.buffer.buffer[this.index + 2];
  }
  constructor(context, _parent, index) {
    super();
    this.context = context;
    this._parent = _parent;
    this.index = index;
    this.type = context.buffer.set.types[context.buffer.buffer[index]];
  }
  child(dir, pos, side) {
    let { buffer } = this.context;
    let index = buffer.findChild(this.index + 4, buffer.buffer[this.index + 3], dir, pos - this.context.start, side);
    return index < 0 ? null : new _BufferNode(this.context, this, index);
  }
  get firstChild() {
    return this.child(
      1,
      0,
      4
      /* Side.DontCare */
    );
  }
  get lastChild() {
    return this.child(
      -1,
      0,
      4
      /* Side.DontCare */
    );
  }
  childAfter(pos) {
    return this.child(
      1,
      pos,
      2
      /* Side.After */
    );
  }
  childBefore(pos) {
    return this.child(
      -1,
      pos,
      -2
      /* Side.Before */
    );
  }
  prop(prop) {
    return this.type.prop(prop);
  }
  enter(pos, side, mode = 0) {
    if (mode & IterMode.ExcludeBuffers)
      return null;
    let { buffer } = this.context;
    let index = buffer.findChild(this.index + 4, buffer.buffer[this.index + 3], side > 0 ? 1 : -1, pos - this.context.start, side);
    return index < 0 ? null : new _BufferNode(this.context, this, index);
  }
  get parent() {
    return this._parent || this.context.parent.nextSignificantParent();
  }
  externalSibling(dir) {
    return this._parent ? null : this.context.parent.nextChild(
      this.context.index + dir,
      dir,
      0,
      4
      /* Side.DontCare */
    );
  }
  get nextSibling() {
    let { buffer } = this.context;
    let after = buffer.buffer[this.index + 3];
    if (after < (this._parent ? buffer.buffer[this._parent.index + 3] : buffer.buffer.length))
      return new _BufferNode(this.context, this._parent, after);
    return this.externalSibling(1);
  }
  get prevSibling() {
    let { buffer } = this.context;
    let parentStart = this._parent ? this._parent.index + 4 : 0;
    if (this.index == parentStart)
      return this.externalSibling(-1);
    return new _BufferNode(this.context, this._parent, buffer.findChild(
      parentStart,
      this.index,
      -1,
      0,
      4
      /* Side.DontCare */
    ));
  }
  get tree() {
    return null;
  }
  toTree() {
    let children = [], positions = [];
    let { buffer } = this.context;
    let startI = this.index + 4, endI = buffer.buffer[this.index + 3];
    if (endI > startI) {
      let from = buffer.buffer[this.index + 1];
      children.push(buffer.slice(startI, endI, from));
      positions.push(0);
    }
    return new Tree(this.type, children, positions, this.to - this.from);
  }
  /**
  @internal
  */
  toString() {
    return this.context.buffer.childString(this.index);
  }
};
function iterStack(heads) {
  if (!heads.length)
    return null;
  let pick = 0, picked = heads[0];
  for (let i = 1; i < heads.length; i++) {
    let node = heads[i];
    if (node.from > picked.from || node.to < picked.to) {
      picked = node;
      pick = i;
    }
  }
  let next = picked instanceof TreeNode && picked.index < 0 ? null : picked.parent;
  let newHeads = heads.slice();
  if (next)
    newHeads[pick] = next;
  else
    newHeads.splice(pick, 1);
  return new StackIterator(newHeads, picked);
}
var StackIterator = class {
  constructor(heads, node) {
    this.heads = heads;
    this.node = node;
  }
  get next() {
    return iterStack(this.heads);
  }
};
function stackIterator(tree, pos, side) {
  let inner = tree.resolveInner(pos, side), layers = null;
  for (let scan = inner instanceof TreeNode ? inner : inner.context.parent; scan; scan = scan.parent) {
    if (scan.index < 0) {
      let parent = scan.parent;
      (layers || (layers = [inner])).push(parent.resolve(pos, side));
      scan = parent;
    } else {
      let mount = MountedTree.get(scan.tree);
      if (mount && mount.overlay && mount.overlay[0].from <= pos && mount.overlay[mount.overlay.length - 1].to >= pos) {
        let root = new TreeNode(mount.tree, mount.overlay[0].from + scan.from, -1, scan);
        (layers || (layers = [inner])).push(resolveNode(root, pos, side, false));
      }
    }
  }
  return layers ? iterStack(layers) : inner;
}
var TreeCursor = class {
  /**
  Shorthand for `.type.name`.
  */
  get name() {
    return this.type.name;
  }
  /**
  @internal
  */
  constructor(node, mode = 0) {
    this.buffer = null;
    this.stack = [];
    this.index = 0;
    this.bufferNode = null;
    this.mode = mode & ~IterMode.EnterBracketed;
    if (node instanceof TreeNode) {
      this.yieldNode(node);
    } else {
      this._tree = node.context.parent;
      this.buffer = node.context;
      for (let n = node._parent; n; n = n._parent)
        this.stack.unshift(n.index);
      this.bufferNode = node;
      this.yieldBuf(node.index);
    }
  }
  yieldNode(node) {
    if (!node)
      return false;
    this._tree = node;
    this.type = node.type;
    this.from = node.from;
    this.to = node.to;
    return true;
  }
  yieldBuf(index, type) {
    this.index = index;
    let { start, buffer } = this.buffer;
    this.type = type || buffer.set.types[buffer.buffer[index]];
    this.from = start + buffer.buffer[index + 1];
    this.to = start + buffer.buffer[index + 2];
    return true;
  }
  /**
  @internal
  */
  yield(node) {
    if (!node)
      return false;
    if (node instanceof TreeNode) {
      this.buffer = null;
      return this.yieldNode(node);
    }
    this.buffer = node.context;
    return this.yieldBuf(node.index, node.type);
  }
  /**
  @internal
  */
  toString() {
    return this.buffer ? this.buffer.buffer.childString(this.index) : this._tree.toString();
  }
  /**
  @internal
  */
  enterChild(dir, pos, side) {
    if (!this.buffer)
      return this.yield(this._tree.nextChild(dir < 0 ? this._tree._tree.children.length - 1 : 0, dir, pos, side, this.mode));
    let { buffer } = this.buffer;
    let index = buffer.findChild(this.index + 4, buffer.buffer[this.index + 3], dir, pos - this.buffer.start, side);
    if (index < 0)
      return false;
    this.stack.push(this.index);
    return this.yieldBuf(index);
  }
  /**
  Move the cursor to this node's first child. When this returns
  false, the node has no child, and the cursor has not been moved.
  */
  firstChild() {
    return this.enterChild(
      1,
      0,
      4
      /* Side.DontCare */
    );
  }
  /**
  Move the cursor to this node's last child.
  */
  lastChild() {
    return this.enterChild(
      -1,
      0,
      4
      /* Side.DontCare */
    );
  }
  /**
  Move the cursor to the first child that ends after `pos`.
  */
  childAfter(pos) {
    return this.enterChild(
      1,
      pos,
      2
      /* Side.After */
    );
  }
  /**
  Move to the last child that starts before `pos`.
  */
  childBefore(pos) {
    return this.enterChild(
      -1,
      pos,
      -2
      /* Side.Before */
    );
  }
  /**
  Move the cursor to the child around `pos`. If side is -1 the
  child may end at that position, when 1 it may start there. This
  will also enter [overlaid](#common.MountedTree.overlay)
  [mounted](#common.NodeProp^mounted) trees unless `overlays` is
  set to false.
  */
  enter(pos, side, mode = this.mode) {
    if (!this.buffer)
      return this.yield(this._tree.enter(pos, side, mode));
    return mode & IterMode.ExcludeBuffers ? false : this.enterChild(1, pos, side);
  }
  /**
  Move to the node's parent node, if this isn't the top node.
  */
  parent() {
    if (!this.buffer)
      return this.yieldNode(this.mode & IterMode.IncludeAnonymous ? this._tree._parent : this._tree.parent);
    if (this.stack.length)
      return this.yieldBuf(this.stack.pop());
    let parent = this.mode & IterMode.IncludeAnonymous ? this.buffer.parent : this.buffer.parent.nextSignificantParent();
    this.buffer = null;
    return this.yieldNode(parent);
  }
  /**
  @internal
  */
  sibling(dir) {
    if (!this.buffer)
      return !this._tree._parent ? false : this.yield(this._tree.index < 0 ? null : this._tree._parent.nextChild(this._tree.index + dir, dir, 0, 4, this.mode));
    let { buffer } = this.buffer, d2 = this.stack.length - 1;
    if (dir < 0) {
      let parentStart = d2 < 0 ? 0 : this.stack[d2] + 4;
      if (this.index != parentStart)
        return this.yieldBuf(buffer.findChild(
          parentStart,
          this.index,
          -1,
          0,
          4
          /* Side.DontCare */
        ));
    } else {
      let after = buffer.buffer[this.index + 3];
      if (after < (d2 < 0 ? buffer.buffer.length : buffer.buffer[this.stack[d2] + 3]))
        return this.yieldBuf(after);
    }
    return d2 < 0 ? this.yield(this.buffer.parent.nextChild(this.buffer.index + dir, dir, 0, 4, this.mode)) : false;
  }
  /**
  Move to this node's next sibling, if any.
  */
  nextSibling() {
    return this.sibling(1);
  }
  /**
  Move to this node's previous sibling, if any.
  */
  prevSibling() {
    return this.sibling(-1);
  }
  atLastNode(dir) {
    let index, parent, { buffer } = this;
    if (buffer) {
      if (dir > 0) {
        if (this.index < buffer.buffer.buffer.length)
          return false;
      } else {
        for (let i = 0; i < this.index; i++)
          if (buffer.buffer.buffer[i + 3] < this.index)
            return false;
      }
      ({ index, parent } = buffer);
    } else {
      ({ index, _parent: parent } = this._tree);
    }
    for (; parent; { index, _parent: parent } = parent) {
      if (index > -1)
        for (let i = index + dir, e = dir < 0 ? -1 : parent._tree.children.length; i != e; i += dir) {
          let child = parent._tree.children[i];
          if (this.mode & IterMode.IncludeAnonymous || child instanceof TreeBuffer || !child.type.isAnonymous || hasChild(child))
            return false;
        }
    }
    return true;
  }
  move(dir, enter) {
    if (enter && this.enterChild(
      dir,
      0,
      4
      /* Side.DontCare */
    ))
      return true;
    for (; ; ) {
      if (this.sibling(dir))
        return true;
      if (this.atLastNode(dir) || !this.parent())
        return false;
    }
  }
  /**
  Move to the next node in a
  [pre-order](https://en.wikipedia.org/wiki/Tree_traversal#Pre-order,_NLR)
  traversal, going from a node to its first child or, if the
  current node is empty or `enter` is false, its next sibling or
  the next sibling of the first parent node that has one.
  */
  next(enter = true) {
    return this.move(1, enter);
  }
  /**
  Move to the next node in a last-to-first pre-order traversal. A
  node is followed by its last child or, if it has none, its
  previous sibling or the previous sibling of the first parent
  node that has one.
  */
  prev(enter = true) {
    return this.move(-1, enter);
  }
  /**
  Move the cursor to the innermost node that covers `pos`. If
  `side` is -1, it will enter nodes that end at `pos`. If it is 1,
  it will enter nodes that start at `pos`.
  */
  moveTo(pos, side = 0) {
    while (this.from == this.to || (side < 1 ? this.from >= pos : this.from > pos) || (side > -1 ? this.to <= pos : this.to < pos))
      if (!this.parent())
        break;
    while (this.enterChild(1, pos, side)) {
    }
    return this;
  }
  /**
  Get a [syntax node](#common.SyntaxNode) at the cursor's current
  position.
  */
  get node() {
    if (!this.buffer)
      return this._tree;
    let cache = this.bufferNode, result = null, depth = 0;
    if (cache && cache.context == this.buffer) {
      scan: for (let index = this.index, d2 = this.stack.length; d2 >= 0; ) {
        for (let c3 = cache; c3; c3 = c3._parent)
          if (c3.index == index) {
            if (index == this.index)
              return c3;
            result = c3;
            depth = d2 + 1;
            break scan;
          }
        index = this.stack[--d2];
      }
    }
    for (let i = depth; i < this.stack.length; i++)
      result = new BufferNode(this.buffer, result, this.stack[i]);
    return this.bufferNode = new BufferNode(this.buffer, result, this.index);
  }
  /**
  Get the [tree](#common.Tree) that represents the current node, if
  any. Will return null when the node is in a [tree
  buffer](#common.TreeBuffer).
  */
  get tree() {
    return this.buffer ? null : this._tree._tree;
  }
  /**
  Iterate over the current node and all its descendants, calling
  `enter` when entering a node and `leave`, if given, when leaving
  one. When `enter` returns `false`, any children of that node are
  skipped, and `leave` isn't called for it.
  */
  iterate(enter, leave) {
    for (let depth = 0; ; ) {
      let mustLeave = false;
      if (this.type.isAnonymous || enter(this) !== false) {
        if (this.firstChild()) {
          depth++;
          continue;
        }
        if (!this.type.isAnonymous)
          mustLeave = true;
      }
      for (; ; ) {
        if (mustLeave && leave)
          leave(this);
        mustLeave = this.type.isAnonymous;
        if (!depth)
          return;
        if (this.nextSibling())
          break;
        this.parent();
        depth--;
        mustLeave = true;
      }
    }
  }
  /**
  Test whether the current node matches a given context—a sequence
  of direct parent node names. Empty strings in the context array
  are treated as wildcards.
  */
  matchContext(context) {
    if (!this.buffer)
      return matchNodeContext(this.node.parent, context);
    let { buffer } = this.buffer, { types } = buffer.set;
    for (let i = context.length - 1, d2 = this.stack.length - 1; i >= 0; d2--) {
      if (d2 < 0)
        return matchNodeContext(this._tree, context, i);
      let type = types[buffer.buffer[this.stack[d2]]];
      if (!type.isAnonymous) {
        if (context[i] && context[i] != type.name)
          return false;
        i--;
      }
    }
    return true;
  }
};
function hasChild(tree) {
  return tree.children.some((ch) => ch instanceof TreeBuffer || !ch.type.isAnonymous || hasChild(ch));
}
function buildTree(data) {
  var _a;
  let { buffer, nodeSet, maxBufferLength = DefaultBufferLength, reused = [], minRepeatType = nodeSet.types.length } = data;
  let cursor = Array.isArray(buffer) ? new FlatBufferCursor(buffer, buffer.length) : buffer;
  let types = nodeSet.types;
  let contextHash = 0, lookAhead = 0;
  function takeNode(parentStart, minPos, children2, positions2, inRepeat, depth) {
    let { id: id2, start, end, size } = cursor;
    let lookAheadAtStart = lookAhead, contextAtStart = contextHash;
    if (size < 0) {
      cursor.next();
      if (size == -1) {
        let node2 = reused[id2];
        children2.push(node2);
        positions2.push(start - parentStart);
        return;
      } else if (size == -3) {
        contextHash = id2;
        return;
      } else if (size == -4) {
        lookAhead = id2;
        return;
      } else {
        throw new RangeError(`Unrecognized record size: ${size}`);
      }
    }
    let type = types[id2], node, buffer2;
    let startPos = start - parentStart;
    if (end - start <= maxBufferLength && (buffer2 = findBufferSize(cursor.pos - minPos, inRepeat))) {
      let data2 = new Uint16Array(buffer2.size - buffer2.skip);
      let endPos = cursor.pos - buffer2.size, index = data2.length;
      while (cursor.pos > endPos)
        index = copyToBuffer(buffer2.start, data2, index);
      node = new TreeBuffer(data2, end - buffer2.start, nodeSet);
      startPos = buffer2.start - parentStart;
    } else {
      let endPos = cursor.pos - size;
      cursor.next();
      let localChildren = [], localPositions = [];
      let localInRepeat = id2 >= minRepeatType ? id2 : -1;
      let lastGroup = 0, lastEnd = end, groupLookAhead = lookAheadAtStart;
      while (cursor.pos > endPos) {
        if (localInRepeat >= 0 && cursor.id == localInRepeat && cursor.size >= 0) {
          if (cursor.end <= lastEnd - maxBufferLength) {
            makeRepeatLeaf(localChildren, localPositions, start, lastGroup, cursor.end, lastEnd, localInRepeat, groupLookAhead, contextAtStart);
            lastGroup = localChildren.length;
            lastEnd = cursor.end;
            groupLookAhead = lookAhead;
          }
          cursor.next();
        } else if (depth > 2500) {
          takeFlatNode(start, endPos, localChildren, localPositions);
        } else {
          if (localInRepeat >= 0 && cursor.size == -1 && reused[cursor.id].type == nodeSet.types[localInRepeat]) {
            if (lastGroup < localChildren.length)
              makeRepeatLeaf(localChildren, localPositions, start, lastGroup, cursor.end, lastEnd, localInRepeat, groupLookAhead, contextAtStart);
            lastGroup = localChildren.length + 1;
            lastEnd = cursor.start;
            groupLookAhead = lookAhead;
          }
          takeNode(start, endPos, localChildren, localPositions, localInRepeat, depth + 1);
        }
      }
      if (localInRepeat >= 0 && lastGroup > 0 && lastGroup < localChildren.length)
        makeRepeatLeaf(localChildren, localPositions, start, lastGroup, start, lastEnd, localInRepeat, groupLookAhead, contextAtStart);
      localChildren.reverse();
      localPositions.reverse();
      if (localInRepeat > -1 && lastGroup > 0) {
        let make = makeBalanced(type, contextAtStart);
        node = balanceRange(type, localChildren, localPositions, 0, localChildren.length, 0, end - start, make, make);
      } else {
        node = makeTree(type, localChildren, localPositions, end - start, lookAheadAtStart - end, contextAtStart);
      }
    }
    children2.push(node);
    positions2.push(startPos);
  }
  function takeFlatNode(parentStart, minPos, children2, positions2) {
    let nodes = [];
    let nodeCount = 0, stopAt = -1;
    while (cursor.pos > minPos) {
      let { id: id2, start, end, size } = cursor;
      if (size > 4) {
        cursor.next();
      } else if (stopAt > -1 && start < stopAt) {
        break;
      } else {
        if (stopAt < 0)
          stopAt = end - maxBufferLength;
        nodes.push(id2, start, end);
        nodeCount++;
        cursor.next();
      }
    }
    if (nodeCount) {
      let buffer2 = new Uint16Array(nodeCount * 4);
      let start = nodes[nodes.length - 2];
      for (let i = nodes.length - 3, j3 = 0; i >= 0; i -= 3) {
        buffer2[j3++] = nodes[i];
        buffer2[j3++] = nodes[i + 1] - start;
        buffer2[j3++] = nodes[i + 2] - start;
        buffer2[j3++] = j3;
      }
      children2.push(new TreeBuffer(buffer2, nodes[2] - start, nodeSet));
      positions2.push(start - parentStart);
    }
  }
  function makeBalanced(type, contextHash2) {
    return (children2, positions2, length2) => {
      let lookAhead2 = 0, lastI = children2.length - 1, last, lookAheadProp;
      if (lastI >= 0 && (last = children2[lastI]) instanceof Tree) {
        if (!lastI && last.type == type && last.length == length2)
          return last;
        if (lookAheadProp = last.prop(NodeProp.lookAhead))
          lookAhead2 = positions2[lastI] + last.length + lookAheadProp - length2;
      }
      return makeTree(type, children2, positions2, length2, lookAhead2, contextHash2);
    };
  }
  function makeRepeatLeaf(children2, positions2, base, i, from, to2, type, lookAhead2, contextHash2) {
    let localChildren = [], localPositions = [];
    while (children2.length > i) {
      localChildren.push(children2.pop());
      localPositions.push(positions2.pop() + base - from);
    }
    children2.push(makeTree(nodeSet.types[type], localChildren, localPositions, to2 - from, lookAhead2 - to2, contextHash2));
    positions2.push(from - base);
  }
  function makeTree(type, children2, positions2, length2, lookAhead2, contextHash2, props) {
    if (contextHash2) {
      let pair2 = [NodeProp.contextHash, contextHash2];
      props = props ? [pair2].concat(props) : [pair2];
    }
    if (lookAhead2 > 25) {
      let pair2 = [NodeProp.lookAhead, lookAhead2];
      props = props ? [pair2].concat(props) : [pair2];
    }
    return new Tree(type, children2, positions2, length2, props);
  }
  function findBufferSize(maxSize, inRepeat) {
    let fork = cursor.fork();
    let size = 0, start = 0, skip = 0, minStart = fork.end - maxBufferLength;
    let result = { size: 0, start: 0, skip: 0 };
    scan: for (let minPos = fork.pos - maxSize; fork.pos > minPos; ) {
      let nodeSize2 = fork.size;
      if (fork.id == inRepeat && nodeSize2 >= 0) {
        result.size = size;
        result.start = start;
        result.skip = skip;
        skip += 4;
        size += 4;
        fork.next();
        continue;
      }
      let startPos = fork.pos - nodeSize2;
      if (nodeSize2 < 0 || startPos < minPos || fork.start < minStart)
        break;
      let localSkipped = fork.id >= minRepeatType ? 4 : 0;
      let nodeStart = fork.start;
      fork.next();
      while (fork.pos > startPos) {
        if (fork.size < 0) {
          if (fork.size == -3 || fork.size == -4)
            localSkipped += 4;
          else
            break scan;
        } else if (fork.id >= minRepeatType) {
          localSkipped += 4;
        }
        fork.next();
      }
      start = nodeStart;
      size += nodeSize2;
      skip += localSkipped;
    }
    if (inRepeat < 0 || size == maxSize) {
      result.size = size;
      result.start = start;
      result.skip = skip;
    }
    return result.size > 4 ? result : void 0;
  }
  function copyToBuffer(bufferStart, buffer2, index) {
    let { id: id2, start, end, size } = cursor;
    cursor.next();
    if (size >= 0 && id2 < minRepeatType) {
      let startIndex = index;
      if (size > 4) {
        let endPos = cursor.pos - (size - 4);
        while (cursor.pos > endPos)
          index = copyToBuffer(bufferStart, buffer2, index);
      }
      buffer2[--index] = startIndex;
      buffer2[--index] = end - bufferStart;
      buffer2[--index] = start - bufferStart;
      buffer2[--index] = id2;
    } else if (size == -3) {
      contextHash = id2;
    } else if (size == -4) {
      lookAhead = id2;
    }
    return index;
  }
  let children = [], positions = [];
  while (cursor.pos > 0)
    takeNode(data.start || 0, data.bufferStart || 0, children, positions, -1, 0);
  let length = (_a = data.length) !== null && _a !== void 0 ? _a : children.length ? positions[0] + children[0].length : 0;
  return new Tree(types[data.topID], children.reverse(), positions.reverse(), length);
}
var nodeSizeCache = /* @__PURE__ */ new WeakMap();
function nodeSize(balanceType, node) {
  if (!balanceType.isAnonymous || node instanceof TreeBuffer || node.type != balanceType)
    return 1;
  let size = nodeSizeCache.get(node);
  if (size == null) {
    size = 1;
    for (let child of node.children) {
      if (child.type != balanceType || !(child instanceof Tree)) {
        size = 1;
        break;
      }
      size += nodeSize(balanceType, child);
    }
    nodeSizeCache.set(node, size);
  }
  return size;
}
function balanceRange(balanceType, children, positions, from, to2, start, length, mkTop, mkTree) {
  let total = 0;
  for (let i = from; i < to2; i++)
    total += nodeSize(balanceType, children[i]);
  let maxChild = Math.ceil(
    total * 1.5 / 8
    /* Balance.BranchFactor */
  );
  let localChildren = [], localPositions = [];
  function divide(children2, positions2, from2, to3, offset) {
    for (let i = from2; i < to3; ) {
      let groupFrom = i, groupStart = positions2[i], groupSize = nodeSize(balanceType, children2[i]);
      i++;
      for (; i < to3; i++) {
        let nextSize = nodeSize(balanceType, children2[i]);
        if (groupSize + nextSize >= maxChild)
          break;
        groupSize += nextSize;
      }
      if (i == groupFrom + 1) {
        if (groupSize > maxChild) {
          let only = children2[groupFrom];
          divide(only.children, only.positions, 0, only.children.length, positions2[groupFrom] + offset);
          continue;
        }
        localChildren.push(children2[groupFrom]);
      } else {
        let length2 = positions2[i - 1] + children2[i - 1].length - groupStart;
        localChildren.push(balanceRange(balanceType, children2, positions2, groupFrom, i, groupStart, length2, null, mkTree));
      }
      localPositions.push(groupStart + offset - start);
    }
  }
  divide(children, positions, from, to2, 0);
  return (mkTop || mkTree)(localChildren, localPositions, length);
}
var Parser = class {
  /**
  Start a parse, returning a [partial parse](#common.PartialParse)
  object. [`fragments`](#common.TreeFragment) can be passed in to
  make the parse incremental.
  
  By default, the entire input is parsed. You can pass `ranges`,
  which should be a sorted array of non-empty, non-overlapping
  ranges, to parse only those ranges. The tree returned in that
  case will start at `ranges[0].from`.
  */
  startParse(input, fragments, ranges) {
    if (typeof input == "string")
      input = new StringInput(input);
    ranges = !ranges ? [new Range(0, input.length)] : ranges.length ? ranges.map((r2) => new Range(r2.from, r2.to)) : [new Range(0, 0)];
    return this.createParse(input, fragments || [], ranges);
  }
  /**
  Run a full parse, returning the resulting tree.
  */
  parse(input, fragments, ranges) {
    let parse = this.startParse(input, fragments, ranges);
    for (; ; ) {
      let done = parse.advance();
      if (done)
        return done;
    }
  }
};
var StringInput = class {
  constructor(string2) {
    this.string = string2;
  }
  get length() {
    return this.string.length;
  }
  chunk(from) {
    return this.string.slice(from);
  }
  get lineChunks() {
    return false;
  }
  read(from, to2) {
    return this.string.slice(from, to2);
  }
};
var stoppedInner = new NodeProp({ perNode: true });

// node_modules/@lezer/lr/dist/index.js
var Stack = class _Stack {
  /**
  @internal
  */
  constructor(p2, stack, state, reducePos, pos, score, buffer, bufferBase, curContext, lookAhead = 0, parent) {
    this.p = p2;
    this.stack = stack;
    this.state = state;
    this.reducePos = reducePos;
    this.pos = pos;
    this.score = score;
    this.buffer = buffer;
    this.bufferBase = bufferBase;
    this.curContext = curContext;
    this.lookAhead = lookAhead;
    this.parent = parent;
  }
  /**
  @internal
  */
  toString() {
    return `[${this.stack.filter((_3, i) => i % 3 == 0).concat(this.state)}]@${this.pos}${this.score ? "!" + this.score : ""}`;
  }
  // Start an empty stack
  /**
  @internal
  */
  static start(p2, state, pos = 0) {
    let cx = p2.parser.context;
    return new _Stack(p2, [], state, pos, pos, 0, [], 0, cx ? new StackContext(cx, cx.start) : null, 0, null);
  }
  /**
  The stack's current [context](#lr.ContextTracker) value, if
  any. Its type will depend on the context tracker's type
  parameter, or it will be `null` if there is no context
  tracker.
  */
  get context() {
    return this.curContext ? this.curContext.context : null;
  }
  // Push a state onto the stack, tracking its start position as well
  // as the buffer base at that point.
  /**
  @internal
  */
  pushState(state, start) {
    this.stack.push(this.state, start, this.bufferBase + this.buffer.length);
    this.state = state;
  }
  // Apply a reduce action
  /**
  @internal
  */
  reduce(action) {
    var _a;
    let depth = action >> 19, type = action & 65535;
    let { parser: parser2 } = this.p;
    let lookaheadRecord = this.reducePos < this.pos - 25 && this.setLookAhead(this.pos);
    let dPrec = parser2.dynamicPrecedence(type);
    if (dPrec)
      this.score += dPrec;
    if (depth == 0) {
      if (type < parser2.minRepeatTerm && this.reducePos < this.pos)
        this.reducePos = this.pos;
      this.pushState(parser2.getGoto(this.state, type, true), this.reducePos);
      if (type < parser2.minRepeatTerm)
        this.storeNode(type, this.reducePos, this.reducePos, lookaheadRecord ? 8 : 4, true);
      this.reduceContext(type, this.reducePos);
      return;
    }
    let base = this.stack.length - (depth - 1) * 3 - (action & 262144 ? 6 : 0);
    let start = base ? this.stack[base - 2] : this.p.ranges[0].from;
    if (type < parser2.minRepeatTerm && start == this.reducePos && this.reducePos < this.pos)
      this.reducePos = this.pos;
    let size = this.reducePos - start;
    if (size >= 2e3 && !((_a = this.p.parser.nodeSet.types[type]) === null || _a === void 0 ? void 0 : _a.isAnonymous)) {
      if (start == this.p.lastBigReductionStart) {
        this.p.bigReductionCount++;
        this.p.lastBigReductionSize = size;
      } else if (this.p.lastBigReductionSize < size) {
        this.p.bigReductionCount = 1;
        this.p.lastBigReductionStart = start;
        this.p.lastBigReductionSize = size;
      }
    }
    let bufferBase = base ? this.stack[base - 1] : 0, count2 = this.bufferBase + this.buffer.length - bufferBase;
    if (type < parser2.minRepeatTerm || action & 131072) {
      let pos = parser2.stateFlag(
        this.state,
        1
        /* StateFlag.Skipped */
      ) ? this.pos : this.reducePos;
      this.storeNode(type, start, pos, count2 + 4, true);
    }
    if (action & 262144) {
      this.state = this.stack[base];
    } else {
      let baseStateID = this.stack[base - 3];
      this.state = parser2.getGoto(baseStateID, type, true);
    }
    while (this.stack.length > base)
      this.stack.pop();
    this.reduceContext(type, start);
  }
  // Shift a value into the buffer
  /**
  @internal
  */
  storeNode(term, start, end, size = 4, mustSink = false) {
    if (term == 0 && (!this.stack.length || this.stack[this.stack.length - 1] < this.buffer.length + this.bufferBase)) {
      let top = this.buffer.length;
      if (top > 0 && this.buffer[top - 4] == 0 && this.buffer[top - 1] > -1) {
        if (start == end)
          return;
        if (this.buffer[top - 2] >= start) {
          this.buffer[top - 2] = end;
          return;
        }
      }
    }
    if (!mustSink || this.pos == end) {
      this.buffer.push(term, start, end, size);
    } else {
      let index = this.buffer.length;
      if (index > 0 && (this.buffer[index - 4] != 0 || this.buffer[index - 1] < 0)) {
        let mustMove = false;
        for (let scan = index; scan > 0 && this.buffer[scan - 2] > end; scan -= 4) {
          if (this.buffer[scan - 1] >= 0) {
            mustMove = true;
            break;
          }
        }
        if (mustMove)
          while (index > 0 && this.buffer[index - 2] > end) {
            this.buffer[index] = this.buffer[index - 4];
            this.buffer[index + 1] = this.buffer[index - 3];
            this.buffer[index + 2] = this.buffer[index - 2];
            this.buffer[index + 3] = this.buffer[index - 1];
            index -= 4;
            if (size > 4)
              size -= 4;
          }
      }
      this.buffer[index] = term;
      this.buffer[index + 1] = start;
      this.buffer[index + 2] = end;
      this.buffer[index + 3] = size;
    }
  }
  // Apply a shift action
  /**
  @internal
  */
  shift(action, type, start, end) {
    if (action & 131072) {
      this.pushState(action & 65535, this.pos);
    } else if ((action & 262144) == 0) {
      let nextState = action, { parser: parser2 } = this.p;
      this.pos = end;
      let skipped = parser2.stateFlag(
        nextState,
        1
        /* StateFlag.Skipped */
      );
      if (!skipped && (end > start || type <= parser2.maxNode))
        this.reducePos = end;
      this.pushState(nextState, skipped ? start : Math.min(start, this.reducePos));
      this.shiftContext(type, start);
      if (type <= parser2.maxNode)
        this.buffer.push(type, start, end, 4);
    } else {
      this.pos = end;
      this.shiftContext(type, start);
      if (type <= this.p.parser.maxNode)
        this.buffer.push(type, start, end, 4);
    }
  }
  // Apply an action
  /**
  @internal
  */
  apply(action, next, nextStart, nextEnd) {
    if (action & 65536)
      this.reduce(action);
    else
      this.shift(action, next, nextStart, nextEnd);
  }
  // Add a prebuilt (reused) node into the buffer.
  /**
  @internal
  */
  useNode(value, next, start) {
    let index = this.p.reused.length - 1;
    if (index < 0 || this.p.reused[index] != value) {
      this.p.reused.push(value);
      index++;
    }
    let end = this.reducePos = this.pos = start + value.length;
    this.pushState(next, start);
    this.buffer.push(
      index,
      start,
      end,
      -1
      /* size == -1 means this is a reused value */
    );
    if (this.curContext)
      this.updateContext(this.curContext.tracker.reuse(this.curContext.context, value, this, this.p.stream.reset(this.pos - value.length)));
  }
  // Split the stack. Due to the buffer sharing and the fact
  // that `this.stack` tends to stay quite shallow, this isn't very
  // expensive.
  /**
  @internal
  */
  split() {
    let parent = this;
    let off = parent.buffer.length;
    if (off && parent.buffer[off - 4] == 0)
      off -= 4;
    while (off > 0 && parent.buffer[off - 2] > parent.reducePos)
      off -= 4;
    let buffer = parent.buffer.slice(off), base = parent.bufferBase + off;
    while (parent && base == parent.bufferBase)
      parent = parent.parent;
    return new _Stack(this.p, this.stack.slice(), this.state, this.reducePos, this.pos, this.score, buffer, base, this.curContext, this.lookAhead, parent);
  }
  // Try to recover from an error by 'deleting' (ignoring) one token.
  /**
  @internal
  */
  recoverByDelete(next, nextEnd) {
    let isNode = next <= this.p.parser.maxNode;
    if (isNode)
      this.storeNode(next, this.pos, nextEnd, 4);
    this.storeNode(0, this.pos, nextEnd, isNode ? 8 : 4);
    this.pos = this.reducePos = nextEnd;
    this.score -= 190;
  }
  /**
  Check if the given term would be able to be shifted (optionally
  after some reductions) on this stack. This can be useful for
  external tokenizers that want to make sure they only provide a
  given token when it applies.
  */
  canShift(term) {
    for (let sim = new SimulatedStack(this); ; ) {
      let action = this.p.parser.stateSlot(
        sim.state,
        4
        /* ParseState.DefaultReduce */
      ) || this.p.parser.hasAction(sim.state, term);
      if (action == 0)
        return false;
      if ((action & 65536) == 0)
        return true;
      sim.reduce(action);
    }
  }
  // Apply up to Recover.MaxNext recovery actions that conceptually
  // inserts some missing token or rule.
  /**
  @internal
  */
  recoverByInsert(next) {
    if (this.stack.length >= 300)
      return [];
    let nextStates = this.p.parser.nextStates(this.state);
    if (nextStates.length > 4 << 1 || this.stack.length >= 120) {
      let best = [];
      for (let i = 0, s; i < nextStates.length; i += 2) {
        if ((s = nextStates[i + 1]) != this.state && this.p.parser.hasAction(s, next))
          best.push(nextStates[i], s);
      }
      if (this.stack.length < 120)
        for (let i = 0; best.length < 4 << 1 && i < nextStates.length; i += 2) {
          let s = nextStates[i + 1];
          if (!best.some((v2, i2) => i2 & 1 && v2 == s))
            best.push(nextStates[i], s);
        }
      nextStates = best;
    }
    let result = [];
    for (let i = 0; i < nextStates.length && result.length < 4; i += 2) {
      let s = nextStates[i + 1];
      if (s == this.state)
        continue;
      let stack = this.split();
      stack.pushState(s, this.pos);
      stack.storeNode(0, stack.pos, stack.pos, 4, true);
      stack.shiftContext(nextStates[i], this.pos);
      stack.reducePos = this.pos;
      stack.score -= 200;
      result.push(stack);
    }
    return result;
  }
  // Force a reduce, if possible. Return false if that can't
  // be done.
  /**
  @internal
  */
  forceReduce() {
    let { parser: parser2 } = this.p;
    let reduce = parser2.stateSlot(
      this.state,
      5
      /* ParseState.ForcedReduce */
    );
    if ((reduce & 65536) == 0)
      return false;
    if (!parser2.validAction(this.state, reduce)) {
      let depth = reduce >> 19, term = reduce & 65535;
      let target = this.stack.length - depth * 3;
      if (target < 0 || parser2.getGoto(this.stack[target], term, false) < 0) {
        let backup = this.findForcedReduction();
        if (backup == null)
          return false;
        reduce = backup;
      }
      this.storeNode(0, this.pos, this.pos, 4, true);
      this.score -= 100;
    }
    this.reducePos = this.pos;
    this.reduce(reduce);
    return true;
  }
  /**
  Try to scan through the automaton to find some kind of reduction
  that can be applied. Used when the regular ForcedReduce field
  isn't a valid action. @internal
  */
  findForcedReduction() {
    let { parser: parser2 } = this.p, seen = [];
    let explore = (state, depth) => {
      if (seen.includes(state))
        return;
      seen.push(state);
      return parser2.allActions(state, (action) => {
        if (action & (262144 | 131072)) ;
        else if (action & 65536) {
          let rDepth = (action >> 19) - depth;
          if (rDepth > 1) {
            let term = action & 65535, target = this.stack.length - rDepth * 3;
            if (target >= 0 && parser2.getGoto(this.stack[target], term, false) >= 0)
              return rDepth << 19 | 65536 | term;
          }
        } else {
          let found = explore(action, depth + 1);
          if (found != null)
            return found;
        }
      });
    };
    return explore(this.state, 0);
  }
  /**
  @internal
  */
  forceAll() {
    while (!this.p.parser.stateFlag(
      this.state,
      2
      /* StateFlag.Accepting */
    )) {
      if (!this.forceReduce()) {
        this.storeNode(0, this.pos, this.pos, 4, true);
        break;
      }
    }
    return this;
  }
  /**
  Check whether this state has no further actions (assumed to be a direct descendant of the
  top state, since any other states must be able to continue
  somehow). @internal
  */
  get deadEnd() {
    if (this.stack.length != 3)
      return false;
    let { parser: parser2 } = this.p;
    return parser2.data[parser2.stateSlot(
      this.state,
      1
      /* ParseState.Actions */
    )] == 65535 && !parser2.stateSlot(
      this.state,
      4
      /* ParseState.DefaultReduce */
    );
  }
  /**
  Restart the stack (put it back in its start state). Only safe
  when this.stack.length == 3 (state is directly below the top
  state). @internal
  */
  restart() {
    this.storeNode(0, this.pos, this.pos, 4, true);
    this.state = this.stack[0];
    this.stack.length = 0;
  }
  /**
  @internal
  */
  sameState(other) {
    if (this.state != other.state || this.stack.length != other.stack.length)
      return false;
    for (let i = 0; i < this.stack.length; i += 3)
      if (this.stack[i] != other.stack[i])
        return false;
    return true;
  }
  /**
  Get the parser used by this stack.
  */
  get parser() {
    return this.p.parser;
  }
  /**
  Test whether a given dialect (by numeric ID, as exported from
  the terms file) is enabled.
  */
  dialectEnabled(dialectID) {
    return this.p.parser.dialect.flags[dialectID];
  }
  shiftContext(term, start) {
    if (this.curContext)
      this.updateContext(this.curContext.tracker.shift(this.curContext.context, term, this, this.p.stream.reset(start)));
  }
  reduceContext(term, start) {
    if (this.curContext)
      this.updateContext(this.curContext.tracker.reduce(this.curContext.context, term, this, this.p.stream.reset(start)));
  }
  /**
  @internal
  */
  emitContext() {
    let last = this.buffer.length - 1;
    if (last < 0 || this.buffer[last] != -3)
      this.storeNode(this.curContext.hash, this.reducePos, this.reducePos, -3, true);
  }
  /**
  @internal
  */
  emitLookAhead() {
    let last = this.buffer.length - 1;
    if (last < 0 || this.buffer[last] != -4)
      this.buffer.push(this.lookAhead, this.pos, this.pos, -4);
  }
  updateContext(context) {
    if (context != this.curContext.context) {
      let newCx = new StackContext(this.curContext.tracker, context);
      if (newCx.hash != this.curContext.hash)
        this.emitContext();
      this.curContext = newCx;
    }
  }
  /**
  @internal
  */
  setLookAhead(lookAhead) {
    if (lookAhead <= this.lookAhead)
      return false;
    this.emitLookAhead();
    this.lookAhead = lookAhead;
    return true;
  }
  /**
  @internal
  */
  close() {
    if (this.curContext && this.curContext.tracker.strict)
      this.emitContext();
    if (this.lookAhead > 0)
      this.emitLookAhead();
  }
};
var StackContext = class {
  constructor(tracker, context) {
    this.tracker = tracker;
    this.context = context;
    this.hash = tracker.strict ? tracker.hash(context) : 0;
  }
};
var SimulatedStack = class {
  constructor(start) {
    this.start = start;
    this.state = start.state;
    this.stack = start.stack;
    this.base = this.stack.length;
  }
  reduce(action) {
    let term = action & 65535, depth = action >> 19;
    if (depth == 0) {
      if (this.stack == this.start.stack)
        this.stack = this.stack.slice();
      this.stack.push(this.state, 0, 0);
      this.base += 3;
    } else {
      this.base -= (depth - 1) * 3;
    }
    let goto = this.start.p.parser.getGoto(this.stack[this.base - 3], term, true);
    this.state = goto;
  }
};
var StackBufferCursor = class _StackBufferCursor {
  constructor(stack, pos, index) {
    this.stack = stack;
    this.pos = pos;
    this.index = index;
    this.buffer = stack.buffer;
    if (this.index == 0)
      this.maybeNext();
  }
  static create(stack, pos = stack.bufferBase + stack.buffer.length) {
    return new _StackBufferCursor(stack, pos, pos - stack.bufferBase);
  }
  maybeNext() {
    let next = this.stack.parent;
    if (next != null) {
      this.index = this.stack.bufferBase - next.bufferBase;
      this.stack = next;
      this.buffer = next.buffer;
    }
  }
  get id() {
    return this.buffer[this.index - 4];
  }
  get start() {
    return this.buffer[this.index - 3];
  }
  get end() {
    return this.buffer[this.index - 2];
  }
  get size() {
    return this.buffer[this.index - 1];
  }
  next() {
    this.index -= 4;
    this.pos -= 4;
    if (this.index == 0)
      this.maybeNext();
  }
  fork() {
    return new _StackBufferCursor(this.stack, this.pos, this.index);
  }
};
function decodeArray(input, Type = Uint16Array) {
  if (typeof input != "string")
    return input;
  let array = null;
  for (let pos = 0, out = 0; pos < input.length; ) {
    let value = 0;
    for (; ; ) {
      let next = input.charCodeAt(pos++), stop = false;
      if (next == 126) {
        value = 65535;
        break;
      }
      if (next >= 92)
        next--;
      if (next >= 34)
        next--;
      let digit = next - 32;
      if (digit >= 46) {
        digit -= 46;
        stop = true;
      }
      value += digit;
      if (stop)
        break;
      value *= 46;
    }
    if (array)
      array[out++] = value;
    else
      array = new Type(value);
  }
  return array;
}
var CachedToken = class {
  constructor() {
    this.start = -1;
    this.value = -1;
    this.end = -1;
    this.extended = -1;
    this.lookAhead = 0;
    this.mask = 0;
    this.context = 0;
  }
};
var nullToken = new CachedToken();
var InputStream = class {
  /**
  @internal
  */
  constructor(input, ranges) {
    this.input = input;
    this.ranges = ranges;
    this.chunk = "";
    this.chunkOff = 0;
    this.chunk2 = "";
    this.chunk2Pos = 0;
    this.next = -1;
    this.token = nullToken;
    this.rangeIndex = 0;
    this.pos = this.chunkPos = ranges[0].from;
    this.range = ranges[0];
    this.end = ranges[ranges.length - 1].to;
    this.readNext();
  }
  /**
  @internal
  */
  resolveOffset(offset, assoc) {
    let range = this.range, index = this.rangeIndex;
    let pos = this.pos + offset;
    while (pos < range.from) {
      if (!index)
        return null;
      let next = this.ranges[--index];
      pos -= range.from - next.to;
      range = next;
    }
    while (assoc < 0 ? pos > range.to : pos >= range.to) {
      if (index == this.ranges.length - 1)
        return null;
      let next = this.ranges[++index];
      pos += next.from - range.to;
      range = next;
    }
    return pos;
  }
  /**
  @internal
  */
  clipPos(pos) {
    if (pos >= this.range.from && pos < this.range.to)
      return pos;
    for (let range of this.ranges)
      if (range.to > pos)
        return Math.max(pos, range.from);
    return this.end;
  }
  /**
  Look at a code unit near the stream position. `.peek(0)` equals
  `.next`, `.peek(-1)` gives you the previous character, and so
  on.
  
  Note that looking around during tokenizing creates dependencies
  on potentially far-away content, which may reduce the
  effectiveness incremental parsing—when looking forward—or even
  cause invalid reparses when looking backward more than 25 code
  units, since the library does not track lookbehind.
  */
  peek(offset) {
    let idx = this.chunkOff + offset, pos, result;
    if (idx >= 0 && idx < this.chunk.length) {
      pos = this.pos + offset;
      result = this.chunk.charCodeAt(idx);
    } else {
      let resolved = this.resolveOffset(offset, 1);
      if (resolved == null)
        return -1;
      pos = resolved;
      if (pos >= this.chunk2Pos && pos < this.chunk2Pos + this.chunk2.length) {
        result = this.chunk2.charCodeAt(pos - this.chunk2Pos);
      } else {
        let i = this.rangeIndex, range = this.range;
        while (range.to <= pos)
          range = this.ranges[++i];
        this.chunk2 = this.input.chunk(this.chunk2Pos = pos);
        if (pos + this.chunk2.length > range.to)
          this.chunk2 = this.chunk2.slice(0, range.to - pos);
        result = this.chunk2.charCodeAt(0);
      }
    }
    if (pos >= this.token.lookAhead)
      this.token.lookAhead = pos + 1;
    return result;
  }
  /**
  Accept a token. By default, the end of the token is set to the
  current stream position, but you can pass an offset (relative to
  the stream position) to change that.
  */
  acceptToken(token, endOffset = 0) {
    let end = endOffset ? this.resolveOffset(endOffset, -1) : this.pos;
    if (end == null || end < this.token.start)
      throw new RangeError("Token end out of bounds");
    this.token.value = token;
    this.token.end = end;
  }
  /**
  Accept a token ending at a specific given position.
  */
  acceptTokenTo(token, endPos) {
    this.token.value = token;
    this.token.end = endPos;
  }
  getChunk() {
    if (this.pos >= this.chunk2Pos && this.pos < this.chunk2Pos + this.chunk2.length) {
      let { chunk, chunkPos } = this;
      this.chunk = this.chunk2;
      this.chunkPos = this.chunk2Pos;
      this.chunk2 = chunk;
      this.chunk2Pos = chunkPos;
      this.chunkOff = this.pos - this.chunkPos;
    } else {
      this.chunk2 = this.chunk;
      this.chunk2Pos = this.chunkPos;
      let nextChunk = this.input.chunk(this.pos);
      let end = this.pos + nextChunk.length;
      this.chunk = end > this.range.to ? nextChunk.slice(0, this.range.to - this.pos) : nextChunk;
      this.chunkPos = this.pos;
      this.chunkOff = 0;
    }
  }
  readNext() {
    if (this.chunkOff >= this.chunk.length) {
      this.getChunk();
      if (this.chunkOff == this.chunk.length)
        return this.next = -1;
    }
    return this.next = this.chunk.charCodeAt(this.chunkOff);
  }
  /**
  Move the stream forward N (defaults to 1) code units. Returns
  the new value of [`next`](#lr.InputStream.next).
  */
  advance(n = 1) {
    this.chunkOff += n;
    while (this.pos + n >= this.range.to) {
      if (this.rangeIndex == this.ranges.length - 1)
        return this.setDone();
      n -= this.range.to - this.pos;
      this.range = this.ranges[++this.rangeIndex];
      this.pos = this.range.from;
    }
    this.pos += n;
    if (this.pos >= this.token.lookAhead)
      this.token.lookAhead = this.pos + 1;
    return this.readNext();
  }
  setDone() {
    this.pos = this.chunkPos = this.end;
    this.range = this.ranges[this.rangeIndex = this.ranges.length - 1];
    this.chunk = "";
    return this.next = -1;
  }
  /**
  @internal
  */
  reset(pos, token) {
    if (token) {
      this.token = token;
      token.start = pos;
      token.lookAhead = pos + 1;
      token.value = token.extended = -1;
    } else {
      this.token = nullToken;
    }
    if (this.pos != pos) {
      this.pos = pos;
      if (pos == this.end) {
        this.setDone();
        return this;
      }
      while (pos < this.range.from)
        this.range = this.ranges[--this.rangeIndex];
      while (pos >= this.range.to)
        this.range = this.ranges[++this.rangeIndex];
      if (pos >= this.chunkPos && pos < this.chunkPos + this.chunk.length) {
        this.chunkOff = pos - this.chunkPos;
      } else {
        this.chunk = "";
        this.chunkOff = 0;
      }
      this.readNext();
    }
    return this;
  }
  /**
  @internal
  */
  read(from, to2) {
    if (from >= this.chunkPos && to2 <= this.chunkPos + this.chunk.length)
      return this.chunk.slice(from - this.chunkPos, to2 - this.chunkPos);
    if (from >= this.chunk2Pos && to2 <= this.chunk2Pos + this.chunk2.length)
      return this.chunk2.slice(from - this.chunk2Pos, to2 - this.chunk2Pos);
    if (from >= this.range.from && to2 <= this.range.to)
      return this.input.read(from, to2);
    let result = "";
    for (let r2 of this.ranges) {
      if (r2.from >= to2)
        break;
      if (r2.to > from)
        result += this.input.read(Math.max(r2.from, from), Math.min(r2.to, to2));
    }
    return result;
  }
};
var TokenGroup = class {
  constructor(data, id2) {
    this.data = data;
    this.id = id2;
  }
  token(input, stack) {
    let { parser: parser2 } = stack.p;
    readToken(this.data, input, stack, this.id, parser2.data, parser2.tokenPrecTable);
  }
};
TokenGroup.prototype.contextual = TokenGroup.prototype.fallback = TokenGroup.prototype.extend = false;
var LocalTokenGroup = class {
  constructor(data, precTable, elseToken) {
    this.precTable = precTable;
    this.elseToken = elseToken;
    this.data = typeof data == "string" ? decodeArray(data) : data;
  }
  token(input, stack) {
    let start = input.pos, skipped = 0;
    for (; ; ) {
      let atEof = input.next < 0, nextPos = input.resolveOffset(1, 1);
      readToken(this.data, input, stack, 0, this.data, this.precTable);
      if (input.token.value > -1)
        break;
      if (this.elseToken == null)
        return;
      if (!atEof)
        skipped++;
      if (nextPos == null)
        break;
      input.reset(nextPos, input.token);
    }
    if (skipped) {
      input.reset(start, input.token);
      input.acceptToken(this.elseToken, skipped);
    }
  }
};
LocalTokenGroup.prototype.contextual = TokenGroup.prototype.fallback = TokenGroup.prototype.extend = false;
var ExternalTokenizer = class {
  /**
  Create a tokenizer. The first argument is the function that,
  given an input stream, scans for the types of tokens it
  recognizes at the stream's position, and calls
  [`acceptToken`](#lr.InputStream.acceptToken) when it finds
  one.
  */
  constructor(token, options = {}) {
    this.token = token;
    this.contextual = !!options.contextual;
    this.fallback = !!options.fallback;
    this.extend = !!options.extend;
  }
};
function readToken(data, input, stack, group, precTable, precOffset) {
  let state = 0, groupMask = 1 << group, { dialect } = stack.p.parser;
  scan: for (; ; ) {
    if ((groupMask & data[state]) == 0)
      break;
    let accEnd = data[state + 1];
    for (let i = state + 3; i < accEnd; i += 2)
      if ((data[i + 1] & groupMask) > 0) {
        let term = data[i];
        if (dialect.allows(term) && (input.token.value == -1 || input.token.value == term || overrides(term, input.token.value, precTable, precOffset))) {
          input.acceptToken(term);
          break;
        }
      }
    let next = input.next, low = 0, high = data[state + 2];
    if (input.next < 0 && high > low && data[accEnd + high * 3 - 3] == 65535) {
      state = data[accEnd + high * 3 - 1];
      continue scan;
    }
    for (; low < high; ) {
      let mid = low + high >> 1;
      let index = accEnd + mid + (mid << 1);
      let from = data[index], to2 = data[index + 1] || 65536;
      if (next < from)
        high = mid;
      else if (next >= to2)
        low = mid + 1;
      else {
        state = data[index + 2];
        input.advance();
        continue scan;
      }
    }
    break;
  }
}
function findOffset(data, start, term) {
  for (let i = start, next; (next = data[i]) != 65535; i++)
    if (next == term)
      return i - start;
  return -1;
}
function overrides(token, prev, tableData, tableOffset) {
  let iPrev = findOffset(tableData, tableOffset, prev);
  return iPrev < 0 || findOffset(tableData, tableOffset, token) < iPrev;
}
var verbose = typeof process != "undefined" && process.env && /\bparse\b/.test(process.env.LOG);
var stackIDs = null;
function cutAt(tree, pos, side) {
  let cursor = tree.cursor(IterMode.IncludeAnonymous);
  cursor.moveTo(pos);
  for (; ; ) {
    if (!(side < 0 ? cursor.childBefore(pos) : cursor.childAfter(pos)))
      for (; ; ) {
        if ((side < 0 ? cursor.to < pos : cursor.from > pos) && !cursor.type.isError)
          return side < 0 ? Math.max(0, Math.min(
            cursor.to - 1,
            pos - 25
            /* Lookahead.Margin */
          )) : Math.min(tree.length, Math.max(
            cursor.from + 1,
            pos + 25
            /* Lookahead.Margin */
          ));
        if (side < 0 ? cursor.prevSibling() : cursor.nextSibling())
          break;
        if (!cursor.parent())
          return side < 0 ? 0 : tree.length;
      }
  }
}
var FragmentCursor = class {
  constructor(fragments, minRepeat) {
    this.fragments = fragments;
    this.minRepeat = minRepeat;
    this.i = 0;
    this.fragment = null;
    this.safeFrom = -1;
    this.safeTo = -1;
    this.trees = [];
    this.start = [];
    this.index = [];
    this.lastRepeat = null;
    this.lastRepeatPos = -1;
    this.nextFragment();
  }
  nextFragment() {
    let fr2 = this.fragment = this.i == this.fragments.length ? null : this.fragments[this.i++];
    if (fr2) {
      this.safeFrom = fr2.openStart ? cutAt(fr2.tree, fr2.from + fr2.offset, 1) - fr2.offset : fr2.from;
      this.safeTo = fr2.openEnd ? cutAt(fr2.tree, fr2.to + fr2.offset, -1) - fr2.offset : fr2.to;
      while (this.trees.length) {
        this.trees.pop();
        this.start.pop();
        this.index.pop();
      }
      this.trees.push(fr2.tree);
      this.start.push(-fr2.offset);
      this.index.push(0);
      this.nextStart = this.safeFrom;
    } else {
      this.nextStart = 1e9;
    }
  }
  // `pos` must be >= any previously given `pos` for this cursor
  nodeAt(pos) {
    if (pos < this.nextStart)
      return null;
    while (this.fragment && this.safeTo <= pos)
      this.nextFragment();
    if (!this.fragment)
      return null;
    for (; ; ) {
      let last = this.trees.length - 1;
      if (last < 0) {
        this.nextFragment();
        return null;
      }
      if (pos < this.safeFrom)
        return null;
      let top = this.trees[last], index = this.index[last];
      if (index == top.children.length) {
        this.trees.pop();
        this.start.pop();
        this.index.pop();
        continue;
      }
      let next = top.children[index];
      let start = this.start[last] + top.positions[index];
      if (start > pos) {
        this.nextStart = start;
        return null;
      }
      if (next instanceof Tree) {
        let storeRepeat = start > this.lastRepeatPos && next.type.id >= this.minRepeat;
        if (start == pos || storeRepeat) {
          let end = start + next.length, lookahead;
          if (start >= this.safeFrom && end <= this.safeTo && (!(lookahead = next.prop(NodeProp.lookAhead)) || end + lookahead < this.fragment.to)) {
            if (storeRepeat) {
              this.lastRepeat = next;
              this.lastRepeatPos = start;
            }
            if (start == pos)
              return next;
          }
        }
        this.index[last]++;
        if (start + next.length >= Math.max(this.safeFrom, pos)) {
          this.trees.push(next);
          this.start.push(start);
          this.index.push(0);
        }
      } else {
        this.index[last]++;
        this.nextStart = start + next.length;
      }
    }
  }
};
var TokenCache = class {
  constructor(parser2, stream) {
    this.stream = stream;
    this.tokens = [];
    this.mainToken = null;
    this.actions = [];
    this.tokens = parser2.tokenizers.map((_3) => new CachedToken());
  }
  getActions(stack) {
    let actionIndex = 0;
    let main = null;
    let { parser: parser2 } = stack.p, { tokenizers } = parser2;
    let mask = parser2.stateSlot(
      stack.state,
      3
      /* ParseState.TokenizerMask */
    );
    let context = stack.curContext ? stack.curContext.hash : 0;
    let lookAhead = 0;
    for (let i = 0; i < tokenizers.length; i++) {
      if ((1 << i & mask) == 0)
        continue;
      let tokenizer = tokenizers[i], token = this.tokens[i];
      if (main && !tokenizer.fallback)
        continue;
      if (tokenizer.contextual || token.start != stack.pos || token.mask != mask || token.context != context) {
        this.updateCachedToken(token, tokenizer, stack);
        token.mask = mask;
        token.context = context;
      }
      if (token.lookAhead > token.end + 25)
        lookAhead = Math.max(token.lookAhead, lookAhead);
      if (token.value != 0) {
        let startIndex = actionIndex;
        if (token.extended > -1)
          actionIndex = this.addActions(stack, token.extended, token.end, actionIndex);
        actionIndex = this.addActions(stack, token.value, token.end, actionIndex);
        if (!tokenizer.extend) {
          main = token;
          if (actionIndex > startIndex)
            break;
        }
      }
    }
    while (this.actions.length > actionIndex)
      this.actions.pop();
    if (lookAhead)
      stack.setLookAhead(lookAhead);
    if (!main && stack.pos == this.stream.end) {
      main = new CachedToken();
      main.value = stack.p.parser.eofTerm;
      main.start = main.end = stack.pos;
      actionIndex = this.addActions(stack, main.value, main.end, actionIndex);
    }
    this.mainToken = main;
    return this.actions;
  }
  getMainToken(stack) {
    if (this.mainToken)
      return this.mainToken;
    let main = new CachedToken(), { pos, p: p2 } = stack;
    main.start = pos;
    main.end = Math.min(pos + 1, p2.stream.end);
    main.value = pos == p2.stream.end ? p2.parser.eofTerm : 0;
    return main;
  }
  updateCachedToken(token, tokenizer, stack) {
    let start = this.stream.clipPos(stack.pos);
    tokenizer.token(this.stream.reset(start, token), stack);
    if (token.value > -1) {
      let { parser: parser2 } = stack.p;
      for (let i = 0; i < parser2.specialized.length; i++)
        if (parser2.specialized[i] == token.value) {
          let result = parser2.specializers[i](this.stream.read(token.start, token.end), stack);
          if (result >= 0 && stack.p.parser.dialect.allows(result >> 1)) {
            if ((result & 1) == 0)
              token.value = result >> 1;
            else
              token.extended = result >> 1;
            break;
          }
        }
    } else {
      token.value = 0;
      token.end = this.stream.clipPos(start + 1);
    }
  }
  putAction(action, token, end, index) {
    for (let i = 0; i < index; i += 3)
      if (this.actions[i] == action)
        return index;
    this.actions[index++] = action;
    this.actions[index++] = token;
    this.actions[index++] = end;
    return index;
  }
  addActions(stack, token, end, index) {
    let { state } = stack, { parser: parser2 } = stack.p, { data } = parser2;
    for (let set = 0; set < 2; set++) {
      for (let i = parser2.stateSlot(
        state,
        set ? 2 : 1
        /* ParseState.Actions */
      ); ; i += 3) {
        if (data[i] == 65535) {
          if (data[i + 1] == 1) {
            i = pair(data, i + 2);
          } else {
            if (index == 0 && data[i + 1] == 2)
              index = this.putAction(pair(data, i + 2), token, end, index);
            break;
          }
        }
        if (data[i] == token)
          index = this.putAction(pair(data, i + 1), token, end, index);
      }
    }
    return index;
  }
};
var Parse = class {
  constructor(parser2, input, fragments, ranges) {
    this.parser = parser2;
    this.input = input;
    this.ranges = ranges;
    this.recovering = 0;
    this.nextStackID = 9812;
    this.minStackPos = 0;
    this.reused = [];
    this.stoppedAt = null;
    this.lastBigReductionStart = -1;
    this.lastBigReductionSize = 0;
    this.bigReductionCount = 0;
    this.stream = new InputStream(input, ranges);
    this.tokens = new TokenCache(parser2, this.stream);
    this.topTerm = parser2.top[1];
    let { from } = ranges[0];
    this.stacks = [Stack.start(this, parser2.top[0], from)];
    this.fragments = fragments.length && this.stream.end - from > parser2.bufferLength * 4 ? new FragmentCursor(fragments, parser2.minRepeatTerm) : null;
  }
  get parsedPos() {
    return this.minStackPos;
  }
  // Move the parser forward. This will process all parse stacks at
  // `this.pos` and try to advance them to a further position. If no
  // stack for such a position is found, it'll start error-recovery.
  //
  // When the parse is finished, this will return a syntax tree. When
  // not, it returns `null`.
  advance() {
    let stacks = this.stacks, pos = this.minStackPos;
    let newStacks = this.stacks = [];
    let stopped, stoppedTokens;
    if (this.bigReductionCount > 300 && stacks.length == 1) {
      let [s] = stacks;
      while (s.forceReduce() && s.stack.length && s.stack[s.stack.length - 2] >= this.lastBigReductionStart) {
      }
      this.bigReductionCount = this.lastBigReductionSize = 0;
    }
    for (let i = 0; i < stacks.length; i++) {
      let stack = stacks[i];
      for (; ; ) {
        this.tokens.mainToken = null;
        if (stack.pos > pos) {
          newStacks.push(stack);
        } else if (this.advanceStack(stack, newStacks, stacks)) {
          continue;
        } else {
          if (!stopped) {
            stopped = [];
            stoppedTokens = [];
          }
          stopped.push(stack);
          let tok = this.tokens.getMainToken(stack);
          stoppedTokens.push(tok.value, tok.end);
        }
        break;
      }
    }
    if (!newStacks.length) {
      let finished = stopped && findFinished(stopped);
      if (finished) {
        if (verbose)
          console.log("Finish with " + this.stackID(finished));
        return this.stackToTree(finished);
      }
      if (this.parser.strict) {
        if (verbose && stopped)
          console.log("Stuck with token " + (this.tokens.mainToken ? this.parser.getName(this.tokens.mainToken.value) : "none"));
        throw new SyntaxError("No parse at " + pos);
      }
      if (!this.recovering)
        this.recovering = 5;
    }
    if (this.recovering && stopped) {
      let finished = this.stoppedAt != null && stopped[0].pos > this.stoppedAt ? stopped[0] : this.runRecovery(stopped, stoppedTokens, newStacks);
      if (finished) {
        if (verbose)
          console.log("Force-finish " + this.stackID(finished));
        return this.stackToTree(finished.forceAll());
      }
    }
    if (this.recovering) {
      let maxRemaining = this.recovering == 1 ? 1 : this.recovering * 3;
      if (newStacks.length > maxRemaining) {
        newStacks.sort((a, b3) => b3.score - a.score);
        while (newStacks.length > maxRemaining)
          newStacks.pop();
      }
      if (newStacks.some((s) => s.reducePos > pos))
        this.recovering--;
    } else if (newStacks.length > 1) {
      outer: for (let i = 0; i < newStacks.length - 1; i++) {
        let stack = newStacks[i];
        for (let j3 = i + 1; j3 < newStacks.length; j3++) {
          let other = newStacks[j3];
          if (stack.sameState(other) || stack.buffer.length > 500 && other.buffer.length > 500) {
            if ((stack.score - other.score || stack.buffer.length - other.buffer.length) > 0) {
              newStacks.splice(j3--, 1);
            } else {
              newStacks.splice(i--, 1);
              continue outer;
            }
          }
        }
      }
      if (newStacks.length > 12) {
        newStacks.sort((a, b3) => b3.score - a.score);
        newStacks.splice(
          12,
          newStacks.length - 12
          /* Rec.MaxStackCount */
        );
      }
    }
    this.minStackPos = newStacks[0].pos;
    for (let i = 1; i < newStacks.length; i++)
      if (newStacks[i].pos < this.minStackPos)
        this.minStackPos = newStacks[i].pos;
    return null;
  }
  stopAt(pos) {
    if (this.stoppedAt != null && this.stoppedAt < pos)
      throw new RangeError("Can't move stoppedAt forward");
    this.stoppedAt = pos;
  }
  // See if a given tree, or a descendant right at its start, can be
  // reused in the given stack.
  tryReuse(stack, start, tree, repeatOnly) {
    if (!tree)
      return null;
    let strictCx = stack.curContext && stack.curContext.tracker.strict, cxHash = strictCx ? stack.curContext.hash : 0;
    for (; tree; ) {
      let match = this.parser.nodeSet.types[tree.type.id] != tree.type ? -1 : this.parser.getGoto(stack.state, tree.type.id);
      if (match > -1 && tree.length && (!strictCx || (tree.prop(NodeProp.contextHash) || 0) == cxHash)) {
        stack.useNode(tree, match, start);
        return tree;
      }
      if (tree.children.length == 0 || tree.positions[0] > 0)
        break;
      let inner = tree.children[0];
      if (inner instanceof Tree && (!repeatOnly || inner.type.id >= this.parser.minRepeatTerm))
        tree = inner;
      else
        break;
    }
    return null;
  }
  // Returns an updated version of the given stack, or null if the
  // stack can't advance normally. When `split` and `stacks` are
  // given, stacks split off by ambiguous operations will be pushed to
  // `split`, or added to `stacks` if they move `pos` forward.
  advanceStack(stack, stacks, split) {
    let start = stack.pos, { parser: parser2 } = this;
    let base = verbose ? this.stackID(stack) + " -> " : "";
    if (this.stoppedAt != null && start > this.stoppedAt)
      return stack.forceReduce() ? stack : null;
    if (this.fragments) {
      let reused = stack.reducePos < start && stack.buffer.length && stack.buffer[stack.buffer.length - 2] <= stack.reducePos && this.fragments.lastRepeatPos == stack.reducePos && this.tryReuse(stack, stack.reducePos, this.fragments.lastRepeat, true) || this.tryReuse(stack, start, this.fragments.nodeAt(start), false);
      if (reused) {
        if (verbose)
          console.log(base + this.stackID(stack) + ` (via reuse of ${parser2.getName(reused.type.id)})`);
        return true;
      }
    }
    let defaultReduce = parser2.stateSlot(
      stack.state,
      4
      /* ParseState.DefaultReduce */
    );
    if (defaultReduce > 0) {
      stack.reduce(defaultReduce);
      if (verbose)
        console.log(base + this.stackID(stack) + ` (via always-reduce ${parser2.getName(
          defaultReduce & 65535
          /* Action.ValueMask */
        )})`);
      return true;
    }
    if (stack.stack.length >= 8400) {
      while (stack.stack.length > 6e3 && stack.forceReduce()) {
      }
    }
    let actions = this.tokens.getActions(stack);
    for (let i = 0; i < actions.length; ) {
      let action = actions[i++], term = actions[i++], end = actions[i++];
      let last = i == actions.length || !split;
      let localStack = last ? stack : stack.split();
      let main = this.tokens.mainToken;
      localStack.apply(action, term, main ? main.start : localStack.pos, end);
      if (verbose)
        console.log(base + this.stackID(localStack) + ` (via ${(action & 65536) == 0 ? "shift" : `reduce of ${parser2.getName(
          action & 65535
          /* Action.ValueMask */
        )}`} for ${parser2.getName(term)} @ ${start}${localStack == stack ? "" : ", split"})`);
      if (last)
        return true;
      else if (localStack.pos > start)
        stacks.push(localStack);
      else
        split.push(localStack);
    }
    return false;
  }
  // Advance a given stack forward as far as it will go. Returns the
  // (possibly updated) stack if it got stuck, or null if it moved
  // forward and was given to `pushStackDedup`.
  advanceFully(stack, newStacks) {
    let pos = stack.pos;
    for (; ; ) {
      if (!this.advanceStack(stack, null, null))
        return false;
      if (stack.pos > pos) {
        pushStackDedup(stack, newStacks);
        return true;
      }
    }
  }
  runRecovery(stacks, tokens, newStacks) {
    let finished = null, restarted = false;
    for (let i = 0; i < stacks.length; i++) {
      let stack = stacks[i], token = tokens[i << 1], tokenEnd = tokens[(i << 1) + 1];
      let base = verbose ? this.stackID(stack) + " -> " : "";
      if (stack.deadEnd) {
        if (restarted)
          continue;
        restarted = true;
        stack.restart();
        if (verbose)
          console.log(base + this.stackID(stack) + " (restarted)");
        let done = this.advanceFully(stack, newStacks);
        if (done)
          continue;
      }
      let force = stack.split(), forceBase = base;
      for (let j3 = 0; j3 < 10 && force.forceReduce(); j3++) {
        if (verbose)
          console.log(forceBase + this.stackID(force) + " (via force-reduce)");
        let done = this.advanceFully(force, newStacks);
        if (done)
          break;
        if (verbose)
          forceBase = this.stackID(force) + " -> ";
      }
      for (let insert of stack.recoverByInsert(token)) {
        if (verbose)
          console.log(base + this.stackID(insert) + " (via recover-insert)");
        this.advanceFully(insert, newStacks);
      }
      if (this.stream.end > stack.pos) {
        if (tokenEnd == stack.pos) {
          tokenEnd++;
          token = 0;
        }
        stack.recoverByDelete(token, tokenEnd);
        if (verbose)
          console.log(base + this.stackID(stack) + ` (via recover-delete ${this.parser.getName(token)})`);
        pushStackDedup(stack, newStacks);
      } else if (!finished || finished.score < force.score) {
        finished = force;
      }
    }
    return finished;
  }
  // Convert the stack's buffer to a syntax tree.
  stackToTree(stack) {
    stack.close();
    return Tree.build({
      buffer: StackBufferCursor.create(stack),
      nodeSet: this.parser.nodeSet,
      topID: this.topTerm,
      maxBufferLength: this.parser.bufferLength,
      reused: this.reused,
      start: this.ranges[0].from,
      length: stack.pos - this.ranges[0].from,
      minRepeatType: this.parser.minRepeatTerm
    });
  }
  stackID(stack) {
    let id2 = (stackIDs || (stackIDs = /* @__PURE__ */ new WeakMap())).get(stack);
    if (!id2)
      stackIDs.set(stack, id2 = String.fromCodePoint(this.nextStackID++));
    return id2 + stack;
  }
};
function pushStackDedup(stack, newStacks) {
  for (let i = 0; i < newStacks.length; i++) {
    let other = newStacks[i];
    if (other.pos == stack.pos && other.sameState(stack)) {
      if (newStacks[i].score < stack.score)
        newStacks[i] = stack;
      return;
    }
  }
  newStacks.push(stack);
}
var Dialect = class {
  constructor(source, flags, disabled) {
    this.source = source;
    this.flags = flags;
    this.disabled = disabled;
  }
  allows(term) {
    return !this.disabled || this.disabled[term] == 0;
  }
};
var id = (x3) => x3;
var ContextTracker = class {
  /**
  Define a context tracker.
  */
  constructor(spec) {
    this.start = spec.start;
    this.shift = spec.shift || id;
    this.reduce = spec.reduce || id;
    this.reuse = spec.reuse || id;
    this.hash = spec.hash || (() => 0);
    this.strict = spec.strict !== false;
  }
};
var LRParser = class _LRParser extends Parser {
  /**
  @internal
  */
  constructor(spec) {
    super();
    this.wrappers = [];
    if (spec.version != 14)
      throw new RangeError(`Parser version (${spec.version}) doesn't match runtime version (${14})`);
    let nodeNames = spec.nodeNames.split(" ");
    this.minRepeatTerm = nodeNames.length;
    for (let i = 0; i < spec.repeatNodeCount; i++)
      nodeNames.push("");
    let topTerms = Object.keys(spec.topRules).map((r2) => spec.topRules[r2][1]);
    let nodeProps = [];
    for (let i = 0; i < nodeNames.length; i++)
      nodeProps.push([]);
    function setProp(nodeID, prop, value) {
      nodeProps[nodeID].push([prop, prop.deserialize(String(value))]);
    }
    if (spec.nodeProps)
      for (let propSpec of spec.nodeProps) {
        let prop = propSpec[0];
        if (typeof prop == "string")
          prop = NodeProp[prop];
        for (let i = 1; i < propSpec.length; ) {
          let next = propSpec[i++];
          if (next >= 0) {
            setProp(next, prop, propSpec[i++]);
          } else {
            let value = propSpec[i + -next];
            for (let j3 = -next; j3 > 0; j3--)
              setProp(propSpec[i++], prop, value);
            i++;
          }
        }
      }
    this.nodeSet = new NodeSet(nodeNames.map((name2, i) => NodeType.define({
      name: i >= this.minRepeatTerm ? void 0 : name2,
      id: i,
      props: nodeProps[i],
      top: topTerms.indexOf(i) > -1,
      error: i == 0,
      skipped: spec.skippedNodes && spec.skippedNodes.indexOf(i) > -1
    })));
    if (spec.propSources)
      this.nodeSet = this.nodeSet.extend(...spec.propSources);
    this.strict = false;
    this.bufferLength = DefaultBufferLength;
    let tokenArray = decodeArray(spec.tokenData);
    this.context = spec.context;
    this.specializerSpecs = spec.specialized || [];
    this.specialized = new Uint16Array(this.specializerSpecs.length);
    for (let i = 0; i < this.specializerSpecs.length; i++)
      this.specialized[i] = this.specializerSpecs[i].term;
    this.specializers = this.specializerSpecs.map(getSpecializer);
    this.states = decodeArray(spec.states, Uint32Array);
    this.data = decodeArray(spec.stateData);
    this.goto = decodeArray(spec.goto);
    this.maxTerm = spec.maxTerm;
    this.tokenizers = spec.tokenizers.map((value) => typeof value == "number" ? new TokenGroup(tokenArray, value) : value);
    this.topRules = spec.topRules;
    this.dialects = spec.dialects || {};
    this.dynamicPrecedences = spec.dynamicPrecedences || null;
    this.tokenPrecTable = spec.tokenPrec;
    this.termNames = spec.termNames || null;
    this.maxNode = this.nodeSet.types.length - 1;
    this.dialect = this.parseDialect();
    this.top = this.topRules[Object.keys(this.topRules)[0]];
  }
  createParse(input, fragments, ranges) {
    let parse = new Parse(this, input, fragments, ranges);
    for (let w2 of this.wrappers)
      parse = w2(parse, input, fragments, ranges);
    return parse;
  }
  /**
  Get a goto table entry @internal
  */
  getGoto(state, term, loose = false) {
    let table = this.goto;
    if (term >= table[0])
      return -1;
    for (let pos = table[term + 1]; ; ) {
      let groupTag = table[pos++], last = groupTag & 1;
      let target = table[pos++];
      if (last && loose)
        return target;
      for (let end = pos + (groupTag >> 1); pos < end; pos++)
        if (table[pos] == state)
          return target;
      if (last)
        return -1;
    }
  }
  /**
  Check if this state has an action for a given terminal @internal
  */
  hasAction(state, terminal) {
    let data = this.data;
    for (let set = 0; set < 2; set++) {
      for (let i = this.stateSlot(
        state,
        set ? 2 : 1
        /* ParseState.Actions */
      ), next; ; i += 3) {
        if ((next = data[i]) == 65535) {
          if (data[i + 1] == 1)
            next = data[i = pair(data, i + 2)];
          else if (data[i + 1] == 2)
            return pair(data, i + 2);
          else
            break;
        }
        if (next == terminal || next == 0)
          return pair(data, i + 1);
      }
    }
    return 0;
  }
  /**
  @internal
  */
  stateSlot(state, slot) {
    return this.states[state * 6 + slot];
  }
  /**
  @internal
  */
  stateFlag(state, flag) {
    return (this.stateSlot(
      state,
      0
      /* ParseState.Flags */
    ) & flag) > 0;
  }
  /**
  @internal
  */
  validAction(state, action) {
    return !!this.allActions(state, (a) => a == action ? true : null);
  }
  /**
  @internal
  */
  allActions(state, action) {
    let deflt = this.stateSlot(
      state,
      4
      /* ParseState.DefaultReduce */
    );
    let result = deflt ? action(deflt) : void 0;
    for (let i = this.stateSlot(
      state,
      1
      /* ParseState.Actions */
    ); result == null; i += 3) {
      if (this.data[i] == 65535) {
        if (this.data[i + 1] == 1)
          i = pair(this.data, i + 2);
        else
          break;
      }
      result = action(pair(this.data, i + 1));
    }
    return result;
  }
  /**
  Get the states that can follow this one through shift actions or
  goto jumps. @internal
  */
  nextStates(state) {
    let result = [];
    for (let i = this.stateSlot(
      state,
      1
      /* ParseState.Actions */
    ); ; i += 3) {
      if (this.data[i] == 65535) {
        if (this.data[i + 1] == 1)
          i = pair(this.data, i + 2);
        else
          break;
      }
      if ((this.data[i + 2] & 65536 >> 16) == 0) {
        let value = this.data[i + 1];
        if (!result.some((v2, i2) => i2 & 1 && v2 == value))
          result.push(this.data[i], value);
      }
    }
    return result;
  }
  /**
  Configure the parser. Returns a new parser instance that has the
  given settings modified. Settings not provided in `config` are
  kept from the original parser.
  */
  configure(config) {
    let copy = Object.assign(Object.create(_LRParser.prototype), this);
    if (config.props)
      copy.nodeSet = this.nodeSet.extend(...config.props);
    if (config.top) {
      let info = this.topRules[config.top];
      if (!info)
        throw new RangeError(`Invalid top rule name ${config.top}`);
      copy.top = info;
    }
    if (config.tokenizers)
      copy.tokenizers = this.tokenizers.map((t3) => {
        let found = config.tokenizers.find((r2) => r2.from == t3);
        return found ? found.to : t3;
      });
    if (config.specializers) {
      copy.specializers = this.specializers.slice();
      copy.specializerSpecs = this.specializerSpecs.map((s, i) => {
        let found = config.specializers.find((r2) => r2.from == s.external);
        if (!found)
          return s;
        let spec = Object.assign(Object.assign({}, s), { external: found.to });
        copy.specializers[i] = getSpecializer(spec);
        return spec;
      });
    }
    if (config.contextTracker)
      copy.context = config.contextTracker;
    if (config.dialect)
      copy.dialect = this.parseDialect(config.dialect);
    if (config.strict != null)
      copy.strict = config.strict;
    if (config.wrap)
      copy.wrappers = copy.wrappers.concat(config.wrap);
    if (config.bufferLength != null)
      copy.bufferLength = config.bufferLength;
    return copy;
  }
  /**
  Tells you whether any [parse wrappers](#lr.ParserConfig.wrap)
  are registered for this parser.
  */
  hasWrappers() {
    return this.wrappers.length > 0;
  }
  /**
  Returns the name associated with a given term. This will only
  work for all terms when the parser was generated with the
  `--names` option. By default, only the names of tagged terms are
  stored.
  */
  getName(term) {
    return this.termNames ? this.termNames[term] : String(term <= this.maxNode && this.nodeSet.types[term].name || term);
  }
  /**
  The eof term id is always allocated directly after the node
  types. @internal
  */
  get eofTerm() {
    return this.maxNode + 1;
  }
  /**
  The type of top node produced by the parser.
  */
  get topNode() {
    return this.nodeSet.types[this.top[1]];
  }
  /**
  @internal
  */
  dynamicPrecedence(term) {
    let prec = this.dynamicPrecedences;
    return prec == null ? 0 : prec[term] || 0;
  }
  /**
  @internal
  */
  parseDialect(dialect) {
    let values = Object.keys(this.dialects), flags = values.map(() => false);
    if (dialect)
      for (let part of dialect.split(" ")) {
        let id2 = values.indexOf(part);
        if (id2 >= 0)
          flags[id2] = true;
      }
    let disabled = null;
    for (let i = 0; i < values.length; i++)
      if (!flags[i]) {
        for (let j3 = this.dialects[values[i]], id2; (id2 = this.data[j3++]) != 65535; )
          (disabled || (disabled = new Uint8Array(this.maxTerm + 1)))[id2] = 1;
      }
    return new Dialect(dialect, flags, disabled);
  }
  /**
  Used by the output of the parser generator. Not available to
  user code. @hide
  */
  static deserialize(spec) {
    return new _LRParser(spec);
  }
};
function pair(data, off) {
  return data[off] | data[off + 1] << 16;
}
function findFinished(stacks) {
  let best = null;
  for (let stack of stacks) {
    let stopped = stack.p.stoppedAt;
    if ((stack.pos == stack.p.stream.end || stopped != null && stack.pos > stopped) && stack.p.parser.stateFlag(
      stack.state,
      2
      /* StateFlag.Accepting */
    ) && (!best || best.score < stack.score))
      best = stack;
  }
  return best;
}
function getSpecializer(spec) {
  if (spec.external) {
    let mask = spec.extend ? 1 : 0;
    return (value, stack) => spec.external(value, stack) << 1 | mask;
  }
  return spec.get;
}

// node_modules/@lezer/highlight/dist/index.js
var nextTagID = 0;
var Tag = class _Tag {
  /**
  @internal
  */
  constructor(name2, set, base, modified) {
    this.name = name2;
    this.set = set;
    this.base = base;
    this.modified = modified;
    this.id = nextTagID++;
  }
  toString() {
    let { name: name2 } = this;
    for (let mod of this.modified)
      if (mod.name)
        name2 = `${mod.name}(${name2})`;
    return name2;
  }
  static define(nameOrParent, parent) {
    let name2 = typeof nameOrParent == "string" ? nameOrParent : "?";
    if (nameOrParent instanceof _Tag)
      parent = nameOrParent;
    if (parent === null || parent === void 0 ? void 0 : parent.base)
      throw new Error("Can not derive from a modified tag");
    let tag = new _Tag(name2, [], null, []);
    tag.set.push(tag);
    if (parent)
      for (let t3 of parent.set)
        tag.set.push(t3);
    return tag;
  }
  /**
  Define a tag _modifier_, which is a function that, given a tag,
  will return a tag that is a subtag of the original. Applying the
  same modifier to a twice tag will return the same value (`m1(t1)
  == m1(t1)`) and applying multiple modifiers will, regardless or
  order, produce the same tag (`m1(m2(t1)) == m2(m1(t1))`).
  
  When multiple modifiers are applied to a given base tag, each
  smaller set of modifiers is registered as a parent, so that for
  example `m1(m2(m3(t1)))` is a subtype of `m1(m2(t1))`,
  `m1(m3(t1)`, and so on.
  */
  static defineModifier(name2) {
    let mod = new Modifier(name2);
    return (tag) => {
      if (tag.modified.indexOf(mod) > -1)
        return tag;
      return Modifier.get(tag.base || tag, tag.modified.concat(mod).sort((a, b3) => a.id - b3.id));
    };
  }
};
var nextModifierID = 0;
var Modifier = class _Modifier {
  constructor(name2) {
    this.name = name2;
    this.instances = [];
    this.id = nextModifierID++;
  }
  static get(base, mods) {
    if (!mods.length)
      return base;
    let exists = mods[0].instances.find((t3) => t3.base == base && sameArray(mods, t3.modified));
    if (exists)
      return exists;
    let set = [], tag = new Tag(base.name, set, base, mods);
    for (let m2 of mods)
      m2.instances.push(tag);
    let configs = powerSet(mods);
    for (let parent of base.set)
      if (!parent.modified.length)
        for (let config of configs)
          set.push(_Modifier.get(parent, config));
    return tag;
  }
};
function sameArray(a, b3) {
  return a.length == b3.length && a.every((x3, i) => x3 == b3[i]);
}
function powerSet(array) {
  let sets = [[]];
  for (let i = 0; i < array.length; i++) {
    for (let j3 = 0, e = sets.length; j3 < e; j3++) {
      sets.push(sets[j3].concat(array[i]));
    }
  }
  return sets.sort((a, b3) => b3.length - a.length);
}
function styleTags(spec) {
  let byName = /* @__PURE__ */ Object.create(null);
  for (let prop in spec) {
    let tags2 = spec[prop];
    if (!Array.isArray(tags2))
      tags2 = [tags2];
    for (let part of prop.split(" "))
      if (part) {
        let pieces = [], mode = 2, rest = part;
        for (let pos = 0; ; ) {
          if (rest == "..." && pos > 0 && pos + 3 == part.length) {
            mode = 1;
            break;
          }
          let m2 = /^"(?:[^"\\]|\\.)*?"|[^\/!]+/.exec(rest);
          if (!m2)
            throw new RangeError("Invalid path: " + part);
          pieces.push(m2[0] == "*" ? "" : m2[0][0] == '"' ? JSON.parse(m2[0]) : m2[0]);
          pos += m2[0].length;
          if (pos == part.length)
            break;
          let next = part[pos++];
          if (pos == part.length && next == "!") {
            mode = 0;
            break;
          }
          if (next != "/")
            throw new RangeError("Invalid path: " + part);
          rest = part.slice(pos);
        }
        let last = pieces.length - 1, inner = pieces[last];
        if (!inner)
          throw new RangeError("Invalid path: " + part);
        let rule = new Rule(tags2, mode, last > 0 ? pieces.slice(0, last) : null);
        byName[inner] = rule.sort(byName[inner]);
      }
  }
  return ruleNodeProp.add(byName);
}
var ruleNodeProp = new NodeProp({
  combine(a, b3) {
    let cur, root, take;
    while (a || b3) {
      if (!a || b3 && a.depth <= b3.depth) {
        take = b3;
        b3 = b3.next;
      } else {
        take = a;
        a = a.next;
      }
      if (cur && cur.mode == take.mode && !take.context && !cur.context)
        continue;
      let copy = new Rule(take.tags, take.mode, take.context);
      if (cur)
        cur.next = copy;
      else
        root = copy;
      cur = copy;
    }
    return root;
  }
});
var Rule = class {
  constructor(tags2, mode, context, next) {
    this.tags = tags2;
    this.mode = mode;
    this.context = context;
    this.next = next;
  }
  get opaque() {
    return this.mode == 0;
  }
  get inherit() {
    return this.mode == 1;
  }
  sort(other) {
    if (!other || other.depth < this.depth) {
      this.next = other;
      return this;
    }
    other.next = this.sort(other.next);
    return other;
  }
  get depth() {
    return this.context ? this.context.length : 0;
  }
};
Rule.empty = new Rule([], 2, null);
function tagHighlighter(tags2, options) {
  let map = /* @__PURE__ */ Object.create(null);
  for (let style of tags2) {
    if (!Array.isArray(style.tag))
      map[style.tag.id] = style.class;
    else
      for (let tag of style.tag)
        map[tag.id] = style.class;
  }
  let { scope, all = null } = options || {};
  return {
    style: (tags3) => {
      let cls = all;
      for (let tag of tags3) {
        for (let sub of tag.set) {
          let tagClass = map[sub.id];
          if (tagClass) {
            cls = cls ? cls + " " + tagClass : tagClass;
            break;
          }
        }
      }
      return cls;
    },
    scope
  };
}
var t2 = Tag.define;
var comment = t2();
var name = t2();
var typeName = t2(name);
var propertyName = t2(name);
var literal = t2();
var string = t2(literal);
var number = t2(literal);
var content = t2();
var heading2 = t2(content);
var keyword = t2();
var operator = t2();
var punctuation = t2();
var bracket = t2(punctuation);
var meta = t2();
var tags = {
  /**
  A comment.
  */
  comment,
  /**
  A line [comment](#highlight.tags.comment).
  */
  lineComment: t2(comment),
  /**
  A block [comment](#highlight.tags.comment).
  */
  blockComment: t2(comment),
  /**
  A documentation [comment](#highlight.tags.comment).
  */
  docComment: t2(comment),
  /**
  Any kind of identifier.
  */
  name,
  /**
  The [name](#highlight.tags.name) of a variable.
  */
  variableName: t2(name),
  /**
  A type [name](#highlight.tags.name).
  */
  typeName,
  /**
  A tag name (subtag of [`typeName`](#highlight.tags.typeName)).
  */
  tagName: t2(typeName),
  /**
  A property or field [name](#highlight.tags.name).
  */
  propertyName,
  /**
  An attribute name (subtag of [`propertyName`](#highlight.tags.propertyName)).
  */
  attributeName: t2(propertyName),
  /**
  The [name](#highlight.tags.name) of a class.
  */
  className: t2(name),
  /**
  A label [name](#highlight.tags.name).
  */
  labelName: t2(name),
  /**
  A namespace [name](#highlight.tags.name).
  */
  namespace: t2(name),
  /**
  The [name](#highlight.tags.name) of a macro.
  */
  macroName: t2(name),
  /**
  A literal value.
  */
  literal,
  /**
  A string [literal](#highlight.tags.literal).
  */
  string,
  /**
  A documentation [string](#highlight.tags.string).
  */
  docString: t2(string),
  /**
  A character literal (subtag of [string](#highlight.tags.string)).
  */
  character: t2(string),
  /**
  An attribute value (subtag of [string](#highlight.tags.string)).
  */
  attributeValue: t2(string),
  /**
  A number [literal](#highlight.tags.literal).
  */
  number,
  /**
  An integer [number](#highlight.tags.number) literal.
  */
  integer: t2(number),
  /**
  A floating-point [number](#highlight.tags.number) literal.
  */
  float: t2(number),
  /**
  A boolean [literal](#highlight.tags.literal).
  */
  bool: t2(literal),
  /**
  Regular expression [literal](#highlight.tags.literal).
  */
  regexp: t2(literal),
  /**
  An escape [literal](#highlight.tags.literal), for example a
  backslash escape in a string.
  */
  escape: t2(literal),
  /**
  A color [literal](#highlight.tags.literal).
  */
  color: t2(literal),
  /**
  A URL [literal](#highlight.tags.literal).
  */
  url: t2(literal),
  /**
  A language keyword.
  */
  keyword,
  /**
  The [keyword](#highlight.tags.keyword) for the self or this
  object.
  */
  self: t2(keyword),
  /**
  The [keyword](#highlight.tags.keyword) for null.
  */
  null: t2(keyword),
  /**
  A [keyword](#highlight.tags.keyword) denoting some atomic value.
  */
  atom: t2(keyword),
  /**
  A [keyword](#highlight.tags.keyword) that represents a unit.
  */
  unit: t2(keyword),
  /**
  A modifier [keyword](#highlight.tags.keyword).
  */
  modifier: t2(keyword),
  /**
  A [keyword](#highlight.tags.keyword) that acts as an operator.
  */
  operatorKeyword: t2(keyword),
  /**
  A control-flow related [keyword](#highlight.tags.keyword).
  */
  controlKeyword: t2(keyword),
  /**
  A [keyword](#highlight.tags.keyword) that defines something.
  */
  definitionKeyword: t2(keyword),
  /**
  A [keyword](#highlight.tags.keyword) related to defining or
  interfacing with modules.
  */
  moduleKeyword: t2(keyword),
  /**
  An operator.
  */
  operator,
  /**
  An [operator](#highlight.tags.operator) that dereferences something.
  */
  derefOperator: t2(operator),
  /**
  Arithmetic-related [operator](#highlight.tags.operator).
  */
  arithmeticOperator: t2(operator),
  /**
  Logical [operator](#highlight.tags.operator).
  */
  logicOperator: t2(operator),
  /**
  Bit [operator](#highlight.tags.operator).
  */
  bitwiseOperator: t2(operator),
  /**
  Comparison [operator](#highlight.tags.operator).
  */
  compareOperator: t2(operator),
  /**
  [Operator](#highlight.tags.operator) that updates its operand.
  */
  updateOperator: t2(operator),
  /**
  [Operator](#highlight.tags.operator) that defines something.
  */
  definitionOperator: t2(operator),
  /**
  Type-related [operator](#highlight.tags.operator).
  */
  typeOperator: t2(operator),
  /**
  Control-flow [operator](#highlight.tags.operator).
  */
  controlOperator: t2(operator),
  /**
  Program or markup punctuation.
  */
  punctuation,
  /**
  [Punctuation](#highlight.tags.punctuation) that separates
  things.
  */
  separator: t2(punctuation),
  /**
  Bracket-style [punctuation](#highlight.tags.punctuation).
  */
  bracket,
  /**
  Angle [brackets](#highlight.tags.bracket) (usually `<` and `>`
  tokens).
  */
  angleBracket: t2(bracket),
  /**
  Square [brackets](#highlight.tags.bracket) (usually `[` and `]`
  tokens).
  */
  squareBracket: t2(bracket),
  /**
  Parentheses (usually `(` and `)` tokens). Subtag of
  [bracket](#highlight.tags.bracket).
  */
  paren: t2(bracket),
  /**
  Braces (usually `{` and `}` tokens). Subtag of
  [bracket](#highlight.tags.bracket).
  */
  brace: t2(bracket),
  /**
  Content, for example plain text in XML or markup documents.
  */
  content,
  /**
  [Content](#highlight.tags.content) that represents a heading.
  */
  heading: heading2,
  /**
  A level 1 [heading](#highlight.tags.heading).
  */
  heading1: t2(heading2),
  /**
  A level 2 [heading](#highlight.tags.heading).
  */
  heading2: t2(heading2),
  /**
  A level 3 [heading](#highlight.tags.heading).
  */
  heading3: t2(heading2),
  /**
  A level 4 [heading](#highlight.tags.heading).
  */
  heading4: t2(heading2),
  /**
  A level 5 [heading](#highlight.tags.heading).
  */
  heading5: t2(heading2),
  /**
  A level 6 [heading](#highlight.tags.heading).
  */
  heading6: t2(heading2),
  /**
  A prose [content](#highlight.tags.content) separator (such as a horizontal rule).
  */
  contentSeparator: t2(content),
  /**
  [Content](#highlight.tags.content) that represents a list.
  */
  list: t2(content),
  /**
  [Content](#highlight.tags.content) that represents a quote.
  */
  quote: t2(content),
  /**
  [Content](#highlight.tags.content) that is emphasized.
  */
  emphasis: t2(content),
  /**
  [Content](#highlight.tags.content) that is styled strong.
  */
  strong: t2(content),
  /**
  [Content](#highlight.tags.content) that is part of a link.
  */
  link: t2(content),
  /**
  [Content](#highlight.tags.content) that is styled as code or
  monospace.
  */
  monospace: t2(content),
  /**
  [Content](#highlight.tags.content) that has a strike-through
  style.
  */
  strikethrough: t2(content),
  /**
  Inserted text in a change-tracking format.
  */
  inserted: t2(),
  /**
  Deleted text.
  */
  deleted: t2(),
  /**
  Changed text.
  */
  changed: t2(),
  /**
  An invalid or unsyntactic element.
  */
  invalid: t2(),
  /**
  Metadata or meta-instruction.
  */
  meta,
  /**
  [Metadata](#highlight.tags.meta) that applies to the entire
  document.
  */
  documentMeta: t2(meta),
  /**
  [Metadata](#highlight.tags.meta) that annotates or adds
  attributes to a given syntactic element.
  */
  annotation: t2(meta),
  /**
  Processing instruction or preprocessor directive. Subtag of
  [meta](#highlight.tags.meta).
  */
  processingInstruction: t2(meta),
  /**
  [Modifier](#highlight.Tag^defineModifier) that indicates that a
  given element is being defined. Expected to be used with the
  various [name](#highlight.tags.name) tags.
  */
  definition: Tag.defineModifier("definition"),
  /**
  [Modifier](#highlight.Tag^defineModifier) that indicates that
  something is constant. Mostly expected to be used with
  [variable names](#highlight.tags.variableName).
  */
  constant: Tag.defineModifier("constant"),
  /**
  [Modifier](#highlight.Tag^defineModifier) used to indicate that
  a [variable](#highlight.tags.variableName) or [property
  name](#highlight.tags.propertyName) is being called or defined
  as a function.
  */
  function: Tag.defineModifier("function"),
  /**
  [Modifier](#highlight.Tag^defineModifier) that can be applied to
  [names](#highlight.tags.name) to indicate that they belong to
  the language's standard environment.
  */
  standard: Tag.defineModifier("standard"),
  /**
  [Modifier](#highlight.Tag^defineModifier) that indicates a given
  [names](#highlight.tags.name) is local to some scope.
  */
  local: Tag.defineModifier("local"),
  /**
  A generic variant [modifier](#highlight.Tag^defineModifier) that
  can be used to tag language-specific alternative variants of
  some common tag. It is recommended for themes to define special
  forms of at least the [string](#highlight.tags.string) and
  [variable name](#highlight.tags.variableName) tags, since those
  come up a lot.
  */
  special: Tag.defineModifier("special")
};
for (let name2 in tags) {
  let val = tags[name2];
  if (val instanceof Tag)
    val.name = name2;
}
var classHighlighter = tagHighlighter([
  { tag: tags.link, class: "tok-link" },
  { tag: tags.heading, class: "tok-heading" },
  { tag: tags.emphasis, class: "tok-emphasis" },
  { tag: tags.strong, class: "tok-strong" },
  { tag: tags.keyword, class: "tok-keyword" },
  { tag: tags.atom, class: "tok-atom" },
  { tag: tags.bool, class: "tok-bool" },
  { tag: tags.url, class: "tok-url" },
  { tag: tags.labelName, class: "tok-labelName" },
  { tag: tags.inserted, class: "tok-inserted" },
  { tag: tags.deleted, class: "tok-deleted" },
  { tag: tags.literal, class: "tok-literal" },
  { tag: tags.string, class: "tok-string" },
  { tag: tags.number, class: "tok-number" },
  { tag: [tags.regexp, tags.escape, tags.special(tags.string)], class: "tok-string2" },
  { tag: tags.variableName, class: "tok-variableName" },
  { tag: tags.local(tags.variableName), class: "tok-variableName tok-local" },
  { tag: tags.definition(tags.variableName), class: "tok-variableName tok-definition" },
  { tag: tags.special(tags.variableName), class: "tok-variableName2" },
  { tag: tags.definition(tags.propertyName), class: "tok-propertyName tok-definition" },
  { tag: tags.typeName, class: "tok-typeName" },
  { tag: tags.namespace, class: "tok-namespace" },
  { tag: tags.className, class: "tok-className" },
  { tag: tags.macroName, class: "tok-macroName" },
  { tag: tags.propertyName, class: "tok-propertyName" },
  { tag: tags.operator, class: "tok-operator" },
  { tag: tags.comment, class: "tok-comment" },
  { tag: tags.meta, class: "tok-meta" },
  { tag: tags.invalid, class: "tok-invalid" },
  { tag: tags.punctuation, class: "tok-punctuation" }
]);

// node_modules/@lezer/python/dist/index.js
var printKeyword = 1;
var indent = 194;
var dedent = 195;
var newline$1 = 196;
var blankLineStart = 197;
var newlineBracketed = 198;
var eof = 199;
var stringContent = 200;
var Escape = 2;
var replacementStart = 3;
var stringEnd = 201;
var ParenL = 24;
var ParenthesizedExpression = 25;
var TupleExpression = 49;
var ComprehensionExpression = 50;
var BracketL = 55;
var ArrayExpression = 56;
var ArrayComprehensionExpression = 57;
var BraceL = 59;
var DictionaryExpression = 60;
var DictionaryComprehensionExpression = 61;
var SetExpression = 62;
var SetComprehensionExpression = 63;
var ArgList = 65;
var subscript = 238;
var String$1 = 71;
var stringStart = 241;
var stringStartD = 242;
var stringStartL = 243;
var stringStartLD = 244;
var stringStartR = 245;
var stringStartRD = 246;
var stringStartRL = 247;
var stringStartRLD = 248;
var FormatString = 72;
var stringStartF = 249;
var stringStartFD = 250;
var stringStartFL = 251;
var stringStartFLD = 252;
var stringStartFR = 253;
var stringStartFRD = 254;
var stringStartFRL = 255;
var stringStartFRLD = 256;
var FormatReplacement = 73;
var nestedFormatReplacement = 77;
var importList = 263;
var TypeParamList = 112;
var ParamList = 130;
var SequencePattern = 151;
var MappingPattern = 152;
var PatternArgList = 155;
var newline = 10;
var carriageReturn = 13;
var space = 32;
var tab = 9;
var hash = 35;
var parenOpen = 40;
var dot = 46;
var braceOpen = 123;
var braceClose = 125;
var singleQuote = 39;
var doubleQuote = 34;
var backslash = 92;
var letter_o = 111;
var letter_x = 120;
var letter_N = 78;
var letter_u = 117;
var letter_U = 85;
var bracketed = /* @__PURE__ */ new Set([
  ParenthesizedExpression,
  TupleExpression,
  ComprehensionExpression,
  importList,
  ArgList,
  ParamList,
  ArrayExpression,
  ArrayComprehensionExpression,
  subscript,
  SetExpression,
  SetComprehensionExpression,
  FormatString,
  FormatReplacement,
  nestedFormatReplacement,
  DictionaryExpression,
  DictionaryComprehensionExpression,
  SequencePattern,
  MappingPattern,
  PatternArgList,
  TypeParamList
]);
function isLineBreak(ch) {
  return ch == newline || ch == carriageReturn;
}
function isHex(ch) {
  return ch >= 48 && ch <= 57 || ch >= 65 && ch <= 70 || ch >= 97 && ch <= 102;
}
var newlines = new ExternalTokenizer((input, stack) => {
  let prev;
  if (input.next < 0) {
    input.acceptToken(eof);
  } else if (stack.context.flags & cx_Bracketed) {
    if (isLineBreak(input.next)) input.acceptToken(newlineBracketed, 1);
  } else if (((prev = input.peek(-1)) < 0 || isLineBreak(prev)) && stack.canShift(blankLineStart)) {
    let spaces = 0;
    while (input.next == space || input.next == tab) {
      input.advance();
      spaces++;
    }
    if (input.next == newline || input.next == carriageReturn || input.next == hash)
      input.acceptToken(blankLineStart, -spaces);
  } else if (isLineBreak(input.next)) {
    input.acceptToken(newline$1, 1);
  }
}, { contextual: true });
var indentation = new ExternalTokenizer((input, stack) => {
  let context = stack.context;
  if (context.flags) return;
  let prev = input.peek(-1);
  if (prev == newline || prev == carriageReturn) {
    let depth = 0, chars = 0;
    for (; ; ) {
      if (input.next == space) depth++;
      else if (input.next == tab) depth += 8 - depth % 8;
      else break;
      input.advance();
      chars++;
    }
    if (depth != context.indent && input.next != newline && input.next != carriageReturn && input.next != hash) {
      if (depth < context.indent) input.acceptToken(dedent, -chars);
      else input.acceptToken(indent);
    }
  }
});
var cx_Bracketed = 1;
var cx_String = 2;
var cx_DoubleQuote = 4;
var cx_Long = 8;
var cx_Raw = 16;
var cx_Format = 32;
function Context(parent, indent2, flags) {
  this.parent = parent;
  this.indent = indent2;
  this.flags = flags;
  this.hash = (parent ? parent.hash + parent.hash << 8 : 0) + indent2 + (indent2 << 4) + flags + (flags << 6);
}
var topIndent = new Context(null, 0, 0);
function countIndent(space2) {
  let depth = 0;
  for (let i = 0; i < space2.length; i++)
    depth += space2.charCodeAt(i) == tab ? 8 - depth % 8 : 1;
  return depth;
}
var stringFlags = new Map([
  [stringStart, 0],
  [stringStartD, cx_DoubleQuote],
  [stringStartL, cx_Long],
  [stringStartLD, cx_Long | cx_DoubleQuote],
  [stringStartR, cx_Raw],
  [stringStartRD, cx_Raw | cx_DoubleQuote],
  [stringStartRL, cx_Raw | cx_Long],
  [stringStartRLD, cx_Raw | cx_Long | cx_DoubleQuote],
  [stringStartF, cx_Format],
  [stringStartFD, cx_Format | cx_DoubleQuote],
  [stringStartFL, cx_Format | cx_Long],
  [stringStartFLD, cx_Format | cx_Long | cx_DoubleQuote],
  [stringStartFR, cx_Format | cx_Raw],
  [stringStartFRD, cx_Format | cx_Raw | cx_DoubleQuote],
  [stringStartFRL, cx_Format | cx_Raw | cx_Long],
  [stringStartFRLD, cx_Format | cx_Raw | cx_Long | cx_DoubleQuote]
].map(([term, flags]) => [term, flags | cx_String]));
var trackIndent = new ContextTracker({
  start: topIndent,
  reduce(context, term, _3, input) {
    if (context.flags & cx_Bracketed && bracketed.has(term) || (term == String$1 || term == FormatString) && context.flags & cx_String)
      return context.parent;
    return context;
  },
  shift(context, term, stack, input) {
    if (term == indent)
      return new Context(context, countIndent(input.read(input.pos, stack.pos)), 0);
    if (term == dedent)
      return context.parent;
    if (term == ParenL || term == BracketL || term == BraceL || term == replacementStart)
      return new Context(context, 0, cx_Bracketed);
    if (stringFlags.has(term))
      return new Context(context, 0, stringFlags.get(term) | context.flags & cx_Bracketed);
    return context;
  },
  hash(context) {
    return context.hash;
  }
});
var legacyPrint = new ExternalTokenizer((input) => {
  for (let i = 0; i < 5; i++) {
    if (input.next != "print".charCodeAt(i)) return;
    input.advance();
  }
  if (/\w/.test(String.fromCharCode(input.next))) return;
  for (let off = 0; ; off++) {
    let next = input.peek(off);
    if (next == space || next == tab) continue;
    if (next != parenOpen && next != dot && next != newline && next != carriageReturn && next != hash)
      input.acceptToken(printKeyword);
    return;
  }
});
var strings = new ExternalTokenizer((input, stack) => {
  let { flags } = stack.context;
  let quote = flags & cx_DoubleQuote ? doubleQuote : singleQuote;
  let long = (flags & cx_Long) > 0;
  let escapes = !(flags & cx_Raw);
  let format = (flags & cx_Format) > 0;
  let start = input.pos;
  for (; ; ) {
    if (input.next < 0) {
      break;
    } else if (format && input.next == braceOpen) {
      if (input.peek(1) == braceOpen) {
        input.advance(2);
      } else {
        if (input.pos == start) {
          input.acceptToken(replacementStart, 1);
          return;
        }
        break;
      }
    } else if (escapes && input.next == backslash) {
      if (input.pos == start) {
        input.advance();
        let escaped = input.next;
        if (escaped >= 0) {
          input.advance();
          skipEscape(input, escaped);
        }
        input.acceptToken(Escape);
        return;
      }
      break;
    } else if (input.next == backslash && !escapes && input.peek(1) > -1) {
      input.advance(2);
    } else if (input.next == quote && (!long || input.peek(1) == quote && input.peek(2) == quote)) {
      if (input.pos == start) {
        input.acceptToken(stringEnd, long ? 3 : 1);
        return;
      }
      break;
    } else if (input.next == newline) {
      if (long) {
        input.advance();
      } else if (input.pos == start) {
        input.acceptToken(stringEnd);
        return;
      }
      break;
    } else {
      input.advance();
    }
  }
  if (input.pos > start) input.acceptToken(stringContent);
});
function skipEscape(input, ch) {
  if (ch == letter_o) {
    for (let i = 0; i < 2 && input.next >= 48 && input.next <= 55; i++) input.advance();
  } else if (ch == letter_x) {
    for (let i = 0; i < 2 && isHex(input.next); i++) input.advance();
  } else if (ch == letter_u) {
    for (let i = 0; i < 4 && isHex(input.next); i++) input.advance();
  } else if (ch == letter_U) {
    for (let i = 0; i < 8 && isHex(input.next); i++) input.advance();
  } else if (ch == letter_N) {
    if (input.next == braceOpen) {
      input.advance();
      while (input.next >= 0 && input.next != braceClose && input.next != singleQuote && input.next != doubleQuote && input.next != newline) input.advance();
      if (input.next == braceClose) input.advance();
    }
  }
}
var pythonHighlighting = styleTags({
  'async "*" "**" FormatConversion FormatSpec': tags.modifier,
  "for while if elif else try except finally return raise break continue with pass assert await yield match case": tags.controlKeyword,
  "in not and or is del": tags.operatorKeyword,
  "from def class global nonlocal lambda": tags.definitionKeyword,
  import: tags.moduleKeyword,
  "with as print": tags.keyword,
  Boolean: tags.bool,
  None: tags.null,
  VariableName: tags.variableName,
  "CallExpression/VariableName": tags.function(tags.variableName),
  "FunctionDefinition/VariableName": tags.function(tags.definition(tags.variableName)),
  "ClassDefinition/VariableName": tags.definition(tags.className),
  PropertyName: tags.propertyName,
  "CallExpression/MemberExpression/PropertyName": tags.function(tags.propertyName),
  Comment: tags.lineComment,
  Number: tags.number,
  String: tags.string,
  FormatString: tags.special(tags.string),
  Escape: tags.escape,
  UpdateOp: tags.updateOperator,
  "ArithOp!": tags.arithmeticOperator,
  BitOp: tags.bitwiseOperator,
  CompareOp: tags.compareOperator,
  AssignOp: tags.definitionOperator,
  Ellipsis: tags.punctuation,
  At: tags.meta,
  "( )": tags.paren,
  "[ ]": tags.squareBracket,
  "{ }": tags.brace,
  ".": tags.derefOperator,
  ", ;": tags.separator
});
var spec_identifier = { __proto__: null, await: 44, or: 54, and: 56, in: 60, not: 62, is: 64, if: 70, else: 72, lambda: 76, yield: 94, from: 96, async: 102, for: 104, None: 162, True: 164, False: 164, del: 178, pass: 182, break: 186, continue: 190, return: 194, raise: 202, import: 206, as: 208, global: 212, nonlocal: 214, assert: 218, type: 223, elif: 236, while: 240, try: 246, except: 248, finally: 250, with: 254, def: 258, class: 268, match: 279, case: 285 };
var parser = LRParser.deserialize({
  version: 14,
  states: "##jQ`QeOOP$}OSOOO&WQtO'#HUOOQS'#Co'#CoOOQS'#Cp'#CpO'vQdO'#CnO*UQtO'#HTOOQS'#HU'#HUOOQS'#DU'#DUOOQS'#HT'#HTO*rQdO'#D_O+VQdO'#DfO+gQdO'#DjO+zOWO'#DuO,VOWO'#DvO.[QtO'#GuOOQS'#Gu'#GuO'vQdO'#GtO0ZQtO'#GtOOQS'#Eb'#EbO0rQdO'#EcOOQS'#Gs'#GsO0|QdO'#GrOOQV'#Gr'#GrO1XQdO'#FYOOQS'#G^'#G^O1^QdO'#FXOOQV'#IS'#ISOOQV'#Gq'#GqOOQV'#Fq'#FqQ`QeOOO'vQdO'#CqO1lQdO'#C}O1sQdO'#DRO2RQdO'#HYO2cQtO'#EVO'vQdO'#EWOOQS'#EY'#EYOOQS'#E['#E[OOQS'#E^'#E^O2wQdO'#E`O3_QdO'#EdO3rQdO'#EfO3zQtO'#EfO1XQdO'#EiO0rQdO'#ElO1XQdO'#EnO0rQdO'#EtO0rQdO'#EwO4VQdO'#EyO4^QdO'#FOO4iQdO'#EzO0rQdO'#FOO1XQdO'#FQO1XQdO'#FVO4nQdO'#F[P4uOdO'#GpPOOO)CBd)CBdOOQS'#Ce'#CeOOQS'#Cf'#CfOOQS'#Cg'#CgOOQS'#Ch'#ChOOQS'#Ci'#CiOOQS'#Cj'#CjOOQS'#Cl'#ClO'vQdO,59OO'vQdO,59OO'vQdO,59OO'vQdO,59OO'vQdO,59OO'vQdO,59OO5TQdO'#DoOOQS,5:Y,5:YO5hQdO'#HdOOQS,5:],5:]O5uQ!fO,5:]O5zQtO,59YO1lQdO,59bO1lQdO,59bO1lQdO,59bO8jQdO,59bO8oQdO,59bO8vQdO,59jO8}QdO'#HTO:TQdO'#HSOOQS'#HS'#HSOOQS'#D['#D[O:lQdO,59aO'vQdO,59aO:zQdO,59aOOQS,59y,59yO;PQdO,5:RO'vQdO,5:ROOQS,5:Q,5:QO;_QdO,5:QO;dQdO,5:XO'vQdO,5:XO'vQdO,5:VOOQS,5:U,5:UO;uQdO,5:UO;zQdO,5:WOOOW'#Fy'#FyO<POWO,5:aOOQS,5:a,5:aO<[QdO'#HwOOOW'#Dw'#DwOOOW'#Fz'#FzO<lOWO,5:bOOQS,5:b,5:bOOQS'#F}'#F}O<zQtO,5:iO?lQtO,5=`O@VQ#xO,5=`O@vQtO,5=`OOQS,5:},5:}OA_QeO'#GWOBqQdO,5;^OOQV,5=^,5=^OB|QtO'#IPOCkQdO,5;tOOQS-E:[-E:[OOQV,5;s,5;sO4dQdO'#FQOOQV-E9o-E9oOCsQtO,59]OEzQtO,59iOFeQdO'#HVOFpQdO'#HVO1XQdO'#HVOF{QdO'#DTOGTQdO,59mOGYQdO'#HZO'vQdO'#HZO0rQdO,5=tOOQS,5=t,5=tO0rQdO'#EROOQS'#ES'#ESOGwQdO'#GPOHXQdO,58|OHXQdO,58|O*xQdO,5:oOHgQtO'#H]OOQS,5:r,5:rOOQS,5:z,5:zOHzQdO,5;OOI]QdO'#IOO1XQdO'#H}OOQS,5;Q,5;QOOQS'#GT'#GTOIqQtO,5;QOJPQdO,5;QOJUQdO'#IQOOQS,5;T,5;TOJdQdO'#H|OOQS,5;W,5;WOJuQdO,5;YO4iQdO,5;`O4iQdO,5;cOJ}QtO'#ITO'vQdO'#ITOKXQdO,5;eO4VQdO,5;eO0rQdO,5;jO1XQdO,5;lOK^QeO'#EuOLjQgO,5;fO!!kQdO'#IUO4iQdO,5;jO!!vQdO,5;lO!#OQdO,5;qO!#ZQtO,5;vO'vQdO,5;vPOOO,5=[,5=[P!#bOSO,5=[P!#jOdO,5=[O!&bQtO1G.jO!&iQtO1G.jO!)YQtO1G.jO!)dQtO1G.jO!+}QtO1G.jO!,bQtO1G.jO!,uQdO'#HcO!-TQtO'#GuO0rQdO'#HcO!-_QdO'#HbOOQS,5:Z,5:ZO!-gQdO,5:ZO!-lQdO'#HeO!-wQdO'#HeO!.[QdO,5>OOOQS'#Ds'#DsOOQS1G/w1G/wOOQS1G.|1G.|O!/[QtO1G.|O!/cQtO1G.|O1lQdO1G.|O!0OQdO1G/UOOQS'#DZ'#DZO0rQdO,59tOOQS1G.{1G.{O!0VQdO1G/eO!0gQdO1G/eO!0oQdO1G/fO'vQdO'#H[O!0tQdO'#H[O!0yQtO1G.{O!1ZQdO,59iO!2aQdO,5=zO!2qQdO,5=zO!2yQdO1G/mO!3OQtO1G/mOOQS1G/l1G/lO!3`QdO,5=uO!4VQdO,5=uO0rQdO1G/qO!4tQdO1G/sO!4yQtO1G/sO!5ZQtO1G/qOOQS1G/p1G/pOOQS1G/r1G/rOOOW-E9w-E9wOOQS1G/{1G/{O!5kQdO'#HxO0rQdO'#HxO!5|QdO,5>cOOOW-E9x-E9xOOQS1G/|1G/|OOQS-E9{-E9{O!6[Q#xO1G2zO!6{QtO1G2zO'vQdO,5<jOOQS,5<j,5<jOOQS-E9|-E9|OOQS,5<r,5<rOOQS-E:U-E:UOOQV1G0x1G0xO1XQdO'#GRO!7dQtO,5>kOOQS1G1`1G1`O!8RQdO1G1`OOQS'#DV'#DVO0rQdO,5=qOOQS,5=q,5=qO!8WQdO'#FrO!8cQdO,59oO!8kQdO1G/XO!8uQtO,5=uOOQS1G3`1G3`OOQS,5:m,5:mO!9fQdO'#GtOOQS,5<k,5<kOOQS-E9}-E9}O!9wQdO1G.hOOQS1G0Z1G0ZO!:VQdO,5=wO!:gQdO,5=wO0rQdO1G0jO0rQdO1G0jO!:xQdO,5>jO!;ZQdO,5>jO1XQdO,5>jO!;lQdO,5>iOOQS-E:R-E:RO!;qQdO1G0lO!;|QdO1G0lO!<RQdO,5>lO!<aQdO,5>lO!<oQdO,5>hO!=VQdO,5>hO!=hQdO'#EpO0rQdO1G0tO!=sQdO1G0tO!=xQgO1G0zO!AvQgO1G0}O!EqQdO,5>oO!E{QdO,5>oO!FTQtO,5>oO0rQdO1G1PO!F_QdO1G1PO4iQdO1G1UO!!vQdO1G1WOOQV,5;a,5;aO!FdQfO,5;aO!FiQgO1G1QO!JjQdO'#GZO4iQdO1G1QO4iQdO1G1QO!JzQdO,5>pO!KXQdO,5>pO1XQdO,5>pOOQV1G1U1G1UO!KaQdO'#FSO!KrQ!fO1G1WO!KzQdO1G1WOOQV1G1]1G1]O4iQdO1G1]O!LPQdO1G1]O!LXQdO'#F^OOQV1G1b1G1bO!#ZQtO1G1bPOOO1G2v1G2vP!L^OSO1G2vOOQS,5=},5=}OOQS'#Dp'#DpO0rQdO,5=}O!LfQdO,5=|O!LyQdO,5=|OOQS1G/u1G/uO!MRQdO,5>PO!McQdO,5>PO!MkQdO,5>PO!NOQdO,5>PO!N`QdO,5>POOQS1G3j1G3jOOQS7+$h7+$hO!8kQdO7+$pO#!RQdO1G.|O#!YQdO1G.|OOQS1G/`1G/`OOQS,5<`,5<`O'vQdO,5<`OOQS7+%P7+%PO#!aQdO7+%POOQS-E9r-E9rOOQS7+%Q7+%QO#!qQdO,5=vO'vQdO,5=vOOQS7+$g7+$gO#!vQdO7+%PO##OQdO7+%QO##TQdO1G3fOOQS7+%X7+%XO##eQdO1G3fO##mQdO7+%XOOQS,5<_,5<_O'vQdO,5<_O##rQdO1G3aOOQS-E9q-E9qO#$iQdO7+%]OOQS7+%_7+%_O#$wQdO1G3aO#%fQdO7+%_O#%kQdO1G3gO#%{QdO1G3gO#&TQdO7+%]O#&YQdO,5>dO#&sQdO,5>dO#&sQdO,5>dOOQS'#Dx'#DxO#'UO&jO'#DzO#'aO`O'#HyOOOW1G3}1G3}O#'fQdO1G3}O#'nQdO1G3}O#'yQ#xO7+(fO#(jQtO1G2UP#)TQdO'#GOOOQS,5<m,5<mOOQS-E:P-E:POOQS7+&z7+&zOOQS1G3]1G3]OOQS,5<^,5<^OOQS-E9p-E9pOOQS7+$s7+$sO#)bQdO,5=`O#){QdO,5=`O#*^QtO,5<aO#*qQdO1G3cOOQS-E9s-E9sOOQS7+&U7+&UO#+RQdO7+&UO#+aQdO,5<nO#+uQdO1G4UOOQS-E:Q-E:QO#,WQdO1G4UOOQS1G4T1G4TOOQS7+&W7+&WO#,iQdO7+&WOOQS,5<p,5<pO#,tQdO1G4WOOQS-E:S-E:SOOQS,5<l,5<lO#-SQdO1G4SOOQS-E:O-E:OO1XQdO'#EqO#-jQdO'#EqO#-uQdO'#IRO#-}QdO,5;[OOQS7+&`7+&`O0rQdO7+&`O#.SQgO7+&fO!JmQdO'#GXO4iQdO7+&fO4iQdO7+&iO#2QQtO,5<tO'vQdO,5<tO#2[QdO1G4ZOOQS-E:W-E:WO#2fQdO1G4ZO4iQdO7+&kO0rQdO7+&kOOQV7+&p7+&pO!KrQ!fO7+&rO!KzQdO7+&rO`QeO1G0{OOQV-E:X-E:XO4iQdO7+&lO4iQdO7+&lOOQV,5<u,5<uO#2nQdO,5<uO!JmQdO,5<uOOQV7+&l7+&lO#2yQgO7+&lO#6tQdO,5<vO#7PQdO1G4[OOQS-E:Y-E:YO#7^QdO1G4[O#7fQdO'#IWO#7tQdO'#IWO1XQdO'#IWOOQS'#IW'#IWO#8PQdO'#IVOOQS,5;n,5;nO#8XQdO,5;nO0rQdO'#FUOOQV7+&r7+&rO4iQdO7+&rOOQV7+&w7+&wO4iQdO7+&wO#8^QfO,5;xOOQV7+&|7+&|POOO7+(b7+(bO#8cQdO1G3iOOQS,5<c,5<cO#8qQdO1G3hOOQS-E9u-E9uO#9UQdO,5<dO#9aQdO,5<dO#9tQdO1G3kOOQS-E9v-E9vO#:UQdO1G3kO#:^QdO1G3kO#:nQdO1G3kO#:UQdO1G3kOOQS<<H[<<H[O#:yQtO1G1zOOQS<<Hk<<HkP#;WQdO'#FtO8vQdO1G3bO#;eQdO1G3bO#;jQdO<<HkOOQS<<Hl<<HlO#;zQdO7+)QOOQS<<Hs<<HsO#<[QtO1G1yP#<{QdO'#FsO#=YQdO7+)RO#=jQdO7+)RO#=rQdO<<HwO#=wQdO7+({OOQS<<Hy<<HyO#>nQdO,5<bO'vQdO,5<bOOQS-E9t-E9tOOQS<<Hw<<HwOOQS,5<g,5<gO0rQdO,5<gO#>sQdO1G4OOOQS-E9y-E9yO#?^QdO1G4OO<[QdO'#H{OOOO'#D{'#D{OOOO'#F|'#F|O#?oO&jO,5:fOOOW,5>e,5>eOOOW7+)i7+)iO#?zQdO7+)iO#@SQdO1G2zO#@mQdO1G2zP'vQdO'#FuO0rQdO<<IpO1XQdO1G2YP1XQdO'#GSO#AOQdO7+)pO#AaQdO7+)pOOQS<<Ir<<IrP1XQdO'#GUP0rQdO'#GQOOQS,5;],5;]O#ArQdO,5>mO#BQQdO,5>mOOQS1G0v1G0vOOQS<<Iz<<IzOOQV-E:V-E:VO4iQdO<<JQOOQV,5<s,5<sO4iQdO,5<sOOQV<<JQ<<JQOOQV<<JT<<JTO#BYQtO1G2`P#BdQdO'#GYO#BkQdO7+)uO#BuQgO<<JVO4iQdO<<JVOOQV<<J^<<J^O4iQdO<<J^O!KrQ!fO<<J^O#FpQgO7+&gOOQV<<JW<<JWO#FzQgO<<JWOOQV1G2a1G2aO1XQdO1G2aO#JuQdO1G2aO4iQdO<<JWO1XQdO1G2bP0rQdO'#G[O#KQQdO7+)vO#K_QdO7+)vOOQS'#FT'#FTO0rQdO,5>rO#KgQdO,5>rO#KrQdO,5>rO#K}QdO,5>qO#L`QdO,5>qOOQS1G1Y1G1YOOQS,5;p,5;pOOQV<<Jc<<JcO#LhQdO1G1dOOQS7+)T7+)TP#LmQdO'#FwO#L}QdO1G2OO#MbQdO1G2OO#MrQdO1G2OP#M}QdO'#FxO#N[QdO7+)VO#NlQdO7+)VO#NlQdO7+)VO#NtQdO7+)VO$ UQdO7+(|O8vQdO7+(|OOQSAN>VAN>VO$ oQdO<<LmOOQSAN>cAN>cO0rQdO1G1|O$!PQtO1G1|P$!ZQdO'#FvOOQS1G2R1G2RP$!hQdO'#F{O$!uQdO7+)jO$#`QdO,5>gOOOO-E9z-E9zOOOW<<MT<<MTO$#nQdO7+(fOOQSAN?[AN?[OOQS7+'t7+'tO$$XQdO<<M[OOQS,5<q,5<qO$$jQdO1G4XOOQS-E:T-E:TOOQVAN?lAN?lOOQV1G2_1G2_O4iQdOAN?qO$$xQgOAN?qOOQVAN?xAN?xO4iQdOAN?xOOQV<<JR<<JRO4iQdOAN?rO4iQdO7+'{OOQV7+'{7+'{O1XQdO7+'{OOQVAN?rAN?rOOQS7+'|7+'|O$(sQdO<<MbOOQS1G4^1G4^O0rQdO1G4^OOQS,5<w,5<wO$)QQdO1G4]OOQS-E:Z-E:ZOOQU'#G_'#G_O$)cQfO7+'OO$)nQdO'#F_O$*uQdO7+'jO$+VQdO7+'jOOQS7+'j7+'jO$+bQdO<<LqO$+rQdO<<LqO$+rQdO<<LqO$+zQdO'#H^OOQS<<Lh<<LhO$,UQdO<<LhOOQS7+'h7+'hOOQS'#D|'#D|OOOO1G4R1G4RO$,oQdO1G4RO$,wQdO1G4RP!=hQdO'#GVOOQVG25]G25]O4iQdOG25]OOQVG25dG25dOOQVG25^G25^OOQV<<Kg<<KgO4iQdO<<KgOOQS7+)x7+)xP$-SQdO'#G]OOQU-E:]-E:]OOQV<<Jj<<JjO$-vQtO'#FaOOQS'#Fc'#FcO$.WQdO'#FbO$.xQdO'#FbOOQS'#Fb'#FbO$.}QdO'#IYO$)nQdO'#FiO$)nQdO'#FiO$/fQdO'#FjO$)nQdO'#FkO$/mQdO'#IZOOQS'#IZ'#IZO$0[QdO,5;yOOQS<<KU<<KUO$0dQdO<<KUO$0tQdOANB]O$1UQdOANB]O$1^QdO'#H_OOQS'#H_'#H_O1sQdO'#DcO$1wQdO,5=xOOQSANBSANBSOOOO7+)m7+)mO$2`QdO7+)mOOQVLD*wLD*wOOQVANARANARO5uQ!fO'#GaO$2hQtO,5<SO$)nQdO'#FmOOQS,5<W,5<WOOQS'#Fd'#FdO$3YQdO,5;|O$3_QdO,5;|OOQS'#Fg'#FgO$)nQdO'#G`O$4PQdO,5<QO$4kQdO,5>tO$4{QdO,5>tO1XQdO,5<PO$5^QdO,5<TO$5cQdO,5<TO$)nQdO'#I[O$5hQdO'#I[O$5mQdO,5<UOOQS,5<V,5<VO0rQdO'#FpOOQU1G1e1G1eO4iQdO1G1eOOQSAN@pAN@pO$5rQdOG27wO$6SQdO,59}OOQS1G3d1G3dOOOO<<MX<<MXOOQS,5<{,5<{OOQS-E:_-E:_O$6XQtO'#FaO$6`QdO'#I]O$6nQdO'#I]O$6vQdO,5<XOOQS1G1h1G1hO$6{QdO1G1hO$7QQdO,5<zOOQS-E:^-E:^O$7lQdO,5=OO$8TQdO1G4`OOQS-E:b-E:bOOQS1G1k1G1kOOQS1G1o1G1oO$8eQdO,5>vO$)nQdO,5>vOOQS1G1p1G1pOOQS,5<[,5<[OOQU7+'P7+'PO$+zQdO1G/iO$)nQdO,5<YO$8sQdO,5>wO$8zQdO,5>wOOQS1G1s1G1sOOQS7+'S7+'SP$)nQdO'#GdO$9SQdO1G4bO$9^QdO1G4bO$9fQdO1G4bOOQS7+%T7+%TO$9tQdO1G1tO$:SQtO'#FaO$:ZQdO,5<}OOQS,5<},5<}O$:iQdO1G4cOOQS-E:a-E:aO$)nQdO,5<|O$:pQdO,5<|O$:uQdO7+)|OOQS-E:`-E:`O$;PQdO7+)|O$)nQdO,5<ZP$)nQdO'#GcO$;XQdO1G2hO$)nQdO1G2hP$;gQdO'#GbO$;nQdO<<MhO$;xQdO1G1uO$<WQdO7+(SO8vQdO'#C}O8vQdO,59bO8vQdO,59bO8vQdO,59bO$<fQtO,5=`O8vQdO1G.|O0rQdO1G/XO0rQdO7+$pP$<yQdO'#GOO'vQdO'#GtO$=WQdO,59bO$=]QdO,59bO$=dQdO,59mO$=iQdO1G/UO1sQdO'#DRO8vQdO,59j",
  stateData: "$>S~O%cOS%^OSSOS%]PQ~OPdOVaOfoOhYOopOs!POvqO!PrO!Q{O!T!SO!U!RO!XZO!][O!h`O!r`O!s`O!t`O!{tO!}uO#PvO#RwO#TxO#XyO#ZzO#^|O#_|O#a}O#c!OO#l!QO#o!TO#s!UO#u!VO#z!WO#}hO$P!XO%oRO%pRO%tSO%uWO&Z]O&[]O&]]O&^]O&_]O&`]O&a]O&b]O&c^O&d^O&e^O&f^O&g^O&h^O&i^O&j^O~O%]!YO~OV!aO_!aOa!bOh!iO!X!kO!f!mO%j![O%k!]O%l!^O%m!_O%n!_O%o!`O%p!`O%q!aO%r!aO%s!aO~Ok%xXl%xXm%xXn%xXo%xXp%xXs%xXz%xX{%xX!x%xX#g%xX%[%xX%_%xX%z%xXg%xX!T%xX!U%xX%{%xX!W%xX![%xX!Q%xX#[%xXt%xX!m%xX~P%SOfoOhYO!XZO!][O!h`O!r`O!s`O!t`O%oRO%pRO%tSO%uWO&Z]O&[]O&]]O&^]O&_]O&`]O&a]O&b]O&c^O&d^O&e^O&f^O&g^O&h^O&i^O&j^O~Oz%wX{%wX#g%wX%[%wX%_%wX%z%wX~Ok!pOl!qOm!oOn!oOo!rOp!sOs!tO!x%wX~P)pOV!zOg!|Oo0cOv0qO!PrO~P'vOV#OOo0cOv0qO!W#PO~P'vOV#SOa#TOo0cOv0qO![#UO~P'vOQ#XO%`#XO%a#ZO~OQ#^OR#[O%`#^O%a#`O~OV%iX_%iXa%iXh%iXk%iXl%iXm%iXn%iXo%iXp%iXs%iXz%iX!X%iX!f%iX%j%iX%k%iX%l%iX%m%iX%n%iX%o%iX%p%iX%q%iX%r%iX%s%iXg%iX!T%iX!U%iX~O&Z]O&[]O&]]O&^]O&_]O&`]O&a]O&b]O&c^O&d^O&e^O&f^O&g^O&h^O&i^O&j^O{%iX!x%iX#g%iX%[%iX%_%iX%z%iX%{%iX!W%iX![%iX!Q%iX#[%iXt%iX!m%iX~P,eOz#dO{%hX!x%hX#g%hX%[%hX%_%hX%z%hX~Oo0cOv0qO~P'vO#g#gO%[#iO%_#iO~O%uWO~O!T#nO#u!VO#z!WO#}hO~OopO~P'vOV#sOa#tO%uWO{wP~OV#xOo0cOv0qO!Q#yO~P'vO{#{O!x$QO%z#|O#g!yX%[!yX%_!yX~OV#xOo0cOv0qO#g#SX%[#SX%_#SX~P'vOo0cOv0qO#g#WX%[#WX%_#WX~P'vOh$WO%uWO~O!f$YO!r$YO%uWO~OV$eO~P'vO!U$gO#s$hO#u$iO~O{$jO~OV$qO~P'vOS$sO%[$rO%_$rO%c$tO~OV$}Oa$}Og%POo0cOv0qO~P'vOo0cOv0qO{%SO~P'vO&Y%UO~Oa!bOh!iO!X!kO!f!mOVba_bakbalbambanbaobapbasbazba{ba!xba#gba%[ba%_ba%jba%kba%lba%mba%nba%oba%pba%qba%rba%sba%zbagba!Tba!Uba%{ba!Wba![ba!Qba#[batba!mba~On%ZO~Oo%ZO~P'vOo0cO~P'vOk0eOl0fOm0dOn0dOo0mOp0nOs0rOg%wX!T%wX!U%wX%{%wX!W%wX![%wX!Q%wX#[%wX!m%wX~P)pO%{%]Og%vXz%vX!T%vX!U%vX!W%vX{%vX~Og%_Oz%`O!T%dO!U%cO~Og%_O~Oz%gO!T%dO!U%cO!W&SX~O!W%kO~Oz%lO{%nO!T%dO!U%cO![%}X~O![%rO~O![%sO~OQ#XO%`#XO%a%uO~OV%wOo0cOv0qO!PrO~P'vOQ#^OR#[O%`#^O%a%zO~OV!qa_!qaa!qah!qak!qal!qam!qan!qao!qap!qas!qaz!qa{!qa!X!qa!f!qa!x!qa#g!qa%[!qa%_!qa%j!qa%k!qa%l!qa%m!qa%n!qa%o!qa%p!qa%q!qa%r!qa%s!qa%z!qag!qa!T!qa!U!qa%{!qa!W!qa![!qa!Q!qa#[!qat!qa!m!qa~P#yOz%|O{%ha!x%ha#g%ha%[%ha%_%ha%z%ha~P%SOV&OOopOvqO{%ha!x%ha#g%ha%[%ha%_%ha%z%ha~P'vOz%|O{%ha!x%ha#g%ha%[%ha%_%ha%z%ha~OPdOVaOopOvqO!PrO!Q{O!{tO!}uO#PvO#RwO#TxO#XyO#ZzO#^|O#_|O#a}O#c!OO#g$zX%[$zX%_$zX~P'vO#g#gO%[&TO%_&TO~O!f&UOh&sX%[&sXz&sX#[&sX#g&sX%_&sX#Z&sXg&sX~Oh!iO%[&WO~Okealeameaneaoeapeaseazea{ea!xea#gea%[ea%_ea%zeagea!Tea!Uea%{ea!Wea![ea!Qea#[eatea!mea~P%SOsqazqa{qa#gqa%[qa%_qa%zqa~Ok!pOl!qOm!oOn!oOo!rOp!sO!xqa~PEcO%z&YOz%yX{%yX~O%uWOz%yX{%yX~Oz&]O{wX~O{&_O~Oz%lO#g%}X%[%}X%_%}Xg%}X{%}X![%}X!m%}X%z%}X~OV0lOo0cOv0qO!PrO~P'vO%z#|O#gUa%[Ua%_Ua~Oz&hO#g&PX%[&PX%_&PXn&PX~P%SOz&kO!Q&jO#g#Wa%[#Wa%_#Wa~Oz&lO#[&nO#g&rX%[&rX%_&rXg&rX~O!f$YO!r$YO#Z&qO%uWO~O#Z&qO~Oz&sO#g&tX%[&tX%_&tX~Oz&uO#g&pX%[&pX%_&pX{&pX~O!X&wO%z&xO~Oz&|On&wX~P%SOn'PO~OPdOVaOopOvqO!PrO!Q{O!{tO!}uO#PvO#RwO#TxO#XyO#ZzO#^|O#_|O#a}O#c!OO%['UO~P'vOt'YO#p'WO#q'XOP#naV#naf#nah#nao#nas#nav#na!P#na!Q#na!T#na!U#na!X#na!]#na!h#na!r#na!s#na!t#na!{#na!}#na#P#na#R#na#T#na#X#na#Z#na#^#na#_#na#a#na#c#na#l#na#o#na#s#na#u#na#z#na#}#na$P#na%X#na%o#na%p#na%t#na%u#na&Z#na&[#na&]#na&^#na&_#na&`#na&a#na&b#na&c#na&d#na&e#na&f#na&g#na&h#na&i#na&j#na%Z#na%_#na~Oz'ZO#[']O{&xX~Oh'_O!X&wO~Oh!iO{$jO!X&wO~O{'eO~P%SO%['hO%_'hO~OS'iO%['hO%_'hO~OV!aO_!aOa!bOh!iO!X!kO!f!mO%l!^O%m!_O%n!_O%o!`O%p!`O%q!aO%r!aO%s!aOkWilWimWinWioWipWisWizWi{Wi!xWi#gWi%[Wi%_Wi%jWi%zWigWi!TWi!UWi%{Wi!WWi![Wi!QWi#[WitWi!mWi~O%k!]O~P!#uO%kWi~P!#uOV!aO_!aOa!bOh!iO!X!kO!f!mO%o!`O%p!`O%q!aO%r!aO%s!aOkWilWimWinWioWipWisWizWi{Wi!xWi#gWi%[Wi%_Wi%jWi%kWi%lWi%zWigWi!TWi!UWi%{Wi!WWi![Wi!QWi#[WitWi!mWi~O%m!_O%n!_O~P!&pO%mWi%nWi~P!&pOa!bOh!iO!X!kO!f!mOkWilWimWinWioWipWisWizWi{Wi!xWi#gWi%[Wi%_Wi%jWi%kWi%lWi%mWi%nWi%oWi%pWi%zWigWi!TWi!UWi%{Wi!WWi![Wi!QWi#[WitWi!mWi~OV!aO_!aO%q!aO%r!aO%s!aO~P!)nOVWi_Wi%qWi%rWi%sWi~P!)nO!T%dO!U%cOg&VXz&VX~O%z'kO%{'kO~P,eOz'mOg&UX~Og'oO~Oz'pO{'rO!W&XX~Oo0cOv0qOz'pO{'sO!W&XX~P'vO!W'uO~Om!oOn!oOo!rOp!sOkjisjizji{ji!xji#gji%[ji%_ji%zji~Ol!qO~P!.aOlji~P!.aOk0eOl0fOm0dOn0dOo0mOp0nO~Ot'wO~P!/jOV'|Og'}Oo0cOv0qO~P'vOg'}Oz(OO~Og(QO~O!U(SO~Og(TOz(OO!T%dO!U%cO~P%SOk0eOl0fOm0dOn0dOo0mOp0nOgqa!Tqa!Uqa%{qa!Wqa![qa!Qqa#[qatqa!mqa~PEcOV'|Oo0cOv0qO!W&Sa~P'vOz(WO!W&Sa~O!W(XO~Oz(WO!T%dO!U%cO!W&Sa~P%SOV(]Oo0cOv0qO![%}a#g%}a%[%}a%_%}ag%}a{%}a!m%}a%z%}a~P'vOz(^O![%}a#g%}a%[%}a%_%}ag%}a{%}a!m%}a%z%}a~O![(aO~Oz(^O!T%dO!U%cO![%}a~P%SOz(dO!T%dO!U%cO![&Ta~P%SOz(gO{&lX![&lX!m&lX%z&lX~O{(kO![(mO!m(nO%z(jO~OV&OOopOvqO{%hi!x%hi#g%hi%[%hi%_%hi%z%hi~P'vOz(pO{%hi!x%hi#g%hi%[%hi%_%hi%z%hi~O!f&UOh&sa%[&saz&sa#[&sa#g&sa%_&sa#Z&sag&sa~O%[(uO~OV#sOa#tO%uWO~Oz&]O{wa~OopOvqO~P'vOz(^O#g%}a%[%}a%_%}ag%}a{%}a![%}a!m%}a%z%}a~P%SOz(zO#g%hX%[%hX%_%hX%z%hX~O%z#|O#gUi%[Ui%_Ui~O#g&Pa%[&Pa%_&Pan&Pa~P'vOz(}O#g&Pa%[&Pa%_&Pan&Pa~O%uWO#g&ra%[&ra%_&rag&ra~Oz)SO#g&ra%[&ra%_&rag&ra~Og)VO~OV)WOh$WO%uWO~O#Z)XO~O%uWO#g&ta%[&ta%_&ta~Oz)ZO#g&ta%[&ta%_&ta~Oo0cOv0qO#g&pa%[&pa%_&pa{&pa~P'vOz)^O#g&pa%[&pa%_&pa{&pa~OV)`Oa)`O%uWO~O%z)eO~Ot)hO#j)gOP#hiV#hif#hih#hio#his#hiv#hi!P#hi!Q#hi!T#hi!U#hi!X#hi!]#hi!h#hi!r#hi!s#hi!t#hi!{#hi!}#hi#P#hi#R#hi#T#hi#X#hi#Z#hi#^#hi#_#hi#a#hi#c#hi#l#hi#o#hi#s#hi#u#hi#z#hi#}#hi$P#hi%X#hi%o#hi%p#hi%t#hi%u#hi&Z#hi&[#hi&]#hi&^#hi&_#hi&`#hi&a#hi&b#hi&c#hi&d#hi&e#hi&f#hi&g#hi&h#hi&i#hi&j#hi%Z#hi%_#hi~Ot)iOP#kiV#kif#kih#kio#kis#kiv#ki!P#ki!Q#ki!T#ki!U#ki!X#ki!]#ki!h#ki!r#ki!s#ki!t#ki!{#ki!}#ki#P#ki#R#ki#T#ki#X#ki#Z#ki#^#ki#_#ki#a#ki#c#ki#l#ki#o#ki#s#ki#u#ki#z#ki#}#ki$P#ki%X#ki%o#ki%p#ki%t#ki%u#ki&Z#ki&[#ki&]#ki&^#ki&_#ki&`#ki&a#ki&b#ki&c#ki&d#ki&e#ki&f#ki&g#ki&h#ki&i#ki&j#ki%Z#ki%_#ki~OV)kOn&wa~P'vOz)lOn&wa~Oz)lOn&wa~P%SOn)pO~O%Y)tO~Ot)wO#p'WO#q)vOP#niV#nif#nih#nio#nis#niv#ni!P#ni!Q#ni!T#ni!U#ni!X#ni!]#ni!h#ni!r#ni!s#ni!t#ni!{#ni!}#ni#P#ni#R#ni#T#ni#X#ni#Z#ni#^#ni#_#ni#a#ni#c#ni#l#ni#o#ni#s#ni#u#ni#z#ni#}#ni$P#ni%X#ni%o#ni%p#ni%t#ni%u#ni&Z#ni&[#ni&]#ni&^#ni&_#ni&`#ni&a#ni&b#ni&c#ni&d#ni&e#ni&f#ni&g#ni&h#ni&i#ni&j#ni%Z#ni%_#ni~OV)zOo0cOv0qO{$jO~P'vOo0cOv0qO{&xa~P'vOz*OO{&xa~OV*SOa*TOg*WO%q*UO%uWO~O{$jO&{*YO~Oh'_O~Oh!iO{$jO~O%[*_O~O%[*aO%_*aO~OV$}Oa$}Oo0cOv0qOg&Ua~P'vOz*dOg&Ua~Oo0cOv0qO{*gO!W&Xa~P'vOz*hO!W&Xa~Oo0cOv0qOz*hO{*kO!W&Xa~P'vOo0cOv0qOz*hO!W&Xa~P'vOz*hO{*kO!W&Xa~Om0dOn0dOo0mOp0nOgjikjisjizji!Tji!Uji%{ji!Wji{ji![ji#gji%[ji%_ji!Qji#[jitji!mji%zji~Ol0fO~P!NkOlji~P!NkOV'|Og*pOo0cOv0qO~P'vOn*rO~Og*pOz*tO~Og*uO~OV'|Oo0cOv0qO!W&Si~P'vOz*vO!W&Si~O!W*wO~OV(]Oo0cOv0qO![%}i#g%}i%[%}i%_%}ig%}i{%}i!m%}i%z%}i~P'vOz*zO!T%dO!U%cO![&Ti~Oz*}O![%}i#g%}i%[%}i%_%}ig%}i{%}i!m%}i%z%}i~O![+OO~Oa+QOo0cOv0qO![&Ti~P'vOz*zO![&Ti~O![+SO~OV+UOo0cOv0qO{&la![&la!m&la%z&la~P'vOz+VO{&la![&la!m&la%z&la~O!]+YO&n+[O![!nX~O![+^O~O{(kO![+_O~O{(kO![+_O!m+`O~OV&OOopOvqO{%hq!x%hq#g%hq%[%hq%_%hq%z%hq~P'vOz$ri{$ri!x$ri#g$ri%[$ri%_$ri%z$ri~P%SOV&OOopOvqO~P'vOV&OOo0cOv0qO#g%ha%[%ha%_%ha%z%ha~P'vOz+aO#g%ha%[%ha%_%ha%z%ha~Oz$ia#g$ia%[$ia%_$ian$ia~P%SO#g&Pi%[&Pi%_&Pin&Pi~P'vOz+dO#g#Wq%[#Wq%_#Wq~O#[+eOz$va#g$va%[$va%_$vag$va~O%uWO#g&ri%[&ri%_&rig&ri~Oz+gO#g&ri%[&ri%_&rig&ri~OV+iOh$WO%uWO~O%uWO#g&ti%[&ti%_&ti~Oo0cOv0qO#g&pi%[&pi%_&pi{&pi~P'vO{#{Oz#eX!W#eX~Oz+mO!W&uX~O!W+oO~Ot+rO#j)gOP#hqV#hqf#hqh#hqo#hqs#hqv#hq!P#hq!Q#hq!T#hq!U#hq!X#hq!]#hq!h#hq!r#hq!s#hq!t#hq!{#hq!}#hq#P#hq#R#hq#T#hq#X#hq#Z#hq#^#hq#_#hq#a#hq#c#hq#l#hq#o#hq#s#hq#u#hq#z#hq#}#hq$P#hq%X#hq%o#hq%p#hq%t#hq%u#hq&Z#hq&[#hq&]#hq&^#hq&_#hq&`#hq&a#hq&b#hq&c#hq&d#hq&e#hq&f#hq&g#hq&h#hq&i#hq&j#hq%Z#hq%_#hq~On$|az$|a~P%SOV)kOn&wi~P'vOz+yOn&wi~Oz,TO{$jO#[,TO~O#q,VOP#nqV#nqf#nqh#nqo#nqs#nqv#nq!P#nq!Q#nq!T#nq!U#nq!X#nq!]#nq!h#nq!r#nq!s#nq!t#nq!{#nq!}#nq#P#nq#R#nq#T#nq#X#nq#Z#nq#^#nq#_#nq#a#nq#c#nq#l#nq#o#nq#s#nq#u#nq#z#nq#}#nq$P#nq%X#nq%o#nq%p#nq%t#nq%u#nq&Z#nq&[#nq&]#nq&^#nq&_#nq&`#nq&a#nq&b#nq&c#nq&d#nq&e#nq&f#nq&g#nq&h#nq&i#nq&j#nq%Z#nq%_#nq~O#[,WOz%Oa{%Oa~Oo0cOv0qO{&xi~P'vOz,YO{&xi~O{#{O%z,[Og&zXz&zX~O%uWOg&zXz&zX~Oz,`Og&yX~Og,bO~O%Y,eO~O!T%dO!U%cOg&Viz&Vi~OV$}Oa$}Oo0cOv0qOg&Ui~P'vO{,hOz$la!W$la~Oo0cOv0qO{,iOz$la!W$la~P'vOo0cOv0qO{*gO!W&Xi~P'vOz,lO!W&Xi~Oo0cOv0qOz,lO!W&Xi~P'vOz,lO{,oO!W&Xi~Og$hiz$hi!W$hi~P%SOV'|Oo0cOv0qO~P'vOn,qO~OV'|Og,rOo0cOv0qO~P'vOV'|Oo0cOv0qO!W&Sq~P'vOz$gi![$gi#g$gi%[$gi%_$gig$gi{$gi!m$gi%z$gi~P%SOV(]Oo0cOv0qO~P'vOa+QOo0cOv0qO![&Tq~P'vOz,sO![&Tq~O![,tO~OV(]Oo0cOv0qO![%}q#g%}q%[%}q%_%}qg%}q{%}q!m%}q%z%}q~P'vO{,uO~OV+UOo0cOv0qO{&li![&li!m&li%z&li~P'vOz,zO{&li![&li!m&li%z&li~O!]+YO&n+[O![!na~O{(kO![,}O~OV&OOo0cOv0qO#g%hi%[%hi%_%hi%z%hi~P'vOz-OO#g%hi%[%hi%_%hi%z%hi~O%uWO#g&rq%[&rq%_&rqg&rq~Oz-RO#g&rq%[&rq%_&rqg&rq~OV)`Oa)`O%uWO!W&ua~Oz-TO!W&ua~On$|iz$|i~P%SOV)kO~P'vOV)kOn&wq~P'vOt-XOP#myV#myf#myh#myo#mys#myv#my!P#my!Q#my!T#my!U#my!X#my!]#my!h#my!r#my!s#my!t#my!{#my!}#my#P#my#R#my#T#my#X#my#Z#my#^#my#_#my#a#my#c#my#l#my#o#my#s#my#u#my#z#my#}#my$P#my%X#my%o#my%p#my%t#my%u#my&Z#my&[#my&]#my&^#my&_#my&`#my&a#my&b#my&c#my&d#my&e#my&f#my&g#my&h#my&i#my&j#my%Z#my%_#my~O%Z-]O%_-]O~P`O#q-^OP#nyV#nyf#nyh#nyo#nys#nyv#ny!P#ny!Q#ny!T#ny!U#ny!X#ny!]#ny!h#ny!r#ny!s#ny!t#ny!{#ny!}#ny#P#ny#R#ny#T#ny#X#ny#Z#ny#^#ny#_#ny#a#ny#c#ny#l#ny#o#ny#s#ny#u#ny#z#ny#}#ny$P#ny%X#ny%o#ny%p#ny%t#ny%u#ny&Z#ny&[#ny&]#ny&^#ny&_#ny&`#ny&a#ny&b#ny&c#ny&d#ny&e#ny&f#ny&g#ny&h#ny&i#ny&j#ny%Z#ny%_#ny~Oz-aO{$jO#[-aO~Oo0cOv0qO{&xq~P'vOz-dO{&xq~O%z,[Og&zaz&za~O{#{Og&zaz&za~OV*SOa*TO%q*UO%uWOg&ya~Oz-hOg&ya~O$S-lO~OV$}Oa$}Oo0cOv0qO~P'vOo0cOv0qO{-mOz$li!W$li~P'vOo0cOv0qOz$li!W$li~P'vO{-mOz$li!W$li~Oo0cOv0qO{*gO~P'vOo0cOv0qO{*gO!W&Xq~P'vOz-pO!W&Xq~Oo0cOv0qOz-pO!W&Xq~P'vOs-sO!T%dO!U%cOg&Oq!W&Oq![&Oqz&Oq~P!/jOa+QOo0cOv0qO![&Ty~P'vOz$ji![$ji~P%SOa+QOo0cOv0qO~P'vOV+UOo0cOv0qO~P'vOV+UOo0cOv0qO{&lq![&lq!m&lq%z&lq~P'vO{(kO![-xO!m-yO%z-wO~OV&OOo0cOv0qO#g%hq%[%hq%_%hq%z%hq~P'vO%uWO#g&ry%[&ry%_&ryg&ry~OV)`Oa)`O%uWO!W&ui~Ot-}OP#m!RV#m!Rf#m!Rh#m!Ro#m!Rs#m!Rv#m!R!P#m!R!Q#m!R!T#m!R!U#m!R!X#m!R!]#m!R!h#m!R!r#m!R!s#m!R!t#m!R!{#m!R!}#m!R#P#m!R#R#m!R#T#m!R#X#m!R#Z#m!R#^#m!R#_#m!R#a#m!R#c#m!R#l#m!R#o#m!R#s#m!R#u#m!R#z#m!R#}#m!R$P#m!R%X#m!R%o#m!R%p#m!R%t#m!R%u#m!R&Z#m!R&[#m!R&]#m!R&^#m!R&_#m!R&`#m!R&a#m!R&b#m!R&c#m!R&d#m!R&e#m!R&f#m!R&g#m!R&h#m!R&i#m!R&j#m!R%Z#m!R%_#m!R~Oo0cOv0qO{&xy~P'vOV*SOa*TO%q*UO%uWOg&yi~O$S-lO%Z.VO%_.VO~OV.aOh._O!X.^O!].`O!h.YO!s.[O!t.[O%p.XO%uWO&Z]O&[]O&]]O&^]O&_]O&`]O&a]O&b]O~Oo0cOv0qOz$lq!W$lq~P'vO{.fOz$lq!W$lq~Oo0cOv0qO{*gO!W&Xy~P'vOz.gO!W&Xy~Oo0cOv.kO~P'vOs-sO!T%dO!U%cOg&Oy!W&Oy![&Oyz&Oy~P!/jO{(kO![.nO~O{(kO![.nO!m.oO~OV*SOa*TO%q*UO%uWO~Oh.tO!f.rOz$TX#[$TX%j$TXg$TX~Os$TX{$TX!W$TX![$TX~P$-bO%o.vO%p.vOs$UXz$UX{$UX#[$UX%j$UX!W$UXg$UX![$UX~O!h.xO~Oz.|O#[/OO%j.yOs&|X{&|X!W&|Xg&|X~Oa/RO~P$)zOh.tOs&}Xz&}X{&}X#[&}X%j&}X!W&}Xg&}X![&}X~Os/VO{$jO~Oo0cOv0qOz$ly!W$ly~P'vOo0cOv0qO{*gO!W&X!R~P'vOz/ZO!W&X!R~Og&RXs&RX!T&RX!U&RX!W&RX![&RXz&RX~P!/jOs-sO!T%dO!U%cOg&Qa!W&Qa![&Qaz&Qa~O{(kO![/^O~O!f.rOh$[as$[az$[a{$[a#[$[a%j$[a!W$[ag$[a![$[a~O!h/eO~O%o.vO%p.vOs$Uaz$Ua{$Ua#[$Ua%j$Ua!W$Uag$Ua![$Ua~O%j.yOs$Yaz$Ya{$Ya#[$Ya!W$Yag$Ya![$Ya~Os&|a{&|a!W&|ag&|a~P$)nOz/jOs&|a{&|a!W&|ag&|a~O!W/mO~Og/mO~O{/oO~O![/pO~Oo0cOv0qO{*gO!W&X!Z~P'vO{/sO~O%z/tO~P$-bOz/uO#[/OO%j.yOg'PX~Oz/uOg'PX~Og/wO~O!h/xO~O#[/OOs%Saz%Sa{%Sa%j%Sa!W%Sag%Sa![%Sa~O#[/OO%j.yOs%Waz%Wa{%Wa!W%Wag%Wa~Os&|i{&|i!W&|ig&|i~P$)nOz/zO#[/OO%j.yO!['Oa~Og'Pa~P$)nOz0SOg'Pa~Oa0UO!['Oi~P$)zOz0WO!['Oi~Oz0WO#[/OO%j.yO!['Oi~O#[/OO%j.yOg$biz$bi~O%z0ZO~P$-bO#[/OO%j.yOg%Vaz%Va~Og'Pi~P$)nO{0^O~Oa0UO!['Oq~P$)zOz0`O!['Oq~O#[/OO%j.yOz%Ui![%Ui~Oa0UO~P$)zOa0UO!['Oy~P$)zO#[/OO%j.yOg$ciz$ci~O#[/OO%j.yOz%Uq![%Uq~Oz+aO#g%ha%[%ha%_%ha%z%ha~P%SOV&OOo0cOv0qO~P'vOn0hO~Oo0hO~P'vO{0iO~Ot0jO~P!/jO&]&Z&j&h&i&g&f&d&e&c&b&`&a&_&^&[%u~",
  goto: "!=j'QPPPPPP'RP'Z*s+[+t,_,y-fP.SP'Z.r.r'ZPPP'Z2[PPPPPP2[5PPP5PP7b7k=sPP=v>h>kPP'Z'ZPP>zPP'Z'ZPP'Z'Z'Z'Z'Z?O?w'ZP?zP@QDXGuGyPG|HWH['ZPPPH_Hk'RP'R'RP'RP'RP'RP'RP'R'R'RP'RPP'RPP'RP'RPHqH}IVPI^IdPI^PI^I^PPPI^PKrPK{LVL]KrPI^LfPI^PLmLsPLwM]MzNeLwLwNkNxLwLwLwLw! ^! d! g! l! o! y!!P!!]!!o!!u!#P!#V!#s!#y!$P!$Z!$a!$g!$y!%T!%Z!%a!%k!%q!%w!%}!&T!&Z!&e!&k!&u!&{!'U!'[!'k!'s!'}!(UPPPPPPPPPPP!([!(_!(e!(n!(x!)TPPPPPPPPPPPP!-u!/Z!3^!6oPP!6w!7W!7a!8Y!8P!8c!8i!8l!8o!8r!8z!9jPPPPPPPPPPPPPPPPP!9m!9q!9wP!:]!:a!:m!:v!;S!;j!;m!;p!;v!;|!<S!<VP!<_!<h!=d!=g]eOn#g$j)t,P'}`OTYZ[adnoprtxy}!P!Q!R!U!X!c!d!e!f!g!h!i!k!o!p!q!s!t!z#O#S#T#[#d#g#x#y#{#}$Q$e$g$h$j$q$}%S%Z%^%`%c%g%l%n%w%|&O&Z&_&h&j&k&u&x&|'P'W'Z'l'm'p'r's'w'|(O(S(W(](^(d(g(p(r(z(})^)e)g)k)l)p)t)z*O*Y*d*g*h*k*q*r*t*v*y*z*}+Q+U+V+Y+a+c+d+k+x+y,P,X,Y,],g,h,i,k,l,o,q,s,u,w,y,z-O-d-f-m-p-s.f.g/V/Z/s0c0d0e0f0h0i0j0k0l0n0r{!cQ#c#p$R$d$p%e%j%p%q&`'O'g(q(|)j*o*x+w,v0g}!dQ#c#p$R$d$p$u%e%j%p%q&`'O'g(q(|)j*o*x+w,v0g!P!eQ#c#p$R$d$p$u$v%e%j%p%q&`'O'g(q(|)j*o*x+w,v0g!R!fQ#c#p$R$d$p$u$v$w%e%j%p%q&`'O'g(q(|)j*o*x+w,v0g!T!gQ#c#p$R$d$p$u$v$w$x%e%j%p%q&`'O'g(q(|)j*o*x+w,v0g!V!hQ#c#p$R$d$p$u$v$w$x$y%e%j%p%q&`'O'g(q(|)j*o*x+w,v0g!Z!hQ!n#c#p$R$d$p$u$v$w$x$y$z%e%j%p%q&`'O'g(q(|)j*o*x+w,v0g'}TOTYZ[adnoprtxy}!P!Q!R!U!X!c!d!e!f!g!h!i!k!o!p!q!s!t!z#O#S#T#[#d#g#x#y#{#}$Q$e$g$h$j$q$}%S%Z%^%`%c%g%l%n%w%|&O&Z&_&h&j&k&u&x&|'P'W'Z'l'm'p'r's'w'|(O(S(W(](^(d(g(p(r(z(})^)e)g)k)l)p)t)z*O*Y*d*g*h*k*q*r*t*v*y*z*}+Q+U+V+Y+a+c+d+k+x+y,P,X,Y,],g,h,i,k,l,o,q,s,u,w,y,z-O-d-f-m-p-s.f.g/V/Z/s0c0d0e0f0h0i0j0k0l0n0r&eVOYZ[dnprxy}!P!Q!U!i!k!o!p!q!s!t#[#d#g#y#{#}$Q$h$j$}%S%Z%^%`%g%l%n%w%|&Z&_&j&k&u&x'P'W'Z'l'm'p'r's'w(O(W(^(d(g(p(r(z)^)e)g)p)t)z*O*Y*d*g*h*k*q*r*t*v*y*z*}+U+V+Y+a+d+k,P,X,Y,],g,h,i,k,l,o,q,s,u,w,y,z-O-d-f-m-p-s.f.g/V/Z/s0c0d0e0f0h0i0j0k0n0r%oXOYZ[dnrxy}!P!Q!U!i!k#[#d#g#y#{#}$Q$h$j$}%S%^%`%g%l%n%w%|&Z&_&j&k&u&x'P'W'Z'l'm'p'r's'w(O(W(^(d(g(p(r(z)^)e)g)p)t)z*O*Y*d*g*h*k*q*t*v*y*z*}+U+V+Y+a+d+k,P,X,Y,],g,h,i,k,l,o,s,u,w,y,z-O-d-f-m-p.f.g/V/Z0i0j0kQ#vqQ/[.kR0o0q't`OTYZ[adnoprtxy}!P!Q!R!U!X!c!d!e!f!g!h!k!o!p!q!s!t!z#O#S#T#[#d#g#x#y#{#}$Q$e$g$h$j$q$}%S%Z%^%`%c%g%l%n%w%|&O&Z&_&h&j&k&u&x&|'P'W'Z'l'p'r's'w'|(O(S(W(](^(d(g(p(r(z(})^)e)g)k)l)p)t)z*O*Y*g*h*k*q*r*t*v*y*z*}+Q+U+V+Y+a+c+d+k+x+y,P,X,Y,],h,i,k,l,o,q,s,u,w,y,z-O-d-f-m-p-s.f.g/V/Z/s0c0d0e0f0h0i0j0k0l0n0rh#jhz{$W$Z&l&q)S)X+f+g-RW#rq&].k0qQ$]|Q$a!OQ$n!VQ$o!WW$|!i'm*d,gS&[#s#tQ'S$iQ(s&UQ)U&nU)Y&s)Z+jW)a&w+m-T-{Q*Q']W*R'_,`-h.TQ+l)`S,_*S*TQ-Q+eQ-_,TQ-c,WQ.R-al.W-l.^._.a.z.|/R/j/o/t/y0U0Z0^Q/S.`Q/a.tQ/l/OU0P/u0S0[X0V/z0W0_0`R&Z#r!_!wYZ!P!Q!k%S%`%g'p'r's(O(W)g*g*h*k*q*t*v,h,i,k,l,o-m-p.f.g/ZR%^!vQ!{YQ%x#[Q&d#}Q&g$QR,{+YT.j-s/s!Y!jQ!n#c#p$R$d$p$u$v$w$x$y$z%e%j%p%q&`'O'g(q(|)j*o*x+w,v0gQ&X#kQ'c$oR*^'dR'l$|Q%V!mR/_.r'|_OTYZ[adnoprtxy}!P!Q!R!U!X!c!d!e!f!g!h!i!k!o!p!q!s!t!z#O#S#T#[#d#g#x#y#{#}$Q$e$g$h$j$q$}%S%Z%^%`%c%g%l%n%w%|&O&Z&_&h&j&k&u&x&|'P'W'Z'l'm'p'r's'w'|(O(S(W(](^(d(g(p(r(z(})^)e)g)k)l)p)t)z*O*Y*d*g*h*k*q*r*t*v*y*z*}+Q+U+V+Y+a+c+d+k+x+y,P,X,Y,],g,h,i,k,l,o,q,s,u,w,y,z-O-d-f-m-p-s.f.g/V/Z/s0c0d0e0f0h0i0j0k0l0n0rS#a_#b!P.[-l.^._.`.a.t.z.|/R/j/o/t/u/y/z0S0U0W0Z0[0^0_0`'|_OTYZ[adnoprtxy}!P!Q!R!U!X!c!d!e!f!g!h!i!k!o!p!q!s!t!z#O#S#T#[#d#g#x#y#{#}$Q$e$g$h$j$q$}%S%Z%^%`%c%g%l%n%w%|&O&Z&_&h&j&k&u&x&|'P'W'Z'l'm'p'r's'w'|(O(S(W(](^(d(g(p(r(z(})^)e)g)k)l)p)t)z*O*Y*d*g*h*k*q*r*t*v*y*z*}+Q+U+V+Y+a+c+d+k+x+y,P,X,Y,],g,h,i,k,l,o,q,s,u,w,y,z-O-d-f-m-p-s.f.g/V/Z/s0c0d0e0f0h0i0j0k0l0n0rT#a_#bT#^^#_R(o%xa(l%x(n(o+`,{-y-z.oT+[(k+]R-z,{Q$PsQ+l)aQ,^*RR-e,_X#}s$O$P&fQ&y$aQ'a$nQ'd$oR)s'SQ)b&wV-S+m-T-{ZgOn$j)t,PXkOn)t,PQ$k!TQ&z$bQ&{$cQ'^$mQ'b$oQ)q'RQ)x'WQ){'XQ)|'YQ*Z'`S*]'c'dQ+s)gQ+u)hQ+v)iQ+z)oS+|)r*[Q,Q)vQ,R)wS,S)y)zQ,d*^Q-V+rQ-W+tQ-Y+{S-Z+},OQ-`,UQ-b,VQ-|-XQ.O-[Q.P-^Q.Q-_Q.p-}Q.q.RQ/W.dR/r/XWkOn)t,PR#mjQ'`$nS)r'S'aR,O)sQ,]*RR-f,^Q*['`Q+})rR-[,OZiOjn)t,PQ'f$pR*`'gT-j,e-ku.c-l.^._.a.t.z.|/R/j/o/t/u/y0S0U0Z0[0^t.c-l.^._.a.t.z.|/R/j/o/t/u/y0S0U0Z0[0^Q/S.`X0V/z0W0_0`!P.Z-l.^._.`.a.t.z.|/R/j/o/t/u/y/z0S0U0W0Z0[0^0_0`Q.w.YR/f.xg.z.].{/b/i/n/|0O0Q0]0a0bu.b-l.^._.a.t.z.|/R/j/o/t/u/y0S0U0Z0[0^X.u.W.b/a0PR/c.tV0R/u0S0[R/X.dQnOS#on,PR,P)tQ&^#uR(x&^S%m#R#wS(_%m(bT(b%p&`Q%a!yQ%h!}W(P%a%h(U(YQ(U%eR(Y%jQ&i$RR)O&iQ(e%qQ*{(`T+R(e*{Q'n%OR*e'nS'q%R%SY*i'q*j,m-q.hU*j'r's'tU,m*k*l*mS-q,n,oR.h-rQ#Y]R%t#YQ#_^R%y#_Q(h%vS+W(h+XR+X(iQ+](kR,|+]Q#b_R%{#bQ#ebQ%}#cW&Q#e%}({+bQ({&cR+b0gQ$OsS&e$O&fR&f$PQ&v$_R)_&vQ&V#jR(t&VQ&m$VS)T&m+hR+h)UQ$Z{R&p$ZQ&t$]R)[&tQ+n)bR-U+nQ#hfR&S#hQ)f&zR+q)fQ&}$dS)m&})nR)n'OQ'V$kR)u'VQ'[$lS*P'[,ZR,Z*QQ,a*VR-i,aWjOn)t,PR#ljQ-k,eR.U-kd.{.]/b/i/n/|0O0Q0]0a0bR/h.{U.s.W/a0PR/`.sQ/{/nS0X/{0YR0Y/|S/v/b/cR0T/vQ.}.]R/k.}R!ZPXmOn)t,PWlOn)t,PR'T$jYfOn$j)t,PR&R#g[sOn#g$j)t,PR&d#}&dQOYZ[dnprxy}!P!Q!U!i!k!o!p!q!s!t#[#d#g#y#{#}$Q$h$j$}%S%Z%^%`%g%l%n%w%|&Z&_&j&k&u&x'P'W'Z'l'm'p'r's'w(O(W(^(d(g(p(r(z)^)e)g)p)t)z*O*Y*d*g*h*k*q*r*t*v*y*z*}+U+V+Y+a+d+k,P,X,Y,],g,h,i,k,l,o,q,s,u,w,y,z-O-d-f-m-p-s.f.g/V/Z/s0c0d0e0f0h0i0j0k0n0rQ!nTQ#caQ#poU$Rt%c(SS$d!R$gQ$p!XQ$u!cQ$v!dQ$w!eQ$x!fQ$y!gQ$z!hQ%e!zQ%j#OQ%p#SQ%q#TQ&`#xQ'O$eQ'g$qQ(q&OU(|&h(}+cW)j&|)l+x+yQ*o'|Q*x(]Q+w)kQ,v+QR0g0lQ!yYQ!}ZQ$b!PQ$c!QQ%R!kQ't%S^'{%`%g(O(W*q*t*v^*f'p*h,k,l-p.g/ZQ*l'rQ*m'sQ+t)gQ,j*gQ,n*kQ-n,hQ-o,iQ-r,oQ.e-mR/Y.f[bOn#g$j)t,P!^!vYZ!P!Q!k%S%`%g'p'r's(O(W)g*g*h*k*q*t*v,h,i,k,l,o-m-p.f.g/ZQ#R[Q#fdS#wrxQ$UyW$_}$Q'P)pS$l!U$hW${!i'm*d,gS%v#[+Y`&P#d%|(p(r(z+a-O0kQ&a#yQ&b#{Q&c#}Q'j$}Q'z%^W([%l(^*y*}Q(`%nQ(i%wQ(v&ZS(y&_0iQ)P&jQ)Q&kU)]&u)^+kQ)d&xQ)y'WY)}'Z*O,X,Y-dQ*b'lS*n'w0jW+P(d*z,s,wW+T(g+V,y,zQ+p)eQ,U)zQ,c*YQ,x+UQ-P+dQ-e,]Q-v,uQ.S-fR/q/VhUOn#d#g$j%|&_'w(p(r)t,P%U!uYZ[drxy}!P!Q!U!i!k#[#y#{#}$Q$h$}%S%^%`%g%l%n%w&Z&j&k&u&x'P'W'Z'l'm'p'r's(O(W(^(d(g(z)^)e)g)p)z*O*Y*d*g*h*k*q*t*v*y*z*}+U+V+Y+a+d+k,X,Y,],g,h,i,k,l,o,s,u,w,y,z-O-d-f-m-p.f.g/V/Z0i0j0kQ#qpW%W!o!s0d0nQ%X!pQ%Y!qQ%[!tQ%f0cS'v%Z0hQ'x0eQ'y0fQ,p*rQ-u,qS.i-s/sR0p0rU#uq.k0qR(w&][cOn#g$j)t,PZ!xY#[#}$Q+YQ#W[Q#zrR$TxQ%b!yQ%i!}Q%o#RQ'j${Q(V%eQ(Z%jQ(c%pQ(f%qQ*|(`Q,f*bQ-t,pQ.m-uR/].lQ$StQ(R%cR*s(SQ.l-sR/}/sR#QZR#V[R%Q!iQ%O!iV*c'm*d,g!Z!lQ!n#c#p$R$d$p$u$v$w$x$y$z%e%j%p%q&`'O'g(q(|)j*o*x+w,v0gR%T!kT#]^#_Q%x#[R,{+YQ(m%xS+_(n(oQ,}+`Q-x,{S.n-y-zR/^.oT+Z(k+]Q$`}Q&g$QQ)o'PR+{)pQ$XzQ)W&qR+i)XQ$XzQ&o$WQ)W&qR+i)XQ#khW$Vz$W&q)XQ$[{Q&r$ZZ)R&l)S+f+g-RR$^|R)c&wXlOn)t,PQ$f!RR'Q$gQ$m!UR'R$hR*X'_Q*V'_V-g,`-h.TQ.d-lQ/P.^R/Q._U.]-l.^._Q/U.aQ/b.tQ/g.zU/i.|/j/yQ/n/RQ/|/oQ0O/tU0Q/u0S0[Q0]0UQ0a0ZR0b0^R/T.`R/d.t",
  nodeNames: "⚠ print Escape { Comment Script AssignStatement * BinaryExpression BitOp BitOp BitOp BitOp ArithOp ArithOp @ ArithOp ** UnaryExpression ArithOp BitOp AwaitExpression await ) ( ParenthesizedExpression BinaryExpression or and CompareOp in not is UnaryExpression ConditionalExpression if else LambdaExpression lambda ParamList VariableName AssignOp , : NamedExpression AssignOp YieldExpression yield from TupleExpression ComprehensionExpression async for LambdaExpression ] [ ArrayExpression ArrayComprehensionExpression } { DictionaryExpression DictionaryComprehensionExpression SetExpression SetComprehensionExpression CallExpression ArgList AssignOp MemberExpression . PropertyName Number String FormatString FormatReplacement FormatSelfDoc FormatConversion FormatSpec FormatReplacement FormatSelfDoc ContinuedString Ellipsis None Boolean TypeDef AssignOp UpdateStatement UpdateOp ExpressionStatement DeleteStatement del PassStatement pass BreakStatement break ContinueStatement continue ReturnStatement return YieldStatement PrintStatement RaiseStatement raise ImportStatement import as ScopeStatement global nonlocal AssertStatement assert TypeDefinition type TypeParamList TypeParam StatementGroup ; IfStatement Body elif WhileStatement while ForStatement TryStatement try except finally WithStatement with FunctionDefinition def ParamList AssignOp TypeDef ClassDefinition class DecoratedStatement Decorator At MatchStatement match MatchBody MatchClause case CapturePattern LiteralPattern ArithOp ArithOp AsPattern OrPattern LogicOp AttributePattern SequencePattern MappingPattern StarPattern ClassPattern PatternArgList KeywordPattern KeywordPattern Guard",
  maxTerm: 277,
  context: trackIndent,
  nodeProps: [
    ["isolate", -5, 4, 71, 72, 73, 77, ""],
    ["group", -15, 6, 85, 87, 88, 90, 92, 94, 96, 98, 99, 100, 102, 105, 108, 110, "Statement Statement", -22, 8, 18, 21, 25, 40, 49, 50, 56, 57, 60, 61, 62, 63, 64, 67, 70, 71, 72, 79, 80, 81, 82, "Expression", -10, 114, 116, 119, 121, 122, 126, 128, 133, 135, 138, "Statement", -9, 143, 144, 147, 148, 150, 151, 152, 153, 154, "Pattern"],
    ["openedBy", 23, "(", 54, "[", 58, "{"],
    ["closedBy", 24, ")", 55, "]", 59, "}"]
  ],
  propSources: [pythonHighlighting],
  skippedNodes: [0, 4],
  repeatNodeCount: 34,
  tokenData: "!2|~R!`OX%TXY%oY[%T[]%o]p%Tpq%oqr'ars)Yst*xtu%Tuv,dvw-hwx.Uxy/tyz0[z{0r{|2S|}2p}!O3W!O!P4_!P!Q:Z!Q!R;k!R![>_![!]Do!]!^Es!^!_FZ!_!`Gk!`!aHX!a!b%T!b!cIf!c!dJU!d!eK^!e!hJU!h!i!#f!i!tJU!t!u!,|!u!wJU!w!x!.t!x!}JU!}#O!0S#O#P&o#P#Q!0j#Q#R!1Q#R#SJU#S#T%T#T#UJU#U#VK^#V#YJU#Y#Z!#f#Z#fJU#f#g!,|#g#iJU#i#j!.t#j#oJU#o#p!1n#p#q!1s#q#r!2a#r#s!2f#s$g%T$g;'SJU;'S;=`KW<%lOJU`%YT&n`O#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%T`%lP;=`<%l%To%v]&n`%c_OX%TXY%oY[%T[]%o]p%Tpq%oq#O%T#O#P&o#P#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%To&tX&n`OY%TYZ%oZ]%T]^%o^#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tc'f[&n`O!_%T!_!`([!`#T%T#T#U(r#U#f%T#f#g(r#g#h(r#h#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tc(cTmR&n`O#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tc(yT!mR&n`O#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk)aV&n`&[ZOr%Trs)vs#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk){V&n`Or%Trs*bs#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk*iT&n`&^ZO#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%To+PZS_&n`OY*xYZ%TZ]*x]^%T^#o*x#o#p+r#p#q*x#q#r+r#r;'S*x;'S;=`,^<%lO*x_+wTS_OY+rZ]+r^;'S+r;'S;=`,W<%lO+r_,ZP;=`<%l+ro,aP;=`<%l*xj,kV%rQ&n`O!_%T!_!`-Q!`#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tj-XT!xY&n`O#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tj-oV%lQ&n`O!_%T!_!`-Q!`#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk.]V&n`&ZZOw%Twx.rx#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk.wV&n`Ow%Twx/^x#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk/eT&n`&]ZO#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk/{ThZ&n`O#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tc0cTgR&n`O#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk0yXVZ&n`Oz%Tz{1f{!_%T!_!`-Q!`#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk1mVaR&n`O!_%T!_!`-Q!`#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk2ZV%oZ&n`O!_%T!_!`-Q!`#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tc2wTzR&n`O#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%To3_W%pZ&n`O!_%T!_!`-Q!`!a3w!a#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Td4OT&{S&n`O#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk4fX!fQ&n`O!O%T!O!P5R!P!Q%T!Q![6T![#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk5WV&n`O!O%T!O!P5m!P#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk5tT!rZ&n`O#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Ti6[a!hX&n`O!Q%T!Q![6T![!g%T!g!h7a!h!l%T!l!m9s!m#R%T#R#S6T#S#X%T#X#Y7a#Y#^%T#^#_9s#_#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Ti7fZ&n`O{%T{|8X|}%T}!O8X!O!Q%T!Q![8s![#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Ti8^V&n`O!Q%T!Q![8s![#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Ti8z]!hX&n`O!Q%T!Q![8s![!l%T!l!m9s!m#R%T#R#S8s#S#^%T#^#_9s#_#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Ti9zT!hX&n`O#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk:bX%qR&n`O!P%T!P!Q:}!Q!_%T!_!`-Q!`#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tj;UV%sQ&n`O!_%T!_!`-Q!`#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Ti;ro!hX&n`O!O%T!O!P=s!P!Q%T!Q![>_![!d%T!d!e?q!e!g%T!g!h7a!h!l%T!l!m9s!m!q%T!q!rA]!r!z%T!z!{Bq!{#R%T#R#S>_#S#U%T#U#V?q#V#X%T#X#Y7a#Y#^%T#^#_9s#_#c%T#c#dA]#d#l%T#l#mBq#m#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Ti=xV&n`O!Q%T!Q![6T![#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Ti>fc!hX&n`O!O%T!O!P=s!P!Q%T!Q![>_![!g%T!g!h7a!h!l%T!l!m9s!m#R%T#R#S>_#S#X%T#X#Y7a#Y#^%T#^#_9s#_#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Ti?vY&n`O!Q%T!Q!R@f!R!S@f!S#R%T#R#S@f#S#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Ti@mY!hX&n`O!Q%T!Q!R@f!R!S@f!S#R%T#R#S@f#S#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%TiAbX&n`O!Q%T!Q!YA}!Y#R%T#R#SA}#S#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%TiBUX!hX&n`O!Q%T!Q!YA}!Y#R%T#R#SA}#S#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%TiBv]&n`O!Q%T!Q![Co![!c%T!c!iCo!i#R%T#R#SCo#S#T%T#T#ZCo#Z#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%TiCv]!hX&n`O!Q%T!Q![Co![!c%T!c!iCo!i#R%T#R#SCo#S#T%T#T#ZCo#Z#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%ToDvV{_&n`O!_%T!_!`E]!`#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%TcEdT%{R&n`O#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%TkEzT#gZ&n`O#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%TkFbXmR&n`O!^%T!^!_F}!_!`([!`!a([!a#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%TjGUV%mQ&n`O!_%T!_!`-Q!`#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%TkGrV%zZ&n`O!_%T!_!`([!`#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%TkH`WmR&n`O!_%T!_!`([!`!aHx!a#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%TjIPV%nQ&n`O!_%T!_!`-Q!`#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%TkIoV_Q#}P&n`O!_%T!_!`-Q!`#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%ToJ_]&n`&YS%uZO!Q%T!Q![JU![!c%T!c!}JU!}#R%T#R#SJU#S#T%T#T#oJU#p#q%T#r$g%T$g;'SJU;'S;=`KW<%lOJUoKZP;=`<%lJUoKge&n`&YS%uZOr%Trs)Ysw%Twx.Ux!Q%T!Q![JU![!c%T!c!tJU!t!uLx!u!}JU!}#R%T#R#SJU#S#T%T#T#fJU#f#gLx#g#oJU#p#q%T#r$g%T$g;'SJU;'S;=`KW<%lOJUoMRa&n`&YS%uZOr%TrsNWsw%Twx! vx!Q%T!Q![JU![!c%T!c!}JU!}#R%T#R#SJU#S#T%T#T#oJU#p#q%T#r$g%T$g;'SJU;'S;=`KW<%lOJUkN_V&n`&`ZOr%TrsNts#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%TkNyV&n`Or%Trs! `s#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk! gT&n`&bZO#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk! }V&n`&_ZOw%Twx!!dx#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk!!iV&n`Ow%Twx!#Ox#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk!#VT&n`&aZO#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%To!#oe&n`&YS%uZOr%Trs!%Qsw%Twx!&px!Q%T!Q![JU![!c%T!c!tJU!t!u!(`!u!}JU!}#R%T#R#SJU#S#T%T#T#fJU#f#g!(`#g#oJU#p#q%T#r$g%T$g;'SJU;'S;=`KW<%lOJUk!%XV&n`&dZOr%Trs!%ns#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk!%sV&n`Or%Trs!&Ys#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk!&aT&n`&fZO#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk!&wV&n`&cZOw%Twx!'^x#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk!'cV&n`Ow%Twx!'xx#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk!(PT&n`&eZO#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%To!(ia&n`&YS%uZOr%Trs!)nsw%Twx!+^x!Q%T!Q![JU![!c%T!c!}JU!}#R%T#R#SJU#S#T%T#T#oJU#p#q%T#r$g%T$g;'SJU;'S;=`KW<%lOJUk!)uV&n`&hZOr%Trs!*[s#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk!*aV&n`Or%Trs!*vs#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk!*}T&n`&jZO#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk!+eV&n`&gZOw%Twx!+zx#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk!,PV&n`Ow%Twx!,fx#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tk!,mT&n`&iZO#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%To!-Vi&n`&YS%uZOr%TrsNWsw%Twx! vx!Q%T!Q![JU![!c%T!c!dJU!d!eLx!e!hJU!h!i!(`!i!}JU!}#R%T#R#SJU#S#T%T#T#UJU#U#VLx#V#YJU#Y#Z!(`#Z#oJU#p#q%T#r$g%T$g;'SJU;'S;=`KW<%lOJUo!.}a&n`&YS%uZOr%Trs)Ysw%Twx.Ux!Q%T!Q![JU![!c%T!c!}JU!}#R%T#R#SJU#S#T%T#T#oJU#p#q%T#r$g%T$g;'SJU;'S;=`KW<%lOJUk!0ZT!XZ&n`O#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tc!0qT!WR&n`O#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%Tj!1XV%kQ&n`O!_%T!_!`-Q!`#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%T~!1sO!]~k!1zV%jR&n`O!_%T!_!`-Q!`#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%T~!2fO![~i!2mT%tX&n`O#o%T#p#q%T#r;'S%T;'S;=`%i<%lO%T",
  tokenizers: [legacyPrint, indentation, newlines, strings, 0, 1, 2, 3, 4],
  topRules: { "Script": [0, 5] },
  specialized: [{ term: 221, get: (value) => spec_identifier[value] || -1 }],
  tokenPrec: 7668
});

// src/graph/source-lines.ts
var LineIndex = class {
  /** Offset at which each line starts; `starts[0]` is 0. */
  starts;
  /** The line number to report for each line, when the text is an excerpt of a longer one. */
  numbers;
  length;
  /**
   * `text` must use `\n` line endings (the parser normalises `\r\n` and `\r`
   * first). `lineNumbers[i]` is the number to report for the text's line
   * `i + 1`, for a text made by leaving whole lines out of another.
   */
  constructor(text2, lineNumbers) {
    this.numbers = lineNumbers ?? null;
    const starts = [0];
    let at2 = text2.indexOf("\n");
    while (at2 !== -1) {
      starts.push(at2 + 1);
      at2 = text2.indexOf("\n", at2 + 1);
    }
    this.starts = starts;
    this.length = text2.length;
  }
  /** 1-based line holding `offset`; a newline belongs to the line it ends. */
  line(offset) {
    return this.reported(this.lineIndex(offset));
  }
  position(offset) {
    const index = this.lineIndex(offset);
    return { line: this.reported(index), column: offset - this.starts[index] + 1 };
  }
  reported(index) {
    const numbers = this.numbers;
    if (!numbers || numbers.length === 0) return index + 1;
    return index < numbers.length ? numbers[index] : numbers[numbers.length - 1] + index - numbers.length + 1;
  }
  lineIndex(offset) {
    const starts = this.starts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = low + high + 1 >> 1;
      if (starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }
};

// src/graph/python-syntax.ts
var OPENERS = { "(": ")", "[": "]", "{": "}" };
var CLOSERS = { ")": "(", "]": "[", "}": "{" };
var STRING_PREFIXES = /* @__PURE__ */ new Set(["r", "u", "b", "br", "rb", "f", "fr", "rf", "t", "tr", "rt"]);
var BLOCK_NAMES = { class: "class definition", def: "function definition" };
function parsePythonModule(text2) {
  const lines = new LineIndex(text2);
  const scan = new TokenScan(text2, lines);
  scan.run();
  const at2 = (found, index) => ({ ...index.position(found.offset), message: found.message });
  if (scan.tokenError) return { module: null, problem: at2(scan.tokenError, lines) };
  const code2 = scan.codeText();
  const codeLines = code2 === text2 ? lines : new LineIndex(code2, scan.keptLines(lines.line(text2.length)));
  const tree = parser.parse(code2);
  const treeError = firstTreeError(tree, code2);
  const indentError = scan.indentError;
  if (indentError && (!treeError || lines.line(indentError.offset) <= codeLines.line(treeError.offset))) {
    return { module: null, problem: at2(indentError, lines) };
  }
  if (treeError) return { module: null, problem: at2(treeError, codeLines) };
  return { module: { text: code2, lines: codeLines, tree }, problem: null };
}
function firstTreeError(tree, text2) {
  let found = null;
  tree.iterate({
    enter: (node) => {
      if (found && node.from >= found.offset) return false;
      if (node.type.isError && !isLezerQuirk(node.node, text2)) {
        found = describeError(tree, node.node, text2);
        return false;
      }
      if (node.name === "ArgList") {
        const misplaced = misplacedArgument(node.node, text2);
        if (misplaced && (!found || misplaced.offset < found.offset)) found = misplaced;
      }
      return void 0;
    }
  });
  return found;
}
var BRACKETED = /^(ArgList|ArrayExpression|TupleExpression|ParenthesizedExpression|SetExpression|DictionaryExpression|DictionaryComprehensionExpression|ArrayComprehensionExpression|SetComprehensionExpression|ComprehensionExpression)$/;
var KEYWORDS = /* @__PURE__ */ new Set(["and", "or", "not", "in", "is", "if", "else", "for", "async", "await", "lambda", "as", "from", "yield"]);
function describeError(tree, error, text2) {
  const plain = { offset: error.from, message: "SyntaxError: invalid syntax" };
  let before = error.from - 1;
  while (before >= 0 && /\s/.test(text2[before])) before--;
  let after = error.from;
  while (after < text2.length && /\s/.test(text2[after])) after++;
  const previousWord = /[\p{L}\p{N}_]+$/u.exec(text2.slice(Math.max(0, before - 19), before + 1))?.[0] ?? "";
  const nextWord = /^[\p{L}\p{N}_]+/u.exec(text2.slice(after, after + 20))?.[0] ?? "";
  const endsExpression = before >= 0 && /[\p{L}\p{N}_'")\]}]/u.test(text2[before]) && !KEYWORDS.has(previousWord);
  const startsExpression = after < text2.length && /[\p{L}\p{N}_'"([{]/u.test(text2[after]) && !KEYWORDS.has(nextWord);
  if (!endsExpression || !startsExpression) return plain;
  let inBrackets = false;
  for (let node = error.parent; node && !inBrackets; node = node.parent) inBrackets = BRACKETED.test(node.name);
  if (!inBrackets) return plain;
  let first = tree.resolveInner(before + 1, -1);
  while (first.parent && first.parent.to === first.to && first.parent.name !== "Script") first = first.parent;
  return { offset: first.from, message: "SyntaxError: invalid syntax. Perhaps you forgot a comma?" };
}
function misplacedArgument(argList, text2) {
  let keyword2 = false;
  let doubleStar = false;
  const keywords = /* @__PURE__ */ new Set();
  for (let child = argList.firstChild; child; child = child.nextSibling) {
    const name2 = child.name;
    if (name2 === "(" || name2 === ")" || name2 === "," || name2 === "Comment" || child.type.isError) continue;
    if (name2 === "for") return null;
    if (name2 === "**") {
      doubleStar = true;
      child = child.nextSibling ?? child;
      continue;
    }
    if (name2 === "*") {
      if (doubleStar) return { offset: child.from, message: "SyntaxError: iterable argument unpacking follows keyword argument unpacking" };
      child = child.nextSibling ?? child;
      continue;
    }
    const assign = child.nextSibling;
    if (name2 === "VariableName" && assign?.name === "AssignOp" && text2.slice(assign.from, assign.to) === "=") {
      const keywordName = text2.slice(child.from, child.to);
      if (keywords.has(keywordName)) return { offset: child.from, message: `SyntaxError: keyword argument repeated: ${keywordName}` };
      keywords.add(keywordName);
      keyword2 = true;
      child = assign.nextSibling ?? assign;
      continue;
    }
    if (doubleStar) return { offset: argList.to - 1, message: "SyntaxError: positional argument follows keyword argument unpacking" };
    if (keyword2) return { offset: argList.to - 1, message: "SyntaxError: positional argument follows keyword argument" };
  }
  return null;
}
function isLezerQuirk(error, text2) {
  if (error.from === error.to && error.prevSibling?.name === "yield") return true;
  return isTrailingDotNumber(error, text2) || isStarredComprehensionTarget(error, text2) || isEmptyPattern(error, text2) || isParenthesizedWith(error, text2);
}
function isStarredComprehensionTarget(error, text2) {
  if (text2.slice(error.from, error.to) !== "*" || !/Comprehension|ArgList/.test(error.parent?.name ?? "")) return false;
  for (let before = error.prevSibling; before; before = before.prevSibling) {
    if (before.name === "in") return false;
    if (before.name === "for") return true;
  }
  return false;
}
function isEmptyPattern(error, text2) {
  const container = error.parent?.name === "LiteralPattern" ? error.parent.parent : error.parent;
  if (!container || !/^(PatternArgList|SequencePattern|MappingPattern)$/.test(container.name)) return false;
  return text2.slice(container.from, container.to).replace(/\s/g, "").length === 2;
}
function isParenthesizedWith(error, text2) {
  let statement = error.parent;
  while (statement && statement.name !== "WithStatement") {
    if (statement.name === "Body" || statement.name === "Script") return false;
    statement = statement.parent;
  }
  const body = statement?.getChild("Body");
  const keyword2 = statement?.getChild("with");
  if (!statement || !body || !keyword2 || error.from >= body.from) return false;
  return text2.slice(keyword2.to, body.from).trimStart().startsWith("(");
}
function isTrailingDotNumber(error, text2) {
  const member = error.parent;
  const number2 = member?.firstChild;
  const dot2 = number2?.nextSibling;
  return error.from === error.to && member?.name === "MemberExpression" && number2?.name === "Number" && dot2?.name === "." && number2.to === dot2.from && text2.slice(dot2.to, error.from).trim() === "" && /^[0-9][0-9_]*$/.test(text2.slice(number2.from, number2.to));
}
var TokenScan = class {
  tokenError = null;
  /** An indentation error that Python's parser (not its tokenizer) raises. */
  indentError = null;
  position = 0;
  /** End of the last code token on the current line: what follows it up to the newline is dropped. */
  codeEnd = 0;
  /** Ranges of comments, trailing blanks and blank lines, in order. */
  drops = [];
  /** Line numbers of the blank and comment-only lines left out entirely. */
  droppedLines = [];
  /** `with ... as (a, b):` targets, which lezer-python cannot parse, to be replaced by a name of the same length. */
  rewrites = [];
  /** The current logical line is a `with` statement. */
  withStatement = false;
  brackets = [];
  indents = [{ column: 0, alternate: 0 }];
  atLineStart = true;
  /** Last significant character of the current logical line: `:` opens a block. */
  last = "";
  statementStart = 0;
  /** Set when the previous logical line ended with `:` and the next must indent. */
  pendingBlock = null;
  text;
  lines;
  constructor(text2, lines) {
    this.text = text2;
    this.lines = lines;
  }
  run() {
    const text2 = this.text;
    while (this.position < text2.length && !this.tokenError) {
      if (this.atLineStart) {
        this.lineStart();
        continue;
      }
      const char = text2[this.position];
      if (char === "\n") {
        this.dropAfterCode(this.position);
        if (this.brackets.length === 0) this.endLogicalLine();
        this.position++;
        this.codeEnd = this.position;
      } else if (char === " " || char === "	" || char === "\f" || char === "\r") {
        this.position++;
      } else if (char === "#") {
        this.skipComment();
      } else if (char === "\\") {
        this.continuation();
        this.codeEnd = this.position;
      } else {
        this.token(null);
        this.codeEnd = this.position;
      }
    }
    if (this.tokenError) return;
    this.dropAfterCode(text2.length);
    const open = this.brackets[this.brackets.length - 1];
    if (open) {
      this.tokenError = { offset: open.offset, message: `SyntaxError: '${open.char}' was never closed` };
      return;
    }
    if (this.last === ":") this.pendingBlock = { statementStart: this.statementStart, colonEnd: text2.length };
    if (this.pendingBlock) this.expectedBlock(this.pendingBlock.colonEnd);
  }
  /** Measures a line's indentation and compares it with the open blocks, as Python's tokenizer does. */
  lineStart() {
    const text2 = this.text;
    const lineBegin = this.position;
    let column = 0;
    let alternate = 0;
    let at2 = this.position;
    for (; at2 < text2.length; at2++) {
      const char2 = text2[at2];
      if (char2 === " ") {
        column++;
        alternate++;
      } else if (char2 === "	") {
        column = (Math.floor(column / 8) + 1) * 8;
        alternate++;
      } else if (char2 === "\f") {
        column = 0;
        alternate = 0;
      } else break;
    }
    this.position = at2;
    const char = text2[at2];
    if (at2 >= text2.length || char === "\n" || char === "#" || char === "\r") {
      if (char === "#") this.skipComment();
      if (text2[this.position] === "\n") this.position++;
      this.drops.push([lineBegin, this.position]);
      this.droppedLines.push(this.lines.line(lineBegin));
      this.codeEnd = this.position;
      return;
    }
    this.atLineStart = false;
    this.statementStart = at2;
    this.withStatement = /^(?:async[ \t]+)?with\b/.test(text2.slice(at2, at2 + 16));
    const top = this.indents[this.indents.length - 1];
    if (column > top.column) {
      if (alternate <= top.alternate) return this.tabError(at2);
      this.indents.push({ column, alternate });
      if (!this.pendingBlock) this.indentError ??= { offset: at2, message: "IndentationError: unexpected indent" };
    } else {
      while (column < this.indents[this.indents.length - 1].column) this.indents.pop();
      const outer = this.indents[this.indents.length - 1];
      if (column !== outer.column) {
        this.tokenError = { offset: at2, message: "IndentationError: unindent does not match any outer indentation level" };
        return;
      }
      if (alternate !== outer.alternate) return this.tabError(at2);
      if (this.pendingBlock) this.expectedBlock(at2);
    }
    this.pendingBlock = null;
  }
  dropAfterCode(lineEnd) {
    if (this.codeEnd < lineEnd) this.drops.push([this.codeEnd, lineEnd]);
  }
  /** Original numbers of the lines `codeText()` keeps. */
  keptLines(lastLine) {
    const kept = [];
    let dropped = 0;
    for (let line = 1; line <= lastLine; line++) {
      if (this.droppedLines[dropped] === line) dropped++;
      else kept.push(line);
    }
    return kept;
  }
  /**
   * After `as` in a `with` statement: lezer-python only accepts a name there,
   * Python also a tuple, an attribute or a subscript (`as (src, dst)`,
   * `as self.client`). The target does not matter to a migration's reading,
   * so a one-line target is recorded to be replaced by underscores.
   */
  withTarget(from) {
    const text2 = this.text;
    let at2 = from;
    while (text2[at2] === " " || text2[at2] === "	") at2++;
    const start = at2;
    let depth = 0;
    for (; at2 < text2.length; at2++) {
      const char = text2[at2];
      if (char === "\n" || char === '"' || char === "'" || char === "#" || char === "\\") return;
      if (OPENERS[char]) depth++;
      else if (CLOSERS[char]) {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && (char === "," || char === ":")) break;
    }
    const target = text2.slice(start, at2).trimEnd();
    if (target === "" || /^[\p{L}_][\p{L}\p{N}_]*$/u.test(target)) return;
    this.rewrites.push([start, start + target.length]);
  }
  /** The text without the dropped comments, trailing blanks and blank lines, and with `with` targets replaced. */
  codeText() {
    if (this.drops.length === 0 && this.rewrites.length === 0) return this.text;
    const edits = [
      ...this.drops.map(([from, to2]) => ({ from, to: to2, insert: "" })),
      ...this.rewrites.map(([from, to2]) => ({ from, to: to2, insert: "_".repeat(to2 - from) }))
    ].sort((a, b3) => a.from - b3.from);
    const parts = [];
    let at2 = 0;
    for (const { from, to: to2, insert } of edits) {
      parts.push(this.text.slice(at2, from), insert);
      at2 = to2;
    }
    parts.push(this.text.slice(at2));
    return parts.join("");
  }
  tabError(offset) {
    this.tokenError = { offset, message: "TabError: inconsistent use of tabs and spaces in indentation" };
  }
  expectedBlock(offset) {
    const pending = this.pendingBlock;
    if (!pending) return;
    const keyword2 = /^(?:async\s+)?([a-z]+)/.exec(this.text.slice(pending.statementStart, pending.statementStart + 20))?.[1] ?? "";
    const opener = BLOCK_NAMES[keyword2] ?? (keyword2 ? `'${keyword2}' statement` : "a block opener");
    const line = this.lines.line(pending.statementStart);
    this.indentError ??= { offset, message: `IndentationError: expected an indented block after ${opener} on line ${line}` };
    this.pendingBlock = null;
  }
  endLogicalLine() {
    if (this.last === ":") this.pendingBlock = { statementStart: this.statementStart, colonEnd: this.position };
    this.last = "";
    this.atLineStart = true;
  }
  skipComment() {
    const end = this.text.indexOf("\n", this.position);
    this.position = end === -1 ? this.text.length : end;
  }
  continuation() {
    const next = this.text[this.position + 1];
    if (next === "\n") this.position += 2;
    else if (next === void 0) this.tokenError = { offset: this.position, message: "SyntaxError: unexpected EOF while parsing" };
    else this.tokenError = { offset: this.position + 1, message: "SyntaxError: unexpected character after line continuation character" };
  }
  /**
   * One token at `position`: a bracket, a string, a word or another character.
   * `field` is set inside an f-string replacement field, where `}` at depth 0 ends the field.
   */
  token(field) {
    const text2 = this.text;
    const char = text2[this.position];
    if (OPENERS[char]) {
      if (field) field.depth++;
      else this.brackets.push({ char, offset: this.position });
      this.last = char;
      this.position++;
      return;
    }
    const opener = CLOSERS[char];
    if (opener) {
      if (field) {
        field.depth--;
      } else {
        const open = this.brackets.pop();
        if (!open) {
          this.tokenError = { offset: this.position, message: `SyntaxError: unmatched '${char}'` };
          return;
        }
        if (open.char !== opener) {
          const openLine = this.lines.line(open.offset);
          const where = openLine === this.lines.line(this.position) ? "" : ` on line ${openLine}`;
          this.tokenError = {
            offset: this.position,
            message: `SyntaxError: closing parenthesis '${char}' does not match opening parenthesis '${open.char}'${where}`
          };
          return;
        }
      }
      this.last = char;
      this.position++;
      return;
    }
    if (char === '"' || char === "'") {
      this.string(this.position, "");
      return;
    }
    if (isWordChar(char)) {
      const start = this.position;
      let end = start + 1;
      while (end < text2.length && isWordChar(text2[end])) end++;
      const word = text2.slice(start, end);
      this.position = end;
      this.last = "a";
      if (word === "as" && this.withStatement && !field) this.withTarget(end);
      const quote = text2[end];
      if ((quote === '"' || quote === "'") && STRING_PREFIXES.has(word.toLowerCase())) this.string(start, word.toLowerCase());
      return;
    }
    this.last = char;
    this.position++;
  }
  /** A string literal from `start` (its prefix), with `position` on the opening quote. */
  string(start, prefix) {
    const text2 = this.text;
    const quote = text2[this.position];
    const triple = text2.startsWith(quote.repeat(3), this.position);
    const formatted = /[ft]/.test(prefix);
    const raw = prefix.includes("r");
    this.position += triple ? 3 : 1;
    this.last = quote;
    while (!this.tokenError) {
      if (this.position >= text2.length) return this.unterminated(start, triple);
      const char = text2[this.position];
      if (char === "\\") {
        const next = text2[this.position + 1];
        if (formatted && !raw && next === "N" && text2[this.position + 2] === "{") {
          const close = text2.indexOf("}", this.position);
          this.position = close === -1 ? text2.length : close + 1;
        } else {
          this.position += formatted && (next === "{" || next === "}") ? 1 : 2;
        }
      } else if (char === "\n" && !triple) {
        return this.unterminated(start, triple);
      } else if (char === quote && (!triple || text2.startsWith(quote.repeat(3), this.position))) {
        this.position += triple ? 3 : 1;
        return;
      } else if (formatted && char === "{") {
        if (text2[this.position + 1] === "{") this.position += 2;
        else this.replacementField(quote, triple);
      } else {
        this.position++;
      }
    }
  }
  /**
   * `{expression!r:spec}` inside an f-string. Since Python 3.12 the expression
   * may hold strings with the same quotes, so it is tokenized like code.
   */
  replacementField(quote, triple) {
    const text2 = this.text;
    const field = { depth: 0 };
    this.position++;
    while (this.position < text2.length && !this.tokenError) {
      const char = text2[this.position];
      if (char === "}" && field.depth === 0) {
        this.position++;
        return;
      }
      if (char === ":" && field.depth === 0) {
        this.formatSpec(quote, triple);
        return;
      }
      if (char === "\n" || char === " " || char === "	" || char === "\\") this.position++;
      else if (char === "#") this.skipComment();
      else this.token(field);
    }
  }
  /** After `:` in a replacement field: literal text up to `}`, with nested `{fields}`. */
  formatSpec(quote, triple) {
    const text2 = this.text;
    this.position++;
    while (this.position < text2.length && !this.tokenError) {
      const char = text2[this.position];
      if (char === "}") {
        this.position++;
        return;
      }
      if (char === "\\") {
        this.position += 2;
        continue;
      }
      if (char === quote && (!triple || text2.startsWith(quote.repeat(3), this.position))) return;
      if (char === "\n" && !triple) return;
      if (char === "{") this.replacementField(quote, triple);
      else this.position++;
    }
  }
  unterminated(start, triple) {
    const end = Math.min(this.position, Math.max(this.text.length - 1, 0));
    const detected = this.lines.line(end);
    const what = triple ? "unterminated triple-quoted string literal" : "unterminated string literal";
    this.tokenError = { offset: start, message: `SyntaxError: ${what} (detected at line ${detected})` };
  }
};
function isWordChar(char) {
  return char >= "a" && char <= "z" || char >= "A" && char <= "Z" || char >= "0" && char <= "9" || char === "_" || char > "";
}

// src/graph/python-values.ts
var SEPARATORS = /* @__PURE__ */ new Set(["(", ")", "[", "]", "{", "}", ",", ":", "Comment"]);
function sourceOf(node, source) {
  return source.text.slice(node.from, node.to);
}
function childrenOf(node) {
  const children = [];
  for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
  return children;
}
function unwrapParentheses(node) {
  let current = node;
  while (current.name === "ParenthesizedExpression") {
    const inner = childrenOf(current).filter((child) => !SEPARATORS.has(child.name));
    if (inner.length !== 1) break;
    current = inner[0];
  }
  return current;
}
function splitElements(nodes) {
  const elements = [];
  let star = "";
  let starFrom = -1;
  let hasComma = false;
  for (const node of nodes) {
    if (node.name === ",") hasComma = true;
    if (node.name === "*" || node.name === "**") {
      star = node.name;
      starFrom = node.from;
      continue;
    }
    if (SEPARATORS.has(node.name)) continue;
    elements.push({ node, star, from: star ? starFrom : node.from });
    star = "";
  }
  return { elements, hasComma };
}
function elementsOf(container) {
  return splitElements(childrenOf(container)).elements;
}
function dottedName(node, source) {
  if (node.name === "VariableName") return sourceOf(node, source);
  if (node.name !== "MemberExpression") return null;
  const object = node.firstChild;
  const property = node.lastChild;
  if (!object || !property || property.name !== "PropertyName") return null;
  const head = dottedName(object, source);
  return head === null ? null : `${head}.${sourceOf(property, source)}`;
}
function dynamic(source, reason) {
  return { kind: "dynamic", source, reason };
}
var DESCRIPTIONS = {
  BinaryExpression: "an operation is computed at run time",
  UnaryExpression: "an operation is computed at run time",
  BooleanExpression: "a boolean operation is computed at run time",
  ComparisonExpression: "a comparison is computed at run time",
  ConditionalExpression: "a conditional expression is computed at run time",
  LambdaExpression: "a lambda is a function, not a literal",
  ArrayComprehensionExpression: "a comprehension is computed at run time",
  SetComprehensionExpression: "a comprehension is computed at run time",
  DictionaryComprehensionExpression: "a comprehension is computed at run time",
  ComprehensionExpression: "a generator expression is computed at run time",
  FormatString: "an f-string is formatted at run time",
  AwaitExpression: "an await is computed at run time",
  YieldExpression: "a yield is computed at run time",
  Ellipsis: "Ellipsis has no literal form here"
};
function describeNonLiteral(node) {
  if (node.name === "MemberExpression") {
    return node.getChild("[") ? "a subscript is evaluated at run time" : "an attribute of a computed value is evaluated at run time";
  }
  return DESCRIPTIONS[node.name] ?? `an expression (${node.name}) is not a literal`;
}
var TRAILING_DOT_NUMBER = /^[0-9][0-9_]*\.(?:[eE][+-]?[0-9][0-9_]*)?[jJ]?$/;
function numberText(node, source) {
  if (node.name === "Number") return sourceOf(node, source);
  if ((node.name === "MemberExpression" || node.name === "BinaryExpression") && node.firstChild) {
    const text2 = sourceOf(node, source).trimEnd();
    if (TRAILING_DOT_NUMBER.test(text2)) return text2;
  }
  return null;
}
function toPyValue(node, source) {
  const number2 = numberText(node, source);
  if (number2 !== null) return numberValue(number2);
  switch (node.name) {
    case "ParenthesizedExpression": {
      const inner = unwrapParentheses(node);
      return inner === node ? dynamic(sourceOf(node, source), describeNonLiteral(node)) : toPyValue(inner, source);
    }
    case "String":
    case "ContinuedString":
    case "FormatString":
      return stringValue(node, source);
    case "UnaryExpression":
      return signedNumber(node, source);
    case "Boolean":
      return { kind: "bool", value: sourceOf(node, source) === "True" };
    case "None":
      return { kind: "none" };
    case "ArrayExpression":
      return { kind: "list", items: elementsOf(node).map((element) => itemValue(element, source)) };
    case "TupleExpression":
      return { kind: "tuple", items: elementsOf(node).map((element) => itemValue(element, source)) };
    case "SetExpression":
      return { kind: "set", items: elementsOf(node).map((element) => itemValue(element, source)) };
    case "DictionaryExpression":
      return dictValue(node, source);
    case "VariableName":
      return { kind: "ref", name: sourceOf(node, source) };
    case "MemberExpression": {
      const name2 = dottedName(node, source);
      return name2 === null ? dynamic(sourceOf(node, source), describeNonLiteral(node)) : { kind: "ref", name: name2 };
    }
    case "CallExpression":
      return callValue(node, source);
    default:
      return dynamic(sourceOf(node, source), describeNonLiteral(node));
  }
}
function itemValue(element, source) {
  if (element.star) {
    return dynamic(source.text.slice(element.from, element.node.to), `unpacking with ${element.star} happens at run time`);
  }
  return toPyValue(element.node, source);
}
function dictValue(node, source) {
  const entries = [];
  const elements = elementsOf(node);
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i];
    if (element.star) {
      const unpacked = itemValue(element, source);
      entries.push([unpacked, unpacked]);
      continue;
    }
    const value = elements[i + 1];
    entries.push([toPyValue(element.node, source), value ? toPyValue(value.node, source) : { kind: "none" }]);
    i++;
  }
  return { kind: "dict", entries };
}
function callValue(node, source) {
  const calleeNode = node.firstChild;
  const argList = node.lastChild;
  const callee = calleeNode ? dottedName(calleeNode, source) : null;
  if (callee === null || !argList || argList.name !== "ArgList") {
    return dynamic(sourceOf(node, source), "the callee is not a name or an attribute chain");
  }
  const { args, kwargs } = readArguments(argList, source);
  const kwargValues = {};
  for (const [name2, argument2] of kwargs) kwargValues[name2] = argument2.value;
  return {
    kind: "call",
    callee,
    args: args.map((argument2) => argument2.value),
    kwargs: kwargValues,
    line: source.lines.line(node.from)
  };
}
function readArguments(argList, source) {
  const children = childrenOf(argList).filter((child) => child.name !== "Comment");
  const args = [];
  const kwargs = /* @__PURE__ */ new Map();
  if (children.some((child) => child.name === "for")) {
    const inner = { from: argList.from + 1, to: argList.to - 1 };
    args.push({ node: null, value: dynamic(sourceOf(inner, source), "a generator expression is computed at run time") });
    return { args, kwargs };
  }
  const doubleStarred = [];
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    const next = children[i + 1];
    if (child.name === "*" || child.name === "**") {
      if (!next) break;
      const text2 = source.text.slice(child.from, next.to);
      if (child.name === "*") {
        args.push({ node: null, value: dynamic(text2, "unpacking with * happens at run time") });
      } else {
        if (doubleStarred.length === 0) kwargs.set("**", { node: null, value: dynamic(text2, "") });
        doubleStarred.push(text2);
      }
      i++;
      continue;
    }
    if (child.name === "VariableName" && next?.name === "AssignOp") {
      const valueNode = children[i + 2];
      if (!valueNode) break;
      if (sourceOf(next, source) === "=") {
        kwargs.set(sourceOf(child, source), { node: valueNode, value: toPyValue(valueNode, source) });
      } else {
        args.push({ node: null, value: dynamic(source.text.slice(child.from, valueNode.to), "an assignment expression is computed at run time") });
      }
      i += 2;
      continue;
    }
    if (SEPARATORS.has(child.name)) continue;
    args.push({ node: child, value: toPyValue(child, source) });
  }
  if (doubleStarred.length > 0) {
    kwargs.set("**", { node: null, value: dynamic(doubleStarred.join(", "), "unpacking with ** happens at run time") });
  }
  return { args, kwargs };
}
function numberValue(text2) {
  const digits = text2.replace(/_/g, "");
  if (/[jJ]$/.test(digits)) return dynamic(text2, "a complex number has no literal form here");
  const radix = /^0[xX]/.test(digits) ? 16 : /^0[oO]/.test(digits) ? 8 : /^0[bB]/.test(digits) ? 2 : 10;
  if (radix !== 10) return { kind: "int", value: parseInt(digits.slice(2), radix), text: text2 };
  if (/^[0-9]+$/.test(digits)) return { kind: "int", value: Number(digits), text: text2 };
  return { kind: "float", value: Number(digits), text: text2 };
}
function signedNumber(node, source) {
  const operator2 = node.firstChild;
  const operand = node.lastChild ? unwrapParentheses(node.lastChild) : null;
  const sign = operator2 ? sourceOf(operator2, source) : "";
  const text2 = operand ? numberText(operand, source) : null;
  if (text2 !== null && (sign === "-" || sign === "+")) {
    const number2 = numberValue(text2);
    if (number2.kind === "int" || number2.kind === "float") {
      return { kind: number2.kind, value: sign === "-" ? -number2.value : number2.value, text: `${sign}${number2.text}` };
    }
  }
  return dynamic(sourceOf(node, source), describeNonLiteral(node));
}
function stringValue(node, source) {
  const parts = node.name === "ContinuedString" ? childrenOf(node).filter((part) => part.name !== "Comment") : [node];
  let kind = null;
  let value = "";
  for (const part of parts) {
    if (part.name !== "String") return dynamic(sourceOf(node, source), describeNonLiteral(part));
    const decoded = decodeStringLiteral(sourceOf(part, source));
    if (decoded.kind === "dynamic") return dynamic(sourceOf(node, source), decoded.reason);
    if (kind !== null && kind !== decoded.kind) return dynamic(sourceOf(node, source), "cannot mix bytes and nonbytes literals");
    kind = decoded.kind;
    value += decoded.value;
  }
  return { kind: kind ?? "str", value };
}
function decodeStringLiteral(literal2) {
  const opening = /^([A-Za-z]*)(['"])/.exec(literal2);
  if (!opening) return { kind: "dynamic", reason: "not a string literal" };
  const prefix = opening[1].toLowerCase();
  const quote = opening[2];
  if (/[ft]/.test(prefix)) return { kind: "dynamic", reason: "an f-string is formatted at run time" };
  const quoteLength = literal2.startsWith(quote.repeat(3), prefix.length) && literal2.length >= prefix.length + 6 ? 3 : 1;
  const body = literal2.slice(prefix.length + quoteLength, literal2.length - quoteLength);
  const bytes = prefix.includes("b");
  if (bytes && /[^\x00-\x7f]/.test(body)) return { kind: "dynamic", reason: "bytes can only contain ASCII literal characters" };
  if (prefix.includes("r")) return { kind: bytes ? "bytes" : "str", value: body };
  return decodeEscapes(body, bytes);
}
var SIMPLE_ESCAPES = {
  "\n": "",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "	",
  v: "\v"
};
function decodeEscapes(body, bytes) {
  const kind = bytes ? "bytes" : "str";
  let value = "";
  let at2 = 0;
  for (let slash = body.indexOf("\\"); slash !== -1; slash = body.indexOf("\\", at2)) {
    value += body.slice(at2, slash);
    const letter = body[slash + 1] ?? "";
    at2 = slash + 2;
    const simple = SIMPLE_ESCAPES[letter];
    if (simple !== void 0) {
      value += simple;
      continue;
    }
    if (letter >= "0" && letter <= "7") {
      const octal = /^[0-7]{1,3}/.exec(body.slice(slash + 1, slash + 4))[0];
      at2 = slash + 1 + octal.length;
      value += String.fromCharCode(bytes ? parseInt(octal, 8) & 255 : parseInt(octal, 8));
      continue;
    }
    const width = letter === "x" ? 2 : !bytes && letter === "u" ? 4 : !bytes && letter === "U" ? 8 : 0;
    if (width > 0) {
      const hex = body.slice(at2, at2 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) {
        return { kind: "dynamic", reason: `truncated \\${letter} escape (Python rejects this literal)` };
      }
      const code2 = parseInt(hex, 16);
      if (code2 > 1114111) return { kind: "dynamic", reason: "illegal Unicode character (Python rejects this literal)" };
      value += String.fromCodePoint(code2);
      at2 += width;
      continue;
    }
    if (!bytes && letter === "N") return { kind: "dynamic", reason: "\\N{...} escapes are not decoded statically" };
    value += `\\${letter}`;
  }
  value += body.slice(at2);
  return { kind, value };
}

// src/graph/module-constants.ts
var STORE_REASONS = {
  assign: "assigned",
  nested: "assigned inside a block (if, try, for, a function...), so its value depends on run time",
  unpack: "assigned by unpacking",
  augmented: "changed by an augmented assignment",
  walrus: "assigned by an assignment expression",
  del: "deleted with del",
  import: "imported from another module",
  global: "declared global in a function",
  loop: "bound by a loop",
  as: "bound by an `as` clause",
  def: "defined by a def or class statement",
  parameter: "also a parameter name",
  pattern: "bound by a match pattern"
};
var MUTATING_METHODS = /* @__PURE__ */ new Set([
  "append",
  "extend",
  "insert",
  "remove",
  "pop",
  "clear",
  "sort",
  "reverse",
  "add",
  "discard",
  "update",
  "setdefault",
  "popitem",
  "__setitem__",
  "__delitem__",
  "__iadd__"
]);
var CONTAINERS = /* @__PURE__ */ new Set(["TupleExpression", "ArrayExpression", "ParenthesizedExpression"]);
var COMPREHENSIONS = /* @__PURE__ */ new Set(["ArrayComprehensionExpression", "SetComprehensionExpression", "DictionaryComprehensionExpression", "ComprehensionExpression"]);
var ATTRIBUTES = /* @__PURE__ */ new Set(["dependencies", "operations", "replaces", "run_before", "initial", "atomic"]);
var MAX_DEPTH = 32;
var ModuleScope = class {
  source;
  script;
  migrationClass;
  occurrences = null;
  starImports = [];
  lookups = /* @__PURE__ */ new Map();
  visiting = /* @__PURE__ */ new Set();
  constructor(source, script, migrationClass) {
    this.source = source;
    this.script = script;
    this.migrationClass = migrationClass;
  }
  /** Offset at which the class body runs: names it reads must be bound before. */
  get classAt() {
    return this.migrationClass.from;
  }
  // ---- values ----------------------------------------------------------------
  /**
   * The items of a list or tuple expression, following names, `+`,
   * `*unpacking` and `list(...)`/`tuple(...)`.
   */
  sequence(node, at2, depth = 0) {
    const fail = (reason, prefix = []) => ({ ok: false, reason, prefix });
    if (depth > MAX_DEPTH) return fail("the value is nested too deeply to follow");
    const value = unwrapParentheses(node);
    switch (value.name) {
      case "ArrayExpression":
      case "TupleExpression":
        return { ok: true, kind: value.name === "ArrayExpression" ? "list" : "tuple", elements: this.expand(elementsOf(value), at2, depth) };
      case "BinaryExpression": {
        const operator2 = childrenOf(value).find((child) => child.name === "ArithOp");
        if (!operator2 || sourceOf(operator2, this.source) !== "+" || !value.firstChild || !value.lastChild) return fail(describeNonLiteral(value));
        const left = this.sequence(value.firstChild, at2, depth + 1);
        if (!left.ok) return left;
        const right = this.sequence(value.lastChild, at2, depth + 1);
        if (!right.ok) return fail(right.reason, [...left.elements, ...right.prefix]);
        if (left.kind !== right.kind) return fail(`a ${left.kind} and a ${right.kind} cannot be added (Python raises TypeError)`, left.elements);
        return { ok: true, kind: left.kind, elements: [...left.elements, ...right.elements] };
      }
      case "VariableName": {
        const name2 = sourceOf(value, this.source);
        const found = this.lookup(name2, at2);
        if (!found.ok) return fail(found.reason);
        const { binding } = found;
        if (binding.bare) return { ok: true, kind: "tuple", elements: this.expand(binding.bare, binding.at, depth + 1) };
        const inner = this.sequence(binding.node, binding.at, depth + 1);
        return inner.ok ? inner : fail(`${name2} (line ${binding.line}): ${inner.reason}`, inner.prefix);
      }
      case "CallExpression": {
        const callee = value.firstChild;
        const builtin = callee?.name === "VariableName" ? sourceOf(callee, this.source) : null;
        const args = value.lastChild?.name === "ArgList" ? splitElements(childrenOf(value.lastChild)).elements : null;
        if ((builtin === "list" || builtin === "tuple") && args !== null && args.length <= 1 && args.every((arg) => !arg.star) && !this.keywordArguments(value.lastChild)) {
          const shadowed = this.shadowed(builtin);
          if (shadowed !== null) return fail(shadowed);
          if (args.length === 0) return { ok: true, kind: builtin, elements: [] };
          const inner = this.sequence(args[0].node, at2, depth + 1);
          return inner.ok ? { ok: true, kind: builtin, elements: inner.elements } : fail(inner.reason);
        }
        return fail("built by a call at run time");
      }
      default: {
        const name2 = dottedName(value, this.source);
        return fail(name2 !== null ? `refers to ${name2}, an attribute of another object` : describeNonLiteral(value));
      }
    }
  }
  /** A string the node certainly evaluates to, or why not. */
  string(node, at2, depth = 0) {
    const value = unwrapParentheses(node);
    if (depth > MAX_DEPTH) return { ok: false, reason: "the value is nested too deeply to follow" };
    if (value.name === "String" || value.name === "ContinuedString") {
      const parts = value.name === "ContinuedString" ? childrenOf(value).filter((part) => part.name !== "Comment") : [value];
      let text2 = "";
      for (const part of parts) {
        if (part.name !== "String") return { ok: false, reason: describeNonLiteral(part) };
        const decoded = decodeStringLiteral(sourceOf(part, this.source));
        if (decoded.kind === "dynamic") return { ok: false, reason: decoded.reason };
        if (decoded.kind === "bytes") return { ok: false, reason: "bytes, not a string" };
        text2 += decoded.value;
      }
      return { ok: true, value: text2 };
    }
    if (value.name === "VariableName") {
      const name2 = sourceOf(value, this.source);
      const found = this.lookup(name2, at2);
      if (!found.ok) return found;
      if (found.binding.bare) return { ok: false, reason: `${name2} is a tuple, not a string` };
      return this.string(found.binding.node, found.binding.at, depth + 1);
    }
    return { ok: false, reason: describeNonLiteral(value) };
  }
  /** What a name stands for at `at` (a node and where its own names are evaluated), or why that is not known. */
  resolve(name2, at2) {
    const found = this.lookup(name2, at2);
    if (!found.ok) return found;
    const { binding } = found;
    return { ok: true, node: binding.node, bare: binding.bare ? binding.bare.map((element) => ({ ...element, at: binding.at })) : null, at: binding.at };
  }
  /** The items of a list or tuple display evaluated at `at`, with `*NAME` expanded where it can be. */
  elements(elements, at2) {
    return elements.some((element) => element.star) ? this.expand(elements, at2, 0) : elements.map((element) => ({ ...element, at: at2 }));
  }
  expand(elements, at2, depth) {
    const items = [];
    for (const element of elements) {
      if (element.star !== "*") {
        items.push({ ...element, at: at2 });
        continue;
      }
      const inner = this.sequence(element.node, at2, depth + 1);
      if (inner.ok) items.push(...inner.elements);
      else items.push({ ...element, at: at2, unresolved: inner.reason });
    }
    return items;
  }
  keywordArguments(argList) {
    return childrenOf(argList).some((child) => child.name === "AssignOp" || child.name === "**" || child.name === "for");
  }
  /** Why a builtin such as `list` may not be the builtin here, or null. */
  shadowed(builtin) {
    this.index();
    if (this.starImports.length > 0) return `\`from ... import *\` may rebind ${builtin}`;
    const stores = (this.occurrences.get(builtin) ?? []).filter((node) => this.use(node).kind === "store");
    return stores.length > 0 ? `${builtin} is rebound on line ${this.line(stores[0].from)}` : null;
  }
  // ---- names -----------------------------------------------------------------
  lookup(name2, at2) {
    let found = this.lookups.get(name2);
    if (found === void 0) {
      if (this.visiting.has(name2)) return { ok: false, reason: `${name2} is defined in terms of itself` };
      this.visiting.add(name2);
      found = this.find(name2);
      this.visiting.delete(name2);
      this.lookups.set(name2, found);
    }
    if (!found.ok) return found;
    const { binding } = found;
    if (binding.at >= at2) return { ok: false, reason: `${name2} is assigned on line ${binding.line}, after it is used` };
    const star = this.starImports.find((offset) => offset > binding.at && offset < at2);
    if (star !== void 0) return { ok: false, reason: `\`from ... import *\` on line ${this.line(star)} may rebind ${name2}` };
    return found;
  }
  find(name2) {
    this.index();
    const occurrences = this.occurrences.get(name2) ?? [];
    const uses = occurrences.map((node) => ({ node, use: this.use(node) }));
    const stores = uses.filter((entry) => entry.use.kind === "store");
    if (stores.length === 0) {
      return { ok: false, reason: this.starImports.length > 0 ? `${name2} may come from \`from ... import *\`` : `${name2} is not defined in this module` };
    }
    const odd = stores.find((entry) => entry.use.how !== "assign");
    if (odd) return { ok: false, reason: `${name2} is ${STORE_REASONS[odd.use.how]} (line ${this.line(odd.node.from)})` };
    if (stores.length > 1) return { ok: false, reason: `${name2} is bound more than once (lines ${stores.map((entry) => this.line(entry.node.from)).join(", ")})` };
    const store = stores[0];
    const use = store.use;
    if (use.statement === null) return { ok: false, reason: `${name2} has no value that can be read` };
    const mutation = uses.find((entry) => entry.use.kind === "mutate");
    if (mutation) return { ok: false, reason: `${name2} is changed on line ${this.line(mutation.node.from)} (${mutation.use.how})` };
    const binding = this.bindingOf(use.statement);
    if (binding === null) return { ok: false, reason: `${name2} has no value that can be read` };
    if (!this.immutable(binding, 0)) {
      if (!use.single) return { ok: false, reason: `${name2} is assigned together with other names (line ${binding.line}), which share the same list` };
      const aliases = uses.filter((entry) => entry.use.kind === "read" && entry.use.context === "alias");
      const other = uses.find((entry) => entry.use.kind === "read" && entry.use.context === "other");
      if (other) return { ok: false, reason: `${name2} is used on line ${this.line(other.node.from)} where it may be changed` };
      if (aliases.length > 1) return { ok: false, reason: `${name2} is shared by several names (lines ${aliases.map((entry) => this.line(entry.node.from)).join(", ")}), which may change it` };
      if (aliases.length === 1) {
        const alias = aliases[0].use;
        const problem = this.aliasProblem(alias.statement);
        if (problem !== null) return { ok: false, reason: `${name2} is also ${problem} (line ${this.line(aliases[0].node.from)})` };
      }
    }
    return { ok: true, binding };
  }
  /** Null when the statement that shares a list is harmless: a class attribute of the migration, or a name that is itself safe. */
  aliasProblem(statement) {
    const targets = this.targetsOf(statement);
    if (targets.length !== 1 || targets[0].length !== 1 || targets[0][0].name !== "VariableName") return "assigned to several targets";
    const target = sourceOf(targets[0][0], this.source);
    if (this.inClassBody(statement) && ATTRIBUTES.has(target)) return null;
    if (!isTopLevel(statement) && !this.inClassBody(statement)) return `assigned to ${target} inside a block`;
    const found = this.lookup(target, Number.MAX_SAFE_INTEGER);
    return found.ok ? null : `shared with ${target}, and ${found.reason}`;
  }
  immutable(binding, depth) {
    if (depth > MAX_DEPTH) return false;
    if (binding.bare) return binding.bare.every((element) => !element.star && this.immutableNode(element.node, binding.at, depth + 1));
    return this.immutableNode(binding.node, binding.at, depth + 1);
  }
  immutableNode(node, at2, depth) {
    const value = unwrapParentheses(node);
    switch (value.name) {
      case "String":
      case "ContinuedString":
      case "FormatString":
      case "Number":
      case "Boolean":
      case "None":
      case "UnaryExpression":
        return true;
      case "TupleExpression":
        return elementsOf(value).every((element) => !element.star && this.immutableNode(element.node, at2, depth + 1));
      case "BinaryExpression":
        return value.firstChild !== null && value.lastChild !== null && this.immutableNode(value.firstChild, at2, depth + 1) && this.immutableNode(value.lastChild, at2, depth + 1);
      case "VariableName": {
        const found = this.lookup(sourceOf(value, this.source), at2);
        return found.ok && this.immutable(found.binding, depth + 1);
      }
      case "CallExpression": {
        const callee = value.firstChild ? dottedName(value.firstChild, this.source) : null;
        return callee !== null && (callee === "swappable_dependency" || callee.endsWith(".swappable_dependency"));
      }
      default:
        return false;
    }
  }
  bindingOf(statement) {
    const segments = this.segmentsOf(statement);
    const valueNodes = segments[segments.length - 1] ?? [];
    const { elements, hasComma } = splitElements(valueNodes);
    if (elements.length === 0) return null;
    const line = this.line(statement.from);
    if (hasComma) return { node: null, bare: elements, at: statement.from, line };
    if (elements[0].star) return null;
    return { node: elements[0].node, bare: null, at: statement.from, line };
  }
  segmentsOf(statement) {
    const segments = [[]];
    for (const child of childrenOf(statement)) {
      if (child.name === "AssignOp") segments.push([]);
      else if (child.name !== "TypeDef") segments[segments.length - 1].push(child);
    }
    return segments;
  }
  targetsOf(statement) {
    return this.segmentsOf(statement).slice(0, -1);
  }
  // ---- where a name occurs, and how ------------------------------------------
  index() {
    if (this.occurrences !== null) return;
    const occurrences = /* @__PURE__ */ new Map();
    const cursor = this.script.cursor();
    do {
      if (cursor.name === "VariableName") {
        const name2 = this.source.text.slice(cursor.from, cursor.to);
        const list = occurrences.get(name2);
        if (list) list.push(cursor.node);
        else occurrences.set(name2, [cursor.node]);
      } else if (cursor.name === "ImportStatement") {
        if (cursor.node.getChild("*")) this.starImports.push(cursor.from);
      }
    } while (cursor.next());
    this.occurrences = occurrences;
  }
  /** How one occurrence of a name uses it. */
  use(node) {
    const parent = node.parent;
    if (parent?.name === "MemberExpression" && same(parent.firstChild, node)) {
      const property = parent.lastChild?.name === "PropertyName" ? sourceOf(parent.lastChild, this.source) : null;
      const call = parent.parent;
      if (property !== null && call?.name === "CallExpression" && same(call.firstChild, parent) && MUTATING_METHODS.has(property)) {
        return { kind: "mutate", how: `.${property}()` };
      }
      if (this.store(parent) !== null) return { kind: "mutate", how: "an item or attribute is assigned or deleted" };
      return { kind: "read", context: "other" };
    }
    const store = this.store(node);
    if (store === "ignore") return { kind: "ignore" };
    if (store !== null) return store;
    return this.readContext(node);
  }
  /** Whether the node is (part of) a target that a statement binds. */
  store(node) {
    let current = node;
    let unpacked = false;
    while (current.parent && CONTAINERS.has(current.parent.name)) {
      current = current.parent;
      unpacked ||= current.name !== "ParenthesizedExpression";
    }
    const parent = current.parent;
    if (!parent) return null;
    const store = (how, statement = null, single = false) => ({ kind: "store", how, statement, single });
    const previous = current.prevSibling;
    switch (parent.name) {
      case "AssignStatement": {
        const operators = childrenOf(parent).filter((child) => child.name === "AssignOp");
        const last = operators[operators.length - 1];
        if (!last || current.from >= last.from) return null;
        if (unpacked) return store("unpack");
        if (!isTopLevel(parent) && !this.inClassBody(parent)) return store("nested");
        const targets = this.targetsOf(parent);
        const single = targets.length === 1 && targets[0].length === 1;
        const plain = targets.every((target) => target.length === 1 && target[0].name === "VariableName");
        return plain ? store("assign", parent, single) : store("unpack");
      }
      case "UpdateStatement":
        return same(current, parent.firstChild) ? store("augmented") : null;
      case "NamedExpression":
        return same(current, parent.firstChild) ? store("walrus") : null;
      case "DeleteStatement":
        return store("del");
      case "ImportStatement":
        return store("import");
      case "ScopeStatement":
        return store("global");
      case "ForStatement":
        return this.loopTarget(parent, current) ? store("loop") : null;
      case "WithStatement":
      case "TryStatement":
        return previous?.name === "as" ? store("as") : null;
      case "FunctionDefinition":
      case "ClassDefinition":
        return current.name === "VariableName" ? store("def") : null;
      case "ParamList":
        return previous?.name === "AssignOp" ? null : store("parameter");
      case "ArgList": {
        const next = current.nextSibling;
        if (next?.name !== "AssignOp") return null;
        return sourceOf(next, this.source) === ":=" ? store("walrus") : "ignore";
      }
      default:
        if (COMPREHENSIONS.has(parent.name)) return this.loopTarget(parent, current) ? store("loop") : null;
        if (parent.name.endsWith("Pattern")) return store("pattern");
        return null;
    }
  }
  /** In `for <target> in ...`: the node sits after a `for` and before the next `in`. */
  loopTarget(statement, node) {
    let keyword2 = null;
    for (const child of childrenOf(statement)) {
      if (child.from >= node.from) break;
      if (child.name === "for" || child.name === "in" || child.name === "if") keyword2 = child.name;
    }
    return keyword2 === "for";
  }
  readContext(node) {
    let current = node;
    while (current.parent?.name === "ParenthesizedExpression" && same(unwrapParentheses(current.parent), node)) current = current.parent;
    const parent = current.parent;
    if (!parent) return { kind: "read", context: "other" };
    const previous = current.prevSibling;
    if ((previous?.name === "*" || previous?.name === "**") && ["ArrayExpression", "TupleExpression", "SetExpression", "DictionaryExpression", "ArgList"].includes(parent.name)) {
      return { kind: "read", context: "copy" };
    }
    if (parent.name === "BinaryExpression") return { kind: "read", context: "copy" };
    if (parent.name === "ArgList") {
      const call = parent.parent;
      const callee = call?.firstChild?.name === "VariableName" ? sourceOf(call.firstChild, this.source) : null;
      const args = splitElements(childrenOf(parent)).elements;
      if ((callee === "list" || callee === "tuple") && args.length === 1 && !this.keywordArguments(parent)) return { kind: "read", context: "copy" };
    }
    if (parent.name === "AssignStatement" && parent.getChild("AssignOp")) {
      const segments = this.segmentsOf(parent);
      const value = segments[segments.length - 1];
      if (value.length === 1 && same(value[0], current)) return { kind: "read", context: "alias", statement: parent };
    }
    return { kind: "read", context: "other" };
  }
  /** A statement directly in the Migration class's body (names bound there are class attributes). */
  inClassBody(statement) {
    const body = statement.parent?.name === "StatementGroup" ? statement.parent.parent : statement.parent;
    return body?.name === "Body" && same(body.parent, this.migrationClass);
  }
  line(offset) {
    return this.source.lines.line(offset);
  }
};
function same(a, b3) {
  return !!a && !!b3 && a.from === b3.from && a.to === b3.to && a.name === b3.name;
}
function isTopLevel(statement) {
  const parent = statement.parent;
  return parent?.name === "Script" || parent?.name === "StatementGroup" && parent.parent?.name === "Script";
}

// src/model/migration.ts
function migrationKey(ref) {
  return `${ref.app}.${ref.name}`;
}
function parseMigrationKey(key2) {
  const dot2 = key2.indexOf(".");
  return { app: key2.slice(0, dot2), name: key2.slice(dot2 + 1) };
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

// src/graph/parse.ts
var ATTRIBUTES2 = /* @__PURE__ */ new Set(["dependencies", "operations", "replaces", "run_before", "initial", "atomic"]);
var COMPOUND_STATEMENTS = {
  IfStatement: "an if statement",
  ForStatement: "a for loop",
  WhileStatement: "a while loop",
  TryStatement: "a try statement",
  WithStatement: "a with statement",
  MatchStatement: "a match statement"
};
function migrationRefFromPath(path) {
  const parts = path.split("/");
  if (parts.length < 3) return null;
  const file = parts[parts.length - 1];
  const app = parts[parts.length - 3];
  if (parts[parts.length - 2] !== "migrations" || !file.endsWith(".py")) return null;
  const name2 = file.slice(0, -".py".length);
  if (!name2 || name2.startsWith("_") || name2.startsWith("~") || name2.includes(".")) return null;
  if (!app || app === "." || app === "..") return null;
  return { app, name: name2 };
}
function parseMigration(source, path) {
  const ref = migrationRefFromPath(path);
  if (!ref) {
    throw new MigrationParseError(path, 1, 1, "not a migration module: Django loads <app>/migrations/<name>.py, skipping names that start with _ or ~");
  }
  const { module, problem } = parsePythonModule(source.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n"));
  if (problem) throw new MigrationParseError(path, problem.line, problem.column, problem.message);
  const migrationClass = findMigrationClass(module.tree.topNode, module);
  if (!migrationClass) throw new MigrationParseError(path, 1, 1, "no Migration class");
  return { ...ref, path, ...new ClassReader(module, module.tree.topNode, migrationClass).read() };
}
function findMigrationClass(script, source) {
  let found = null;
  for (const statement of childrenOf(script)) {
    const definition = statement.name === "DecoratedStatement" ? statement.getChild("ClassDefinition") : statement;
    if (definition?.name !== "ClassDefinition") continue;
    const name2 = definition.getChild("VariableName");
    if (name2 && sourceOf(name2, source) === "Migration") found = definition;
  }
  return found;
}
var ClassReader = class {
  dynamicParts = [];
  source;
  migrationClass;
  /** Module-level constants, followed only for values that are not literal. */
  scope;
  constructor(source, script, migrationClass) {
    this.source = source;
    this.migrationClass = migrationClass;
    this.scope = new ModuleScope(source, script, migrationClass);
  }
  read() {
    const migrationClass = this.migrationClass;
    const events = /* @__PURE__ */ new Map();
    const body = migrationClass.getChild("Body");
    if (body) this.collectEvents(body, events);
    const assigned = (attribute) => {
      const history = events.get(attribute) ?? [];
      let lastAssignment = -1;
      history.forEach((event2, i) => {
        if (event2.kind === "assign") lastAssignment = i;
      });
      for (const event2 of history.slice(lastAssignment + 1)) if (event2.kind === "dynamic") this.dynamicParts.push(event2.part);
      const event = history[lastAssignment];
      return event?.kind === "assign" ? event.value : null;
    };
    const dependenciesValue = assigned("dependencies");
    const operationsValue = assigned("operations");
    const replacesValue = assigned("replaces");
    const runBeforeValue = assigned("run_before");
    const initialValue = assigned("initial");
    const atomicValue = assigned("atomic");
    const result = {
      line: this.line(migrationClass.from),
      dependencies: dependenciesValue ? this.dependencies(dependenciesValue) : [],
      replaces: replacesValue ? this.refs("replaces", replacesValue) : [],
      runBefore: runBeforeValue ? this.refs("run_before", runBeforeValue) : [],
      initial: initialValue ? this.flag("initial", initialValue, false) : false,
      atomic: atomicValue ? this.flag("atomic", atomicValue, true) : true,
      operations: operationsValue ? this.operations(this.listElements("operations", operationsValue)) : []
    };
    const dynamic2 = [...this.dynamicParts].sort((a, b3) => a.line - b3.line);
    return { ...result, dynamic: dynamic2 };
  }
  // ---- the class body --------------------------------------------------
  collectEvents(body, events) {
    const add = (name2, event) => {
      if (!ATTRIBUTES2.has(name2)) return;
      const history = events.get(name2) ?? [];
      history.push(event);
      events.set(name2, history);
    };
    const dynamicEvent = (name2, node, reason) => {
      add(name2, { kind: "dynamic", part: { attribute: name2, line: this.line(node.from), source: sourceOf(node, this.source), reason } });
    };
    for (const statement of statementsOf(body)) {
      switch (statement.name) {
        case "AssignStatement": {
          const assignment = this.splitAssignment(statement);
          if (!assignment) break;
          for (const target of assignment.targets) {
            const single = target.length === 1 && target[0].name === "VariableName" ? sourceOf(target[0], this.source) : null;
            const base = target.length === 1 && target[0].name === "MemberExpression" ? target[0].firstChild : null;
            if (single !== null) add(single, { kind: "assign", value: assignment.value });
            else if (base?.name === "VariableName") dynamicEvent(sourceOf(base, this.source), statement, "changed by an item or attribute assignment at run time");
            else for (const name2 of targetNames(target, this.source)) dynamicEvent(name2, statement, "assigned by unpacking, which happens at run time");
          }
          break;
        }
        case "UpdateStatement": {
          const target = statement.firstChild;
          if (target?.name === "VariableName") dynamicEvent(sourceOf(target, this.source), statement, "changed by an augmented assignment at run time");
          break;
        }
        case "ExpressionStatement": {
          const call = statement.firstChild;
          const method = call?.name === "CallExpression" ? call.firstChild : null;
          const object = method?.name === "MemberExpression" ? method.firstChild : null;
          const methodName = method?.lastChild?.name === "PropertyName" ? sourceOf(method.lastChild, this.source) : "";
          if (object?.name === "VariableName" && MUTATING_METHODS.has(methodName)) {
            dynamicEvent(sourceOf(object, this.source), statement, `changed by .${methodName}() at run time`);
          }
          break;
        }
        case "DecoratedStatement":
        case "FunctionDefinition":
        case "ClassDefinition": {
          const definition = statement.name === "DecoratedStatement" ? statement.lastChild ?? statement : statement;
          const name2 = definition.getChild("VariableName");
          if (name2) dynamicEvent(sourceOf(name2, this.source), statement, "defined by a def or class statement");
          break;
        }
        default: {
          const where = COMPOUND_STATEMENTS[statement.name];
          if (!where) break;
          visitNestedAssignments(statement, (assignment) => {
            for (const name2 of nestedTargetNames(assignment, this.source)) {
              dynamicEvent(name2, assignment, `assigned inside ${where}, so the value depends on run time`);
            }
          });
        }
      }
    }
  }
  /** `a = b = value` → targets `[[a], [b]]`; `a, b = value` → `[[a, ',', b]]`; null for an annotation alone. */
  splitAssignment(statement) {
    const segments = [[]];
    for (const child of childrenOf(statement)) {
      if (child.name === "AssignOp") segments.push([]);
      else if (child.name !== "TypeDef") segments[segments.length - 1].push(child);
    }
    if (segments.length < 2) return null;
    const valueNodes = segments.pop() ?? [];
    const { elements, hasComma } = splitElements(valueNodes);
    if (elements.length === 0) return null;
    const value = { elements, bareTuple: hasComma, from: elements[0].from, to: elements[elements.length - 1].node.to };
    return { targets: segments, value };
  }
  // ---- attribute values -------------------------------------------------
  /**
   * Items of a list-valued attribute: a list or tuple literal, or one built
   * from module-level constants (`DEPS + [...]`, `list(DEPS)`, `[*DEPS]`).
   * For a value that cannot be read, records a dynamic part and keeps the
   * items before the unreadable part, whose positions are still certain.
   */
  listElements(attribute, value) {
    if (value.bareTuple) return this.scope.elements(value.elements, value.from);
    const node = unwrapParentheses(value.elements[0].node);
    if (node.name === "ArrayExpression" || node.name === "TupleExpression") return this.scope.elements(elementsOf(node), value.from);
    const sequence = this.scope.sequence(node, value.from);
    if (sequence.ok) return sequence.elements;
    const reason = sequence.prefix.length > 0 ? `not a list literal: only the items before the part that cannot be read are read; ${sequence.reason}` : `not a list literal: ${sequence.reason}`;
    this.dynamicParts.push({ attribute, line: this.line(value.from), source: this.text(value), reason });
    return sequence.prefix;
  }
  shapeReason(node) {
    if (node.name === "CallExpression") return "built by a call at run time";
    const name2 = dottedName(node, this.source);
    if (name2 !== null) return `refers to ${name2}, which is not followed`;
    return describeNonLiteral(node);
  }
  dependencies(value) {
    const dependencies = [];
    for (const element of this.listElements("dependencies", value)) {
      if (this.unpacked("dependencies", element)) continue;
      dependencies.push(this.dependency(element));
    }
    return dependencies;
  }
  dependency(element) {
    const item = element.node;
    let node = unwrapParentheses(item);
    let at2 = element.at;
    if (node.name === "VariableName") {
      const name2 = sourceOf(node, this.source);
      const found = this.scope.resolve(name2, at2);
      if (!found.ok) return { kind: "dynamic", source: sourceOf(item, this.source), reason: `refers to ${name2}, but ${found.reason}`, line: this.line(item.from) };
      if (found.node === null) {
        const pair3 = this.stringPair(found.bare);
        if (pair3.ok) return { kind: "migration", app: pair3.app, name: pair3.name, line: this.line(found.bare[0].from) };
        return { kind: "dynamic", source: sourceOf(item, this.source), reason: pair3.reason, line: this.line(item.from) };
      }
      node = unwrapParentheses(found.node);
      at2 = found.at;
    }
    const line = this.line(node.from);
    if (node.name === "CallExpression") {
      const call = toPyValue(node, this.source);
      if (call.kind === "call" && (call.callee === "swappable_dependency" || call.callee.endsWith(".swappable_dependency"))) {
        const [argument2] = call.args;
        if (call.args.length === 1 && Object.keys(call.kwargs).length === 0) {
          if (argument2.kind === "ref" && argument2.name.includes(".")) return { kind: "swappable", setting: argument2.name.slice(argument2.name.lastIndexOf(".") + 1), line };
          const value = argument2.kind === "str" ? { ok: true, value: argument2.value } : argument2.kind === "ref" ? this.scope.string(node.lastChild.getChild("VariableName"), at2) : null;
          if (value?.ok) return { kind: "migration", app: value.value.split(".")[0], name: "__first__", line };
        }
        return { kind: "dynamic", source: sourceOf(item, this.source), reason: "swappable_dependency() of something other than a setting or a string", line };
      }
    }
    const pair2 = this.pair(node, at2);
    if (pair2.ok) return { kind: "migration", app: pair2.app, name: pair2.name, line };
    return { kind: "dynamic", source: sourceOf(item, this.source), reason: pair2.reason, line: this.line(item.from) };
  }
  /** `('app', '0001_initial')` or `['app', '0001_initial']`, literally or through module-level constants. */
  pair(node, at2) {
    const sequence = this.scope.sequence(node, at2);
    if (sequence.ok) return this.stringPair(sequence.elements);
    const literal2 = node.name === "TupleExpression" || node.name === "ArrayExpression";
    return { ok: false, reason: literal2 ? NOT_A_PAIR : sequence.reason === "built by a call at run time" ? sequence.reason : this.nameReason(node, sequence.reason) };
  }
  stringPair(elements) {
    if (elements.length !== 2 || elements.some((element) => element.star)) return { ok: false, reason: NOT_A_PAIR };
    const [app, name2] = elements.map((element) => this.scope.string(element.node, element.at));
    if (app.ok && name2.ok) return { ok: true, app: app.value, name: name2.value };
    const unknown = [app, name2].find((part) => !part.ok);
    const names = elements.some((element) => unwrapParentheses(element.node).name === "VariableName");
    return { ok: false, reason: names ? `${NOT_A_PAIR}: ${unknown.reason}` : NOT_A_PAIR };
  }
  /** The reason for a value that is not a literal: why a name is not followed, or what the expression is. */
  nameReason(node, reason) {
    return node.name === "VariableName" ? `refers to ${sourceOf(node, this.source)}, but ${reason}` : this.shapeReason(node);
  }
  refs(attribute, value) {
    const refs = [];
    for (const element of this.listElements(attribute, value)) {
      if (this.unpacked(attribute, element)) continue;
      let node = unwrapParentheses(element.node);
      let at2 = element.at;
      if (node.name === "VariableName") {
        const found = this.scope.resolve(sourceOf(node, this.source), at2);
        if (found.ok && found.node !== null) {
          node = unwrapParentheses(found.node);
          at2 = found.at;
        }
      }
      const pair2 = this.pair(node, at2);
      if (pair2.ok) refs.push({ app: pair2.app, name: pair2.name, line: this.line(node.from) });
      else this.dynamicParts.push({ attribute, line: this.line(element.from), source: sourceOf(element.node, this.source), reason: pair2.reason });
    }
    return refs;
  }
  /** `*EXTRA` in a list that cannot be expanded: its length is unknown, so the attribute is only partly read. */
  unpacked(attribute, element) {
    if (!element.star) return false;
    this.dynamicParts.push({
      attribute,
      line: this.line(element.from),
      source: this.text({ from: element.from, to: element.node.to }),
      reason: `an unpacked list has no static length${element.unresolved ? ` (${element.unresolved})` : ""}`
    });
    return true;
  }
  /** `atomic = False`, `initial = True`: Python's truth value of a literal, or of a module-level constant. */
  flag(attribute, value, fallback) {
    if (value.bareTuple) return true;
    let node = unwrapParentheses(value.elements[0].node);
    let reason = `not a literal: ${this.shapeReason(node)}`;
    if (node.name === "VariableName") {
      const name2 = sourceOf(node, this.source);
      const found = this.scope.resolve(name2, value.from);
      if (found.ok && found.bare) return true;
      if (found.ok) {
        node = unwrapParentheses(found.node);
        reason = `not a literal: ${name2} is bound to a value computed at run time`;
      } else reason = `not a literal: refers to ${name2}, but ${found.reason}`;
    }
    const truth = literalTruth(toPyValue(node, this.source));
    if (truth !== null) return truth;
    this.dynamicParts.push({ attribute, line: this.line(value.from), source: this.text(value), reason });
    return fallback;
  }
  // ---- operations -------------------------------------------------------
  /** Numbers the operations as Django does; after `*unpacked` the positions are unknown (-1). */
  operations(elements) {
    const operations = [];
    let index = 0;
    let positionsKnown = true;
    for (const element of elements) {
      if (element.star) {
        this.dynamicParts.push({
          attribute: "operations",
          line: this.line(element.from),
          source: this.text({ from: element.from, to: element.node.to }),
          reason: `an unpacked list has no static length${element.unresolved ? ` (${element.unresolved})` : ""}: the operations after it are numbered -1`
        });
        positionsKnown = false;
        continue;
      }
      operations.push(this.operation(element.node, positionsKnown ? index : -1));
      index++;
    }
    return operations;
  }
  operation(item, index) {
    const node = unwrapParentheses(item);
    const line = this.line(node.from);
    const endLine = this.line(node.to - 1);
    const calleeNode = node.name === "CallExpression" ? node.firstChild : null;
    const argList = node.lastChild;
    const callee = calleeNode ? dottedName(calleeNode, this.source) : null;
    if (callee === null || argList?.name !== "ArgList") {
      const reason = node.name === "CallExpression" ? "the callee is not a name or an attribute chain" : dottedName(node, this.source) !== null ? "a name, not a call: the operation is built elsewhere" : describeNonLiteral(node);
      return { index, type: "<dynamic>", callee: sourceOf(item, this.source), line, endLine, args: [], kwargs: {}, dynamic: reason };
    }
    const { args, kwargs } = readArguments(argList, this.source);
    const kwargValues = {};
    for (const [name2, argument2] of kwargs) kwargValues[name2] = argument2.value;
    const operation = {
      index,
      type: callee.slice(callee.lastIndexOf(".") + 1),
      callee,
      line,
      endLine,
      args: args.map((argument2) => argument2.value),
      kwargs: kwargValues
    };
    if (operation.type === "SeparateDatabaseAndState") {
      operation.databaseOperations = this.nestedOperations("database_operations", 0, args, kwargs, line);
      operation.stateOperations = this.nestedOperations("state_operations", 1, args, kwargs, line);
    }
    return operation;
  }
  nestedOperations(keyword2, position, args, kwargs, callLine) {
    let argument2 = kwargs.get(keyword2);
    if (!argument2) {
      const starred = args.slice(0, position + 1).find((candidate) => candidate.node === null);
      if (starred && starred.value.kind === "dynamic") {
        this.dynamicParts.push({ attribute: "operations", line: callLine, source: starred.value.source, reason: `${keyword2} cannot be placed after unpacked arguments` });
        return [];
      }
      argument2 = args[position];
    }
    if (!argument2?.node) return [];
    const node = unwrapParentheses(argument2.node);
    if (node.name === "ArrayExpression" || node.name === "TupleExpression") return this.operations(this.scope.elements(elementsOf(node), node.from));
    if (node.name === "None") return [];
    this.dynamicParts.push({
      attribute: "operations",
      line: this.line(node.from),
      source: sourceOf(node, this.source),
      reason: `${keyword2} of SeparateDatabaseAndState is not a list literal: ${this.shapeReason(node)}`
    });
    return [];
  }
  // ---- positions ----------------------------------------------------------
  line(offset) {
    return this.source.lines.line(offset);
  }
  text(range) {
    return this.source.text.slice(range.from, range.to);
  }
};
var NOT_A_PAIR = "not a pair of string literals (app, migration)";
function statementsOf(body) {
  const statements = [];
  for (const child of childrenOf(body)) {
    if (child.name === "StatementGroup") statements.push(...childrenOf(child).filter((part) => part.name !== ";"));
    else statements.push(child);
  }
  return statements;
}
function targetNames(target, source) {
  const names = [];
  for (const node of target) {
    if (node.name === "VariableName") names.push(sourceOf(node, source));
    else if (node.name === "TupleExpression" || node.name === "ArrayExpression" || node.name === "ParenthesizedExpression") {
      names.push(...targetNames(childrenOf(node), source));
    }
  }
  return names;
}
function nestedTargetNames(statement, source) {
  if (statement.name === "UpdateStatement") {
    const target = statement.firstChild;
    return target?.name === "VariableName" ? [sourceOf(target, source)] : [];
  }
  const segments = [[]];
  for (const child of childrenOf(statement)) {
    if (child.name === "AssignOp") segments.push([]);
    else if (child.name !== "TypeDef") segments[segments.length - 1].push(child);
  }
  return segments.slice(0, -1).flatMap((segment) => targetNames(segment, source));
}
function visitNestedAssignments(node, visit) {
  for (const child of childrenOf(node)) {
    if (child.name === "FunctionDefinition" || child.name === "ClassDefinition" || child.name === "LambdaExpression") continue;
    if (child.name === "AssignStatement" || child.name === "UpdateStatement") visit(child);
    else visitNestedAssignments(child, visit);
  }
}
function literalTruth(value) {
  switch (value.kind) {
    case "bool":
      return value.value;
    case "none":
      return false;
    case "int":
    case "float":
      return value.value !== 0;
    case "str":
    case "bytes":
      return value.value.length > 0;
    case "list":
    case "tuple":
    case "set":
      return value.items.length === 0 ? false : value.items.some((item) => item.kind === "dynamic" && item.source.startsWith("*")) ? null : true;
    case "dict":
      return value.entries.length === 0 ? false : value.entries.some(([key2]) => key2.kind === "dynamic" && key2.source.startsWith("**")) ? null : true;
    default:
      return null;
  }
}

// src/graph/discover.ts
var NEVER_APPS = /(^|\/)(site-packages|dist-packages|node_modules|\.venv|venv|\.tox|\.git)\//;
function migrationModuleRef(path) {
  return migrationRefFromPath(path);
}
function normalizeRoot(root) {
  const trimmed = root.replace(/\\/g, "/").replace(/^\.\/?/, "").replace(/\/+$/, "");
  return trimmed === "." ? "" : trimmed;
}
var SYMLINK = "120000";
function discoverMigrations(files, options) {
  const root = normalizeRoot(options.projectRoot);
  const prefix = root === "" ? "" : `${root}/`;
  const excluded = (options.exclude ?? []).map((folder) => `${normalizeRoot(folder)}/`);
  const inScope = files.filter(
    (file) => file.path.startsWith(prefix) && !NEVER_APPS.test(file.path.slice(prefix.length)) && !excluded.some((folder) => file.path.startsWith(folder))
  );
  const packages = /* @__PURE__ */ new Set();
  for (const file of inScope) {
    if (file.path.endsWith("/migrations/__init__.py")) packages.add(file.path.slice(0, -"/migrations/__init__.py".length));
  }
  const directoriesByLabel = /* @__PURE__ */ new Map();
  const candidates = [];
  const linkCandidates = [];
  const compiled = [];
  for (const file of inScope) {
    const link = file.mode === SYMLINK;
    if (link && file.path.endsWith("/migrations")) {
      const directory2 = file.path.slice(0, -"/migrations".length);
      linkCandidates.push({ path: file.path, blob: file.blob, app: directory2.split("/").pop(), name: null, directory: directory2 });
      continue;
    }
    if (file.path.endsWith(".pyc")) {
      const ref2 = migrationModuleRef(`${file.path.slice(0, -".pyc".length)}.py`);
      if (ref2 !== null) compiled.push({ ...ref2, path: file.path, blob: file.blob, directory: file.path.replace(/\/?migrations\/[^/]+$/, "") });
      continue;
    }
    const ref = migrationModuleRef(file.path);
    const directory = file.path.replace(/\/?migrations\/[^/]+$/, "");
    if (ref === null && !file.path.endsWith("/migrations/__init__.py")) continue;
    const label = directory.split("/").pop();
    if (!directoriesByLabel.has(label)) directoriesByLabel.set(label, /* @__PURE__ */ new Set());
    directoriesByLabel.get(label).add(directory);
    if (ref === null) continue;
    if (link) linkCandidates.push({ path: file.path, blob: file.blob, app: ref.app, name: ref.name, directory });
    else candidates.push({ ...ref, path: file.path, blob: file.blob, directory });
  }
  const apps = /* @__PURE__ */ new Map();
  const duplicateLabels = [];
  for (const [label, directories] of directoriesByLabel) {
    const sorted = [...directories].sort();
    if (sorted.length > 1) duplicateLabels.push({ label, directories: sorted });
    apps.set(label, { label, directory: sorted[0], migrated: packages.has(sorted[0]) });
  }
  const owned = (module) => apps.get(module.app)?.directory === module.directory && apps.get(module.app)?.migrated === true;
  const modules = candidates.filter(owned).map(({ directory: _directory, ...module }) => module).sort(compareModules);
  const links = linkCandidates.filter((link) => link.name === null || owned(link)).map(({ directory: _directory, ...link }) => link).sort((a, b3) => a.path < b3.path ? -1 : 1);
  const sources = new Set([...candidates, ...linkCandidates].map((module) => `${module.directory}\0${module.name}`));
  const sourceless = compiled.filter((module) => owned(module) && !sources.has(`${module.directory}\0${module.name}`)).map(({ directory: _directory, ...module }) => module).sort(compareModules);
  return { apps, modules, duplicateLabels, links, sourceless };
}
function compareModules(a, b3) {
  return a.app === b3.app ? a.name < b3.name ? -1 : 1 : a.app < b3.app ? -1 : 1;
}
function resolveLink(link, entries, targetOf) {
  const target = targetOf(link.blob);
  const result = (status, resolvedPath = null) => ({ ...link, target, status, resolvedPath });
  let path = link.path;
  let text2 = target;
  for (let hops = 0; hops < 8; hops++) {
    if (text2.startsWith("/") || /^[A-Za-z]:[\\/]/.test(text2)) return result("outside");
    const parts = path.split("/").slice(0, -1);
    for (const part of text2.replace(/\/+$/, "").split("/")) {
      if (part === "" || part === ".") continue;
      if (part === "..") {
        if (parts.length === 0) return result("outside");
        parts.pop();
      } else parts.push(part);
    }
    path = parts.join("/");
    const entry = entries.get(path);
    if (entry === void 0) {
      if (link.name !== null) return result("missing");
      const folder = `${path}/`;
      return [...entries.keys()].some((key2) => key2.startsWith(folder)) ? result("inside", path) : result("missing");
    }
    if (entry.mode !== SYMLINK) return link.name === null ? result("missing") : result("inside", path);
    text2 = targetOf(entry.blob);
  }
  return result("missing");
}

// src/graph/graph.ts
var DEFAULT_SWAPPABLE = { AUTH_USER_MODEL: "auth.User" };
function buildGraph(migrations, apps, options = { swappable: DEFAULT_SWAPPABLE }) {
  const files = /* @__PURE__ */ new Map();
  const ordered = [...migrations].sort((a, b3) => compareKeys(migrationKey(a), migrationKey(b3)));
  for (const file of ordered) files.set(migrationKey(file), file);
  const nodes = /* @__PURE__ */ new Map();
  for (const [key2, file] of files) nodes.set(key2, { key: key2, file, parents: /* @__PURE__ */ new Set(), children: /* @__PURE__ */ new Set() });
  const edges = [];
  const addEdge = (edge) => {
    for (const end of [edge.parent, edge.child]) {
      if (!nodes.has(end)) nodes.set(end, { key: end, file: null, parents: /* @__PURE__ */ new Set(), children: /* @__PURE__ */ new Set(), declaredAt: edge });
    }
    edges.push(edge);
    nodes.get(edge.child).parents.add(edge.parent);
    nodes.get(edge.parent).children.add(edge.child);
  };
  const problems = [];
  const externalDependencies = [];
  const dependencyKeys = (file) => {
    const keys = [];
    for (const dependency of file.dependencies) {
      if (dependency.kind === "migration") keys.push(dependency);
      else if (dependency.kind === "swappable") {
        const value = options.swappable[dependency.setting];
        if (value !== void 0) keys.push({ app: value.split(".")[0], name: "__first__", line: dependency.line });
      }
    }
    return keys;
  };
  for (const [key2, file] of files) {
    for (const parent of dependencyKeys(file)) {
      if (parent.app === file.app && parent.name !== "__first__") {
        addEdge({ parent: migrationKey(parent), child: key2, declaredBy: key2, line: parent.line });
      }
    }
  }
  const rootsOrLeaves = (app, which) => [...nodes.values()].filter(
    (node) => appOf(node.key) === app && [...which === "root" ? node.parents : node.children].every((other) => appOf(other) !== app)
  ).map((node) => node.key).sort(compareKeys);
  const checkKey = (ref, from) => {
    const key2 = migrationKey(ref);
    const app = apps.get(ref.app);
    if (app === void 0) {
      externalDependencies.push({ migration: migrationKey(from), dependency: key2, line: ref.line });
      return null;
    }
    if (ref.name !== "__first__" && ref.name !== "__latest__" || nodes.has(key2)) return key2;
    if (ref.app === from.app || !app.migrated) return null;
    const found = rootsOrLeaves(ref.app, ref.name === "__first__" ? "root" : "leaf")[0];
    if (found === void 0) {
      problems.push({
        kind: "app-without-migrations",
        message: `${migrationKey(from)} depends on ${key2}, but the app '${ref.app}' has no migrations`,
        path: from.path,
        line: ref.line,
        app: ref.app
      });
      return null;
    }
    return found;
  };
  for (const [key2, file] of files) {
    for (const parent of dependencyKeys(file)) {
      if (parent.app === file.app) continue;
      const resolved = checkKey(parent, file);
      if (resolved !== null) addEdge({ parent: resolved, child: key2, declaredBy: key2, line: parent.line });
    }
    for (const child of file.runBefore) {
      const resolved = checkKey(child, file);
      if (resolved !== null) addEdge({ parent: key2, child: resolved, declaredBy: key2, line: child.line });
    }
  }
  const replacedBy = replaceSquashed(files, nodes, problems);
  for (const node of nodes.values()) {
    if (node.file !== null) continue;
    const edge = node.declaredAt;
    const declaring = files.get(edge.declaredBy);
    problems.push({
      kind: "missing-dependency",
      message: node.key === edge.parent ? `${edge.declaredBy} depends on ${node.key}, which does not exist` : `${edge.declaredBy} declares run_before ${node.key}, which does not exist`,
      path: declaring.path,
      line: edge.line,
      migration: edge.declaredBy,
      missing: node.key
    });
  }
  const graphNodes = /* @__PURE__ */ new Map();
  for (const node of nodes.values()) {
    if (node.file === null) continue;
    const real = (keys) => new Set([...keys].filter((key2) => nodes.get(key2)?.file != null));
    graphNodes.set(node.key, {
      key: node.key,
      app: node.file.app,
      name: node.file.name,
      file: node.file,
      parents: real(node.parents),
      children: real(node.children)
    });
  }
  const cycle = findCycle(graphNodes);
  if (cycle !== null) {
    const first = files.get(cycle[0]);
    const closing = edges.find((edge) => edge.child === cycle[0] && edge.parent === cycle[cycle.length - 1]);
    problems.push({
      kind: "cycle",
      message: `circular dependency: ${[...cycle, cycle[0]].join(" -> ")}`,
      path: first.path,
      line: closing?.line ?? first.line,
      cycle
    });
  }
  return { nodes: graphNodes, files, apps: new Map(apps), replacedBy, externalDependencies, problems };
}
function replaceSquashed(files, nodes, problems) {
  const replacedBy = /* @__PURE__ */ new Map();
  const progress = /* @__PURE__ */ new Map();
  const replacements = [...files.values()].filter((file) => file.replaces.length > 0);
  const isReplacement = new Set(replacements.map((file) => migrationKey(file)));
  const replace = (file) => {
    const key2 = migrationKey(file);
    const state = progress.get(key2);
    if (state === true) return;
    if (state === false) {
      problems.push({
        kind: "squash-cycle",
        message: `cyclical squash replacement found, starting at ${key2}`,
        path: file.path,
        line: file.replaces[0]?.line ?? file.line,
        migration: key2
      });
      return;
    }
    progress.set(key2, false);
    for (const inner of file.replaces) {
      const innerKey = migrationKey(inner);
      if (isReplacement.has(innerKey)) replace(files.get(innerKey));
    }
    removeReplacedNodes(nodes, key2, file.replaces.map(migrationKey), replacedBy);
    progress.set(key2, true);
  };
  for (const file of replacements) replace(file);
  return replacedBy;
}
function removeReplacedNodes(nodes, replacement, replacedKeys, replacedBy) {
  const replaced = new Set(replacedKeys);
  const squash = nodes.get(replacement);
  if (squash === void 0) return;
  for (const key2 of replaced) {
    const node = nodes.get(key2);
    if (node === void 0) continue;
    nodes.delete(key2);
    replacedBy.set(key2, replacement);
    for (const child of node.children) {
      const childNode = nodes.get(child);
      childNode?.parents.delete(key2);
      if (!replaced.has(child)) {
        squash.children.add(child);
        childNode?.parents.add(replacement);
      }
    }
    for (const parent of node.parents) {
      const parentNode = nodes.get(parent);
      parentNode?.children.delete(key2);
      if (!replaced.has(parent)) {
        squash.parents.add(parent);
        parentNode?.children.add(replacement);
      }
    }
  }
}
function findCycle(nodes) {
  const todo = new Set([...nodes.keys()].sort(compareKeys));
  while (todo.size > 0) {
    const start = todo.values().next().value;
    todo.delete(start);
    const stack = [start];
    const onStack = new Set(stack);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      let descended = false;
      for (const child of [...nodes.get(top).children].sort(compareKeys)) {
        if (onStack.has(child)) return stack.slice(stack.indexOf(child));
        if (todo.has(child)) {
          stack.push(child);
          onStack.add(child);
          todo.delete(child);
          descended = true;
          break;
        }
      }
      if (!descended) onStack.delete(stack.pop());
    }
  }
  return null;
}
function appOf(key2) {
  return key2.slice(0, key2.indexOf("."));
}
function compareKeys(a, b3) {
  const appA = appOf(a);
  const appB = appOf(b3);
  if (appA !== appB) return appA < appB ? -1 : 1;
  return a < b3 ? -1 : a > b3 ? 1 : 0;
}
function leafNodes(graph, app) {
  return [...graph.nodes.values()].filter((node) => (app === void 0 || node.app === app) && [...node.children].every((c3) => appOf(c3) !== node.app)).map((node) => node.key).sort(compareKeys);
}
function conflictingApps(graph) {
  const byApp = /* @__PURE__ */ new Map();
  for (const leaf of leafNodes(graph)) {
    const app = appOf(leaf);
    byApp.set(app, [...byApp.get(app) ?? [], leaf]);
  }
  return new Map([...byApp].filter(([, leaves]) => leaves.length > 1));
}
function ancestors(graph, key2) {
  return walk(graph, key2, (node) => node.parents);
}
function walk(graph, key2, next) {
  const seen = /* @__PURE__ */ new Set();
  const stack = [key2];
  while (stack.length > 0) {
    const node = graph.nodes.get(stack.pop());
    if (node === void 0) continue;
    for (const other of next(node)) {
      if (!seen.has(other)) {
        seen.add(other);
        stack.push(other);
      }
    }
  }
  return seen;
}
function forwardsPlan(graph, target) {
  const visited = [];
  const done = /* @__PURE__ */ new Set();
  const stack = [[target, false]];
  while (stack.length > 0) {
    const [key2, processed] = stack.pop();
    if (done.has(key2)) continue;
    if (processed) {
      done.add(key2);
      visited.push(key2);
    } else {
      stack.push([key2, true]);
      const parents = [...graph.nodes.get(key2)?.parents ?? []].sort(compareKeys);
      for (const parent of parents) stack.push([parent, false]);
    }
  }
  return visited;
}

// src/report/summary.ts
function summarize(report) {
  const { migrations, rehearsal } = report;
  const count2 = `${migrations.length} new migration${migrations.length === 1 ? "" : "s"}`;
  const planned = migrations.filter((migration) => migration.rehearsal.status !== "recorded-applied" && migration.rehearsal.status !== "replaced").length;
  const rehearsed = migrations.filter((migration) => migration.rehearsal.status === "rehearsed" || migration.rehearsal.status === "failed").length;
  const basis = rehearsal.status === "ran" ? `static review and rehearsal, ${rehearsed} of ${planned} rehearsed` : "static review only";
  const causes = [];
  if (rehearsal.status === "failed") causes.push(`the rehearsal could not run: ${rehearsal.reason}`);
  const errors = report.graphProblems.filter((problem) => problem.severity !== "warning");
  if (errors.length > 0) causes.push(`${errors.length} migration graph error${errors.length === 1 ? "" : "s"}`);
  const notes = report.graphProblems.length - errors.length;
  if (notes > 0) causes.push(`${notes} migration${notes === 1 ? "" : "s"} to look at in the graph`);
  const newConflicts = report.conflicts.filter((conflict) => !conflict.preexisting);
  if (newConflicts.length > 0) causes.push(`conflicting leaves in ${newConflicts.map((c3) => `'${c3.app}'`).join(", ")} after merge`);
  if (report.editedMigrations.length > 0) causes.push(`${report.editedMigrations.length} existing migration${report.editedMigrations.length === 1 ? "" : "s"} changed`);
  for (const level of ["error", "unsafe", "warning"]) {
    const flagged = migrations.filter((migration) => migration.verdict === level);
    if (flagged.length > 0) causes.push(`${flagged.length} ${level}`);
  }
  const notRehearsed = migrations.filter((migration) => migration.rehearsal.status === "not-rehearsed").length;
  if (rehearsal.status === "ran" && notRehearsed > 0) causes.push(`${notRehearsed} not rehearsed`);
  const missing = report.missingMigrations;
  if (missing.value === true) {
    causes.push(missing.changes?.some((change) => change.databaseOperations.length > 0) ? "model changes without a migration" : "model state changes without a migration");
  }
  if (migrations.length === 0 && causes.length === 0) return `${report.verdict}: this pull request adds no migrations (${rehearsal.status === "ran" ? "static review and rehearsal" : missing.value === false ? "static review and Django's autodetector" : "static review only"})`;
  return `${report.verdict}: ${count2}; ${causes.length > 0 ? causes.join("; ") : "no problems found"} (${basis})`;
}

// src/graph/operation-args.ts
var SIGNATURES = {
  CreateModel: ["name", "fields", "options", "bases", "managers"],
  DeleteModel: ["name"],
  RenameModel: ["old_name", "new_name"],
  AlterModelTable: ["name", "table"],
  AlterModelTableComment: ["name", "table_comment"],
  AlterUniqueTogether: ["name", "unique_together"],
  AlterIndexTogether: ["name", "index_together"],
  AlterOrderWithRespectTo: ["name", "order_with_respect_to"],
  AlterModelOptions: ["name", "options"],
  AlterModelManagers: ["name", "managers"],
  AddField: ["model_name", "name", "field", "preserve_default"],
  RemoveField: ["model_name", "name"],
  AlterField: ["model_name", "name", "field", "preserve_default"],
  RenameField: ["model_name", "old_name", "new_name"],
  AddIndex: ["model_name", "index"],
  RemoveIndex: ["model_name", "name"],
  RenameIndex: ["model_name", "new_name", "old_name", "old_fields"],
  AddConstraint: ["model_name", "constraint"],
  RemoveConstraint: ["model_name", "name"],
  AlterConstraint: ["model_name", "name", "constraint"],
  RunSQL: ["sql", "reverse_sql", "state_operations", "hints", "elidable"],
  RunPython: ["code", "reverse_code", "atomic", "hints", "elidable"],
  SeparateDatabaseAndState: ["database_operations", "state_operations"],
  AddIndexConcurrently: ["model_name", "index"],
  RemoveIndexConcurrently: ["model_name", "name"],
  AddConstraintNotValid: ["model_name", "constraint"],
  ValidateConstraint: ["model_name", "name"],
  CreateExtension: ["name"],
  CreateCollation: ["name", "locale", "provider", "deterministic"],
  RemoveCollation: ["name", "locale", "provider", "deterministic"]
};
function argument(operation, name2) {
  if (name2 in operation.kwargs) return operation.kwargs[name2];
  const position = SIGNATURES[operation.type]?.indexOf(name2) ?? -1;
  return position >= 0 ? operation.args[position] : void 0;
}
function stringArgument(operation, name2) {
  const value = argument(operation, name2);
  return value?.kind === "str" ? value.value : null;
}
function fieldCall(value) {
  if (value?.kind !== "call") return null;
  return { type: value.callee.split(".").pop(), callee: value.callee, args: value.args, kwargs: value.kwargs };
}
function boolKeyword(kwargs, name2, absent) {
  const value = kwargs[name2];
  if (value === void 0) return absent;
  return value.kind === "bool" ? value.value : null;
}
function operationModel(operation) {
  const name2 = stringArgument(operation, "model_name") ?? stringArgument(operation, "name");
  const takesModelName = SIGNATURES[operation.type]?.includes("model_name") ?? false;
  if (takesModelName) return stringArgument(operation, "model_name")?.toLowerCase() ?? null;
  if (MODEL_OPERATIONS.has(operation.type)) return name2?.toLowerCase() ?? null;
  return null;
}
var MODEL_OPERATIONS = /* @__PURE__ */ new Set([
  "CreateModel",
  "DeleteModel",
  "AlterModelTable",
  "AlterModelTableComment",
  "AlterUniqueTogether",
  "AlterIndexTogether",
  "AlterOrderWithRespectTo",
  "AlterModelOptions",
  "AlterModelManagers"
]);
var OPAQUE_OPERATIONS = /* @__PURE__ */ new Set(["RunPython", "RunSQL"]);

// src/rules/field-history.ts
function buildFieldHistory(graph, asked) {
  const order = [];
  const seen = /* @__PURE__ */ new Set();
  for (const leaf of leafNodes(graph)) {
    for (const key2 of forwardsPlan(graph, leaf)) {
      if (!seen.has(key2)) {
        seen.add(key2);
        order.push(key2);
      }
    }
  }
  const snapshots = /* @__PURE__ */ new Map();
  const state = /* @__PURE__ */ new Map();
  for (const key2 of order) {
    if (asked.has(key2)) snapshots.set(key2, cloneState(state));
    const file = graph.nodes.get(key2).file;
    for (const operation of file.operations) applyOperation(state, file.app, operation);
  }
  return {
    before: (key2) => snapshots.get(key2) ?? /* @__PURE__ */ new Map(),
    createdIn: (keys) => {
      const created = /* @__PURE__ */ new Set();
      for (const key2 of keys) {
        const node = graph.nodes.get(key2);
        if (!node) continue;
        for (const operation of node.file.operations) {
          const name2 = operation.type === "CreateModel" ? stringArgument(operation, "name") : null;
          if (name2) created.add(`${node.app}.${name2.toLowerCase()}`);
        }
      }
      return created;
    }
  };
}
function cloneState(state) {
  return new Map([...state].map(([model, fields]) => [model, new Map(fields)]));
}
function applyOperation(state, app, operation) {
  if (operation.type === "SeparateDatabaseAndState") {
    for (const inner of operation.stateOperations ?? []) applyOperation(state, app, inner);
    return;
  }
  const model = (name2) => name2 ? `${app}.${name2.toLowerCase()}` : null;
  switch (operation.type) {
    case "CreateModel": {
      const key2 = model(stringArgument(operation, "name"));
      if (!key2) return;
      const fields = /* @__PURE__ */ new Map();
      const list = argument(operation, "fields");
      if (list?.kind === "list" || list?.kind === "tuple") {
        for (const item of list.items) {
          if ((item.kind === "tuple" || item.kind === "list") && item.items[0]?.kind === "str") {
            fields.set(item.items[0].value.toLowerCase(), fieldCall(item.items[1]));
          }
        }
      }
      state.set(key2, fields);
      return;
    }
    case "DeleteModel": {
      const key2 = model(stringArgument(operation, "name"));
      if (key2) state.delete(key2);
      return;
    }
    case "RenameModel": {
      const from = model(stringArgument(operation, "old_name"));
      const to2 = model(stringArgument(operation, "new_name"));
      if (from && to2 && state.has(from)) {
        state.set(to2, state.get(from));
        state.delete(from);
      }
      return;
    }
    case "AddField":
    case "AlterField": {
      const key2 = model(stringArgument(operation, "model_name"));
      const name2 = stringArgument(operation, "name");
      if (!key2 || !name2) return;
      if (!state.has(key2)) state.set(key2, /* @__PURE__ */ new Map());
      state.get(key2).set(name2.toLowerCase(), fieldCall(argument(operation, "field")));
      return;
    }
    case "RemoveField": {
      const key2 = model(stringArgument(operation, "model_name"));
      const name2 = stringArgument(operation, "name");
      if (key2 && name2) state.get(key2)?.delete(name2.toLowerCase());
      return;
    }
    case "RenameField": {
      const key2 = model(stringArgument(operation, "model_name"));
      const from = stringArgument(operation, "old_name");
      const to2 = stringArgument(operation, "new_name");
      const fields = key2 ? state.get(key2) : void 0;
      if (fields && from && to2 && fields.has(from.toLowerCase())) {
        fields.set(to2.toLowerCase(), fields.get(from.toLowerCase()));
        fields.delete(from.toLowerCase());
      }
      return;
    }
    default:
      return;
  }
}

// src/rules/ignores.ts
var IGNORE = /#\s*migration-review:\s*ignore\s+([\w-]+(?:\s*,\s*[\w-]+)*)\s*(?:--\s*(.*\S))?\s*$/;
function parseIgnores(source) {
  const ignores = [];
  source.split(/\r?\n/).forEach((text2, index) => {
    const match = IGNORE.exec(text2);
    if (match) ignores.push({ line: index + 1, rules: match[1].split(/\s*,\s*/), reason: match[2] ?? null });
  });
  return ignores;
}
function ignoreFor(ignores, rule, line, endLine) {
  return ignores.find((ignore) => ignore.line >= line - 1 && ignore.line <= endLine && (ignore.rules.includes(rule) || ignore.rules.includes("all")));
}

// src/rules/table.ts
var CONCURRENT_OPERATIONS = /* @__PURE__ */ new Set(["AddIndexConcurrently", "RemoveIndexConcurrently"]);
var DATA_OPERATIONS = /* @__PURE__ */ new Set(["RunPython", "RunSQL"]);
var STATE_ONLY_OPERATIONS = /* @__PURE__ */ new Set(["SeparateDatabaseAndState", "AlterModelOptions", "AlterModelManagers"]);
var RELATION_FIELDS = /* @__PURE__ */ new Set(["ForeignKey", "OneToOneField", "ForeignObject", "ParentalKey"]);
var modelOf = (operation, context) => {
  const name2 = stringArgument(operation, "model_name") ?? stringArgument(operation, "name");
  return name2 ? `${context.file.app}.${name2.toLowerCase()}` : null;
};
var fieldOf = (operation) => fieldCall(argument(operation, "field"));
var previousField = (operation, context) => {
  const model = modelOf(operation, context);
  const name2 = stringArgument(operation, "name");
  return model && name2 && context.fieldsBefore.get(model)?.get(name2.toLowerCase()) || null;
};
var isNullable = (field) => boolKeyword(field.kwargs, "null", false) === true;
var lastName = (dotted) => dotted.split(".").pop();
var isNullValue = (value) => value.kind === "none" || value.kind === "call" && lastName(value.callee) === "Value" && (value.args[0] ?? value.kwargs.value)?.kind === "none";
var hasDbDefault = (field) => field.kwargs.db_default !== void 0 && !isNullValue(field.kwargs.db_default);
var hasNullDbDefault = (field) => field.kwargs.db_default !== void 0 && isNullValue(field.kwargs.db_default);
var isManyToMany = (field) => field.type === "ManyToManyField";
var isGenerated = (field) => field.type === "GeneratedField";
var isUnique = (field) => boolKeyword(field.kwargs, "unique", false) === true || field.type === "OneToOneField";
var isIndexed = (field) => boolKeyword(field.kwargs, "db_index", RELATION_FIELDS.has(field.type)) === true && !isUnique(field);
var DEFAULT_MAX_LENGTH = { SlugField: 50, EmailField: 254, URLField: 200, FilePathField: 100 };
var maxLength = (field) => {
  const value = field.kwargs.max_length;
  if (value === void 0) return DEFAULT_MAX_LENGTH[field.type] ?? null;
  return value.kind === "int" ? value.value : null;
};
var isEmptyOption = (value) => value === void 0 || value.kind === "none" || (value.kind === "list" || value.kind === "tuple" || value.kind === "set") && value.items.length === 0 || value.kind === "call" && ["set", "tuple", "list"].includes(value.callee) && value.args.length === 0;
var onExistingTable = (operation, context) => {
  const model = modelOf(operation, context);
  return model !== null && !context.newModels.has(model);
};
var fieldLabel = (operation) => `${stringArgument(operation, "model_name") ?? "?"}.${stringArgument(operation, "name") ?? "?"}`;
var INTEGER_STORAGE = {
  SmallIntegerField: "smallint",
  PositiveSmallIntegerField: "smallint",
  IntegerField: "integer",
  PositiveIntegerField: "integer",
  BigIntegerField: "bigint",
  PositiveBigIntegerField: "bigint"
};
var VALUE_TYPES = {
  SmallIntegerField: "int",
  IntegerField: "int",
  BigIntegerField: "int",
  PositiveSmallIntegerField: "int",
  PositiveIntegerField: "int",
  PositiveBigIntegerField: "int",
  SmallAutoField: "int",
  AutoField: "int",
  BigAutoField: "int",
  CharField: "str",
  TextField: "str",
  SlugField: "str",
  EmailField: "str",
  URLField: "str",
  FilePathField: "str",
  DecimalField: "Decimal",
  FloatField: "float",
  BooleanField: "bool",
  NullBooleanField: "bool",
  DateField: "date",
  DateTimeField: "datetime",
  TimeField: "time",
  DurationField: "timedelta",
  UUIDField: "UUID",
  BinaryField: "bytes",
  JSONField: "JSON"
};
function typeChange(before, after) {
  const textual = /* @__PURE__ */ new Set(["CharField", "SlugField", "EmailField", "URLField", "FilePathField"]);
  if (before.type !== after.type && INTEGER_STORAGE[before.type] !== void 0 && INTEGER_STORAGE[before.type] === INTEGER_STORAGE[after.type]) {
    return after.type.startsWith("Positive") ? "check" : "none";
  }
  if (before.type === after.type) {
    const a = maxLength(before);
    const b3 = maxLength(after);
    if (a === null || b3 === null || a === b3) return "none";
    return b3 > a ? "widen" : "narrow";
  }
  if (textual.has(before.type) && (after.type === "TextField" || textual.has(after.type))) {
    const a = maxLength(before);
    const b3 = maxLength(after);
    return after.type === "TextField" || a === null || b3 === null || b3 >= a ? "widen" : "narrow";
  }
  const from = VALUE_TYPES[before.type];
  const to2 = VALUE_TYPES[after.type];
  if (from !== void 0 && to2 !== void 0 && from !== to2) return "retype";
  return "rewrite";
}
var intKeyword = (field, name2) => {
  const value = field.kwargs[name2];
  return value?.kind === "int" ? value.value : null;
};
function decimalChange(before, after) {
  if (before.type !== "DecimalField" || after.type !== "DecimalField") return null;
  const [p1, s1, p2, s2] = [intKeyword(before, "max_digits"), intKeyword(before, "decimal_places"), intKeyword(after, "max_digits"), intKeyword(after, "decimal_places")];
  if (p1 === null || s1 === null || p2 === null || s2 === null || p1 === p2 && s1 === s2) return null;
  return {
    before: { digits: p1, places: s1 },
    after: { digits: p2, places: s2 },
    rounds: s2 < s1,
    overflows: p2 - s2 < p1 - s1,
    // numeric's length coercion is a no-op only when the scale stays and the precision does not shrink (PostgreSQL 9.2+).
    rewrites: !(s2 === s1 && p2 >= p1)
  };
}
var VOLATILE_EXPRESSIONS = {
  RandomUUID: "gen_random_uuid()",
  Random: "random()",
  UUID4: "gen_random_uuid()",
  UUID7: "uuidv7()"
};
var VOLATILE_SQL = [
  "gen_random_uuid",
  "random",
  "random_normal",
  "clock_timestamp",
  "timeofday",
  "nextval",
  "uuidv4",
  "uuidv7",
  "uuid_generate_v1",
  "uuid_generate_v1mc",
  "uuid_generate_v4"
];
var VOLATILE_TEMPLATE = new RegExp(`\\b(${VOLATILE_SQL.join("|")})\\s*\\(`, "i");
function volatileFunction(value) {
  if (value === void 0) return null;
  if (value.kind === "list" || value.kind === "tuple" || value.kind === "set") {
    for (const item of value.items) {
      const found = volatileFunction(item);
      if (found) return found;
    }
    return null;
  }
  if (value.kind !== "call") return null;
  const name2 = lastName(value.callee);
  if (VOLATILE_EXPRESSIONS[name2]) return `${name2}() (${VOLATILE_EXPRESSIONS[name2]})`;
  const fn2 = value.kwargs.function;
  if (fn2?.kind === "str" && VOLATILE_SQL.includes(fn2.value.toLowerCase())) return `${fn2.value}()`;
  const template = value.kwargs.template;
  const named = template?.kind === "str" ? VOLATILE_TEMPLATE.exec(template.value) : null;
  if (named) return `${named[1]}()`;
  for (const inner of [...value.args, ...Object.values(value.kwargs)]) {
    const found = volatileFunction(inner);
    if (found) return found;
  }
  return null;
}
function relationTarget(field, owner) {
  const to2 = field.kwargs.to ?? field.args[0];
  if (to2?.kind !== "str") return null;
  const target = to2.value.toLowerCase();
  if (target === "self") return owner;
  return target.includes(".") ? target : `${owner.split(".")[0]}.${target}`;
}
function relationsOf(model, fields) {
  const foreignKeys = [];
  let manyToMany = false;
  for (const [owner, ownerFields] of fields) {
    for (const [name2, field] of ownerFields) {
      if (!field) continue;
      const target = relationTarget(field, owner);
      if (isManyToMany(field) && (owner === model || target === model)) manyToMany = true;
      else if (RELATION_FIELDS.has(field.type) && target === model && boolKeyword(field.kwargs, "db_constraint", true) !== false) {
        foreignKeys.push(`${owner.split(".")[1]}.${name2}`);
      }
    }
  }
  return { foreignKeys, manyToMany };
}
function keptTable(operation, context) {
  const old = stringArgument(operation, "old_name");
  const renamed = stringArgument(operation, "new_name");
  if (!old || !renamed) return null;
  const table = `${context.file.app}_${old.toLowerCase()}`;
  const later = context.file.operations.flatMap((other) => other.type === "SeparateDatabaseAndState" ? other.databaseOperations ?? [] : [other]).filter((other) => other.line > operation.line);
  const back = later.some(
    (other) => other.type === "AlterModelTable" && stringArgument(other, "name")?.toLowerCase() === renamed.toLowerCase() && stringArgument(other, "table") === table
  );
  return back ? table : null;
}
function stateSteps(operation, context) {
  let fields = context.fieldsBefore;
  const steps = [];
  for (const inner of operation.stateOperations ?? []) {
    steps.push({ inner, fields });
    fields = cloneState(fields);
    applyOperation(fields, context.file.app, inner);
  }
  return steps;
}
function databaseSideTouches(operation, model, names, context) {
  return (operation.databaseOperations ?? []).some((inner) => {
    if (OPAQUE_OPERATIONS.has(inner.type) || inner.dynamic !== void 0) return true;
    if (modelOf(inner, context) !== model) return false;
    const touched2 = ["name", "old_name", "new_name"].map((key2) => stringArgument(inner, key2)?.toLowerCase()).filter((name2) => name2 !== void 0);
    return stringArgument(inner, "model_name") === null || touched2.some((name2) => names.includes(name2));
  });
}
var addModel = {
  id: "add-model",
  scope: "operation",
  operations: ["CreateModel"],
  severity: "info",
  breaks: [],
  deployOrder: "migrate-first",
  safeAlternative: "",
  provenBy: [],
  match: (operation, context) => ({
    message: `creates the table for ${stringArgument(operation, "name") ?? "a model"}: the running code does not use it yet, so migrate first`,
    model: modelOf(operation, context)
  })
};
var addFieldNullable = {
  id: "add-field-nullable",
  scope: "operation",
  operations: ["AddField"],
  severity: "info",
  breaks: [],
  deployOrder: "migrate-first",
  safeAlternative: "",
  provenBy: ["old-code-breaks"],
  match: (operation, context) => {
    const field = fieldOf(operation);
    if (!field || isManyToMany(field) || !onExistingTable(operation, context)) return null;
    if (!isNullable(field) && !hasDbDefault(field)) return null;
    return {
      message: `adds ${fieldLabel(operation)} ${isNullable(field) ? "as nullable" : "with a database default"}: the running code's INSERTs still work, so migrate first`,
      model: modelOf(operation, context)
    };
  }
};
var addFieldNotNull = {
  id: "add-field-not-null",
  scope: "operation",
  operations: ["AddField"],
  severity: "unsafe",
  breaks: ["old-code"],
  deployOrder: "multi-step",
  safeAlternative: "On Django 5.0 or later give the field a `db_default` (the database fills it for the old code's INSERTs). Before 5.0: add it with `null=True`, deploy code that writes it, backfill existing rows in batches, then make it NOT NULL in a later release.",
  provenBy: ["old-code-breaks", "apply-error"],
  explains: ["23502"],
  match: (operation, context) => {
    const field = fieldOf(operation);
    if (!field || isManyToMany(field) || isGenerated(field) || !onExistingTable(operation, context)) return null;
    if (isNullable(field) || hasDbDefault(field)) return null;
    if (hasNullDbDefault(field)) {
      return {
        message: `adds ${fieldLabel(operation)} as NOT NULL with db_default=None, a database default of NULL: ADD COLUMN gives every existing row NULL, so the migration fails on a table that has rows, and the running code's INSERTs would get NULL too`,
        breaks: ["old-code", "data"],
        model: modelOf(operation, context)
      };
    }
    const hasDefault = "default" in field.kwargs;
    return {
      message: hasDefault ? `adds ${fieldLabel(operation)} as NOT NULL with only a Python default: Django removes the database default after filling existing rows, so INSERTs from the code still running (which does not know the field) fail with a NOT NULL violation` : `adds ${fieldLabel(operation)} as NOT NULL without a default: the migration fails on a table that has rows, and the running code's INSERTs fail after it`,
      breaks: hasDefault ? ["old-code"] : ["old-code", "data"],
      model: modelOf(operation, context)
    };
  }
};
var addFieldVolatileDefault = {
  id: "add-field-volatile-default",
  scope: "operation",
  operations: ["AddField"],
  severity: "warning",
  breaks: ["locks"],
  deployOrder: "migrate-first",
  safeAlternative: "Add the column without the volatile default (nullable, or with a constant `db_default`): a catalog change. Then give it the volatile `db_default` with an AlterField (`SET DEFAULT` applies only to new rows: no rewrite), fill the existing rows in batches, and make it NOT NULL in a later release if it must be.",
  provenBy: ["rewrite"],
  match: (operation, context) => {
    const field = fieldOf(operation);
    if (!field || !onExistingTable(operation, context)) return null;
    const volatile = volatileFunction(field.kwargs.db_default);
    if (volatile === null) return null;
    return {
      message: `adds ${fieldLabel(operation)} with a volatile database default, ${volatile}: PostgreSQL computes it for every existing row, so ADD COLUMN rewrites the table and its indexes under an ACCESS EXCLUSIVE lock that blocks reads and writes for the whole rewrite (a constant or stable default would be a catalog change)`,
      model: modelOf(operation, context)
    };
  }
};
var removeField = {
  id: "remove-field",
  scope: "operation",
  operations: ["RemoveField"],
  severity: "unsafe",
  breaks: ["old-code", "data"],
  deployOrder: "deploy-first",
  safeAlternative: "Release 1: remove the field from the model but keep the column, with `SeparateDatabaseAndState(state_operations=[RemoveField(...)])` (make it nullable first if it is NOT NULL). Release 2, once no running code selects it: drop the column.",
  provenBy: ["old-code-breaks", "data-loss", "reverse-data-loss"],
  match: (operation, context) => {
    if (!onExistingTable(operation, context)) return null;
    const previous = previousField(operation, context);
    const notNull = previous !== null && !isNullable(previous) && !hasDbDefault(previous) && !isManyToMany(previous);
    return {
      message: notNull ? `drops ${fieldLabel(operation)}, a NOT NULL column: old code selects it (fails once it is gone) and new code's INSERTs fail while it still exists, so no deploy order works without making it nullable first; its values are lost` : `drops ${fieldLabel(operation)}: the running code still selects it and fails with "column does not exist" once it is gone; its values are lost. Deploy code that no longer uses it first`,
      deployOrder: notNull ? "multi-step" : "deploy-first",
      model: modelOf(operation, context)
    };
  }
};
var removeModel = {
  id: "remove-model",
  scope: "operation",
  operations: ["DeleteModel"],
  severity: "unsafe",
  breaks: ["old-code", "data"],
  deployOrder: "deploy-first",
  safeAlternative: "Release 1: delete the model from the code and state only, `SeparateDatabaseAndState(state_operations=[DeleteModel(...)])`. Release 2: drop the table.",
  provenBy: ["old-code-breaks", "data-loss", "reverse-data-loss"],
  match: (operation, context) => onExistingTable(operation, context) ? {
    message: `drops the table of ${stringArgument(operation, "name") ?? "a model"}: the running code's queries on it fail, and its rows are lost. Deploy code that no longer uses it first`,
    model: modelOf(operation, context)
  } : null
};
var renameField = {
  id: "rename-field",
  scope: "operation",
  operations: ["RenameField"],
  severity: "unsafe",
  breaks: ["old-code", "new-code"],
  deployOrder: "multi-step",
  safeAlternative: 'Keep the column name: rename the field in the model with `db_column="<old name>"` (no schema change). Or expand and contract: add the new column, write both, backfill, read the new one, drop the old one in a later release.',
  provenBy: ["old-code-breaks", "new-code-breaks"],
  match: (operation, context) => {
    if (!onExistingTable(operation, context)) return null;
    const model = modelOf(operation, context);
    const old = stringArgument(operation, "old_name");
    const previous = model && old ? context.fieldsBefore.get(model)?.get(old.toLowerCase()) : null;
    if (previous?.kwargs.db_column?.kind === "str") return null;
    return {
      message: `renames the column ${stringArgument(operation, "model_name")}.${old} to ${stringArgument(operation, "new_name")}: code using the old name breaks after the migration, code using the new name breaks before it`,
      model
    };
  }
};
var renameModel = {
  id: "rename-model",
  scope: "operation",
  operations: ["RenameModel"],
  severity: "unsafe",
  breaks: ["old-code", "new-code"],
  deployOrder: "multi-step",
  safeAlternative: 'Keep the table: rename the model in code with `class Meta: db_table = "<old table>"`, so the schema does not change.',
  provenBy: ["old-code-breaks", "new-code-breaks"],
  match: (operation, context) => {
    const old = stringArgument(operation, "old_name");
    const model = old ? `${context.file.app}.${old.toLowerCase()}` : null;
    if (model && context.newModels.has(model)) return null;
    if (model && keptTable(operation, context) !== null && !relationsOf(model, context.fieldsBefore).manyToMany) return null;
    return {
      message: `renames the table of ${old} to follow ${stringArgument(operation, "new_name")}: code using either name breaks while the other runs`,
      model
    };
  }
};
var renameModelKeepTable = {
  id: "rename-model-keep-table",
  scope: "operation",
  operations: ["RenameModel"],
  severity: "warning",
  breaks: ["locks"],
  deployOrder: null,
  safeAlternative: "Rename the model in Django's state only: `SeparateDatabaseAndState(state_operations=[RenameModel(...), AlterModelTable(...)])`. The table and its foreign keys stay as they are, and no lock is taken.",
  provenBy: ["blocking-lock"],
  match: (operation, context) => {
    const old = stringArgument(operation, "old_name");
    const renamed = stringArgument(operation, "new_name");
    const model = old ? `${context.file.app}.${old.toLowerCase()}` : null;
    if (!model || context.newModels.has(model)) return null;
    const table = keptTable(operation, context);
    if (table === null) return null;
    const { foreignKeys, manyToMany } = relationsOf(model, context.fieldsBefore);
    if (manyToMany) return null;
    const through = `renames ${old} to ${renamed} and keeps its table ${table} (AlterModelTable): the running code keeps working, but Django renames the table to ${context.file.app}_${renamed.toLowerCase()} and back`;
    if (foreignKeys.length === 0) {
      return { message: `${through}, catalog changes only`, severity: "info", model };
    }
    return {
      message: `${through}, and drops and re-creates the foreign key${foreignKeys.length === 1 ? "" : "s"} pointing to it (${foreignKeys.join(", ")}): ADD CONSTRAINT ... FOREIGN KEY validates every row of the referencing table while the migration holds an ACCESS EXCLUSIVE lock on it`,
      model
    };
  }
};
var alterFieldType = {
  id: "alter-field-type",
  scope: "operation",
  operations: ["AlterField"],
  severity: "warning",
  breaks: ["locks"],
  deployOrder: "migrate-first",
  safeAlternative: "For a large table, or values the running code reads as another type: add a new column of the new type, backfill it in batches, switch the code, then drop the old one. A `varchar` made longer, `varchar` to `text`, or a DecimalField given more `max_digits` at the same `decimal_places` needs no rewrite; fewer `decimal_places` rounds the stored values, so round them deliberately first or keep the scale.",
  provenBy: ["rewrite", "apply-error", "old-code-breaks", "round-trip"],
  explains: ["22001", "22003", "22P02", "23514"],
  match: (operation, context) => {
    const after = fieldOf(operation);
    const before = previousField(operation, context);
    if (!after || !before || !onExistingTable(operation, context)) return null;
    const decimal = decimalChange(before, after);
    if (decimal !== null) {
      if (!decimal.rewrites) return null;
      const from = `numeric(${decimal.before.digits}, ${decimal.before.places})`;
      const to2 = `numeric(${decimal.after.digits}, ${decimal.after.places})`;
      if (!decimal.rounds && !decimal.overflows) {
        return {
          message: `changes ${fieldLabel(operation)} from ${from} to ${to2}: a new scale changes every stored value, so Postgres rewrites the table and its indexes under an ACCESS EXCLUSIVE lock, blocking reads and writes for the whole rewrite`,
          model: modelOf(operation, context)
        };
      }
      const risks = [
        ...decimal.rounds ? [`PostgreSQL rounds every stored value to ${decimal.after.places} decimal place${decimal.after.places === 1 ? "" : "s"} (the digits dropped are lost, and a rollback does not bring them back), and the running code's values are rounded too`] : [],
        ...decimal.overflows ? [`only ${decimal.after.digits - decimal.after.places} digits are left before the point instead of ${decimal.before.digits - decimal.before.places}, so the migration fails ("numeric field overflow") if a row holds a larger value, and the running code may still write one`] : []
      ];
      return {
        message: `changes ${fieldLabel(operation)} from ${from} to ${to2}: ${risks.join("; ")}. The table and its indexes are rewritten under an ACCESS EXCLUSIVE lock`,
        severity: "unsafe",
        breaks: decimal.overflows ? ["old-code", "data", "locks"] : ["data", "locks"],
        deployOrder: "deploy-first",
        model: modelOf(operation, context)
      };
    }
    const change = typeChange(before, after);
    if (change === "none" || change === "widen") return null;
    if (change === "check") {
      return {
        message: `changes ${fieldLabel(operation)} from ${before.type} to ${after.type}: no rewrite, but the new CHECK (>= 0) is validated by scanning the table under an ACCESS EXCLUSIVE lock, and the migration fails if a row is negative`,
        breaks: ["locks", "data"],
        model: modelOf(operation, context)
      };
    }
    if (change === "narrow") {
      return {
        message: `shortens ${fieldLabel(operation)} from max_length ${maxLength(before)} to ${maxLength(after)}: the migration fails if a row holds a longer value, and the running code may still write longer values`,
        severity: "unsafe",
        breaks: ["old-code", "data"],
        deployOrder: "deploy-first",
        model: modelOf(operation, context)
      };
    }
    if (change === "retype") {
      const [was, is2] = [VALUE_TYPES[before.type], VALUE_TYPES[after.type]];
      return {
        message: `changes ${fieldLabel(operation)} from ${before.type} to ${after.type}: the running code writes and filters it as ${was} but reads back ${is2} values (and a filter comparing the new column with ${was} values can fail outright), so it breaks after the migration; Postgres casts every row, failing on a value that does not convert, and rewrites the table and its indexes under an ACCESS EXCLUSIVE lock`,
        severity: "unsafe",
        breaks: ["old-code", "locks"],
        deployOrder: "multi-step",
        model: modelOf(operation, context)
      };
    }
    return {
      message: `changes ${fieldLabel(operation)} from ${before.type} to ${after.type}: Postgres rewrites the table and its indexes under an ACCESS EXCLUSIVE lock, blocking reads and writes for the whole rewrite`,
      model: modelOf(operation, context)
    };
  }
};
var alterFieldNotNull = {
  id: "alter-field-not-null",
  scope: "operation",
  operations: ["AlterField"],
  severity: "unsafe",
  breaks: ["old-code", "data", "locks"],
  deployOrder: "deploy-first",
  safeAlternative: "Deploy code that always sets the value, backfill NULLs in batches, then add `CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT`, and only then `SET NOT NULL` (Postgres 12+ skips the scan thanks to the constraint).",
  provenBy: ["apply-error", "old-code-breaks"],
  explains: ["23502"],
  match: (operation, context) => {
    const after = fieldOf(operation);
    const before = previousField(operation, context);
    if (!after || !before || !onExistingTable(operation, context)) return null;
    if (!isNullable(before) || isNullable(after)) return null;
    const filled = "default" in after.kwargs || hasDbDefault(after);
    return {
      message: filled ? `makes ${fieldLabel(operation)} NOT NULL: Django first fills its NULLs with the default (an UPDATE of every such row), then scans the table under an ACCESS EXCLUSIVE lock; running code that writes NULL breaks` : `makes ${fieldLabel(operation)} NOT NULL: the migration fails if any row holds NULL, scans the whole table under an ACCESS EXCLUSIVE lock, and running code that writes NULL breaks`,
      model: modelOf(operation, context)
    };
  }
};
var addIndex = {
  id: "add-index",
  scope: "operation",
  operations: ["AddIndex", "AddField", "AlterField", "AlterIndexTogether"],
  severity: "warning",
  breaks: ["locks"],
  deployOrder: "migrate-first",
  safeAlternative: "Use `AddIndexConcurrently` (django.contrib.postgres.operations) in a migration with `atomic = False`: it builds the index without blocking writes.",
  provenBy: ["blocking-lock"],
  match: (operation, context) => {
    if (!onExistingTable(operation, context)) return null;
    if (operation.type === "AlterIndexTogether" && isEmptyOption(argument(operation, "index_together"))) return null;
    if (operation.type === "AddIndex" || operation.type === "AlterIndexTogether") {
      return { message: "builds an index without CONCURRENTLY: writes to the table are blocked (SHARE lock) until it is built", model: modelOf(operation, context) };
    }
    const after = fieldOf(operation);
    if (!after || !isIndexed(after) || RELATION_FIELDS.has(after.type)) return null;
    const before = operation.type === "AlterField" ? previousField(operation, context) : null;
    if (before && isIndexed(before)) return null;
    return {
      message: `indexes ${fieldLabel(operation)} without CONCURRENTLY: writes to the table are blocked until it is built`,
      model: modelOf(operation, context)
    };
  }
};
var addUnique = {
  id: "add-unique",
  scope: "operation",
  operations: ["AddConstraint", "AlterUniqueTogether", "AddField", "AlterField"],
  severity: "unsafe",
  breaks: ["data", "locks"],
  deployOrder: "migrate-first",
  safeAlternative: "Remove duplicates first; then `CREATE UNIQUE INDEX CONCURRENTLY` (RunSQL in a non-atomic migration) and `ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX`.",
  provenBy: ["apply-error", "blocking-lock", "old-code-breaks"],
  explains: ["23505"],
  severityWhenSeen: { "blocking-lock": "warning" },
  match: (operation, context) => {
    if (!onExistingTable(operation, context)) return null;
    if (operation.type === "AddConstraint") {
      const constraint = argument(operation, "constraint");
      if (constraint?.kind !== "call" || !constraint.callee.endsWith("UniqueConstraint")) return null;
    } else if (operation.type === "AlterUniqueTogether") {
      if (isEmptyOption(argument(operation, "unique_together"))) return null;
    } else if (operation.type === "AddField" || operation.type === "AlterField") {
      const after = fieldOf(operation);
      if (!after || !isUnique(after)) return null;
      const before = operation.type === "AlterField" ? previousField(operation, context) : null;
      if (before && isUnique(before)) return null;
      if (operation.type === "AddField") {
        if (isNullable(after)) {
          return {
            message: `adds ${fieldLabel(operation)} as a unique column: its unique index is built while writes to the table are blocked`,
            severity: "warning",
            breaks: ["locks"],
            model: modelOf(operation, context)
          };
        }
        if (!("default" in after.kwargs) && !hasDbDefault(after)) return null;
        return {
          message: `adds ${fieldLabel(operation)} as unique with a default: every existing row gets the same value, so the unique index fails on a table with more than one row`,
          model: modelOf(operation, context)
        };
      }
    }
    return {
      message: "adds a unique constraint to an existing table: it fails if rows already repeat a value, and it scans the table while blocking writes",
      model: modelOf(operation, context)
    };
  }
};
var addCheck = {
  id: "add-check-constraint",
  scope: "operation",
  operations: ["AddConstraint"],
  severity: "warning",
  breaks: ["data", "locks"],
  deployOrder: "migrate-first",
  safeAlternative: "Use `AddConstraintNotValid` and then `ValidateConstraint` in a later migration (django.contrib.postgres.operations, Django 4.0+).",
  provenBy: ["apply-error", "blocking-lock"],
  explains: ["23514"],
  match: (operation, context) => {
    const constraint = argument(operation, "constraint");
    if (!onExistingTable(operation, context) || constraint?.kind !== "call" || !constraint.callee.endsWith("CheckConstraint")) return null;
    return { message: "adds a CHECK constraint: existing rows are validated under an ACCESS EXCLUSIVE lock, and the migration fails if one violates it", model: modelOf(operation, context) };
  }
};
var addForeignKey = {
  id: "add-foreign-key",
  scope: "operation",
  operations: ["AddField", "AlterField"],
  severity: "warning",
  breaks: ["locks"],
  deployOrder: "migrate-first",
  safeAlternative: "Add the field with `db_constraint=False`, then add the constraint `NOT VALID` and `VALIDATE CONSTRAINT` it separately (RunSQL), which does not block writes while validating.",
  provenBy: ["blocking-lock", "apply-error"],
  explains: ["23503"],
  match: (operation, context) => {
    const after = fieldOf(operation);
    if (!after || !RELATION_FIELDS.has(after.type) || !onExistingTable(operation, context)) return null;
    if (boolKeyword(after.kwargs, "db_constraint", true) === false) return null;
    if (operation.type === "AlterField" && previousField(operation, context)?.type === after.type) return null;
    const indexed = boolKeyword(after.kwargs, "db_index", true) !== false;
    return {
      message: `adds a foreign key on ${fieldLabel(operation)}: ${indexed ? "its index is built without CONCURRENTLY and " : ""}the constraint validates every row, while writes to both tables are blocked`,
      model: modelOf(operation, context)
    };
  }
};
var removeIndex = {
  id: "remove-index",
  scope: "operation",
  operations: ["RemoveIndex"],
  severity: "warning",
  breaks: ["locks"],
  deployOrder: "migrate-first",
  safeAlternative: "Use `RemoveIndexConcurrently` in a migration with `atomic = False`.",
  provenBy: ["blocking-lock"],
  match: (operation, context) => onExistingTable(operation, context) ? { message: "drops an index without CONCURRENTLY: it waits for an ACCESS EXCLUSIVE lock on the table, queuing every query behind it", model: modelOf(operation, context) } : null
};
var stateOnlyRemoveNotNull = {
  id: "state-only-remove-not-null",
  scope: "operation",
  operations: ["SeparateDatabaseAndState"],
  severity: "unsafe",
  breaks: ["new-code"],
  deployOrder: "multi-step",
  safeAlternative: "Make the column optional in the database in the same operation, `SeparateDatabaseAndState(database_operations=[AlterField(<the field with null=True or a db_default>)], state_operations=[RemoveField(...)])`, or in a release before; then drop the column in a later release.",
  provenBy: [],
  match: (operation, context) => {
    const removed = [];
    let model = null;
    for (const { inner, fields } of stateSteps(operation, context)) {
      if (inner.type !== "RemoveField") continue;
      const owner = modelOf(inner, context);
      const name2 = stringArgument(inner, "name")?.toLowerCase();
      const field = owner && name2 ? context.fieldsBefore.get(owner)?.get(name2) ?? fields.get(owner)?.get(name2) : null;
      if (!owner || !name2 || !field || databaseSideTouches(operation, owner, [name2], context)) continue;
      if (isNullable(field) || hasDbDefault(field) || isManyToMany(field) || isGenerated(field)) continue;
      if (boolKeyword(field.kwargs, "primary_key", false) !== false) continue;
      removed.push(fieldLabel(inner));
      model ??= owner;
    }
    if (removed.length === 0) return null;
    return {
      message: `removes ${removed.join(", ")} from Django's state only (SeparateDatabaseAndState) while the column stays NOT NULL without a database default: the new code no longer knows the field, so its INSERTs leave the column out and fail with a NOT NULL violation, before and after this migration`,
      model
    };
  }
};
var stateOnlyRenameField = {
  id: "state-only-rename-field",
  scope: "operation",
  operations: ["SeparateDatabaseAndState"],
  severity: "unsafe",
  breaks: ["new-code"],
  deployOrder: null,
  safeAlternative: 'Keep the column name: give the field `db_column="<old name>"` (an AlterField before the RenameField in state_operations, which is what makemigrations writes), or rename the column in database_operations as well (see rename-field).',
  provenBy: [],
  match: (operation, context) => {
    const renamed = [];
    let model = null;
    for (const { inner, fields } of stateSteps(operation, context)) {
      if (inner.type !== "RenameField") continue;
      const owner = modelOf(inner, context);
      const old = stringArgument(inner, "old_name")?.toLowerCase();
      const now = stringArgument(inner, "new_name")?.toLowerCase();
      const field = owner && old ? fields.get(owner)?.get(old) : null;
      const inDatabase = owner && old ? context.fieldsBefore.get(owner)?.get(old) ?? field : null;
      if (!owner || !old || !now || !field || !inDatabase || databaseSideTouches(operation, owner, [old, now], context)) continue;
      if (isManyToMany(field)) continue;
      const column = (definition, name2) => {
        const pinned = definition.kwargs.db_column;
        return pinned === void 0 ? name2 : pinned.kind === "str" ? pinned.value.toLowerCase() : null;
      };
      const has = column(inDatabase, old);
      const reads = column(field, now);
      if (has === null || reads === null || has === reads) continue;
      renamed.push(`${stringArgument(inner, "model_name")}.${stringArgument(inner, "old_name")} to ${stringArgument(inner, "new_name")}`);
      model ??= owner;
    }
    if (renamed.length === 0) return null;
    return {
      message: `renames ${renamed.join(", ")} in Django's state only (SeparateDatabaseAndState), without db_column: the table keeps the old column, but the new code looks for one named after the new field, so its queries on the model fail with "column does not exist"`,
      model
    };
  }
};
var runPythonIrreversible = {
  id: "run-python-irreversible",
  scope: "operation",
  operations: ["RunPython"],
  severity: "warning",
  breaks: [],
  deployOrder: null,
  safeAlternative: "Pass `reverse_code`; where nothing needs undoing, `reverse_code=migrations.RunPython.noop` keeps the migration reversible.",
  provenBy: ["irreversible"],
  match: (operation) => {
    const reverse = argument(operation, "reverse_code");
    if (reverse !== void 0 && reverse.kind !== "none") return null;
    return { message: "RunPython has no reverse_code: `migrate` cannot go back past this migration (IrreversibleError), so a rollback is blocked" };
  }
};
var isNoop = (value) => value?.kind === "ref" && /(^|\.)RunPython\.noop$/.test(value.name);
var runPythonOpaque = {
  id: "run-python-opaque",
  scope: "operation",
  operations: ["RunPython"],
  severity: "warning",
  breaks: ["data"],
  deployOrder: null,
  safeAlternative: "Let the rehearsal run it (leave out `--static-only`): it runs the code on rows at the limits the base schema allows and reports a failure, values it changes or drops, and a reverse that does not restore them. Without it, read the code for those: updates that overflow or break a constraint on some rows, deletes, and a `reverse_code` that does not undo what the forward did.",
  // What the rehearsal sees when it runs the code; seen, each is as bad as the fact itself says.
  provenBy: ["data-loss", "reverse-data-loss", "reverse-error"],
  severityWhenSeen: { "data-loss": "info", "reverse-data-loss": "info", "reverse-error": "info" },
  safeAlternativeWhenSeen: "Check that this is what it should do to your rows: the proof shows what it did to rows at the limits the base schema allows. If a rollback must bring them back, write a `reverse_code` that restores them (keep what it needs in a column or table of its own); if it should not touch some rows, filter them out.",
  match: (operation) => {
    const code2 = argument(operation, "code");
    if (isNoop(code2)) return null;
    const reverse = argument(operation, "reverse_code");
    const named = (value, otherwise) => value?.kind === "ref" ? `\`${lastName(value.name)}\`` : otherwise;
    const undo = reverse === void 0 || reverse.kind === "none" ? "" : isNoop(reverse) ? " (its reverse, RunPython.noop, leaves them as they are)" : `, and whether ${named(reverse, "its reverse_code")} undoes that`;
    return {
      message: `RunPython runs ${named(code2, "Python code")}: whether it fails on some rows and which values it changes or deletes${undo} cannot be read from the migration file, only seen by running it (the rehearsal does)`
    };
  }
};
var runSqlIrreversible = {
  id: "run-sql-irreversible",
  scope: "operation",
  operations: ["RunSQL"],
  severity: "warning",
  breaks: [],
  deployOrder: null,
  safeAlternative: "Pass `reverse_sql`; where nothing needs undoing, `reverse_sql=migrations.RunSQL.noop`.",
  provenBy: ["irreversible"],
  match: (operation) => {
    const reverse = argument(operation, "reverse_sql");
    if (reverse !== void 0 && reverse.kind !== "none") return null;
    return { message: "RunSQL has no reverse_sql: `migrate` cannot go back past this migration (IrreversibleError)" };
  }
};
var mixedSchemaAndData = {
  id: "mixed-schema-and-data",
  scope: "migration",
  operations: ["*"],
  severity: "warning",
  breaks: ["locks"],
  deployOrder: null,
  safeAlternative: "Put data changes (RunPython/RunSQL) in a migration of their own, after the schema change.",
  provenBy: [],
  match: (file) => {
    const data = file.operations.filter((operation) => DATA_OPERATIONS.has(operation.type));
    const schema = file.operations.filter((operation) => !DATA_OPERATIONS.has(operation.type) && !STATE_ONLY_OPERATIONS.has(operation.type));
    if (data.length === 0 || schema.length === 0 || !file.atomic) return [];
    return [
      {
        operation: data[0],
        message: "mixes schema changes and data changes in one transaction: the schema locks stay held while the data code runs, and a failure rolls back both"
      }
    ];
  }
};
var concurrentInAtomic = {
  id: "concurrent-in-atomic",
  scope: "migration",
  operations: ["AddIndexConcurrently", "RemoveIndexConcurrently"],
  severity: "error",
  breaks: [],
  deployOrder: null,
  safeAlternative: "Set `atomic = False` on the migration (and keep other operations out of it).",
  provenBy: ["apply-error"],
  explains: ["25001"],
  match: (file) => file.atomic ? file.operations.filter((operation) => CONCURRENT_OPERATIONS.has(operation.type)).map((operation) => ({
    operation,
    message: `${operation.type} cannot run inside a transaction, and this migration is atomic: it fails with "CREATE INDEX CONCURRENTLY cannot run inside a transaction block"`
  })) : []
};
var RULES = [
  addModel,
  addFieldNullable,
  addFieldNotNull,
  addFieldVolatileDefault,
  removeField,
  removeModel,
  stateOnlyRemoveNotNull,
  renameField,
  stateOnlyRenameField,
  renameModel,
  renameModelKeepTable,
  alterFieldType,
  alterFieldNotNull,
  addIndex,
  addUnique,
  addCheck,
  addForeignKey,
  removeIndex,
  runPythonIrreversible,
  runPythonOpaque,
  runSqlIrreversible,
  mixedSchemaAndData,
  concurrentInAtomic
];

// src/rules/evaluate.ts
function evaluateRules(inputs, rules = RULES) {
  const keys = new Set(inputs.added.map(migrationKey));
  const history = buildFieldHistory(inputs.merged, keys);
  const newModels = /* @__PURE__ */ new Set();
  const results = /* @__PURE__ */ new Map();
  for (const file of inputs.added) {
    const key2 = migrationKey(file);
    for (const model of history.createdIn([key2])) newModels.add(model);
    const context = { file, fieldsBefore: history.before(key2), newModels };
    const perOperation = operationContexts(context);
    const findings = [];
    for (const rule of rules) {
      const level = inputs.config.rules[rule.id];
      if (level === "off") continue;
      for (const { operation, match } of matches(rule, file, context, perOperation)) {
        const deployOrder = match.deployOrder !== void 0 ? match.deployOrder : rule.deployOrder;
        const finding = {
          rule: rule.id,
          severity: level ?? match.severity ?? rule.severity,
          message: match.message,
          line: operation?.line ?? file.line,
          evidence: "static",
          operationIndex: operation ? operation.index : null,
          breaks: [...match.breaks ?? rule.breaks],
          model: match.model ?? null,
          provenBy: rule.provenBy
        };
        if (rule.severityWhenSeen) finding.severityWhenSeen = rule.severityWhenSeen;
        if (rule.safeAlternativeWhenSeen) finding.safeAlternativeWhenSeen = rule.safeAlternativeWhenSeen;
        if (rule.explains) finding.explains = rule.explains;
        if (deployOrder) finding.deployOrder = deployOrder;
        if (rule.safeAlternative) finding.safeAlternative = rule.safeAlternative;
        findings.push({ finding, endLine: operation?.endLine ?? file.line });
      }
    }
    results.set(key2, applyIgnores(key2, findings, inputs));
  }
  return results;
}
function operationContexts(context) {
  let state = context.fieldsBefore;
  return context.file.operations.map((operation, position) => {
    const here = position === 0 ? context : { ...context, fieldsBefore: state };
    if (position < context.file.operations.length - 1) {
      state = cloneState(state);
      applyOperation(state, context.file.app, operation);
    }
    return here;
  });
}
function matches(rule, file, context, perOperation) {
  if (rule.scope === "migration") return rule.match(file, context).map(({ operation, ...match }) => ({ operation, match }));
  const found = [];
  for (const [position, operation] of file.operations.entries()) {
    const candidates = operation.type === "SeparateDatabaseAndState" ? [operation, ...(operation.databaseOperations ?? []).map((inner) => ({ ...inner, index: operation.index }))] : [operation];
    for (const candidate of candidates) {
      if (!rule.operations.includes(candidate.type)) continue;
      const match = rule.match(candidate, perOperation[position]);
      if (match) found.push({ operation: candidate, match });
    }
  }
  return found;
}
function applyIgnores(key2, findings, inputs) {
  const source = inputs.sources.get(key2) ?? "";
  const ignores = parseIgnores(source);
  const lines = source.split(/\r?\n/);
  const trailing = new Set(ignores.filter((ignore) => !lines[ignore.line - 1].trimStart().startsWith("#")).map((ignore) => ignore.line));
  const out = [];
  for (const { finding, endLine } of findings) {
    const line = finding.line;
    const covering = line === null ? [] : ignores.filter((ignore) => ignore.line !== line - 1 || !trailing.has(ignore.line));
    const inline = line === null ? void 0 : ignoreFor(covering, finding.rule, line, endLine);
    const configured = inputs.config.ignore.find((entry) => entry.rule === finding.rule && entry.migration === key2);
    if (inline?.reason) finding.ignored = { reason: inline.reason, source: "inline" };
    else if (configured) finding.ignored = { reason: configured.reason, source: "config" };
    out.push(finding);
  }
  for (const ignore of ignores.filter((entry) => entry.reason === null)) {
    out.push({
      rule: "ignore-without-reason",
      severity: "warning",
      message: `the ignore of ${ignore.rules.join(", ")} has no reason: write it after \`--\` (\`# migration-review: ignore ${ignore.rules[0]} -- why it is safe here\`); until then the finding stands`,
      line: ignore.line,
      evidence: "static",
      operationIndex: null,
      model: null,
      provenBy: []
    });
  }
  return out;
}

// src/rules/suggestions.ts
function suggestFixes(inputs) {
  const result = /* @__PURE__ */ new Map();
  for (const file of inputs.added) {
    const key2 = migrationKey(file);
    const source = inputs.sources.get(key2);
    if (source === void 0 || file.discoveredBy === "django") continue;
    const lines = source.split("\n");
    const suggestions = [];
    for (const finding of inputs.findings.get(key2) ?? []) {
      if (finding.ignored !== void 0 || finding.operationIndex === null) continue;
      const operation = file.operations.find((candidate) => candidate.index === finding.operationIndex);
      if (!operation || !alone(operation, file)) continue;
      const block = lines.slice(operation.line - 1, operation.endLine).join("\n");
      const replacement = fix(finding.rule, block, operation, inputs.djangoVersion);
      if (replacement === null || replacement.text === block) continue;
      suggestions.push({ rule: finding.rule, line: operation.line, endLine: operation.endLine, replacement: replacement.text, reason: replacement.reason });
    }
    if (suggestions.length > 0) result.set(key2, suggestions);
  }
  return result;
}
function alone(operation, file) {
  return file.operations.every((other) => other === operation || other.endLine < operation.line || other.line > operation.endLine);
}
function fix(rule, block, operation, djangoVersion) {
  switch (rule) {
    case "run-python-irreversible": {
      if (operation.type !== "RunPython" || (block.match(/RunPython\s*\(/g) ?? []).length !== 1) return null;
      const close = block.lastIndexOf(")");
      if (close < 0) return null;
      const before = block.slice(0, close);
      const argument2 = "reverse_code=migrations.RunPython.noop";
      const trailing = /,(\s*\n[ \t]*)$/.exec(before);
      const indent2 = /\n([ \t]*)[^\n]*,\s*$/.exec(before)?.[1];
      const text2 = trailing && indent2 !== void 0 ? `${before.slice(0, trailing.index + 1)}
${indent2}${argument2},${trailing[1]}${block.slice(close)}` : `${before.replace(/,\s*$/, "")}, ${argument2}${block.slice(close)}`;
      return {
        text: text2,
        reason: "`migrate` cannot go back past a RunPython without `reverse_code`. With `migrations.RunPython.noop` it can; the data it changed stays changed, so make sure that is what a rollback should do."
      };
    }
    case "add-field-not-null": {
      if (operation.type !== "AddField" || !atLeast(djangoVersion, 5, 0)) return null;
      const defaults = [...block.matchAll(/(?<![\w.])default\s*=\s*('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|-?\d+(?:\.\d+)?|True|False)(?=\s*[,)])/g)];
      if (defaults.length !== 1 || /\bdb_default\s*=/.test(block)) return null;
      const match = defaults[0];
      const end = match.index + match[0].length;
      return {
        text: `${block.slice(0, end)}, db_default=${match[1]}${block.slice(end)}`,
        reason: "The code still running inserts rows without this column; with a `db_default` (Django 5.0+) the database fills it for them instead of failing. Give the model field the same `db_default`."
      };
    }
    default:
      return null;
  }
}
function atLeast(version, major, minor) {
  const match = /^(\d+)\.(\d+)/.exec(version ?? "");
  if (!match) return false;
  const [a, b3] = [Number(match[1]), Number(match[2])];
  return a > major || a === major && b3 >= minor;
}

// src/model/report.ts
var SCHEMA_VERSION = 1;
var WARNING_GRAPH_PROBLEM_KINDS = [
  "dynamic-dependencies",
  "symlinked-migration",
  "sourceless-migration",
  "migration-modules-setting",
  "django-only-migration",
  "static-only-migration"
];

// src/verdict/locks.ts
function heldDuring(statements, index) {
  const statement = statements[index];
  const held = /* @__PURE__ */ new Map();
  if (statement.inTransaction) {
    for (const earlier of statements.slice(0, index)) {
      if (!earlier.inTransaction || earlier.heldUntilMs < statement.startMs) continue;
      for (const lock of earlier.locks) held.set(`${lock.relation}\0${lock.mode}`, lock);
    }
  }
  for (const lock of statement.locks) held.set(`${lock.relation}\0${lock.mode}`, lock);
  return [...held.values()];
}
function lockList(locks) {
  return locks.map((lock) => `${lock.mode} on ${lock.relation}`).join(", ") || "no locks";
}

// src/verdict/estimates.ts
var INDEX_BUILD = /^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY\b)[^;]*?\bON\s+(?:ONLY\s+)?("[^"]+"|[\w.]+)/i;
var ALTER_TABLE = /^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?("[^"]+"|[\w.]+)/i;
var ADDS_UNIQUE = /\bADD\s+CONSTRAINT\b[^;]*\bUNIQUE\b/i;
var SCANS = /\bSET\s+NOT\s+NULL\b|\bADD\s+CONSTRAINT\b[^;]*\b(CHECK|FOREIGN\s+KEY)\b(?![^;]*\bNOT\s+VALID\b)|\bVALIDATE\s+CONSTRAINT\b/i;
var ORDER = [...BLOCKING_MODES];
function estimateRun(run, sizes, production) {
  const estimates = /* @__PURE__ */ new Map();
  run.statements.forEach((statement, index) => {
    if (statement.error) return;
    const work = workOf(statement, sizes);
    const throughput = work && production.throughput.find((entry) => entry.kind === work.kind);
    if (!work || !throughput) return;
    const size = sizes.get(work.table);
    const bytes = work.kind === "rewrite" ? size.bytes + size.indexBytes : size.bytes;
    const held = heldDuring(run.statements, index).filter((lock2) => lock2.relation === work.table && BLOCKING_MODES.has(lock2.mode));
    const lock = held.map((entry) => entry.mode).sort((a, b3) => ORDER.indexOf(b3) - ORDER.indexOf(a))[0] ?? null;
    estimates.set(index, {
      statement: index,
      table: work.table,
      kind: work.kind,
      rows: size.rows,
      bytes,
      seededMs: statement.ms,
      estimatedMs: Math.round(bytes / Math.max(1, throughput.bytesPerMs)),
      lock,
      basis: `${WORDS[work.kind]} at ${formatBytes(throughput.bytesPerMs * 1e3)}/s, measured on this runner (${formatBytes(throughput.sampleBytes)} in ${throughput.sampleMs} ms), scaled to ${formatBytes(bytes)}${work.kind === "rewrite" ? " of table and indexes" : ""}`
    });
  });
  return estimates;
}
function estimatedHold(hold, run, estimates) {
  const taken = run.statements[hold.statement];
  if (!taken) return null;
  let extra = 0;
  let any = false;
  run.statements.forEach((statement, index) => {
    const estimate = estimates.get(index);
    if (!estimate || statement.startMs < taken.startMs || statement.startMs > taken.heldUntilMs) return;
    any = true;
    extra += Math.max(0, estimate.estimatedMs - statement.ms);
  });
  return any ? Math.round(hold.heldMs + extra) : null;
}
function tooLong(estimate, production) {
  return estimate !== void 0 && production !== void 0 && estimate.lock !== null && estimate.estimatedMs >= production.maxLockHoldMs;
}
function estimatePhrase(estimate) {
  return `on production's ${estimate.rows.toLocaleString("en-US")} rows of ${estimate.table} (${formatBytes(estimate.bytes)}), about ${formatDuration(estimate.estimatedMs)}${estimate.lock ? ` under ${lockName(estimate.lock)}` : ""}`;
}
var WORDS = { rewrite: "a rewrite", scan: "a full scan", "index-build": "an index build" };
function workOf(statement, sizes) {
  const rewritten = statement.rewrite.filter((relation) => sizes.has(relation));
  if (rewritten.length > 0) {
    const table = rewritten.sort((a, b3) => sizes.get(b3).bytes - sizes.get(a).bytes)[0];
    return { kind: "rewrite", table };
  }
  const index = INDEX_BUILD.exec(statement.sql);
  if (index) return known({ kind: "index-build", table: unquote(index[1]) }, sizes);
  const alter = ALTER_TABLE.exec(statement.sql);
  if (alter && ADDS_UNIQUE.test(statement.sql)) return known({ kind: "index-build", table: unquote(alter[1]) }, sizes);
  if (alter && SCANS.test(statement.sql)) return known({ kind: "scan", table: unquote(alter[1]) }, sizes);
  return null;
}
function known(work, sizes) {
  return sizes.has(work.table) ? work : null;
}
function unquote(name2) {
  const bare = name2.replace(/"/g, "");
  return bare.includes(".") ? bare.slice(bare.lastIndexOf(".") + 1) : bare;
}
function formatBytes(bytes) {
  const units = ["bytes", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} bytes` : `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

// src/verdict/facts.ts
var SCANS2 = /\bSET\s+NOT\s+NULL\b|\bADD\s+CONSTRAINT\b[^;]*\b(CHECK|FOREIGN\s+KEY|UNIQUE)\b(?![^;]*\bNOT\s+VALID\b)|\bCREATE\s+UNIQUE\s+INDEX\b(?![^;]*\bCONCURRENTLY\b)|\bVALIDATE\s+CONSTRAINT\b/i;
function factsOf(evidence, context) {
  const facts2 = [];
  const basis = evidence.basis;
  const first = evidence.firstRun;
  if (first?.error) facts2.push(applyFact(evidence, first, context));
  const forward = evidence.status === "applied" ? evidence.forward : null;
  for (const [index, statement] of (forward?.statements ?? []).entries()) {
    const held = heldDuring(forward.statements, index);
    const rewritten = statement.rewrite.filter((relation) => isBaseRelation(relation, context));
    const estimate = context.sizes?.forward.get(index);
    const long = tooLong(estimate, context.sizes?.production);
    const scaled = estimate ? [`production's size: ${estimatePhrase(estimate)} (${estimate.basis})`] : [];
    if (rewritten.length > 0) {
      const summary = `rewrote ${rewritten.join(", ")} in ${formatDuration(statement.ms)}${estimate ? ` on the seeded rows; ${estimatePhrase(estimate)}` : ""}`;
      const rewrite = fact("rewrite", statement.operationIndex, rewritten[0], summary, [
        `\`${oneLine(statement.sql)}\` rewrote ${rewritten.join(", ")} holding ${lockList(held)}`,
        ...scaled
      ], long ? "unsafe" : "warning", basis);
      facts2.push(long ? { ...rewrite, atScale: summary } : rewrite);
    }
    const blocking = held.filter((lock) => BLOCKING_MODES.has(lock.mode));
    if (blocking.length > 0 && !statement.error) {
      const slow = long && rewritten.length === 0;
      const atScale = slow ? `reads every row ${estimatePhrase(estimate)}` : void 0;
      const summary = atScale ? `\`${oneLine(statement.sql, 80)}\` ${atScale}` : `held ${lockList(held)}`;
      const lock = fact("blocking-lock", statement.operationIndex, blocking[0].relation, summary, [`\`${oneLine(statement.sql)}\` ran holding ${lockList(held)}`, ...rewritten.length === 0 ? scaled : []], slow ? "unsafe" : "info", basis);
      facts2.push(atScale ? { ...lock, atScale } : lock);
    }
  }
  if (forward && evidence.contention) facts2.push(...contentionFacts(evidence.contention, forward, "forward", context, basis));
  facts2.push(...probeFacts("old-code-breaks", evidence.oldCode.failures.filter((f3) => f3.probe !== "round-trip"), basis));
  facts2.push(...probeFacts("round-trip", evidence.oldCode.failures.filter((f3) => f3.probe === "round-trip"), basis));
  facts2.push(...probeFacts("new-code-breaks", evidence.newCode.failures, basis));
  for (const fact2 of probeFacts("new-code-breaks", evidence.newCode.broken, basis)) {
    facts2.push({
      ...fact2,
      kind: "new-code-broken",
      severity: "unsafe",
      summary: fact2.summary.replace(" on the old schema", " on the schema its own migrations leave").replace(/^the new code's/, "the new code's own"),
      proof: fact2.proof.map((line) => line.replace(" (old schema)", " (new schema)"))
    });
  }
  const reverse = evidence.reverse;
  if (reverse?.error) {
    if (reverse.error.exception === "IrreversibleError") {
      facts2.push(fact("irreversible", reverse.error.operationIndex, null, "cannot be reversed (IrreversibleError)", [`migrate back: ${firstLine(reverse.error.message)}`], "warning", basis));
    } else facts2.push(errorFact(reverse, "reverse", context, basis));
  }
  const reverseStatements = reverse?.error ? [] : reverse?.statements ?? [];
  for (const [index, statement] of reverseStatements.entries()) {
    const held = heldDuring(reverseStatements, index);
    const rewritten = statement.rewrite.filter((relation) => isBaseRelation(relation, context));
    const estimate = context.sizes?.reverse.get(index);
    const scaled = estimate ? [`production's size: ${estimatePhrase(estimate)} (${estimate.basis})`] : [];
    if (rewritten.length > 0) {
      facts2.push(fact("reverse-rewrite", statement.operationIndex, rewritten[0], `rolling it back rewrites ${rewritten.join(", ")} (${formatDuration(statement.ms)} on the seeded rows${estimate ? `; ${estimatePhrase(estimate)}` : ""})`, [
        `reverse: \`${oneLine(statement.sql)}\` rewrote ${rewritten.join(", ")} holding ${lockList(held)}`,
        ...scaled
      ], "warning", basis));
    } else if (SCANS2.test(statement.sql)) {
      const strong = held.filter((lock) => BLOCKING_MODES.has(lock.mode) && isBaseRelation(lock.relation, context));
      if (strong.length > 0) {
        facts2.push(fact("reverse-scan", statement.operationIndex, strong[0].relation, `rolling it back checks every row of ${strong[0].relation} while holding ${lockName(strong[0].mode)}${estimate ? ` (${estimatePhrase(estimate)})` : ""}`, [
          `reverse: \`${oneLine(statement.sql)}\` ran holding ${lockList(held)}`,
          ...scaled
        ], "warning", basis));
      }
    }
  }
  if (reverse && !reverse.error && evidence.reverseContention) facts2.push(...contentionFacts(evidence.reverseContention, reverse, "reverse", context, basis));
  facts2.push(...lockWaitFacts(evidence, context, basis));
  const rollback = evidence.rollback;
  if (rollback?.error && !reverse?.error) {
    const fact2 = errorFact(rollback, "reverse", context, basis);
    facts2.push({ ...fact2, summary: `rolling back the whole pull request stops here, once its later migrations have run: ${firstLine(rollback.error.message)}` });
  }
  if (evidence.reapply?.error) facts2.push({ ...errorFact(evidence.reapply, "reapply", context, basis), kind: "reapply-error" });
  for (const loss of evidence.dataLoss) facts2.push(lossFact(loss, basis));
  for (const difference of evidence.schemaDrift) {
    facts2.push(fact("schema-drift", null, difference.table, `after migrating forward and back, the schema differs from before it: ${difference.message}`, [], "warning", basis));
  }
  return facts2;
}
function contentionFacts(contention, run, phase, context, basis) {
  const budget = context.maxLockHoldMs ?? 1e3;
  const long = contention.blocked.filter((wait) => wait.timedOut || wait.waitedMs >= budget);
  if (long.length === 0) return [];
  const worst2 = long[0];
  const reads = long.some((wait) => wait.query.startsWith("SELECT"));
  const taker = run.statements.find((statement) => statement.locks.some((lock) => lock.relation === worst2.table && lock.mode === worst2.lock));
  const waited = (wait) => wait.timedOut ? `more than ${budget} ms and gave up (lock_timeout)` : `${formatDuration(wait.waitedMs)}`;
  const summary = `${phase === "reverse" ? "rolling it back, " : ""}the running code's ${reads ? "reads" : "writes"} of ${worst2.table} waited ${worst2.timedOut ? `over ${budget} ms` : formatDuration(worst2.waitedMs)} behind its ${worst2.lock ? lockName(worst2.lock) : "blocking"} lock`;
  const proof = long.map((wait) => `${phase === "reverse" ? "reverse: " : ""}\`${wait.query}\` waited ${waited(wait)} behind ${wait.lock ? lockName(wait.lock) : "a blocking lock"} on ${wait.table}`);
  if (taker) proof.push(`the lock was taken by \`${oneLine(taker.sql)}\`${taker.inTransaction ? " and held to the COMMIT" : ""}, on the seeded rows`);
  return [fact("running-code-waits", taker?.operationIndex ?? null, worst2.table, summary, proof, reads && phase === "forward" ? "unsafe" : "warning", basis)];
}
function lockWaitFacts(evidence, context, basis) {
  const budget = context.maxLockHoldMs ?? 1e3;
  const runs = [evidence.firstRun, evidence.forward, evidence.reverse].filter((run) => run !== null);
  const timedOut = runs.some((run) => run.error?.sqlstate === "55P03");
  const statements = runs.flatMap((run) => run.statements);
  return evidence.lockWaits.filter((wait) => timedOut || wait.waitedMs >= budget).slice(0, 3).map((wait) => {
    const taker = wait.relation === null ? void 0 : statements.find((statement) => statement.locks.some((lock) => lock.relation === wait.relation));
    const sessions = wait.holders.map((holder) => `pid ${holder.pid}${holder.state ? `, ${holder.state}` : ""}`).join("; ");
    const holders = taker ? `the migration's own transaction, which took it with \`${oneLine(taker.sql)}\` (${sessions})` : wait.holders.map((holder) => `\`${oneLine(holder.query || "(no query yet)")}\` (pid ${holder.pid}${holder.state ? `, ${holder.state}` : ""})`).join(", ");
    return fact("lock-wait", taker?.operationIndex ?? null, wait.relation, `a statement of the migration waited ${formatDuration(wait.waitedMs)} or more for a lock${wait.relation ? ` on ${wait.relation}` : ""} held by another session of the same run: ${holders}`, [
      `\`${oneLine(wait.query)}\` waited for ${holders}`,
      "a data migration that opens a second connection waits for its own migration's locks until lock_timeout, in production too"
    ], timedOut ? "unsafe" : "warning", basis);
  });
}
function fact(kind, operationIndex, table, summary, proof, severity, basis) {
  return { kind, operationIndex, model: null, table, summary, proof, severity, certainty: "certain", basis };
}
function isBaseRelation(relation, context) {
  return [...context.baseTables].some((table) => relation === table || relation.startsWith(`${table}_`));
}
function applyFact(evidence, first, context) {
  const base = errorFact(first, "apply", context, evidence.firstBasis);
  if (base.kind !== "apply-error") return base;
  const repairs = evidence.repairs;
  const last = repairs.at(-1);
  if (evidence.status !== "applied" || last === void 0) return base;
  const proof = [
    ...base.proof,
    ...repairs.map(
      (repair) => `the rehearsal ${repair.kind === "empty-tables" ? `emptied ${repair.tables.join(", ")}${repair.rows ? ` (${repair.rows} row${repair.rows === 1 ? "" : "s"})` : ""}` : `repaired ${repair.rows} row${repair.rows === 1 ? "" : "s"} (${repairLabel(repair.kind)}${repair.table ? ` in ${repair.table}` : ""})`} and ran it again: ${repair === last ? "it applied" : "it failed again"}`
    )
  ];
  const everyRow = last.kind === "empty-tables" || last.offendingRows !== null && last.tableRows !== null && last.tableRows > 0 && last.offendingRows >= last.tableRows;
  if (everyRow) {
    return { ...base, proof: [...proof, "every row of the table had the problem: it fails on any table with rows"] };
  }
  if (!repairs.every((repair) => repair.syntheticOnly)) {
    return { ...base, proof: [...proof, "rows of the team's own seed had the problem"] };
  }
  const check = repairs.find((repair) => repair.productionCheck !== null);
  return {
    ...base,
    severity: "warning",
    certainty: "data-dependent",
    summary: `fails on rows the seeder made up${last.offendingRows !== null ? ` (${last.offendingRows} of them)` : ""}: ${firstLine(first.error.message)}`,
    proof,
    ...check?.productionCheck ? { productionCheck: { sql: check.productionCheck.sql, meaning: check.productionCheck.meaning, seededRows: check.offendingRows ?? check.rows } } : {}
  };
}
function repairLabel(kind) {
  switch (kind) {
    case "not-null":
      return "NULLs removed";
    case "unique":
      return "duplicates removed";
    case "too-long":
      return "values shortened";
    case "check":
      return "rows breaking the check removed";
    case "foreign-key":
      return "rows pointing nowhere removed";
    case "ordinary-rows":
      return "only the ordinary rows kept";
    case "empty-tables":
      return "tables emptied";
  }
}
function lossFact(loss, basis) {
  const what = loss.column === null ? `${loss.rowsLost} row${loss.rowsLost === 1 ? "" : "s"} of ${loss.table}` : `${loss.valuesChanged} value${loss.valuesChanged === 1 ? "" : "s"} of ${loss.table}.${loss.column}`;
  const forward = loss.when === "forward";
  return {
    kind: forward ? "data-loss" : "reverse-data-loss",
    operationIndex: loss.operationIndex ?? null,
    model: null,
    table: loss.table,
    summary: forward ? `drops ${what}` : `rolling it back does not restore ${what}`,
    proof: [forward ? `forward: ${what} gone` : `after migrating forward and back: ${what} lost or changed`],
    severity: "warning",
    certainty: "certain",
    basis
  };
}
function probeFacts(kind, failures, basis) {
  const groups = /* @__PURE__ */ new Map();
  for (const failure of failures) {
    const id2 = `${failure.model}\0${failure.operationIndex ?? ""}`;
    groups.set(id2, [...groups.get(id2) ?? [], failure]);
  }
  const old = kind !== "new-code-breaks";
  return [...groups.values()].map((list) => {
    const model = list[0].model;
    const repeats = old && list.every((failure) => failure.sqlstate === "23505");
    const summary = kind === "round-trip" ? `the base code reads back values of ${model} it did not write: ${firstLine(list[0].message)}` : `the ${old ? "base" : "new"} code's ${list.map((f3) => f3.probe.toUpperCase()).join("/")} on ${model} fails${old ? "" : " on the old schema"}: ${firstLine(list[0].message)}`;
    return {
      kind,
      operationIndex: list[0].operationIndex ?? null,
      model: model.toLowerCase(),
      table: list[0].table,
      summary,
      proof: list.map(
        (f3) => f3.probe === "round-trip" ? `old code wrote a ${model} and read it back: ${f3.message}` : `${old ? "old" : "new"} code ${f3.probe.toUpperCase()} on ${model}${old ? "" : " (old schema)"}: ${firstLine(f3.message)}${old && f3.sqlstate ? ` (SQLSTATE ${f3.sqlstate})` : ""}`
      ),
      severity: kind === "new-code-breaks" ? "info" : repeats ? "warning" : "unsafe",
      certainty: repeats ? "data-dependent" : "certain",
      basis,
      sqlstate: list[0].sqlstate
    };
  });
}
function errorFact(run, phase, context, basis) {
  const error = run.error;
  const kind = error.sqlstate === "55P03" ? "lock-timeout" : error.sqlstate === "57014" ? "statement-timeout" : phase === "reverse" ? "reverse-error" : "apply-error";
  const what = phase === "apply" ? "does not apply on the seeded data" : phase === "reverse" ? "cannot be reversed on the rows as the new code leaves them" : "does not apply a second time after its reverse";
  const summary = kind === "lock-timeout" ? `waited more than lock_timeout (${context.lockTimeoutMs} ms) for a lock and gave up` : kind === "statement-timeout" ? "ran past statement_timeout and was cancelled" : `${what}: ${firstLine(error.message)}`;
  const proof = [`${error.exception}: ${firstLine(error.message)}${error.sqlstate ? ` (SQLSTATE ${error.sqlstate})` : ""}`];
  if (error.statement) proof.push(`statement: \`${oneLine(error.statement)}\`${error.params?.length ? ` with ${error.params.join(", ")}` : ""}`);
  const severity = phase === "apply" ? "unsafe" : "warning";
  return { kind, operationIndex: error.operationIndex, model: null, table: null, summary, proof, severity, certainty: "certain", basis, sqlstate: error.sqlstate };
}
function oneLine(sql, max = 160) {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
function firstLine(message) {
  return message.split("\n")[0].trim();
}

// src/verdict/fuse.ts
var LOWER = { error: "unsafe", unsafe: "warning", warning: "info", info: "info" };
var RANK = { info: 0, warning: 1, unsafe: 2, error: 3 };
var lesser = (a, b3) => RANK[a] <= RANK[b3] ? a : b3;
function fuse(ruleFindings, facts2, checked) {
  const owners = assignFacts(ruleFindings, facts2);
  const findings = [];
  for (const rule of ruleFindings) {
    const { model: _model, provenBy, operationIndex, severityWhenSeen, safeAlternativeWhenSeen, explains: _explains, ...finding } = rule;
    const out = { ...finding, operationIndex };
    const related = facts2.filter((fact2) => owners.get(fact2) === rule);
    if (checked !== null && related.length > 0) {
      out.evidence = "rehearsal";
      out.outcome = "seen";
      out.proof = related.flatMap((fact2) => fact2.proof);
      if (safeAlternativeWhenSeen) out.safeAlternative = safeAlternativeWhenSeen;
      out.basis = related[0].basis;
      const check = related.find((fact2) => fact2.productionCheck)?.productionCheck;
      if (check) out.productionCheck = check;
      if (rule.ignored === void 0) {
        out.severity = worstSeverity(
          related.map((fact2) => {
            const warranted = lesser(rule.severity, severityWhenSeen?.[fact2.kind] ?? rule.severity);
            const capped = fact2.certainty === "data-dependent" ? lesser(warranted, "warning") : warranted;
            return RANK[fact2.severity] > RANK[capped] ? fact2.severity : capped;
          })
        );
        const sized = related.find((fact2) => fact2.atScale !== void 0 && RANK[fact2.severity] > RANK[rule.severity]);
        if (sized) out.message = `${out.message}. In the rehearsal it ${sized.atScale}`;
        const dependent = related.find((fact2) => fact2.certainty === "data-dependent");
        if (dependent && related.every((fact2) => fact2.certainty === "data-dependent" || fact2.kind === "blocking-lock")) {
          out.message = `${out.message}. In the rehearsal it ${dependent.summary.replace(/^fails/, "failed")}; whether it fails in production depends on your rows`;
        }
      }
    } else if (checked !== null && provenBy.length > 0 && rule.ignored === void 0 && provenBy.every((kind) => checked(kind, rule))) {
      out.evidence = "rehearsal";
      out.outcome = "not-seen";
      out.severity = LOWER[out.severity];
      out.message = `${out.message}. Not seen in the rehearsal: ${provenBy.map((kind) => NOT_SEEN[kind]).join("; ")}`;
    }
    findings.push(out);
  }
  for (const fact2 of facts2) {
    if (owners.has(fact2) || fact2.kind === "blocking-lock" && fact2.severity === "info") continue;
    findings.push(factFinding(fact2));
  }
  return findings;
}
function assignFacts(rules, facts2) {
  const owners = /* @__PURE__ */ new Map();
  for (const fact2 of facts2) {
    const candidates = rules.filter((rule) => rule.provenBy.includes(fact2.kind) && concerns(fact2, rule));
    if (candidates.length === 0) continue;
    const explaining = fact2.sqlstate ? candidates.find((rule) => rule.explains?.includes(fact2.sqlstate)) : void 0;
    const rejecting = fact2.sqlstate ? candidates.filter((rule) => rule.explains !== void 0 && !rule.explains.includes(fact2.sqlstate)) : [];
    owners.set(fact2, explaining ?? candidates.find((rule) => !rejecting.includes(rule)) ?? candidates[0]);
  }
  return owners;
}
function concerns(fact2, rule) {
  if (fact2.operationIndex !== null && rule.operationIndex !== null) return fact2.operationIndex === rule.operationIndex;
  if (rule.model === null) return fact2.operationIndex === null && fact2.model === null && fact2.table === null;
  const [app, model] = rule.model.split(".");
  return fact2.model === rule.model || fact2.table === `${app}_${model}`;
}
var NOT_SEEN = {
  rewrite: "no table or index was rewritten",
  "old-code-breaks": "the base code's SELECT, INSERT and UPDATE still worked after it",
  "new-code-breaks": "the new code worked on the old schema",
  "apply-error": "it applied on the seeded rows",
  irreversible: "it reversed",
  "reverse-error": "it reversed",
  "data-loss": "no data was lost",
  "blocking-lock": "no statement held a lock that blocks reads or writes",
  "round-trip": "the base code read back what it wrote",
  "reverse-data-loss": "migrating forward and back lost no value"
};
var FACT_RULES = {
  "apply-error": { rule: "apply-failed", breaks: ["data"] },
  "lock-timeout": {
    rule: "lock-timeout",
    breaks: ["locks"],
    alternative: "Keep lock_timeout set for migrations in production and retry them; split the migration so each lock is held briefly."
  },
  "statement-timeout": { rule: "statement-timeout", breaks: ["locks"] },
  "old-code-breaks": { rule: "old-code-breaks", breaks: ["old-code"], deployOrder: "deploy-first" },
  "round-trip": {
    rule: "old-code-round-trip",
    breaks: ["old-code"],
    deployOrder: "multi-step",
    alternative: "Add a new column of the new type beside the old one, write both from the code, backfill, switch reads, and drop the old column in a later release."
  },
  "new-code-breaks": { rule: "new-code-breaks", breaks: ["new-code"], deployOrder: "migrate-first" },
  "new-code-broken": {
    rule: "new-code-broken",
    breaks: ["new-code"],
    alternative: "Make the models and the migrations agree: a field left out of the model only (SeparateDatabaseAndState) must be nullable or have a db_default in the database first; a renamed field keeps its column with db_column."
  },
  rewrite: { rule: "table-rewrite", breaks: ["locks"] },
  irreversible: { rule: "irreversible", breaks: [] },
  "reverse-error": { rule: "reverse-failed", breaks: ["data"] },
  "reapply-error": { rule: "reapply-failed", breaks: [] },
  "data-loss": { rule: "data-loss", breaks: ["data"] },
  "reverse-data-loss": { rule: "reverse-data-loss", breaks: ["data"] },
  "reverse-rewrite": {
    rule: "reverse-table-rewrite",
    breaks: ["locks"],
    alternative: "Plan the rollback as a new forward migration, or make the reverse a no-op where the old code works with the new column (a wider varchar, a nullable column)."
  },
  "reverse-scan": {
    rule: "reverse-validates-by-scan",
    breaks: ["locks"],
    alternative: "Make the reverse re-add the column as nullable (or with a db_default), or add the constraint NOT VALID and validate it separately."
  },
  "schema-drift": { rule: "reverse-schema-drift", breaks: [] },
  "blocking-lock": { rule: "blocking-lock", breaks: ["locks"] },
  "running-code-waits": {
    rule: "running-code-waits",
    breaks: ["locks"],
    alternative: "Keep each blocking lock short: no data migration in the same transaction as a schema change (split it into its own migration, or `atomic = False`), build indexes with AddIndexConcurrently, add constraints NOT VALID and validate them later, and set lock_timeout for migrations in production."
  },
  "lock-wait": {
    rule: "lock-wait",
    breaks: ["locks"],
    alternative: "Use the migration's own connection (`schema_editor.connection`) in RunPython; a second connection waits for the locks the migration's transaction holds."
  }
};
function factFinding(fact2) {
  const spec = FACT_RULES[fact2.kind];
  const finding = {
    rule: spec.rule,
    severity: fact2.severity,
    message: fact2.kind === "new-code-breaks" ? `${fact2.summary}: run the migration before deploying the new code` : fact2.summary,
    line: null,
    evidence: "rehearsal",
    outcome: "seen",
    basis: fact2.basis,
    operationIndex: fact2.operationIndex,
    breaks: spec.breaks,
    proof: fact2.proof
  };
  if (spec.deployOrder) finding.deployOrder = spec.deployOrder;
  if (spec.alternative) finding.safeAlternative = spec.alternative;
  if (fact2.productionCheck) finding.productionCheck = fact2.productionCheck;
  return finding;
}

// src/verdict/assemble.ts
var LOCK_STRENGTH = [
  "AccessShareLock",
  "RowShareLock",
  "RowExclusiveLock",
  "ShareUpdateExclusiveLock",
  "ShareLock",
  "ShareRowExclusiveLock",
  "ExclusiveLock",
  "AccessExclusiveLock"
];
function assembleReport(input) {
  const { review: review2 } = input;
  const evidence = input.evidence ?? null;
  const rehearsal = evidence?.info ?? input.rehearsal ?? { status: "skipped", reason: "the rehearsal was not run (static review only)" };
  const context = {
    input,
    rehearsal,
    evidence,
    notRun: `not established: ${rehearsal.reason ?? "the rehearsal did not run"}`,
    baseTables: new Set(evidence?.baseTables ?? [])
  };
  const added = input.added ?? review2.added;
  const migrations = added.filter((file) => !input.excluded?.has(migrationKey(file))).map((file) => migrationReport(file, context));
  const conflicts = review2.conflicts.map((conflict) => ({
    app: conflict.app,
    leaves: conflict.leaves.map((leaf) => ({ name: leaf.name, path: leaf.path, side: leaf.side })),
    commonAncestor: conflict.commonAncestor,
    branches: conflict.branches,
    overlap: conflict.overlap,
    needsHumanReview: conflict.needsHumanReview,
    reason: conflict.reason,
    preexisting: conflict.preexisting,
    fix: { renames: conflict.fix.renames, patch: conflict.fix.patch, unavailable: conflict.fix.unavailable, mergeCommand: conflict.fix.mergeCommand }
  }));
  const missing = missingMigrations(input.djangoView ?? null);
  const graphProblems = [...review2.problems, ...input.djangoView?.problems ?? []].filter(
    (problem, index, all) => all.findIndex((other) => other.kind === problem.kind && other.path === problem.path) === index
  );
  const verdicts = [
    ...migrations.map((migration) => migration.verdict),
    ...conflicts.map((conflict) => conflict.preexisting ? "warning" : "unsafe"),
    ...review2.edited.map((edit) => edit.severity ?? (edit.change === "modified" ? "warning" : "unsafe")),
    ...graphProblems.map((problem) => problem.severity ?? "error"),
    ...rehearsal.status === "failed" ? ["error"] : [],
    ...input.djangoView?.status === "failed" ? ["error"] : [],
    ...missing.changes?.some((change) => change.databaseOperations.length > 0) ? ["unsafe"] : []
  ];
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: "django-migration-review", version: TOOL_VERSION },
    base: review2.base,
    head: review2.head,
    pullRequest: null,
    mergeBase: review2.mergeBase,
    merge: { tree: review2.merge.tree, clean: review2.merge.clean, conflictedPaths: review2.merge.conflictedPaths },
    projectRoot: input.projectRoot,
    verdict: worstVerdict(verdicts),
    // Written by the report part, which owns the sentences (report/summary.ts).
    summary: "",
    conflicts,
    editedMigrations: review2.edited,
    duplicateNumbers: review2.duplicates,
    graphProblems,
    migrations,
    rehearsal,
    schemaDifferences: migrations.flatMap(
      (migration) => (evidence?.migrations.get(`${migration.app}.${migration.name}`)?.schemaDrift ?? []).map((d2) => ({
        kind: d2.kind,
        table: d2.table,
        ...d2.name ? { name: d2.name } : {},
        message: d2.message
      }))
    ),
    missingMigrations: missing,
    deployOrder: prDeployOrder(migrations),
    timings: input.timings
  };
}
function missingMigrations(view) {
  if (view === null || view.status !== "ran") {
    return { value: null, reason: `not established: ${view?.reason ?? "Django's autodetector needs the project's Python (static review only)"}` };
  }
  if (view.missingMigrations === null) return { value: null, reason: `not established: ${view.missingMigrationsReason ?? "the autodetector did not answer"}` };
  const changes = view.missingMigrations.map((change) => ({ app: change.app, operations: change.operations, databaseOperations: change.databaseOperations }));
  return {
    value: changes.length > 0,
    changes,
    ...changes.length > 0 ? { command: `python manage.py makemigrations ${changes.map((change) => change.app).join(" ")}` } : {}
  };
}
var STATIC_IRREVERSIBLE = /* @__PURE__ */ new Set(["run-python-irreversible", "run-sql-irreversible"]);
var STATIC_BREAKS_OLD_CODE = /* @__PURE__ */ new Set(["remove-field", "remove-model", "rename-field", "rename-model", "add-field-not-null"]);
var STATIC_LOSES_DATA = /* @__PURE__ */ new Set(["remove-field", "remove-model"]);
var STATIC_COMPATIBLE = /* @__PURE__ */ new Set(["add-field-nullable", "add-model", "add-field-volatile-default"]);
var STATIC_ANY = /* @__PURE__ */ new Set([...STATIC_BREAKS_OLD_CODE, ...STATIC_LOSES_DATA, ...STATIC_IRREVERSIBLE]);
function migrationReport(file, context) {
  const { input, evidence } = context;
  const key2 = migrationKey(file);
  const entry = evidence?.migrations.get(key2);
  const rules = input.ruleFindings?.get(key2) ?? [];
  const ran = entry !== void 0 && (entry.status === "applied" || entry.status === "failed");
  const production = context.rehearsal.sizes;
  const sized = production && input.tableSizes ? { production, sizes: input.tableSizes } : null;
  const forwardRun = entry?.status === "applied" ? entry.forward : null;
  const reverseRun = entry?.reverse && entry.reverse.error === null ? entry.reverse : null;
  const forwardEstimates = sized && forwardRun ? estimateRun(forwardRun, sized.sizes, sized.production) : /* @__PURE__ */ new Map();
  const reverseEstimates = sized && reverseRun ? estimateRun(reverseRun, sized.sizes, sized.production) : /* @__PURE__ */ new Map();
  const facts2 = ran ? factsOf(entry, {
    lockTimeoutMs: input.lockTimeoutMs ?? 0,
    ...input.maxLockHoldMs !== void 0 ? { maxLockHoldMs: input.maxLockHoldMs } : {},
    baseTables: context.baseTables,
    ...sized ? { sizes: { production: sized.production, forward: forwardEstimates, reverse: reverseEstimates } } : {}
  }) : [];
  const fused = fuse(rules, facts2, ran ? checkedBy(entry, evidence) : null);
  const lineOf = (index) => index === null || index === void 0 ? null : file.operations.find((operation) => operation.index === index)?.line ?? null;
  for (const finding of fused) if (finding.line === null && finding.operationIndex != null) finding.line = lineOf(finding.operationIndex);
  const findings = [...structuralFindings(input.review, file), ...rehearsalFindings(entry, context, file), ...gapFindings(entry, rules, file), ...fused].sort(
    (a, b3) => compareSeverity(a.severity, b3.severity) || Number(b3.outcome === "seen") - Number(a.outcome === "seen") || (a.line ?? 0) - (b3.line ?? 0)
  );
  const holds = forwardRun ? lockHolds(forwardRun, lineOf, forwardEstimates) : null;
  if (holds) proveMixed(findings, holds, entry.forward);
  const active = findings.filter((finding) => finding.ignored === void 0);
  const matched = (ids) => rules.some((finding) => ids.has(finding.rule));
  const reason = entry?.reason && entry.status !== "applied" ? `not established: ${entry.reason}` : context.notRun;
  const unknown = (why = reason) => ({ value: null, reason: why });
  const forward = entry?.status === "applied" ? entry.forward : null;
  const first = entry?.firstRun ?? null;
  const masked = entry?.oldCode.probed === true && entry.oldCode.failures.length === 0 && entry.oldCode.masked.length > 0;
  const oldGaps = entry?.oldCode.unanswered ?? [];
  const newGaps = entry?.newCode.unanswered ?? [];
  const oldBreaks = entry?.oldCode.probed && !masked ? entry.oldCode.failures.length > 0 ? true : oldGaps.length > 0 ? null : false : null;
  const newBreaks = entry?.newCode.probed ? entry.newCode.failures.length > 0 ? true : newGaps.length > 0 ? null : false : null;
  const evidenceKinds = new Set(active.map((finding) => finding.evidence));
  if (ran) evidenceKinds.add("rehearsal");
  if (active.length > 0 || evidenceKinds.size === 0) evidenceKinds.add("static");
  const basis = entry?.basis ?? "static";
  const recorded = entry?.status === "recorded-applied" ? { basis: "static", reason: entry.reason } : null;
  const onlyCompatible = rules.length > 0 && rules.every((finding) => STATIC_COMPATIBLE.has(finding.rule)) && !matched(STATIC_ANY);
  return {
    app: file.app,
    name: file.name,
    path: file.path,
    operations: file.operations.map((operation) => ({ index: operation.index, type: operation.type, line: operation.line })),
    findings,
    verdict: verdictOf(worstSeverity(active.map((finding) => finding.severity))),
    deployOrder: migrationDeployOrder(oldBreaks, newBreaks, active),
    evidence: [...evidenceKinds].sort(),
    atomic: file.atomic,
    ...file.discoveredBy ? { discoveredBy: file.discoveredBy } : {},
    rehearsal: migrationRehearsal(entry, context),
    appliesOnSeededData: first ? { value: first.error === null, basis: entry.firstBasis, ...first.error ? { error: errorInfo(first, lineOf) } : {} } : recorded ? { value: true, ...recorded } : unknown(),
    backwardCompatible: oldBreaks !== null ? { value: !oldBreaks, basis, failures: entry.oldCode.failures } : matched(STATIC_BREAKS_OLD_CODE) ? { value: false, basis: "static", reason: "read from the migration: the running code cannot work with this change" } : recorded ? { value: true, ...recorded } : onlyCompatible ? { value: true, basis: "static", reason: "read from the migration: it only adds what the running code does not use" } : unknown(
      masked ? `not established: the old code's ${entry.oldCode.masked.join(", ")} already failed after an earlier migration of this pull request` : entry?.oldCode.reason ? `not established: ${entry.oldCode.reason}` : oldGaps.length > 0 ? `not established: ${gapsText("old", oldGaps)}` : reason
    ),
    forwardCompatible: newBreaks !== null ? { value: !newBreaks, basis, failures: entry.newCode.failures } : unknown(
      entry?.newCode.reason ? `not established: ${entry.newCode.reason}` : newGaps.length > 0 ? `not established: ${gapsText("new", newGaps)}` : reason
    ),
    reversible: entry?.reverse ? entry.reverse.error === null && entry.rollback?.error ? { value: false, basis, reason: "its own reverse works, but rolling back the whole pull request fails here", error: errorInfo(entry.rollback, lineOf) } : { value: entry.reverse.error === null, basis, ...entry.reverse.error ? { error: errorInfo(entry.reverse, lineOf) } : {} } : matched(STATIC_IRREVERSIBLE) ? { value: false, basis: "static", reason: "read from the migration: an operation has no reverse, so `migrate` back raises IrreversibleError" } : unknown(entry?.reverseSkipped ? `not established: ${entry.reverseSkipped}` : reason),
    dataLoss: entry && (entry.dataLossMeasured || entry.dataLoss.length > 0) ? { value: entry.dataLoss.length > 0, basis, losses: entry.dataLoss } : matched(STATIC_LOSES_DATA) ? { value: true, basis: "static", reason: "read from the migration: it drops a column or table of the base schema" } : recorded ? { value: false, ...recorded } : unknown(entry?.dataLossSkipped ? `not established: ${entry.dataLossSkipped}` : reason),
    reappliesAfterReverse: entry?.reapply ? { value: entry.reapply.error === null, basis, ...entry.reapply.error ? { error: errorInfo(entry.reapply, lineOf) } : {} } : unknown(entry?.reapplySkipped ? `not established: ${entry.reapplySkipped}` : reason),
    locks: strongestLocks(forward?.statements ?? []),
    ...holds ? { lockHolds: holds } : {},
    ...reverseRun ? { reverseLockHolds: lockHolds(reverseRun, lineOf, reverseEstimates) } : {},
    ...forwardEstimates.size > 0 ? { estimates: [...forwardEstimates.values()] } : {},
    ...forwardRun && entry?.contention ? { contention: entry.contention } : {},
    ...reverseRun && entry?.reverseContention ? { reverseContention: entry.reverseContention } : {},
    ...entry && entry.lockWaits.length > 0 ? { lockWaits: entry.lockWaits } : {},
    ...reverseEstimates.size > 0 ? { reverseEstimates: [...reverseEstimates.values()] } : {},
    rewrites: [...new Set((forward?.statements ?? []).flatMap((statement) => statement.rewrite))].sort(),
    reverseRewrites: [...new Set((entry?.reverse?.statements ?? []).flatMap((statement) => statement.rewrite))].sort(),
    statements: ((forward ?? first)?.statements ?? []).map((statement) => statementRecord(statement, lineOf)),
    reverseStatements: (entry?.reverse?.statements ?? []).map((statement) => statementRecord(statement, lineOf)),
    ...forward && forward.droppedStatements > 0 ? { droppedStatements: forward.droppedStatements } : {},
    ...input.suggestions?.get(key2)?.length ? { suggestions: input.suggestions.get(key2) } : {},
    durationMs: forward ? forward.ms : null
  };
}
function migrationRehearsal(entry, context) {
  if (entry === void 0) {
    return { status: context.rehearsal.status === "ran" ? "not-rehearsed" : "skipped", reason: context.rehearsal.reason ?? "the rehearsal did not run", repairs: [] };
  }
  const status = entry.status === "applied" ? "rehearsed" : entry.status;
  const ran = status === "rehearsed" || status === "failed";
  return {
    status,
    ...entry.reason && !ran ? { reason: entry.reason } : {},
    ...ran ? { basis: entry.basis } : {},
    repairs: entry.repairs.map((repair) => ({
      kind: repair.kind,
      tables: repair.tables,
      columns: repair.columns,
      rows: repair.rows,
      syntheticOnly: repair.syntheticOnly,
      cause: firstLine(repair.cause.message),
      sql: repair.sql,
      productionCheck: repair.productionCheck?.sql ?? null
    })),
    ...entry.notes.length > 0 ? { notes: entry.notes } : {}
  };
}
function gapFindings(entry, rules, file) {
  const gaps = entry?.oldCode.unanswered ?? [];
  if (!entry?.oldCode.probed || entry.oldCode.failures.length > 0 || entry.oldCode.masked.length > 0 || gaps.length === 0) return [];
  const answeredByFile = rules.some((finding) => STATIC_BREAKS_OLD_CODE.has(finding.rule)) || rules.length > 0 && rules.every((finding) => STATIC_COMPATIBLE.has(finding.rule));
  if (answeredByFile) return [];
  return [
    {
      rule: "compatibility-unknown",
      severity: "warning",
      message: `whether the running code still works after it is not known: ${gapsText("old", gaps)}`,
      line: file.line,
      evidence: "rehearsal",
      basis: entry.basis
    }
  ];
}
function gapsText(code2, gaps) {
  const shown = gaps.slice(0, 3).map((gap) => `${gap.probe.toUpperCase()} on ${gap.model} (${gap.reason})`);
  const more = gaps.length > 3 ? ` and ${gaps.length - 3} more` : "";
  return `the ${code2} code's ${shown.join("; ")}${more} could not be tried, so whether it works is not known`;
}
function rehearsalFindings(entry, context, file) {
  const { rehearsal } = context;
  if (rehearsal.status === "skipped" && context.evidence === null && (context.input.rehearsal === void 0 || /switched off/.test(rehearsal.reason ?? ""))) {
    return [];
  }
  const notRehearsed = (reason) => ({
    rule: "not-rehearsed",
    severity: "warning",
    message: `not rehearsed: ${reason}; what this review says about it rests on reading the file alone`,
    line: file.line,
    evidence: "rehearsal",
    basis: "static"
  });
  if (entry === void 0) return [notRehearsed(rehearsal.status === "ran" ? "the rehearsal did not reach it" : rehearsal.reason ?? "the rehearsal did not run")];
  switch (entry.status) {
    case "not-rehearsed":
      return [notRehearsed(entry.reason ?? "the rehearsal did not reach it")];
    case "recorded-applied":
    case "replaced":
      return [
        {
          rule: entry.status === "replaced" ? "squash-not-used" : "recorded-as-applied",
          severity: "info",
          message: entry.reason ?? "",
          line: file.line,
          evidence: "rehearsal",
          outcome: "seen"
        }
      ];
    default:
      return [];
  }
}
function checkedBy(entry, evidence) {
  const applied = entry.status === "applied";
  const appliedFirstTime = applied && entry.firstRun?.error === null;
  return (kind, finding) => {
    switch (kind) {
      case "old-code-breaks":
      case "round-trip": {
        const inconclusive = evidence.inconclusiveModels.some((label) => label.toLowerCase() === finding.model);
        return applied && entry.oldCode.probed && entry.oldCode.masked.length === 0 && !inconclusive;
      }
      case "new-code-breaks":
        return applied && entry.newCode.probed;
      case "apply-error":
        return appliedFirstTime;
      case "rewrite":
      case "blocking-lock":
        return applied;
      case "irreversible":
      case "reverse-error":
        return entry.reverse !== null;
      case "data-loss":
      case "reverse-data-loss":
        return entry.dataLossMeasured;
    }
  };
}
function migrationDeployOrder(oldBreaks, newBreaks, findings) {
  if (oldBreaks !== null && newBreaks !== null) {
    const statedOrder = strictest(findings.map((f3) => f3.deployOrder));
    if (oldBreaks && newBreaks) return "multi-step";
    if (oldBreaks) return statedOrder === "multi-step" ? "multi-step" : "deploy-first";
    if (newBreaks) return "migrate-first";
    return statedOrder;
  }
  return strictest(findings.map((finding) => finding.deployOrder));
}
var ORDER_RANK = { "migrate-first": 0, "deploy-first": 1, "multi-step": 2 };
function strictest(orders) {
  let result = null;
  for (const order of orders) if (order && (result === null || ORDER_RANK[order] > ORDER_RANK[result])) result = order;
  return result;
}
function prDeployOrder(migrations) {
  const orders = migrations.map((migration) => migration.deployOrder).filter((order) => order !== null);
  if (orders.includes("multi-step")) return "multi-step";
  if (orders.includes("deploy-first") && orders.includes("migrate-first")) {
    return orders.every((order) => order === "deploy-first") ? "deploy-first" : "multi-step";
  }
  return orders[0] ?? null;
}
function strongestLocks(statements) {
  const strongest = /* @__PURE__ */ new Map();
  for (const statement of statements) {
    for (const lock of statement.locks) {
      const current = strongest.get(lock.relation);
      if (current === void 0 || LOCK_STRENGTH.indexOf(lock.mode) > LOCK_STRENGTH.indexOf(current)) strongest.set(lock.relation, lock.mode);
    }
  }
  return [...strongest].map(([relation, mode]) => ({ relation, mode })).sort((a, b3) => a.relation < b3.relation ? -1 : 1);
}
function proveMixed(findings, holds, run) {
  const mixed = findings.find((finding) => finding.rule === "mixed-schema-and-data" && finding.ignored === void 0);
  if (!mixed) return;
  const kept = holds.find((hold) => BLOCKING_MODES.has(hold.mode) && hold.until === "commit" && hold.releasedAfterOperation != null && hold.releasedAfterOperation !== hold.operationIndex);
  if (!kept) return;
  const verb = (run.statements[kept.statement]?.sql ?? "").trim().split(/\s+/).slice(0, 2).join(" ").toUpperCase();
  mixed.evidence = "rehearsal";
  mixed.outcome = "seen";
  mixed.proof = [
    ...mixed.proof ?? [],
    `${lockName(kept.mode)} on ${kept.relation} held ${Math.round(kept.heldMs)} ms, from the ${verb}${kept.line !== null ? ` at line ${kept.line}` : ""} through the operation${kept.releasedAfterLine != null ? ` at line ${kept.releasedAfterLine}` : ""} to the COMMIT`
  ];
}
function lockHolds(run, lineOf, estimates = /* @__PURE__ */ new Map()) {
  const holds = /* @__PURE__ */ new Map();
  const operationAt = (ms2) => {
    if (run.commitMs !== null && Math.abs(ms2 - run.commitMs) < 0.5 && run.operations.length > 0) return run.operations.length - 1;
    return run.statements.filter((statement) => statement.startMs <= ms2 && statement.operationIndex !== null).at(-1)?.operationIndex ?? null;
  };
  run.statements.forEach((statement, index) => {
    for (const lock of statement.locks) {
      const id2 = `${lock.relation}\0${lock.mode}`;
      if (holds.has(id2)) continue;
      const heldMs = Math.max(0, Math.round((statement.heldUntilMs - statement.startMs) * 10) / 10);
      const until = statement.inTransaction ? "commit" : "statement";
      const hold = { relation: lock.relation, mode: lock.mode, statement: index, operationIndex: statement.operationIndex, line: lineOf(statement.operationIndex), heldMs, until };
      const releasedAfter = until === "commit" ? operationAt(statement.heldUntilMs) : null;
      if (releasedAfter !== null && releasedAfter !== statement.operationIndex) {
        hold.releasedAfterOperation = releasedAfter;
        hold.releasedAfterLine = lineOf(releasedAfter);
      }
      const estimated = estimatedHold(hold, run, estimates);
      if (estimated !== null) hold.estimatedMs = estimated;
      holds.set(id2, hold);
    }
  });
  const length = (hold) => hold.estimatedMs ?? hold.heldMs;
  return [...holds.values()].sort((a, b3) => LOCK_STRENGTH.indexOf(b3.mode) - LOCK_STRENGTH.indexOf(a.mode) || length(b3) - length(a));
}
function statementRecord(statement, lineOf) {
  return {
    sql: statement.sql,
    ms: statement.ms,
    locks: statement.locks,
    rewrite: statement.rewrite,
    operationIndex: statement.operationIndex,
    line: lineOf(statement.operationIndex),
    ...statement.error ? { error: { ...statement.error, line: lineOf(statement.error.operationIndex) } } : {}
  };
}
function errorInfo(run, lineOf) {
  const error = run.error;
  return { ...error, line: lineOf(error.operationIndex) };
}
function structuralFindings(review2, file) {
  const key2 = migrationKey(file);
  const findings = [];
  for (const conflict of review2.conflicts) {
    if (!conflict.leaves.some((leaf) => leaf.key === key2)) continue;
    const others = conflict.leaves.filter((leaf) => leaf.key !== key2).map((leaf) => `${leaf.name} (${sideLabel(leaf.side)})`);
    const fix2 = conflict.fix.patch ? `apply the attached patch (${conflict.fix.renames.map((r2) => `${r2.from.split(".")[1]} → ${r2.to.split(".")[1]}`).join(", ") || "dependency rewritten"}) or run \`${conflict.fix.mergeCommand}\`` : `run \`${conflict.fix.mergeCommand}\``;
    const dependencyLine = file.dependencies.find((d2) => d2.kind === "migration" && d2.app === file.app)?.line ?? file.line;
    findings.push({
      rule: "conflicting-leaves",
      severity: conflict.preexisting ? "warning" : "unsafe",
      message: `after the merge, app '${file.app}' has ${conflict.leaves.length} leaf migrations: ${file.name} (this PR) and ${others.join(", ")}; \`migrate\` will stop with "Conflicting migrations detected". Fix: ${fix2}.` + (conflict.needsHumanReview ? ` Look first: ${conflict.reason}.` : ""),
      line: dependencyLine,
      evidence: "static"
    });
  }
  for (const problem of review2.problems) {
    if (problem.path !== file.path) continue;
    findings.push({ rule: problem.kind, severity: problem.severity ?? "error", message: problem.message, line: problem.line, evidence: "static" });
  }
  for (const part of file.dynamic) {
    findings.push({
      rule: "dynamic-source",
      severity: "info",
      message: `\`${part.attribute}\` cannot be read without running Python (${part.reason}); the static rules do not see it`,
      line: part.line,
      evidence: "static"
    });
  }
  return findings;
}
function sideLabel(side) {
  return side === "main" ? "base branch" : side === "pr" ? "this PR" : "both";
}

// src/review/checkouts.ts
import { existsSync as existsSync2 } from "node:fs";
import { cp, stat } from "node:fs/promises";
import { isAbsolute, join as join3, normalize, relative } from "node:path";
import { tmpdir as tmpdir2 } from "node:os";

// src/git/checkout.ts
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
async function exportTree(repo, tree, label, resources, parent = tmpdir()) {
  const dir = await mkdtemp(join(parent, `dmr-${resources.runId}-${label}-`));
  resources.defer(`checkout ${dir}`, () => rm(dir, { recursive: true, force: true }), { kind: "folder", path: dir });
  const env = { GIT_INDEX_FILE: join(dir, ".dmr-index") };
  const checkoutDir = join(dir, "src");
  for (const args of [
    ["read-tree", tree],
    ["checkout-index", "--all", "--force", `--prefix=${checkoutDir}/`]
  ]) {
    const result = await repo.run(args, { env });
    if (result.exitCode !== 0) throw new GitCommandError(args, result.exitCode, result.stderr);
  }
  await rm(env.GIT_INDEX_FILE, { force: true });
  return checkoutDir;
}

// src/git/worktree-blobs.ts
import { createHash } from "node:crypto";
import { existsSync, readFileSync as readFileSync2, statSync } from "node:fs";
import { join as join2 } from "node:path";
var MAX_FILE_BYTES = 16 * 1024 * 1024;
var SAMPLE = 8;
function mostlyLoose(objectsDir, wanted) {
  const sample = wanted.slice(0, SAMPLE);
  const loose = sample.filter(({ blob }) => existsSync(join2(objectsDir, blob.slice(0, 2), blob.slice(2)))).length;
  return sample.length > 0 && loose * 2 > sample.length;
}
function blobId(content2, algorithm) {
  return createHash(algorithm).update(`blob ${content2.length}\0`).update(content2).digest("hex");
}
function readFromWorkTree(topLevel, wanted) {
  const found = /* @__PURE__ */ new Map();
  for (const { blob, path } of wanted) {
    let content2;
    try {
      const file = join2(topLevel, path);
      const stat2 = statSync(file);
      if (!stat2.isFile() || stat2.size > MAX_FILE_BYTES) continue;
      content2 = readFileSync2(file);
    } catch {
      continue;
    }
    if (blobId(content2, blob.length === 64 ? "sha256" : "sha1") === blob) found.set(blob, content2.toString("utf8"));
  }
  return found;
}

// src/git/trees.ts
async function listTree(repo, treeish) {
  const out = await repo.text(["ls-tree", "-r", "-z", "--full-tree", treeish]);
  const entries = [];
  for (const record of out.split("\0")) {
    if (record === "") continue;
    const tab2 = record.indexOf("	");
    const [mode, type, blob] = record.slice(0, tab2).split(" ");
    if (type !== "blob") continue;
    entries.push({ path: record.slice(tab2 + 1), blob, mode });
  }
  return entries;
}
async function treeBytes(repo, treeish) {
  const out = await repo.text(["ls-tree", "-r", "-l", "-z", "--full-tree", treeish]);
  let total = 0;
  for (const record of out.split("\0")) {
    const size = Number(record.slice(0, record.indexOf("	")).trim().split(/\s+/)[3]);
    if (Number.isFinite(size)) total += size;
  }
  return total;
}
var BlobStore = class {
  texts = /* @__PURE__ */ new Map();
  repo;
  constructor(repo) {
    this.repo = repo;
  }
  /**
   * Reads all the blobs not yet known: those given with their path from the
   * work tree where the file there is that blob (when they are loose objects),
   * the rest in one `git cat-file --batch`.
   */
  async load(wanted) {
    const atPaths = /* @__PURE__ */ new Map();
    const ids = /* @__PURE__ */ new Set();
    for (const item of wanted) {
      const id2 = typeof item === "string" ? item : item.blob;
      if (this.texts.has(id2)) continue;
      ids.add(id2);
      if (typeof item !== "string") atPaths.set(id2, item);
    }
    const fromWorkTree = [...atPaths.values()];
    if (fromWorkTree.length > 0 && mostlyLoose(this.repo.objectsDir, fromWorkTree)) {
      for (const [id2, text2] of readFromWorkTree(this.repo.topLevel, fromWorkTree)) this.texts.set(id2, text2);
    }
    const missing = [...ids].filter((id2) => !this.texts.has(id2));
    if (missing.length === 0) return;
    const result = await this.repo.run(["cat-file", "--batch"], { input: missing.join("\n") + "\n" });
    if (result.exitCode !== 0) throw new Error(`git cat-file --batch failed: ${result.stderr.trim()}`);
    for (const [id2, content2] of parseBatch(result.stdout)) this.texts.set(id2, content2);
  }
  text(id2) {
    const text2 = this.texts.get(id2);
    if (text2 === void 0) throw new Error(`blob ${id2} was not loaded`);
    return text2;
  }
  get size() {
    return this.texts.size;
  }
};
function* parseBatch(output) {
  let offset = 0;
  while (offset < output.length) {
    const newline2 = output.indexOf(10, offset);
    const header = output.toString("utf8", offset, newline2).split(" ");
    offset = newline2 + 1;
    if (header[1] === "missing") throw new Error(`git object ${header[0]} is missing`);
    const size = Number(header[2]);
    yield [header[0], output.toString("utf8", offset, offset + size)];
    offset += size + 1;
  }
}

// src/review/checkouts.ts
async function exportCheckouts(repo, review2, includePaths, resources, env) {
  const sources = await Promise.all(includePaths.map((path) => includedPath(repo, path)));
  const [baseTree, newCodeTree] = await Promise.all([repo.treeOf(review2.base.sha), review2.merge.clean ? review2.merge.tree : repo.treeOf(review2.head.sha)]);
  const bytes = env.TMPDIR ? 0 : (await Promise.all([treeBytes(repo, baseTree), treeBytes(repo, newCodeTree)])).reduce((a, b3) => a + b3, 0);
  const parent = env.TMPDIR || memoryDir(bytes) || tmpdir2();
  const [base, next] = await Promise.all([exportTree(repo, baseTree, "base", resources, parent), exportTree(repo, newCodeTree, "new", resources, parent)]);
  for (const { from, path } of sources) {
    await Promise.all([base, next].map((dir) => cp(from, join3(dir, path), { recursive: true, force: true, errorOnExist: false })));
  }
  return { base, new: next };
}
async function includedPath(repo, given) {
  const path = normalize(given).replace(/\/+$/, "");
  if (isAbsolute(path) || path === ".." || path.startsWith("../") || relative(repo.topLevel, join3(repo.topLevel, path)).startsWith("..")) {
    throw new UsageError(`include-paths: '${given}' is outside the repository; give a path relative to its top folder`);
  }
  const from = join3(repo.topLevel, path);
  try {
    await stat(from);
  } catch {
    throw new UsageError(`include-paths: '${given}' does not exist in the working tree (${from}); write it there before the review runs`);
  }
  return { from, path };
}
function untrackedModuleFile(repo, projectRoot, checkout, module) {
  const parts = module.split(".");
  for (const candidate of [`${parts.join("/")}.py`, `${parts.join("/")}/__init__.py`]) {
    const path = projectRoot ? `${projectRoot}/${candidate}` : candidate;
    if (existsSync2(join3(repo.topLevel, path)) && !existsSync2(join3(checkout, path))) return path;
  }
  return null;
}

// src/review/django-view.ts
import { createHash as createHash2 } from "node:crypto";

// src/django/settings-module.ts
import { readFile } from "node:fs/promises";
import { join as join4 } from "node:path";
var SETDEFAULT = /DJANGO_SETTINGS_MODULE["']\s*,\s*["']([A-Za-z_][\w.]*)["']/;
async function findSettingsModule(projectDir, given) {
  if (given) return given;
  let source;
  try {
    source = await readFile(join4(projectDir, "manage.py"), "utf8");
  } catch {
    throw new DjangoBridgeError("settings", `no manage.py in ${projectDir} to read DJANGO_SETTINGS_MODULE from: set the settings input (--settings), and project-root if the project is in a subfolder`);
  }
  const match = SETDEFAULT.exec(source);
  if (match === null) {
    throw new DjangoBridgeError("settings", `manage.py in ${projectDir} does not set DJANGO_SETTINGS_MODULE: set the settings input (--settings)`);
  }
  return match[1];
}

// src/review/django-view.ts
var NOT_CONNECTED = { host: "127.0.0.1", port: 9, user: "django_migration_review", password: void 0, database: "not_connected" };
async function startPython(repo, options, checkouts, resources, logger) {
  const projectDir = (dir) => options.projectRoot ? `${dir}/${options.projectRoot}` : dir;
  const settingsModule = await findSettingsModule(projectDir(checkouts.new), options.settings);
  const started = [];
  resources.defer("python processes", async () => {
    await Promise.all(started.map((process2) => process2.close()));
  });
  const start = async (role) => {
    try {
      const process2 = await DjangoProcess.start({
        python: role === "base" ? options.basePython ?? options.python : options.python,
        env: options.env,
        projectDir: projectDir(checkouts[role]),
        settingsModule,
        database: NOT_CONNECTED,
        lockTimeoutMs: options.lockTimeoutMs,
        statementTimeoutMs: options.statementTimeoutMs,
        label: role,
        logger
      });
      started.push(process2);
      if (process2.pid !== void 0) {
        const untrack = resources.track(`${role} python (pid ${process2.pid})`, { kind: "process", pid: process2.pid, command: "dmr_helper" });
        void process2.closed.then(untrack);
      }
      return process2;
    } catch (error) {
      throw explainStart(error, role, repo, options, checkouts);
    }
  };
  const [base, next] = await Promise.allSettled([start("base"), start("new")]);
  if (next.status === "rejected") throw next.reason;
  if (base.status === "rejected") throw baseStartHint(base.reason, options);
  return { base: base.value, new: next.value };
}
function baseStartHint(error, options) {
  if (!(error instanceof DjangoBridgeError) || options.basePython !== void 0 || error.message.includes("include-paths")) return error;
  return new DjangoBridgeError(
    error.kind,
    `the base branch's code does not start with ${options.python}, while the new code does: ${error.message}. If this pull request changes the requirements (a Django upgrade), set base-python (--base-python) to an interpreter with the base branch's requirements`,
    { cause: error }
  );
}
function explainStart(error, role, repo, options, checkouts) {
  if (!(error instanceof DjangoBridgeError) || error.kind !== "settings" || !error.missingModule) return error;
  const file = untrackedModuleFile(repo, options.projectRoot, checkouts[role], error.missingModule);
  if (file === null) return error;
  return new DjangoBridgeError(
    "settings",
    `${error.detail}. ${file} is in your working tree but not in git (untracked or gitignored), so the code under review does not have it: set include-paths (--include-paths ${file}) to copy it in`,
    { cause: error }
  );
}
async function askDjango(input) {
  const { processes, review: review2, projectRoot } = input;
  const projectDir = (dir) => projectRoot ? `${dir}/${projectRoot}` : dir;
  const [merged, base, missing] = await Promise.all([
    processes.new.call("diskMigrations", { projectDir: projectDir(input.checkouts.new) }),
    processes.base.call("diskMigrations", { projectDir: projectDir(input.checkouts.base) }),
    processes.new.call("missingMigrations", { projectDir: projectDir(input.checkouts.new) }).then(
      (changes) => ({ changes, reason: void 0 }),
      (error) => ({ changes: null, reason: `the autodetector failed: ${error.message}` })
    )
  ]);
  const repoPath = (file) => projectRoot ? `${projectRoot}/${file}` : file;
  const problems = [];
  if (merged.graphError) {
    problems.push({ kind: "django-loader-error", message: `Django's loader cannot load the migrations: ${merged.graphError.exception}: ${merged.graphError.message}`, path: projectRoot || ".", line: 1, tree: "merge" });
  }
  const ours = (entry) => entry.inProject === true && entry.file !== void 0;
  const baseKeys = new Set(base.migrations.filter(ours).map((entry) => `${entry.app}.${entry.name}`));
  const byPath = new Map(merged.migrations.filter(ours).map((entry) => [repoPath(entry.file), entry]));
  const staticAdded = new Set(review2.added.map(migrationKey));
  const added = review2.added.map((file) => {
    const seen = byPath.get(file.path);
    return seen && (seen.app !== file.app || seen.name !== file.name) ? { ...file, app: seen.app, name: seen.name } : file;
  });
  const known2 = /* @__PURE__ */ new Set([...added.map(migrationKey), ...staticAdded]);
  for (const file of review2.added) {
    if (!byPath.has(file.path)) {
      problems.push({
        kind: "static-only-migration",
        severity: "warning",
        message: `${migrationKey(file)} is a migration file, but Django's loader does not import it (is its app in INSTALLED_APPS, or is another module its migrations package?): \`migrate\` will not run it`,
        path: file.path,
        line: 1,
        tree: "merge"
      });
    }
  }
  for (const entry of merged.migrations.filter(ours)) {
    const key2 = `${entry.app}.${entry.name}`;
    const path = repoPath(entry.file);
    if (entry.symlink && !entry.targetInProject) {
      problems.push({ kind: "symlink-outside-repository", message: `${path} is a symlink to a file outside the repository: \`migrate\` would import code that is not under review`, path, line: 1, tree: "merge" });
    }
    if (baseKeys.has(key2) || known2.has(key2)) continue;
    const how = entry.symlink ? "a symlink" : entry.sourceless ? "a sourceless .pyc module" : `module ${entry.module} (MIGRATION_MODULES or AppConfig.label)`;
    problems.push({
      kind: "django-only-migration",
      severity: "warning",
      message: `Django's loader imports ${key2} from ${how}, which the file review did not find; it is reviewed from the source Django imported`,
      path,
      line: 1,
      tree: "merge"
    });
    const file = hiddenMigration(entry, path);
    if (file instanceof MigrationParseError) problems.push({ kind: "syntax-error", message: file.message, path, line: file.line, tree: "merge" });
    else if (file !== null) added.push(file);
  }
  const conflictingApps2 = merged.graphError ? null : new Set(Object.keys(merged.conflicts));
  const sources = /* @__PURE__ */ new Map();
  for (const file of added) {
    if (file.discoveredBy !== "django") continue;
    const source = merged.migrations.find((entry) => entry.app === file.app && entry.name === file.name)?.source;
    if (source) sources.set(migrationKey(file), source);
  }
  return {
    view: {
      status: "ran",
      djangoVersion: processes.new.info.django,
      hidden: added.filter((file) => file.discoveredBy === "django"),
      problems,
      missingMigrations: missing.changes,
      ...missing.reason ? { missingMigrationsReason: missing.reason } : {}
    },
    added,
    conflictingApps: conflictingApps2,
    dependencies: dependenciesOf(merged),
    sources,
    imported: new Set(byPath.keys()),
    baseMigrations: base.migrations.map((entry) => [`${entry.app}.${entry.name}`, entry.source === null ? null : blobId2(entry.source)])
  };
}
function blobId2(text2) {
  const bytes = Buffer.from(text2, "utf8");
  return createHash2("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}
function hiddenMigration(entry, path) {
  if (entry.source === null) return null;
  const nominal = `${entry.app}/migrations/${entry.name}.py`;
  try {
    return { ...parseMigration(entry.source, nominal), path, discoveredBy: "django" };
  } catch (error) {
    if (error instanceof MigrationParseError) return new MigrationParseError(path, error.line, error.column, error.message.slice(nominal.length + 1).replace(/^\d+:\d+: /, ""));
    throw error;
  }
}
function dependenciesOf(view) {
  return new Map(view.migrations.map((entry) => [`${entry.app}.${entry.name}`, entry.dependencies.map(([app, name2]) => `${app}.${name2}`)]));
}

// src/review/secrets.ts
var MASK = "***";
function secretsOf(options) {
  if (!options.databaseUrl) return [];
  const found = /* @__PURE__ */ new Set();
  const add = (raw) => {
    if (!raw) return;
    found.add(raw);
    try {
      found.add(decodeURIComponent(raw));
    } catch {
    }
  };
  add(/^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:([^@]*)@/i.exec(options.databaseUrl)?.[1]);
  add(/[?&]password=([^&]*)/i.exec(options.databaseUrl)?.[1]);
  return [...found].filter((secret) => secret.length >= 3).sort((a, b3) => b3.length - a.length);
}
function redact(text2, secrets) {
  let out = text2;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}
function redactingLogger(logger, secrets) {
  if (secrets.length === 0) return logger;
  const mask = (message) => redact(message, secrets);
  return {
    info: (message) => logger.info(mask(message)),
    warning: (message) => logger.warning(mask(message)),
    debug: (message) => logger.debug(mask(message)),
    ...logger.group ? { group: (title, work) => logger.group(mask(title), work) } : {}
  };
}
function redactDeep(value, secrets) {
  if (secrets.length === 0) return value;
  const visit = (node) => {
    if (typeof node === "string") return redact(node, secrets);
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = visit(node[i]);
      return node;
    }
    if (node !== null && typeof node === "object" && !(node instanceof Map) && !(node instanceof Set)) {
      for (const key2 of Object.keys(node)) node[key2] = visit(node[key2]);
    }
    return node;
  };
  return visit(value);
}
function redactError(error, secrets) {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    current.message = redact(current.message, secrets);
    if (current.stack) current.stack = redact(current.stack, secrets);
    current = current.cause;
  }
  return error;
}

// src/graph/unified-diff.ts
var CONTEXT = 3;
function gitPatch(edits) {
  return edits.map(fileDiff).join("");
}
function fileDiff(edit) {
  const oldLines = splitLines(edit.oldText);
  const newLines = splitLines(edit.newText);
  const ops = lineOps(oldLines, newLines);
  const same2 = ops.filter((op) => op.kind === "same").length;
  const similarity = Math.floor(100 * same2 / Math.max(oldLines.length, newLines.length, 1));
  let out = `diff --git a/${edit.oldPath} b/${edit.newPath}
`;
  if (edit.oldPath !== edit.newPath) {
    out += `similarity index ${similarity}%
rename from ${edit.oldPath}
rename to ${edit.newPath}
`;
  }
  const hunks = buildHunks(ops, !edit.oldText.endsWith("\n") && edit.oldText !== "", !edit.newText.endsWith("\n") && edit.newText !== "");
  if (hunks.length === 0) return out;
  out += `--- a/${edit.oldPath}
+++ b/${edit.newPath}
`;
  for (const hunk of hunks) out += hunk;
  return out;
}
function splitLines(text2) {
  const lines = text2.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}
function lineOps(a, b3) {
  let head = 0;
  while (head < a.length && head < b3.length && a[head] === b3[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b3.length - head && a[a.length - 1 - tail] === b3[b3.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b3.slice(head, b3.length - tail);
  const n = midA.length;
  const m2 = midB.length;
  const table = Array.from({ length: n + 1 }, () => new Uint32Array(m2 + 1));
  for (let i2 = n - 1; i2 >= 0; i2--) {
    for (let j4 = m2 - 1; j4 >= 0; j4--) {
      table[i2][j4] = midA[i2] === midB[j4] ? table[i2 + 1][j4 + 1] + 1 : Math.max(table[i2 + 1][j4], table[i2][j4 + 1]);
    }
  }
  const ops = a.slice(0, head).map((text2) => ({ kind: "same", text: text2 }));
  let i = 0;
  let j3 = 0;
  while (i < n || j3 < m2) {
    if (i < n && j3 < m2 && midA[i] === midB[j3]) {
      ops.push({ kind: "same", text: midA[i] });
      i++;
      j3++;
    } else if (i < n && (j3 === m2 || table[i + 1][j3] >= table[i][j3 + 1])) {
      ops.push({ kind: "del", text: midA[i++] });
    } else {
      ops.push({ kind: "add", text: midB[j3++] });
    }
  }
  for (const text2 of a.slice(a.length - tail)) ops.push({ kind: "same", text: text2 });
  return ops;
}
function buildHunks(ops, oldNoEol, newNoEol) {
  const lastOld = ops.map((op) => op.kind !== "add").lastIndexOf(true);
  const lastNew = ops.map((op) => op.kind !== "del").lastIndexOf(true);
  const NO_EOL = "\\ No newline at end of file\n";
  const changed = ops.map((op, index) => op.kind === "same" ? -1 : index).filter((index) => index >= 0);
  if (changed.length === 0) return [];
  const groups = [];
  for (const index of changed) {
    const last = groups[groups.length - 1];
    if (last && index - last[1] <= 2 * CONTEXT) last[1] = index;
    else groups.push([index, index]);
  }
  const hunks = [];
  for (const [first, last] of groups) {
    const start = Math.max(0, first - CONTEXT);
    const end = Math.min(ops.length - 1, last + CONTEXT);
    let oldStart = 1;
    let newStart = 1;
    for (let k2 = 0; k2 < start; k2++) {
      if (ops[k2].kind !== "add") oldStart++;
      if (ops[k2].kind !== "del") newStart++;
    }
    let oldCount = 0;
    let newCount = 0;
    let body = "";
    for (let k2 = start; k2 <= end; k2++) {
      const op = ops[k2];
      if (op.kind !== "add") oldCount++;
      if (op.kind !== "del") newCount++;
      body += `${op.kind === "same" ? " " : op.kind === "del" ? "-" : "+"}${op.text}
`;
      if (oldNoEol && k2 === lastOld && op.kind !== "add" || newNoEol && k2 === lastNew && op.kind === "add") body += NO_EOL;
    }
    const oldLabel = oldCount === 0 ? oldStart - 1 : oldStart;
    const newLabel = newCount === 0 ? newStart - 1 : newStart;
    hunks.push(`@@ -${oldLabel},${oldCount} +${newLabel},${newCount} @@
${body}`);
  }
  return hunks;
}

// src/graph/conflict-fix.ts
function buildConflictFix(conflict, inputs) {
  const mergeCommand = `python manage.py makemigrations --merge ${conflict.app}`;
  const unavailable = (reason) => ({ renames: [], rewrites: [], patch: null, unavailable: reason, mergeCommand });
  const prLeaves = conflict.leaves.filter((leaf) => leaf.side === "pr");
  const otherLeaves = conflict.leaves.filter((leaf) => leaf.side !== "pr");
  if (prLeaves.length === 0) return unavailable("the pull request adds none of these leaves; the base branch has the conflict itself");
  if (otherLeaves.length === 0) return unavailable(`the pull request itself leaves ${prLeaves.length} leaves in '${conflict.app}': add a merge migration`);
  if (otherLeaves.length > 1) return unavailable(`the base branch itself has ${otherLeaves.length} leaves in '${conflict.app}'`);
  const chain = conflict.branches.pr;
  if (chain.length === 0 || chain.some((key2) => !inputs.prAdded.has(key2))) {
    return unavailable("the migrations after the common ancestor are not all new in the pull request");
  }
  const { merged } = inputs;
  const target = otherLeaves[0].key;
  const inChain = new Set(chain);
  const renamed = /* @__PURE__ */ new Map();
  const taken = new Set([...merged.files.keys()].filter((key2) => !inChain.has(key2)));
  let next = Math.max(0, ...[...taken].filter((key2) => key2.startsWith(`${conflict.app}.`)).map(numberOf)) + 1;
  for (const key2 of chain) {
    const { app, name: name2 } = parseMigrationKey(key2);
    const match = /^(\d+)_(.*)$/.exec(name2);
    let newName = name2;
    if (match !== null) {
      do
        newName = `${String(next++).padStart(4, "0")}_${match[2]}`;
      while (taken.has(`${app}.${newName}`));
    }
    taken.add(`${app}.${newName}`);
    if (newName !== name2) renamed.set(key2, `${app}.${newName}`);
  }
  const edits = /* @__PURE__ */ new Map();
  const rewrites = [];
  const editOf = (file) => {
    if (!edits.has(file.path)) {
      const newKey = renamed.get(migrationKey(file));
      const newPath = newKey ? file.path.replace(/[^/]+\.py$/, `${parseMigrationKey(newKey).name}.py`) : file.path;
      edits.set(file.path, { file, text: inputs.readText(file.path), newPath });
    }
    return edits.get(file.path);
  };
  for (const key2 of chain) {
    const file = merged.files.get(key2);
    const edit = editOf(file);
    const sameApp = file.dependencies.filter(
      (dependency) => dependency.kind === "migration" && dependency.app === conflict.app && dependency.name !== "__first__"
    );
    const outside = sameApp.filter((dependency) => dependency.kind === "migration" && !inChain.has(migrationKey(dependency)));
    if (sameApp.length > 0 && outside.length === sameApp.length) {
      for (const dependency of outside) {
        if (dependency.kind !== "migration") continue;
        const from = migrationKey(dependency);
        const replaced = replaceReference(edit.text, dependency.app, dependency.name, parseMigrationKey(target).name);
        if (replaced === edit.text) return unavailable(`could not find the dependency on ${from} in ${file.path}`);
        edit.text = replaced;
        rewrites.push({ path: edit.newPath, from, to: target });
      }
    } else if (sameApp.length === 0) {
      const inserted = insertDependency(edit.text, target);
      if (inserted === null) return unavailable(`could not add a dependency on ${target} to ${file.path}`);
      edit.text = inserted;
      rewrites.push({ path: edit.newPath, from: "(none)", to: target });
    }
  }
  for (const key2 of inputs.prAdded) {
    const file = merged.files.get(key2);
    if (file === void 0) continue;
    const refs = [...file.dependencies.flatMap((d2) => d2.kind === "migration" ? [d2] : []), ...file.runBefore, ...file.replaces];
    for (const ref of refs) {
      const to2 = renamed.get(migrationKey(ref));
      if (to2 === void 0) continue;
      const edit = editOf(file);
      const replaced = replaceReference(edit.text, ref.app, ref.name, parseMigrationKey(to2).name);
      if (replaced !== edit.text) {
        edit.text = replaced;
        rewrites.push({ path: edit.newPath, from: migrationKey(ref), to: to2 });
      }
    }
  }
  const fileEdits = [...edits.values()].map(({ file, text: text2, newPath }) => ({ oldPath: file.path, newPath, oldText: inputs.readText(file.path), newText: text2 })).sort((a, b3) => a.oldPath < b3.oldPath ? -1 : 1);
  const renames = chain.filter((key2) => renamed.has(key2)).map((key2) => {
    const edit = edits.get(merged.files.get(key2).path);
    return { from: key2, to: renamed.get(key2), fromPath: edit.file.path, toPath: edit.newPath };
  });
  const check = checkPatchedTree(conflict.app, inputs, edits);
  if (check !== null) return unavailable(check);
  return { renames, rewrites, patch: gitPatch(fileEdits), unavailable: null, mergeCommand };
}
function numberOf(key2) {
  const match = /^(\d+)_/.exec(parseMigrationKey(key2).name);
  return match ? Number(match[1]) : 0;
}
var escapeRegExp = (text2) => text2.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
function replaceReference(text2, app, oldName, newName) {
  const pattern = new RegExp(`(["'])${escapeRegExp(app)}\\1(\\s*,\\s*)(["'])${escapeRegExp(oldName)}\\3`, "g");
  return text2.replace(pattern, (_match, q1, between, q22) => `${q1}${app}${q1}${between}${q22}${newName}${q22}`);
}
function insertDependency(text2, target) {
  const { app, name: name2 } = parseMigrationKey(target);
  const match = /(\n([ \t]*)dependencies\s*(?::[^=\n]+)?=\s*\[)([ \t]*\]?)/.exec(text2);
  if (match === null) return null;
  const indent2 = match[2];
  const closesAtOnce = match[3].trim() === "]";
  const entry = `
${indent2}    ("${app}", "${name2}"),`;
  const at2 = match.index + match[1].length;
  return closesAtOnce ? `${text2.slice(0, at2)}${entry}
${indent2}]${text2.slice(at2 + match[3].length)}` : `${text2.slice(0, at2)}${entry}${text2.slice(at2)}`;
}
function checkPatchedTree(app, inputs, edits) {
  const files = [];
  for (const file of inputs.merged.files.values()) {
    const edit = edits.get(file.path);
    if (edit === void 0) {
      files.push(file);
      continue;
    }
    try {
      files.push(inputs.parse(edit.text, edit.newPath));
    } catch (error) {
      return `the patched ${edit.newPath} does not parse: ${error.message}`;
    }
  }
  const graph = buildGraph(files, inputs.merged.apps, { swappable: inputs.swappable });
  const leaves = leafNodes(graph, app);
  if (graph.problems.length > inputs.merged.problems.length) return `the patched tree has a new problem: ${graph.problems.at(-1).message}`;
  if (leaves.length !== 1) return `the renamed migrations still leave ${leaves.length} leaves in '${app}'`;
  return null;
}

// src/graph/conflicts.ts
function sideOf(key2, sides) {
  if (sides.mergeBase.has(key2)) return "both";
  if (sides.head.has(key2) && !sides.base.has(key2)) return "pr";
  if (sides.base.has(key2) && !sides.head.has(key2)) return "main";
  return "both";
}
function graphUnknowns(graph) {
  const unknowns = [];
  for (const file of graph.files.values()) {
    const migration = migrationKey(file);
    for (const part of file.dynamic) {
      if (part.attribute === "dependencies" || part.attribute === "run_before" || part.attribute === "replaces") {
        unknowns.push({ app: file.app, migration, path: file.path, line: part.line, what: part.attribute, reason: part.reason });
      }
    }
    for (const dependency of file.dependencies) {
      if (dependency.kind === "dynamic") {
        unknowns.push({ app: file.app, migration, path: file.path, line: dependency.line, what: "dependencies", reason: `${dependency.source}: ${dependency.reason}` });
      }
    }
  }
  return unknowns;
}
function settleConflicts(graph, unknowns = graphUnknowns(graph)) {
  const settled = /* @__PURE__ */ new Map();
  const unsettled = [];
  for (const [app, leaves] of conflictingApps(graph)) {
    const lineages = new Map(leaves.map((leaf) => [leaf, ancestors(graph, leaf)]));
    const before = (key2, leaf) => key2 === leaf || lineages.get(leaf).has(key2);
    const mayJoin = (unknown, leaf) => {
      if (unknown.migration === null || unknown.what === "replaces") return true;
      if (unknown.what === "module") {
        const key3 = unknown.migration;
        return ![...graph.nodes.values()].some((node) => before(node.key, leaf) && node.file.dependencies.some((d2) => d2.kind === "migration" && migrationKey(d2) === key3));
      }
      const key2 = graph.replacedBy.get(unknown.migration) ?? unknown.migration;
      if (!graph.nodes.has(key2)) return true;
      return unknown.what === "run_before" ? key2 === leaf : !before(key2, leaf);
    };
    const own = unknowns.filter((unknown) => unknown.app === app);
    const certain = leaves.filter((leaf) => !own.some((unknown) => mayJoin(unknown, leaf)));
    if (certain.length >= 2) settled.set(app, certain);
    else unsettled.push({ app, leaves, unknowns: own.filter((unknown) => leaves.some((leaf) => mayJoin(unknown, leaf))) });
  }
  return { settled, unsettled };
}
function detectConflicts(merged, sides, baseGraph, unknowns = graphUnknowns(merged)) {
  const baseConflicts = baseGraph ? conflictingApps(baseGraph) : /* @__PURE__ */ new Map();
  const conflicts = [];
  for (const [app, leafKeys] of settleConflicts(merged, unknowns).settled) {
    const leaves = leafKeys.map((key2) => {
      const node = merged.nodes.get(key2);
      return { key: key2, name: node.name, path: node.file.path, side: sideOf(key2, sides) };
    });
    const commonAncestor = newestCommonAncestor(merged, app, leafKeys);
    const before = commonAncestor === null ? /* @__PURE__ */ new Set() : /* @__PURE__ */ new Set([commonAncestor, ...ancestors(merged, commonAncestor)]);
    const plans = new Map(leaves.map((leaf) => [leaf.key, forwardsPlan(merged, leaf.key)]));
    const branchOf = (side) => {
      const reach = /* @__PURE__ */ new Set();
      for (const leaf of leaves) {
        if (leaf.side !== side) continue;
        for (const key2 of plans.get(leaf.key)) reach.add(key2);
      }
      const ordered = /* @__PURE__ */ new Set();
      for (const leaf of leaves) {
        for (const key2 of plans.get(leaf.key)) {
          if (reach.has(key2) && !before.has(key2) && merged.nodes.get(key2).app === app) ordered.add(key2);
        }
      }
      return [...ordered];
    };
    const branches = { main: branchOf("main"), pr: branchOf("pr") };
    const overlap = findOverlap(merged, branches.main, branches.pr);
    const preexisting = sameLeaves(baseConflicts.get(app), leafKeys);
    const needsHumanReview = overlap.models.length > 0 || overlap.opaque.length > 0;
    conflicts.push({
      app,
      leaves,
      commonAncestor,
      branches,
      overlap,
      needsHumanReview,
      reason: reviewReason(overlap, branches),
      preexisting
    });
  }
  return conflicts.sort((a, b3) => a.app < b3.app ? -1 : 1);
}
function sameLeaves(a, b3) {
  return a !== void 0 && a.length === b3.length && a.every((key2) => b3.includes(key2));
}
function newestCommonAncestor(graph, app, leaves) {
  const lineages = leaves.map((leaf) => /* @__PURE__ */ new Set([leaf, ...ancestors(graph, leaf)]));
  const common = [...lineages[0]].filter(
    (key2) => graph.nodes.get(key2)?.app === app && lineages.every((lineage) => lineage.has(key2))
  );
  const below = /* @__PURE__ */ new Set();
  const stack = common.flatMap((key2) => [...graph.nodes.get(key2)?.parents ?? []]);
  while (stack.length > 0) {
    const key2 = stack.pop();
    if (below.has(key2)) continue;
    below.add(key2);
    stack.push(...graph.nodes.get(key2)?.parents ?? []);
  }
  const newest = common.filter((key2) => !below.has(key2));
  return newest.sort(compareKeys).pop() ?? null;
}
function touched(operation) {
  if (OPAQUE_OPERATIONS.has(operation.type) || operation.type === "<dynamic>") return { model: null, fields: [], opaque: true };
  if (operation.type === "SeparateDatabaseAndState") {
    const inner = [...operation.databaseOperations ?? [], ...operation.stateOperations ?? []].map(touched);
    return {
      model: inner.find((t3) => t3.model !== null)?.model ?? null,
      fields: inner.flatMap((t3) => t3.fields),
      opaque: inner.some((t3) => t3.opaque)
    };
  }
  const model = operationModel(operation);
  const fields = ["name", "old_name", "new_name"].map(
    (argumentName) => ["AddField", "RemoveField", "AlterField", "RenameField"].includes(operation.type) ? stringArgument(operation, argumentName) : null
  ).filter((name2) => name2 !== null).map((field) => `${model}.${field.toLowerCase()}`);
  if (operation.type === "RenameModel") {
    const names = [stringArgument(operation, "old_name"), stringArgument(operation, "new_name")];
    return { model: names[0]?.toLowerCase() ?? null, fields: [], opaque: false };
  }
  return { model, fields, opaque: false };
}
function findOverlap(graph, main, pr2) {
  const collect = (keys) => {
    const models = /* @__PURE__ */ new Set();
    const fields = /* @__PURE__ */ new Set();
    const opaque = [];
    for (const key2 of keys) {
      for (const operation of graph.nodes.get(key2).file.operations) {
        const what = touched(operation);
        if (what.opaque && !opaque.includes(key2)) opaque.push(key2);
        if (what.model) models.add(what.model);
        for (const field of what.fields) fields.add(field);
        if (operation.type === "RenameModel") {
          const renamed = stringArgument(operation, "new_name");
          if (renamed) models.add(renamed.toLowerCase());
        }
      }
    }
    return { models, fields, opaque };
  };
  const a = collect(main);
  const b3 = collect(pr2);
  return {
    models: [...a.models].filter((model) => b3.models.has(model)).sort(),
    fields: [...a.fields].filter((field) => b3.fields.has(field)).sort(),
    opaque: [...a.opaque, ...b3.opaque]
  };
}
function reviewReason(overlap, branches) {
  if (overlap.fields.length > 0) {
    return `both branches change the same field${overlap.fields.length > 1 ? "s" : ""} (${overlap.fields.join(", ")}): the order decides the result, look before applying the fix`;
  }
  if (overlap.models.length > 0) {
    return `both branches change the model${overlap.models.length > 1 ? "s" : ""} ${overlap.models.join(", ")}: check that the order does not matter before applying the fix`;
  }
  if (overlap.opaque.length > 0) {
    return `${overlap.opaque.join(", ")} run${overlap.opaque.length === 1 ? "s" : ""} code (RunPython/RunSQL) whose effect cannot be read: check that the order does not matter`;
  }
  if (branches.main.length === 0 || branches.pr.length === 0) return "the leaves share no history in this app";
  return "the branches touch different models, so their order does not matter";
}

// src/graph/numbering.ts
function duplicateNumbers(files, addedByPr) {
  const byNumber = /* @__PURE__ */ new Map();
  for (const [key2, file] of files) {
    const match = /^(\d+)_/.exec(file.name);
    if (match === null) continue;
    const slot = `${file.app}\0${match[1]}`;
    byNumber.set(slot, [...byNumber.get(slot) ?? [], key2]);
  }
  const duplicates = [];
  for (const [slot, keys] of byNumber) {
    if (keys.length < 2) continue;
    const [app, number2] = slot.split("\0");
    duplicates.push({ app, number: number2, migrations: keys.sort(), introducedByPr: keys.some(addedByPr) });
  }
  return duplicates.sort((a, b3) => a.app === b3.app ? a.number < b3.number ? -1 : 1 : a.app < b3.app ? -1 : 1);
}

// src/git/changes.ts
async function changedFiles(repo, from, to2) {
  const out = await repo.text(["diff", "--name-status", "-z", "--find-renames", "--no-ext-diff", from, to2, "--"]);
  const fields = out.split("\0");
  const changes = [];
  for (let i = 0; i < fields.length - 1; ) {
    const status = fields[i++];
    const code2 = status[0];
    if (code2 === "R" || code2 === "C") {
      const previousPath = fields[i++];
      const path = fields[i++];
      if (code2 === "R") changes.push({ status: "renamed", path, previousPath, similarity: Number(status.slice(1)) });
      else changes.push({ status: "added", path });
    } else {
      const path = fields[i++];
      if (code2 === "A") changes.push({ status: "added", path });
      else if (code2 === "D") changes.push({ status: "deleted", path });
      else changes.push({ status: "modified", path });
    }
  }
  return changes;
}

// src/git/merge.ts
async function mergeTrees(repo, base, head) {
  const args = ["merge-tree", "--write-tree", "--name-only", "-z", "--no-messages", base, head];
  const result = await repo.run(args);
  if (result.exitCode > 1) {
    if (/refusing to merge unrelated histories|no merge base/i.test(result.stderr)) {
      throw new ShallowHistoryError(base, head);
    }
    throw new GitCommandError(args, result.exitCode, result.stderr);
  }
  const fields = result.stdout.toString("utf8").split("\0");
  const tree = fields[0].trim();
  const conflictedPaths = result.exitCode === 1 ? fields.slice(1).filter((path) => path !== "") : [];
  return { tree, clean: result.exitCode === 0, conflictedPaths: [...new Set(conflictedPaths)] };
}

// src/review/hidden-migrations.ts
var REHEARSAL_SEES = "this PR's migrations may not all be visible without Python; the rehearsal (which asks Django's loader) sees them";
async function findMigrationModulesSetting(repo, tree, projectRoot) {
  const prefix = projectRoot === "" ? "" : `${projectRoot}/`;
  const pathspecs = [`${prefix}*settings*.py`, `${prefix}*conf*.py`];
  const pattern = "^[[:space:]]*MIGRATION_MODULES[[:space:]]*(:[^=]*=|[|]?=[^=]|\\.update[[:space:]]*\\(|\\[)";
  const result = await repo.run(["grep", "-I", "-n", "-z", "--no-color", "-E", pattern, tree, "--", ...pathspecs]);
  const found = [];
  for (const record of result.stdout.toString("utf8").split("\n")) {
    const [where, line, text2] = record.split("\0");
    if (where === void 0 || line === void 0 || text2 === void 0) continue;
    if (/^\s*MIGRATION_MODULES\s*(?::[^=]*)?=\s*\{\s*\}\s*(?:#.*)?$/.test(text2)) continue;
    found.push({ path: where.slice(where.indexOf(":") + 1), line: Number(line) });
  }
  return found;
}
function broughtByPr(path, blob, base, changed) {
  return changed.has(path) || base.get(path) !== blob;
}
function hiddenMigrationProblems(merged, base, changed, setting) {
  const problems = [];
  const baseLinks = new Map(base.links.map((link) => [link.path, link.blob]));
  for (const link of merged.links) {
    if (!broughtByPr(link.path, link.blob, baseLinks, changed)) continue;
    const what = link.name === null ? `the migrations folder of '${link.app}'` : `migration ${migrationKey({ app: link.app, name: link.name })}`;
    const at2 = { path: link.path, line: 1, tree: "merge" };
    if (link.status === "outside") {
      problems.push({
        kind: "symlink-outside-repository",
        severity: "error",
        message: `${link.path} (${what}) is a symlink to ${link.target}, outside the repository: \`migrate\` would crash, or import a file that is not part of the code under review`,
        ...at2
      });
    } else if (link.status === "missing") {
      problems.push({
        kind: "broken-symlink",
        severity: "error",
        message: `${link.path} (${what}) is a symlink to ${link.target}, which is ${link.name === null ? "not a folder" : "not a file"} of the repository: Django cannot import it, and \`migrate\` would crash`,
        ...at2
      });
    } else {
      const read = link.name === null ? `the migrations in it are not read here` : `it is read here through the link`;
      problems.push({
        kind: "symlinked-migration",
        severity: "warning",
        message: `${link.path} (${what}) is a symlink to ${link.resolvedPath}: ${read}, but ${REHEARSAL_SEES}`,
        ...at2
      });
    }
  }
  const baseCompiled = new Map(base.discovery.sourceless.map((module) => [module.path, module.blob]));
  for (const module of merged.discovery.sourceless) {
    if (!broughtByPr(module.path, module.blob, baseCompiled, changed)) continue;
    problems.push({
      kind: "sourceless-migration",
      severity: "warning",
      message: `${module.path} is compiled Python with no ${module.name}.py beside it: Django imports it as migration ${migrationKey(module)}, which cannot be read here; ${REHEARSAL_SEES}`,
      path: module.path,
      line: 1,
      tree: "merge"
    });
  }
  const [first, ...others] = setting;
  if (first !== void 0) {
    const elsewhere = [...new Set(others.map((other) => other.path).filter((path) => path !== first.path))];
    problems.push({
      kind: "migration-modules-setting",
      severity: "warning",
      message: `${first.path} sets MIGRATION_MODULES${elsewhere.length > 0 ? ` (so ${elsewhere.length === 1 ? "does" : "do"} ${elsewhere.join(", ")})` : ""}: Django may load some apps' migrations from other modules than <app>/migrations, or none, while the static review finds them by file name; ${REHEARSAL_SEES}`,
      path: first.path,
      line: first.line,
      tree: "merge"
    });
  }
  return problems;
}

// src/review/history-scope.ts
var FIELD_OPERATIONS = /* @__PURE__ */ new Set(["AddField", "RemoveField", "AlterField", "RenameField"]);
var HistoryScope = class _HistoryScope {
  /** Apps whose every file is read in full (an operation the scope cannot read). */
  wholeApps = /* @__PURE__ */ new Set();
  /** `app.model` (lowercase) → the fields asked about, or every field. */
  models = /* @__PURE__ */ new Map();
  /** The scope of the files the PR (or main) changed in the PR's apps. */
  static of(files) {
    const scope = new _HistoryScope();
    for (const file of files) {
      if (file.dynamic.some((part) => part.attribute === "operations")) scope.wholeApps.add(file.app);
      for (const operation of file.operations) scope.add(file.app, operation);
    }
    return scope;
  }
  add(app, operation) {
    if (operation.type === "<dynamic>" || operation.index < 0) {
      this.wholeApps.add(app);
      return;
    }
    if (operation.type === "SeparateDatabaseAndState") {
      for (const inner of [...operation.databaseOperations ?? [], ...operation.stateOperations ?? []]) this.add(app, inner);
      return;
    }
    if (OPAQUE_OPERATIONS.has(operation.type)) return;
    const model = operationModel(operation);
    if (model === null) {
      if (stringArgument(operation, "model_name") === null && FIELD_OPERATIONS.has(operation.type)) this.wholeApps.add(app);
      return;
    }
    if (!FIELD_OPERATIONS.has(operation.type)) {
      this.models.set(`${app}.${model}`, "all");
      if (operation.type === "RenameModel") {
        const renamed = stringArgument(operation, "new_name")?.toLowerCase();
        if (renamed) this.models.set(`${app}.${renamed}`, "all");
      }
      return;
    }
    for (const argument2 of ["name", "old_name", "new_name"]) {
      const field = stringArgument(operation, argument2)?.toLowerCase();
      if (field === void 0) continue;
      const fields = this.models.get(`${app}.${model}`);
      if (fields === "all") continue;
      if (fields === void 0) this.models.set(`${app}.${model}`, /* @__PURE__ */ new Set([field]));
      else fields.add(field);
    }
  }
  /** Whether a file of `app` may change what the rules ask about: it names a model in scope and one of its fields. */
  mentions(app, source) {
    if (this.wholeApps.has(app)) return true;
    let lower = null;
    for (const [model, fields] of this.models) {
      if (!model.startsWith(`${app}.`)) continue;
      lower ??= source.toLowerCase();
      if (!lower.includes(model.slice(app.length + 1))) continue;
      if (fields === "all") return true;
      for (const field of fields) if (lower.includes(`"${field}"`) || lower.includes(`'${field}'`)) return true;
    }
    return false;
  }
  /**
   * Widens the scope with the old names of models and fields in scope that
   * these files rename; true when it grew (the files then read must be read again).
   */
  widen(files) {
    let grew = false;
    const visit = (app, operation) => {
      if (operation.type === "SeparateDatabaseAndState") {
        for (const inner of [...operation.databaseOperations ?? [], ...operation.stateOperations ?? []]) visit(app, inner);
        return;
      }
      if (operation.type === "RenameModel") {
        const [from, to2] = [stringArgument(operation, "old_name")?.toLowerCase(), stringArgument(operation, "new_name")?.toLowerCase()];
        const scoped = to2 ? this.models.get(`${app}.${to2}`) : void 0;
        if (from && scoped !== void 0 && this.models.get(`${app}.${from}`) !== "all") {
          this.models.set(`${app}.${from}`, "all");
          grew = true;
        }
      }
      if (operation.type === "RenameField") {
        const model = operationModel(operation);
        const [from, to2] = [stringArgument(operation, "old_name")?.toLowerCase(), stringArgument(operation, "new_name")?.toLowerCase()];
        const fields = model ? this.models.get(`${app}.${model}`) : void 0;
        if (from && to2 && fields instanceof Set && fields.has(to2) && !fields.has(from)) {
          fields.add(from);
          grew = true;
        }
      }
    };
    for (const file of files) for (const operation of file.operations) visit(file.app, operation);
    return grew;
  }
};

// src/graph/header.ts
var GiveUp = class extends Error {
};
var OPERATORS = ["**=", "//=", ">>=", "<<=", "...", "->", ":=", "==", "!=", "<=", ">=", "**", "//", "<<", ">>", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@="];
var ESCAPES = { "\\": "\\", "'": "'", '"': '"', n: "\n", t: "	", r: "\r", "\n": "" };
var isNameStart = (code2) => code2 >= 65 && code2 <= 90 || code2 >= 97 && code2 <= 122 || code2 === 95;
var isDigit = (code2) => code2 >= 48 && code2 <= 57;
var isNamePart = (code2) => isNameStart(code2) || isDigit(code2);
var STRING_PREFIX = /^[rRbBuUfF]{0,2}(?=['"])/;
function tokenize(source) {
  const tokens = [];
  let i = source.charCodeAt(0) === 65279 ? 1 : 0;
  let line = 1;
  let depth = 0;
  let atLineStart = true;
  let indent2 = 0;
  const n = source.length;
  while (i < n) {
    const c3 = source[i];
    if (atLineStart) {
      let j3 = i;
      let width = 0;
      while (j3 < n && (source[j3] === " " || source[j3] === "	" || source[j3] === "\f")) {
        width += source[j3] === "	" ? 8 - width % 8 : 1;
        j3++;
      }
      if (j3 >= n) break;
      if (source[j3] === "\n" || source[j3] === "\r" || source[j3] === "#") {
        while (j3 < n && source[j3] !== "\n") j3++;
        i = j3 + 1;
        line++;
        continue;
      }
      indent2 = width;
      i = j3;
      atLineStart = false;
      continue;
    }
    if (c3 === " " || c3 === "	" || c3 === "\f" || c3 === "\r") {
      i++;
      continue;
    }
    if (c3 === "#") {
      while (i < n && source[i] !== "\n") i++;
      continue;
    }
    if (c3 === "\\" && (source[i + 1] === "\n" || source[i + 1] === "\r" && source[i + 2] === "\n")) {
      i += source[i + 1] === "\n" ? 2 : 3;
      line++;
      continue;
    }
    if (c3 === "\n") {
      if (depth === 0) {
        tokens.push({ kind: "newline", text: "\n", line, indent: indent2, first: false });
        atLineStart = true;
      }
      i++;
      line++;
      continue;
    }
    const first = tokens.length === 0 || tokens[tokens.length - 1].kind === "newline";
    const code2 = source.charCodeAt(i);
    const prefix = c3 === '"' || c3 === "'" ? [""] : isNameStart(code2) ? STRING_PREFIX.exec(source.slice(i, i + 3)) : null;
    if (prefix !== null && (source[i + prefix[0].length] === '"' || source[i + prefix[0].length] === "'")) {
      const flags = prefix[0].toLowerCase();
      const start = i + flags.length;
      const quote = source[start];
      const triple = source.startsWith(quote.repeat(3), start);
      const delimiter = triple ? quote.repeat(3) : quote;
      let j3 = start + delimiter.length;
      let value = "";
      let simple = !flags.includes("b") && !flags.includes("f");
      const startLine = line;
      while (true) {
        if (j3 >= n) throw new GiveUp();
        if (source.startsWith(delimiter, j3)) break;
        const ch = source[j3];
        if (ch === "\n") {
          if (!triple) throw new GiveUp();
          line++;
        }
        if (ch === "\\") {
          const next = source[j3 + 1] ?? "";
          if (next === "\n") line++;
          if (flags.includes("r")) value += ch + next;
          else if (next in ESCAPES) value += ESCAPES[next];
          else simple = false;
          j3 += 2;
          continue;
        }
        value += ch;
        j3++;
      }
      i = j3 + delimiter.length;
      tokens.push({ kind: "string", text: source.slice(start - flags.length, i), value: simple ? value : null, line: startLine, indent: indent2, first });
      continue;
    }
    if (isNameStart(code2)) {
      let j3 = i + 1;
      while (j3 < n && isNamePart(source.charCodeAt(j3))) j3++;
      const text2 = source.slice(i, j3);
      tokens.push({ kind: "name", text: text2, line, indent: indent2, first });
      i = j3;
      if (first && text2 === "operations" && depth === 0) {
        const skipped = skipAssignedList(source, i);
        if (skipped !== null) {
          tokens.push({ kind: "op", text: "=", line, indent: indent2, first: false });
          tokens.push({ kind: "name", text: "OPERATIONS", line, indent: indent2, first: false });
          line += skipped.newlines;
          i = skipped.end;
        }
      }
      continue;
    }
    if (code2 > 127) throw new GiveUp();
    if (isDigit(code2) || c3 === "." && isDigit(source.charCodeAt(i + 1))) {
      let j3 = i + 1;
      while (j3 < n && (isNamePart(source.charCodeAt(j3)) || source[j3] === ".")) j3++;
      tokens.push({ kind: "number", text: source.slice(i, j3), line, indent: indent2, first });
      i = j3;
      continue;
    }
    const operator2 = c3 === "(" || c3 === ")" || c3 === "[" || c3 === "]" || c3 === "," ? c3 : OPERATORS.find((op) => source.startsWith(op, i)) ?? c3;
    if ("([{".includes(operator2)) depth++;
    if (")]}".includes(operator2)) depth = Math.max(0, depth - 1);
    tokens.push({ kind: "op", text: operator2, line, indent: indent2, first });
    i += operator2.length;
  }
  if (tokens.length > 0 && tokens[tokens.length - 1].kind !== "newline") tokens.push({ kind: "newline", text: "\n", line, indent: indent2, first: false });
  return tokens;
}
function skipAssignedList(source, from) {
  let i = from;
  const n = source.length;
  while (i < n && (source[i] === " " || source[i] === "	")) i++;
  if (source[i] !== "=" || source[i + 1] === "=") return null;
  i++;
  while (i < n && (source[i] === " " || source[i] === "	")) i++;
  if (source[i] !== "[" && source[i] !== "(") return null;
  let depth = 0;
  let newlines2 = 0;
  while (i < n) {
    const c3 = source.charCodeAt(i);
    if (c3 === 10) newlines2++;
    else if (c3 === 35) {
      while (i < n && source.charCodeAt(i) !== 10) i++;
      continue;
    } else if (c3 === 34 || c3 === 39) {
      const quote = source[i];
      const triple = source.startsWith(quote.repeat(3), i);
      const delimiter = triple ? quote.repeat(3) : quote;
      i += delimiter.length;
      while (i < n && !source.startsWith(delimiter, i)) {
        const inner = source.charCodeAt(i);
        if (inner === 10) {
          if (!triple) return null;
          newlines2++;
        }
        if (inner === 92) {
          if (source.charCodeAt(i + 1) === 10) newlines2++;
          i++;
        }
        i++;
      }
      if (i >= n) return null;
      i += delimiter.length;
      continue;
    } else if (c3 === 40 || c3 === 91 || c3 === 123) depth++;
    else if (c3 === 41 || c3 === 93 || c3 === 125) {
      depth--;
      if (depth === 0) return { end: i + 1, newlines: newlines2 };
    }
    i++;
  }
  return null;
}
var ATTRIBUTES3 = /* @__PURE__ */ new Set(["dependencies", "replaces", "run_before", "initial", "atomic", "operations"]);
function readMigrationHeader(source, path, ref) {
  let header;
  try {
    header = readHeader(tokenize(source));
  } catch (error) {
    if (error instanceof GiveUp) return null;
    throw error;
  }
  if (header === null) return null;
  return { app: ref.app, name: ref.name, path, ...header, operations: [], dynamic: [], operationsRead: false };
}
function readHeader(tokens) {
  let classAt = -1;
  for (let k3 = 0; k3 < tokens.length; k3++) {
    const token = tokens[k3];
    if (!token.first || token.indent !== 0) continue;
    if (token.kind === "op" && token.text === "@") throw new GiveUp();
    if (token.kind === "name" && ["if", "try", "for", "while", "with"].includes(token.text)) {
      if (lineMentions(tokens, k3, "Migration")) throw new GiveUp();
    }
    if (token.kind === "name" && token.text === "class" && tokens[k3 + 1]?.text === "Migration") classAt = k3;
    else if (token.kind === "name" && token.text === "Migration") throw new GiveUp();
    else if (token.kind === "name" && (token.text === "from" || token.text === "import") && lineMentions(tokens, k3, "Migration")) throw new GiveUp();
  }
  if (classAt < 0) return null;
  const classToken = tokens[classAt];
  let k2 = classAt;
  while (tokens[k2].kind !== "newline") k2++;
  k2++;
  const body = tokens[k2];
  if (body === void 0 || !body.first || body.indent <= classToken.indent) throw new GiveUp();
  const bodyIndent = body.indent;
  const header = { line: classToken.line, dependencies: [], replaces: [], runBefore: [], initial: false, atomic: true };
  const seen = /* @__PURE__ */ new Set();
  for (; k2 < tokens.length; k2++) {
    const token = tokens[k2];
    if (!token.first) continue;
    if (token.indent <= classToken.indent) break;
    if (token.kind === "name" && ATTRIBUTES3.has(token.text)) {
      if (token.indent !== bodyIndent) throw new GiveUp();
      const next = tokens[k2 + 1];
      if (next.text !== "=") {
        if (next.text === ":" || next.text === "+=" || next.text === "." || next.text === "[") throw new GiveUp();
        continue;
      }
      if (seen.has(token.text)) throw new GiveUp();
      seen.add(token.text);
      k2 = readAttribute(tokens, k2 + 2, token.text, header);
    } else if (token.kind === "name" && token.text === "del") {
      throw new GiveUp();
    }
  }
  return header;
}
function lineMentions(tokens, from, name2) {
  for (let k2 = from; k2 < tokens.length && tokens[k2].kind !== "newline"; k2++) if (tokens[k2].text === name2) return true;
  return false;
}
function readAttribute(tokens, k2, attribute, header) {
  if (attribute === "operations") {
    while (tokens[k2].kind !== "newline") k2++;
    return k2;
  }
  if (attribute === "initial" || attribute === "atomic") {
    const value = tokens[k2];
    if (tokens[k2 + 1].kind !== "newline" || value.kind !== "name" || !["True", "False", "None"].includes(value.text)) throw new GiveUp();
    if (attribute === "initial") header.initial = value.text === "True";
    else if (value.text === "None") throw new GiveUp();
    else header.atomic = value.text === "True";
    return k2 + 1;
  }
  const open = tokens[k2];
  if (open.text !== "[" && open.text !== "(") throw new GiveUp();
  const close = open.text === "[" ? "]" : ")";
  k2++;
  const items = [];
  while (tokens[k2].text !== close) {
    const start = tokens[k2];
    if (start.text === "(" || start.text === "[") {
      const pair2 = readPair(tokens, k2);
      items.push({ ...attribute === "dependencies" ? { kind: "migration" } : {}, app: pair2.app, name: pair2.name, line: start.line });
      k2 = pair2.next;
    } else if (attribute === "dependencies" && start.kind === "name") {
      const swappable = readSwappable(tokens, k2);
      items.push(swappable.dependency);
      k2 = swappable.next;
    } else throw new GiveUp();
    if (tokens[k2].text === ",") k2++;
    else if (tokens[k2].text !== close) throw new GiveUp();
  }
  if (open.text === "(" && items.length === 1 && tokens[k2 - 1].text !== ",") throw new GiveUp();
  k2++;
  if (tokens[k2].kind !== "newline") throw new GiveUp();
  if (attribute === "dependencies") header.dependencies = items;
  else if (attribute === "replaces") header.replaces = items;
  else header.runBefore = items;
  return k2;
}
function readPair(tokens, k2) {
  const close = tokens[k2].text === "(" ? ")" : "]";
  const app = tokens[k2 + 1];
  const comma = tokens[k2 + 2];
  const name2 = tokens[k2 + 3];
  let end = k2 + 4;
  if (tokens[end].text === ",") end++;
  if (app.kind !== "string" || comma.text !== "," || name2.kind !== "string" || tokens[end].text !== close) throw new GiveUp();
  if (app.value == null || name2.value == null) throw new GiveUp();
  return { app: app.value, name: name2.value, next: end + 1 };
}
function readSwappable(tokens, k2) {
  const start = tokens[k2];
  let j3 = k2;
  const callee = [tokens[j3].text];
  while (tokens[j3 + 1].text === "." && tokens[j3 + 2].kind === "name") {
    callee.push(tokens[j3 + 2].text);
    j3 += 2;
  }
  if (callee[callee.length - 1] !== "swappable_dependency" || tokens[j3 + 1].text !== "(") throw new GiveUp();
  j3 += 2;
  const argument2 = [];
  if (tokens[j3].kind !== "name") throw new GiveUp();
  argument2.push(tokens[j3].text);
  while (tokens[j3 + 1].text === "." && tokens[j3 + 2].kind === "name") {
    argument2.push(tokens[j3 + 2].text);
    j3 += 2;
  }
  if (tokens[j3 + 1].text !== ")") throw new GiveUp();
  if (argument2.length < 2) throw new GiveUp();
  return { dependency: { kind: "swappable", setting: argument2[argument2.length - 1], line: start.line }, next: j3 + 2 };
}

// src/review/tree-migrations.ts
var ParseCache = class {
  results = /* @__PURE__ */ new Map();
  /** Files parsed in full, and files of which only the header was read. */
  parsed = 0;
  headers = 0;
  /**
   * `header`: read only what the graph needs, when the file is in the plain
   * form makemigrations writes (else it is parsed in full anyway).
   */
  parse(source, blob, path, mode = "full") {
    if (mode === "header") {
      const key3 = `${blob}\0${path}\0header`;
      const known3 = this.results.get(key3) ?? this.results.get(`${blob}\0${path}`);
      if (known3 !== void 0) return known3;
      const ref = migrationModuleRef(path);
      const header = ref === null ? null : readMigrationHeader(source, path, ref);
      if (header !== null) {
        this.headers++;
        this.results.set(key3, header);
        return header;
      }
    }
    const key2 = `${blob}\0${path}`;
    const known2 = this.results.get(key2);
    if (known2 !== void 0) return known2;
    this.parsed++;
    let result;
    try {
      result = parseMigration(source, path);
    } catch (error) {
      if (!(error instanceof MigrationParseError)) throw error;
      result = error;
    }
    this.results.set(key2, result);
    return result;
  }
};
async function indexTree(repo, treeish, options) {
  const entries = await listTree(repo, treeish);
  const discovery = discoverMigrations(entries, { projectRoot: options.projectRoot, exclude: options.exclude });
  if (discovery.links.length === 0) return indexOf(treeish, discovery, []);
  const targets = new BlobStore(repo);
  const symlinks = entries.filter((entry) => entry.mode === "120000");
  await targets.load(symlinks.map((entry) => entry.blob));
  return indexOf(treeish, discovery, followLinks(discovery, entries, (blob) => targets.text(blob)));
}
function followLinks(discovery, entries, targetOf) {
  const byPath = new Map(entries.map((entry) => [entry.path, entry]));
  const links = discovery.links.map((link) => resolveLink(link, byPath, targetOf));
  for (const link of links) {
    if (link.name === null || link.status !== "inside") continue;
    discovery.modules.push({ app: link.app, name: link.name, path: link.path, blob: byPath.get(link.resolvedPath).blob, linkedFrom: link.path });
  }
  discovery.modules.sort((a, b3) => a.app === b3.app ? a.name < b3.name ? -1 : 1 : a.app < b3.app ? -1 : 1);
  return links;
}
async function loadTreeMigrations(index, blobs, cache, options, headerOnly = () => false) {
  await blobs.load(index.discovery.modules);
  return migrationsOf(index, (blob) => blobs.text(blob), cache, options, headerOnly);
}
function indexOf(tree, discovery, links) {
  return {
    tree,
    discovery,
    keys: new Set(discovery.modules.map(migrationKey)),
    blobs: new Map(discovery.modules.map((module) => [module.path, module.blob])),
    links
  };
}
function migrationsOf(index, text2, cache, options, headerOnly = () => false) {
  const files = [];
  const parseErrors = [];
  for (const module of index.discovery.modules) {
    const result = cache.parse(text2(module.blob), module.blob, module.path, headerOnly(module) ? "header" : "full");
    if (result instanceof MigrationParseError) parseErrors.push(result);
    else files.push(result);
  }
  const graph = buildGraph(files, index.discovery.apps, { swappable: options.swappable });
  const unparsed = new Set(index.discovery.modules.filter((m2) => parseErrors.some((e) => e.path === m2.path)).map(migrationKey));
  for (const key2 of hiddenModules(index).keys()) unparsed.add(key2);
  graph.problems = graph.problems.filter((problem) => !(problem.kind === "missing-dependency" && unparsed.has(problem.missing)));
  return { ...index, files, parseErrors, graph };
}
function hiddenModules(index) {
  const hidden = /* @__PURE__ */ new Map();
  for (const module of index.discovery.sourceless) {
    const key2 = migrationKey(module);
    hidden.set(key2, { app: module.app, migration: key2, path: module.path, line: 1, what: "module", reason: `${module.path} is compiled Python with no source beside it` });
  }
  for (const link of index.links) {
    if (link.name === null || link.status === "inside") continue;
    const key2 = migrationKey({ app: link.app, name: link.name });
    const where = link.status === "outside" ? "outside the repository" : "to nothing in the tree";
    hidden.set(key2, { app: link.app, migration: key2, path: link.path, line: 1, what: "module", reason: `${link.path} is a symlink ${where} (${link.target})` });
  }
  return hidden;
}

// src/review/static-review.ts
async function reviewStatically(repo, options) {
  const timings = {};
  let mark = performance.now();
  const lap = (name2) => {
    const now = performance.now();
    timings[name2] = Math.round((timings[name2] ?? 0) + now - mark);
    mark = now;
  };
  const [baseSha, headSha] = options.resolved ? [options.resolved.base, options.resolved.head] : (await repo.resolveRefs([options.base, options.head])).map((ref) => ref.commit);
  const blobs = new BlobStore(repo);
  const baseIndex = indexTree(repo, baseSha, options);
  const baseBlobs = baseIndex.then((index) => blobs.load(index.discovery.modules));
  baseBlobs.catch(() => {
  });
  const [mergeBase, merge, base, head] = await Promise.all([
    repo.mergeBase(baseSha, headSha),
    mergeTrees(repo, baseSha, headSha).catch((error) => error),
    baseIndex,
    indexTree(repo, headSha, options)
  ]);
  if (mergeBase === null) throw new ShallowHistoryError(options.base, options.head);
  if (merge instanceof Error) throw merge;
  const [fork, changes, mergedIndex, swappable, migrationModules] = await Promise.all([
    indexTree(repo, mergeBase, options),
    changedFiles(repo, mergeBase, headSha),
    indexTree(repo, merge.tree, options),
    options.swappable,
    findMigrationModulesSetting(repo, merge.tree, options.projectRoot),
    baseBlobs
  ]);
  const treeOptions = { ...options, swappable };
  lap("gitMs");
  const cache = new ParseCache();
  const sides = { base: base.keys, head: head.keys, mergeBase: fork.keys };
  const prAdded = new Set([...head.keys].filter((key2) => !fork.keys.has(key2)));
  const prApps = new Set([...prAdded].map((key2) => key2.slice(0, key2.indexOf("."))));
  for (const change of changes) {
    const ref = migrationModuleRef(change.status === "renamed" ? change.previousPath : change.path);
    if (ref) prApps.add(ref.app);
  }
  const same2 = (module) => fork.blobs.get(module.path) === module.blob;
  await blobs.load(mergedIndex.discovery.modules);
  const changedInPrApps = mergedIndex.discovery.modules.filter((module) => prApps.has(module.app) && !same2(module));
  const scope = HistoryScope.of(
    changedInPrApps.map((module) => cache.parse(blobs.text(module.blob), module.blob, module.path, "full")).filter((file) => !(file instanceof MigrationParseError))
  );
  const unchanged = (module) => same2(module) && (!prApps.has(module.app) || !scope.mentions(module.app, blobs.text(module.blob)));
  let merged = await loadTreeMigrations(mergedIndex, blobs, cache, treeOptions, unchanged);
  for (let round = 0; round < 5 && scope.widen(merged.files.filter((file) => prApps.has(file.app))); round++) {
    merged = await loadTreeMigrations(mergedIndex, blobs, cache, treeOptions, unchanged);
  }
  lap("parseMs");
  const unknowns = conflictingApps(merged.graph).size > 0 ? [...graphUnknowns(merged.graph), ...hiddenModules(merged).values()] : [];
  const { settled, unsettled } = settleConflicts(merged.graph, unknowns);
  const baseGraph = settled.size > 0 ? (await loadTreeMigrations(base, blobs, cache, treeOptions, () => true)).graph : null;
  const linked = new Set(merged.links.map((link) => link.path));
  const conflicts = detectConflicts(merged.graph, sides, baseGraph, unknowns).map((conflict) => {
    const fix2 = buildConflictFix(conflict, {
      merged: merged.graph,
      prAdded,
      readText: (path) => blobs.text(merged.blobs.get(path)),
      parse: parseMigration,
      swappable
    });
    const link = [...fix2.renames.map((rename) => rename.fromPath), ...fix2.rewrites.map((rewrite) => rewrite.path)].find((path) => linked.has(path));
    if (link === void 0) return { ...conflict, fix: fix2 };
    return { ...conflict, fix: { ...fix2, renames: [], rewrites: [], patch: null, unavailable: `${link} is a symlink: rename or edit its target by hand` } };
  });
  const edited = editedMigrations(changes, fork.keys, merged);
  const problems = [];
  {
    const label = "merge";
    const tree = merged;
    for (const error of tree.parseErrors) {
      const conflicted = merge.conflictedPaths.includes(error.path);
      problems.push({
        kind: conflicted ? "merge-conflict" : "syntax-error",
        message: conflicted ? `git cannot merge ${error.path} by itself: the PR and the base branch both change it` : error.message,
        path: error.path,
        line: error.line,
        column: error.column,
        tree: label
      });
    }
    for (const problem of tree.graph.problems) {
      problems.push({ kind: problem.kind, message: problem.message, path: problem.path, line: problem.line, tree: label });
    }
    for (const duplicate of tree.discovery.duplicateLabels) {
      problems.push({
        kind: "duplicate-app-label",
        message: `the folders ${duplicate.directories.join(" and ")} would both be app '${duplicate.label}'; only ${duplicate.directories[0]} was read (set project-root or exclude)`,
        path: duplicate.directories[1],
        line: 1,
        tree: label
      });
    }
    const changed = new Set(changes.flatMap((change) => change.status === "deleted" ? [] : [change.path]));
    const involved = (app) => app.leaves.some((leaf) => prAdded.has(leaf)) || app.unknowns.some((unknown) => changed.has(unknown.path) || unknown.migration !== null && prAdded.has(unknown.migration));
    for (const app of unsettled) if (involved(app)) problems.push(unsettledProblem(app));
    problems.push(...hiddenMigrationProblems(merged, base, changed, migrationModules));
  }
  for (const problem of problems) problem.severity ??= WARNING_GRAPH_PROBLEM_KINDS.includes(problem.kind) ? "warning" : "error";
  const missing = [...prAdded].filter((key2) => !merged.graph.files.has(key2));
  const headFiles = missing.length > 0 ? (await loadTreeMigrations(head, blobs, cache, treeOptions)).graph.files : /* @__PURE__ */ new Map();
  const added = addedInApplyOrder(merged, headFiles, prAdded);
  const sources = /* @__PURE__ */ new Map();
  for (const file of added) {
    const blob = merged.blobs.get(file.path) ?? head.blobs.get(file.path);
    if (blob) sources.set(migrationKey(file), blobs.text(blob));
  }
  return {
    base: { ref: options.base, sha: baseSha },
    head: { ref: options.head, sha: headSha },
    mergeBase,
    merge,
    trees: { merge: merged },
    keys: sides,
    added,
    conflicts,
    edited,
    duplicates: duplicateNumbers(merged.graph.files, (key2) => sideOf(key2, sides) === "pr"),
    problems,
    sources,
    timings: (lap("analysisMs"), timings),
    parsedFiles: cache.parsed,
    headerOnlyFiles: cache.headers
  };
}
function addedInApplyOrder(merged, headFiles, prAdded) {
  const order = [];
  const seen = /* @__PURE__ */ new Set();
  for (const leaf of leafNodes(merged.graph)) {
    for (const key2 of forwardsPlan(merged.graph, leaf)) {
      if (!seen.has(key2)) {
        seen.add(key2);
        order.push(key2);
      }
    }
  }
  const position = new Map(order.map((key2, index) => [key2, index]));
  const files = [...prAdded].map((key2) => merged.graph.files.get(key2) ?? headFiles.get(key2)).filter((f3) => f3 !== void 0);
  return files.sort((a, b3) => {
    const pa = position.get(migrationKey(a)) ?? Number.MAX_SAFE_INTEGER;
    const pb = position.get(migrationKey(b3)) ?? Number.MAX_SAFE_INTEGER;
    return pa !== pb ? pa - pb : compareKeys(migrationKey(a), migrationKey(b3));
  });
}
function editedMigrations(changes, forkKeys, merged) {
  const squashOf = (key2) => merged.graph.files.get(merged.graph.replacedBy.get(key2) ?? "") ?? [...merged.graph.files.values()].find((file) => file.replaces.some((replaced) => migrationKey(replaced) === key2));
  const edited = [];
  for (const change of changes) {
    const path = change.status === "renamed" ? change.previousPath : change.path;
    const ref = migrationModuleRef(path);
    if (ref === null || change.status === "added" || !forkKeys.has(migrationKey(ref))) continue;
    const key2 = migrationKey(ref);
    if (change.status === "modified") {
      edited.push({
        ...ref,
        path,
        change: "modified",
        severity: "warning",
        message: `${key2} exists on the base branch and this PR edits it: databases that already applied it will not see the change; add a new migration instead`
      });
      continue;
    }
    const newRef = change.status === "renamed" ? migrationModuleRef(change.path) : null;
    const newFile = newRef === null ? void 0 : merged.graph.files.get(migrationKey(newRef));
    const renamed = change.status === "renamed" && (newFile === void 0 || newFile.replaces.length === 0);
    if (renamed) {
      edited.push({
        ...ref,
        path,
        change: "renamed",
        newPath: change.path,
        severity: "unsafe",
        message: `${key2} exists on the base branch and this PR renames it to ${change.path}: Django will see a new migration and apply it again on databases that applied the old name`
      });
      continue;
    }
    const squash = squashOf(key2);
    if (squash === void 0) {
      edited.push({
        ...ref,
        path,
        change: "deleted",
        severity: "unsafe",
        message: `${key2} exists on the base branch and this PR deletes it: databases that applied it keep its changes, and migrations that depend on it break`
      });
      continue;
    }
    const squashKey = migrationKey(squash);
    edited.push({
      ...ref,
      path,
      change: "deleted",
      replacedBy: squashKey,
      severity: "warning",
      message: `${key2} exists on the base branch and this PR deletes it, but the squash ${squashKey} (${squash.path}) replaces it, so Django loads the squash in its place. That is safe for databases that applied all the migrations the squash replaces, or none of them; on one that stopped part-way \`migrate\` fails, so delete the replaced migrations only once every database has migrated past them`
    });
  }
  return edited;
}
function unsettledProblem(app) {
  const [first] = app.unknowns;
  const why = app.unknowns.slice(0, 3).map((unknown) => unknown.what === "module" ? unknown.reason : `the ${unknown.what} of ${unknown.migration} (${unknown.path}:${unknown.line}): ${unknown.reason}`).join("; ");
  const more = app.unknowns.length > 3 ? `; and ${app.unknowns.length - 3} more` : "";
  return {
    kind: "dynamic-dependencies",
    severity: "warning",
    message: `app '${app.app}' has ${app.leaves.length} leaves (${app.leaves.join(", ")}) as far as its files can be read, but not all of its graph can be read without Python: ${why}${more}. Django's loader (with Python) settles whether they conflict, as the rehearsal does; this is not reported as a conflict, and no fix is offered`,
    path: first.path,
    line: first.line,
    tree: "merge"
  };
}

// src/review/swappable.ts
var ASSIGNMENT = /^\s*AUTH_USER_MODEL\s*(?::\s*str\s*)?=\s*["']([A-Za-z_]\w*\.[A-Za-z_]\w*)["']/;
async function detectSwappable(repo, tree, projectRoot, given) {
  if (given.AUTH_USER_MODEL !== void 0) return { ...DEFAULT_SWAPPABLE, ...given };
  const prefix = projectRoot === "" ? "" : `${projectRoot}/`;
  const pathspecs = [`${prefix}*settings*.py`, `${prefix}*conf*.py`];
  const result = await repo.run(["grep", "-I", "--no-color", "-E", "AUTH_USER_MODEL[[:space:]]*(:[^=]*)?=", tree, "--", ...pathspecs]);
  const values = result.stdout.toString("utf8").split("\n").map((line) => ASSIGNMENT.exec(line.replace(/^[^:]*:[^:]*:/, ""))?.[1]).filter((value) => value !== void 0);
  return { ...DEFAULT_SWAPPABLE, ...values[0] ? { AUTH_USER_MODEL: values[0] } : {}, ...given };
}

// src/review/run-review.ts
async function runReview(options, given, hooks = {}) {
  const secrets = secretsOf(options);
  const logger = redactingLogger(given, secrets);
  try {
    return redactDeep(await review(options, logger, hooks), secrets);
  } catch (error) {
    throw redactError(error, secrets);
  }
}
async function review(options, logger, hooks) {
  const started = performance.now();
  const tableSizes2 = options.tableStats === void 0 ? void 0 : readTableStats(options.tableStats);
  const { repo, refs } = await GitRepository.openWithRefs(options.repo, options.env, [options.base, options.head]);
  const [base, head] = refs;
  const projectRoot = normalizeRoot(options.projectRoot);
  const swappable = detectSwappable(repo, head.tree, projectRoot, options.swappable);
  const config = readRepoConfig(repo, head.tree);
  swappable.catch(() => {
  });
  config.catch(() => {
  });
  let review2 = await reviewStatically(repo, {
    base: options.base,
    head: options.head,
    resolved: { base: base.commit, head: head.commit },
    projectRoot,
    exclude: options.exclude,
    swappable
  });
  const repoConfig = await config;
  const staticMs = Math.round(performance.now() - started);
  logger.info(
    `static review: ${review2.added.length} new migration(s), ${review2.conflicts.length} conflict(s), ${review2.parsedFiles} file(s) parsed in ${staticMs} ms`
  );
  const resources = hooks.resources ?? new ResourceStack(logger);
  const stageTimings = {};
  let server;
  try {
    let added = review2.added;
    let djangoView = { status: "skipped", reason: "the static review only was asked for (--static-only / rehearsal: false)", hidden: [], problems: [], missingMigrations: null };
    let answer = null;
    let rehearsal;
    let evidence = null;
    let processes = null;
    let checkouts = null;
    const rehearsalModule = options.rehearsal && review2.added.length > 0 ? import("./rehearse-IKDFNK2N.js") : null;
    rehearsalModule?.catch(() => {
    });
    server = rehearsalModule ? import("./server-PGROFOYF.js").then(({ startServer }) => startServer(options, resources, logger)) : void 0;
    server?.catch(() => {
    });
    if (options.rehearsal) {
      const djangoStarted = performance.now();
      try {
        checkouts = await exportCheckouts(repo, review2, options.includePaths, resources, options.env);
        processes = await startPython(repo, { ...options, projectRoot }, checkouts, resources, logger);
        answer = await askDjango({ processes, review: review2, checkouts, projectRoot });
        djangoView = answer.view;
        added = answer.added;
        review2 = settleConflicts2(review2, answer);
        review2 = { ...review2, problems: review2.problems.filter((problem) => !(problem.kind === "syntax-error" && answer.imported.has(problem.path))) };
      } catch (error) {
        if (error instanceof UsageError) throw error;
        djangoView = { status: "failed", reason: error.message, hidden: [], problems: [], missingMigrations: null };
        logger.warning(`Django could not be asked: ${error.message}`);
      }
      stageTimings.djangoMs = Math.round(performance.now() - djangoStarted);
      const took = `${stageTimings.djangoMs} ms`;
      if (djangoView.status === "ran") {
        const missing = djangoView.missingMigrations?.length ?? 0;
        logger.info(
          `Django ${djangoView.djangoVersion}: ${added.length} new migration(s)${djangoView.hidden.length > 0 ? ` (${djangoView.hidden.length} only its loader sees)` : ""}; ${missing === 0 ? "no model change without a migration" : `model changes without a migration in ${missing} app(s)`} (${took})`
        );
      }
    }
    const sources = new Map([...review2.sources, ...answer?.sources ?? []]);
    const ruleFindings = evaluateRules({ merged: review2.trees.merge.graph, added, sources, config: repoConfig });
    const suggestions = suggestFixes({ added, sources, findings: ruleFindings, djangoVersion: djangoView.djangoVersion });
    const skip = rehearsalSkipReason(options, review2, added, djangoView);
    if (skip !== null) {
      rehearsal = { status: djangoView.status === "failed" ? "failed" : "skipped", reason: skip };
    } else {
      try {
        const rehearsalStarted = performance.now();
        const { rehearse } = await (rehearsalModule ?? import("./rehearse-IKDFNK2N.js"));
        evidence = await rehearse({
          review: review2,
          added: added.map(migrationKey),
          ancestors: ancestorsOf(review2, added, answer),
          nonAtomic: new Set(added.filter((file) => !file.atomic).map(migrationKey)),
          ...answer ? { baseMigrations: answer.baseMigrations } : {},
          checkouts,
          python: processes,
          options: { ...options, projectRoot },
          logger,
          resources,
          ...server ? { server } : {},
          ...tableSizes2 ? { tableSizes: tableSizes2 } : {},
          ...hooks.onPhase ? { onPhase: hooks.onPhase } : {}
        });
        rehearsal = evidence.info;
        stageTimings.rehearsalMs = Math.round(performance.now() - rehearsalStarted);
      } catch (error) {
        if (error instanceof UsageError) throw error;
        logger.warning(`the rehearsal could not run: ${error.message}`);
        rehearsal = { status: "failed", reason: error.message };
      }
    }
    hooks.onStages?.({ review: review2, added, ruleFindings, evidence, djangoView });
    const report = assembleReport({
      review: review2,
      projectRoot,
      added,
      ruleFindings,
      rehearsal,
      evidence,
      djangoView,
      suggestions,
      excluded: excludedMigrations(added, repoConfig),
      lockTimeoutMs: options.lockTimeoutMs,
      maxLockHoldMs: options.maxLockHoldMs,
      ...tableSizes2 ? { tableSizes: tableSizes2 } : {},
      timings: { staticMs, ...review2.timings, ...stageTimings, totalMs: Math.round(performance.now() - started) }
    });
    report.summary = summarize(report);
    return report;
  } finally {
    await server?.catch(() => {
    });
    if (hooks.resources === void 0) await resources.dispose();
  }
}
function settleConflicts2(review2, answer) {
  if (answer.conflictingApps === null) return review2;
  const confirmed = review2.conflicts.filter((conflict) => answer.conflictingApps.has(conflict.app));
  const problems = [...review2.problems];
  for (const conflict of review2.conflicts) {
    if (confirmed.includes(conflict)) continue;
    problems.push({
      kind: "dynamic-dependencies",
      severity: "warning",
      message: `the file review saw ${conflict.leaves.length} leaf migrations in '${conflict.app}', but Django's loader, which reads every dependency, finds one: no conflict`,
      path: conflict.leaves[0].path,
      line: 1,
      tree: "merge"
    });
  }
  for (const app of answer.conflictingApps) {
    if (review2.conflicts.some((conflict) => conflict.app === app)) continue;
    problems.push({
      kind: "conflicting-leaves",
      message: `Django's loader finds more than one leaf migration in '${app}' after the merge: \`migrate\` will stop with "Conflicting migrations detected"; run \`python manage.py makemigrations --merge ${app}\``,
      path: review2.trees.merge.graph.apps.get(app)?.directory ?? app,
      line: 1,
      tree: "merge"
    });
  }
  return { ...review2, conflicts: confirmed, problems };
}
function ancestorsOf(review2, added, answer) {
  const result = /* @__PURE__ */ new Map();
  for (const file of added) {
    const key2 = migrationKey(file);
    if (answer === null) {
      result.set(key2, ancestors(review2.trees.merge.graph, key2));
      continue;
    }
    const seen = /* @__PURE__ */ new Set();
    const stack = [...answer.dependencies.get(key2) ?? []];
    while (stack.length > 0) {
      const next = stack.pop();
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...answer.dependencies.get(next) ?? []);
    }
    result.set(key2, seen);
  }
  return result;
}
function rehearsalSkipReason(options, review2, added, view) {
  if (!options.rehearsal) return "the rehearsal was switched off (--static-only / rehearsal: false)";
  if (view.status === "failed") return view.reason ?? "the project's Python could not be started";
  if (added.length === 0) return "this pull request adds no migrations";
  const blocking = review2.problems.filter((problem) => problem.kind !== "duplicate-app-label" && problem.severity !== "warning");
  if (blocking.length > 0) return `the migration graph does not load (${blocking[0].message})`;
  return null;
}
async function readRepoConfig(repo, tree) {
  const result = await repo.run(["cat-file", "blob", `${tree}:${CONFIG_FILE}`]);
  if (result.exitCode !== 0) return EMPTY_CONFIG;
  return parseRepoConfig(result.stdout.toString("utf8"), CONFIG_FILE);
}
function excludedMigrations(added, config) {
  const excluded = /* @__PURE__ */ new Set();
  for (const file of added) {
    const key2 = migrationKey(file);
    if (config.exclude.apps.includes(file.app) || config.exclude.migrations.includes(key2)) excluded.add(key2);
  }
  return excluded;
}

// src/report/terminal-escape.ts
function visible(text2) {
  return text2.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

export {
  DEFAULTS,
  UsageError,
  FAIL_ON_VALUES,
  POSTGRES_VALUES,
  oneOf,
  positiveInteger,
  booleanValue,
  swappableSettings,
  validate,
  syntheticSeedDefault,
  ShallowHistoryError,
  GitRepository,
  SCHEMA_VERSION,
  ResourceStack,
  releaseOnSignals,
  renderJson,
  formatDuration,
  stepText,
  deployPlan,
  code,
  rich,
  renderComment,
  renderMarkdown,
  renderJobSummary,
  visible,
  failsPolicy,
  secretsOf,
  runReview
};
