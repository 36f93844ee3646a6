// The value generators on their own: deterministic, full-length, inside simple CHECK bounds.
import { describe, expect, it } from 'vitest'
import type { CheckConstraint, ColumnType } from '../../src/seed/catalog.js'
import {
  checkBounds,
  checkRelations,
  distinctValue,
  generateValue,
  hashParts,
  mulberry32,
  ORDINARY_ROWS,
  sqlLiteral,
  uniquenessKey,
  type ValueRequest
} from '../../src/seed/values.js'

const type = (overrides: Partial<ColumnType>): ColumnType => ({
  baseType: 'varchar',
  category: 'S',
  maxLength: null,
  numericPrecision: null,
  numericScale: null,
  enumLabels: null,
  ...overrides
})
const request = (row: number, overrides: Partial<ValueRequest> = {}): ValueRequest => ({
  row,
  mode: 'planned',
  random: mulberry32(hashParts('test', row)),
  distinct: false,
  variant: 0,
  bounds: null,
  ...overrides
})
const check = (definition: string): CheckConstraint => ({ name: 'c', definition, columns: [] })

describe('value generators', () => {
  it('give the same values for the same seed', () => {
    const a = mulberry32(hashParts(1, 'shop_book', 'title'))
    const b = mulberry32(hashParts(1, 'shop_book', 'title'))
    const c = mulberry32(hashParts(2, 'shop_book', 'title'))
    const first = Array.from({ length: 5 }, a)
    expect(Array.from({ length: 5 }, b)).toEqual(first)
    expect(Array.from({ length: 5 }, c)).not.toEqual(first)
  })

  it('start with ordinary values, then adversarial ones', () => {
    const varchar = type({ maxLength: 20 })
    expect(generateValue(varchar, request(0))).toBe('item1')
    expect(generateValue(type({ baseType: 'int4', category: 'N' }), request(ORDINARY_ROWS - 1))).toBe(String(ORDINARY_ROWS))
    const adversarial = new Set(Array.from({ length: 40 }, (_, i) => generateValue(varchar, request(ORDINARY_ROWS + i))))
    expect(adversarial).toContain('')
    expect([...adversarial].some((value) => value !== null && Array.from(value).length === 20 && value.includes('😀'))).toBe(true)
  })

  it('never exceed a varchar length, counted in characters', () => {
    for (const max of [1, 2, 3, 5, 13, 200]) {
      for (let row = 0; row < 60; row++) {
        for (const distinct of [false, true]) {
          const value = generateValue(type({ maxLength: max }), request(row, { distinct }))!
          expect(Array.from(value).length, `varchar(${max}) row ${row}`).toBeLessThanOrEqual(max)
        }
        expect(Array.from(distinctValue(type({ maxLength: max }), row, null)!).length).toBeLessThanOrEqual(max)
      }
    }
  })

  it('make distinct strings distinct even case-insensitively', () => {
    for (const max of [1, 2, 4, 30, null]) {
      const seen = new Set<string>()
      for (let row = 0; row < 200; row++) {
        const value = row < 100 ? generateValue(type({ maxLength: max }), request(row, { distinct: true, mode: row < 50 ? 'planned' : 'ordinary' })) : distinctValue(type({ maxLength: max }), row, null)
        seen.add(uniquenessKey(type({ maxLength: max }), value!))
      }
      // varchar(1) and (2) fall back on CJK characters past the ASCII room; nothing collides above that.
      if (max === null || max >= 4) expect(seen.size, `varchar(${max})`).toBe(200)
    }
  })

  it('hit the boundaries of integers, numerics and dates', () => {
    const values = (t: ColumnType) => new Set(Array.from({ length: 60 }, (_, i) => generateValue(t, request(ORDINARY_ROWS + i))))
    expect(values(type({ baseType: 'int2', category: 'N' }))).toEqual(new Set(['0', '-1', '32767', '-32767', '1', '-32768', '42']))
    expect(values(type({ baseType: 'int8', category: 'N' }))).toContain('9223372036854775807')
    expect(values(type({ baseType: 'numeric', category: 'N', numericPrecision: 5, numericScale: 2 }))).toEqual(new Set(['0', '999.99', '-999.99', '0.01', '-0.01', '1']))
    expect(values(type({ baseType: 'numeric', category: 'N', numericPrecision: 3, numericScale: 3 }))).toContain('0.999')
    const dates = values(type({ baseType: 'date', category: 'D' }))
    expect(dates).toContain('1900-01-01')
    expect(dates).toContain('9999-12-31')
    const stamps = [...values(type({ baseType: 'timestamptz', category: 'D' }))]
    expect(stamps.every((stamp) => stamp !== null && !stamp.startsWith('0001') && !stamp.startsWith('9999-12-31'))).toBe(true)
  })

  it('stay inside simple CHECK bounds', () => {
    const bounds = checkBounds([check('CHECK (((score >= 1) AND (score <= 5)))'), check('CHECK ((pages >= 0))'), check("CHECK ((NOT (body = ''::text)))")])
    for (let row = 0; row < 40; row++) {
      const score = Number(generateValue(type({ baseType: 'int2', category: 'N' }), request(row, { bounds: bounds.get('score')! })))
      expect(score).toBeGreaterThanOrEqual(1)
      expect(score).toBeLessThanOrEqual(5)
      expect(Number(generateValue(type({ baseType: 'int4', category: 'N' }), request(row, { bounds: bounds.get('pages')! })))).toBeGreaterThanOrEqual(0)
    }
    expect(bounds.get('body')!.notEqual).toEqual([''])
  })

  it('read the CHECK forms Django and Postgres write', () => {
    const bounds = checkBounds([
      check('CHECK (((percent > (0)::numeric) AND (percent <= (100)::numeric)))'),
      check("CHECK (((status)::text = ANY ((ARRAY['draft'::character varying, 'it''s live'::character varying])::text[])))"),
      check('CHECK (("Weird Col" >= \'-5\'::integer))'),
      check('CHECK (((a > 0) OR (b > 0)))')
    ])
    expect(bounds.get('percent')).toMatchObject({ min: 0, minInclusive: false, max: 100, maxInclusive: true })
    expect(bounds.get('status')!.allowed).toEqual(['draft', "it's live"])
    expect(bounds.get('Weird Col')).toMatchObject({ min: -5, minInclusive: true })
    expect(bounds.has('a')).toBe(false)
    expect(checkRelations([check('CHECK ((ends > starts))'), check('CHECK ((lo <= hi))')])).toEqual([
      { high: 'ends', low: 'starts' },
      { high: 'hi', low: 'lo' }
    ])
  })

  it('quote literals so that any text is safe', () => {
    expect(sqlLiteral(null)).toBe('NULL')
    expect(sqlLiteral(`it's \\ "x"`)).toBe(`'it''s \\ "x"'`)
  })
})
