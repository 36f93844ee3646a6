// The helper's requests and error kinds are defined once (protocol.json); the
// TypeScript side's typed map of them must say the same.
import { describe, expect, it } from 'vitest'
import { HELPER_ERROR_KINDS, HELPER_METHODS, PROTOCOL } from '../../src/django/protocol.js'

describe('the helper protocol', () => {
  it('names the same requests on both sides', () => {
    expect(Object.keys(HELPER_METHODS).sort()).toEqual([...PROTOCOL.methods].sort())
  })

  it('names the same error kinds on both sides', () => {
    expect(Object.keys(HELPER_ERROR_KINDS).sort()).toEqual([...PROTOCOL.errorKinds].sort())
  })
})
