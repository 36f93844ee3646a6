// Adversarial values per Postgres type, as text in the type's input format
// (what `INSERT ... VALUES ('...')` accepts). Everything is deterministic: a
// value depends only on the seed, the table, the row, the column and the
// attempt, through a small PRNG (mulberry32) seeded from a hash of those.
//
// The first ORDINARY_ROWS rows are ordinary (small positive numbers, short
// ASCII words, dates around 2000), so that a table with a tight CHECK still
// gets rows; the rest pick from a fixed list of boundary values per type:
// strings at their full max length with quotes, backslashes, multi-byte
// characters and emoji; numbers at the type's limits; dates Python's datetime
// can still read; empty and nested JSON; every enum label.
import type { CheckConstraint, ColumnType } from './catalog.js'

/** Rows 0..ORDINARY_ROWS-1 get ordinary values; later rows adversarial ones. */
export const ORDINARY_ROWS = 3

export type Random = () => number

/** mulberry32: a 32-bit PRNG, plenty for picking test values. Returns [0, 1). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** FNV-1a over the parts: a stable 32-bit seed from names and numbers. */
export function hashParts(...parts: Array<string | number>): number {
  let hash = 0x811c9dc5
  for (const part of parts) {
    const text = `${String(part)}\u0001`
    for (let i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i)
      hash = Math.imul(hash, 0x01000193)
    }
  }
  return hash >>> 0
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length) % items.length]!
}

/**
 * How a value is chosen: `planned` (ordinary for the first rows, adversarial
 * after), `ordinary` (plain, small, positive) and `conservative` (the most
 * boring value of the type: 1, 'a', true, 2000-01-01) for rows a constraint
 * rejected.
 */
export type ValueMode = 'planned' | 'ordinary' | 'conservative'

/** What a CHECK constraint tells about one column, when it is simple enough to read. */
export interface ColumnBounds {
  min: number | null
  minInclusive: boolean
  max: number | null
  maxInclusive: boolean
  notEqual: string[]
  /** `col = 'a'` or `col IN ('a', 'b')`: only these. */
  allowed: string[] | null
}

export interface ValueRequest {
  row: number
  mode: ValueMode
  random: Random
  /** The column must hold distinct values: adversarial strings get a distinct prefix. */
  distinct: boolean
  /** Shifts distinct values after a unique violation. */
  variant: number
  bounds: ColumnBounds | null
}

// ---------------------------------------------------------------------------
// Strings

/** Tricky fragments: quotes, backslashes, LIKE wildcards, multi-byte, emoji (incl. ZWJ), RTL, zero width, control chars, markup. */
const TRICKY =
  `O'Brien "q" back\\slash C:\\new\\table 100%_done ünïcödé straße 日本語テキスト 😀🎉 👨‍👩‍👧‍👦 e\u0301 مرحبا ` +
  `\u202eRTL\u202c zero\u200bwidth tab\there new\nline cr\r <b>&amp;</b> '); DROP TABLE x;-- \\x00 {"k": [1]} `
const LONG_TEXT_LENGTH = 4000
const TEXT_LENGTH = 300

function codePoints(text: string): string[] {
  return Array.from(text)
}

/** `text` repeated and cut to exactly `length` code points. */
function fill(text: string, length: number): string {
  if (length <= 0) return ''
  const points = codePoints(text)
  const out: string[] = []
  while (out.length < length) out.push(...points.slice(0, length - out.length))
  return out.join('')
}

function truncate(text: string, length: number | null): string {
  if (length === null) return text
  const points = codePoints(text)
  return points.length <= length ? text : points.slice(0, length).join('')
}

const variantCache = new Map<number | null, readonly string[]>()

/** The adversarial strings for a column of at most `max` characters (null: unlimited); built once per length. */
function stringVariants(max: number | null): readonly string[] {
  let variants = variantCache.get(max)
  if (!variants) variantCache.set(max, (variants = buildStringVariants(max)))
  return variants
}

function buildStringVariants(max: number | null): string[] {
  const full = max ?? TEXT_LENGTH
  const long = max ?? LONG_TEXT_LENGTH
  return [
    fill(TRICKY, full),
    '',
    fill('Lorem ipsum dolor sit amet, ', long),
    fill('😀', full),
    truncate(`It's a "quote" \\ and a backslash`, max),
    ' ',
    truncate('NULL', max),
    fill('é日ß', full),
    truncate(`  padded  `, max)
  ]
}

