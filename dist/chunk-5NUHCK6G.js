import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);

// src/model/version.ts
var TOOL_VERSION = "0.1.0";

// src/model/locks.ts
var BLOCKING_MODES = /* @__PURE__ */ new Set(["ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"]);
function lockName(mode) {
  return mode.replace(/Lock$/, "").replace(/([a-z])([A-Z])/g, "$1 $2").toUpperCase();
}

// src/django/errors.ts
var DjangoBridgeError = class extends Error {
  kind;
  /** The helper's own kind of error, for a failed request. */
  helperKind;
  /** The Python exception class, when the helper named one. */
  exception;
  /** For a settings import that failed on a missing module: its name. */
  missingModule;
  /** What the helper said, before any advice on which input to set. */
  detail;
  constructor(kind, message, options = {}) {
    super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = "DjangoBridgeError";
    this.kind = kind;
    this.helperKind = options.answer?.kind;
    this.exception = options.answer?.exception;
    this.missingModule = options.answer?.missing_module;
    this.detail = options.answer?.message ?? message;
  }
};
function requestError(method, answer) {
  return new DjangoBridgeError(answer.kind === "migrate" ? "migrate" : "request", `${method}: ${answer.message}`, { answer });
}
function explainStartError(answer, python) {
  const kind = answer.kind;
  const detail = answer.message;
  switch (kind) {
    case "django-missing":
      return new DjangoBridgeError(
        "django-missing",
        `Django is not installed for ${python}: set the python input (--python) to the interpreter of the virtualenv with your project's requirements (${detail})`,
        { answer }
      );
    case "driver-missing":
      return new DjangoBridgeError(
        "driver-missing",
        `${detail}. Install psycopg or psycopg2 in that environment, or set the python input (--python) to one that has it`,
        { answer }
      );
    case "settings":
      if (answer.missing_module) {
        const top = answer.missing_module.split(".")[0];
        return new DjangoBridgeError(
          "settings",
          `${detail}. ${python} has no module '${top}': install the project's requirements into it (e.g. ${python} -m pip install -r requirements.txt), or set the python input (--python) to the virtualenv that has them`,
          { answer }
        );
      }
      return new DjangoBridgeError("settings", `${detail}. Set the settings input (--settings) to your settings module, and any environment variables it needs`, { answer });
    default:
      return new DjangoBridgeError("crashed", detail, { answer });
  }
}

