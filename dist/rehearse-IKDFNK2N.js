import { createRequire as __dmrCreateRequire } from 'node:module'; import { fileURLToPath as __dmrFileURLToPath } from 'node:url'; import { dirname as __dmrDirname } from 'node:path'; const require = __dmrCreateRequire(import.meta.url); const __filename = __dmrFileURLToPath(import.meta.url); const __dirname = __dmrDirname(__filename);
import {
  startServer
} from "./chunk-MNCP7LLC.js";
import {
  BLOCKING_MODES,
  DjangoBridgeError,
  DjangoProcess,
  TOOL_VERSION,
  djangoEnvironment
} from "./chunk-5NUHCK6G.js";
import "./chunk-W7AKGTAM.js";
import {
  esm_default,
  quoteIdentifier,
  serverMajor
} from "./chunk-4KI3P23L.js";
import {
  TemplateDatabaseError
} from "./chunk-22WNB3OF.js";
import "./chunk-JMBS7UGV.js";

// src/rehearsal/attribution.ts
function touchedTables(statements, knownTables) {
  const touched = /* @__PURE__ */ new Set();
  for (const statement of statements) {
    for (const lock of statement.locks) if (knownTables.has(lock.relation)) touched.add(lock.relation);
    for (const match of statement.sql.matchAll(/"([^"]+)"/g)) if (knownTables.has(match[1])) touched.add(match[1]);
  }
  return touched;
}
function names(statement, table, column) {
  return statement.sql.includes(`"${table}"`) && (column === null || statement.sql.includes(`"${column}"`));
}
function namesColumn(statements, table, column) {
  return statements.some((statement) => names(statement, table, column));
}
function operationFor(statements, table, columns) {
  for (const column of columns) {
    const naming = statements.filter((statement) => statement.operationIndex !== null && names(statement, table, column));
    if (naming.length > 0) return naming.at(-1).operationIndex;
  }
  const onTable = new Set(statements.filter((statement) => statement.operationIndex !== null && names(statement, table, null)).map((s) => s.operationIndex));
  return onTable.size === 1 ? [...onTable][0] : null;
}
function namedIn(message) {
  const found = /* @__PURE__ */ new Set();
  for (const match of message.matchAll(/"([^"]+)"|\b\w+\.(\w+)\b/g)) found.add(match[1] ?? match[2]);
  return [...found];
}
function attributeFailures(failures, statements) {
  return failures.map((failure) => ({
    ...failure,
    operationIndex: operationFor(
      statements,
      failure.table,
      namedIn(failure.message).filter((name) => name !== failure.table)
    )
  }));
}
function lossEntries(comparison, when, statements, options) {
  const entries = [];
  const everything = when === "round-trip" || options.permanent === true;
  const add = (entry) => {
    if (!options.base.has(entry.table) || entry.column !== null && !options.base.has(`${entry.table}.${entry.column}`)) return;
    entries.push({ ...entry, operationIndex: operationFor(statements, entry.table, entry.column === null ? [] : [entry.column]) });
  };
  for (const table of comparison.tables) {
    if (table.vanished) {
      if (table.rowsBefore > 0) add({ table: table.table, column: null, rowsLost: table.rowsBefore, valuesChanged: 0, when });
      continue;
    }
    if (everything && table.rowsLost > 0) add({ table: table.table, column: null, rowsLost: table.rowsLost, valuesChanged: 0, when });
    for (const column of table.columns) {
      const changed = column.vanished ? column.nonNullBefore : everything ? column.valuesChanged : 0;
      if (changed > 0) add({ table: table.table, column: column.column, rowsLost: 0, valuesChanged: changed, when });
    }
  }
  return entries;
}

// src/rehearsal/base.ts
import { readFile as readFile3 } from "node:fs/promises";
import { join as join3 } from "node:path";

// src/seed/catalog.ts
function quoteIdent(name) {
  return `"${name.replaceAll('"', '""')}"`;
}
function qualifiedName(schema, table) {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}
var VARHDRSZ = 4;
function typmodFacts(typname, typmod) {
  const facts = { maxLength: null, numericPrecision: null, numericScale: null };
  if (typmod < 0) return facts;
  if (typname === "varchar" || typname === "bpchar") facts.maxLength = typmod - VARHDRSZ;
  else if (typname === "bit" || typname === "varbit") facts.maxLength = typmod;
  else if (typname === "numeric") {
    const value = typmod - VARHDRSZ;
    facts.numericPrecision = value >> 16 & 65535;
    facts.numericScale = (value & 2047 ^ 1024) - 1024;
  }
  return facts;
}
function typeResolver(types, enums) {
  const resolve3 = (oid, typmod, depth = 0) => {
    let row = types.get(oid);
    let domain = null;
    let domainNotNull = false;
    while (row && row.typtype === "d" && depth++ < 20) {
      domain ??= row.typname;
      domainNotNull ||= row.typnotnull;
      if (typmod < 0) typmod = row.typtypmod;
      row = types.get(row.typbasetype);
    }
    if (!row) {
      return { baseType: "unknown", category: "X", maxLength: null, numericPrecision: null, numericScale: null, enumLabels: null, element: null, domain, domainNotNull };
    }
    if (row.typcategory === "A" && row.typelem !== 0) {
      const element = resolve3(row.typelem, typmod, depth + 1);
      return {
        baseType: row.typname,
        category: "A",
        maxLength: null,
        numericPrecision: null,
        numericScale: null,
        enumLabels: null,
        element: {
          baseType: element.baseType,
          category: element.category,
          maxLength: element.maxLength,
          numericPrecision: element.numericPrecision,
          numericScale: element.numericScale,
          enumLabels: element.enumLabels
        },
        domain,
        domainNotNull
      };
    }
    return {
      baseType: row.typname,
      category: row.typcategory,
      ...typmodFacts(row.typname, typmod),
      enumLabels: row.typtype === "e" ? enums.get(row.oid) ?? [] : null,
      element: null,
      domain,
      domainNotNull
    };
  };
  return resolve3;
}
function sequenceOfDefault(expression) {
  const match = expression?.match(/^nextval\('((?:[^']|'')+)'::regclass\)$/);
  return match ? match[1].replaceAll("''", "'") : null;
}
async function readCatalog(client, schema = "public") {
  const tableRows = (await client.query(
    `SELECT c.oid::int AS oid, c.relname, c.relkind
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        ORDER BY c.relname`,
    [schema]
  )).rows;
  const typeRows = (await client.query(
    `SELECT oid::int AS oid, typname, typtype, typcategory, typelem::int AS typelem,
              typbasetype::int AS typbasetype, typtypmod, typnotnull
         FROM pg_type WHERE typtype IN ('b', 'd', 'e', 'r', 'm', 'c', 'p')`
  )).rows;
  const enumRows = (await client.query(
    `SELECT enumtypid::int AS typid, enumlabel AS label FROM pg_enum ORDER BY enumtypid, enumsortorder`
  )).rows;
  const columnRows = (await client.query(
    `SELECT a.attrelid::int AS relid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS data_type,
              a.atttypid::int AS atttypid, a.atttypmod, a.attnotnull, a.atthasdef, a.attidentity, a.attgenerated,
              pg_get_expr(d.adbin, d.adrelid) AS default_expr,
              CASE WHEN a.attidentity <> '' OR d.adbin IS NOT NULL
                   THEN pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) END AS sequence
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum`,
    [schema]
  )).rows;
  const constraintRows = (await client.query(
    `SELECT con.conrelid::int AS relid, con.conname, con.contype, con.conkey::int[] AS conkey,
              con.confkey::int[] AS confkey, fn.nspname AS ref_schema, fc.relname AS ref_table,
              con.confrelid::int AS ref_relid, con.condeferrable, con.condeferred,
              pg_get_constraintdef(con.oid) AS definition
         FROM pg_constraint con
         JOIN pg_class c ON c.oid = con.conrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_class fc ON fc.oid = con.confrelid
         LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND con.contype IN ('p', 'f', 'c')
        ORDER BY con.conrelid, con.conname`,
    [schema]
  )).rows;
  const indexRows = (await client.query(
    // indnullsnotdistinct exists from Postgres 15 on: read through to_jsonb so older servers answer too.
    `SELECT i.indrelid::int AS relid, ic.relname AS name, i.indkey::int2[]::int[] AS keys,
              i.indnkeyatts AS nkeys, i.indpred IS NOT NULL AS partial,
              pg_get_expr(i.indpred, i.indrelid) AS predicate, i.indexprs IS NOT NULL AS expression,
              con.conname AS constraint_name,
              (to_jsonb(i) ->> 'indnullsnotdistinct')::boolean AS nulls_not_distinct,
              (SELECT array_agg(DISTINCT dep.refobjsubid::int) FROM pg_depend dep
                WHERE dep.classid = 'pg_class'::regclass AND dep.objid = i.indexrelid
                  AND dep.refclassid = 'pg_class'::regclass AND dep.refobjid = i.indrelid
                  AND dep.refobjsubid > 0) AS depends_on
         FROM pg_index i
         JOIN pg_class ic ON ic.oid = i.indexrelid
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype = 'u'
        WHERE n.nspname = $1 AND i.indisunique AND NOT i.indisprimary AND i.indisvalid
        ORDER BY i.indrelid, ic.relname`,
    [schema]
  )).rows;
  const types = new Map(typeRows.map((row) => [row.oid, row]));
  const enums = /* @__PURE__ */ new Map();
  for (const row of enumRows) {
    const labels = enums.get(row.typid) ?? [];
    labels.push(row.label);
    enums.set(row.typid, labels);
  }
  const resolve3 = typeResolver(types, enums);
  const byOid = /* @__PURE__ */ new Map();
  const attnames = /* @__PURE__ */ new Map();
  for (const row of tableRows) {
    byOid.set(row.oid, {
      schema,
      name: row.relname,
      kind: row.relkind === "p" ? "partitioned" : "table",
      columns: [],
      primaryKey: null,
      primaryKeyName: null,
      uniques: [],
      foreignKeys: [],
      checks: []
    });
    attnames.set(row.oid, /* @__PURE__ */ new Map());
  }
  for (const row of columnRows) {
    const table = byOid.get(row.relid);
    if (!table) continue;
    attnames.get(row.relid).set(row.attnum, row.attname);
    const type = resolve3(row.atttypid, row.atttypmod);
    table.columns.push({
      name: row.attname,
      position: row.attnum,
      dataType: row.data_type,
      baseType: type.baseType,
      category: type.category,
      maxLength: type.maxLength,
      numericPrecision: type.numericPrecision,
      numericScale: type.numericScale,
      enumLabels: type.enumLabels,
      element: type.element,
      domain: type.domain,
      nullable: !row.attnotnull && !type.domainNotNull,
      hasDefault: row.atthasdef || row.attidentity !== "",
      default: row.default_expr,
      identity: row.attidentity === "a" ? "always" : row.attidentity === "d" ? "by-default" : null,
      generated: row.attgenerated === "s",
      sequence: row.sequence ?? sequenceOfDefault(row.default_expr)
    });
  }
  const names2 = (relid, keys) => {
    const map = attnames.get(relid);
    return (keys ?? []).filter((key) => key > 0).map((key) => map?.get(key) ?? `#${key}`);
  };
  for (const row of constraintRows) {
    const table = byOid.get(row.relid);
    if (!table) continue;
    if (row.contype === "p") {
      table.primaryKey = names2(row.relid, row.conkey);
      table.primaryKeyName = row.conname;
    } else if (row.contype === "c") {
      table.checks.push({ name: row.conname, definition: row.definition, columns: names2(row.relid, row.conkey) });
    } else if (row.contype === "f" && row.ref_table) {
      const refNames = attnames.get(row.ref_relid);
      table.foreignKeys.push({
        name: row.conname,
        columns: names2(row.relid, row.conkey),
        referencedSchema: row.ref_schema ?? schema,
        referencedTable: row.ref_table,
        // A table in another schema is not in `attnames`: ask for its column names then.
        referencedColumns: refNames ? names2(row.ref_relid, row.confkey) : (row.confkey ?? []).map((key) => `#${key}`),
        deferrable: row.condeferrable,
        initiallyDeferred: row.condeferred
      });
    }
  }
  const foreign = [...byOid.values()].flatMap((table) => table.foreignKeys).filter((fk) => fk.referencedColumns.some((c) => c.startsWith("#")));
  if (foreign.length > 0) {
    for (const fk of foreign) {
      const result = await client.query(
        `SELECT a.attnum, a.attname FROM pg_attribute a
          WHERE a.attrelid = to_regclass($1) AND a.attnum > 0`,
        [qualifiedName(fk.referencedSchema, fk.referencedTable)]
      );
      const map = new Map(result.rows.map((row) => [`#${row.attnum}`, row.attname]));
      fk.referencedColumns = fk.referencedColumns.map((column) => map.get(column) ?? column);
    }
  }
  for (const row of indexRows) {
    const table = byOid.get(row.relid);
    if (!table) continue;
    const keys = row.keys.slice(0, row.nkeys);
    const plain = names2(row.relid, keys);
    table.uniques.push({
      name: row.name,
      constraint: row.constraint_name,
      columns: plain,
      expression: row.expression,
      expressionColumns: row.expression ? names2(row.relid, [...row.depends_on ?? []].sort((a, b) => a - b)) : [],
      partial: row.partial,
      predicate: row.predicate,
      nullsNotDistinct: row.nulls_not_distinct === true
    });
  }
  return { schema, tables: [...byOid.values()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0) };
}