/** A distinct, case-insensitively distinct prefix for key `key`, at most `max` characters. */
function distinctTag(key: number, max: number | null): string {
  if (max !== null && max < 4) {
    if (key < 36 ** max) return key.toString(36).padStart(max, '0')
    // Past the ASCII room: CJK ideographs (no case) still give distinct single characters.
    return String.fromCodePoint(0x4e00 + (key % 20000)) + (max > 1 ? key.toString(36).slice(-(max - 1)) : '')
  }
  return `${key.toString(36).padStart(3, '0')}~`
}

function stringValue(type: ColumnType, request: ValueRequest, key: number): string {
  const max = type.maxLength
  const ordinary = () => {
    const word = `item${request.row + 1}`
    if (max === null || word.length <= max) return word
    return distinctTag(request.row, max)
  }
  if (request.mode === 'ordinary' || (request.mode === 'planned' && request.row < ORDINARY_ROWS)) return ordinary()
  if (request.mode === 'conservative') return request.distinct ? ordinary() : 'a'
  const variants = stringVariants(max)
  if (!request.distinct) return pick(request.random, variants)
  const body = variants[(request.row - ORDINARY_ROWS) % variants.length]!
  const tag = distinctTag(key, max)
  return truncate(tag + body, max)
}

// ---------------------------------------------------------------------------
// Numbers

const INT_LIMITS: Record<string, { min: string; max: string }> = {
  int2: { min: '-32768', max: '32767' },
  int4: { min: '-2147483648', max: '2147483647' },
  int8: { min: '-9223372036854775808', max: '9223372036854775807' },
  oid: { min: '0', max: '4294967295' }
}

function intVariants(baseType: string): string[] {
  const { min, max } = INT_LIMITS[baseType] ?? INT_LIMITS.int4!
  if (baseType === 'oid') return ['0', '1', max, '42']
  return ['0', '-1', max, `-${max}`, '1', min, '42']
}

function numericMax(precision: number, scale: number): string {
  if (scale <= 0) return '9'.repeat(precision) + '0'.repeat(-scale)
  if (scale >= precision) return `0.${'0'.repeat(scale - precision)}${'9'.repeat(precision)}`
  return `${'9'.repeat(precision - scale)}.${'9'.repeat(scale)}`
}

function numericUnit(scale: number): string {
  if (scale > 0) return `0.${'0'.repeat(scale - 1)}1`
  return `1${'0'.repeat(-scale)}`
}

/** `digits` (a non-negative integer as BigInt) shifted right by `scale` decimal places. */
function scaled(digits: bigint, scale: number): string {
  if (scale <= 0) return (digits * 10n ** BigInt(-scale)).toString()
  const text = digits.toString().padStart(scale + 1, '0')
  return `${text.slice(0, -scale)}.${text.slice(-scale)}`
}

function numericVariants(type: ColumnType): string[] {
  const p = type.numericPrecision
  const s = type.numericScale ?? 0
  if (p === null) {
    return ['0', '-1', '123456789012345678901234567890.123456789012345678901234567890', '-0.000000000000000001', '1', '99999999999999999999']
  }
  const max = numericMax(p, s)
  const unit = numericUnit(s)
  const values = ['0', max, `-${max}`, unit, `-${unit}`]
  if (p - s >= 1) values.push('1')
  return values
}

function numericOrdinary(type: ColumnType, n: number): string {
  const p = type.numericPrecision
  const s = type.numericScale ?? 0
  if (p === null) return String(n)
  if (p - s >= String(n).length) return String(n)
  // No room for the integer part: n units, wrapped into the precision.
  return scaled(BigInt(n) % 10n ** BigInt(p), s)
}

const FLOAT_VARIANTS: Record<string, string[]> = {
  float4: ['0', '-1', '1.5', '3.4e+38', '-3.4e+38', '1.2e-38', 'Infinity', '-Infinity', 'NaN', '0.1'],
  float8: ['0', '-1', '1.5', '1.7976931348623157e+308', '-1.7976931348623157e+308', '2.3e-308', 'Infinity', '-Infinity', 'NaN', '0.1']
}

// ---------------------------------------------------------------------------
// Dates and times

const DAY_MS = 86_400_000
const BASE_DAY = Date.UTC(2000, 0, 1)

function isoDate(days: number): string {
  return new Date(BASE_DAY + days * DAY_MS).toISOString().slice(0, 10)
}

