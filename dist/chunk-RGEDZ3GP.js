import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);

// src/lifecycle/run-journal.ts
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
function newRunId() {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  let id = "";
  for (const byte of randomBytes(8)) id += alphabet[byte % alphabet.length];
  return id;
}
function runsDirectory(base = tmpdir()) {
  return join(base, `dmr-runs-${process.getuid?.() ?? "user"}`);
}
function processStartTime(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}
var RunJournal = class {
  runId;
  directory;
  file;
  record;
  nextId = 1;
  closed = false;
  constructor(directory, runId = newRunId()) {
    this.runId = runId;
    this.directory = directory;
    mkdirSync(directory, { recursive: true, mode: 448 });
    this.file = join(directory, `${runId}.json`);
    this.record = { runId, pid: process.pid, processStart: processStartTime(process.pid), startedAt: (/* @__PURE__ */ new Date()).toISOString(), entries: [] };
  }
  get entries() {
    return this.record.entries;
  }
  /** Records something that now exists; returns its id for remove(). */
  add(description, leftover) {
    const id = this.nextId++;
    this.record.entries.push({ id, description, leftover });
    this.write();
    return id;
  }
  remove(id) {
    const index = this.record.entries.findIndex((entry) => entry.id === id);
    if (index < 0) return;
    this.record.entries.splice(index, 1);
    this.write();
  }
  /** The run ended and released everything: no record left behind. Entries still listed keep the file. */
  close() {
    this.closed = true;
    if (this.record.entries.length === 0) rmSync(this.file, { force: true });
    else this.write();
  }
  // Written whole and renamed into place: a reader never sees half a record.
  write() {
    if (this.closed && this.record.entries.length === 0) return;
    const partial = `${this.file}.${process.pid}.tmp`;
    writeFileSync(partial, `${JSON.stringify(this.record, null, 2)}
`, { mode: 384 });
    renameSync(partial, this.file);
  }
};