// src/seed/values.ts
var ORDINARY_ROWS = 3;
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = state + 1831565813 >>> 0;
    let t = state;
    t = Math.imul(t ^ t >>> 15, t | 1);
    t ^= t + Math.imul(t ^ t >>> 7, t | 61);
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  };
}
function hashParts(...parts) {
  let hash = 2166136261;
  for (const part of parts) {
    const text = `${String(part)}`;
    for (let i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 16777619);
    }
  }
  return hash >>> 0;
}
function pick(random, items) {
  return items[Math.floor(random() * items.length) % items.length];
}
var TRICKY = `O'Brien "q" back\\slash C:\\new\\table 100%_done ünïcödé straße 日本語テキスト 😀🎉 👨‍👩‍👧‍👦 é مرحبا ‮RTL‬ zero​width tab	here new
line cr\r <b>&amp;</b> '); DROP TABLE x;-- \\x00 {"k": [1]} `;
var LONG_TEXT_LENGTH = 4e3;
var TEXT_LENGTH = 300;
function codePoints(text) {
  return Array.from(text);
}
function fill(text, length) {
  if (length <= 0) return "";
  const points = codePoints(text);
  const out = [];
  while (out.length < length) out.push(...points.slice(0, length - out.length));
  return out.join("");
}
function truncate(text, length) {
  if (length === null) return text;
  const points = codePoints(text);
  return points.length <= length ? text : points.slice(0, length).join("");
}
var variantCache = /* @__PURE__ */ new Map();
function stringVariants(max) {
  let variants = variantCache.get(max);
  if (!variants) variantCache.set(max, variants = buildStringVariants(max));
  return variants;
}
function buildStringVariants(max) {
  const full = max ?? TEXT_LENGTH;
  const long = max ?? LONG_TEXT_LENGTH;
  return [
    fill(TRICKY, full),
    "",
    fill("Lorem ipsum dolor sit amet, ", long),
    fill("😀", full),
    truncate(`It's a "quote" \\ and a backslash`, max),
    " ",
    truncate("NULL", max),
    fill("é日ß", full),
    truncate(`  padded  `, max)
  ];
}
function distinctTag(key, max) {
  if (max !== null && max < 4) {
    if (key < 36 ** max) return key.toString(36).padStart(max, "0");
    return String.fromCodePoint(19968 + key % 2e4) + (max > 1 ? key.toString(36).slice(-(max - 1)) : "");
  }
  return `${key.toString(36).padStart(3, "0")}~`;
}
function stringValue(type, request, key) {
  const max = type.maxLength;
  const ordinary = () => {
    const word = `item${request.row + 1}`;
    if (max === null || word.length <= max) return word;
    return distinctTag(request.row, max);
  };
  if (request.mode === "ordinary" || request.mode === "planned" && request.row < ORDINARY_ROWS) return ordinary();
  if (request.mode === "conservative") return request.distinct ? ordinary() : "a";
  const variants = stringVariants(max);
  if (!request.distinct) return pick(request.random, variants);
  const body = variants[(request.row - ORDINARY_ROWS) % variants.length];
  const tag = distinctTag(key, max);
  return truncate(tag + body, max);
}
var INT_LIMITS = {
  int2: { min: "-32768", max: "32767" },
  int4: { min: "-2147483648", max: "2147483647" },
  int8: { min: "-9223372036854775808", max: "9223372036854775807" },
  oid: { min: "0", max: "4294967295" }
};
function intVariants(baseType) {
  const { min, max } = INT_LIMITS[baseType] ?? INT_LIMITS.int4;
  if (baseType === "oid") return ["0", "1", max, "42"];
  return ["0", "-1", max, `-${max}`, "1", min, "42"];
}
function numericMax(precision, scale) {
  if (scale <= 0) return "9".repeat(precision) + "0".repeat(-scale);
  if (scale >= precision) return `0.${"0".repeat(scale - precision)}${"9".repeat(precision)}`;
  return `${"9".repeat(precision - scale)}.${"9".repeat(scale)}`;
}
function numericUnit(scale) {
  if (scale > 0) return `0.${"0".repeat(scale - 1)}1`;
  return `1${"0".repeat(-scale)}`;
}
function scaled(digits, scale) {
  if (scale <= 0) return (digits * 10n ** BigInt(-scale)).toString();
  const text = digits.toString().padStart(scale + 1, "0");
  return `${text.slice(0, -scale)}.${text.slice(-scale)}`;
}
function numericVariants(type) {
  const p = type.numericPrecision;
  const s = type.numericScale ?? 0;
  if (p === null) {
    return ["0", "-1", "123456789012345678901234567890.123456789012345678901234567890", "-0.000000000000000001", "1", "99999999999999999999"];
  }
  const max = numericMax(p, s);
  const unit = numericUnit(s);
  const values = ["0", max, `-${max}`, unit, `-${unit}`];
  if (p - s >= 1) values.push("1");
  return values;
}
function numericOrdinary(type, n) {
  const p = type.numericPrecision;
  const s = type.numericScale ?? 0;
  if (p === null) return String(n);
  if (p - s >= String(n).length) return String(n);
  return scaled(BigInt(n) % 10n ** BigInt(p), s);
}
var FLOAT_VARIANTS = {
  float4: ["0", "-1", "1.5", "3.4e+38", "-3.4e+38", "1.2e-38", "Infinity", "-Infinity", "NaN", "0.1"],
  float8: ["0", "-1", "1.5", "1.7976931348623157e+308", "-1.7976931348623157e+308", "2.3e-308", "Infinity", "-Infinity", "NaN", "0.1"]
};
var DAY_MS = 864e5;
var BASE_DAY = Date.UTC(2e3, 0, 1);
function isoDate(days) {
  return new Date(BASE_DAY + days * DAY_MS).toISOString().slice(0, 10);
}
function clock(seconds) {
  const s = (seconds % 86400 + 86400) % 86400;
  const hh = String(Math.floor(s / 3600)).padStart(2, "0");
  const mm = String(Math.floor(s % 3600 / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${hh}:${mm}:${ss}`;
}
var DATE_VARIANTS = ["1900-01-01", "9999-12-31", "2000-02-29", "1970-01-01", "2038-01-19", "1999-12-31", "2024-02-29"];
var TIMESTAMP_VARIANTS = [
  "1900-01-01 00:00:00",
  "9999-12-31 23:59:59.999999",
  "2000-02-29 12:00:00",
  "1970-01-01 00:00:00",
  "2038-01-19 03:14:08",
  "2000-01-01 00:00:00.000001",
  "2024-03-31 02:30:00"
];
var TIMESTAMPTZ_VARIANTS = [
  "1900-01-02 00:00:00+00",
  "9999-12-30 00:00:00+00",
  "2000-02-29 12:00:00+00",
  "1970-01-01 00:00:00+00",
  "2038-01-19 03:14:08+00",
  "2000-01-01 00:00:00.000001+00",
  "2024-03-31 02:30:00+02"
];
var TIME_VARIANTS = ["00:00:00", "23:59:59.999999", "12:00:00", "00:00:00.000001", "13:37:00"];
var TIMETZ_VARIANTS = ["00:00:00+00", "23:59:59.999999+00", "12:00:00-12", "12:00:00+14", "06:30:00+05:30"];
var INTERVAL_VARIANTS = ["00:00:00", "1 day", "-1 day", "00:00:00.000001", "-3 days -04:05:06.000007", "999999 days 23:59:59.999999", "36:00:00"];
var JSON_VARIANTS = [
  "{}",
  "[]",
  `{"a": {"b": [1, 2, {"c": null, "d": [true, false]}]}, "ü": "日本語 😀", "q": "it's \\"quoted\\" \\\\ back"}`,
  "null",
  '"just a string"',
  "12345678901234567890",
  '[{"id": 1}, {"id": 2}, [], {}, "", 0, -1.5e-10]',
  '{"": "", "key with spaces": "escaped \\u00e9 \\ud83d\\ude00", "nested": {"deeper": {"deepest": {"x": [[[]]]}}}}',
  "true"
];
var INET_VARIANTS = ["0.0.0.0", "255.255.255.255", "127.0.0.1", "::1", "2001:db8::ff00:42:8329", "::ffff:192.0.2.1", "192.0.2.1"];
var CIDR_VARIANTS = ["0.0.0.0/0", "10.0.0.0/8", "192.0.2.0/24", "::/0", "2001:db8::/32", "255.255.255.255/32"];
var MACADDR_VARIANTS = ["00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "08:00:2b:01:02:03"];
function hex(random, bytes) {
  let out = "";
  for (let i = 0; i < bytes; i++) out += Math.floor(random() * 256).toString(16).padStart(2, "0");
  return out;
}
function uuidFrom(hex32) {
  return `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-${hex32.slice(12, 16)}-${hex32.slice(16, 20)}-${hex32.slice(20, 32)}`;
}
function arrayElement(value) {
  if (value === null) return "NULL";
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}
function arrayLiteral(values) {
  return `{${values.map(arrayElement).join(",")}}`;
}
function rangeValue(baseType, mode, n, random) {
  const kind = baseType.replace(/range$/, "");
  const bounds = {
    int4: (a2, b2) => [String(a2), String(b2)],
    int8: (a2, b2) => [String(a2), String(b2)],
    num: (a2, b2) => [`${a2}.5`, `${b2}.5`],
    date: (a2, b2) => [isoDate(a2), isoDate(b2)],
    ts: (a2, b2) => [`${isoDate(a2)} 00:00:00`, `${isoDate(b2)} 00:00:00`],
    tstz: (a2, b2) => [`${isoDate(a2)} 00:00:00+00`, `${isoDate(b2)} 00:00:00+00`]
  };
  const make = bounds[kind];
  if (!make) return null;
  if (mode === "adversarial") {
    const extremes = {
      int4: "[-2147483648,2147483647)",
      int8: "[-9223372036854775808,9223372036854775807)",
      num: "[-1e20,1e20]",
      date: "[1900-01-01,9999-12-31)",
      ts: "[1900-01-01 00:00:00,9999-12-31 00:00:00)",
      tstz: "[1900-01-02 00:00:00+00,9999-12-30 00:00:00+00)"
    };
    const [a2, b2] = make(0, 1);
    return pick(random, ["empty", "(,)", extremes[kind], `[${a2},${b2})`, `(,${b2}]`, `[${a2},)`]);
  }
  const [a, b] = make(n, n + 1 + (mode === "ordinary" ? 9 : 0));
  return `[${a},${b})`;
}
function clampNumber(value, bounds, integer, unit) {
  if (!bounds) return value;
  const number = Number(value);
  if (Number.isNaN(number)) {
    return bounds.max === null ? value : clampNumber(String(bounds.max), bounds, integer, unit);
  }
  const step = integer ? 1 : unit;
  if (bounds.min !== null && (number < bounds.min || !bounds.minInclusive && number <= bounds.min)) {
    const low = bounds.minInclusive ? bounds.min : bounds.min + step;
    return integer ? String(Math.ceil(low)) : String(low);
  }
  if (bounds.max !== null && (number > bounds.max || !bounds.maxInclusive && number >= bounds.max)) {
    const high = bounds.maxInclusive ? bounds.max : bounds.max - step;
    return integer ? String(Math.floor(high)) : String(high);
  }
  return value;
}
function planned(request) {
  if (request.mode === "planned") return request.row < ORDINARY_ROWS ? "ordinary" : "adversarial";
  return request.mode;
}
function fromList(list, request) {
  if (request.distinct) return list[(request.row - ORDINARY_ROWS + request.variant) % list.length];
  return pick(request.random, list);
}
function generateValue(type, request) {
  const bounds = request.bounds;
  if (bounds?.allowed && bounds.allowed.length > 0) {
    return bounds.allowed[(request.row + request.variant) % bounds.allowed.length];
  }
  const how = planned(request);
  const n = request.row + 1;
  const key = request.row + request.variant * 1e3;
  const t = type.baseType;
  switch (type.category) {
    case "A": {
      const element = type.element;
      if (!element) return "{}";
      const elementRequest = (row, distinct) => ({ ...request, row, distinct, bounds: null });
      if (how !== "adversarial") {
        const value = generateValue(element, { ...elementRequest(request.row, request.distinct), mode: how });
        return value === null ? "{}" : arrayLiteral([value]);
      }
      const one = (offset) => generateValue(element, elementRequest(request.row + offset, false));
      if (request.distinct) {
        const first = generateValue(element, elementRequest(request.row, true));
        return arrayLiteral([first, one(1)]);
      }
      const a = one(0);
      const b = one(7);
      return pick(request.random, [
        "{}",
        "{NULL}",
        arrayLiteral([a, b, a]),
        arrayLiteral([a]),
        arrayLiteral([b, null, a])
      ]);
    }
    case "B":
      if (how === "ordinary") return request.row % 2 === 0 ? "true" : "false";
      if (how === "conservative") return "true";
      return request.distinct ? request.row % 2 === 0 ? "true" : "false" : pick(request.random, ["true", "false"]);
    case "E": {
      const labels = type.enumLabels ?? [];
      if (labels.length === 0) return null;
      if (how === "conservative") return labels[request.distinct ? request.row % labels.length : 0];
      return labels[(request.row + request.variant) % labels.length];
    }
    case "S":
      if (t === "name") return stringValue({ ...type, maxLength: 15 }, request, key);
      return stringValue(type, request, key);
    case "N": {
      if (t in INT_LIMITS) {
        const value = how === "ordinary" ? String(n) : how === "conservative" ? request.distinct ? String(n) : "1" : fromList(intVariants(t), request);
        return clampNumber(value, bounds, true, 1);
      }
      if (t === "numeric") {
        const unit = Number(numericUnit(type.numericScale ?? 0));
        const value = how === "ordinary" ? numericOrdinary(type, n) : how === "conservative" ? numericOrdinary(type, request.distinct ? n : 1) : fromList(numericVariants(type), request);
        return clampNumber(value, bounds, false, unit);
      }
      if (t === "float4" || t === "float8") {
        const value = how === "ordinary" ? `${n}.5` : how === "conservative" ? request.distinct ? `${n}.5` : "1" : fromList(FLOAT_VARIANTS[t], request);
        return clampNumber(value, bounds, false, 1e-6);
      }
      if (t === "money") {
        return how === "adversarial" ? fromList(["0", "-1.23", "999999.99", "0.01"], request) : `${n}.00`;
      }
      return clampNumber(String(n), bounds, true, 1);
    }
    case "D": {
      const days = request.row;
      if (t === "date") return how === "adversarial" ? fromList(DATE_VARIANTS, request) : isoDate(how === "conservative" && !request.distinct ? 0 : days);
      if (t === "timestamp") return how === "adversarial" ? fromList(TIMESTAMP_VARIANTS, request) : `${isoDate(days)} 12:00:00`;
      if (t === "timestamptz") return how === "adversarial" ? fromList(TIMESTAMPTZ_VARIANTS, request) : `${isoDate(days)} 12:00:00+00`;
      if (t === "time") return how === "adversarial" ? fromList(TIME_VARIANTS, request) : clock(12 * 3600 + days);
      if (t === "timetz") return how === "adversarial" ? fromList(TIMETZ_VARIANTS, request) : `${clock(12 * 3600 + days)}+00`;
      return null;
    }
    case "T":
      return how === "adversarial" ? fromList(INTERVAL_VARIANTS, request) : `${n} days`;
    case "I":
      if (t === "cidr") return how === "adversarial" ? fromList(CIDR_VARIANTS, request) : `10.${key >> 8 & 255}.${key & 255}.0/24`;
      return how === "adversarial" ? fromList(INET_VARIANTS, request) : `192.0.2.${request.row % 254 + 1}`;
    case "R":
      return rangeValue(t, how === "adversarial" ? request.distinct ? "key" : "adversarial" : "ordinary", key, request.random);
    case "V": {
      const length = type.maxLength ?? 8;
      if (t === "bit") return how === "adversarial" ? pick(request.random, ["0".repeat(length), "1".repeat(length)]) : (n % 2 ** Math.min(length, 30)).toString(2).padStart(length, "0");
      return how === "adversarial" ? pick(request.random, ["", "1".repeat(Math.min(length, 64)), "0"]) : n.toString(2).slice(-length);
    }
    case "G":
      if (t === "point") return how === "adversarial" ? pick(request.random, ["(0,0)", "(-180,90)", "(1e300,-1e300)"]) : `(${n},${n})`;
      if (t === "box") return `(${n},${n}),(0,0)`;
      if (t === "circle") return `<(0,0),${n}>`;
      if (t === "lseg") return `[(0,0),(${n},${n})]`;
      if (t === "path") return `[(0,0),(${n},${n})]`;
      if (t === "polygon") return `((0,0),(${n},${n}),(${n},0))`;
      if (t === "line") return `{1,-1,${n}}`;
      return null;
    default:
      break;
  }
  switch (t) {
    case "uuid": {
      if (how === "adversarial" && !request.distinct) {
        return pick(request.random, ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", uuidFrom(hex(request.random, 16))]);
      }
      return uuidFrom(key.toString(16).padStart(8, "0") + hex(request.random, 12));
    }
    case "json":
    case "jsonb":
      if (how === "adversarial") {
        return request.distinct ? `{"id": ${key}, "v": ${JSON_VARIANTS[(request.row - ORDINARY_ROWS) % JSON_VARIANTS.length]}}` : pick(request.random, JSON_VARIANTS);
      }
      return how === "conservative" && !request.distinct ? "{}" : `{"n": ${n}, "name": "item${n}"}`;
    case "bytea":
      if (how === "adversarial") {
        if (request.distinct) return `\\x${key.toString(16).padStart(8, "0")}00ff`;
        return pick(request.random, ["\\x", "\\x00", "\\x00ff10fe7f80", `\\x${hex(request.random, 16)}`, `\\x${"ab".repeat(1024)}`]);
      }
      return `\\x${n.toString(16).padStart(2, "0")}`;
    case "macaddr":
    case "macaddr8": {
      const size = t === "macaddr" ? 6 : 8;
      if (how === "adversarial" && !request.distinct && size === 6) return pick(request.random, MACADDR_VARIANTS);
      const bytes = key.toString(16).padStart(size * 2, "0").slice(-size * 2);
      return bytes.match(/../g).join(":");
    }
    case "xml":
      return how === "adversarial" && !request.distinct ? pick(request.random, ["<a/>", '<a b="&quot;ü&quot;">日本 &amp; 😀</a>', ""]) : `<item n="${key}"/>`;
    case "tsvector":
      return `'item${key}' 'word'`;
    case "tsquery":
      return `item${key}`;
    case "hstore":
      return how === "adversarial" && !request.distinct ? pick(request.random, ["", '"a"=>"1", "b c"=>NULL', '"ü"=>"😀"']) : `"n"=>"${key}"`;
    case "citext":
      return stringValue(type, request, key);
    case "ltree":
      return `a.b${key}`;
    case "pg_lsn":
      return `0/${key.toString(16)}`;
    default:
      return null;
  }
}
function distinctValue(type, key, bounds) {
  const t = type.baseType;
  if (bounds?.allowed) return key < bounds.allowed.length ? bounds.allowed[key] : null;
  switch (type.category) {
    case "A": {
      if (!type.element) return null;
      const element = distinctValue(type.element, key, null);
      return element === null ? null : arrayLiteral([element]);
    }
    case "B":
      return key < 2 ? key === 0 ? "true" : "false" : null;
    case "E": {
      const labels = type.enumLabels ?? [];
      return key < labels.length ? labels[key] : null;
    }
    case "S":
      return truncate(distinctTag(key, type.maxLength), type.maxLength);
    case "N": {
      if (t in INT_LIMITS || t === "money") {
        const low = bounds?.min !== null && bounds?.min !== void 0 ? Math.ceil(bounds.min) + (bounds.minInclusive ? 0 : 1) : 1;
        const value = low + key;
        if (bounds?.max !== null && bounds?.max !== void 0 && value > bounds.max) return null;
        if (t === "int2" && value > 32767) return null;
        return String(value);
      }
      if (t === "numeric") {
        const p = type.numericPrecision;
        const s = type.numericScale ?? 0;
        const digits = BigInt(key + 1);
        if (p !== null && digits >= 10n ** BigInt(p)) return null;
        return clampNumber(scaled(digits, p === null ? 0 : s), bounds, false, Number(numericUnit(s)));
      }
      return `${key}.25`;
    }
    case "D":
      if (t === "date") return isoDate(key);
      if (t === "timestamp") return `${isoDate(Math.floor(key / 24))} ${clock(key % 24 * 3600)}`;
      if (t === "timestamptz") return `${isoDate(Math.floor(key / 24))} ${clock(key % 24 * 3600)}+00`;
      if (t === "time") return key < 86400 ? clock(key) : null;
      if (t === "timetz") return key < 86400 ? `${clock(key)}+00` : null;
      return null;
    case "T":
      return `${key} seconds`;
    case "I":
      if (t === "cidr") return `10.${key >> 16 & 255}.${key >> 8 & 255}.${key & 255}/32`;
      return `10.${key >> 16 & 255}.${key >> 8 & 255}.${key & 255}`;
    case "R":
      return rangeValue(t, "key", key, () => 0);
    default:
      break;
  }
  switch (t) {
    case "uuid":
      return uuidFrom(key.toString(16).padStart(32, "0"));
    case "json":
    case "jsonb":
      return `{"id": ${key}}`;
    case "bytea":
      return `\\x${key.toString(16).padStart(8, "0")}`;
    case "citext":
      return distinctTag(key, null);
    default:
      return generateValue(type, { row: key, mode: "ordinary", random: () => 0, distinct: true, variant: 0, bounds });
  }
}
function uniquenessKey(type, value) {
  if (type.category === "S") return (type.baseType === "bpchar" ? value.replace(/ +$/, "") : value).toLowerCase();
  if (type.category === "N" && value !== "" && !Number.isNaN(Number(value))) {
    return type.baseType === "numeric" && !/e/i.test(value) ? normalizeDecimal(value) : String(Number(value));
  }
  return value;
}
function normalizeDecimal(value) {
  let text = value.trim();
  const negative = text.startsWith("-");
  if (negative || text.startsWith("+")) text = text.slice(1);
  let [whole = "", fraction = ""] = text.split(".");
  whole = whole.replace(/^0+(?=\d)/, "");
  fraction = fraction.replace(/0+$/, "");
  const body = fraction ? `${whole || "0"}.${fraction}` : whole || "0";
  return negative && body !== "0" ? `-${body}` : body;
}
function sqlLiteral(value) {
  return value === null ? "NULL" : `'${value.replaceAll("'", "''")}'`;
}
function stripParens(text) {
  let current = text.trim();
  for (; ; ) {
    if (!current.startsWith("(") || !current.endsWith(")")) return current;
    let depth = 0;
    let inQuote = false;
    for (let i = 0; i < current.length; i++) {
      const char = current[i];
      if (char === "'") inQuote = !inQuote;
      if (inQuote) continue;
      if (char === "(") depth++;
      else if (char === ")") {
        depth--;
        if (depth === 0 && i < current.length - 1) return current;
      }
    }
    current = current.slice(1, -1).trim();
  }
}
function splitTopLevel(text, separator) {
  const parts = [];
  let depth = 0;
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "'") inQuote = !inQuote;
    if (inQuote) continue;
    if (char === "(") depth++;
    else if (char === ")") depth--;
    else if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
      i += separator.length - 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
var IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
var CAST = String.raw`(?:::[A-Za-z_][A-Za-z0-9_ ]*(?:\(\d+(?:,\d+)?\))?(?:\[\])?)*`;
var COLUMN_SIDE = new RegExp(String.raw`^\(?(${IDENT})\)?${CAST}$`);
var NUMBER_SIDE = new RegExp(String.raw`^\(?'?\(?(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\)?'?\)?${CAST}$`);
var STRING_SIDE = new RegExp(String.raw`^'((?:[^']|'')*)'${CAST}$`);
function unquoteIdent(text) {
  return text.startsWith('"') ? text.slice(1, -1).replaceAll('""', '"') : text;
}
var FLIPPED = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "<>": "<>" };
function emptyBounds() {
  return { min: null, minInclusive: true, max: null, maxInclusive: true, notEqual: [], allowed: null };
}
function checkRelations(checks) {
  const relations = [];
  for (const check of checks) {
    const body = stripParens(check.definition.replace(/^CHECK\s*/, "").replace(/\s+NOT VALID$/, ""));
    for (const rawPart of splitTopLevel(body, " AND ")) {
      const comparison = stripParens(rawPart).match(/^(.+?)\s*(>=|<=|>|<)\s*(.+)$/s);
      if (!comparison) continue;
      const left = stripParens(comparison[1].trim()).match(COLUMN_SIDE);
      const right = stripParens(comparison[3].trim()).match(COLUMN_SIDE);
      if (!left || !right || NUMBER_SIDE.test(comparison[1].trim()) || NUMBER_SIDE.test(comparison[3].trim())) continue;
      const a = unquoteIdent(left[1]);
      const b = unquoteIdent(right[1]);
      if (a === b) continue;
      relations.push(comparison[2].startsWith(">") ? { high: a, low: b } : { high: b, low: a });
    }
  }
  return relations;
}
function checkBounds(checks) {
  const result = /* @__PURE__ */ new Map();
  const boundsOf = (column) => {
    let bounds = result.get(column);
    if (!bounds) result.set(column, bounds = emptyBounds());
    return bounds;
  };
  for (const check of checks) {
    const body = stripParens(check.definition.replace(/^CHECK\s*/, "").replace(/\s+NOT VALID$/, ""));
    for (const rawPart of splitTopLevel(body, " AND ")) {
      let part = stripParens(rawPart);
      const negated = part.match(/^NOT\s+(\(.*\))$/s);
      if (negated) {
        const inner = stripParens(negated[1]).match(/^(.+?)\s*=\s*(.+)$/s);
        if (!inner || /\b(AND|OR)\b/.test(inner[2])) continue;
        part = `${inner[1]} <> ${inner[2]}`;
      }
      const any = part.match(new RegExp(String.raw`^(.+?)\s*=\s*ANY\s*\((.*)\)$`, "s"));
      if (any) {
        const column2 = any[1].trim().match(COLUMN_SIDE);
        const array = stripParens(any[2]).replace(new RegExp(`${CAST}$`), "");
        const list = stripParens(array).match(/^ARRAY\[(.*)\]$/s);
        if (!column2 || !list) continue;
        const items = splitTopLevel(list[1], ", ").map((item) => stripParens(item.trim()));
        const values = [];
        for (const item of items) {
          const text = item.match(STRING_SIDE) ?? item.match(NUMBER_SIDE);
          if (!text) break;
          values.push(text[1].replaceAll("''", "'"));
        }
        if (values.length !== items.length) continue;
        const bounds2 = boundsOf(unquoteIdent(column2[1]));
        bounds2.allowed = bounds2.allowed ? bounds2.allowed.filter((value2) => values.includes(value2)) : values;
        continue;
      }
      const comparison = part.match(/^(.+?)\s*(>=|<=|<>|!=|=|>|<)\s*(.+)$/s);
      if (!comparison) continue;
      let [, left, op, right] = comparison;
      left = stripParens(left.trim());
      right = stripParens(right.trim());
      if (op === "!=") op = "<>";
      let columnMatch = left.match(COLUMN_SIDE);
      let valueText = right;
      if (!columnMatch || NUMBER_SIDE.test(left)) {
        columnMatch = right.match(COLUMN_SIDE);
        valueText = left;
        op = FLIPPED[op];
      }
      if (!columnMatch) continue;
      const column = unquoteIdent(columnMatch[1]);
      const number = valueText.match(NUMBER_SIDE);
      const string = number ? null : valueText.match(STRING_SIDE);
      if (!number && !string) continue;
      const bounds = boundsOf(column);
      if (string) {
        const value2 = string[1].replaceAll("''", "'");
        if (op === "=") bounds.allowed = bounds.allowed ? bounds.allowed.filter((item) => item === value2) : [value2];
        else if (op === "<>") bounds.notEqual.push(value2);
        continue;
      }
      const value = Number(number[1]);
      if (op === "=") bounds.allowed = [number[1]];
      else if (op === "<>") bounds.notEqual.push(number[1]);
      else if (op === ">" || op === ">=") {
        if (bounds.min === null || value >= bounds.min) {
          bounds.min = value;
          bounds.minInclusive = op === ">=";
        }
      } else if (bounds.max === null || value <= bounds.max) {
        bounds.max = value;
        bounds.maxInclusive = op === "<=";
      }
    }
  }
  return result;
}

// src/seed/seed.ts
var ALWAYS_EXCLUDED = ["django_migrations"];
var MAX_ATTEMPTS = 8;
var EARLY_GIVE_UP = 4;
var CHUNK_ROWS = 500;
var SAVEPOINT = "dmr_seed";
var SeedError = class extends Error {
};
function errorText(error) {
  return error instanceof Error ? error.message : String(error);
}
function stronglyConnected(names2, edges) {
  let index = 0;
  const indices = /* @__PURE__ */ new Map();
  const low = /* @__PURE__ */ new Map();
  const onStack = /* @__PURE__ */ new Set();
  const stack = [];
  const components = [];
  const visit = (start) => {
    const work = [{ node: start, next: 0 }];
    indices.set(start, index);
    low.set(start, index++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const targets = edges.get(frame.node) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (!indices.has(target)) {
          indices.set(target, index);
          low.set(target, index++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node), indices.get(target)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent), low.get(frame.node)));
      }
      if (low.get(frame.node) === indices.get(frame.node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component.sort());
      }
    }
  };
  for (const name of names2) if (!indices.has(name)) visit(name);
  return components;
}
function seedOrder(tables) {
  const byName = new Map(tables.map((table) => [table.name, table]));
  const sameSchema = (table, fk) => fk.referencedSchema === table.schema && byName.has(fk.referencedTable);
  const edges = /* @__PURE__ */ new Map();
  for (const table of tables) {
    const targets = /* @__PURE__ */ new Set();
    for (const fk of table.foreignKeys) if (sameSchema(table, fk) && fk.referencedTable !== table.name) targets.add(fk.referencedTable);
    edges.set(table.name, [...targets].sort());
  }
  const names2 = tables.map((table) => table.name).sort();
  const order = [];
  const forward = /* @__PURE__ */ new Set();
  for (const component of stronglyConnected(names2, edges)) {
    if (component.length === 1) {
      order.push(byName.get(component[0]));
      continue;
    }
    const members = new Set(component);
    const placed = /* @__PURE__ */ new Set();
    const remaining = [...component];
    while (remaining.length > 0) {
      const ready = remaining.find(
        (name) => byName.get(name).foreignKeys.filter((fk) => sameSchema(byName.get(name), fk) && members.has(fk.referencedTable) && fk.referencedTable !== name).every((fk) => placed.has(fk.referencedTable) || fkNullable(byName.get(name), fk))
      );
      const next = ready ?? remaining[0];
      remaining.splice(remaining.indexOf(next), 1);
      placed.add(next);
      order.push(byName.get(next));
    }
    const position = new Map(order.map((table, i) => [table.name, i]));
    for (const name of component) {
      const table = byName.get(name);
      for (const fk of table.foreignKeys) {
        if (members.has(fk.referencedTable) && fk.referencedTable !== name && position.get(fk.referencedTable) > position.get(name)) forward.add(fk);
      }
    }
  }
  return { order, forward };
}
function fkNullable(table, fk) {
  return fk.columns.every((name) => table.columns.find((column) => column.name === name)?.nullable ?? false);
}
function distinctRank(column) {
  switch (column.category) {
    case "S":
      return 0;
    case "N":
      return 1;
    case "D":
    case "T":
      return 2;
    case "I":
      return 3;
    case "A":
      return 5;
    case "B":
      return 9;
    case "E":
      return 8;
    default:
      return column.baseType === "uuid" || column.baseType.startsWith("json") ? 2 : 6;
  }
}
function distinctCapacity(column, bounds) {
  if (bounds?.allowed) return bounds.allowed.length;
  if (column.category === "B") return 2;
  if (column.category === "E") return column.enumLabels?.length ?? 0;
  return Infinity;
}
var Seeder = class {
  client;
  catalog;
  options;
  seed;
  tables;
  byName;
  results = /* @__PURE__ */ new Map();
  /** Per table, the key tuples of the rows we inserted, per referenced column set. */
  inserted = /* @__PURE__ */ new Map();
  poolCache = /* @__PURE__ */ new Map();
  preallocated = /* @__PURE__ */ new Map();
  pending = [];
  deferred = [];
  /** `table\0column` of sequence columns that were given explicit values (not pre-allocated). */
  explicitSequenceColumns = /* @__PURE__ */ new Set();
  /** Which column sets of each table other tables (or itself) reference. */
  referencedSets = /* @__PURE__ */ new Map();
  constructor(client, catalog, options) {
    this.client = client;
    this.catalog = catalog;
    this.options = options;
    this.seed = options.seed ?? 1;
    const excluded = /* @__PURE__ */ new Set([...ALWAYS_EXCLUDED, ...options.excludeTables ?? []]);
    this.tables = catalog.tables.filter((table) => !excluded.has(table.name));
    this.byName = new Map(this.tables.map((table) => [table.name, table]));
    for (const table of catalog.tables) {
      for (const fk of table.foreignKeys) {
        if (fk.referencedSchema !== catalog.schema) continue;
        const sets = this.referencedSets.get(fk.referencedTable) ?? [];
        if (!sets.some((set) => set.join("\0") === fk.referencedColumns.join("\0"))) sets.push(fk.referencedColumns);
        this.referencedSets.set(fk.referencedTable, sets);
      }
    }
  }
  async run() {
    const started = performance.now();
    await this.client.query(
      "BEGIN; SET LOCAL standard_conforming_strings = on; SET LOCAL client_min_messages = warning; SET CONSTRAINTS ALL IMMEDIATE"
    );
    try {
      await this.advanceSequences(() => true);
      const { order, forward } = seedOrder(this.tables);
      await this.preallocate();
      for (const table of order) {
        const result = await this.seedTable(table, forward).catch(
          (error) => ({ table: table.name, rows: 0, skipped: errorText(error) })
        );
        this.results.set(table.name, result);
        await this.flushPending(table);
      }
      await this.settleDeferred();
      await this.advanceSequences((table, column) => this.explicitSequenceColumns.has(`${table.name}\0${column.name}`));
      await this.client.query("COMMIT");
    } catch (error) {
      await this.client.query("ROLLBACK").catch(() => {
      });
      throw error;
    }
    const tables = this.tables.map((table) => this.results.get(table.name) ?? { table: table.name, rows: 0, skipped: "not reached" });
    return { tables, totalRows: tables.reduce((sum, table) => sum + table.rows, 0), ms: Math.round(performance.now() - started) };
  }
  // -------------------------------------------------------------------------
  // SQL helpers
  /** Runs `sql` under a savepoint: its rows, or the error (the transaction stays usable). */
  async guarded(sql) {
    try {
      const results = await this.client.query(`SAVEPOINT ${SAVEPOINT}; ${sql}; RELEASE SAVEPOINT ${SAVEPOINT}`);
      const main = results[1];
      return { rows: main.rows, count: main.rowCount ?? 0 };
    } catch (error) {
      await this.client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}; RELEASE SAVEPOINT ${SAVEPOINT}`);
      return { error };
    }
  }
  /** Moves the sequences of the seeded tables (those `which` selects) past the largest value their column holds. */
  async advanceSequences(which) {
    const blocks = [];
    for (const table of this.tables) {
      for (const column of table.columns) {
        if (!column.sequence || column.category !== "N" || !which(table, column)) continue;
        blocks.push(`BEGIN
    SELECT max(${quoteIdent(column.name)}) INTO m FROM ${qualifiedName(table.schema, table.name)};
    SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO c FROM ${column.sequence};
    IF m IS NOT NULL AND m > c THEN PERFORM setval(${sqlLiteral(column.sequence)}, m::bigint, true); END IF;
  EXCEPTION WHEN others THEN NULL;
  END;`);
      }
    }
    if (blocks.length === 0) return;
    const body = `DECLARE m numeric; c numeric;
BEGIN
  ${blocks.join("\n  ")}
END`;
    let tag = "$dmr_seq$";
    while (body.includes(tag)) tag = tag.replace(/\$$/, "_$");
    await this.guarded(`DO ${tag}${body}${tag}`);
  }
  /** Takes the ids of serial / identity primary keys from their sequences, rowsPerTable per table, in one query. */
  async preallocate() {
    const wanted = [];
    for (const table of this.tables) {
      const column = this.sequencePk(table);
      if (column) wanted.push(`(${sqlLiteral(table.name)}, ${sqlLiteral(column.sequence)})`);
    }
    if (wanted.length === 0 || this.options.rowsPerTable <= 0) return;
    const result = await this.guarded(
      `SELECT s.t, nextval(s.seq::regclass)::text AS id FROM (VALUES ${wanted.join(", ")}) AS s(t, seq), generate_series(1, ${Math.floor(this.options.rowsPerTable)}) AS g`
    );
    if ("error" in result) return;
    for (const row of result.rows) {
      const ids = this.preallocated.get(row.t) ?? [];
      ids.push(row.id);
      this.preallocated.set(row.t, ids);
    }
    for (const ids of this.preallocated.values()) ids.sort((a, b) => BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
  }
  /** The single-column serial / identity primary key whose ids can be taken up front. */
  sequencePk(table) {
    if (table.primaryKey?.length !== 1) return null;
    const column = table.columns.find((c) => c.name === table.primaryKey[0]);
    if (!column?.sequence || column.category !== "N") return null;
    if (table.foreignKeys.some((fk) => fk.columns.includes(column.name))) return null;
    return column;
  }
  // -------------------------------------------------------------------------
  // Foreign-key pools
  /** Key tuples (as text) of rows in `schema.table`: the ones we inserted, topped up from the table. */
  async pool(schema, table, columns, wanted) {
    const setKey = columns.join("\0");
    const ours = schema === this.catalog.schema ? this.inserted.get(table)?.get(setKey) ?? [] : [];
    if (ours.length >= wanted) return ours;
    const cacheKey = `${schema}\0${table}\0${setKey}`;
    let existing = this.poolCache.get(cacheKey);
    if (!existing) {
      const select = columns.map((column, i) => `${quoteIdent(column)}::text AS c${i}`).join(", ");
      const notNull = columns.map((column) => `${quoteIdent(column)} IS NOT NULL`).join(" AND ");
      const result = await this.guarded(
        `SELECT DISTINCT ${select} FROM ${qualifiedName(schema, table)} WHERE ${notNull} ORDER BY ${columns.map((_, i) => `c${i}`).join(", ")} LIMIT ${Math.max(wanted, 1) * 2}`
      );
      existing = "error" in result ? [] : result.rows.map((row) => columns.map((_, i) => row[`c${i}`]));
      this.poolCache.set(cacheKey, existing);
    }
    const seen = new Set(ours.map((tuple) => tuple.join("\0")));
    return [...ours, ...existing.filter((tuple) => !seen.has(tuple.join("\0")))];
  }
  // -------------------------------------------------------------------------
  // Planning a table
  async plan(table, forward) {
    const rowsWanted = Math.max(0, Math.floor(this.options.rowsPerTable));
    const seqPk = this.sequencePk(table);
    const ids = seqPk ? this.preallocated.get(table.name) : void 0;
    const preallocated = seqPk && ids ? { column: seqPk.name, ids } : null;
    const insertColumns = table.columns.filter((column) => {
      if (column.generated) return false;
      if (preallocated?.column === column.name) return true;
      if (column.identity !== null) return false;
      if (column.sequence && column.hasDefault && !table.foreignKeys.some((fk) => fk.columns.includes(column.name))) return false;
      return true;
    });
    const inserted = new Set(insertColumns.map((column) => column.name));
    for (const column of insertColumns) {
      if (column.sequence && preallocated?.column !== column.name) this.explicitSequenceColumns.add(`${table.name}\0${column.name}`);
    }
    const columnByName = new Map(table.columns.map((column) => [column.name, column]));
    const overriding = insertColumns.some((column) => column.identity === "always");
    const bounds = checkBounds(table.checks);
    const relationOffsets = /* @__PURE__ */ new Map();
    const relations = checkRelations(table.checks);
    for (const relation of relations) {
      relationOffsets.set(relation.low, relationOffsets.get(relation.low) ?? 0);
      relationOffsets.set(relation.high, relationOffsets.get(relation.high) ?? 0);
    }
    for (let pass = 0; pass < relations.length; pass++) {
      for (const { low, high } of relations) {
        if (relationOffsets.get(high) <= relationOffsets.get(low)) relationOffsets.set(high, relationOffsets.get(low) + 7);
      }
    }
    let target = rowsWanted;
    if (preallocated) target = Math.min(target, preallocated.ids.length);
    const uniqueSets = [];
    if (table.primaryKey && table.primaryKey.length > 0) uniqueSets.push({ columns: table.primaryKey, nullsNotDistinct: true });
    for (const unique of table.uniques) {
      const columns = unique.expression ? [.../* @__PURE__ */ new Set([...unique.columns, ...unique.expressionColumns])] : unique.columns;
      if (columns.length > 0) uniqueSets.push({ columns, nullsNotDistinct: unique.nullsNotDistinct });
    }
    const fkPlans = [];
    const fkByColumn = /* @__PURE__ */ new Map();
    for (const fk of table.foreignKeys) {
      if (fk.columns.some((column) => fkByColumn.has(column) || !inserted.has(column))) continue;
      const nullable = fkNullable(table, fk);
      let kind = "pool";
      let pool = [];
      if (fk.referencedSchema === table.schema && fk.referencedTable === table.name) kind = "self";
      else if (forward.has(fk)) {
        const target2 = this.byName.get(fk.referencedTable);
        const targetPk = target2 ? this.sequencePk(target2) : null;
        const targetIds = target2 ? this.preallocated.get(target2.name) : void 0;
        if (nullable) kind = "forward-null";
        else if (fk.deferrable && targetPk && targetIds && fk.referencedColumns.length === 1 && fk.referencedColumns[0] === targetPk.name) {
          kind = "forward-deferred";
          pool = targetIds.map((id) => [id]);
        } else {
          return `needs rows of ${fk.referencedTable} first (a cycle of NOT NULL foreign keys that cannot be deferred)`;
        }
      } else {
        pool = await this.pool(fk.referencedSchema, fk.referencedTable, fk.referencedColumns, rowsWanted);
        if (pool.length === 0 && !nullable) return `references ${fk.referencedTable}, which has no rows`;
      }
      const plan = { fk, kind, pool, distinct: false, stride: null, nullable };
      fk.columns.forEach((column) => fkByColumn.set(column, { plan, index: fkPlans.length }));
      fkPlans.push(plan);
    }
    const distinct = /* @__PURE__ */ new Set();
    const noNulls = /* @__PURE__ */ new Set();
    for (const set of uniqueSets) {
      const present = set.columns.filter((column) => inserted.has(column));
      if (present.length < set.columns.length) {
        if (set.columns.some((column) => columnByName.get(column)?.sequence)) continue;
      }
      if (set.nullsNotDistinct) present.forEach((column) => noNulls.add(column));
      if (present.length === 0) continue;
      if (present.some((column) => distinct.has(column))) continue;
      const fkPlansHere = [...new Set(present.map((column) => fkByColumn.get(column)?.plan).filter((plan) => plan !== void 0))];
      if (fkPlansHere.some((plan) => plan.distinct || plan.kind === "self")) continue;
      const plain = present.filter((column) => !fkByColumn.has(column));
      if (plain.length > 0) {
        const best = plain.map((name) => columnByName.get(name)).sort((a, b) => distinctRank(a) - distinctRank(b))[0];
        distinct.add(best.name);
        continue;
      }
      if (fkPlansHere.length === 1) {
        fkPlansHere[0].distinct = true;
        continue;
      }
      let stride = 1;
      for (const plan of fkPlansHere) {
        if (plan.stride !== null) break;
        plan.stride = stride;
        stride *= Math.max(plan.pool.length, 1);
      }
      if (!fkPlansHere.some((plan) => plan.nullable)) target = Math.min(target, stride);
    }
    for (const [name, hint] of this.options.hints?.get(table.name) ?? []) {
      if (hint.defaultDistinct && inserted.has(name) && !fkByColumn.has(name)) distinct.add(name);
    }
    if (preallocated) distinct.delete(preallocated.column);
    for (const plan of fkPlans) {
      if ((plan.kind === "pool" || plan.kind === "forward-deferred") && plan.distinct && !plan.nullable) target = Math.min(target, plan.pool.length);
    }
    for (const name of distinct) {
      const column = columnByName.get(name);
      if (!column.nullable || noNulls.has(name)) target = Math.min(target, distinctCapacity(column, bounds.get(name)));
    }
    const returning = new Set(table.primaryKey ?? []);
    for (const set of this.referencedSets.get(table.name) ?? []) set.forEach((column) => returning.add(column));
    return {
      table,
      insertColumns,
      overriding,
      fkPlans,
      fkByColumn,
      distinct,
      noNulls,
      bounds,
      relationOffsets,
      preallocated,
      returning: [...returning].filter((column) => columnByName.has(column)),
      target,
      used: /* @__PURE__ */ new Map(),
      nextKey: /* @__PURE__ */ new Map()
    };
  }
  // -------------------------------------------------------------------------
  // Generating rows
  /** A value the code itself would write (a choice, a default), for the rows given to them. */
  hintedValue(ctx, column, row) {
    const hint = this.options.hints?.get(ctx.table.name)?.get(column.name);
    if (!hint) return null;
    const choices = hint.choices ?? [];
    if (choices.length > 0 && row < ORDINARY_ROWS + choices.length) return choices[row % choices.length];
    const defaults = hint.defaultDistinct ? [] : hint.defaults ?? [];
    if (defaults.length > 0 && row >= ORDINARY_ROWS + choices.length && row < ORDINARY_ROWS + choices.length + 2) return defaults[0];
    return null;
  }
  columnValue(ctx, column, position, row, state) {
    const override = state.modes.get(column.name);
    if (override === "null") return null;
    const hinted = override === void 0 ? this.hintedValue(ctx, column, row) : null;
    const hintBounds = ctx.bounds.get(column.name);
    if (hinted !== null && !ctx.distinct.has(column.name) && !(hintBounds && isExcluded(column, hinted, hintBounds))) return hinted;
    const related = ctx.relationOffsets.get(column.name);
    const mode = override ?? (related === void 0 ? "planned" : "ordinary");
    const distinct = ctx.distinct.has(column.name);
    if (override === void 0 && column.nullable && !ctx.noNulls.has(column.name) && row >= ORDINARY_ROWS && (row + position) % 3 === 0) return null;
    const source = mode === "planned" && !distinct && row > ORDINARY_ROWS && row % 4 === 0 ? row - 1 : row;
    const variant = distinct ? state.variant : 0;
    const bounds = ctx.bounds.get(column.name) ?? null;
    const random = mulberry32(hashParts(this.seed, ctx.table.name, column.name, source, variant));
    const offset = mode === "ordinary" ? state.offsets.get(column.name) ?? related ?? 0 : 0;
    let value = generateValue(column, { row: source + offset, mode, random, distinct, variant, bounds });
    if (value !== null && bounds && isExcluded(column, value, bounds)) {
      value = generateValue(column, { row: source, mode: mode === "planned" ? "ordinary" : "conservative", random, distinct, variant, bounds });
      if (value !== null && isExcluded(column, value, bounds)) value = distinctValue(column, row + 1, bounds);
    }
    if (value === null || !distinct) return value;
    let used = ctx.used.get(column.name);
    if (!used) ctx.used.set(column.name, used = /* @__PURE__ */ new Set());
    let key = uniquenessKey(column, value);
    let next = ctx.nextKey.get(column.name) ?? 0;
    for (let tries = 0; used.has(key) && tries < 1e4; tries++) {
      const candidate = distinctValue(column, next++, bounds);
      if (candidate === null) break;
      if (bounds && isExcluded(column, candidate, bounds)) continue;
      value = candidate;
      key = uniquenessKey(column, value);
    }
    ctx.nextKey.set(column.name, next);
    if (used.has(key) && column.nullable && !ctx.noNulls.has(column.name)) return null;
    used.add(key);
    return value;
  }
  fkValue(ctx, plan, index, row, state, own, previous) {
    const forcedNull = plan.fk.columns.some((column) => state.modes.get(column) === "null");
    if (forcedNull && plan.nullable) return null;
    const plannedNull = plan.nullable && row >= ORDINARY_ROWS && (row + index) % 3 === 0 && state.modes.size === 0;
    switch (plan.kind) {
      case "forward-null":
        return null;
      case "self": {
        const source = state.selfOwn || !previous ? plan.nullable && !state.selfOwn ? null : own : previous;
        if (!source || plannedNull) return null;
        const tuple = plan.fk.referencedColumns.map((column) => source.get(column) ?? null);
        return tuple.some((value) => value === null) ? null : tuple;
      }
      default: {
        const size = plan.pool.length;
        if (size === 0) return null;
        if (plannedNull) return null;
        let position;
        if (plan.distinct && plan.nullable && row >= size) return null;
        if (plan.distinct) position = row + state.fkShift * ctx.target;
        else if (plan.stride !== null) position = Math.floor(row / plan.stride) % size + row % plan.stride + state.fkShift;
        else if (row < ORDINARY_ROWS && state.fkShift === 0) position = row;
        else position = Math.floor(mulberry32(hashParts(this.seed, ctx.table.name, plan.fk.name, row, state.fkShift))() * size);
        return plan.pool[position % size];
      }
    }
  }
  /** The values of row `row` in `ctx.insertColumns` order, and all of them by column name. */
  generateRow(ctx, row, state, previous) {
    const byName = /* @__PURE__ */ new Map();
    ctx.insertColumns.forEach((column, position) => {
      if (ctx.fkByColumn.has(column.name)) return;
      if (ctx.preallocated?.column === column.name) {
        byName.set(column.name, ctx.preallocated.ids[row] ?? null);
        return;
      }
      byName.set(column.name, this.columnValue(ctx, column, position, row, state));
    });
    for (const [index, plan] of ctx.fkPlans.entries()) {
      const tuple = this.fkValue(ctx, plan, index, row, state, byName, previous);
      plan.fk.columns.forEach((column, i) => byName.set(column, tuple ? tuple[i] : null));
    }
    return { values: ctx.insertColumns.map((column) => byName.get(column.name) ?? null), byName };
  }
  // -------------------------------------------------------------------------
  // Inserting
  insertSql(ctx, rows) {
    const target = qualifiedName(ctx.table.schema, ctx.table.name);
    const returning = this.returningSql(ctx);
    if (ctx.insertColumns.length === 0) {
      return rows.length === 1 ? `INSERT INTO ${target} DEFAULT VALUES${returning}` : `INSERT INTO ${target} SELECT FROM generate_series(1, ${rows.length})${returning}`;
    }
    const columns = ctx.insertColumns.map((column) => quoteIdent(column.name)).join(", ");
    const useDefault = ctx.insertColumns.map((column) => !column.nullable && column.hasDefault);
    const values = rows.map((row) => `(${row.map((value, i) => value === null && useDefault[i] ? "DEFAULT" : sqlLiteral(value)).join(", ")})`).join(",\n");
    return `INSERT INTO ${target} (${columns})${ctx.overriding ? " OVERRIDING SYSTEM VALUE" : ""} VALUES ${values}${returning}`;
  }
  returningSql(ctx) {
    const items = ctx.returning.map((column, i) => `${quoteIdent(column)}::text AS r${i}`);
    if (!ctx.table.primaryKey && ctx.table.kind === "table") items.push("ctid::text AS r_ctid");
    return items.length > 0 ? ` RETURNING ${items.join(", ")}` : "";
  }
  async seedTable(table, forward) {
    const planned3 = await this.plan(table, forward);
    if (typeof planned3 === "string") return { table: table.name, rows: 0, skipped: planned3 };
    const ctx = planned3;
    if (ctx.target <= 0) {
      return { table: table.name, rows: 0, skipped: this.options.rowsPerTable <= 0 ? "no rows asked for" : "no room for a row under its keys" };
    }
    for (const plan of ctx.fkPlans) {
      if (plan.kind === "forward-deferred") {
        this.deferred.push({ table, fk: plan.fk });
        await this.guarded(`SET CONSTRAINTS ${qualifiedName(table.schema, plan.fk.name)} DEFERRED`);
      }
    }
    const returned = [];
    const insertedRows = [];
    let failedRows = 0;
    let lastError;
    const freshState = () => ({ modes: /* @__PURE__ */ new Map(), variant: 0, fkShift: 0, selfOwn: false, offsets: /* @__PURE__ */ new Map(), stages: /* @__PURE__ */ new Map() });
    for (let start = 0; start < ctx.target; start += CHUNK_ROWS) {
      const end = Math.min(ctx.target, start + CHUNK_ROWS);
      const planned4 = [];
      for (let row = start; row < end; row++) {
        planned4.push(this.generateRow(ctx, row, freshState(), row > 0 ? planned4[row - start - 1]?.byName ?? insertedRows.at(-1) ?? null : null));
      }
      const sqlText = this.insertSql(ctx, planned4.map((row) => row.values));
      const batch = await this.guarded(sqlText);
      if (!("error" in batch)) {
        returned.push(...batch.rows);
        insertedRows.push(...planned4.map((row) => row.byName));
        continue;
      }
      let failedInARow = 0;
      for (let row = start; row < end; row++) {
        const state = freshState();
        let attempt = 0;
        let current = planned4[row - start];
        let done = false;
        let error;
        while (attempt < MAX_ATTEMPTS) {
          const result2 = await this.guarded(this.insertSql(ctx, [current.values]));
          if (!("error" in result2)) {
            returned.push(...result2.rows);
            insertedRows.push(current.byName);
            done = true;
            break;
          }
          error = result2.error;
          if (!this.escalate(ctx, state, result2.error)) break;
          attempt++;
          current = this.generateRow(ctx, row, state, insertedRows.at(-1) ?? null);
        }
        if (done) {
          failedInARow = 0;
          continue;
        }
        failedRows++;
        lastError = errorText(error);
        failedInARow++;
        if (insertedRows.length === 0 && failedInARow >= EARLY_GIVE_UP) {
          failedRows += ctx.target - row - 1;
          break;
        }
      }
      if (insertedRows.length === 0) break;
    }
    this.recordInserted(ctx, returned);
    this.recordPending(ctx, returned);
    if (insertedRows.length === 0) {
      return { table: table.name, rows: 0, skipped: `no row could be inserted: ${lastError ?? "unknown error"}` };
    }
    const result = { table: table.name, rows: insertedRows.length };
    const pk = table.primaryKey ?? [];
    if (pk.length > 0 && pk.every((column) => ctx.returning.includes(column))) {
      const index = new Map(ctx.returning.map((column, i) => [column, `r${i}`]));
      result.primaryKey = [...pk];
      result.ordinaryKeys = returned.slice(0, ORDINARY_ROWS).map((row) => pk.map((column) => row[index.get(column)] ?? ""));
    }
    if (failedRows > 0) {
      result.failedRows = failedRows;
      if (lastError) result.lastError = lastError;
    }
    return result;
  }
  /**
   * Changes the row's state after `error` so that the next attempt differs
   * where it matters; false when there is nothing left to try.
   */
  escalate(ctx, state, error) {
    const db = error;
    const table = ctx.table;
    const plainColumns = ctx.insertColumns.map((column) => column.name).filter((name) => !ctx.fkByColumn.has(name) && ctx.preallocated?.column !== name);
    const escalateColumns = (stageKey, names2) => {
      const columns = names2.filter((name) => table.columns.some((c) => c.name === name) && !ctx.fkByColumn.has(name) && ctx.preallocated?.column !== name);
      for (let stage = state.stages.get(stageKey) ?? 0; stage < 5; stage++) {
        state.stages.set(stageKey, stage + 1);
        let changed = false;
        const setMode = (name, mode) => {
          if ((state.modes.get(name) ?? "planned") !== mode) changed = true;
          state.modes.set(name, mode);
        };
        if (stage === 0) columns.forEach((name) => setMode(name, "ordinary"));
        else if (stage === 1 || stage === 2) {
          if (columns.length < 2) continue;
          columns.forEach((name, i) => {
            setMode(name, "ordinary");
            state.offsets.set(name, (stage === 1 ? i : columns.length - 1 - i) * 7);
          });
          changed = true;
        } else if (stage === 3) {
          columns.forEach((name) => {
            state.offsets.delete(name);
            setMode(name, "conservative");
          });
        } else {
          columns.forEach((name) => {
            if (table.columns.find((c) => c.name === name)?.nullable) setMode(name, "null");
          });
        }
        if (changed) return true;
      }
      return false;
    };
    switch (db.code) {
      case "23505": {
        if (state.variant >= 3) return false;
        state.variant++;
        state.fkShift++;
        return true;
      }
      case "23503": {
        const fk = table.foreignKeys.find((candidate) => candidate.name === db.constraint);
        const plan = fk ? ctx.fkPlans.find((candidate) => candidate.fk === fk) : void 0;
        if (!plan) return escalateColumns("*", plainColumns);
        if (plan.nullable && !plan.fk.columns.every((column) => state.modes.get(column) === "null")) {
          plan.fk.columns.forEach((column) => state.modes.set(column, "null"));
          return true;
        }
        if (plan.kind === "self" && !state.selfOwn) {
          state.selfOwn = true;
          return true;
        }
        if (state.fkShift >= 3) return false;
        state.fkShift++;
        return true;
      }
      case "23514": {
        const check = table.checks.find((candidate) => candidate.name === db.constraint);
        const involved = check?.columns.length ? check.columns : plainColumns;
        return escalateColumns(`check:${db.constraint ?? ""}`, involved) || escalateColumns("*", plainColumns);
      }
      case "23502": {
        if (db.column && ctx.fkByColumn.has(db.column)) return false;
        return escalateColumns(`column:${db.column ?? ""}`, db.column ? [db.column] : plainColumns) || escalateColumns("*", plainColumns);
      }
      default:
        return escalateColumns(`column:${db.column ?? ""}`, db.column ? [db.column] : plainColumns) || escalateColumns("*", plainColumns);
    }
  }
  recordInserted(ctx, returned) {
    const sets = this.referencedSets.get(ctx.table.name) ?? [];
    if (sets.length === 0) return;
    const index = new Map(ctx.returning.map((column, i) => [column, `r${i}`]));
    const bySet = this.inserted.get(ctx.table.name) ?? /* @__PURE__ */ new Map();
    for (const set of sets) {
      if (!set.every((column) => index.has(column))) continue;
      const tuples = [];
      for (const row of returned) {
        const tuple = set.map((column) => row[index.get(column)] ?? null);
        if (tuple.every((value) => value !== null)) tuples.push(tuple);
      }
      bySet.set(set.join("\0"), tuples);
    }
    this.inserted.set(ctx.table.name, bySet);
  }
  /** Nullable references to a cycle's later table: remember the rows, to set them once that table has rows. */
  recordPending(ctx, returned) {
    const plans = ctx.fkPlans.filter((plan) => plan.kind === "forward-null");
    if (plans.length === 0 || returned.length === 0) return;
    const pk = ctx.table.primaryKey;
    let keyColumns2;
    let keys;
    if (pk && pk.length > 0) {
      const index = new Map(ctx.returning.map((column, i) => [column, `r${i}`]));
      keyColumns2 = pk;
      keys = returned.map((row) => pk.map((column) => row[index.get(column)] ?? ""));
    } else if (ctx.table.kind === "table") {
      keyColumns2 = ["ctid"];
      keys = returned.map((row) => [row.r_ctid ?? ""]);
    } else return;
    for (const plan of plans) this.pending.push({ table: ctx.table, plan, keyColumns: keyColumns2, keys });
  }
  /** Sets the pending references that point at `seeded`, now that it has rows. */
  async flushPending(seeded) {
    for (const pending of this.pending.filter((item) => item.plan.fk.referencedTable === seeded.name)) {
      this.pending.splice(this.pending.indexOf(pending), 1);
      const { table, plan, keyColumns: keyColumns2, keys } = pending;
      const pool = await this.pool(plan.fk.referencedSchema, plan.fk.referencedTable, plan.fk.referencedColumns, keys.length);
      if (pool.length === 0) continue;
      const rows = [];
      keys.forEach((key, i) => {
        if (i >= ORDINARY_ROWS && i % 3 === 0) return;
        if (plan.distinct && i >= pool.length) return;
        const tuple = plan.distinct ? pool[i] : pool[Math.floor(mulberry32(hashParts(this.seed, table.name, plan.fk.name, i))() * pool.length)];
        rows.push(`(${[...key, ...tuple].map(sqlLiteral).join(", ")})`);
      });
      if (rows.length === 0) continue;
      const columnOf2 = (name) => table.columns.find((column) => column.name === name);
      const keyNames = keyColumns2.map((_, i) => `k${i}`);
      const valueNames = plan.fk.columns.map((_, i) => `v${i}`);
      const cast = (name, alias) => name === "ctid" ? `v.${alias}::tid` : `v.${alias}::${columnOf2(name)?.dataType ?? "text"}`;
      const set = plan.fk.columns.map((column, i) => `${quoteIdent(column)} = ${cast(column, valueNames[i])}`).join(", ");
      const where = keyColumns2.map((column, i) => `t.${column === "ctid" ? "ctid" : quoteIdent(column)} = ${cast(column, keyNames[i])}`).join(" AND ");
      await this.guarded(
        `UPDATE ${qualifiedName(table.schema, table.name)} AS t SET ${set} FROM (VALUES ${rows.join(", ")}) AS v(${[...keyNames, ...valueNames].join(", ")}) WHERE ${where}`
      );
    }
  }
  /**
   * After a cycle seeded under deferred constraints: deletes rows whose
   * reference points nowhere (a row of the later table that failed), until
   * nothing dangles, then checks every deferred constraint now.
   */
  async settleDeferred() {
    if (this.deferred.length === 0) return;
    const seededTables = this.tables.filter((table) => (this.results.get(table.name)?.rows ?? 0) > 0);
    for (let pass = 0; pass < 10; pass++) {
      let deleted = 0;
      for (const table of seededTables) {
        for (const fk of table.foreignKeys) {
          const match = fk.columns.map((column, i) => `r.${quoteIdent(fk.referencedColumns[i])} = t.${quoteIdent(column)}`).join(" AND ");
          const present = fk.columns.map((column) => `t.${quoteIdent(column)} IS NOT NULL`).join(" AND ");
          const result = await this.guarded(
            `DELETE FROM ${qualifiedName(table.schema, table.name)} AS t WHERE ${present} AND NOT EXISTS (SELECT 1 FROM ${qualifiedName(fk.referencedSchema, fk.referencedTable)} AS r WHERE ${match})`
          );
          if ("error" in result || result.count === 0) continue;
          deleted += result.count;
          const entry = this.results.get(table.name);
          if (entry) entry.rows = Math.max(0, entry.rows - result.count);
        }
      }
      if (deleted === 0) break;
    }
    const check = await this.guarded("SET CONSTRAINTS ALL IMMEDIATE");
    if ("error" in check) throw new SeedError(`seeding left a reference that points nowhere: ${errorText(check.error)}`);
  }
};
function isExcluded(column, value, bounds) {
  if (bounds.notEqual.length === 0) return false;
  return bounds.notEqual.some((excluded) => excluded === value || column.category === "N" && Number(excluded) === Number(value));
}
async function seedDatabase(client, catalog, options) {
  return new Seeder(client, catalog, options).run();
}

// src/rehearsal/probe-evidence.ts
var KINDS = ["select", "insert", "update"];
function passingProbes(control) {
  const passing = /* @__PURE__ */ new Set();
  for (const probe of control) for (const kind of KINDS) if (probe[kind].ok === true) passing.add(`${probe.model}:${kind}`);
  return passing;
}
function newFailures(results, passingOnControl) {
  const failures = [];
  for (const probe of results) {
    for (const kind of KINDS) {
      const outcome = probe[kind];
      if (outcome.ok === false && passingOnControl.has(`${probe.model}:${kind}`)) {
        failures.push({ model: probe.model, table: probe.table, probe: kind, message: outcome.message ?? "failed", sqlstate: outcome.sqlstate ?? null });
      }
    }
  }
  return failures;
}
function unansweredProbes(results, control, tables) {
  const controls = new Map(control.map((probe) => [probe.model, probe]));
  const gaps = [];
  for (const probe of results) {
    if (!tables.has(probe.table)) continue;
    for (const kind of KINDS) {
      const before = controls.get(probe.model)?.[kind];
      const now = probe[kind];
      if (before?.ok !== true) {
        const why = before === void 0 ? "the model was not probed on the schema the code was written for" : before.ok === false ? `it fails on the schema the code was written for too: ${headline(before.message ?? "failed")}` : before.reason ?? "it could not run";
        gaps.push({ model: probe.model, table: probe.table, probe: kind, reason: why });
      } else if (now.ok === null) {
        gaps.push({ model: probe.model, table: probe.table, probe: kind, reason: now.reason ?? "it could not run" });
      }
    }
  }
  return gaps;
}
function roundTripControl(control) {
  const ran = /* @__PURE__ */ new Set();
  const mismatched = /* @__PURE__ */ new Set();
  for (const entry of control) {
    if (entry.ok === null) continue;
    ran.add(entry.model);
    for (const mismatch2 of entry.mismatches) mismatched.add(`${entry.model}:${mismatch2.field}`);
  }
  return { ran, mismatched };
}
function roundTripFailures(results, control) {
  const failures = [];
  for (const entry of results) {
    if (!control.ran.has(entry.model)) continue;
    const changed = entry.mismatches.filter((mismatch2) => !control.mismatched.has(`${entry.model}:${mismatch2.field}`));
    if (changed.length === 0) continue;
    failures.push({
      model: entry.model,
      table: entry.table,
      probe: "round-trip",
      message: changed.map((m) => `wrote ${m.wrote} to column "${m.column}" and read back ${m.read}`).join("; "),
      sqlstate: null
    });
  }
  return failures;
}
function headline(message) {
  return message.split("\n")[0].trim();
}

// src/rehearsal/run.ts
var RehearsalTimeout = class extends Error {
  constructor(limitMs) {
    super(`the rehearsal ran past its limit (timeout ${Math.round(limitMs / 1e3)} s)`);
    this.name = "RehearsalTimeout";
  }
};
var RehearsalFailure = class extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = "RehearsalFailure";
  }
};
var Run = class {
  input;
  options;
  logger;
  server;
  timings = {};
  notes = [];
  context;
  /** The databases of the run: the seeded base, the one the new migrations run on, and an untouched copy of the base. */
  db = { base: "", run: "", oldSchema: "" };
  /** The data the facts rest on before any repair. */
  basis = "adversarial-seed";
  /** Where the base came from, when the base-schema cache was asked for. */
  baseCache;
  /** The team's snapshot the databases were copied from. */
  template;
  deadline;
  python;
  pythonDatabase = { base: null, new: null };
  clients = /* @__PURE__ */ new Map();
  constructor(input, server, started) {
    this.input = input;
    this.options = input.options;
    this.logger = input.logger;
    this.server = server;
    this.context = { server };
    this.deadline = started + input.options.timeoutMs;
    this.python = { ...input.python };
    input.resources.defer("database clients", () => this.closeClients());
  }
  /** What the report says about where the base came from (base-schema cache, template database). */
  baseInfo() {
    return { ...this.baseCache ? { baseCache: this.baseCache } : {}, ...this.template ? { template: this.template } : {} };
  }
  /** Milliseconds left, at most `cap`; throws RehearsalTimeout when none are. */
  remaining(cap) {
    const left = this.deadline - Date.now();
    if (left <= 0) throw new RehearsalTimeout(this.options.timeoutMs);
    return Math.min(cap, left);
  }
  /** Budget for running one migration: its statements may each take statement_timeout. */
  migrationBudget() {
    return this.remaining(this.options.statementTimeoutMs * 10 + 6e4);
  }
  async phase(name, work) {
    await this.input.onPhase?.(name, this.context);
    const timed = async () => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        this.timings[name] = Math.round((this.timings[name] ?? 0) + performance.now() - started);
      }
    };
    if (this.logger.group) return this.logger.group(`Rehearsal: ${name}`, timed);
    this.logger.info(`rehearsal: ${name}`);
    return timed();
  }
  /** A request to one of the Python processes; a process that died is started again first. */
  async call(role, method, params, cap = 3e5) {
    const process2 = await this.process(role);
    return process2.call(method, params, this.remaining(cap));
  }
  /** Points a process at one of the run's databases. */
  async use(role, database) {
    const process2 = await this.process(role);
    if (this.pythonDatabase[role] === database) return;
    await process2.call("connect", { database: this.server.connection(database) }, this.remaining(3e4));
    this.pythonDatabase[role] = database;
  }
  info(role) {
    return this.python[role].info;
  }
  /** The process's options with the database it is pointed at (for a seed command run beside it). */
  processOptions(role) {
    const database = this.pythonDatabase[role];
    return { ...this.python[role].options, ...database ? { database: this.server.connection(database) } : {} };
  }
  async process(role) {
    const current = this.python[role];
    if (current.running) return current;
    this.notes.push(`the ${role} code's Python process ended and was started again`);
    const fresh = await DjangoProcess.start(current.options);
    this.input.resources.defer(
      `${role} python (restarted)`,
      () => fresh.close(),
      fresh.pid === void 0 ? void 0 : { kind: "process", pid: fresh.pid, command: "dmr_helper" }
    );
    this.python[role] = fresh;
    const database = this.pythonDatabase[role];
    this.pythonDatabase[role] = null;
    if (database) await this.use(role, database);
    return fresh;
  }
  /** A connection of ours to one of the run's databases. */
  async client(database) {
    const known = this.clients.get(database);
    if (known) return known;
    const client = new esm_default.Client(this.server.connection(database));
    client.on("error", () => {
    });
    await client.connect();
    this.clients.set(database, client);
    return client;
  }
  async closeClient(database) {
    const client = this.clients.get(database);
    if (!client) return;
    this.clients.delete(database);
    await client.end().catch(() => {
    });
  }
  async closeClients() {
    await Promise.all([...this.clients.keys()].map((database) => this.closeClient(database)));
  }
  /** Closes the Python processes' connections (Django opens a new one at its next query). */
  async closePythonConnections() {
    await Promise.all(["base", "new"].map((role) => this.python[role].running ? this.python[role].call("closeConnections", {}, 3e4) : null));
  }
  /** A copy of one of the run's databases; every session on it is closed first (Postgres requires it). */
  async copy(database, label) {
    await this.closePythonConnections();
    await this.closeClient(database);
    return this.server.createDatabase({ template: database, label });
  }
  /** Goes back to a copy taken earlier: it becomes the run's database, and the current one is dropped. */
  async restore(checkpoint) {
    const abandoned = this.db.run;
    this.db.run = checkpoint;
    this.context.database = checkpoint;
    for (const role of ["base", "new"]) if (this.pythonDatabase[role] === abandoned) await this.use(role, checkpoint);
    await this.drop(abandoned);
  }
  async drop(database) {
    await this.closeClient(database);
    for (const role of ["base", "new"]) {
      if (this.pythonDatabase[role] === database) {
        await this.python[role].call("closeConnections", {}, 3e4).catch(() => {
        });
        this.pythonDatabase[role] = null;
      }
    }
    await this.server.dropDatabase(database);
  }
};