function clock(seconds: number): string {
  const s = ((seconds % 86400) + 86400) % 86400
  const hh = String(Math.floor(s / 3600)).padStart(2, '0')
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0')
  const ss = String(s % 60).padStart(2, '0')
  return `${hh}:${mm}:${ss}`
}

// Python's datetime reads years 1..9999; an aware 9999-12-31 23:59 overflows
// as soon as it is shifted to a time zone east of UTC, so those stop a day early.
const DATE_VARIANTS = ['1900-01-01', '9999-12-31', '2000-02-29', '1970-01-01', '2038-01-19', '1999-12-31', '2024-02-29']
const TIMESTAMP_VARIANTS = [
  '1900-01-01 00:00:00',
  '9999-12-31 23:59:59.999999',
  '2000-02-29 12:00:00',
  '1970-01-01 00:00:00',
  '2038-01-19 03:14:08',
  '2000-01-01 00:00:00.000001',
  '2024-03-31 02:30:00'
]
const TIMESTAMPTZ_VARIANTS = [
  '1900-01-02 00:00:00+00',
  '9999-12-30 00:00:00+00',
  '2000-02-29 12:00:00+00',
  '1970-01-01 00:00:00+00',
  '2038-01-19 03:14:08+00',
  '2000-01-01 00:00:00.000001+00',
  '2024-03-31 02:30:00+02'
]
const TIME_VARIANTS = ['00:00:00', '23:59:59.999999', '12:00:00', '00:00:00.000001', '13:37:00']
const TIMETZ_VARIANTS = ['00:00:00+00', '23:59:59.999999+00', '12:00:00-12', '12:00:00+14', '06:30:00+05:30']
// Days and clock time only: months make Python's timedelta ambiguous.
const INTERVAL_VARIANTS = ['00:00:00', '1 day', '-1 day', '00:00:00.000001', '-3 days -04:05:06.000007', '999999 days 23:59:59.999999', '36:00:00']

// ---------------------------------------------------------------------------
// JSON, network, binary, uuid

const JSON_VARIANTS = [
  '{}',
  '[]',
  '{"a": {"b": [1, 2, {"c": null, "d": [true, false]}]}, "ü": "日本語 😀", "q": "it\'s \\"quoted\\" \\\\ back"}',
  'null',
  '"just a string"',
  '12345678901234567890',
  '[{"id": 1}, {"id": 2}, [], {}, "", 0, -1.5e-10]',
  '{"": "", "key with spaces": "escaped \\u00e9 \\ud83d\\ude00", "nested": {"deeper": {"deepest": {"x": [[[]]]}}}}',
  'true'
]
const INET_VARIANTS = ['0.0.0.0', '255.255.255.255', '127.0.0.1', '::1', '2001:db8::ff00:42:8329', '::ffff:192.0.2.1', '192.0.2.1']
const CIDR_VARIANTS = ['0.0.0.0/0', '10.0.0.0/8', '192.0.2.0/24', '::/0', '2001:db8::/32', '255.255.255.255/32']
const MACADDR_VARIANTS = ['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', '08:00:2b:01:02:03']

function hex(random: Random, bytes: number): string {
  let out = ''
  for (let i = 0; i < bytes; i++) out += Math.floor(random() * 256).toString(16).padStart(2, '0')
  return out
}

function uuidFrom(hex32: string): string {
  return `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-${hex32.slice(12, 16)}-${hex32.slice(16, 20)}-${hex32.slice(20, 32)}`
}

// ---------------------------------------------------------------------------
// Arrays

/** One element in array-literal syntax: always double-quoted, so any text is safe. */
function arrayElement(value: string | null): string {
  if (value === null) return 'NULL'
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
}

export function arrayLiteral(values: ReadonlyArray<string | null>): string {
  return `{${values.map(arrayElement).join(',')}}`
}

// ---------------------------------------------------------------------------
// Ranges

