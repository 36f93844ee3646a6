// The helper's protocol as both sides know it: the requests it answers and its
// error kinds are listed once, in python/dmr_helper/protocol.json (read by the
// Python side at start). The typed map below must name exactly those; a test
// holds them equal.
import protocol from '../../python/dmr_helper/protocol.json' with { type: 'json' }
import type { HelperErrorKind, HelperMethod } from '../model/helper.js'

/** Every request of HelperMethods, so that the compiler checks the map is complete. */
export const HELPER_METHODS: Record<HelperMethod, true> = {
  connect: true,
  useDatabase: true,
  closeConnections: true,
  diskMigrations: true,
  missingMigrations: true,
  plan: true,
  migrateToLeaves: true,
  applied: true,
  apply: true,
  unapply: true,
  models: true,
  probe: true,
  roundTrip: true,
  writeRows: true
}

export const HELPER_ERROR_KINDS: Record<HelperErrorKind, true> = {
  'django-missing': true,
  'driver-missing': true,
  settings: true,
  migrate: true,
  'unknown-migration': true,
  state: true,
  protocol: true,
  exception: true
}

/** What protocol.json lists (`shutdown` is the bridge's own). */
export const PROTOCOL = { methods: protocol.methods.filter((method) => method !== 'shutdown'), errorKinds: protocol.errorKinds }
