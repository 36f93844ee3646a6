// How Python expressions read as PyValue: literals exactly as Python decodes
// them, names as refs, and everything that needs evaluation as dynamic.
import { parser } from '@lezer/python'
import { describe, expect, it } from 'vitest'
import { decodeStringLiteral, toPyValue } from '../../src/graph/python-values.js'
import { LineIndex } from '../../src/graph/source-lines.js'
import type { PyValue } from '../../src/model/migration.js'

/** The value of `x = <expression>`. */
function value(expression: string): PyValue {
  const text = `x = ${expression}\n`
  const statement = parser.parse(text).topNode.firstChild
  const node = statement?.lastChild
  if (!statement || statement.name !== 'AssignStatement' || !node) throw new Error(`not an assignment: ${text}`)
  return toPyValue(node, { text, lines: new LineIndex(text) })
}

const str = (text: string): PyValue => ({ kind: 'str', value: text })

describe('strings', () => {
  it('reads single, double and triple quotes alike', () => {
    expect(value(`'a'`)).toEqual(str('a'))
    expect(value(`"a"`)).toEqual(str('a'))
    expect(value(`'''it's "x"'''`)).toEqual(str(`it's "x"`))
    expect(value(`"""two\nlines"""`)).toEqual(str('two\nlines'))
  })

  it('decodes escape sequences as Python does', () => {
    expect(value(String.raw`'tab\there\nnew \\ \' \"'`)).toEqual(str('tab\there\nnew \\ \' "'))
    expect(value(String.raw`'\x41\101\u00e9\U0001F600'`)).toEqual(str('AAé😀'))
    expect(value(String.raw`'\a\b\f\v\0'`)).toEqual(str('\x07\b\f\v\0'))
  })

  it('keeps an unknown escape such as \\d as written', () => {
    expect(value(String.raw`'^\d+$'`)).toEqual(str('^\\d+$'))
  })

  it('drops a backslash-newline inside a string', () => {
    expect(value(`'one \\\ntwo'`)).toEqual(str('one two'))
  })

  it('leaves raw strings undecoded', () => {
    expect(value(String.raw`r'^\d+\.\w$'`)).toEqual(str('^\\d+\\.\\w$'))
    expect(value(String.raw`R"\n"`)).toEqual(str('\\n'))
  })

  it('accepts the u prefix and upper-case prefixes', () => {
    expect(value(`u'a'`)).toEqual(str('a'))
    expect(value(`U"b"`)).toEqual(str('b'))
  })

  it('joins adjacent string literals, even across lines and comments', () => {
    expect(value(`"a" 'b' """c"""`)).toEqual(str('abc'))
    expect(value(`("first "  # why\n  "second")`)).toEqual(str('first second'))
  })

  it('reads bytes as one character per byte', () => {
    expect(value(String.raw`b'\x00\xff\n'`)).toEqual({ kind: 'bytes', value: '\x00\xff\n' })
    expect(value(String.raw`rb'\x00'`)).toEqual({ kind: 'bytes', value: '\\x00' })
    expect(value(String.raw`b'\u0041'`)).toEqual({ kind: 'bytes', value: '\\u0041' })
  })

  it('marks f-strings as dynamic, alone or concatenated', () => {
    expect(value(`f"{name}_id"`)).toEqual({ kind: 'dynamic', source: 'f"{name}_id"', reason: 'an f-string is formatted at run time' })
    expect(value(`"prefix_" f"{name}"`)).toMatchObject({ kind: 'dynamic', reason: 'an f-string is formatted at run time' })
  })

  it('marks strings it cannot decode as dynamic rather than guessing', () => {
    expect(value(String.raw`'\N{BULLET}'`)).toMatchObject({ kind: 'dynamic', reason: '\\N{...} escapes are not decoded statically' })
    expect(value(`b'a' 'b'`)).toMatchObject({ kind: 'dynamic', reason: 'cannot mix bytes and nonbytes literals' })
  })

  it('decodes a literal given with its prefix and quotes', () => {
    expect(decodeStringLiteral(`'it\\'s'`)).toEqual({ kind: 'str', value: "it's" })
    expect(decodeStringLiteral(`''`)).toEqual({ kind: 'str', value: '' })
    expect(decodeStringLiteral(`""""""`)).toEqual({ kind: 'str', value: '' })
  })
})

describe('numbers', () => {
  it('reads decimal, hex, octal and binary integers with their text', () => {
    expect(value('20')).toEqual({ kind: 'int', value: 20, text: '20' })
    expect(value('0x1F')).toEqual({ kind: 'int', value: 31, text: '0x1F' })
    expect(value('0o17')).toEqual({ kind: 'int', value: 15, text: '0o17' })
    expect(value('0b101')).toEqual({ kind: 'int', value: 5, text: '0b101' })
    expect(value('1_000_000')).toEqual({ kind: 'int', value: 1_000_000, text: '1_000_000' })
  })

  it('reads floats in every notation', () => {
    expect(value('1.5')).toEqual({ kind: 'float', value: 1.5, text: '1.5' })
    expect(value('1e3')).toEqual({ kind: 'float', value: 1000, text: '1e3' })
    expect(value('.5')).toEqual({ kind: 'float', value: 0.5, text: '.5' })
  })

  it('reads floats with a trailing dot, which lezer-python splits into a number and a dot', () => {
    expect(value('5.')).toEqual({ kind: 'float', value: 5, text: '5.' })
    expect(value('5.e3')).toEqual({ kind: 'float', value: 5000, text: '5.e3' })
    expect(value('5.e-3')).toEqual({ kind: 'float', value: 0.005, text: '5.e-3' })
    expect(value('-5.')).toEqual({ kind: 'float', value: -5, text: '-5.' })
  })

  it('reads a unary minus or plus on a number as a number', () => {
    expect(value('-1')).toEqual({ kind: 'int', value: -1, text: '-1' })
    expect(value('-2.5e-3')).toEqual({ kind: 'float', value: -0.0025, text: '-2.5e-3' })
    expect(value('+3')).toEqual({ kind: 'int', value: 3, text: '+3' })
  })

  it('marks a minus on anything else, and complex numbers, as dynamic', () => {
    expect(value('-limit')).toEqual({ kind: 'dynamic', source: '-limit', reason: 'an operation is computed at run time' })
    expect(value('2j')).toMatchObject({ kind: 'dynamic', source: '2j' })
  })
})