function rangeValue(baseType: string, mode: 'ordinary' | 'adversarial' | 'key', n: number, random: Random): string | null {
  const kind = baseType.replace(/range$/, '')
  const bounds: Record<string, (a: number, b: number) => [string, string]> = {
    int4: (a, b) => [String(a), String(b)],
    int8: (a, b) => [String(a), String(b)],
    num: (a, b) => [`${a}.5`, `${b}.5`],
    date: (a, b) => [isoDate(a), isoDate(b)],
    ts: (a, b) => [`${isoDate(a)} 00:00:00`, `${isoDate(b)} 00:00:00`],
    tstz: (a, b) => [`${isoDate(a)} 00:00:00+00`, `${isoDate(b)} 00:00:00+00`]
  }
  const make = bounds[kind]
  if (!make) return null
  if (mode === 'adversarial') {
    const extremes: Record<string, string> = {
      int4: '[-2147483648,2147483647)',
      int8: '[-9223372036854775808,9223372036854775807)',
      num: '[-1e20,1e20]',
      date: '[1900-01-01,9999-12-31)',
      ts: '[1900-01-01 00:00:00,9999-12-31 00:00:00)',
      tstz: '[1900-01-02 00:00:00+00,9999-12-30 00:00:00+00)'
    }
    const [a, b] = make(0, 1)
    return pick(random, ['empty', '(,)', extremes[kind]!, `[${a},${b})`, `(,${b}]`, `[${a},)`])
  }
  const [a, b] = make(n, n + 1 + (mode === 'ordinary' ? 9 : 0))
  return `[${a},${b})`
}

// ---------------------------------------------------------------------------
// The generator

function clampNumber(value: string, bounds: ColumnBounds | null, integer: boolean, unit: number): string {
  if (!bounds) return value
  const number = Number(value)
  if (Number.isNaN(number)) {
    // NaN sorts above everything in Postgres: fine under a lower bound, not under an upper one.
    return bounds.max === null ? value : clampNumber(String(bounds.max), bounds, integer, unit)
  }
  const step = integer ? 1 : unit
  if (bounds.min !== null && (number < bounds.min || (!bounds.minInclusive && number <= bounds.min))) {
    const low = bounds.minInclusive ? bounds.min : bounds.min + step
    return integer ? String(Math.ceil(low)) : String(low)
  }
  if (bounds.max !== null && (number > bounds.max || (!bounds.maxInclusive && number >= bounds.max))) {
    const high = bounds.maxInclusive ? bounds.max : bounds.max - step
    return integer ? String(Math.floor(high)) : String(high)
  }
  return value
}

function planned(request: ValueRequest): 'ordinary' | 'adversarial' | 'conservative' {
  if (request.mode === 'planned') return request.row < ORDINARY_ROWS ? 'ordinary' : 'adversarial'
  return request.mode
}

/** Picks from `list` for an adversarial row: distinct columns walk the list in order. */
function fromList(list: readonly string[], request: ValueRequest): string {
  if (request.distinct) return list[(request.row - ORDINARY_ROWS + request.variant) % list.length]!
  return pick(request.random, list)
}

/**
 * A value of `type` in Postgres' text input format; never NULL (the caller
 * decides about NULLs). Returns null only for a type this module cannot make.
 */