// src/django/bridge.ts
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
var STDERR_KEEP = 8e3;
function helperDirectory() {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, "python"), join(here, "..", "..", "python")]) {
    if (existsSync(join(candidate, "dmr_helper", "__main__.py"))) return candidate;
  }
  throw new Error(`the Python helper is missing next to ${here}; rebuild dist/ (npm run build)`);
}
function databaseUrl(params) {
  const auth = `${encodeURIComponent(params.user)}${params.password ? `:${encodeURIComponent(params.password)}` : ""}`;
  const host = params.host.startsWith("/") ? `?host=${encodeURIComponent(params.host)}` : "";
  const hostPart = params.host.startsWith("/") ? "localhost" : params.host;
  return `postgres://${auth}@${hostPart}:${params.port}/${encodeURIComponent(params.database)}${host}`;
}
function djangoEnvironment(options) {
  return {
    ...options.env,
    PYTHONPATH: [helperDirectory(), options.projectDir, options.env.PYTHONPATH].filter(Boolean).join(delimiter),
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONUNBUFFERED: "1",
    DJANGO_SETTINGS_MODULE: "dmr_helper.settings_shim",
    DMR_USER_SETTINGS: options.settingsModule,
    DMR_DATABASE: JSON.stringify(options.database),
    DMR_LOCK_TIMEOUT_MS: String(options.lockTimeoutMs),
    DMR_STATEMENT_TIMEOUT_MS: String(options.statementTimeoutMs),
    // Every libpq connection the project's code opens (a second connection in a RunPython, psycopg
    // used directly) gets the timeouts too, not only Django's: a wait on a lock ends at lock_timeout.
    PGOPTIONS: [options.env.PGOPTIONS, `-c lock_timeout=${options.lockTimeoutMs}`, `-c statement_timeout=${options.statementTimeoutMs}`].filter(Boolean).join(" "),
    DATABASE_URL: databaseUrl(options.database)
  };
}
var DjangoProcess = class _DjangoProcess {
  info;
  label;
  /** How it was started: a process that died can be started again the same way. */
  options;
  child;
  pending = /* @__PURE__ */ new Map();
  nextId = 1;
  exited = false;
  logger;
  stderrTailOf;
  /** Settles once the process has exited (closed, crashed or killed). */
  closed;
  constructor(child, info, options, logger, stderrTail) {
    this.child = child;
    this.closed = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));
    this.info = info;
    this.options = options;
    this.label = options.label;
    this.logger = logger;
    this.stderrTailOf = stderrTail;
  }
  static async start(options) {
    const env = djangoEnvironment(options);
    const child = spawn(options.python, ["-m", "dmr_helper"], {
      cwd: options.projectDir,
      env,
      stdio: ["pipe", "pipe", "pipe"],
      // Its own process group, so a timeout can kill everything it started.
      detached: true
    });
    let stderrTail = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_KEEP);
      for (const line of chunk.split("\n")) if (line.trim()) options.logger.debug(`[${options.label} python] ${line}`);
    });
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        killGroup(child);
        reject(new DjangoBridgeError("timeout", `Django did not start within ${(options.startTimeoutMs ?? 6e4) / 1e3} s in ${options.projectDir}`));
      }, options.startTimeoutMs ?? 6e4);
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(
          error.code === "ENOENT" ? new DjangoBridgeError(
            "python-missing",
            `Python was not found: '${options.python}'. Set the python input (--python) to your project's interpreter, e.g. .venv/bin/python`
          ) : error
        );
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new DjangoBridgeError("crashed", `${options.python} exited (${code}) before Django started:
${stderrTail.trim().split("\n").slice(-15).join("\n")}`));
      });
      lines.once("line", (line) => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line));
        } catch {
          reject(new DjangoBridgeError("crashed", `unexpected output from the Python helper: ${line.slice(0, 200)}`));
        }
      });
    });
    child.removeAllListeners("exit");
    child.removeAllListeners("error");
    if (first.error) {
      killGroup(child);
      throw explainStartError(first.error, options.python);
    }
    const process_ = new _DjangoProcess(child, first.result, options, options.logger, () => stderrTail);
    process_.listen(lines);
    return process_;
  }
  listen(lines) {
    lines.on("line", (line) => {
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        this.logger.debug(`[${this.label} python] unexpected output: ${line}`);
        return;
      }
      const pending = this.pending.get(message.id);
      if (pending === void 0) return;
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.error) {
        if (message.error.traceback) this.logger.debug(`[${this.label} python] ${pending.method} raised:
${message.error.traceback}`);
        pending.reject(requestError(pending.method, message.error));
      } else pending.resolve(message.result);
    });
    this.child.on("exit", (code, signal) => {
      this.exited = true;
      for (const [id, pending] of this.pending) {
        clearTimeout(pending.timer);
        pending.reject(
          new DjangoBridgeError("crashed", `the ${this.label} Python process ended (${signal ?? code}) during ${pending.method}:
${this.stderrTailOf().trim().split("\n").slice(-15).join("\n")}`)
        );
        this.pending.delete(id);
      }
    });
  }
  /** Whether the process is still there to answer. */
  get running() {
    return !this.exited;
  }
  /** Sends one request; on timeout the process group is killed and the error says so. */
  call(method, params, timeoutMs = 3e5) {
    return this.send(method, params, timeoutMs);
  }
  send(method, params, timeoutMs) {
    if (this.exited) return Promise.reject(new DjangoBridgeError("crashed", `the ${this.label} Python process is not running`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        killGroup(this.child);
        reject(new DjangoBridgeError("timeout", `${method} did not finish within ${Math.round(timeoutMs / 1e3)} s; the ${this.label} Python process was stopped`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, method });
      this.child.stdin.write(`${JSON.stringify({ id, method, params })}
`);
    });
  }
  async close() {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
    try {
      await Promise.race([this.send("shutdown", {}, 5e3), exited]);
    } catch {
    }
    const timer = setTimeout(() => killGroup(this.child), 5e3);
    await exited;
    clearTimeout(timer);
  }
  [Symbol.asyncDispose]() {
    return this.close();
  }
  get pid() {
    return this.child.pid;
  }
};
function killGroup(child) {
  if (child.pid === void 0 || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

export {
  TOOL_VERSION,
  BLOCKING_MODES,
  lockName,
  DjangoBridgeError,
  djangoEnvironment,
  DjangoProcess
};