// src/rehearsal/base-restore.ts
import { readFile as readFile2, stat as stat2 } from "node:fs/promises";
import { isAbsolute, join as join2, resolve } from "node:path";

// src/rehearsal/base-cache.ts
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
var CACHE_FORMAT = 1;
var CACHE_ENTRIES_KEPT = 3;
var ENTRY = "entry.json";
var ARCHIVE = "base.dump";
var KEY_PATTERN = /^dmr-base-[0-9a-f]{32}$/;
function sha256(data) {
  return createHash("sha256").update(data).digest("hex");
}
function baseCacheKey(inputs) {
  const byFirst = (a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
  const { seed } = inputs;
  const canonical = JSON.stringify([
    inputs.format,
    inputs.tool,
    inputs.django,
    inputs.python,
    inputs.engine,
    inputs.postgresMajor,
    inputs.settingsModule,
    [seed.rows, seed.synthetic, seed.sql, seed.command, [...seed.commandFiles].sort(byFirst)],
    [...inputs.migrations].sort(byFirst)
  ]);
  return `dmr-base-${sha256(canonical).slice(0, 32)}`;
}
async function fileSha256(path) {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest("hex");
}
var BaseCache = class {
  dir;
  constructor(dir) {
    this.dir = dir;
  }
  /** The entry for `key`, verified; or why there is none to use. */
  async lookup(key) {
    const folder = join(this.dir, key);
    let text;
    try {
      text = await readFile(join(folder, ENTRY), "utf8");
    } catch {
      return { found: false, reason: `no entry for ${key} in ${this.dir}`, ignored: false };
    }
    const ignored = (reason) => ({ found: false, reason: `the entry ${folder} is ignored: ${reason}`, ignored: true });
    let record;
    try {
      record = JSON.parse(text);
    } catch (error) {
      return ignored(`its ${ENTRY} is not valid JSON (${error.message})`);
    }
    if (typeof record !== "object" || record === null) return ignored(`its ${ENTRY} is not a record`);
    if (record.format !== CACHE_FORMAT) return ignored(`it was written in format ${String(record.format)}, this version reads format ${CACHE_FORMAT}`);
    if (record.key !== key) return ignored(`it records the key ${String(record.key)}, not ${key} (a foreign entry)`);
    if (typeof record.archive?.sha256 !== "string" || typeof record.archive.bytes !== "number") return ignored("it records no checksum for its archive");
    const archive = join(folder, ARCHIVE);
    let size;
    try {
      size = (await stat(archive)).size;
    } catch {
      return ignored(`its archive ${ARCHIVE} is missing`);
    }
    if (size !== record.archive.bytes) return ignored(`its archive has ${size} bytes, ${record.archive.bytes} were written (truncated or replaced)`);
    const actual = await fileSha256(archive);
    if (actual !== record.archive.sha256) return ignored(`its archive's SHA-256 is ${actual.slice(0, 12)}…, ${record.archive.sha256.slice(0, 12)}… was written (corrupt)`);
    return { found: true, record, archive };
  }
  /**
   * Saves an entry: `write` puts the archive at the path it is given; the
   * entry appears under its key only once complete (a folder renamed into
   * place), so a reader never sees half of one. Older entries beyond
   * CACHE_ENTRIES_KEPT are removed.
   */
  async save(key, write, record) {
    await mkdir(this.dir, { recursive: true });
    const staging = join(this.dir, `.tmp-${key}-${randomBytes(4).toString("hex")}`);
    await mkdir(staging);
    try {
      const archive = join(staging, ARCHIVE);
      await write(archive);
      const bytes = (await stat(archive)).size;
      const full = { format: CACHE_FORMAT, key, ...record, archive: { bytes, sha256: await fileSha256(archive) }, createdAt: (/* @__PURE__ */ new Date()).toISOString() };
      await writeFile(join(staging, ENTRY), `${JSON.stringify(full)}
`);
      const target = join(this.dir, key);
      await rm(target, { recursive: true, force: true });
      await rename(staging, target);
      await this.prune(key);
      return { bytes };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  /** Removes entries (and leftover staging folders) beyond the newest CACHE_ENTRIES_KEPT; never `keep`. */
  async prune(keep) {
    const names2 = await readdir(this.dir).catch(() => []);
    const entries = [];
    for (const name of names2) {
      if (name.startsWith(".tmp-dmr-base-")) {
        const at = (await stat(join(this.dir, name)).catch(() => null))?.mtimeMs ?? 0;
        if (Date.now() - at > 24 * 36e5) await rm(join(this.dir, name), { recursive: true, force: true });
        continue;
      }
      if (!KEY_PATTERN.test(name) || name === keep) continue;
      entries.push({ name, at: (await stat(join(this.dir, name, ENTRY)).catch(() => null))?.mtimeMs ?? 0 });
    }
    entries.sort((a, b) => b.at - a.at);
    for (const old of entries.slice(CACHE_ENTRIES_KEPT - 1)) await rm(join(this.dir, old.name), { recursive: true, force: true });
  }
};

// src/rehearsal/base-restore.ts
async function openBaseCache(run) {
  const dir = resolve(run.options.cacheDir);
  try {
    const [unavailable, inputs] = await Promise.all([run.server.dumpUnavailable(), keyInputs(run)]);
    if (unavailable !== null) throw new Error(unavailable);
    const key = baseCacheKey(inputs);
    return { cache: new BaseCache(dir), key, inputs };
  } catch (error) {
    const reason = `the base-schema cache is not used: ${error.message}`;
    run.logger.warning(reason);
    run.baseCache = { status: "unavailable", key: null, reason };
    return null;
  }
}
async function keyInputs(run) {
  const { options, input } = run;
  const migrations = input.baseMigrations;
  if (migrations === void 0 || migrations.length === 0) throw new Error("Django's loader did not say which migrations the base branch has");
  const unreadable = migrations.find(([, id]) => id === null);
  if (unreadable) throw new Error(`the source of ${unreadable[0]} cannot be read, so a change to it would go unnoticed`);
  const info = run.info("base");
  const seedSql = options.seedSql ? sha256(await readSeedSql(options.seedSql, [input.checkouts.base, input.checkouts.new])) : null;
  return {
    format: CACHE_FORMAT,
    tool: TOOL_VERSION,
    migrations: migrations.map(([key, id]) => [key, id]),
    django: info.django,
    python: info.python,
    engine: info.engine,
    postgresMajor: serverMajor(run.server.versionNumber),
    settingsModule: run.processOptions("base").settingsModule,
    seed: {
      rows: options.syntheticSeed ? options.seedRows : 0,
      synthetic: options.syntheticSeed,
      sql: seedSql,
      command: options.seedCommand ?? null,
      commandFiles: options.seedCommand ? await filesNamedBy(options.seedCommand, [run.processOptions("base").projectDir, input.checkouts.base]) : []
    }
  };
}
async function filesNamedBy(command, dirs) {
  const files = [];
  for (const raw of command.split(/\s+/)) {
    const token = raw.replace(/^['"]|['"]$/g, "");
    if (token === "" || token.startsWith("-") || isAbsolute(token) || token.split("/").includes("..")) continue;
    for (const dir of dirs) {
      const path = join2(dir, token);
      const found = await stat2(path).catch(() => null);
      if (!found?.isFile()) continue;
      files.push([token, sha256(await readFile2(path))]);
      break;
    }
  }
  return files;
}
async function restoreBase(run, open) {
  const { cache, key } = open;
  const lookup = await cache.lookup(key);
  if (!lookup.found) {
    if (lookup.ignored) run.logger.warning(`base-schema cache: ${lookup.reason}; migrating the base from zero`);
    else run.logger.info(`base-schema cache: ${lookup.reason}; migrating the base from zero`);
    run.baseCache = { status: "miss", key, reason: lookup.reason };
    return null;
  }
  const { record, archive } = lookup;
  try {
    return await run.phase("restore-base", async () => {
      const started = performance.now();
      run.db.base = await run.server.restoreDatabase(archive, { label: "base" });
      run.context.database = void 0;
      const ms = Math.round(performance.now() - started);
      run.baseCache = { status: "hit", key, ms, bytes: record.archive.bytes };
      run.logger.info(`base: restored from the base-schema cache (${key}: ${record.migrated} migrations, ${record.seed?.totalRows ?? 0} seeded rows, in ${formatSeconds(ms)})`);
      const userRows = record.userRows === null ? null : new Map(record.userRows.map(([table, keys]) => [table, new Set(keys)]));
      return { seed: record.seed, userRows };
    });
  } catch (error) {
    const reason = `restoring the entry ${key} failed: ${error.message}`;
    run.logger.warning(`base-schema cache: ${reason}; migrating the base from zero`);
    run.baseCache = { status: "miss", key, reason };
    return null;
  }
}
async function saveBase(run, open, made) {
  const info = run.baseCache ?? { status: "miss", key: open.key };
  run.baseCache = info;
  await run.phase("save-base", async () => {
    const started = performance.now();
    try {
      const { bytes } = await open.cache.save(open.key, (archive) => run.server.dumpDatabase(run.db.base, archive), {
        inputs: open.inputs,
        postgresVersion: run.server.version,
        migrated: made.migrated,
        seed: made.seed,
        userRows: made.userRows === null ? null : [...made.userRows].map(([table, keys]) => [table, [...keys]])
      });
      info.saved = true;
      info.ms = Math.round(performance.now() - started);
      info.bytes = bytes;
      run.logger.info(`base-schema cache: saved the base as ${open.key} (${Math.round(bytes / 1024)} KiB, ${formatSeconds(info.ms)})`);
    } catch (error) {
      info.saved = false;
      info.reason = `${info.reason ? `${info.reason}; ` : ""}saving it failed: ${error.message}`;
      run.logger.warning(`base-schema cache: the base could not be saved: ${error.message}`);
    }
  });
}

// src/rehearsal/template.ts
var TemplateMigrationsError = class extends RehearsalFailure {
  /** The base branch's migrations the template has not applied (migrating the copy forward applies them). */
  missing;
  /** Migrations the template records that the base branch does not have (migrating forward cannot undo them). */
  extra;
  constructor(message, missing, extra) {
    super(message);
    this.name = "TemplateMigrationsError";
    this.missing = missing;
    this.extra = extra;
  }
};
var EveryRow = class extends Set {
  has() {
    return true;
  }
};
var EXACT_COUNT_FACTOR = 20;
async function baseFromTemplate(run) {
  const { options } = run;
  const template = options.templateDatabase;
  run.basis = "template-database";
  const info = { database: template, copyMs: 0, bytes: 0, tables: [] };
  run.template = info;
  await run.phase("copy-template", async () => {
    const started = performance.now();
    run.db.base = await run.server.copyTemplate(template, { label: "base" });
    info.copyMs = Math.round(performance.now() - started);
  });
  run.context.database = void 0;
  const client = await run.client(run.db.base);
  await refuseForeignOwners(client, template);
  info.bytes = Number((await client.query("SELECT pg_database_size(current_database()) AS bytes")).rows[0].bytes);
  run.logger.info(`base: copied the template database ${template} (${formatBytes(info.bytes)}) in ${formatSeconds(info.copyMs)}`);
  await run.use("base", run.db.base);
  const plan = await run.call("base", "plan", {});
  const known = new Set((run.input.baseMigrations ?? []).map(([key]) => key));
  const apps = new Set([...known].map((key) => key.slice(0, key.indexOf("."))));
  const extra = plan.applied.filter((key) => !known.has(key) && apps.has(key.slice(0, key.indexOf("."))));
  const missing = plan.plan;
  if (extra.length > 0 || missing.length > 0 && !options.templateMigrate) throw mismatch(template, missing, extra, plan.applied.length);
  if (missing.length > 0) {
    await run.phase("migrate-base", async () => {
      try {
        const migrated = await run.call("base", "migrateToLeaves", {}, 6e5);
        info.migratedForward = migrated.applied;
        run.logger.info(`base: migrated the copy of ${template} forward to the base branch (${migrated.applied.length} migrations, ${formatSeconds(migrated.ms)})`);
      } catch (error) {
        throw new RehearsalFailure(`the copy of the template database '${template}' could not be migrated forward to the base branch: ${error.message}`, { cause: error });
      }
    });
  }
  const models = await run.call("base", "models", {});
  let userRows = null;
  const seed = await run.phase("seed", async () => {
    await runTeamSeed(run, client);
    const catalog = await readCatalog(client);
    const counts = await rowCounts(client, catalog.tables.map((table) => table.name), options.sampleRows);
    const filled = new Set(counts.filter((count) => count.rows > 0).map((count) => count.table));
    userRows = new Map([...filled].map((table) => [table, new EveryRow()]));
    if (!options.syntheticSeed) {
      info.tables = counts;
      return null;
    }
    const seeded = await seedDatabase(client, catalog, { rowsPerTable: options.seedRows, hints: hintsOf(models), excludeTables: [...filled] });
    run.logger.info(`base: seeded ${seeded.totalRows} synthetic rows into ${seeded.tables.filter((table) => table.rows > 0).length} tables the snapshot leaves empty`);
    info.tables = await rowCounts(client, catalog.tables.map((table) => table.name), options.sampleRows);
    return seeded;
  });
  return { models, seed, userRows };
}
async function refuseForeignOwners(client, template) {
  const { rows } = await client.query(
    `SELECT current_user AS me, count(*)::text AS foreign, min(pg_get_userbyid(c.relowner)) AS owner
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
        AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
        AND NOT pg_has_role(current_user, c.relowner, 'USAGE')
        AND NOT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false)`
  );
  const row = rows[0];
  if (Number(row.foreign) === 0) return;
  throw new TemplateDatabaseError(
    "privilege",
    `${row.foreign} table(s) and sequence(s) of the template database '${template}' belong to ${row.owner}, and the role ${row.me} is neither that role (nor a member of it) nor a superuser, so the pull request's migrations could not alter them on the copy: restore the snapshot as ${row.me} (pg_restore --no-owner --role=${row.me}), or make ${row.me} the owner of its tables`
  );
}
function mismatch(template, missing, extra, applied) {
  const list = (keys) => `${keys.slice(0, 10).join(", ")}${keys.length > 10 ? ` and ${keys.length - 10} more` : ""}`;
  const parts = [];
  if (applied === 0) parts.push(`the template database '${template}' has no Django migrations recorded (no django_migrations rows): is it the snapshot of this project?`);
  else if (missing.length > 0) parts.push(`the template database '${template}' is behind the base branch: it lacks ${missing.length} of its migrations (${list(missing)})`);
  if (extra.length > 0) {
    parts.push(
      `${parts.length > 0 ? "and it" : `the template database '${template}'`} records ${extra.length} migration(s) the base branch does not have (${list(extra)}): it is ahead of the base branch or from another branch. Migrating the copy forward would not fix that; restore a snapshot taken at the base branch's migrations`
    );
  } else {
    parts.push("migrating the copy forward with the base branch's code would fix this: set template-migrate: true (--template-migrate true) to do that on the copy (the template is not touched), or restore a newer snapshot");
  }
  return new TemplateMigrationsError(parts.join("; "), missing, extra);
}
async function rowCounts(client, tables, sampleRows) {
  const { rows } = await client.query(
    "SELECT c.relname AS table, c.reltuples::bigint::text AS estimate FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname = ANY($1)",
    [tables]
  );
  const counts = [];
  for (const row of rows.sort((a, b) => a.table < b.table ? -1 : 1)) {
    const estimate = Number(row.estimate);
    if (estimate > sampleRows * EXACT_COUNT_FACTOR) {
      counts.push({ table: row.table, rows: estimate, estimated: true });
      continue;
    }
    const counted = await client.query(`SELECT count(*) AS n FROM "${row.table.replace(/"/g, '""')}"`);
    counts.push({ table: row.table, rows: Number(counted.rows[0].n) });
  }
  return counts;
}
function formatBytes(bytes) {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

// src/rehearsal/user-seed.ts
import { spawn } from "node:child_process";
import { delimiter, dirname, isAbsolute as isAbsolute2, resolve as resolve2 } from "node:path";
var SeedCommandError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "SeedCommandError";
  }
};
function runSeedCommand(command, options, timeoutMs, logger) {
  const env = djangoEnvironment(options);
  if (options.python.includes("/")) {
    const python = isAbsolute2(options.python) ? options.python : resolve2(options.python);
    env.PATH = [dirname(python), env.PATH].filter(Boolean).join(delimiter);
  }
  return new Promise((done, fail) => {
    const child = spawn("sh", ["-c", command], { cwd: options.projectDir, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    const collect = (chunk) => {
      output = (output + chunk.toString("utf8")).slice(-4e3);
      logger.debug(`[seed-command] ${chunk.toString("utf8").trimEnd()}`);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
      fail(new SeedCommandError(`the seed command did not finish within ${Math.round(timeoutMs / 1e3)} s: ${command}`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      fail(new SeedCommandError(`the seed command could not start: ${error.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) done();
      else fail(new SeedCommandError(`the seed command exited ${code}: ${command}
${output.trim().split("\n").slice(-10).join("\n")}`));
    });
  });
}

// src/rehearsal/base.ts
var USER_ROWS_CAP = 1e4;
async function prepareBase(run) {
  const { options } = run;
  const hasUserSeed = Boolean(options.seedSql || options.seedCommand);
  if (options.templateDatabase !== void 0) {
    const fromTemplate = await baseFromTemplate(run);
    return finishBase(run, fromTemplate.models, fromTemplate.seed, fromTemplate.userRows);
  }
  run.basis = options.syntheticSeed ? "adversarial-seed" : hasUserSeed ? "user-seed" : "conforming-seed";
  const cache = options.cacheDir === void 0 ? null : await openBaseCache(run);
  const restored = cache === null ? null : await restoreBase(run, cache);
  if (restored !== null) return finishBase(run, null, restored.seed, restored.userRows);
  run.db.base = await run.server.createDatabase({ label: "base" });
  run.context.database = void 0;
  await run.use("base", run.db.base);
  const migrated = await run.phase("migrate-base", async () => {
    try {
      const result = await run.call("base", "migrateToLeaves", {}, 6e5);
      run.logger.info(`base: migrated a fresh database with the base branch's code (${result.applied.length} migrations, ${formatSeconds(result.ms)})`);
      return result.applied.length;
    } catch (error) {
      throw new RehearsalFailure(baseMigrateMessage(error, run), { cause: error });
    }
  });
  const models = await run.call("base", "models", {});
  const client = await run.client(run.db.base);
  let userRows = null;
  const seed = await run.phase("seed", async () => {
    await runTeamSeed(run, client);
    const catalog = await readCatalog(client);
    if (hasUserSeed && options.syntheticSeed) userRows = await rowsOf(client, catalog.tables);
    if (!options.syntheticSeed) return null;
    const seeded = await seedDatabase(client, catalog, { rowsPerTable: options.seedRows, hints: hintsOf(models) });
    run.logger.info(`base: seeded ${seeded.totalRows} rows into ${seeded.tables.filter((table) => table.rows > 0).length} tables`);
    return seeded;
  });
  if (cache !== null) await saveBase(run, cache, { migrated, seed, userRows });
  return finishBase(run, models, seed, userRows);
}
async function runTeamSeed(run, client) {
  const { options } = run;
  if (options.seedSql) await client.query(await readSeedSql(options.seedSql, [run.input.checkouts.base, run.input.checkouts.new]));
  if (options.seedCommand) await runSeedCommand(options.seedCommand, run.processOptions("base"), run.remaining(6e5), run.logger);
}
async function finishBase(run, known, seed, userRows) {
  await run.use("base", run.db.base);
  const models = known ?? await run.call("base", "models", {});
  const [probes, roundTrips] = [await run.call("base", "probe", {}), await run.call("base", "roundTrip", {})];
  return {
    models,
    tables: new Set(models.map((model) => model.table)),
    seed,
    userRows,
    passingProbes: passingProbes(probes),
    controlProbes: probes,
    roundTrips: roundTripControl(roundTrips),
    inconclusiveModels: probes.filter((probe) => probe.select.ok === false || probe.insert.ok === false || probe.update.ok === false).map((probe) => probe.model)
  };
}
function formatSeconds(ms) {
  return ms < 1e3 ? `${Math.round(ms)} ms` : `${(ms / 1e3).toFixed(1)} s`;
}
function hintsOf(models) {
  const hints = /* @__PURE__ */ new Map();
  for (const model of models) {
    for (const field of model.fields) {
      if (!hints.has(model.table)) hints.set(model.table, /* @__PURE__ */ new Map());
      hints.get(model.table).set(field.column, field);
    }
  }
  return hints;
}
async function rowsOf(client, tables) {
  const rows = /* @__PURE__ */ new Map();
  for (const table of tables) {
    if (!table.primaryKey || table.primaryKey.length === 0) continue;
    const result = await client.query({
      text: `SELECT ${table.primaryKey.map((column) => `"${column.replace(/"/g, '""')}"::text`).join(", ")} FROM "${table.name.replace(/"/g, '""')}" LIMIT ${USER_ROWS_CAP}`,
      rowMode: "array"
    });
    if (result.rows.length > 0) rows.set(table.name, new Set(result.rows.map((key) => JSON.stringify(key))));
  }
  return rows;
}
function baseMigrateMessage(error, run) {
  const message = error.message;
  const apiError = error instanceof DjangoBridgeError && /^(TypeError|AttributeError|ImportError|ModuleNotFoundError)$/.test(error.exception ?? "");
  const sameInterpreter = run.input.python.base.options.python === run.input.python.new.options.python;
  if (apiError && sameInterpreter) {
    return `${message}. The base branch's migrations ran with ${run.info("base").python ? `Django ${run.info("base").django}` : "the new code's Django"}: if this pull request upgrades Django, the base may use an API the new version removed; set base-python (--base-python) to an interpreter with the base branch's requirements`;
  }
  return message;
}
async function readSeedSql(path, checkouts) {
  for (const dir of checkouts) {
    try {
      return await readFile3(join3(dir, path), "utf8");
    } catch {
    }
  }
  throw new RehearsalFailure(`the seed-sql file '${path}' is neither in the base branch nor in the pull request (the path is relative to the repository root)`);
}

// src/rehearsal/contention.ts
var POLL_MS = 20;
var APPLICATION = "dmr-contention";
var NOTABLE_WAIT_MS = 50;
var BLOCKING = [...BLOCKING_MODES];
async function underContention(run, database, baseTables, work) {
  const budget = run.options.maxLockHoldMs;
  const clients = [];
  const open = async () => {
    const client = new esm_default.Client({ ...run.server.connection(database), application_name: APPLICATION });
    client.on("error", () => {
    });
    await client.connect();
    clients.push(client);
    return client;
  };
  let watcher;
  const ours = [];
  try {
    watcher = await open();
    ours.push((await watcher.query("SELECT pg_backend_pid() AS pid")).rows[0].pid);
  } catch (error) {
    await Promise.all(clients.map((client) => client.end().catch(() => {
    })));
    run.notes.push(`the running code's queries could not be played beside the migrations: ${error.message}`);
    return { result: await work(), contention: null, lockWaits: [] };
  }
  const sessions = /* @__PURE__ */ new Map();
  const session = (role) => {
    if (!sessions.has(role)) {
      sessions.set(
        role,
        open().then(async (client) => {
          const results = await client.query(`SET lock_timeout = ${Math.max(1, budget)}; SELECT pg_backend_pid() AS pid`);
          ours.push(results[1].rows[0].pid);
          return client;
        })
      );
    }
    return sessions.get(role);
  };
  const waits = /* @__PURE__ */ new Map();
  const lockWaits = /* @__PURE__ */ new Map();
  const firstColumn = /* @__PURE__ */ new Map();
  let probes = 0;
  let maxWaitMs = 0;
  let done = false;
  const busy = /* @__PURE__ */ new Set();
  const probe = (role, table, query, lock) => {
    if (busy.has(role)) return;
    busy.add(role);
    void session(role).then(async (client) => {
      probes += 1;
      const started = performance.now();
      const sent = role === "writer" ? `BEGIN; ${query}; ROLLBACK` : query;
      const timedOut = await client.query(sent).then(
        () => false,
        async (error) => {
          if (role === "writer") await client.query("ROLLBACK").catch(() => {
          });
          return error.code === "55P03";
        }
      );
      const waitedMs = Math.round(performance.now() - started);
      maxWaitMs = Math.max(maxWaitMs, waitedMs);
      const id = `${table}\0${query}`;
      if ((waitedMs >= NOTABLE_WAIT_MS || timedOut) && (waits.get(id)?.waitedMs ?? -1) < waitedMs) waits.set(id, { table, query, waitedMs, timedOut, lock });
    }).catch((error) => {
      if (!done) run.notes.push(`the running code's queries could not be played beside the migrations: ${error.message}`);
    }).finally(() => busy.delete(role));
  };
  const watch = async () => {
    while (!done) {
      const { rows } = await watcher.query(
        `SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
         WHERE l.granted AND l.locktype = 'relation' AND c.relkind IN ('r', 'p') AND l.pid <> ALL($1::int[]) AND l.mode = ANY($2::text[])
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [ours, BLOCKING]
      );
      const strongest = /* @__PURE__ */ new Map();
      for (const row of rows) {
        if (!baseTables.has(row.relname)) continue;
        const known = strongest.get(row.relname);
        if (known === void 0 || BLOCKING.indexOf(row.mode) > BLOCKING.indexOf(known)) strongest.set(row.relname, row.mode);
      }
      for (const [table, mode] of strongest) {
        if (mode === "AccessExclusiveLock") probe("reader", table, `SELECT * FROM ${quoteIdentifier(table)} LIMIT 1`, mode);
        if (!firstColumn.has(table)) firstColumn.set(table, await columnOf(watcher, table));
        const column = firstColumn.get(table);
        if (column) probe("writer", table, `UPDATE ${quoteIdentifier(table)} SET ${quoteIdentifier(column)} = ${quoteIdentifier(column)} WHERE false`, mode);
      }
      await recordLockWaits(watcher, ours, lockWaits);
      await new Promise((resolve3) => {
        pause.wake = resolve3;
        setTimeout(resolve3, POLL_MS);
      });
    }
  };
  const pause = { wake: () => {
  } };
  const watching = watch().catch((error) => {
    if (!done) run.notes.push(`watching the locks beside a migration stopped: ${error.message}`);
  });
  let result;
  try {
    result = await work();
  } finally {
    done = true;
    pause.wake();
    await watching;
    const deadline = Date.now() + budget + 1e3;
    while (busy.size > 0 && Date.now() < deadline) await new Promise((resolve3) => setTimeout(resolve3, 10));
    await Promise.allSettled([...sessions.values()]);
    await Promise.all(clients.map((client) => client.end().catch(() => {
    })));
  }
  return {
    result,
    contention: { probes, maxWaitMs, blocked: [...waits.values()].sort(worstFirst) },
    lockWaits: [...lockWaits.values()].sort((a, b) => b.waitedMs - a.waitedMs)
  };
}
function worstFirst(a, b) {
  const read = (wait) => Number(wait.query.startsWith("SELECT"));
  return Number(b.timedOut) - Number(a.timedOut) || read(b) - read(a) || b.waitedMs - a.waitedMs;
}
async function columnOf(client, table) {
  const { rows } = await client.query(
    `SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum LIMIT 1`,
    [table]
  );
  return rows[0]?.attname ?? null;
}
async function recordLockWaits(client, ours, found) {
  const { rows } = await client.query(
    `SELECT a.query, greatest(0, extract(epoch FROM clock_timestamp() - a.query_start) * 1000) AS waited,
            (SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = a.pid AND NOT l.granted LIMIT 1) AS relation,
            (SELECT json_agg(json_build_object('pid', h.pid, 'state', h.state, 'query', h.query))
               FROM pg_stat_activity h WHERE h.pid = ANY(pg_blocking_pids(a.pid))) AS holders
     FROM pg_stat_activity a
     WHERE a.datname = current_database() AND a.wait_event_type = 'Lock' AND a.pid <> ALL($1::int[])`,
    [ours]
  );
  for (const row of rows) {
    const holders = (row.holders ?? []).filter((holder) => !ours.includes(holder.pid));
    if (holders.length === 0) continue;
    const waitedMs = Math.round(Number(row.waited));
    const known = found.get(row.query);
    if (known === void 0 || known.waitedMs < waitedMs) found.set(row.query, { query: row.query, waitedMs, relation: row.relation, holders });
  }
}

// src/rehearsal/repair.ts
var q = quoteIdent;
function tableOf(error) {
  const statement = error.statement ?? "";
  const fromStatement = /ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?"([^"]+)"/i.exec(statement) ?? /\bON\s+(?:ONLY\s+)?"([^"]+)"/i.exec(statement) ?? /\bUPDATE\s+"([^"]+)"/i.exec(statement) ?? /\bINSERT\s+INTO\s+"([^"]+)"/i.exec(statement);
  if (fromStatement) return fromStatement[1];
  const fromMessage = /(?:of relation|on table|in table) "([^"]+)"/.exec(error.message);
  return fromMessage ? fromMessage[1] : null;
}
function keyColumns(message) {
  const match = /Key \((.+?)\)=\(/.exec(message);
  if (!match) return null;
  const columns = match[1].split(/,\s*/).map((part) => part.trim().replace(/^"(.*)"$/, "$1"));
  return columns.some((column) => /[()\s:]/.test(column)) ? null : columns;
}
function planRepair(error) {
  const table = tableOf(error);
  if (table === null) return null;
  const t = q(table);
  switch (error.sqlstate) {
    case "23502": {
      const column = /column "([^"]+)" of relation/.exec(error.message)?.[1] ?? /null value in column "([^"]+)"/.exec(error.message)?.[1];
      if (!column) return null;
      const c = q(column);
      const condition = `${c} IS NULL`;
      return {
        kind: "not-null",
        table,
        tables: [table],
        columns: [column],
        condition,
        fixes: [[`DELETE FROM ${t} WHERE ${condition}`], [`UPDATE ${t} SET ${c} = (SELECT ${c} FROM ${t} WHERE ${c} IS NOT NULL LIMIT 1) WHERE ${condition}`]],
        productionCheck: { sql: `SELECT count(*) FROM ${t} WHERE ${condition};`, meaning: `rows with NULL in ${table}.${column}: the migration fails if there are any` }
      };
    }
    case "23505": {
      const columns = keyColumns(error.message);
      if (!columns || columns.length === 0) return null;
      const list = columns.map(q).join(", ");
      const same = columns.map((column) => `a.${q(column)} = b.${q(column)}`).join(" AND ");
      return {
        kind: "unique",
        table,
        tables: [table],
        columns,
        condition: `(${list}) IN (SELECT ${list} FROM ${t} GROUP BY ${list} HAVING count(*) > 1)`,
        fixes: [[`DELETE FROM ${t} a USING ${t} b WHERE a.ctid > b.ctid AND ${same}`]],
        productionCheck: {
          sql: `SELECT ${list}, count(*) AS copies FROM ${t} GROUP BY ${list} HAVING count(*) > 1 ORDER BY copies DESC LIMIT 20;`,
          meaning: `values of ${table}.${columns.join(", ")} that repeat: the unique constraint cannot be built while there are any`
        }
      };
    }
    case "22001": {
      const limit = /character varying\((\d+)\)|character\((\d+)\)/.exec(error.message);
      const column = /ALTER\s+COLUMN\s+"([^"]+)"\s+TYPE/i.exec(error.statement ?? "")?.[1];
      if (!limit || !column) return null;
      const n = Number(limit[1] ?? limit[2]);
      const c = q(column);
      const condition = `char_length(${c}) > ${n}`;
      return {
        kind: "too-long",
        table,
        tables: [table],
        columns: [column],
        condition,
        fixes: [[`UPDATE ${t} SET ${c} = left(${c}, ${n}) WHERE ${condition}`], [`DELETE FROM ${t} WHERE ${condition}`]],
        productionCheck: { sql: `SELECT count(*) FROM ${t} WHERE ${condition};`, meaning: `values of ${table}.${column} longer than ${n} characters: the migration fails if there are any` }
      };
    }
    case "23514": {
      const name = /check constraint "([^"]+)"/.exec(error.message)?.[1];
      const statement = error.statement ?? "";
      const expression = name ? new RegExp(`CONSTRAINT\\s+"${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"\\s+CHECK\\s*\\((.*)\\)`, "is").exec(statement)?.[1] : void 0;
      if (!expression) return null;
      const condition = `NOT (${expression})`;
      return {
        kind: "check",
        table,
        tables: [table],
        columns: [...new Set([...expression.matchAll(/"([^"]+)"/g)].map((m) => m[1]))],
        condition,
        fixes: [[`DELETE FROM ${t} WHERE ${condition}`]],
        productionCheck: { sql: `SELECT count(*) FROM ${t} WHERE ${condition};`, meaning: `rows of ${table} that break CHECK (${expression}): the migration fails if there are any` }
      };
    }
    case "23503": {
      const columns = keyColumns(error.message);
      const references = /REFERENCES\s+"([^"]+)"\s*\(([^)]+)\)/i.exec(error.statement ?? "");
      if (!columns || !references) return null;
      const referenced = references[2].split(",").map((part) => part.trim().replace(/^"(.*)"$/, "$1"));
      if (referenced.length !== columns.length) return null;
      const r = q(references[1]);
      const join4 = columns.map((column, i) => `${r}.${q(referenced[i])} = ${t}.${q(column)}`).join(" AND ");
      const condition = `${columns.map((column) => `${t}.${q(column)} IS NOT NULL`).join(" AND ")} AND NOT EXISTS (SELECT 1 FROM ${r} WHERE ${join4})`;
      return {
        kind: "foreign-key",
        table,
        tables: [table],
        columns,
        condition,
        fixes: [[`DELETE FROM ${t} WHERE ${condition}`]],
        productionCheck: {
          sql: `SELECT count(*) FROM ${t} WHERE ${condition};`,
          meaning: `rows of ${table} pointing at no row of ${references[1]}: the constraint fails to validate if there are any`
        }
      };
    }
    default:
      return null;
  }
}
function fallbackRepairs(tables, ordinary) {
  const plans = [];
  const keep = tables.filter((table) => ordinary.has(table));
  if (keep.length > 0) {
    plans.push({
      kind: "ordinary-rows",
      table: keep.length === 1 ? keep[0] : null,
      tables: keep,
      columns: [],
      condition: null,
      fixes: [
        keep.map((table) => {
          const { primaryKey, keys } = ordinary.get(table);
          const columns = primaryKey.map((column) => `${q(column)}::text`).join(", ");
          const values = keys.map((key) => `(${key.map((value) => `'${value.replace(/'/g, "''")}'`).join(", ")})`);
          return values.length === 0 ? `DELETE FROM ${q(table)}` : `DELETE FROM ${q(table)} WHERE (${columns}) NOT IN (VALUES ${values.join(", ")})`;
        })
      ],
      productionCheck: null
    });
  }
  if (tables.length > 0) {
    plans.push({
      kind: "empty-tables",
      table: tables.length === 1 ? tables[0] : null,
      tables: [...tables],
      columns: [],
      condition: null,
      fixes: [[`TRUNCATE ${tables.map(q).join(", ")} CASCADE`]],
      productionCheck: null
    });
  }
  return plans;
}
async function executeRepair(client, plan, primaryKey) {
  const none = (counts = {}) => ({ rows: null, sql: [], offendingKeys: null, offendingRows: null, tableRows: null, ...counts });
  await client.query("BEGIN");
  try {
    let offendingRows = null;
    let offendingKeys = null;
    let tableRows = null;
    await client.query("SAVEPOINT dmr_count");
    try {
      if (plan.table !== null) tableRows = Number((await client.query(`SELECT count(*) AS n FROM ${q(plan.table)}`)).rows[0].n);
      if (plan.condition !== null && plan.table !== null) {
        const target = q(plan.table);
        offendingRows = Number((await client.query(`SELECT count(*) AS n FROM ${target} WHERE ${plan.condition}`)).rows[0].n);
        if (primaryKey && primaryKey.length > 0) {
          const result = await client.query({
            text: `SELECT ${primaryKey.map((column) => `${q(column)}::text`).join(", ")} FROM ${target} WHERE ${plan.condition} LIMIT 10000`,
            rowMode: "array"
          });
          offendingKeys = result.rows;
        }
      }
      await client.query("RELEASE SAVEPOINT dmr_count");
    } catch {
      await client.query("ROLLBACK");
      return none();
    }
    if (plan.condition !== null && offendingRows === 0) {
      await client.query("ROLLBACK");
      return none({ offendingRows, tableRows });
    }
    let emptied = 0;
    if (plan.kind === "empty-tables") {
      await client.query("SAVEPOINT dmr_count_all");
      try {
        for (const table of plan.tables) emptied += Number((await client.query(`SELECT count(*) AS n FROM ${q(table)}`)).rows[0].n);
        await client.query("RELEASE SAVEPOINT dmr_count_all");
      } catch {
        await client.query("ROLLBACK TO SAVEPOINT dmr_count_all");
        emptied = 0;
      }
    }
    for (const fix of plan.fixes) {
      await client.query("SAVEPOINT dmr_repair");
      try {
        let rows = emptied;
        for (const statement of fix) rows += (await client.query(statement)).rowCount ?? 0;
        await client.query("RELEASE SAVEPOINT dmr_repair");
        await client.query("COMMIT");
        return { rows, sql: fix, offendingKeys, offendingRows, tableRows };
      } catch {
        await client.query("ROLLBACK TO SAVEPOINT dmr_repair");
      }
    }
    await client.query("ROLLBACK");
    return none({ offendingKeys, offendingRows, tableRows });
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {
    });
    throw error;
  }
}

// src/rehearsal/schema.ts
var IGNORED_TABLES = /* @__PURE__ */ new Set(["django_migrations"]);
var CONSTRAINT_TYPES = {
  p: "primary key",
  u: "unique",
  f: "foreign key",
  c: "check",
  x: "exclusion",
  t: "trigger"
};
async function takeSchema(client, schema = "public") {
  const tableRows = (await client.query(
    `SELECT c.oid::int AS oid, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
    [schema]
  )).rows;
  const columnRows = (await client.query(
    `SELECT a.attrelid::int AS relid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
              pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity AS identity, a.attgenerated AS generated
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum`,
    [schema]
  )).rows;
  const indexRows = (await client.query(
    `SELECT i.indrelid::int AS relid, ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition,
              replace(pg_get_indexdef(i.indexrelid), 'INDEX ' || quote_ident(ic.relname) || ' ON ', 'INDEX ON ') AS shape
         FROM pg_index i
         JOIN pg_class ic ON ic.oid = i.indexrelid
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1
          AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))
        ORDER BY ic.relname`,
    [schema]
  )).rows;
  const constraintRows = (await client.query(
    `SELECT con.conrelid::int AS relid, con.conname AS name, con.contype AS type, pg_get_constraintdef(con.oid) AS definition
         FROM pg_constraint con
         JOIN pg_class c ON c.oid = con.conrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND con.contype <> 'n'
        ORDER BY con.conname`,
    [schema]
  )).rows;
  const byOid = /* @__PURE__ */ new Map();
  for (const row of tableRows) {
    if (IGNORED_TABLES.has(row.name)) continue;
    byOid.set(row.oid, { name: row.name, columns: [], indexes: [], constraints: [] });
  }
  for (const row of columnRows) {
    const table = byOid.get(row.relid);
    if (!table) continue;
    let defaultText = row.default;
    if (row.identity === "a") defaultText = "generated always as identity";
    else if (row.identity === "d") defaultText = "generated by default as identity";
    else if (row.generated === "s") defaultText = `generated always as (${row.default ?? ""}) stored`;
    table.columns.push({ name: row.name, position: table.columns.length + 1, type: row.type, nullable: !row.notnull, default: defaultText });
  }
  for (const row of indexRows) byOid.get(row.relid)?.indexes.push({ name: row.name, definition: row.definition, shape: row.shape });
  for (const row of constraintRows) {
    byOid.get(row.relid)?.constraints.push({ name: row.name, type: CONSTRAINT_TYPES[row.type] ?? "other", definition: row.definition });
  }
  return { schema, tables: new Map([...byOid.values()].map((table) => [table.name, table])) };
}
function pairByShape(before, after, shape) {
  const afterNames = new Set(after.map((item) => item.name));
  const beforeNames = new Set(before.map((item) => item.name));
  const missing = before.filter((item) => !afterNames.has(item.name));
  const added = after.filter((item) => !beforeNames.has(item.name));
  const unmatchedAdded = [...added];
  const unmatchedMissing = [];
  for (const item of missing) {
    const twin = unmatchedAdded.findIndex((candidate) => shape(candidate) === shape(item));
    if (twin >= 0) unmatchedAdded.splice(twin, 1);
    else unmatchedMissing.push(item);
  }
  return { missing: unmatchedMissing, added: unmatchedAdded };
}
function readdedColumns(before, after) {
  const afterNames = new Set(after.map((column) => column.name));
  const beforeNames = new Set(before.map((column) => column.name));
  const a = before.map((column) => column.name).filter((name) => afterNames.has(name));
  const b = after.map((column) => column.name).filter((name) => beforeNames.has(name));
  for (let k = 0; k <= b.length; k++) {
    const tail = new Set(b.slice(b.length - k));
    const restA = a.filter((name) => !tail.has(name));
    const restB = b.slice(0, b.length - k);
    if (restA.every((name, i) => name === restB[i])) return tail;
  }
  return /* @__PURE__ */ new Set();
}
function describeDefault(value) {
  return value === null ? "no default" : `default ${value}`;
}
function diffSchemas(before, after) {
  const differences = [];
  const names2 = [.../* @__PURE__ */ new Set([...before.tables.keys(), ...after.tables.keys()])].sort();
  for (const tableName of names2) {
    if (IGNORED_TABLES.has(tableName)) continue;
    const old = before.tables.get(tableName);
    const now = after.tables.get(tableName);
    if (!now) {
      differences.push({ kind: "table-missing", table: tableName, message: `table ${tableName} no longer exists` });
      continue;
    }
    if (!old) {
      differences.push({ kind: "table-added", table: tableName, message: `table ${tableName} is new` });
      continue;
    }
    const oldColumns = new Map(old.columns.map((column) => [column.name, column]));
    const newColumns = new Map(now.columns.map((column) => [column.name, column]));
    const moved = readdedColumns(old.columns, now.columns);
    for (const column of old.columns) {
      if (!newColumns.has(column.name)) {
        differences.push({ kind: "column-missing", table: tableName, name: column.name, before: column.type, message: `column ${tableName}.${column.name} no longer exists` });
      }
    }
    for (const column of now.columns) {
      const label = `column ${tableName}.${column.name}`;
      const was = oldColumns.get(column.name);
      if (!was) {
        differences.push({ kind: "column-added", table: tableName, name: column.name, after: column.type, message: `${label} is new` });
        continue;
      }
      if (moved.has(column.name)) {
        differences.push({
          kind: "column-added",
          table: tableName,
          name: column.name,
          before: `position ${was.position}`,
          after: `position ${column.position}`,
          message: `${label} was dropped and added again (it moved from position ${was.position} to ${column.position})`
        });
      }
      if (was.type !== column.type) {
        differences.push({ kind: "column-type", table: tableName, name: column.name, before: was.type, after: column.type, message: `${label} is ${column.type} now; it was ${was.type}` });
      }
      if (was.nullable !== column.nullable) {
        differences.push({
          kind: "column-nullability",
          table: tableName,
          name: column.name,
          before: was.nullable ? "NULL" : "NOT NULL",
          after: column.nullable ? "NULL" : "NOT NULL",
          message: column.nullable ? `${label} is nullable now; it was NOT NULL` : `${label} is NOT NULL now; it was nullable`
        });
      }
      if (was.default !== column.default) {
        const difference = {
          kind: "column-default",
          table: tableName,
          name: column.name,
          message: `${label} has ${describeDefault(column.default)} now; it had ${describeDefault(was.default)}`
        };
        if (was.default !== null) difference.before = was.default;
        if (column.default !== null) difference.after = column.default;
        differences.push(difference);
      }
    }
    const oldIndexes = new Map(old.indexes.map((index) => [index.name, index]));
    for (const index of now.indexes) {
      const was = oldIndexes.get(index.name);
      if (was && was.shape !== index.shape) {
        differences.push({
          kind: "index-changed",
          table: tableName,
          name: index.name,
          before: was.definition,
          after: index.definition,
          message: `index ${index.name} on ${tableName} is defined differently: ${index.definition}; it was ${was.definition}`
        });
      }
    }
    const indexes = pairByShape(old.indexes, now.indexes, (index) => index.shape);
    for (const index of indexes.missing) {
      differences.push({ kind: "index-missing", table: tableName, name: index.name, before: index.definition, message: `index ${index.name} on ${tableName} no longer exists (${index.definition})` });
    }
    for (const index of indexes.added) {
      differences.push({ kind: "index-added", table: tableName, name: index.name, after: index.definition, message: `index ${index.name} on ${tableName} is new (${index.definition})` });
    }
    const oldConstraints = new Map(old.constraints.map((constraint) => [constraint.name, constraint]));
    for (const constraint of now.constraints) {
      const was = oldConstraints.get(constraint.name);
      if (was && (was.definition !== constraint.definition || was.type !== constraint.type)) {
        differences.push({
          kind: "constraint-changed",
          table: tableName,
          name: constraint.name,
          before: was.definition,
          after: constraint.definition,
          message: `${constraint.type} constraint ${constraint.name} on ${tableName} is ${constraint.definition} now; it was ${was.definition}`
        });
      }
    }
    const constraints = pairByShape(old.constraints, now.constraints, (constraint) => `${constraint.type}\0${constraint.definition}`);
    for (const constraint of constraints.missing) {
      differences.push({
        kind: "constraint-missing",
        table: tableName,
        name: constraint.name,
        before: constraint.definition,
        message: `${constraint.type} constraint ${constraint.name} on ${tableName} no longer exists (${constraint.definition})`
      });
    }
    for (const constraint of constraints.added) {
      differences.push({
        kind: "constraint-added",
        table: tableName,
        name: constraint.name,
        after: constraint.definition,
        message: `${constraint.type} constraint ${constraint.name} on ${tableName} is new (${constraint.definition})`
      });
    }
  }
  return differences;
}

// src/rehearsal/snapshot.ts
var SNAPSHOT_ROW_CAP = 5e3;
var IGNORED_TABLES2 = /* @__PURE__ */ new Set(["django_migrations"]);
var EXAMPLES = 5;
var LOST_KEYS = 20;
async function takeSnapshot(client, options = {}) {
  const source = options.catalog ?? await readCatalog(client);
  const sampleRows = Math.max(1, options.sampleRows ?? SNAPSHOT_ROW_CAP);
  const tables = /* @__PURE__ */ new Map();
  const read = source.tables.filter((table) => !IGNORED_TABLES2.has(table.name) && (options.only === void 0 || options.only.has(table.name)));
  for (let at = 0; at < read.length; at += TABLES_PER_BATCH) {
    const batch = read.slice(at, at + TABLES_PER_BATCH).map((table) => planTable(table, sampleRows));
    const summaries = await queryBatch(client, batch.map((plan) => plan.summary));
    const snapshots = batch.map((plan, i) => summarize(plan, summaries[i].rows[0]));
    const withRows = batch.map((plan, i) => ({ plan, snapshot: snapshots[i] })).filter(({ plan }) => plan.pk !== null && plan.columns.length > 0);
    const bitsOf = (snapshot) => snapshot.rowCount > sampleRows ? Math.ceil(Math.log2(snapshot.rowCount / sampleRows)) : 0;
    const rows = await queryBatch(
      client,
      withRows.map(({ plan, snapshot }) => rowsQuery(plan, bitsOf(snapshot), sampleRows)),
      "array"
    );
    withRows.forEach(({ plan, snapshot }, i) => keepRows(snapshot, plan, rows[i].rows, bitsOf(snapshot), sampleRows));
    for (const snapshot of snapshots) tables.set(snapshot.table, snapshot);
  }
  return { schema: source.schema, tables };
}
var TABLES_PER_BATCH = 25;
function planTable(table, sampleRows) {
  const target = qualifiedName(table.schema, table.name);
  const pk = table.primaryKey && table.primaryKey.length > 0 ? table.primaryKey : null;
  const columns = table.columns;
  const pkOrder = pk ? pk.map(quoteIdent).join(", ") : null;
  const counts = columns.map((column, i) => `count(${quoteIdent(column.name)}) AS n${i}`);
  const checksums = columns.map((column, i) => {
    const text = `${quoteIdent(column.name)}::text`;
    return `md5(coalesce(string_agg(quote_nullable(${text}), ',' ORDER BY ${pkOrder ?? text}), '')) AS s${i}`;
  });
  const first = `SELECT * FROM ${target} AS t ORDER BY ${pkOrder ?? "t::text"} LIMIT ${sampleRows}`;
  const summary = `SELECT * FROM (SELECT count(*) AS total${counts.length > 0 ? `, ${counts.join(", ")}` : ""} FROM ${target}) AS a` + (checksums.length > 0 ? `, (SELECT ${checksums.join(", ")} FROM (${first}) AS f) AS b` : "");
  return { name: table.name, target, pk, pkOrder, columns, summary };
}
function summarize(plan, row) {
  const snapshot = {
    table: plan.name,
    primaryKey: plan.pk,
    rowCount: Number(row.total),
    columns: plan.columns.map((column, i) => ({ name: column.name, dataType: column.dataType, checksum: row[`s${i}`], nonNull: Number(row[`n${i}`]) })),
    rows: null
  };
  if (!plan.pk) snapshot.rowsOmitted = "no-primary-key";
  return snapshot;
}
function rowsQuery(plan, bits, sampleRows) {
  const hash = `hashtext(ROW(${plan.pkOrder})::text)`;
  return `SELECT ${plan.columns.map((column) => `${quoteIdent(column.name)}::text`).join(", ")}, (${hash} & ${SAMPLE_MASK})::text FROM ${plan.target}${bits > 0 ? ` WHERE ${hash} & ${2 ** bits - 1} = 0` : ""} ORDER BY ${plan.pkOrder} LIMIT ${sampleRows * 4 + 1}`;
}
function keepRows(snapshot, plan, read, bits, sampleRows) {
  if (read.length > sampleRows * 4) {
    snapshot.rowsOmitted = "over-cap";
    return;
  }
  const keyIndexes = plan.pk.map((name) => plan.columns.findIndex((column) => column.name === name));
  const rows = /* @__PURE__ */ new Map();
  const hashes = /* @__PURE__ */ new Map();
  for (const values of read) {
    const key = JSON.stringify(keyIndexes.map((index) => values[index] ?? null));
    hashes.set(key, Number(values[plan.columns.length]));
    rows.set(key, values.slice(0, plan.columns.length));
  }
  snapshot.rows = rows;
  snapshot.sample = { bits, hashes };
  if (bits > 0) snapshot.rowsOmitted = "sampled";
}
async function queryBatch(client, statements, rowMode) {
  if (statements.length === 0) return [];
  const result = await client.query({ text: statements.join(";\n"), ...rowMode ? { rowMode } : {} });
  return Array.isArray(result) ? result : [result];
}
var SAMPLE_MASK = 2 ** 20 - 1;
function incompleteReason(before, after) {
  if (!before.primaryKey) return "the table has no primary key: only row counts and checksums were compared";
  if (!after.primaryKey) return "the table has no primary key any more: only row counts and checksums were compared";
  if (before.primaryKey.join("\0") !== after.primaryKey.join("\0")) {
    return `the primary key changed (${before.primaryKey.join(", ")} -> ${after.primaryKey.join(", ")}): only row counts and checksums were compared`;
  }
  if (before.rowsOmitted === "over-cap" || after.rowsOmitted === "over-cap") {
    return "too many rows were sampled: only row counts and checksums were compared";
  }
  if (!before.rows || !after.rows) return "the rows were not read";
  if (before.rowsOmitted === "sampled" || after.rowsOmitted === "sampled") {
    return `${Math.max(before.rowCount, after.rowCount)} rows: a sample of them (sample-rows) was compared row by row, the rest by row counts`;
  }
  return null;
}
function commonSample(old, current) {
  if (!old.rows || !current.rows || !old.sample || !current.sample) return null;
  const bits = Math.max(old.sample.bits, current.sample.bits);
  const mask = 2 ** bits - 1;
  const keep = (snapshot) => snapshot.sample.bits === bits ? snapshot.rows : new Map([...snapshot.rows].filter(([key]) => (snapshot.sample.hashes.get(key) & mask) === 0));
  return [keep(old), keep(current)];
}
function matchColumns(old, current) {
  const match = /* @__PURE__ */ new Map();
  const afterIndex = new Map(current.columns.map((column, i) => [column.name, i]));
  const oldNames = new Set(old.columns.map((column) => column.name));
  const claimed = /* @__PURE__ */ new Set();
  for (const column of old.columns) {
    const index = afterIndex.get(column.name);
    if (index !== void 0) {
      match.set(column.name, index);
      claimed.add(index);
    }
  }
  for (const column of old.columns) {
    if (match.has(column.name) || column.nonNull === 0) continue;
    const index = current.columns.findIndex(
      (candidate, i) => !claimed.has(i) && !oldNames.has(candidate.name) && candidate.checksum === column.checksum && candidate.nonNull === column.nonNull
    );
    if (index >= 0) {
      match.set(column.name, index);
      claimed.add(index);
    }
  }
  return match;
}
function renamedTable(old, before, after, claimed) {
  if (old.rowCount === 0) return void 0;
  for (const [name, candidate] of after.tables) {
    if (before.tables.has(name) || claimed.has(name) || candidate.rowCount !== old.rowCount) continue;
    const matched = matchColumns(old, candidate);
    const valued = old.columns.filter((column) => column.nonNull > 0);
    if (valued.length === 0) continue;
    const same = valued.every((column) => {
      const index = matched.get(column.name);
      return index !== void 0 && candidate.columns[index].checksum === column.checksum;
    });
    if (same) return candidate;
  }
  return void 0;
}
function vanishedTable(name, old) {
  return {
    table: name,
    vanished: true,
    rowsBefore: old.rowCount,
    rowsAfter: 0,
    rowsLost: old.rowCount,
    lostKeys: [],
    complete: true,
    columns: old.columns.map((column) => ({
      column: column.name,
      vanished: true,
      nonNullBefore: column.nonNull,
      valuesChanged: 0,
      checksumChanged: true,
      typeBefore: column.dataType,
      typeAfter: null,
      examples: []
    }))
  };
}
function compareTable(name, old, current) {
  const reason = incompleteReason(old, current);
  const complete = reason === null;
  const sampled = complete ? null : samePrimaryKey(old, current) ? commonSample(old, current) : null;
  const comparison = {
    table: name,
    vanished: false,
    rowsBefore: old.rowCount,
    rowsAfter: current.rowCount,
    rowsLost: complete ? 0 : Math.max(0, old.rowCount - current.rowCount),
    lostKeys: [],
    complete,
    columns: []
  };
  if (current.table !== name) comparison.renamedTo = current.table;
  if (reason) comparison.reason = reason;
  const matched = matchColumns(old, current);
  const columns = old.columns.map((column) => {
    const index = matched.get(column.name);
    const now = index === void 0 ? void 0 : current.columns[index];
    const entry = {
      column: column.name,
      vanished: now === void 0,
      nonNullBefore: column.nonNull,
      valuesChanged: 0,
      checksumChanged: now === void 0 || now.checksum !== column.checksum,
      typeBefore: column.dataType,
      typeAfter: now?.dataType ?? null,
      examples: []
    };
    if (now && now.name !== column.name) entry.renamedTo = now.name;
    return entry;
  });
  const compared = complete ? [old.rows, current.rows] : sampled;
  if (compared !== null) {
    const [oldRows, currentRows] = compared;
    const pkIndexes = old.primaryKey.map((key) => old.columns.findIndex((column) => column.name === key));
    const pairs = old.columns.map((column, i) => [i, matched.get(column.name)]);
    let sampleLost = 0;
    for (const [key, values] of oldRows) {
      const now = currentRows.get(key);
      if (!now) {
        if (complete) comparison.rowsLost++;
        else sampleLost++;
        if (comparison.lostKeys.length < LOST_KEYS) comparison.lostKeys.push(pkIndexes.map((i) => values[i] ?? ""));
        continue;
      }
      for (const [i, j] of pairs) {
        if (j === void 0) continue;
        const was = values[i] ?? null;
        const is = now[j] ?? null;
        if (is === was) continue;
        const entry = columns[i];
        entry.valuesChanged++;
        if (entry.examples.length < EXAMPLES) entry.examples.push({ key: pkIndexes.map((k) => values[k] ?? ""), before: was ?? "NULL", after: is });
      }
    }
    if (!complete) comparison.rowsLost = Math.max(comparison.rowsLost, sampleLost);
  }
  comparison.columns = columns;
  return comparison;
}
function samePrimaryKey(old, current) {
  return old.primaryKey !== null && current.primaryKey !== null && old.primaryKey.join("\0") === current.primaryKey.join("\0");
}
function restrictSnapshot(snapshot, only) {
  return { schema: snapshot.schema, tables: new Map([...snapshot.tables].filter(([name]) => only.has(name))) };
}
function compareData(before, after) {
  const tables = [];
  const claimed = /* @__PURE__ */ new Set();
  for (const [name, old] of before.tables) {
    let current = after.tables.get(name);
    if (!current) {
      current = renamedTable(old, before, after, claimed);
      if (current) claimed.add(current.table);
    }
    tables.push(current ? compareTable(name, old, current) : vanishedTable(name, old));
  }
  return {
    tables,
    complete: tables.every((table) => table.complete),
    rowsLost: tables.reduce((sum, table) => sum + table.rowsLost, 0),
    valuesChanged: tables.reduce(
      (sum, table) => sum + (table.vanished ? 0 : table.columns.reduce((inner, column) => inner + (column.vanished ? column.nonNullBefore : column.valuesChanged), 0)),
      0
    )
  };
}

// src/rehearsal/cycle.ts
var MAX_REPAIRS = 4;
function splitKey(key) {
  const dot = key.indexOf(".");
  return [key.slice(0, dot), key.slice(dot + 1)];
}
async function rehearseMigration(run, entry, before, state) {
  const current = await applyWithRepairs(run, entry, before, state.base);
  if (entry.status !== "applied") {
    entry.oldCode.reason = "it did not apply";
    entry.reverseSkipped = "not reversed: it did not apply";
    entry.reapplySkipped = "not re-applied: it did not apply";
    entry.dataLossSkipped = "it did not apply";
    return current;
  }
  const statements = entry.forward.statements;
  await probeOldCode(run, entry, statements, state);
  const client = await run.client(run.db.run);
  const after = { data: await takeSnapshot(client, { sampleRows: run.options.sampleRows }), schema: await takeSchema(client) };
  const forward = compareData(current.data, after.data);
  entry.dataLoss.push(...lossEntries(forward, "forward", statements, { base: state.baseData }));
  await reverseOnCopy(run, entry, current, after, state);
  if (entry.reverse?.error) {
    const dropped = new Set(entry.dataLoss.map((loss) => `${loss.table}.${loss.column ?? ""}`));
    const changed = lossEntries(forward, "forward", statements, { base: state.baseData, permanent: true }).filter((loss) => !dropped.has(`${loss.table}.${loss.column ?? ""}`));
    entry.dataLoss.push(...changed);
    entry.dataLossMeasured = true;
    delete entry.dataLossSkipped;
  }
  return after;
}
async function applyWithRepairs(run, entry, before, base) {
  const [app, name] = splitKey(entry.key);
  const nonAtomic = run.input.nonAtomic.has(entry.key) || run.info("new").engine !== "django.db.backends.postgresql";
  const tried = /* @__PURE__ */ new Set();
  let current = before;
  entry.firstBasis = run.basis;
  entry.basis = run.basis;
  for (let attempt = 0; ; attempt++) {
    const checkpoint = nonAtomic ? await run.copy(run.db.run, "checkpoint") : null;
    let result;
    try {
      const watched = await underContentionIfAsked(run, run.db.run, base, () => run.call("new", "apply", { app, name }, run.migrationBudget()));
      result = watched.result;
      entry.contention = watched.contention;
      entry.lockWaits = watched.lockWaits;
    } catch (error) {
      if (checkpoint) await run.drop(checkpoint);
      if (error instanceof RehearsalTimeout) throw error;
      await endOtherSessions(run);
      entry.status = "failed";
      entry.forward = failedRun(error);
      entry.firstRun ??= entry.forward;
      return current;
    }
    entry.firstRun ??= result;
    entry.forward = result;
    if (result.error === null) {
      if (checkpoint) await run.drop(checkpoint);
      entry.status = "applied";
      return current;
    }
    if (checkpoint) {
      if (result.statements.some((statement) => !statement.error)) await run.restore(checkpoint);
      else await run.drop(checkpoint);
    }
    if (attempt >= MAX_REPAIRS || !failedOnData(result)) {
      entry.status = "failed";
      return current;
    }
    const repair = await repairRows(run, result, tried, base).catch((error) => {
      entry.notes.push(`repairing the rows it failed on did not work: ${error.message}`);
      return null;
    });
    if (repair === null) {
      entry.status = "failed";
      return current;
    }
    entry.repairs.push(repair);
    entry.basis = run.basis === "template-database" ? "template-database" : "conforming-seed";
    const client = await run.client(run.db.run);
    current = { data: await takeSnapshot(client, { sampleRows: run.options.sampleRows }), schema: current.schema };
  }
}
function failedOnData(run) {
  const error = run.error;
  if (error.sqlstate !== null) return /^2[23]/.test(error.sqlstate);
  const operation = error.operationIndex === null ? void 0 : run.operations[error.operationIndex];
  return operation === "RunPython" && error.exception !== "IrreversibleError";
}
async function repairRows(run, failed, tried, base) {
  const error = failed.error;
  const client = await run.client(run.db.run);
  const catalog = await readCatalog(client);
  const names2 = new Set(catalog.tables.map((table) => table.name));
  const touched = touchedTables(failed.statements, names2);
  const targeted = planRepair(error);
  if (targeted?.table) touched.add(targeted.table);
  const ordinary = new Map(
    (base.seed?.tables ?? []).filter((table) => table.primaryKey && table.ordinaryKeys && names2.has(table.table)).map((table) => [table.table, { primaryKey: table.primaryKey, keys: table.ordinaryKeys }])
  );
  const plans = [targeted, ...fallbackRepairs([...touched].sort(), ordinary)].filter((plan) => plan !== null);
  for (const plan of plans) {
    const id = `${plan.kind}:${plan.tables.join(",")}:${plan.columns.join(",")}`;
    if (tried.has(id)) continue;
    tried.add(id);
    const primaryKey = catalog.tables.find((table) => table.name === plan.table)?.primaryKey ?? null;
    const outcome = await executeRepair(client, plan, primaryKey);
    if (outcome.rows === null) continue;
    return {
      cause: error,
      kind: plan.kind,
      table: plan.table,
      tables: plan.tables,
      columns: plan.columns,
      rows: outcome.rows,
      sql: outcome.sql,
      productionCheck: plan.productionCheck,
      offendingRows: outcome.offendingRows,
      tableRows: outcome.tableRows,
      syntheticOnly: syntheticOnly(run, base, plan, outcome.offendingKeys)
    };
  }
  return null;
}
function syntheticOnly(run, base, plan, keys) {
  if (!run.options.syntheticSeed) return false;
  if (base.userRows === null) return true;
  if (keys === null || plan.table === null) return false;
  const team = base.userRows.get(plan.table);
  return team === void 0 || keys.every((key) => !team.has(JSON.stringify(key)));
}
async function probeOldCode(run, entry, statements, state) {
  const touched = touchedTables(statements, state.base.tables);
  entry.oldCode.probed = true;
  if (touched.size === 0) return;
  try {
    await run.use("base", run.db.run);
    const tables = [...touched].sort();
    const results = await run.call("base", "probe", { tables });
    const probes = newFailures(results, state.base.passingProbes);
    entry.oldCode.unanswered = unansweredProbes(results, state.base.controlProbes, touched);
    const trips = roundTripFailures(await run.call("base", "roundTrip", { tables }), state.base.roundTrips);
    const all = [...probes, ...trips];
    const fresh = all.filter((failure) => !state.blamedOld.has(failureId(failure)));
    entry.oldCode.masked = all.filter((failure) => state.blamedOld.has(failureId(failure))).map(failureId);
    fresh.forEach((failure) => state.blamedOld.add(failureId(failure)));
    entry.oldCode.failures = attributeFailures(fresh, statements);
  } catch (error) {
    if (error instanceof RehearsalTimeout) throw error;
    entry.oldCode.probed = false;
    entry.oldCode.reason = `the base code's probes could not run: ${error.message}`;
    entry.notes.push(entry.oldCode.reason);
  }
}
var failureId = (failure) => `${failure.model}:${failure.probe}`;
async function reverseOnCopy(run, entry, before, after, state) {
  const [app, name] = splitKey(entry.key);
  const copy = await run.copy(run.db.run, "reverse");
  try {
    await run.use("new", copy);
    const written = touchedTables(entry.forward.statements, new Set(after.data.tables.keys()));
    if (written.size > 0) {
      const outcomes = await run.call("new", "writeRows", { tables: [...written].sort() });
      for (const outcome of outcomes.filter((row) => row.ok === false)) entry.notes.push(`the new code could not write a ${outcome.model} before the reverse: ${headline(outcome.message ?? "failed")}`);
    }
    const watched = await underContentionIfAsked(run, copy, state.base, () => run.call("new", "unapply", { app, name }, run.migrationBudget()));
    entry.reverse = watched.result;
    entry.reverseContention = watched.contention;
    entry.lockWaits.push(...watched.lockWaits);
    if (entry.reverse.error !== null) {
      entry.reapplySkipped = "not re-applied: the reverse failed";
      entry.dataLossSkipped = "the reverse failed, so the round trip could not be compared";
      return;
    }
    const client = await run.client(copy);
    const both = [...entry.forward.statements, ...entry.reverse.statements];
    const tables = touchedTables(both, /* @__PURE__ */ new Set([...before.data.tables.keys(), ...after.data.tables.keys()]));
    const restored = await takeSnapshot(client, { only: tables, sampleRows: run.options.sampleRows });
    entry.dataLoss.push(...lossEntries(compareData(restrictSnapshot(before.data, tables), restored), "round-trip", both, { base: state.baseData }));
    entry.dataLossMeasured = true;
    entry.schemaDrift = diffSchemas(before.schema, await takeSchema(client)).filter(
      (difference) => !(difference.kind === "column-added" && String(difference.before ?? "").startsWith("position"))
    );
    entry.reapply = await run.call("new", "apply", { app, name }, run.migrationBudget());
  } catch (error) {
    if (error instanceof RehearsalTimeout) throw error;
    const reason = `the reverse could not be rehearsed: ${error.message}`;
    entry.reverseSkipped ??= reason;
    entry.reapplySkipped ??= reason;
    entry.dataLossSkipped ??= reason;
    entry.notes.push(reason);
  } finally {
    await run.use("new", run.db.run);
    await run.drop(copy);
  }
}
function failedRun(error) {
  const failure = { exception: error.name, message: error.message, sqlstate: null, statement: null, operationIndex: null };
  return { statements: [], droppedStatements: 0, error: failure, ms: 0, atomic: true, operations: [], commitMs: null, endMs: 0 };
}
async function endOtherSessions(run) {
  const client = await run.client(run.db.run);
  await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()").catch(() => {
  });
  await run.closePythonConnections().catch(() => {
  });
}
async function underContentionIfAsked(run, database, base, work) {
  if (!run.options.contention) return { result: await work(), contention: null, lockWaits: [] };
  return underContention(run, database, base.tables, work);
}

// src/rehearsal/throughput.ts
var SAMPLE_ROWS = 25e4;
var WORK = {
  // Validating a new CHECK reads every row under the lock, as SET NOT NULL and a FOREIGN KEY do.
  scan: { sql: "ALTER TABLE sample ADD CONSTRAINT sample_n_check CHECK (n >= 0)", indexes: false },
  "index-build": { sql: "CREATE INDEX sample_n ON sample (n)", indexes: false },
  // A type change writes the table and every index again.
  rewrite: { sql: "ALTER TABLE sample ALTER COLUMN n TYPE bigint", indexes: true }
};
async function measureThroughput(run) {
  const database = await run.server.createDatabase({ label: "throughput" });
  try {
    const client = await run.client(database);
    await client.query("SET statement_timeout = 120000");
    await client.query("CREATE TABLE sample (id bigserial PRIMARY KEY, n integer NOT NULL, label text NOT NULL, at timestamptz NOT NULL)");
    await client.query(`INSERT INTO sample (n, label, at) SELECT i, md5(i::text), now() - i * interval '1 minute' FROM generate_series(1, ${SAMPLE_ROWS}) AS i`);
    await client.query("VACUUM ANALYZE sample");
    const measured = [];
    for (const kind of ["scan", "index-build", "rewrite"]) {
      const { rows } = await client.query(
        "SELECT pg_table_size('sample') AS table, pg_indexes_size('sample') AS indexes"
      );
      const sampleBytes = Number(rows[0].table) + (WORK[kind].indexes ? Number(rows[0].indexes) : 0);
      const started = performance.now();
      await client.query(WORK[kind].sql);
      const sampleMs = Math.max(1, performance.now() - started);
      measured.push({ kind, bytesPerMs: Math.round(sampleBytes / sampleMs), sampleBytes, sampleMs: Math.round(sampleMs) });
    }
    return measured;
  } finally {
    await run.drop(database);
  }
}

// src/rehearsal/rehearse.ts
async function rehearse(input) {
  const started = Date.now();
  const { options } = input;
  const { server, ms } = await (input.server ?? startServer(options, input.resources, input.logger));
  const run = new Run(input, server, started);
  run.timings.postgres = ms;
  const evidence = new Map(input.added.map((key) => [key, emptyEvidence(key)]));
  const base = await prepareBase(run);
  const baseClient = await run.client(run.db.base);
  let before = await run.phase("snapshot", async () => ({ data: await takeSnapshot(baseClient, { sampleRows: options.sampleRows }), schema: await takeSchema(baseClient) }));
  const baseTables = new Set(before.schema.tables.keys());
  run.db.run = await run.copy(run.db.base, "run");
  run.db.oldSchema = await run.copy(run.db.base, "oldschema");
  run.context.database = run.db.run;
  await Promise.all([run.use("new", run.db.run), run.use("base", run.db.run)]);
  const order = planned2(await run.call("new", "plan", {}), input.added, evidence);
  const baseData = new Set([...before.data.tables.values()].flatMap((table) => [table.table, ...table.columns.map((column) => `${table.table}.${column.name}`)]));
  const state = { base, baseData, blamedOld: /* @__PURE__ */ new Set() };
  await run.phase("forward", async () => {
    const failed = /* @__PURE__ */ new Set();
    for (const [position, key] of order.entries()) {
      const entry = evidence.get(key) ?? emptyEvidence(key);
      evidence.set(key, entry);
      const blocker = [...input.ancestors.get(key) ?? []].find((ancestor) => failed.has(ancestor));
      if (blocker !== void 0) {
        notRehearsed(entry, `it depends on ${blocker}, which did not apply`);
        failed.add(key);
        continue;
      }
      try {
        run.logger.info(`${key}: running (${position + 1} of ${order.length})`);
        before = await rehearseMigration(run, entry, before, state);
        run.logger.info(`${key}: ${outcomeOf(entry)}`);
      } catch (error) {
        if (!(error instanceof RehearsalTimeout)) throw error;
        run.notes.push(error.message);
        for (const rest of order.slice(position)) {
          const cut = evidence.get(rest) ?? emptyEvidence(rest);
          if (cut.status === "not-rehearsed" || rest === key) notRehearsed(cut, `${error.message} before it could run`);
          evidence.set(rest, cut);
        }
        break;
      }
      if (entry.status !== "applied") failed.add(key);
    }
  });
  await run.phase("rollback", () => rollBackPullRequest(run, order, evidence).catch((error) => {
    if (error instanceof RehearsalTimeout) run.notes.push(error.message);
    else run.notes.push(`rolling back the whole pull request could not be rehearsed: ${error.message}`);
  }));
  await run.phase("new-code-probes", () => probeNewCodeOnOldSchema(run, evidence, base).catch((error) => {
    run.notes.push(`the new code's probes on the old schema could not run: ${error.message}`);
  }));
  const sizes = input.tableSizes === void 0 ? void 0 : await run.phase("throughput", () => measureThroughput(run)).then(
    (throughput) => ({ source: options.tableStats ?? "", tables: input.tableSizes.size, throughput, maxLockHoldMs: options.maxLockHoldMs }),
    (error) => {
      run.notes.push(`table-stats was given, but this runner's speed could not be measured, so every time is for the seeded rows: ${error.message}`);
      return void 0;
    }
  );
  await input.onPhase?.("done", run.context);
  const prKeys = new Set(input.added);
  const ours = [...evidence.values()].filter((entry) => prKeys.has(entry.key));
  const extra = [...evidence.keys()].filter((key) => !prKeys.has(key));
  if (extra.length > 0) run.notes.push(`Django also ran ${extra.join(", ")}, which this pull request does not add`);
  return {
    info: {
      status: "ran",
      provider: server.kind,
      postgresVersion: server.version,
      djangoVersion: run.info("new").django,
      pythonVersion: run.info("new").python,
      timings: run.timings,
      seededRows: base.seed?.totalRows ?? 0,
      migrationsPlanned: ours.filter((entry) => entry.status !== "recorded-applied" && entry.status !== "replaced").length,
      migrationsRehearsed: ours.filter((entry) => entry.status === "applied" || entry.status === "failed").length,
      ...run.notes.length > 0 ? { notes: [...new Set(run.notes)] } : {},
      ...run.baseInfo(),
      ...sizes ? { sizes } : {}
    },
    migrations: evidence,
    seed: base.seed,
    inconclusiveModels: base.inconclusiveModels,
    baseTables: [...baseTables]
  };
}
var DDL = /^\s*(ALTER|CREATE|DROP|COMMENT)\b/i;
function outcomeOf(entry) {
  const ms = (run) => run ? `${Math.round(run.ms)} ms` : "";
  if (entry.status === "failed") return `does not apply: ${entry.forward?.error?.message.split("\n")[0] ?? "failed"}`;
  const repaired = entry.repairs.length > 0 ? `failed on the seeded rows, repaired ${entry.repairs.map((r) => `${r.rows} (${r.kind})`).join(", ")}, then ` : "";
  const back = entry.reverse === null ? "" : entry.reverse.error ? "; the reverse fails" : `; reversed in ${ms(entry.reverse)}${entry.reapply?.error ? ", does not re-apply" : ", re-applied"}`;
  return `${repaired}applied in ${ms(entry.forward)}${back}`;
}
function emptyEvidence(key) {
  return {
    key,
    status: "not-rehearsed",
    reason: "the rehearsal did not reach it",
    firstRun: null,
    firstBasis: "adversarial-seed",
    repairs: [],
    forward: null,
    basis: "adversarial-seed",
    oldCode: { probed: false, failures: [], masked: [], unanswered: [] },
    newCode: { probed: false, failures: [], broken: [], unanswered: [] },
    reverse: null,
    rollback: null,
    reapply: null,
    dataLoss: [],
    dataLossMeasured: false,
    schemaDrift: [],
    contention: null,
    reverseContention: null,
    lockWaits: [],
    notes: []
  };
}
function notRehearsed(entry, reason) {
  entry.status = "not-rehearsed";
  entry.reason = reason;
}
function planned2(plan, added, evidence) {
  const inPlan = new Set(plan.plan);
  const applied = new Set(plan.applied);
  for (const key of added) {
    if (inPlan.has(key)) continue;
    const entry = evidence.get(key);
    const squash = plan.replacements[key];
    if (applied.has(key)) {
      entry.status = "recorded-applied";
      entry.reason = squash ? `Django records it as applied without running it: the migrations it replaces (${squash.replaces.join(", ")}) are applied` : "Django records it as applied already";
    } else if (squash && !squash.inGraph) {
      entry.status = "replaced";
      entry.reason = `Django does not use this squash on a database where some of the migrations it replaces are applied: it runs the others (${squash.replaces.filter((k) => !applied.has(k)).join(", ") || "none left"}) instead`;
    } else {
      notRehearsed(entry, "Django would not run it: its loader does not see it in the new code's migration graph (is its app in INSTALLED_APPS?)");
    }
  }
  return plan.plan;
}
async function rollBackPullRequest(run, order, evidence) {
  const applied = order.filter((key) => evidence.get(key)?.status === "applied");
  if (applied.length < 2) return;
  const copy = await run.copy(run.db.run, "rollback");
  try {
    await run.use("new", copy);
    let stopped = null;
    for (const key of [...applied].reverse()) {
      const entry = evidence.get(key);
      if (stopped !== null) {
        entry.rollbackSkipped = `not reached: rolling back the pull request stopped at ${stopped}`;
        continue;
      }
      const [app, name] = splitKey(key);
      entry.rollback = await run.call("new", "unapply", { app, name }, run.migrationBudget());
      if (entry.rollback.error) stopped = key;
    }
  } finally {
    await run.use("new", run.db.run);
    await run.drop(copy);
  }
}
async function probeNewCodeOnOldSchema(run, evidence, base) {
  const applied = [...evidence.values()].filter((entry) => entry.status === "applied");
  if (applied.length === 0) return;
  await run.use("new", run.db.run);
  const newModels = await run.call("new", "models", {});
  const newTables = new Set(newModels.map((model) => model.table));
  const onNewSchema = await run.call("new", "probe", {});
  const control = passingProbes(onNewSchema);
  for (const failure of newFailures(onNewSchema, base.passingProbes)) {
    const touching = applied.filter((entry) => touchedTables(entry.forward.statements, newTables).has(failure.table));
    const app = failure.model.split(".")[0];
    const owner = touching.at(-1) ?? applied.filter((entry) => entry.key.startsWith(`${app}.`)).at(-1) ?? applied.at(-1);
    owner.newCode.broken.push(...attributeFailures([failure], owner.forward.statements));
  }
  await run.use("new", run.db.oldSchema);
  const onOldSchema = await run.call("new", "probe", {});
  const failures = newFailures(onOldSchema, control);
  await run.use("new", run.db.run);
  for (const entry of applied) {
    entry.newCode.probed = true;
    entry.newCode.unanswered = unansweredProbes(onOldSchema, onNewSchema, touchedTables(entry.forward.statements, newTables));
  }
  for (const failure of failures) {
    const statementsOf = (entry) => entry.forward.statements;
    const touching = applied.filter((entry) => touchedTables(statementsOf(entry), newTables).has(failure.table));
    const names2 = namedIn(failure.message).filter((name) => name !== failure.table);
    const naming = (entry, ddl) => names2.some((name) => namesColumn(statementsOf(entry).filter((statement) => DDL.test(statement.sql) === ddl), failure.table, name));
    const byDdl = touching.filter((entry) => naming(entry, true));
    const named = byDdl.length > 0 ? byDdl : touching.filter((entry) => naming(entry, false));
    const owners = named.length > 0 ? named : touching.length > 0 ? touching : applied.slice(-1);
    for (const owner of owners) owner.newCode.failures.push(...attributeFailures([failure], statementsOf(owner)));
  }
}
export {
  RehearsalFailure,
  rehearse
};