export function generateValue(type: ColumnType, request: ValueRequest): string | null {
  const bounds = request.bounds
  if (bounds?.allowed && bounds.allowed.length > 0) {
    return bounds.allowed[(request.row + request.variant) % bounds.allowed.length]!
  }
  const how = planned(request)
  const n = request.row + 1
  const key = request.row + request.variant * 1000
  const t = type.baseType
  switch (type.category) {
    case 'A': {
      const element = type.element
      if (!element) return '{}'
      const elementRequest = (row: number, distinct: boolean): ValueRequest => ({ ...request, row, distinct, bounds: null })
      if (how !== 'adversarial') {
        const value = generateValue(element, { ...elementRequest(request.row, request.distinct), mode: how })
        return value === null ? '{}' : arrayLiteral([value])
      }
      const one = (offset: number) => generateValue(element, elementRequest(request.row + offset, false))
      if (request.distinct) {
        const first = generateValue(element, elementRequest(request.row, true))
        return arrayLiteral([first, one(1)])
      }
      const a = one(0)
      const b = one(7)
      return pick(request.random, [
        '{}',
        '{NULL}',
        arrayLiteral([a, b, a]),
        arrayLiteral([a]),
        arrayLiteral([b, null, a])
      ])
    }
    case 'B':
      if (how === 'ordinary') return request.row % 2 === 0 ? 'true' : 'false'
      if (how === 'conservative') return 'true'
      return request.distinct ? (request.row % 2 === 0 ? 'true' : 'false') : pick(request.random, ['true', 'false'])
    case 'E': {
      const labels = type.enumLabels ?? []
      if (labels.length === 0) return null
      if (how === 'conservative') return labels[request.distinct ? request.row % labels.length : 0]!
      // Every label in turn, so each appears once rows outnumber labels.
      return labels[(request.row + request.variant) % labels.length]!
    }
    case 'S':
      // `name` holds 63 bytes: 15 characters of up to 4 bytes each always fit.
      if (t === 'name') return stringValue({ ...type, maxLength: 15 }, request, key)
      return stringValue(type, request, key)
    case 'N': {
      if (t in INT_LIMITS) {
        const value = how === 'ordinary' ? String(n) : how === 'conservative' ? (request.distinct ? String(n) : '1') : fromList(intVariants(t), request)
        return clampNumber(value, bounds, true, 1)
      }
      if (t === 'numeric') {
        const unit = Number(numericUnit(type.numericScale ?? 0))
        const value =
          how === 'ordinary' ? numericOrdinary(type, n) : how === 'conservative' ? numericOrdinary(type, request.distinct ? n : 1) : fromList(numericVariants(type), request)
        return clampNumber(value, bounds, false, unit)
      }
      if (t === 'float4' || t === 'float8') {
        const value = how === 'ordinary' ? `${n}.5` : how === 'conservative' ? (request.distinct ? `${n}.5` : '1') : fromList(FLOAT_VARIANTS[t]!, request)
        return clampNumber(value, bounds, false, 1e-6)
      }
      if (t === 'money') {
        return how === 'adversarial' ? fromList(['0', '-1.23', '999999.99', '0.01'], request) : `${n}.00`
      }
      return clampNumber(String(n), bounds, true, 1)
    }
    case 'D': {
      const days = request.row
      if (t === 'date') return how === 'adversarial' ? fromList(DATE_VARIANTS, request) : isoDate(how === 'conservative' && !request.distinct ? 0 : days)
      if (t === 'timestamp') return how === 'adversarial' ? fromList(TIMESTAMP_VARIANTS, request) : `${isoDate(days)} 12:00:00`
      if (t === 'timestamptz') return how === 'adversarial' ? fromList(TIMESTAMPTZ_VARIANTS, request) : `${isoDate(days)} 12:00:00+00`
      if (t === 'time') return how === 'adversarial' ? fromList(TIME_VARIANTS, request) : clock(12 * 3600 + days)
      if (t === 'timetz') return how === 'adversarial' ? fromList(TIMETZ_VARIANTS, request) : `${clock(12 * 3600 + days)}+00`
      return null
    }
    case 'T':
      return how === 'adversarial' ? fromList(INTERVAL_VARIANTS, request) : `${n} days`
    case 'I':
      if (t === 'cidr') return how === 'adversarial' ? fromList(CIDR_VARIANTS, request) : `10.${(key >> 8) & 255}.${key & 255}.0/24`
      return how === 'adversarial' ? fromList(INET_VARIANTS, request) : `192.0.2.${(request.row % 254) + 1}`
    case 'R':
      return rangeValue(t, how === 'adversarial' ? (request.distinct ? 'key' : 'adversarial') : 'ordinary', key, request.random)
    case 'V': {
      const length = type.maxLength ?? 8
      if (t === 'bit') return how === 'adversarial' ? pick(request.random, ['0'.repeat(length), '1'.repeat(length)]) : (n % 2 ** Math.min(length, 30)).toString(2).padStart(length, '0')
      return how === 'adversarial' ? pick(request.random, ['', '1'.repeat(Math.min(length, 64)), '0']) : n.toString(2).slice(-length)
    }
    case 'G':
      if (t === 'point') return how === 'adversarial' ? pick(request.random, ['(0,0)', '(-180,90)', '(1e300,-1e300)']) : `(${n},${n})`
      if (t === 'box') return `(${n},${n}),(0,0)`
      if (t === 'circle') return `<(0,0),${n}>`
      if (t === 'lseg') return `[(0,0),(${n},${n})]`
      if (t === 'path') return `[(0,0),(${n},${n})]`
      if (t === 'polygon') return `((0,0),(${n},${n}),(${n},0))`
      if (t === 'line') return `{1,-1,${n}}`
      return null
    default:
      break
  }
  switch (t) {
    case 'uuid': {
      if (how === 'adversarial' && !request.distinct) {
        return pick(request.random, ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', uuidFrom(hex(request.random, 16))])
      }
      return uuidFrom(key.toString(16).padStart(8, '0') + hex(request.random, 12))
    }
    case 'json':
    case 'jsonb':
      if (how === 'adversarial') {
        return request.distinct ? `{"id": ${key}, "v": ${JSON_VARIANTS[(request.row - ORDINARY_ROWS) % JSON_VARIANTS.length]}}` : pick(request.random, JSON_VARIANTS)
      }
      return how === 'conservative' && !request.distinct ? '{}' : `{"n": ${n}, "name": "item${n}"}`
    case 'bytea':
      if (how === 'adversarial') {
        if (request.distinct) return `\\x${key.toString(16).padStart(8, '0')}00ff`
        return pick(request.random, ['\\x', '\\x00', '\\x00ff10fe7f80', `\\x${hex(request.random, 16)}`, `\\x${'ab'.repeat(1024)}`])
      }
      return `\\x${n.toString(16).padStart(2, '0')}`
    case 'macaddr':
    case 'macaddr8': {
      const size = t === 'macaddr' ? 6 : 8
      if (how === 'adversarial' && !request.distinct && size === 6) return pick(request.random, MACADDR_VARIANTS)
      const bytes = key.toString(16).padStart(size * 2, '0').slice(-size * 2)
      return bytes.match(/../g)!.join(':')
    }
    case 'xml':
      return how === 'adversarial' && !request.distinct ? pick(request.random, ['<a/>', '<a b="&quot;ü&quot;">日本 &amp; 😀</a>', '']) : `<item n="${key}"/>`
    case 'tsvector':
      return `'item${key}' 'word'`
    case 'tsquery':
      return `item${key}`
    case 'hstore':
      return how === 'adversarial' && !request.distinct ? pick(request.random, ['', '"a"=>"1", "b c"=>NULL', '"ü"=>"😀"']) : `"n"=>"${key}"`
    case 'citext':
      return stringValue(type, request, key)
    case 'ltree':
      return `a.b${key}`
    case 'pg_lsn':
      return `0/${key.toString(16)}`
    default:
      return null
  }
}

/**
 * A value injective in `key` (for a given type), for a distinct column whose
 * planned value was already taken. Null when the type has no room for it.
 */
export function distinctValue(type: ColumnType, key: number, bounds: ColumnBounds | null): string | null {
  const t = type.baseType
  if (bounds?.allowed) return key < bounds.allowed.length ? bounds.allowed[key]! : null
  switch (type.category) {
    case 'A': {
      if (!type.element) return null
      const element = distinctValue(type.element, key, null)
      return element === null ? null : arrayLiteral([element])
    }
    case 'B':
      return key < 2 ? (key === 0 ? 'true' : 'false') : null
    case 'E': {
      const labels = type.enumLabels ?? []
      return key < labels.length ? labels[key]! : null
    }
    case 'S':
      return truncate(distinctTag(key, type.maxLength), type.maxLength)
    case 'N': {
      if (t in INT_LIMITS || t === 'money') {
        const low = bounds?.min !== null && bounds?.min !== undefined ? Math.ceil(bounds.min) + (bounds.minInclusive ? 0 : 1) : 1
        const value = low + key
        if (bounds?.max !== null && bounds?.max !== undefined && value > bounds.max) return null
        if (t === 'int2' && value > 32767) return null
        return String(value)
      }
      if (t === 'numeric') {
        const p = type.numericPrecision
        const s = type.numericScale ?? 0
        const digits = BigInt(key + 1)
        if (p !== null && digits >= 10n ** BigInt(p)) return null
        return clampNumber(scaled(digits, p === null ? 0 : s), bounds, false, Number(numericUnit(s)))
      }
      return `${key}.25`
    }
    case 'D':
      if (t === 'date') return isoDate(key)
      if (t === 'timestamp') return `${isoDate(Math.floor(key / 24))} ${clock((key % 24) * 3600)}`
      if (t === 'timestamptz') return `${isoDate(Math.floor(key / 24))} ${clock((key % 24) * 3600)}+00`
      if (t === 'time') return key < 86400 ? clock(key) : null
      if (t === 'timetz') return key < 86400 ? `${clock(key)}+00` : null
      return null
    case 'T':
      return `${key} seconds`
    case 'I':
      if (t === 'cidr') return `10.${(key >> 16) & 255}.${(key >> 8) & 255}.${key & 255}/32`
      return `10.${(key >> 16) & 255}.${(key >> 8) & 255}.${key & 255}`
    case 'R':
      return rangeValue(t, 'key', key, () => 0)
    default:
      break
  }
  switch (t) {
    case 'uuid':
      return uuidFrom(key.toString(16).padStart(32, '0'))
    case 'json':
    case 'jsonb':
      return `{"id": ${key}}`
    case 'bytea':
      return `\\x${key.toString(16).padStart(8, '0')}`
    case 'citext':
      return distinctTag(key, null)
    default:
      return generateValue(type, { row: key, mode: 'ordinary', random: () => 0, distinct: true, variant: 0, bounds })
  }
}

/**
 * How a value is compared for uniqueness: case-insensitive (so an index on
 * upper(name) holds too), blank-padded chars without trailing spaces, numbers
 * by value.
 */
export function uniquenessKey(type: ColumnType, value: string): string {
  if (type.category === 'S') return (type.baseType === 'bpchar' ? value.replace(/ +$/, '') : value).toLowerCase()
  if (type.category === 'N' && value !== '' && !Number.isNaN(Number(value))) {
    return type.baseType === 'numeric' && !/e/i.test(value) ? normalizeDecimal(value) : String(Number(value))
  }
  return value
}

function normalizeDecimal(value: string): string {
  let text = value.trim()
  const negative = text.startsWith('-')
  if (negative || text.startsWith('+')) text = text.slice(1)
  let [whole = '', fraction = ''] = text.split('.')
  whole = whole.replace(/^0+(?=\d)/, '')
  fraction = fraction.replace(/0+$/, '')
  const body = fraction ? `${whole || '0'}.${fraction}` : whole || '0'
  return negative && body !== '0' ? `-${body}` : body
}

/** `'text'` with quotes doubled (standard_conforming_strings is on), or NULL. */
export function sqlLiteral(value: string | null): string {
  return value === null ? 'NULL' : `'${value.replaceAll("'", "''")}'`
}

// ---------------------------------------------------------------------------
// Reading simple CHECK constraints

function stripParens(text: string): string {
  let current = text.trim()
  for (;;) {
    if (!current.startsWith('(') || !current.endsWith(')')) return current
    let depth = 0
    let inQuote = false
    for (let i = 0; i < current.length; i++) {
      const char = current[i]
      if (char === "'") inQuote = !inQuote
      if (inQuote) continue
      if (char === '(') depth++
      else if (char === ')') {
        depth--
        if (depth === 0 && i < current.length - 1) return current
      }
    }
    current = current.slice(1, -1).trim()
  }
}

function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = []
  let depth = 0
  let inQuote = false
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (char === "'") inQuote = !inQuote
    if (inQuote) continue
    if (char === '(') depth++
    else if (char === ')') depth--
    else if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(text.slice(start, i))
      start = i + separator.length
      i += separator.length - 1
    }
  }
  parts.push(text.slice(start))
  return parts
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`
const CAST = String.raw`(?:::[A-Za-z_][A-Za-z0-9_ ]*(?:\(\d+(?:,\d+)?\))?(?:\[\])?)*`
const COLUMN_SIDE = new RegExp(String.raw`^\(?(${IDENT})\)?${CAST}$`)
const NUMBER_SIDE = new RegExp(String.raw`^\(?'?\(?(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\)?'?\)?${CAST}$`)
const STRING_SIDE = new RegExp(String.raw`^'((?:[^']|'')*)'${CAST}$`)