// src/lifecycle/leftovers.ts
import { existsSync, readdirSync, readFileSync as readFileSync2, renameSync as renameSync2, rmSync as rmSync2, writeFileSync as writeFileSync2 } from "node:fs";
import { basename, join as join2 } from "node:path";
function alive(pid) {
  try {
    process.kill(pid, 0);
    return !zombie(pid);
  } catch (error) {
    return error.code === "EPERM";
  }
}
function zombie(pid) {
  try {
    const stat = readFileSync2(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}
function runIsAlive(record) {
  if (!alive(record.pid)) return false;
  if (record.processStart === null) return true;
  const start = processStartTime(record.pid);
  return start === null || start === record.processStart;
}
function commandLine(pid) {
  try {
    return readFileSync2(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return null;
  }
}
function stillOurs(leftover) {
  switch (leftover.kind) {
    case "postgres": {
      if (!alive(leftover.pid)) return false;
      try {
        if (Number(readFileSync2(join2(leftover.dataDir, "postmaster.pid"), "utf8").split("\n")[0]) === leftover.pid) return true;
      } catch {
      }
      return commandLine(leftover.pid)?.includes(leftover.dataDir) ?? false;
    }
    case "process": {
      const command = commandLine(leftover.pid);
      return command !== null && command.includes(leftover.command) && alive(leftover.pid);
    }
    case "folder":
      return basename(leftover.path).startsWith("dmr-") && existsSync(leftover.path);
    case "container":
    case "databases":
      return true;
  }
}
function signal(pid, name, group = false) {
  try {
    process.kill(group ? -pid : pid, name);
  } catch {
  }
}
var sleep = (ms) => new Promise((done) => setTimeout(done, ms));
async function gone(pid, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await sleep(25);
  }
  return !alive(pid);
}
function goneSync(pid, ms) {
  const deadline = Date.now() + ms;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    Atomics.wait(pause, 0, 0, 20);
  }
  return !alive(pid);
}
async function removeLeftover(leftover, removeContainers) {
  if (leftover.kind === "databases") return false;
  if (leftover.kind === "container") {
    if (!removeContainers) return false;
    await removeContainers(leftover.label, leftover.value);
    return true;
  }
  if (!stillOurs(leftover)) return true;
  switch (leftover.kind) {
    case "postgres":
      signal(leftover.pid, "SIGQUIT");
      if (!await gone(leftover.pid, 1e4)) signal(leftover.pid, "SIGKILL");
      return gone(leftover.pid, 5e3);
    case "process":
      signal(leftover.pid, "SIGKILL", true);
      return gone(leftover.pid, 5e3);
    case "folder":
      rmSync2(leftover.path, { recursive: true, force: true, maxRetries: 3 });
      return !existsSync(leftover.path);
  }
}
function removeLeftoverSync(leftover) {
  if (leftover.kind === "container" || leftover.kind === "databases") return false;
  if (!stillOurs(leftover)) return true;
  switch (leftover.kind) {
    case "postgres":
      signal(leftover.pid, "SIGQUIT");
      if (!goneSync(leftover.pid, 3e3)) signal(leftover.pid, "SIGKILL");
      return goneSync(leftover.pid, 2e3);
    case "process":
      signal(leftover.pid, "SIGKILL", true);
      return goneSync(leftover.pid, 2e3);
    case "folder":
      return removeFolderSync(leftover.path);
  }
}
function removeFolderSync(path) {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; attempt < 40 && existsSync(path); attempt++) {
    try {
      rmSync2(path, { recursive: true, force: true });
    } catch {
      Atomics.wait(pause, 0, 0, 25);
    }
  }
  return !existsSync(path);
}
function readRecord(file) {
  try {
    const record = JSON.parse(readFileSync2(file, "utf8"));
    return typeof record.runId === "string" && typeof record.pid === "number" && Array.isArray(record.entries) ? record : null;
  } catch {
    return null;
  }
}
async function sweepLeftovers(directory, options) {
  if (!existsSync(directory)) return [];
  const swept = [];
  for (const name of readdirSync(directory).filter((file) => file.endsWith(".json")).sort()) {
    const file = join2(directory, name);
    const record = readRecord(file);
    if (record === null || record.runId === options.exceptRunId) continue;
    if (options.runId !== void 0 && record.runId !== options.runId) continue;
    if (runIsAlive(record)) continue;
    const removed = [];
    const kept = [];
    let waiting = false;
    for (const entry of [...record.entries].reverse()) {
      if (entry.leftover.kind === "databases") {
        waiting = true;
        continue;
      }
      let ok = false;
      try {
        ok = await removeLeftover(entry.leftover, options.removeContainers);
      } catch (error) {
        options.logger.debug(`could not remove ${entry.description}: ${error.message}`);
      }
      ;
      (ok ? removed : kept).push(entry.description);
    }
    if (kept.length === 0 && !waiting) rmSync2(file, { force: true });
    else if (removed.length > 0) rewriteRecord(file, record, (entry) => !removed.includes(entry.description));
    if (removed.length > 0 || kept.length > 0) {
      options.logger.info(
        `Removed what an earlier run (${record.runId}, pid ${record.pid}, gone) left behind: ${removed.join("; ") || "nothing"}` + (kept.length > 0 ? `; could not remove: ${kept.join("; ")}` : "")
      );
    }
    swept.push({ runId: record.runId, pid: record.pid, removed, kept });
  }
  return swept;
}
function rewriteRecord(file, record, keep) {
  const entries = record.entries.filter(keep);
  if (entries.length === 0) {
    rmSync2(file, { force: true });
    return;
  }
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync2(partial, `${JSON.stringify({ ...record, entries }, null, 2)}
`, { mode: 384 });
  renameSync2(partial, file);
}
function deadRunsDatabases(directory, server, exceptRunId) {
  if (!existsSync(directory)) return [];
  const found = [];
  for (const name of readdirSync(directory).filter((file) => file.endsWith(".json"))) {
    const file = join2(directory, name);
    const record = readRecord(file);
    if (record === null || record.runId === exceptRunId || runIsAlive(record)) continue;
    for (const entry of record.entries) {
      const leftover = entry.leftover;
      if (leftover.kind !== "databases" || leftover.host !== server.host || leftover.port !== server.port || leftover.user !== server.user) continue;
      if (!leftover.prefix.startsWith(`dmr_${record.runId}_`)) continue;
      found.push({
        runId: record.runId,
        pid: record.pid,
        prefix: leftover.prefix,
        forget: () => {
          const current = readRecord(file);
          if (current) rewriteRecord(file, current, (other) => other.id !== entry.id);
        }
      });
    }
  }
  return found;
}

export {
  newRunId,
  runsDirectory,
  RunJournal,
  removeLeftoverSync,
  sweepLeftovers,
  deadRunsDatabases
};
