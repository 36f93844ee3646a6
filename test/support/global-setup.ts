// Makes sure the Python virtualenvs exist before any test asks for them (a no-op
// when `npm test` already ran the bootstrap as its pretest step).
export default async function setup(): Promise<void> {
  const { bootstrap } = (await import('../../scripts/bootstrap.mjs')) as {
    bootstrap: (options: { npm: boolean }) => Promise<unknown>
  }
  await bootstrap({ npm: false })
}