function unquoteIdent(text: string): string {
  return text.startsWith('"') ? text.slice(1, -1).replaceAll('""', '"') : text
}

const FLIPPED: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=', '<>': '<>' }

function emptyBounds(): ColumnBounds {
  return { min: null, minInclusive: true, max: null, maxInclusive: true, notEqual: [], allowed: null }
}

/** `high > low` (or >=) between two columns of the same row, from a CHECK such as `ends > starts`. */
export interface ColumnRelation {
  low: string
  high: string
}

/** The column-against-column comparisons at the top level (AND) of CHECK constraints. */
export function checkRelations(checks: readonly CheckConstraint[]): ColumnRelation[] {
  const relations: ColumnRelation[] = []
  for (const check of checks) {
    const body = stripParens(check.definition.replace(/^CHECK\s*/, '').replace(/\s+NOT VALID$/, ''))
    for (const rawPart of splitTopLevel(body, ' AND ')) {
      const comparison = stripParens(rawPart).match(/^(.+?)\s*(>=|<=|>|<)\s*(.+)$/s)
      if (!comparison) continue
      const left = stripParens(comparison[1]!.trim()).match(COLUMN_SIDE)
      const right = stripParens(comparison[3]!.trim()).match(COLUMN_SIDE)
      if (!left || !right || NUMBER_SIDE.test(comparison[1]!.trim()) || NUMBER_SIDE.test(comparison[3]!.trim())) continue
      const a = unquoteIdent(left[1]!)
      const b = unquoteIdent(right[1]!)
      if (a === b) continue
      relations.push(comparison[2]!.startsWith('>') ? { high: a, low: b } : { high: b, low: a })
    }
  }
  return relations
}

