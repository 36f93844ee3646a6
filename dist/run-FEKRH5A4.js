import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  DEFAULTS,
  FAIL_ON_VALUES,
  POSTGRES_VALUES,
  ResourceStack,
  UsageError,
  booleanValue,
  deployPlan,
  failsPolicy,
  formatDuration,
  oneOf,
  positiveInteger,
  releaseOnSignals,
  renderJson,
  renderMarkdown,
  runReview,
  stepText,
  swappableSettings,
  syntheticSeedDefault,
  validate,
  visible
} from "./chunk-WJQIMPBH.js";
import {
  BLOCKING_MODES,
  TOOL_VERSION,
  lockName
} from "./chunk-5NUHCK6G.js";
import {
  removeEarlierLeftovers
} from "./chunk-VWXJEOJM.js";
import {
  RunJournal,
  runsDirectory
} from "./chunk-RGEDZ3GP.js";
import "./chunk-OZPBTWHR.js";
import "./chunk-NY66FEUR.js";
import "./chunk-W7AKGTAM.js";
import "./chunk-ZWSXPRV4.js";
import "./chunk-4KI3P23L.js";
import "./chunk-22WNB3OF.js";
import "./chunk-JMBS7UGV.js";

// src/cli/run.ts
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

// src/config/flags.ts
import { parseArgs } from "node:util";
var HELP = `Usage: django-migration-review [options]

Reviews the Django migrations between two refs: conflicting leaves after the
merge (with a fix), and, with Python, Django and Postgres at hand, a rehearsal
of the new migrations on seeded data: backward compatibility, deploy order,
reversibility, data loss and locks.

Refs
  --repo DIR              git checkout to review (default: .)
  --base REF              base branch (default: origin/main)
  --head REF              the change under review (default: HEAD)
  --project-root DIR      the Django project's folder inside the repository
  --exclude DIR           leave out a folder's migrations (repeatable)
  --swappable S=app.Model value of a swappable setting, e.g. AUTH_USER_MODEL=accounts.User

Output
  --format FMT            text, json or markdown (default: text)
  --output FILE           write the report to FILE instead of stdout
  --report-path FILE      also write the JSON report to FILE
  --fix-patch FILE        write the fixes for conflicting leaves as one patch (git apply FILE)
  --sarif FILE            also write findings as SARIF
  --fail-on LEVEL         exit 1 at this verdict: error, unsafe, warning or never (default: unsafe)
  --no-color              plain text even on a terminal (NO_COLOR is honoured too)
  --quiet                 no progress on stderr (warnings still show)
  --verbose               progress details on stderr

Rehearsal
  --static-only           skip the rehearsal (same as --rehearsal false)
  --rehearsal BOOL        run the rehearsal (default: true)
  --postgres KIND         auto, container, local or url (default: auto)
  --database-url URL      a server to use (postgres://...); the run creates and drops its own databases
  --postgres-image IMAGE  image for the container provider (default: ${DEFAULTS.postgresImage})
  --postgres-bin DIR      folder with initdb and postgres for the local provider
  --python PATH           the project's Python, with Django installed (default: python3)
  --base-python PATH      the Python for the base branch's code, when the PR changes requirements
                          (e.g. upgrades Django); default: --python
  --include-paths PATH    copy a file or folder from the working tree into both code versions
                          (gitignored settings, generated files); repeatable; also --include
  --settings MODULE       DJANGO_SETTINGS_MODULE (default: read from manage.py)
  --seed-rows N           synthetic rows per table (default: ${DEFAULTS.seedRows})
  --seed-sql FILE         SQL run on the base schema before the synthetic rows
  --seed-command CMD      command run in the base checkout before the synthetic rows
  --synthetic-seed BOOL   insert synthetic rows (default: true; false with --template-database,
                          where true fills only the tables the snapshot leaves empty)
  --cache-dir DIR         keep the migrated and seeded base database here (pg_dump archives,
                          one per cache key); a run with the same key restores it
  --template-database NAME
                          copy every rehearsal database from this database of the
                          --database-url server (a restored snapshot); it is never written
  --template-migrate BOOL migrate the copy forward when the template lacks some of the base
                          branch's migrations (default: false: refuse, naming them)
  --sample-rows N         rows per table the data comparisons read; larger tables are
                          sampled (default: ${DEFAULTS.sampleRows})
  --table-stats FILE      production's table sizes (JSON from the query in docs/table-stats.md):
                          rewrites, scans and lock holds get estimates for them
  --max-lock-hold MS      how long the running code may wait behind a migration's lock: a
                          longer wait beside the rehearsal, or a blocking lock estimated
                          longer on --table-stats sizes, is a finding (default: ${DEFAULTS.maxLockHoldMs})
  --contention BOOL       play the running code's queries beside each migration and record
                          how long they wait (default: true)
  --lock-timeout MS       lock_timeout for every statement (default: ${DEFAULTS.lockTimeoutMs})
  --statement-timeout MS  statement_timeout for every statement (default: ${DEFAULTS.statementTimeoutMs})
  --timeout MS            limit for the whole rehearsal (default: ${DEFAULTS.timeoutMs})

  --help, --version

Exit status: 0 when the verdict passes --fail-on, 1 when it fails it, 2 for
bad usage or a run that could not complete.`;
function parseFlags(argv, env, isTty) {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        repo: { type: "string" },
        base: { type: "string" },
        head: { type: "string" },
        "project-root": { type: "string" },
        exclude: { type: "string", multiple: true },
        swappable: { type: "string", multiple: true },
        format: { type: "string" },
        output: { type: "string" },
        "report-path": { type: "string" },
        "fix-patch": { type: "string" },
        sarif: { type: "string" },
        "fail-on": { type: "string" },
        "no-color": { type: "boolean" },
        verbose: { type: "boolean" },
        quiet: { type: "boolean", short: "q" },
        "static-only": { type: "boolean" },
        rehearsal: { type: "string" },
        postgres: { type: "string" },
        "database-url": { type: "string" },
        "postgres-image": { type: "string" },
        "postgres-bin": { type: "string" },
        python: { type: "string" },
        "base-python": { type: "string" },
        "include-paths": { type: "string", multiple: true },
        include: { type: "string", multiple: true },
        settings: { type: "string" },
        "seed-rows": { type: "string" },
        "seed-sql": { type: "string" },
        "seed-command": { type: "string" },
        "synthetic-seed": { type: "string" },
        "cache-dir": { type: "string" },
        "template-database": { type: "string" },
        "template-migrate": { type: "string" },
        "sample-rows": { type: "string" },
        "table-stats": { type: "string" },
        "max-lock-hold": { type: "string" },
        contention: { type: "string" },
        "lock-timeout": { type: "string" },
        "statement-timeout": { type: "string" },
        timeout: { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" }
      }
    });
  } catch (error) {
    throw new UsageError(`${error.message.replace(/\. To specify.*$/s, "")} (see --help)`);
  }
  const v = parsed.values;
  if (v.help) return { kind: "help" };
  if (v.version) return { kind: "version" };
  if (v["static-only"] && v.rehearsal !== void 0 && booleanValue("--rehearsal", v.rehearsal)) {
    throw new UsageError("--static-only and --rehearsal true contradict each other");
  }
  const options = {
    env,
    repo: v.repo ?? DEFAULTS.repo,
    base: v.base ?? DEFAULTS.base,
    head: v.head ?? DEFAULTS.head,
    projectRoot: v["project-root"] ?? DEFAULTS.projectRoot,
    exclude: v.exclude ?? [],
    swappable: swappableSettings("--swappable", v.swappable ?? []),
    failOn: oneOf("--fail-on", v["fail-on"] ?? DEFAULTS.failOn, FAIL_ON_VALUES),
    rehearsal: v["static-only"] ? false : v.rehearsal === void 0 ? DEFAULTS.rehearsal : booleanValue("--rehearsal", v.rehearsal),
    postgres: oneOf("--postgres", v.postgres ?? (v["database-url"] ? "url" : DEFAULTS.postgres), POSTGRES_VALUES),
    databaseUrl: v["database-url"],
    postgresImage: v["postgres-image"] ?? DEFAULTS.postgresImage,
    postgresBin: v["postgres-bin"],
    python: v.python ?? DEFAULTS.python,
    basePython: v["base-python"],
    includePaths: [...v["include-paths"] ?? [], ...v.include ?? []],
    settings: v.settings,
    seedRows: v["seed-rows"] === void 0 ? DEFAULTS.seedRows : positiveInteger("--seed-rows", v["seed-rows"]),
    seedSql: v["seed-sql"],
    seedCommand: v["seed-command"],
    syntheticSeed: v["synthetic-seed"] === void 0 ? syntheticSeedDefault(v["template-database"]) : booleanValue("--synthetic-seed", v["synthetic-seed"]),
    cacheDir: v["cache-dir"],
    templateDatabase: v["template-database"],
    templateMigrate: v["template-migrate"] === void 0 ? DEFAULTS.templateMigrate : booleanValue("--template-migrate", v["template-migrate"]),
    sampleRows: v["sample-rows"] === void 0 ? DEFAULTS.sampleRows : positiveInteger("--sample-rows", v["sample-rows"]),
    tableStats: v["table-stats"],
    maxLockHoldMs: v["max-lock-hold"] === void 0 ? DEFAULTS.maxLockHoldMs : positiveInteger("--max-lock-hold", v["max-lock-hold"]),
    contention: v.contention === void 0 ? DEFAULTS.contention : booleanValue("--contention", v.contention),
    lockTimeoutMs: v["lock-timeout"] === void 0 ? DEFAULTS.lockTimeoutMs : positiveInteger("--lock-timeout", v["lock-timeout"]),
    statementTimeoutMs: v["statement-timeout"] === void 0 ? DEFAULTS.statementTimeoutMs : positiveInteger("--statement-timeout", v["statement-timeout"]),
    timeoutMs: v.timeout === void 0 ? DEFAULTS.timeoutMs : positiveInteger("--timeout", v.timeout),
    format: oneOf("--format", v.format ?? "text", ["text", "json", "markdown"]),
    output: v.output,
    reportPath: v["report-path"],
    fixPatch: v["fix-patch"],
    sarif: v.sarif,
    verbose: v.verbose ?? false,
    quiet: v.quiet ?? false,
    color: wantsColor(v["no-color"] ?? false, env, isTty)
  };
  validate(options);
  return { kind: "review", options };
}
function wantsColor(noColorFlag, env, isTty) {
  if (noColorFlag || env.NO_COLOR !== void 0 && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== void 0 && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false") return true;
  return isTty && env.TERM !== "dumb";
}

// src/cli/progress.ts
function terminalLogger(stream, options = {}) {
  const live = stream.isTTY === true && !options.verbose;
  let shown = null;
  const fit = (message) => {
    const width = Math.max(20, (stream.columns ?? 100) - 1);
    const line = visible(message.split("\n")[0]);
    return line.length > width ? `${line.slice(0, width - 1)}…` : line;
  };
  const clear = () => {
    if (shown !== null) stream.write("\r\x1B[2K");
  };
  const above = (line) => {
    clear();
    stream.write(`${line}
`);
    if (shown !== null) stream.write(shown);
  };
  return {
    info: (message) => {
      if (options.quiet) return;
      if (!live) {
        stream.write(`${visible(message)}
`);
        return;
      }
      clear();
      shown = fit(message);
      stream.write(shown);
    },
    warning: (message) => above(`warning: ${visible(message)}`),
    debug: (message) => {
      if (options.verbose) above(`debug: ${visible(message)}`);
    },
    end: () => {
      if (shown !== null) stream.write("\n");
      shown = null;
    }
  };
}

// src/report/text.ts
var ansi = (open, close) => (text) => `\x1B[${open}m${text}\x1B[${close}m`;
var COLOR = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  red: ansi(31, 39),
  yellow: ansi(33, 39),
  green: ansi(32, 39),
  cyan: ansi(36, 39)
};
var PLAIN = { bold: (t) => t, dim: (t) => t, red: (t) => t, yellow: (t) => t, green: (t) => t, cyan: (t) => t };
var VERDICT_MARK = { safe: "✔", warning: "▲", unsafe: "✖", error: "✖" };
var SEVERITY_MARK = { info: "ℹ", warning: "▲", unsafe: "✖", error: "✖" };
function renderText(report, options) {
  const c = options.color ? COLOR : PLAIN;
  const width = Math.max(60, options.width ?? 100);
  const tint = (level, text) => level === "safe" || level === "info" ? level === "safe" ? c.green(text) : c.cyan(text) : level === "warning" ? c.yellow(text) : c.red(text);
  const out = [];
  const wrap = (indent, text, hanging = indent + 2) => {
    const words = visible(text).split(" ");
    const lines = [];
    let line = " ".repeat(indent);
    for (const word of words) {
      if (line.trim() !== "" && line.length + 1 + word.length > width) {
        lines.push(line);
        line = " ".repeat(hanging);
      }
      line += line.trim() === "" ? word : ` ${word}`;
    }
    if (line.trim() !== "") lines.push(line);
    return lines;
  };
  const verdictLine = `${tint(report.verdict, `${VERDICT_MARK[report.verdict]} ${report.verdict.toUpperCase()}`)}  ${visible(report.summary.replace(/^\w+: /, ""))}`;
  out.push(c.dim(visible(`django-migration-review ${report.tool.version} · base ${report.base.ref} (${report.base.sha.slice(0, 7)}) · head ${report.head.ref} (${report.head.sha.slice(0, 7)})`)), "", verdictLine);
  if (report.graphProblems.length > 0) {
    out.push("", c.bold("The migration graph"));
    for (const problem of report.graphProblems) {
      const level = problem.severity === "warning" ? "warning" : "error";
      out.push(...wrap(2, `${SEVERITY_MARK[level]} ${problem.path}:${problem.line}  ${problem.message}`).map((line, i) => i === 0 ? tint(level, line) : line));
    }
  }
  for (const conflict of report.conflicts) out.push("", ...conflictLines(conflict, c, options.fixPatch, wrap));
  if (report.editedMigrations.length > 0) {
    out.push("", c.bold("Existing migrations changed by this PR"));
    for (const edit of report.editedMigrations) {
      const level = edit.severity ?? (edit.change === "modified" ? "warning" : "unsafe");
      out.push(...wrap(2, `${SEVERITY_MARK[level]} ${edit.path}  ${edit.message}`));
    }
  }
  if (report.migrations.length > 0) {
    out.push("", c.bold("New migrations"));
    for (const migration of report.migrations) out.push(...migrationLines(migration, c, tint, wrap));
  }
  const missing = report.missingMigrations;
  if (missing.value === true && missing.changes) {
    out.push("", c.bold("Model changes without a migration"));
    for (const change of missing.changes) {
      const level = change.databaseOperations.length > 0 ? "unsafe" : "info";
      out.push(...wrap(2, `${SEVERITY_MARK[level]} ${change.app}: ${change.operations.slice(0, 10).join("; ")}`));
    }
    if (missing.command) out.push(`  run: ${missing.command}`);
  }
  const duplicates = report.duplicateNumbers.filter((d) => d.introducedByPr && !report.conflicts.some((c2) => c2.app === d.app));
  if (duplicates.length > 0) {
    out.push("", c.bold("Shared number prefixes"));
    for (const duplicate of duplicates) {
      out.push(...wrap(2, `ℹ ${duplicate.app}: ${duplicate.migrations.map((key) => key.split(".")[1]).join(", ")} share ${duplicate.number}`));
    }
  }
  if (report.rehearsal.status !== "ran") out.push("", ...wrap(0, `Rehearsal ${report.rehearsal.status}: ${report.rehearsal.reason ?? "no reason given"}`).map(c.dim));
  for (const note of report.rehearsal.notes ?? []) out.push(...wrap(0, `note: ${note}`).map(c.dim));
  out.push("", verdictLine, c.bold("Deploy plan"));
  deployPlan(report).forEach((step, i) => out.push(...wrap(2, `${i + 1}. ${stepText(step)}`, 5)));
  return `${out.join("\n")}
`;
}
function conflictLines(conflict, c, fixPatch, wrap) {
  const lines = [c.bold(visible(`Conflict in '${conflict.app}': ${conflict.leaves.length} leaf migrations after the merge${conflict.preexisting ? " (already on the base branch)" : ""}`))];
  const width = Math.max(...conflict.leaves.map((leaf) => leaf.name.length));
  for (const leaf of conflict.leaves) {
    const side = leaf.side === "pr" ? "this PR" : leaf.side === "main" ? "base branch" : "both";
    lines.push(visible(`  ${leaf.name.padEnd(width)}  ${side.padEnd(11)}  `) + c.dim(visible(leaf.path)));
  }
  lines.push(...wrap(2, `common ancestor: ${conflict.commonAncestor ?? "none"}`));
  lines.push(...wrap(2, `${conflict.needsHumanReview ? "▲ " : ""}${conflict.reason}`).map((line) => conflict.needsHumanReview ? c.yellow(line) : line));
  if (conflict.fix.patch !== null) {
    const renames = conflict.fix.renames.map((r) => `${r.from.split(".")[1]} → ${r.to.split(".")[1]}`).join(", ");
    lines.push(...wrap(2, `fix: ${renames ? `rename ${renames}, ` : ""}depend on the base branch's leaf`));
    lines.push(
      ...wrap(
        2,
        fixPatch ? `the patch is in ${fixPatch}: git apply ${fixPatch}` : "get the patch with --fix-patch FILE (then git apply FILE), or see it in --format markdown"
      )
    );
    lines.push(...wrap(2, `or: ${conflict.fix.mergeCommand}`));
  } else {
    lines.push(...wrap(2, `fix: ${conflict.fix.mergeCommand}${conflict.fix.unavailable ? ` (no rename patch: ${conflict.fix.unavailable})` : ""}`));
  }
  return lines;
}
function migrationLines(migration, c, tint, wrap) {
  const head = `  ${tint(migration.verdict, VERDICT_MARK[migration.verdict])} ${c.bold(visible(`${migration.app}.${migration.name}`))}  ${tint(migration.verdict, migration.verdict)}  ${c.dim(visible(migration.path))}`;
  const lines = [head];
  const facts = factsLine(migration);
  if (facts) lines.push(...wrap(6, facts).map(c.dim));
  for (const finding of migration.findings.filter((f) => f.ignored === void 0)) {
    lines.push(...findingLines(finding, c, tint, wrap));
  }
  return lines;
}
function factsLine(migration) {
  const parts = [];
  const rehearsal = migration.rehearsal;
  if (rehearsal.status === "not-rehearsed" || rehearsal.status === "recorded-applied" || rehearsal.status === "replaced") parts.push(`${rehearsal.status.replace("-", " ")}`);
  if (migration.deployOrder) parts.push(`deploy: ${migration.deployOrder}`);
  const yesNo = (label, value) => value === null ? null : `${label}: ${value ? "yes" : "no"}`;
  for (const part of [
    yesNo("backward compatible", migration.backwardCompatible.value),
    yesNo("reversible", migration.reversible.value),
    yesNo("data loss", migration.dataLoss.value)
  ]) {
    if (part) parts.push(part);
  }
  if (rehearsal.basis && rehearsal.basis !== "adversarial-seed") parts.push(`on ${rehearsal.basis}`);
  const hold = migration.lockHolds?.find((entry) => BLOCKING_MODES.has(entry.mode) && (entry.heldMs >= 100 || entry.estimatedMs !== void 0));
  if (hold) {
    const held = `${lockName(hold.mode)} on ${visible(hold.relation)} held ${formatDuration(hold.heldMs)}${hold.line !== null ? ` from line ${hold.line}` : ""}${hold.until === "commit" ? " to the COMMIT" : ""}`;
    parts.push(hold.estimatedMs !== void 0 ? `${held}, about ${formatDuration(hold.estimatedMs)} on production's sizes` : held);
  }
  const wait = migration.contention?.blocked[0];
  if (wait && wait.waitedMs >= 100) parts.push(`the running code's ${wait.query.startsWith("SELECT") ? "reads" : "writes"} of ${visible(wait.table)} waited ${formatDuration(wait.waitedMs)}${wait.timedOut ? " (gave up)" : ""}`);
  return parts.join(" · ");
}
function findingLines(finding, c, tint, wrap) {
  const where = finding.line === null ? "" : `:${finding.line} `;
  const seen = finding.outcome === "seen" ? ", seen in the rehearsal" : finding.outcome === "not-seen" ? ", not seen in the rehearsal" : "";
  const [first, ...rest] = wrap(6, `${SEVERITY_MARK[finding.severity]} ${where}${finding.message} [${finding.rule}${seen}]`, 8);
  const lines = [tint(finding.severity, first), ...rest];
  for (const proof of (finding.proof ?? []).slice(0, 3)) lines.push(...wrap(10, `↳ ${proof}`, 12).map(c.dim));
  if (finding.productionCheck) lines.push(...wrap(10, `check production (read-only): ${finding.productionCheck.sql}`, 12));
  if (finding.safeAlternative) lines.push(...wrap(10, `instead: ${finding.safeAlternative.replace(/`/g, "")}`, 12).map(c.green));
  return lines;
}

// src/cli/run.ts
var EXIT = { ok: 0, failedPolicy: 1, usageOrFailure: 2 };
async function runCli(argv, io) {
  let options;
  try {
    const command = parseFlags(argv, io.env, io.isTty);
    if (command.kind === "help") {
      io.stdout.write(`${HELP}
`);
      return EXIT.ok;
    }
    if (command.kind === "version") {
      io.stdout.write(`${TOOL_VERSION}
`);
      return EXIT.ok;
    }
    options = command.options;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`django-migration-review: ${error.message}
`);
      return EXIT.usageOrFailure;
    }
    throw error;
  }
  const progress = terminalLogger(
    { write: (text) => io.stderr.write(text), isTTY: io.stderrIsTty === true, ...io.columns ? { columns: io.columns } : {} },
    { verbose: options.verbose, quiet: options.quiet }
  );
  const journal = new RunJournal(io.env.DMR_RUNS_DIR || runsDirectory());
  await removeEarlierLeftovers(dirname(journal.file), journal.runId, progress).catch(
    (error) => progress.debug(`could not look for earlier runs' leftovers: ${error.message}`)
  );
  const resources = new ResourceStack(progress, journal);
  const stopHandling = releaseOnSignals(resources, progress);
  let report;
  try {
    report = await runReview(options, progress, { resources });
  } catch (error) {
    progress.end();
    io.stderr.write(`django-migration-review: ${error.message}
`);
    if (options.verbose && error instanceof Error && error.stack) io.stderr.write(`${error.stack}
`);
    return EXIT.usageOrFailure;
  } finally {
    await resources.dispose();
    stopHandling();
    progress.end();
  }
  const rendered = options.format === "json" ? renderJson(report) : options.format === "markdown" ? renderMarkdown(report) : renderText(report, {
    color: options.color && options.output === void 0,
    ...options.output === void 0 && io.columns ? { width: io.columns } : {},
    ...options.fixPatch ? { fixPatch: options.fixPatch } : {}
  });
  if (options.output) writeOutput(options.output, rendered);
  else io.stdout.write(rendered);
  if (options.reportPath) writeOutput(options.reportPath, renderJson(report));
  if (options.fixPatch) {
    const patches = report.conflicts.map((conflict) => conflict.fix.patch).filter((patch) => patch !== null);
    writeOutput(options.fixPatch, patches.join(""));
    io.stderr.write(
      patches.length > 0 ? `wrote ${patches.length} conflict fix${patches.length === 1 ? "" : "es"} to ${options.fixPatch}: git apply ${options.fixPatch}
` : `no conflict fix to write; ${options.fixPatch} is empty
`
    );
  }
  if (report.rehearsal.status === "failed") {
    io.stderr.write(`django-migration-review: the rehearsal could not run: ${report.rehearsal.reason}
`);
    return EXIT.usageOrFailure;
  }
  return failsPolicy(report.verdict, options.failOn) ? EXIT.failedPolicy : EXIT.ok;
}
function writeOutput(path, content) {
  const full = resolve(path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}
export {
  EXIT,
  runCli
};