describe('constants, names and displays', () => {
  it('reads True, False and None', () => {
    expect(value('True')).toEqual({ kind: 'bool', value: true })
    expect(value('False')).toEqual({ kind: 'bool', value: false })
    expect(value('None')).toEqual({ kind: 'none' })
  })

  it('reads names and attribute chains as refs', () => {
    expect(value('forwards')).toEqual({ kind: 'ref', name: 'forwards' })
    expect(value('django.db.models.deletion.CASCADE')).toEqual({ kind: 'ref', name: 'django.db.models.deletion.CASCADE' })
  })

  it('tells lists, tuples and sets apart, including the one-item tuple', () => {
    expect(value('[1, 2]')).toEqual({ kind: 'list', items: [value('1'), value('2')] })
    expect(value('(1,)')).toEqual({ kind: 'tuple', items: [value('1')] })
    expect(value('()')).toEqual({ kind: 'tuple', items: [] })
    expect(value('(1)')).toEqual(value('1'))
    expect(value("{'a', 'b'}")).toEqual({ kind: 'set', items: [str('a'), str('b')] })
  })

  it('reads nested dicts and lists', () => {
    expect(value(`{'ordering': ['-created'], 'meta': {'limit': -1, 'tags': ('a',)}}`)).toEqual({
      kind: 'dict',
      entries: [
        [str('ordering'), { kind: 'list', items: [str('-created')] }],
        [
          str('meta'),
          {
            kind: 'dict',
            entries: [
              [str('limit'), { kind: 'int', value: -1, text: '-1' }],
              [str('tags'), { kind: 'tuple', items: [str('a')] }]
            ]
          }
        ]
      ]
    })
  })

  it('keeps unpacked items in displays visible as dynamic', () => {
    expect(value('[1, *rest]')).toEqual({
      kind: 'list',
      items: [value('1'), { kind: 'dynamic', source: '*rest', reason: 'unpacking with * happens at run time' }]
    })
    const unpacked = { kind: 'dynamic', source: '**base', reason: 'unpacking with ** happens at run time' }
    expect(value(`{**base, 'k': 1}`)).toEqual({ kind: 'dict', entries: [[unpacked, unpacked], [str('k'), value('1')]] })
  })
})

describe('calls', () => {
  it('reads positional and keyword arguments with the callee as written', () => {
    expect(value(`models.CharField("Label", max_length=20, null=True, default="x")`)).toEqual({
      kind: 'call',
      callee: 'models.CharField',
      args: [str('Label')],
      kwargs: {
        max_length: { kind: 'int', value: 20, text: '20' },
        null: { kind: 'bool', value: true },
        default: str('x')
      },
      line: 1
    })
  })

  it('keeps *args and **kwargs as dynamic entries', () => {
    expect(value('f(1, *more, key=2, **options)')).toEqual({
      kind: 'call',
      callee: 'f',
      args: [value('1'), { kind: 'dynamic', source: '*more', reason: 'unpacking with * happens at run time' }],
      kwargs: {
        key: value('2'),
        '**': { kind: 'dynamic', source: '**options', reason: 'unpacking with ** happens at run time' }
      },
      line: 1
    })
  })

  it('marks a generator argument and a call of a computed callee as dynamic', () => {
    expect(value('tuple(x for x in y)')).toMatchObject({
      kind: 'call',
      args: [{ kind: 'dynamic', source: 'x for x in y', reason: 'a generator expression is computed at run time' }]
    })
    expect(value('factory()(1)')).toEqual({ kind: 'dynamic', source: 'factory()(1)', reason: 'the callee is not a name or an attribute chain' })
  })
})

describe('expressions that need evaluation', () => {
  it('marks them dynamic with their source and a short reason', () => {
    expect(value('a + b')).toEqual({ kind: 'dynamic', source: 'a + b', reason: 'an operation is computed at run time' })
    expect(value('lambda apps, editor: None')).toMatchObject({ kind: 'dynamic', reason: 'a lambda is a function, not a literal' })
    expect(value('[n for n in names]')).toMatchObject({ kind: 'dynamic', reason: 'a comprehension is computed at run time' })
    expect(value('OPTIONS["x"]')).toEqual({ kind: 'dynamic', source: 'OPTIONS["x"]', reason: 'a subscript is evaluated at run time' })
    expect(value('a if b else c')).toMatchObject({ kind: 'dynamic', reason: 'a conditional expression is computed at run time' })
  })
})