/**
 * Bounds per column from the simple part of CHECK constraints: a top-level
 * AND of `col <op> number`, `col = 'text'`, `col <> value` and
 * `col = ANY (ARRAY[...])` (what BETWEEN, IN and Django's PositiveIntegerField
 * turn into). Anything else is left to the seeder's retries.
 */
export function checkBounds(checks: readonly CheckConstraint[]): Map<string, ColumnBounds> {
  const result = new Map<string, ColumnBounds>()
  const boundsOf = (column: string) => {
    let bounds = result.get(column)
    if (!bounds) result.set(column, (bounds = emptyBounds()))
    return bounds
  }
  for (const check of checks) {
    const body = stripParens(check.definition.replace(/^CHECK\s*/, '').replace(/\s+NOT VALID$/, ''))
    for (const rawPart of splitTopLevel(body, ' AND ')) {
      let part = stripParens(rawPart)
      // Django's ~Q(field=value): NOT (field = value).
      const negated = part.match(/^NOT\s+(\(.*\))$/s)
      if (negated) {
        const inner = stripParens(negated[1]!).match(/^(.+?)\s*=\s*(.+)$/s)
        if (!inner || /\b(AND|OR)\b/.test(inner[2]!)) continue
        part = `${inner[1]} <> ${inner[2]}`
      }
      const any = part.match(new RegExp(String.raw`^(.+?)\s*=\s*ANY\s*\((.*)\)$`, 's'))
      if (any) {
        const column = any[1]!.trim().match(COLUMN_SIDE)
        const array = stripParens(any[2]!).replace(new RegExp(`${CAST}$`), '')
        const list = stripParens(array).match(/^ARRAY\[(.*)\]$/s)
        if (!column || !list) continue
        const items = splitTopLevel(list[1]!, ', ').map((item) => stripParens(item.trim()))
        const values: string[] = []
        for (const item of items) {
          const text = item.match(STRING_SIDE) ?? item.match(NUMBER_SIDE)
          if (!text) break
          values.push(text[1]!.replaceAll("''", "'"))
        }
        if (values.length !== items.length) continue
        const bounds = boundsOf(unquoteIdent(column[1]!))
        bounds.allowed = bounds.allowed ? bounds.allowed.filter((value) => values.includes(value)) : values
        continue
      }
      const comparison = part.match(/^(.+?)\s*(>=|<=|<>|!=|=|>|<)\s*(.+)$/s)
      if (!comparison) continue
      let [, left, op, right] = comparison as unknown as [string, string, string, string]
      left = stripParens(left.trim())
      right = stripParens(right.trim())
      if (op === '!=') op = '<>'
      let columnMatch = left.match(COLUMN_SIDE)
      let valueText = right
      if (!columnMatch || NUMBER_SIDE.test(left)) {
        columnMatch = right.match(COLUMN_SIDE)
        valueText = left
        op = FLIPPED[op]!
      }
      if (!columnMatch) continue
      const column = unquoteIdent(columnMatch[1]!)
      const number = valueText.match(NUMBER_SIDE)
      const string = number ? null : valueText.match(STRING_SIDE)
      if (!number && !string) continue
      const bounds = boundsOf(column)
      if (string) {
        const value = string[1]!.replaceAll("''", "'")
        if (op === '=') bounds.allowed = bounds.allowed ? bounds.allowed.filter((item) => item === value) : [value]
        else if (op === '<>') bounds.notEqual.push(value)
        continue
      }
      const value = Number(number![1])
      if (op === '=') bounds.allowed = [number![1]!]
      else if (op === '<>') bounds.notEqual.push(number![1]!)
      else if (op === '>' || op === '>=') {
        if (bounds.min === null || value >= bounds.min) {
          bounds.min = value
          bounds.minInclusive = op === '>='
        }
      } else if (bounds.max === null || value <= bounds.max) {
        bounds.max = value
        bounds.maxInclusive = op === '<='
      }
    }
  }
  return result
}
